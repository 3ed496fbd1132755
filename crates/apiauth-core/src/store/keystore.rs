//! A snapshot of the keystore for reading: every entry of one generation, decoded, found by
//! id, id prefix or value hash through the indexes.

use crate::crypto::KeyHash;
use crate::error::{Error, Result};
use crate::events::Anchor;
use crate::model::{KeyEntry, KeyId, normalize_id_prefix};

use super::index::Index;

/// How many candidates an ambiguous-prefix error lists.
const MAX_CANDIDATES: usize = 10;

/// Resolves a full id or an unambiguous prefix of one to an entry number, describing the
/// candidates when several match.
pub(crate) fn resolve(
    index: &Index,
    given: &str,
    describe: impl Fn(usize) -> String,
) -> Result<usize> {
    let Some(prefix) = normalize_id_prefix(given) else {
        return Err(Error::KeyNotFound {
            id: crate::sanitize::excerpt(given.trim()).into_owned(),
        });
    };
    if let Some(exact) = KeyId::parse(&prefix).and_then(|id| index.find_id(&id)) {
        return Ok(exact);
    }
    let mut matches = index.ids_with_prefix(&prefix);
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

/// How an entry is listed among the candidates of an ambiguous prefix.
pub(crate) fn describe(entry: &KeyEntry) -> String {
    format!("{} ({} / {})", entry.id, entry.name, entry.service)
}

/// Every entry of one keystore generation, decoded.
#[derive(Default)]
pub struct Keystore {
    generation: u64,
    index: Index,
    entries: Vec<KeyEntry>,
    log_anchor: Option<Anchor>,
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
    /// A snapshot of `entries` (in creation order) with their `index`, written as `generation`
    /// with its last change recorded at `log_anchor`.
    pub(crate) fn new(
        generation: u64,
        index: Index,
        entries: Vec<KeyEntry>,
        log_anchor: Option<Anchor>,
    ) -> Self {
        Keystore {
            generation,
            index,
            entries,
            log_anchor,
        }
    }

    /// The write counter of the state this was read from (0 when nothing was written yet).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Where the event log ended after the record of the last change.
    pub fn log_anchor(&self) -> Option<Anchor> {
        self.log_anchor
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
        self.index.find_id(id).map(|n| &self.entries[n])
    }

    /// Resolves a full id or an unambiguous prefix of one to the entry's position.
    pub fn resolve(&self, given: &str) -> Result<usize> {
        resolve(&self.index, given, |n| describe(&self.entries[n]))
    }

    /// The entry at a position returned by [`resolve`](Self::resolve).
    pub fn entry(&self, index: usize) -> &KeyEntry {
        &self.entries[index]
    }

    /// The entry and version position holding a value with this hash.
    pub fn find_hash(&self, hash: &KeyHash) -> Option<(&KeyEntry, usize)> {
        self.index
            .find_hash(hash)
            .map(|(n, position)| (&self.entries[n], position))
    }
}
