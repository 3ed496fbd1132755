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

use std::io::Write as _;

use chrono::Utc;

use super::record::Line;
use super::{Durability, EventKeys, EventLog, HEAD_FILE, Head, LOG_FILE};
use crate::error::{Error, Result};
use crate::fs::{self, lock};

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

/// What `events.head` holds, as far as a reader can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeadState {
    /// There is no head (and so, normally, no log yet).
    Missing,
    /// The head, authenticated.
    Present(HeadFile),
    /// A head that cannot be read or does not authenticate, and why.
    Unusable(String),
}

impl EventLog {
    /// The head as stored, or why it cannot be used.
    pub(crate) fn head_state(&self) -> HeadState {
        match self.read_head() {
            Ok(Some(head)) => HeadState::Present(head),
            Ok(None) => HeadState::Missing,
            Err(e) => HeadState::Unusable(match e {
                Error::EventLog { problem, .. } => problem,
                other => other.to_string(),
            }),
        }
    }

    /// Records that the keystore was written as `generation`, so that a keystore older than it
    /// put back later is caught. Best effort: a head left behind only makes the next writer
    /// confirm again.
    pub(crate) fn confirm(&self, generation: u64) -> Result<()> {
        self.update_head(Durability::Buffered, |head| {
            head.store = head.store.max(generation);
            if head.pending.is_some_and(|p| p.generation <= generation) {
                head.pending = None;
            }
            true
        })
    }

    /// Changes the stored head, under the lock, when there is one and `change` says so.
    pub(super) fn update_head(
        &self,
        durability: Durability,
        change: impl FnOnce(&mut HeadFile) -> bool,
    ) -> Result<()> {
        let _lock = self.lock()?;
        let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
        let Some(mut head) = self.read_head()? else {
            return Ok(());
        };
        if change(&mut head) {
            self.write_head(&head, durability)?;
        }
        Ok(())
    }

    /// For `recover`: makes the head agree with the log as it is, recording keystore generation
    /// `store`. The head is rewritten at the log's last record; when no record is left, the old
    /// head is moved aside (`events.head.TIME.old`) and the next append begins a new log.
    pub(crate) fn accept_as_is(&self, store: u64) -> Result<()> {
        let _lock = self.lock()?;
        let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
        let mut last: Option<Head> = None;
        self.walk_back(|line| {
            last = Some(Head {
                seq: line.seq,
                mac: line.mac,
            });
            Ok(false)
        })?;
        if let Some(tip) = last {
            let head = HeadFile {
                tip,
                store,
                pending: None,
            };
            return self.write_head(&head, Durability::Sync);
        }
        let path = self.head_path();
        if std::fs::symlink_metadata(&path).is_ok() {
            let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
            let aside = self.dir.join(format!("{HEAD_FILE}.{stamp}.old"));
            std::fs::rename(&path, &aside).map_err(|e| Error::io("move aside", &path, e))?;
        }
        Ok(())
    }

    pub(super) fn read_head(&self) -> Result<Option<HeadFile>> {
        let path = self.head_path();
        let bytes = match fs::read_capped(&path, LEN as u64, fs::Links::Refuse) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(Error::TooLarge { .. }) => {
                return Err(self.damaged(format!("{HEAD_FILE} has the wrong size")));
            }
            Err(e) => return Err(e),
        };
        decode(&bytes, &self.keys)
            .map(Some)
            .map_err(|problem| self.damaged(problem))
    }

    pub(super) fn write_head(&self, head: &HeadFile, durability: Durability) -> Result<()> {
        let bytes = encode(head, &self.keys);
        let path = self.head_path();
        let mut options = fs::owner_only();
        options.write(true).create(true).truncate(false);
        let mut file = fs::open_existing(&path, &options, "open")?;
        // One write at offset 0: a killed process leaves the old head or the new one.
        file.write_all(&bytes)
            .and_then(|()| {
                if file.metadata()?.len() > LEN as u64 {
                    file.set_len(LEN as u64)?;
                }
                Ok(())
            })
            .map_err(|e| Error::io("write", &path, e))?;
        if durability == Durability::Sync {
            file.sync_data().map_err(|e| Error::io("sync", &path, e))?;
        }
        Ok(())
    }

    /// The head to chain from: the stored head, its tip moved forward over records that an
    /// appender wrote before it was killed (they must chain from the stored tip); `None` for a
    /// log not started yet. Anything else is damage, and no record is added to a damaged chain.
    pub(super) fn current_head(&self) -> Result<Option<HeadFile>> {
        let stored = self.read_head()?;
        let mut tail: Vec<Line> = Vec::new();
        self.walk_back(|line| {
            let done = stored.is_some_and(|h| line.seq <= h.tip.seq);
            tail.push(line);
            Ok(!done)
        })?;
        tail.reverse();
        let Some(stored) = stored else {
            return if tail.is_empty() {
                Ok(None)
            } else {
                Err(self.damaged(format!(
                    "{HEAD_FILE} is missing while {LOG_FILE} has records; run apiauth log --check"
                )))
            };
        };
        let head = stored.tip;
        // The lines after the stored head, which must continue the chain from it.
        let after: &[Line] = match tail.first() {
            None if head.seq == 0 => &[],
            None => {
                return Err(self.damaged(format!(
                    "{LOG_FILE} is empty or missing but {HEAD_FILE} records {} records",
                    head.seq
                )));
            }
            Some(_) if head.seq == 0 => &tail,
            Some(first) if first.seq == head.seq && first.mac == head.mac => &tail[1..],
            Some(first) => {
                return Err(self.damaged(if first.seq < head.seq {
                    format!(
                        "the log ends at record {} but {HEAD_FILE} records {}: records were removed; run apiauth log --check",
                        tail.last().map_or(0, |l| l.seq),
                        head.seq
                    )
                } else {
                    format!(
                        "record {} does not match {HEAD_FILE}; run apiauth log --check",
                        first.seq
                    )
                }));
            }
        };
        let mut at = head;
        for line in after {
            if line.seq != at.seq + 1 || !line.chains_from(&self.keys, &at.mac) {
                return Err(self.damaged(format!(
                    "record {} does not follow the last recorded one; run apiauth log --check",
                    line.seq
                )));
            }
            at = Head {
                seq: line.seq,
                mac: line.mac,
            };
        }
        Ok(Some(HeadFile { tip: at, ..stored }))
    }
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
