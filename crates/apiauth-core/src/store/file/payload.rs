//! The decrypted payload: the entries and the indexes that find one entry without decoding the
//! others.
//!
//! The payload is a postcard-encoded [`Encoded`] of four byte strings:
//!
//! - `hash_index` and `id_index`: the rows of the two indexes (see `store::index`), sorted by
//!   value hash and by id;
//! - `offsets`: the byte offset of each entry in `entries` (u32 LE), in entry-number order;
//! - `entries`: the postcard encodings of the [`KeyEntry`] values, one after the other, in
//!   creation order;
//! - `log_anchor`: the sequence number and MAC of the event-log record of the last change, so
//!   that a log rolled back past it is caught by `log --check`.
//!
//! Verify binary-searches `hash_index` straight out of the decrypted buffer and decodes the
//! single entry it points at ([`lookup`]), so after decryption its cost is O(log n). A write works
//! on the raw regions ([`Raw`]): adding a key appends its bytes and inserts its index rows,
//! changing one splices its bytes, and no other entry is decoded or re-encoded.

use serde::{Deserialize, Serialize};

use crate::crypto::{KeyHash, SecretBytes};
use crate::events::Anchor;
use crate::model::KeyEntry;
use crate::store::Found;
use crate::store::index::{self, HASH_ROW, ID_KEY, ID_ROW, Index, u32_at};

#[derive(Serialize, Deserialize)]
struct Encoded<'a> {
    #[serde(borrow, with = "serde_bytes")]
    hash_index: &'a [u8],
    #[serde(borrow, with = "serde_bytes")]
    id_index: &'a [u8],
    #[serde(borrow, with = "serde_bytes")]
    offsets: &'a [u8],
    #[serde(borrow, with = "serde_bytes")]
    entries: &'a [u8],
    log_anchor: Option<Anchor>,
}

/// A payload that does not decode or whose indexes do not agree with its entries.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PayloadError(String);

impl From<postcard::Error> for PayloadError {
    fn from(e: postcard::Error) -> Self {
        PayloadError(e.to_string())
    }
}

/// A borrowed, checked view of an encoded payload.
struct View<'a> {
    hash_index: &'a [u8],
    id_index: &'a [u8],
    offsets: &'a [u8],
    entries: &'a [u8],
    log_anchor: Option<Anchor>,
}

impl<'a> View<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, PayloadError> {
        let encoded: Encoded<'a> = postcard::from_bytes(bytes)?;
        let view = View {
            hash_index: encoded.hash_index,
            id_index: encoded.id_index,
            offsets: encoded.offsets,
            entries: encoded.entries,
            log_anchor: encoded.log_anchor,
        };
        view.check()?;
        Ok(view)
    }

    /// Structural checks that make every later index access in bounds.
    fn check(&self) -> Result<(), PayloadError> {
        let bad = |what: &str| Err(PayloadError(what.to_owned()));
        if !self.hash_index.len().is_multiple_of(HASH_ROW)
            || !self.id_index.len().is_multiple_of(ID_ROW)
            || !self.offsets.len().is_multiple_of(4)
        {
            return bad("an index has a partial row");
        }
        let count = self.offsets.len() / 4;
        if self.id_index.len() / ID_ROW != count {
            return bad("the id index and the entries disagree on the number of keys");
        }
        let mut previous = 0usize;
        for n in 0..count {
            let offset = u32_at(self.offsets, n * 4) as usize;
            if (n == 0 && offset != 0) || offset < previous || offset >= self.entries.len() {
                return bad("entry offsets are out of order or out of bounds");
            }
            previous = offset;
        }
        if count == 0 && !self.entries.is_empty() {
            return bad("entries without offsets");
        }
        let rows_point_inside = |rows: &[u8], width: usize, at: usize| {
            rows.chunks_exact(width)
                .all(|row| (u32_at(row, at) as usize) < count)
        };
        if !rows_point_inside(self.hash_index, HASH_ROW, 32)
            || !rows_point_inside(self.id_index, ID_ROW, ID_KEY)
        {
            return bad("an index row points past the entries");
        }
        Ok(())
    }

    fn count(&self) -> usize {
        self.offsets.len() / 4
    }

    fn entry_bytes(&self, n: usize) -> &'a [u8] {
        let start = u32_at(self.offsets, n * 4) as usize;
        let end = if n + 1 < self.count() {
            u32_at(self.offsets, (n + 1) * 4) as usize
        } else {
            self.entries.len()
        };
        &self.entries[start..end]
    }
}

