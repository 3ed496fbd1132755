//! The decrypted payload: every entry, plus a hash index that lets verify find one entry
//! without decoding the others.
//!
//! The payload is a postcard-encoded [`Payload`] of two byte strings:
//!
//! - `index`: one 40-byte row per key version, sorted by hash: the SHA-256 of the value
//!   (32 bytes), the byte offset of its entry in `entries` (u32 LE) and the version's position
//!   in that entry's history (u32 LE);
//! - `entries`: the postcard encodings of the [`KeyEntry`] values, one after the other.
//!
//! Verify binary-searches `index` straight out of the decrypted buffer and decodes the single
//! entry it points at, so its cost after decryption is O(log n) whatever the store's size.
//! Everything else decodes all entries and builds the in-memory maps of
//! [`Keystore`](super::Keystore).

use serde::{Deserialize, Serialize};

use crate::crypto::KeyHash;
use crate::model::KeyEntry;

const ROW: usize = 40;

#[derive(Serialize, Deserialize)]
struct Payload<'a> {
    #[serde(borrow, with = "serde_bytes")]
    index: &'a [u8],
    #[serde(borrow, with = "serde_bytes")]
    entries: &'a [u8],
}

/// A payload that does not decode.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PayloadError(String);

impl From<postcard::Error> for PayloadError {
    fn from(e: postcard::Error) -> Self {
        PayloadError(e.to_string())
    }
}

/// Encodes entries and their hash index. The returned buffer holds signing secrets; the caller
/// keeps it in a zeroizing container.
pub fn encode(entries: &[KeyEntry]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(entries.len() * 256);
    let mut rows: Vec<([u8; 32], u32, u32)> = Vec::with_capacity(entries.len());
    for entry in entries {
        let offset = u32::try_from(blob.len()).expect("payload is capped far below 4 GiB");
        for (position, version) in entry.versions.iter().enumerate() {
            rows.push((*version.hash.as_bytes(), offset, position as u32));
        }
        blob = postcard::to_extend(entry, blob).expect("entries always serialize");
    }
    rows.sort_unstable_by_key(|row| row.0);
    let mut index = Vec::with_capacity(rows.len() * ROW);
    for (hash, offset, position) in rows {
        index.extend_from_slice(&hash);
        index.extend_from_slice(&offset.to_le_bytes());
        index.extend_from_slice(&position.to_le_bytes());
    }
    let out = postcard::to_stdvec(&Payload {
        index: &index,
        entries: &blob,
    })
    .expect("payload always serializes");
    zeroize::Zeroize::zeroize(&mut blob);
    out
}

fn parse(bytes: &[u8]) -> Result<Payload<'_>, PayloadError> {
    let payload: Payload<'_> = postcard::from_bytes(bytes)?;
    if !payload.index.len().is_multiple_of(ROW) {
        return Err(PayloadError("hash index has a partial row".into()));
    }
    Ok(payload)
}

/// Decodes every entry.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<KeyEntry>, PayloadError> {
    let payload = parse(bytes)?;
    let mut entries = Vec::with_capacity(payload.index.len() / ROW);
    let mut rest = payload.entries;
    while !rest.is_empty() {
        let (entry, tail): (KeyEntry, _) = postcard::take_from_bytes(rest)?;
        if entry.versions.is_empty() {
            return Err(PayloadError(format!("entry {} has no versions", entry.id)));
        }
        entries.push(entry);
        rest = tail;
    }
    Ok(entries)
}

/// Finds the entry holding `hash` and the position of the matching version, decoding only that
/// entry. The match is confirmed with a constant-time comparison against the decoded entry.
pub fn lookup(bytes: &[u8], hash: &KeyHash) -> Result<Option<(KeyEntry, usize)>, PayloadError> {
    let payload = parse(bytes)?;
    let rows = payload.index.len() / ROW;
    let row = |i: usize| &payload.index[i * ROW..(i + 1) * ROW];
    let (mut lo, mut hi) = (0usize, rows);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match row(mid)[..32].cmp(hash.as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => {
                let r = row(mid);
                let offset = u32::from_le_bytes(r[32..36].try_into().expect("4 bytes")) as usize;
                let position = u32::from_le_bytes(r[36..40].try_into().expect("4 bytes")) as usize;
                let slice = payload
                    .entries
                    .get(offset..)
                    .ok_or_else(|| PayloadError("hash index points past the entries".into()))?;
                let (entry, _): (KeyEntry, _) = postcard::take_from_bytes(slice)?;
                return match entry.versions.get(position) {
                    Some(version) if version.hash.ct_eq(hash) => Ok(Some((entry, position))),
                    _ => Err(PayloadError(
                        "hash index does not match the entry it points at".into(),
                    )),
                };
            }
        }
    }
    Ok(None)
}
