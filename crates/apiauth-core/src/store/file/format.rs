//! The byte layout of `keystore.enc`.
//!
//! ```text
//! offset  size  field
//!      0     8  magic            89 'A' 'P' 'I' 'A' 'U' 'T' 'H'
//!      8     2  format version   u16 LE, currently 1
//!     10     2  flags            u16 LE, no bits defined; unknown bits are refused
//!     12    32  salt             fresh per write; HKDF salt for the payload key
//!     44    12  nonce            fresh per write; AES-GCM nonce
//!     56     8  generation       u64 LE, +1 per write
//!     64     8  ciphertext len   u64 LE, capped at MAX_CIPHERTEXT_LEN, includes the tag
//!     72     …  ciphertext       AES-256-GCM(payload) followed by its 16-byte tag
//! ```
//!
//! All 72 header bytes are the associated data of the encryption, so changing any of them
//! makes decryption fail. [`parse`] refuses a wrong magic, an unknown version or flag, a length
//! over the cap, a truncated file and trailing bytes before any decryption is attempted, and
//! [`Header::write`] followed by [`parse`] gives back the same bytes.

use std::fmt;

use crate::crypto::{NONCE_LEN, TAG_LEN};
pub use crate::error::FormatError;

/// First bytes of every keystore file. The high first byte catches 7-bit transfers and text
/// files; the name says what the file is to anyone who opens it.
pub const MAGIC: [u8; 8] = *b"\x89APIAUTH";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Flag bits this build understands (none yet).
pub const KNOWN_FLAGS: u16 = 0;
/// Size of the fixed header.
pub const HEADER_LEN: usize = 72;
/// Largest ciphertext accepted: far beyond a million keys, small enough that a forged length
/// cannot make the reader allocate without bound.
pub const MAX_CIPHERTEXT_LEN: u64 = 1 << 30;

/// The fixed header of a keystore file.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// Format version.
    pub version: u16,
    /// Flag bits.
    pub flags: u16,
    /// HKDF salt of this write.
    pub salt: [u8; 32],
    /// AES-GCM nonce of this write.
    pub nonce: [u8; NONCE_LEN],
    /// Write counter.
    pub generation: u64,
    /// Length of ciphertext plus tag.
    pub ciphertext_len: u64,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("version", &self.version)
            .field("flags", &self.flags)
            .field("generation", &self.generation)
            .field("ciphertext_len", &self.ciphertext_len)
            .finish_non_exhaustive()
    }
}

impl Header {
    /// The 72 header bytes, which are also the associated data.
    pub fn write(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..10].copy_from_slice(&self.version.to_le_bytes());
        out[10..12].copy_from_slice(&self.flags.to_le_bytes());
        out[12..44].copy_from_slice(&self.salt);
        out[44..56].copy_from_slice(&self.nonce);
        out[56..64].copy_from_slice(&self.generation.to_le_bytes());
        out[64..72].copy_from_slice(&self.ciphertext_len.to_le_bytes());
        out
    }
}

fn field<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    bytes[at..at + N]
        .try_into()
        .expect("header length was checked")
}

/// Reads only the header; enough to learn the generation without the key.
pub fn parse_header(bytes: &[u8]) -> Result<Header, FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::Empty);
    }
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(FormatError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(FormatError::TruncatedHeader { len: bytes.len() });
    }
    let version = u16::from_le_bytes(field(bytes, 8));
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion(version));
    }
    let flags = u16::from_le_bytes(field(bytes, 10));
    if flags & !KNOWN_FLAGS != 0 {
        return Err(FormatError::UnknownFlags(flags & !KNOWN_FLAGS));
    }
    let ciphertext_len = u64::from_le_bytes(field(bytes, 64));
    if !(TAG_LEN as u64..=MAX_CIPHERTEXT_LEN).contains(&ciphertext_len) {
        return Err(FormatError::BadLength(ciphertext_len));
    }
    Ok(Header {
        version,
        flags,
        salt: field(bytes, 12),
        nonce: field(bytes, 44),
        generation: u64::from_le_bytes(field(bytes, 56)),
        ciphertext_len,
    })
}

/// Parses a whole file: the header and exactly `ciphertext_len` bytes after it.
pub fn parse(bytes: &[u8]) -> Result<Header, FormatError> {
    let header = parse_header(bytes)?;
    let actual = (bytes.len() - HEADER_LEN) as u64;
    match actual.cmp(&header.ciphertext_len) {
        std::cmp::Ordering::Less => Err(FormatError::Truncated {
            declared: header.ciphertext_len,
            actual,
        }),
        std::cmp::Ordering::Greater => Err(FormatError::TrailingBytes {
            extra: actual - header.ciphertext_len,
        }),
        std::cmp::Ordering::Equal => Ok(header),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_this_layout() {
        // The words of a refusal state the header size and the version read by this build.
        assert!(
            FormatError::TruncatedHeader { len: 3 }
                .to_string()
                .contains(&format!("the {HEADER_LEN}-byte header"))
        );
        assert!(
            FormatError::UnsupportedVersion(FORMAT_VERSION + 1)
                .to_string()
                .contains(&format!("it reads version {FORMAT_VERSION})"))
        );
    }

    fn sample() -> Vec<u8> {
        let header = Header {
            version: FORMAT_VERSION,
            flags: 0,
            salt: [7; 32],
            nonce: [9; NONCE_LEN],
            generation: 42,
            ciphertext_len: 20,
        };
        let mut bytes = header.write().to_vec();
        bytes.extend_from_slice(&[0xAB; 20]);
        bytes
    }

    #[test]
    fn parse_then_write_gives_back_the_same_bytes() {
        let bytes = sample();
        let header = parse(&bytes).unwrap();
        assert_eq!(header.generation, 42);
        let mut again = header.write().to_vec();
        again.extend_from_slice(&bytes[HEADER_LEN..]);
        assert_eq!(again, bytes);
    }

    #[test]
    fn every_structural_fault_is_named() {
        let good = sample();
        assert_eq!(parse(&[]), Err(FormatError::Empty));
        assert_eq!(parse(b"#!/bin/sh\necho hi\n"), Err(FormatError::BadMagic));
        assert_eq!(
            parse(&good[..30]),
            Err(FormatError::TruncatedHeader { len: 30 })
        );
        assert_eq!(
            parse(&good[..4]),
            Err(FormatError::TruncatedHeader { len: 4 })
        );

        let mut v2 = good.clone();
        v2[8] = 2;
        assert_eq!(parse(&v2), Err(FormatError::UnsupportedVersion(2)));

        let mut flagged = good.clone();
        flagged[11] = 0x80;
        assert_eq!(parse(&flagged), Err(FormatError::UnknownFlags(0x8000)));

        let mut huge = good.clone();
        huge[64..72].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(parse(&huge), Err(FormatError::BadLength(u64::MAX)));

        let mut tiny = good.clone();
        tiny[64..72].copy_from_slice(&3u64.to_le_bytes());
        assert_eq!(parse(&tiny), Err(FormatError::BadLength(3)));

        assert_eq!(
            parse(&good[..good.len() - 1]),
            Err(FormatError::Truncated {
                declared: 20,
                actual: 19
            })
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            parse(&trailing),
            Err(FormatError::TrailingBytes { extra: 1 })
        );
    }
}