fn decode_entry(bytes: &[u8]) -> Result<KeyEntry, PayloadError> {
    let entry: KeyEntry = postcard::from_bytes(bytes)?;
    if entry.versions.is_empty() {
        return Err(PayloadError(format!("entry {} has no versions", entry.id)));
    }
    Ok(entry)
}

/// The event-log anchor of a decrypted payload, read without checking or decoding the rest
/// (the fields before it are byte strings, which decode by their length alone).
pub fn anchor(bytes: &[u8]) -> Result<Option<Anchor>, PayloadError> {
    let encoded: Encoded<'_> = postcard::from_bytes(bytes)?;
    Ok(encoded.log_anchor)
}

/// Finds the entry holding `hash` and the position of the matching version, decoding only that
/// entry. The match is confirmed with a constant-time comparison against the decoded entry.
pub fn lookup(bytes: &[u8], hash: &KeyHash) -> Result<Option<Found>, PayloadError> {
    let view = View::parse(bytes)?;
    let Some((number, position)) = index::find_hash(view.hash_index, hash) else {
        return Ok(None);
    };
    let entry = decode_entry(view.entry_bytes(number))?;
    match entry.versions.get(position) {
        Some(version) if version.hash.ct_eq(hash) => Ok(Some(Found {
            entry,
            number,
            position,
        })),
        _ => Err(PayloadError(
            "the hash index does not match the entry it points at".into(),
        )),
    }
}

/// The postcard encoding of `entry` (which may hold a signing secret) in a buffer of exactly
/// its size: encoding never grows it, so no un-wiped copy is left in freed memory.
fn encode_entry(entry: &KeyEntry) -> SecretBytes {
    let size = postcard::serialize_with_flavor(entry, postcard::ser_flavors::Size::default())
        .expect("entries serialize");
    let out = postcard::to_extend(entry, Vec::with_capacity(size)).expect("entries serialize");
    debug_assert_eq!(out.capacity(), size, "the entry buffer was reallocated");
    SecretBytes::new(out)
}

/// Decodes every entry (in creation order) and copies the two indexes, without copying the
/// entry bytes: what a reader that shows every key needs. Also returns the log anchor.
pub fn decode_all(bytes: &[u8]) -> Result<(Index, Vec<KeyEntry>, Option<Anchor>), PayloadError> {
    let view = View::parse(bytes)?;
    let entries = (0..view.count())
        .map(|n| decode_entry(view.entry_bytes(n)))
        .collect::<Result<Vec<_>, _>>()?;
    let index = Index::from_rows(
        SecretBytes::new(view.hash_index.to_vec()),
        SecretBytes::new(view.id_index.to_vec()),
    );
    Ok((index, entries, view.log_anchor))
}

/// An owned payload for a write: its regions as raw bytes, changed in place.
///
/// The buffers hold signing secrets and are zeroized on drop.
#[derive(Default)]
pub struct Raw {
    index: Index,
    offsets: SecretBytes,
    entries: SecretBytes,
    log_anchor: Option<Anchor>,
}

impl Raw {
    /// Where the event log ended after the record of the last change written with this payload.
    pub fn log_anchor(&self) -> Option<Anchor> {
        self.log_anchor
    }

    /// Records where the event log ends after this change's records.
    pub fn set_log_anchor(&mut self, anchor: Anchor) {
        self.log_anchor = Some(anchor);
    }

    /// Copies the regions of an encoded payload, after checking them. Each copy has room to
    /// grow, so the insertions of a write do not reallocate (and copy) it again.
    pub fn parse(bytes: &[u8]) -> Result<Self, PayloadError> {
        let view = View::parse(bytes)?;
        let copy = |region: &[u8]| {
            let mut owned = Vec::with_capacity(region.len() + region.len() / 16 + 4096);
            owned.extend_from_slice(region);
            SecretBytes::new(owned)
        };
        Ok(Raw {
            index: Index::from_rows(copy(view.hash_index), copy(view.id_index)),
            offsets: copy(view.offsets),
            entries: copy(view.entries),
            log_anchor: view.log_anchor,
        })
    }

