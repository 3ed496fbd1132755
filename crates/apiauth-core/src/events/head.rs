//! `events.head`: where the log ends and which keystore generation it has seen, under an HMAC
//! only a holder of the master key can make.
//!
//! ```text
//! offset  size  field
//!      0     8  seq        sequence number of the last record (u64 LE)
//!      8    32  mac        that record's chain MAC
//!     40     8  store      the newest keystore generation written with this log (u64 LE)
//!     48     8  pending    the generation a change is being written as, once its records are
//!                          in the log and until its keystore write is confirmed (0: none)
//!     56     8  first      the change's first record (0: it has none)
//!     64     8  last       the change's last record
//!     72     4  pid        the process writing it
//!     76     4  reserved   0
//!     80    32  HMAC-SHA256(head key, bytes 0..80)
//! ```
//!
//! `seq` and `mac` catch a log cut short; `store` catches an older `keystore.enc` put back under
//! this log (DESIGN.md §1), while the keystore's own anchor catches an older log put back under
//! it. `pending` tells a change that never reached the keystore (its writer stopped) from one
//! that did.

use super::{EventKeys, Head};

/// Size of the file.
pub const LEN: usize = 112;
/// Size of the head older builds wrote (no keystore generation).
pub const OLD_LEN: usize = 72;
const SIGNED: usize = 80;

/// A change whose records are in the log and whose keystore write is not confirmed yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// The generation the keystore is being written as.
    pub generation: u64,
    /// Its records (first and last sequence numbers); none for a change that records nothing.
    pub records: Option<(u64, u64)>,
    /// The writing process.
    pub pid: u32,
}

/// What `events.head` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadFile {
    /// The last record.
    pub tip: Head,
    /// The newest keystore generation written with this log.
    pub store: u64,
    /// A change being written, if any.
    pub pending: Option<Pending>,
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// The file's bytes.
pub fn encode(head: &HeadFile, keys: &EventKeys) -> [u8; LEN] {
    let mut bytes = [0u8; LEN];
    bytes[..8].copy_from_slice(&head.tip.seq.to_le_bytes());
    bytes[8..40].copy_from_slice(&head.tip.mac);
    bytes[40..48].copy_from_slice(&head.store.to_le_bytes());
    if let Some(p) = head.pending {
        let (first, last) = p.records.unwrap_or((0, 0));
        bytes[48..56].copy_from_slice(&p.generation.to_le_bytes());
        bytes[56..64].copy_from_slice(&first.to_le_bytes());
        bytes[64..72].copy_from_slice(&last.to_le_bytes());
        bytes[72..76].copy_from_slice(&p.pid.to_le_bytes());
    }
    let mac = EventKeys::mac(&keys.head, &[&bytes[..SIGNED]]);
    bytes[SIGNED..].copy_from_slice(&mac);
    bytes
}

/// Reads the file's bytes, or says what is wrong with them.
pub fn decode(bytes: &[u8], keys: &EventKeys) -> Result<HeadFile, String> {
    if bytes.len() == OLD_LEN {
        return Err(format!(
            "{} was written by an older apiauth and does not record the keystore generation",
            super::HEAD_FILE
        ));
    }
    if bytes.len() != LEN {
        return Err(format!("{} has the wrong size", super::HEAD_FILE));
    }
    let expected = EventKeys::mac(&keys.head, &[&bytes[..SIGNED]]);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        &expected[..],
        &bytes[SIGNED..],
    )) {
        return Err(format!(
            "{} does not authenticate (it was edited, or belongs to another master key)",
            super::HEAD_FILE
        ));
    }
    let generation = u64_at(bytes, 48);
    let (first, last) = (u64_at(bytes, 56), u64_at(bytes, 64));
    Ok(HeadFile {
        tip: Head {
            seq: u64_at(bytes, 0),
            mac: bytes[8..40].try_into().expect("32 bytes"),
        },
        store: u64_at(bytes, 40),
        pending: (generation != 0).then(|| Pending {
            generation,
            records: (first != 0).then_some((first, last)),
            pid: u32::from_le_bytes(bytes[72..76].try_into().expect("4 bytes")),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    #[test]
    fn a_head_reads_back_and_any_edit_is_refused() {
        let keys = EventKeys::derive(&MasterKey::generate());
        let head = HeadFile {
            tip: Head {
                seq: 41,
                mac: [7; 32],
            },
            store: 9,
            pending: Some(Pending {
                generation: 10,
                records: Some((40, 41)),
                pid: 4242,
            }),
        };
        let bytes = encode(&head, &keys);
        assert_eq!(decode(&bytes, &keys), Ok(head));
        let idle = HeadFile {
            pending: None,
            ..head
        };
        assert_eq!(decode(&encode(&idle, &keys), &keys), Ok(idle));
        for at in [0, 20, 40, 50, 60, 70, 74, 100] {
            let mut edited = bytes;
            edited[at] ^= 1;
            assert!(decode(&edited, &keys).is_err(), "byte {at}");
        }
        let other = EventKeys::derive(&MasterKey::generate());
        assert!(decode(&bytes, &other).is_err());
        assert!(
            decode(&bytes[..OLD_LEN], &keys)
                .unwrap_err()
                .contains("older apiauth")
        );
        assert!(decode(&bytes[..100], &keys).is_err());
    }
}
