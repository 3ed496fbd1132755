//! The decrypted keystore in memory: the entries and the maps that find them by id, id prefix
//! and value hash.

use std::collections::{BTreeMap, HashMap};

use crate::crypto::KeyHash;
use crate::error::{Error, Result};
use crate::model::{KeyEntry, KeyId, normalize_id_prefix};

/// How many candidates an ambiguous-prefix error lists.
const MAX_CANDIDATES: usize = 10;

/// All entries of one keystore generation.
#[derive(Debug, Default, Clone)]
pub struct Keystore {
    generation: u64,
    entries: Vec<KeyEntry>,
    by_id: BTreeMap<KeyId, usize>,
    by_hash: HashMap<KeyHash, (usize, usize)>,
    changed: bool,
}

impl Keystore {
    /// Builds the maps over decoded entries.
    pub fn new(generation: u64, entries: Vec<KeyEntry>) -> Self {
        let mut store = Keystore {
            generation,
            entries: Vec::with_capacity(entries.len()),
            by_id: BTreeMap::new(),
            by_hash: HashMap::with_capacity(entries.len()),
            changed: false,
        };
        for entry in entries {
            store.push(entry);
        }
        store
    }

    fn push(&mut self, entry: KeyEntry) -> usize {
        let index = self.entries.len();
        self.by_id.insert(entry.id.clone(), index);
        for (position, version) in entry.versions.iter().enumerate() {
            self.by_hash.insert(version.hash, (index, position));
        }
        self.entries.push(entry);
        index
    }

    /// The write counter of the file this was read from (0 when there is no file yet).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Every entry, in creation order.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// Whether [`insert`](Self::insert) or [`modify`](Self::modify) was called since loading;
    /// a write with no change is skipped.
    pub fn is_changed(&self) -> bool {
        self.changed
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
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// Resolves a full id or an unambiguous prefix of one to the entry's position.
    pub fn resolve(&self, given: &str) -> Result<usize> {
        let Some(prefix) = normalize_id_prefix(given) else {
            return Err(Error::KeyNotFound {
                id: crate::sanitize::display(given.trim()).into_owned(),
            });
        };
        let mut matches = self
            .by_id
            .range(KeyId::range_start(&prefix)..)
            .take_while(|(id, _)| id.as_str().starts_with(&prefix));
        let Some((_, &first)) = matches.next() else {
            return Err(Error::KeyNotFound { id: prefix });
        };
        let rest: Vec<usize> = matches.map(|(_, &i)| i).collect();
        if rest.is_empty() || self.entries[first].id.as_str() == prefix {
            return Ok(first);
        }
        let candidates = std::iter::once(first)
            .chain(rest)
            .take(MAX_CANDIDATES)
            .map(|i| {
                let e = &self.entries[i];
                format!("{} ({} / {})", e.id, e.name, e.service)
            })
            .collect();
        Err(Error::AmbiguousId { prefix, candidates })
    }

    /// The entry at a position returned by [`resolve`](Self::resolve).
    pub fn entry(&self, index: usize) -> &KeyEntry {
        &self.entries[index]
    }

    /// The entry and version position holding a value with this hash.
    pub fn find_hash(&self, hash: &KeyHash) -> Option<(&KeyEntry, usize)> {
        self.by_hash
            .get(hash)
            .map(|&(i, position)| (&self.entries[i], position))
    }

    /// Whether an id is taken.
    pub fn contains_id(&self, id: &KeyId) -> bool {
        self.by_id.contains_key(id)
    }

    /// Adds a new entry. Its id and hashes must be new (checked by `ops`).
    pub fn insert(&mut self, entry: KeyEntry) -> usize {
        debug_assert!(!self.by_id.contains_key(&entry.id));
        self.changed = true;
        self.push(entry)
    }

    /// Changes an entry in place and indexes any version hash the change added.
    pub fn modify<R>(&mut self, index: usize, change: impl FnOnce(&mut KeyEntry) -> R) -> R {
        self.changed = true;
        let result = change(&mut self.entries[index]);
        for (position, version) in self.entries[index].versions.iter().enumerate() {
            self.by_hash.insert(version.hash, (index, position));
        }
        result
    }
}