    fn view(&self) -> View<'_> {
        View {
            hash_index: self.index.hash_rows(),
            id_index: self.index.id_rows(),
            offsets: &self.offsets,
            entries: &self.entries,
            log_anchor: self.log_anchor,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.offsets.len() / 4
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Decodes entry number `n`.
    pub fn entry(&self, n: usize) -> Result<KeyEntry, PayloadError> {
        decode_entry(self.view().entry_bytes(n))
    }

    /// The id and hash indexes.
    pub(crate) fn index(&self) -> &Index {
        &self.index
    }

    /// Appends a new entry and indexes its id and every version hash.
    pub fn push(&mut self, entry: &KeyEntry) {
        let n = self.len();
        let offset = u32::try_from(self.entries.len()).expect("payload is capped far below 4 GiB");
        self.offsets.reserve(4);
        self.offsets.extend_from_slice(&offset.to_le_bytes());
        let mut encoded = encode_entry(entry);
        self.entries.reserve(encoded.len());
        self.entries.extend_from_slice(&encoded);
        encoded.fill(0);
        self.index.add_entry(n, entry);
    }

    /// Replaces entry `n` with `entry`, which has the same id and the same versions followed by
    /// any new ones; the new versions' hashes are indexed.
    pub fn replace(&mut self, n: usize, entry: &KeyEntry) -> Result<(), PayloadError> {
        let old = self.entry(n)?;
        let keeps_history = old.id == entry.id
            && old.versions.len() <= entry.versions.len()
            && old
                .versions
                .iter()
                .zip(&entry.versions)
                .all(|(a, b)| a.hash == b.hash);
        if !keeps_history {
            return Err(PayloadError(format!(
                "a change to {} rewrote its id or version history",
                old.id
            )));
        }
        let view = self.view();
        let start = u32_at(view.offsets, n * 4) as usize;
        let end = start + view.entry_bytes(n).len();
        let encoded = encode_entry(entry);
        self.entries
            .reserve(encoded.len().saturating_sub(end - start));
        self.entries.splice(start..end, encoded.iter().copied());
        let delta = encoded.len() as i64 - (end - start) as i64;
        for later in n + 1..self.len() {
            let at = later * 4;
            let moved = (u32_at(&self.offsets, at) as i64 + delta) as u32;
            self.offsets[at..at + 4].copy_from_slice(&moved.to_le_bytes());
        }
        self.index.add_versions(n, entry, old.versions.len());
        Ok(())
    }

    /// The postcard encoding of the whole payload, ready to encrypt.
    pub fn encode(&self) -> SecretBytes {
        let encoded = Encoded {
            hash_index: self.index.hash_rows(),
            id_index: self.index.id_rows(),
            offsets: &self.offsets,
            entries: &self.entries,
            log_anchor: self.log_anchor,
        };
        // Room for the four length prefixes (at most 10 bytes each), the log anchor (at most
        // 43) and the AES-GCM tag appended when the buffer is sealed in place: the buffer is
        // never reallocated, so no copy of the plaintext is left behind un-wiped (and a 2 MB
        // payload does not grow into a 4 MB allocation).
        const SLACK: usize = 4 * 10 + 43 + crate::crypto::TAG_LEN;
        let mut out = Vec::with_capacity(
            self.index.hash_rows().len()
                + self.index.id_rows().len()
                + self.offsets.len()
                + self.entries.len()
                + SLACK,
        );
        let reserved = out.capacity();
        out = postcard::to_extend(&encoded, out).expect("payload serializes");
        debug_assert_eq!(
            out.capacity(),
            reserved,
            "the payload buffer was reallocated"
        );
        debug_assert!(out.capacity() - out.len() >= crate::crypto::TAG_LEN);
        SecretBytes::new(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{KeyHash, generate_api_key};
    use crate::model::{KeyId, KeyKind, KeyVersion};
    use chrono::{SubsecRound as _, Utc};

    fn entry(name: &str) -> (KeyEntry, KeyHash) {
        let value = generate_api_key("ak");
        let hash = KeyHash::of(value.expose());
        let now = Utc::now().trunc_subsecs(6);
        let entry = KeyEntry {
            id: KeyId::random(),
            kind: KeyKind::ApiKey,
            name: name.into(),
            service: "svc".into(),
            env: None,
            scopes: vec![],
            prefix: "ak".into(),
            versions: vec![KeyVersion {
                version: 1,
                hash,
                hint: "ak_…".into(),
                created_at: now,
                retired_at: None,
                grace_until: None,
                signing_secret: None,
            }],
            created_at: now,
            expires_at: None,
            expiry_days: None,
            revoked_at: None,
            revocation_reason: None,
            rate_limit: None,
            claims: Default::default(),
            imported: false,
        };
        (entry, hash)
    }

    #[test]
    fn push_replace_and_lookup_agree_after_a_round_trip() {
        let mut raw = Raw::default();
        let keys: Vec<(KeyEntry, KeyHash)> = (0..50).map(|i| entry(&format!("key {i}"))).collect();
        for (e, _) in &keys {
            raw.push(e);
        }
        // Grow entry 10 (a longer name and a second version) and shrink entry 20.
        let (mut grown, _) = keys[10].clone();
        grown.name = "a much longer name than before".repeat(4);
        let second = KeyHash::of("second value");
        grown.versions.push(KeyVersion {
            version: 2,
            hash: second,
            ..grown.versions[0].clone()
        });
        raw.replace(10, &grown).unwrap();
        let (mut shrunk, _) = keys[20].clone();
        shrunk.name = "s".into();
        raw.replace(20, &shrunk).unwrap();

        let bytes = raw.encode();
        let reread = Raw::parse(&bytes).unwrap();
        assert_eq!(reread.len(), 50);
        for (n, (e, hash)) in keys.iter().enumerate() {
            let found = lookup(&bytes, hash).unwrap().unwrap();
            assert_eq!(found.entry.id, e.id);
            assert_eq!((found.number, found.position), (n, 0));
            assert_eq!(reread.index().find_id(&e.id), Some(n));
            assert_eq!(reread.index().find_hash(hash), Some((n, 0)));
        }
        assert_eq!(reread.entry(10).unwrap(), grown);
        assert_eq!(reread.entry(20).unwrap(), shrunk);
        assert_eq!(reread.entry(21).unwrap(), keys[21].0);
        assert_eq!(lookup(&bytes, &second).unwrap().unwrap().position, 1);
        assert!(lookup(&bytes, &KeyHash::of("unknown")).unwrap().is_none());
    }

    #[test]
    fn replace_refuses_to_rewrite_history() {
        let mut raw = Raw::default();
        let (e, _) = entry("one");
        raw.push(&e);
        let mut forged = e.clone();
        forged.versions[0].hash = KeyHash::of("other");
        assert!(raw.replace(0, &forged).is_err());
        let mut renamed = e;
        renamed.id = KeyId::random();
        assert!(raw.replace(0, &renamed).is_err());
    }

    #[test]
    fn prefix_search_finds_every_match_and_only_those() {
        let mut raw = Raw::default();
        let entries: Vec<KeyEntry> = (0..300).map(|i| entry(&i.to_string()).0).collect();
        for e in &entries {
            raw.push(e);
        }
        for prefix in ["k_0", "k_a", "k_f3", "k_"] {
            let mut expected: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.id.as_str().starts_with(prefix))
                .map(|(n, _)| n)
                .collect();
            let mut found: Vec<usize> = raw.index().ids_with_prefix(prefix).collect();
            expected.sort_unstable();
            found.sort_unstable();
            assert_eq!(found, expected, "{prefix}");
        }
    }

    #[test]
    fn inconsistent_indexes_are_refused() {
        let mut raw = Raw::default();
        raw.push(&entry("one").0);
        let good = raw.encode();
        assert!(Raw::parse(&good).is_ok());
        let parsed = Raw::parse(&good).unwrap();
        let hash = parsed.index.hash_rows().to_vec();
        let id = parsed.index.id_rows().to_vec();
        let with_rows = |hash: Vec<u8>, id: Vec<u8>| Raw {
            index: Index::from_rows(SecretBytes::new(hash), SecretBytes::new(id)),
            ..Raw::parse(&good).unwrap()
        };
        let mut pointing_out = hash.clone();
        pointing_out[32] = 9;
        for broken in [
            Raw {
                offsets: SecretBytes::new(vec![5, 0, 0, 0]),
                ..Raw::parse(&good).unwrap()
            },
            with_rows(hash.clone(), vec![]),
            with_rows(vec![0; 39], id.clone()),
            with_rows(pointing_out, id),
        ] {
            assert!(Raw::parse(&broken.encode()).is_err());
        }
        assert!(Raw::parse(&good[..good.len() - 1]).is_err());
    }
}
