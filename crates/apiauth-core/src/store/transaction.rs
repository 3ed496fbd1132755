//! A change being made to the keystore, as the actions see it: lookups in the newest state
//! under the writers' lock, changes entry by entry, and the records that describe them.

use crate::crypto::KeyHash;
use crate::error::Result;
use crate::events::Event;
use crate::model::{KeyEntry, KeyId};

/// The newest keystore during a write, under the writers' lock (see [`Backend::apply`]).
///
/// Entries are numbered in creation order, and a number stays an entry's for good. Inserts and
/// replacements are kept until the backend commits them together with the records given to
/// [`record`](Transaction::record), or drops them all.
///
/// [`Backend::apply`]: super::Backend::apply
pub trait Transaction {
    /// The generation being changed (0 for a store not yet written).
    fn generation(&self) -> u64;

    /// Decodes entry number `n`.
    fn entry(&self, n: usize) -> Result<KeyEntry>;

    /// Resolves a full id or an unambiguous prefix of one to an entry number.
    fn resolve(&self, given: &str) -> Result<usize>;

    /// The entry number and version position holding a value with this hash.
    fn find_hash(&self, hash: &KeyHash) -> Result<Option<(usize, usize)>>;

    /// Whether an id is taken.
    fn contains_id(&self, id: &KeyId) -> Result<bool>;

    /// Adds a new entry; its id and value hashes must be new (the actions check).
    fn insert(&mut self, entry: &KeyEntry);

    /// Replaces entry `n` by a changed copy with the same id and history plus any new versions.
    fn replace(&mut self, n: usize, entry: &KeyEntry) -> Result<()>;

    /// Adds an event describing this change; it is committed with the change, and the change
    /// is not applied if it cannot be.
    fn record(&mut self, event: Event);
}
