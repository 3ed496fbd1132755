//! The two indexes that find one entry without decoding the others: by the hash of any of its
//! values, and by its id (or a prefix of it). Each is a byte string of fixed-size rows kept
//! sorted, so a lookup is a binary search, straight out of a decrypted buffer when need be:
//!
//! - hash rows, 40 bytes per key version: the SHA-256 of the value (32 bytes), the entry number
//!   (u32 LE) and the version's position in that entry's history (u32 LE);
//! - id rows, 16 bytes per entry: the 12 hex digits of the id and the entry number (u32 LE).
//!
//! Entry numbers count entries in creation order; an entry keeps its number for good.

use crate::crypto::{KeyHash, SecretBytes};
use crate::model::{KeyEntry, KeyId};

/// Width of a hash row.
pub(crate) const HASH_ROW: usize = 40;
/// Width of an id row.
pub(crate) const ID_ROW: usize = 16;
/// The key of an id row: the id's 12 hex digits.
pub(crate) const ID_KEY: usize = KeyId::HEX_LEN;

/// The little-endian u32 at `at`.
pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// The first row of `rows` (fixed `width`, sorted by their leading bytes) whose leading
/// `key.len()` bytes are not less than `key`.
fn lower_bound(rows: &[u8], width: usize, key: &[u8]) -> usize {
    let (mut lo, mut hi) = (0usize, rows.len() / width);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if &rows[mid * width..mid * width + key.len()] < key {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The row whose leading bytes equal `key` (keys are unique), or where it would be inserted.
fn search(rows: &[u8], width: usize, key: &[u8]) -> Result<usize, usize> {
    let at = lower_bound(rows, width, key);
    match rows.get(at * width..at * width + key.len()) {
        Some(found) if found == key => Ok(at),
        _ => Err(at),
    }
}

/// The 12 hex digits that key an id row.
fn id_key(id: &KeyId) -> [u8; ID_KEY] {
    id.as_str().as_bytes()[2..]
        .try_into()
        .expect("ids are k_ and 12 hex digits")
}

/// The entry number and version position that `hash_rows` give for `hash`.
pub(crate) fn find_hash(hash_rows: &[u8], hash: &KeyHash) -> Option<(usize, usize)> {
    let row = search(hash_rows, HASH_ROW, hash.as_bytes()).ok()?;
    let row = &hash_rows[row * HASH_ROW..(row + 1) * HASH_ROW];
    Some((u32_at(row, 32) as usize, u32_at(row, 36) as usize))
}

/// Both indexes of a keystore, owned. The rows hold hashes of secrets, and are wiped on drop.
#[derive(Default)]
pub(crate) struct Index {
    hash_rows: SecretBytes,
    id_rows: SecretBytes,
}

impl Index {
    /// An index over rows already checked with [`check`].
    pub(crate) fn from_rows(hash_rows: SecretBytes, id_rows: SecretBytes) -> Index {
        Index { hash_rows, id_rows }
    }

    /// The hash rows.
    pub(crate) fn hash_rows(&self) -> &[u8] {
        &self.hash_rows
    }

    /// The id rows.
    pub(crate) fn id_rows(&self) -> &[u8] {
        &self.id_rows
    }

    /// The entry number and version position holding `hash`.
    pub(crate) fn find_hash(&self, hash: &KeyHash) -> Option<(usize, usize)> {
        find_hash(&self.hash_rows, hash)
    }

    /// The entry number of an exact id.
    pub(crate) fn find_id(&self, id: &KeyId) -> Option<usize> {
        let row = search(&self.id_rows, ID_ROW, &id_key(id)).ok()?;
        Some(u32_at(&self.id_rows, row * ID_ROW + ID_KEY) as usize)
    }

    /// Entry numbers whose id starts with `prefix` (a normalized `k_…` prefix), in id order.
    pub(crate) fn ids_with_prefix(&self, prefix: &str) -> impl Iterator<Item = usize> + '_ {
        let hex = prefix.as_bytes().get(2..).unwrap_or_default().to_vec();
        let start = lower_bound(&self.id_rows, ID_ROW, &hex);
        self.id_rows[start * ID_ROW..]
            .chunks_exact(ID_ROW)
            .take_while(move |row| row.starts_with(&hex))
            .map(|row| u32_at(row, ID_KEY) as usize)
    }

    /// Inserts `row` into sorted `rows`, keyed by its first `key_len` bytes.
    fn insert_row(rows: &mut SecretBytes, key_len: usize, row: &[u8]) {
        let at = lower_bound(rows, row.len(), &row[..key_len]) * row.len();
        rows.reserve(row.len());
        rows.splice(at..at, row.iter().copied());
    }

    /// Indexes entry number `n`: its id and every version's hash.
    pub(crate) fn add_entry(&mut self, n: usize, entry: &KeyEntry) {
        let mut row = [0u8; ID_ROW];
        row[..ID_KEY].copy_from_slice(&id_key(&entry.id));
        row[ID_KEY..].copy_from_slice(&(n as u32).to_le_bytes());
        Self::insert_row(&mut self.id_rows, ID_KEY, &row);
        self.add_versions(n, entry, 0);
    }

    /// Indexes the hashes of entry `n`'s versions from position `from` on.
    pub(crate) fn add_versions(&mut self, n: usize, entry: &KeyEntry, from: usize) {
        for (position, version) in entry.versions.iter().enumerate().skip(from) {
            let mut row = [0u8; HASH_ROW];
            row[..32].copy_from_slice(version.hash.as_bytes());
            row[32..36].copy_from_slice(&(n as u32).to_le_bytes());
            row[36..].copy_from_slice(&(position as u32).to_le_bytes());
            Self::insert_row(&mut self.hash_rows, 32, &row);
        }
    }
}
