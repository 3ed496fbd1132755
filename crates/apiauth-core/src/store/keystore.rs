//! The keystore in memory, in two shapes over the same raw payload:
//!
//! - [`Keystore`], for reading: every entry decoded, found by id, id prefix or value hash;
//! - [`Transaction`], for a write under the lock: lookups through the payload's indexes, and
//!   changes that touch only the entries they concern, so a write costs O(size) in copying
//!   bytes rather than in decoding and re-encoding every key.

use crate::crypto::KeyHash;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::model::{KeyEntry, KeyId, normalize_id_prefix};

use super::payload::{PayloadError, Raw};

/// How many candidates an ambiguous-prefix error lists.
const MAX_CANDIDATES: usize = 10;

/// Resolves a full id or an unambiguous prefix of one to an entry number, describing the
/// candidates when several match.
fn resolve(raw: &Raw, given: &str, describe: impl Fn(usize) -> String) -> Result<usize> {
    let Some(prefix) = normalize_id_prefix(given) else {
        return Err(Error::KeyNotFound {
            id: crate::sanitize::excerpt(given.trim()).into_owned(),
        });
    };
    if let Some(exact) = KeyId::parse(&prefix).and_then(|id| raw.find_id(&id)) {
        return Ok(exact);
    }
    let mut matches = raw.ids_with_prefix(&prefix);
    match (matches.next(), matches.next()) {
        (None, _) => Err(Error::KeyNotFound { id: prefix }),
        (Some(only), None) => Ok(only),
        (Some(first), Some(second)) => {
            let candidates: Vec<String> = [first, second]
                .into_iter()
                .chain(matches.by_ref().take(MAX_CANDIDATES - 2))
                .map(describe)
                .collect();
            Err(Error::AmbiguousId {
                prefix,
                count: candidates.len() + matches.count(),
                candidates,
            })
        }
    }
}

fn describe(entry: &KeyEntry) -> String {
    format!("{} ({} / {})", entry.id, entry.name, entry.service)
}

/// Every entry of one keystore generation, decoded.
#[derive(Default)]
pub struct Keystore {
    generation: u64,
    /// The id and hash indexes (the entry bytes are not kept: they are decoded below).
    raw: Raw,
    entries: Vec<KeyEntry>,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keystore")
            .field("generation", &self.generation)
            .field("keys", &self.entries.len())
            .finish()
    }
}

impl Keystore {
    /// Decodes every entry of a decrypted payload.
    pub(crate) fn decode(generation: u64, plaintext: &[u8]) -> Result<Self, PayloadError> {
        let (indexes, entries) = super::payload::decode_all(plaintext)?;
        Ok(Keystore {
            generation,
            raw: indexes,
            entries,
        })
    }

    /// The write counter of the file this was read from (0 when there is no file yet).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Where the event log ended after the record of the last change.
    pub fn log_anchor(&self) -> Option<crate::events::Anchor> {
        self.raw.log_anchor()
    }

    /// Every entry, in creation order.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// Takes the entries out.
    pub fn into_entries(self) -> Vec<KeyEntry> {
        self.entries
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this exact id.
    pub fn get(&self, id: &KeyId) -> Option<&KeyEntry> {
        self.raw.find_id(id).map(|n| &self.entries[n])
    }

    /// Resolves a full id or an unambiguous prefix of one to the entry's position.
    pub fn resolve(&self, given: &str) -> Result<usize> {
        resolve(&self.raw, given, |n| describe(&self.entries[n]))
    }

    /// The entry at a position returned by [`resolve`](Self::resolve).
    pub fn entry(&self, index: usize) -> &KeyEntry {
        &self.entries[index]
    }

    /// The entry and version position holding a value with this hash.
    pub fn find_hash(&self, hash: &KeyHash) -> Option<(&KeyEntry, usize)> {
        self.raw
            .find_hash(hash)
            .map(|(n, position)| (&self.entries[n], position))
    }
}

/// The keystore during a write: read through indexes, changed entry by entry, with the events
/// that describe the change.
pub struct Transaction {
    generation: u64,
    raw: Raw,
    changed: bool,
    events: Vec<Event>,
}

impl Transaction {
    pub(crate) fn new(generation: u64, raw: Raw) -> Self {
        Transaction {
            generation,
            raw,
            changed: false,
            events: Vec::new(),
        }
    }

    pub(crate) fn into_parts(self) -> (Raw, Vec<Event>) {
        (self.raw, self.events)
    }

    /// Adds an event describing this change; it is written to the event log before the
    /// keystore, and the change is not applied if it cannot be.
    pub fn record(&mut self, event: Event) {
        self.events.push(event);
    }

    /// The generation being changed (0 for a store not yet written).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Whether [`insert`](Self::insert) or [`replace`](Self::replace) was called; a write with
    /// no change is skipped.
    pub fn is_changed(&self) -> bool {
        self.changed
    }

    fn payload_error(e: PayloadError) -> Error {
        Error::Concurrent(format!("the keystore's contents are inconsistent: {e}"))
    }

    /// Decodes entry number `n`.
    pub fn entry(&self, n: usize) -> Result<KeyEntry> {
        self.raw.entry(n).map_err(Self::payload_error)
    }

    /// Resolves a full id or an unambiguous prefix of one to an entry number.
    pub fn resolve(&self, given: &str) -> Result<usize> {
        resolve(&self.raw, given, |n| {
            self.raw
                .entry(n)
                .map(|e| describe(&e))
                .unwrap_or_else(|_| format!("entry {n}"))
        })
    }

    /// The entry number and version position holding a value with this hash.
    pub fn find_hash(&self, hash: &KeyHash) -> Option<(usize, usize)> {
        self.raw.find_hash(hash)
    }

    /// Whether an id is taken.
    pub fn contains_id(&self, id: &KeyId) -> bool {
        self.raw.find_id(id).is_some()
    }

    /// Adds a new entry; its id and value hashes must be new (checked by `ops`).
    pub fn insert(&mut self, entry: &KeyEntry) {
        debug_assert!(!self.contains_id(&entry.id));
        self.changed = true;
        self.raw.push(entry);
    }

    /// Replaces entry `n` by a changed copy with the same id and history plus any new versions.
    pub fn replace(&mut self, n: usize, entry: &KeyEntry) -> Result<()> {
        self.raw.replace(n, entry).map_err(Self::payload_error)?;
        self.changed = true;
        Ok(())
    }
}
