//! A write to a key directory's keystore: the decrypted payload as raw regions, read through
//! its indexes and changed entry by entry, so that a write costs O(size) in copying bytes
//! rather than in decoding and re-encoding every key.

use crate::crypto::KeyHash;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::model::{KeyEntry, KeyId};
use crate::store::Transaction;
use crate::store::keystore::{describe, resolve};

use super::payload::{PayloadError, Raw};

/// The keystore of a key directory during a write, with the events that describe the change.
pub(super) struct FileTransaction {
    generation: u64,
    raw: Raw,
    changed: bool,
    events: Vec<Event>,
}

impl FileTransaction {
    pub(super) fn new(generation: u64, raw: Raw) -> Self {
        FileTransaction {
            generation,
            raw,
            changed: false,
            events: Vec::new(),
        }
    }

    /// Whether an entry was inserted or replaced; a write with no change is skipped.
    pub(super) fn is_changed(&self) -> bool {
        self.changed
    }

    pub(super) fn into_parts(self) -> (Raw, Vec<Event>) {
        (self.raw, self.events)
    }

    fn payload_error(e: PayloadError) -> Error {
        Error::Concurrent(format!("the keystore's contents are inconsistent: {e}"))
    }
}

impl Transaction for FileTransaction {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn entry(&self, n: usize) -> Result<KeyEntry> {
        self.raw.entry(n).map_err(Self::payload_error)
    }

    fn resolve(&self, given: &str) -> Result<usize> {
        resolve(self.raw.index(), given, |n| {
            self.raw
                .entry(n)
                .map(|e| describe(&e))
                .unwrap_or_else(|_| format!("entry {n}"))
        })
    }

    fn find_hash(&self, hash: &KeyHash) -> Result<Option<(usize, usize)>> {
        Ok(self.raw.index().find_hash(hash))
    }

    fn contains_id(&self, id: &KeyId) -> Result<bool> {
        Ok(self.raw.index().find_id(id).is_some())
    }

    fn insert(&mut self, entry: &KeyEntry) {
        debug_assert!(self.raw.index().find_id(&entry.id).is_none());
        self.changed = true;
        self.raw.push(entry);
    }

    fn replace(&mut self, n: usize, entry: &KeyEntry) -> Result<()> {
        self.raw.replace(n, entry).map_err(Self::payload_error)?;
        self.changed = true;
        Ok(())
    }

    fn record(&mut self, event: Event) {
        self.events.push(event);
    }
}
