//! Where the keystore and its event log are kept, behind one [`Backend`] trait: today a key
//! directory ([`KeyDir`], the file backend), and a shared database next (DESIGN.md §12).
//!
//! A backend keeps two things that must never disagree: the keystore (every entry, sealed
//! under the master key, with a generation counted up by every write) and its event log (an
//! append-only, chained record of every action). A change and its records commit together or
//! not at all ([`Backend::apply`]); a read is answered from the newest state, and refused when
//! the keystore and the log are out of step (an older copy of either put back). Nothing in the
//! trait speaks of files: a key directory and a database are two ways of keeping the same
//! state, and the actions in `ops` reach either only through a [`Store`].
//!
//! - [`Keystore`]: a snapshot to read, every entry decoded, found by id, prefix or value hash.
//! - [`Transaction`]: the newest state during a write, under the writers' lock.
//! - [`Log`]: the event log's reads and the appends of reads (verify, audit, export).

pub(crate) mod file;
mod index;
mod keystore;
mod transaction;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use file::{BACKUP_FILE, KEYSTORE_FILE, KeyDir, LOCK_FILE, MASTER_KEY_FILE};
pub use file::{format, payload};
pub use keystore::Keystore;
pub use transaction::Transaction;

use crate::crypto::{KeyHash, MasterKey};
use crate::error::{Result, Rollback};
use crate::events::{Anchor, CheckReport, Event, Record, Use};
use crate::model::KeyEntry;

/// An entry found by the hash of one of its values.
#[derive(Debug, Clone)]
pub struct Found {
    /// The entry.
    pub entry: KeyEntry,
    /// Its entry number (position in creation order; never changes).
    pub number: usize,
    /// The position of the matching version in its history.
    pub position: usize,
}

/// What [`Backend::accept_rollback`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// How the keystore and the event log disagreed.
    pub rollback: Rollback,
    /// The generation the keystore was written as, above any the log had seen.
    pub generation: u64,
    /// The sequence number of the record of the acceptance.
    pub record: u64,
}

/// A way of keeping the keystore and its event log.
///
/// Every method answers from the newest state: a backend shared by several processes (or
/// hosts) takes what the others committed into account. A read refuses a keystore out of step
/// with its log ([`Error::Rollback`](crate::Error::Rollback)), except where the method says it
/// reports it instead.
pub trait Backend: fmt::Debug + Send + Sync {
    /// Names the keystore in messages: a key directory's path, a database URL without its
    /// password.
    fn describe(&self) -> String;

    /// Names the event log in messages.
    fn describe_log(&self) -> String;

    /// Refuses a keystore that cannot be trusted, before anything in it is read: a key
    /// directory others can write, another program's store.
    fn check(&self) -> Result<()>;

    /// Reads every entry of the newest generation. A store not yet written is empty.
    fn load(&self) -> Result<Keystore>;

    /// Like [`load`](Backend::load), but an event log whose head cannot be used does not make
    /// the keystore refused: `log --check` reads the log to say what is wrong with it.
    fn load_for_log_check(&self) -> Result<Keystore>;

    /// The entry holding a value with this hash, decoding no other: the verify path.
    fn lookup(&self, hash: &KeyHash) -> Result<Option<Found>>;

    /// The generation of the newest state (0 when nothing was written yet): cheap enough to
    /// poll for changes made by other processes.
    fn generation(&self) -> Result<u64>;

    /// Runs `change` against the newest state under the writers' lock and commits what it
    /// changed, with the records it made, as the next generation: both or neither. Nothing is
    /// committed when `change` fails or changes nothing. `change` may run more than once (when
    /// the state moved under it); only its last run counts, so it must depend on nothing but
    /// the transaction it is given.
    fn apply(&self, change: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>) -> Result<()>;

    /// The event log; `None` while there is none to open (nothing was written yet).
    fn log(&self) -> Result<Option<&dyn Log>>;

    /// A mark that changes whenever a record is appended, read without opening the log: lets a
    /// long-running face notice verifies made elsewhere.
    fn log_mark(&self) -> u64;

    /// The generation of the keystore and how it disagrees with the event log (`None` when
    /// they agree): what `recover` reports before it changes anything.
    fn rollback_state(&self) -> Result<(u64, Option<Rollback>)>;

    /// Accepts the keystore and the event log as they are when they disagree (DESIGN.md §1):
    /// the one explicit way on past an older keystore or event log. `record` words the
    /// acceptance (given what is accepted and the generation the keystore is then written as)
    /// for the log. `None` when there was nothing to accept.
    fn accept_rollback(
        &self,
        record: &mut dyn FnMut(&Rollback, u64) -> Event,
    ) -> Result<Option<Accepted>>;
}

/// The event log of a backend: appends of reads, and what the faces read back. The records of
/// changes are appended by [`Backend::apply`], with their change.
pub trait Log {
    /// Appends the records of a read (audit, export). Not synced: a power failure may lose the
    /// last of them, which `log --check` then reports.
    fn append(&self, events: &[Event]) -> Result<()>;

    /// Appends verify's record and notes the use of the key it found; returns the use before
    /// this one.
    fn append_use(&self, event: &Event, used: Use<'_>) -> Result<Option<DateTime<Utc>>>;

    /// When a verify last presented each of `entries` (in entry order).
    fn last_used(&self, entries: &[KeyEntry]) -> Result<Vec<Option<DateTime<Utc>>>>;

    /// The last records, newest first: at most `limit` for which `keep` holds, stopping at
    /// the first record older than `since`. Each is checked against the one before it.
    fn recent(
        &self,
        limit: usize,
        since: Option<DateTime<Utc>>,
        keep: &dyn Fn(&Event) -> bool,
    ) -> Result<Vec<Record>>;

    /// Reads and checks every record from the first, giving each to `visit`, stopping at the
    /// first problem; the log must also reach `anchor` (the keystore's last change) when given.
    fn scan(&self, anchor: Option<Anchor>, visit: &mut dyn FnMut(Record)) -> Result<CheckReport>;

    /// Every record, checked; damage is an error naming the first bad line.
    fn read_all(&self) -> Result<Vec<Record>>;

    /// Where the log ends: its last record's sequence number and MAC; `None` before the first.
    fn position(&self) -> Result<Option<Anchor>>;
}

/// The keystore the actions work on: a [`Backend`], shared by every clone.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// The same backend, when it is a key directory: for a face that watches its files.
    key_dir: Option<Arc<KeyDir>>,
}

impl From<KeyDir> for Store {
    fn from(dir: KeyDir) -> Store {
        let dir = Arc::new(dir);
        Store {
            backend: dir.clone(),
            key_dir: Some(dir),
        }
    }
}

impl Store {
    /// A store kept by `backend`.
    pub fn new(backend: impl Backend + 'static) -> Store {
        Store {
            backend: Arc::new(backend),
            key_dir: None,
        }
    }

    /// The store in the key directory `dir`, unlocked by `env_key` when given (from
    /// `APIAUTH_MASTER_KEY`) and by `dir/master.key` otherwise. Does no I/O.
    pub fn in_dir(dir: impl Into<PathBuf>, env_key: Option<MasterKey>) -> Store {
        Store::from(KeyDir::new(dir, env_key))
    }

    /// The key directory, when the store is one.
    pub fn key_dir(&self) -> Option<&KeyDir> {
        self.key_dir.as_deref()
    }

    /// See [`Backend::describe`].
    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    /// See [`Backend::describe_log`].
    pub fn describe_log(&self) -> String {
        self.backend.describe_log()
    }

    /// See [`Backend::check`].
    pub fn check(&self) -> Result<()> {
        self.backend.check()
    }

    /// See [`Backend::load`].
    pub fn load(&self) -> Result<Keystore> {
        self.backend.load()
    }

    /// See [`Backend::load_for_log_check`].
    pub fn load_for_log_check(&self) -> Result<Keystore> {
        self.backend.load_for_log_check()
    }

    /// See [`Backend::lookup`].
    pub fn lookup(&self, hash: &KeyHash) -> Result<Option<Found>> {
        self.backend.lookup(hash)
    }

    /// See [`Backend::generation`].
    pub fn generation(&self) -> Result<u64> {
        self.backend.generation()
    }

    /// Applies `change` to the newest keystore under the writers' lock and commits it with
    /// its records (see [`Backend::apply`]); returns what the run that counted returned.
    pub fn update<R>(
        &self,
        mut change: impl FnMut(&mut dyn Transaction) -> Result<R>,
    ) -> Result<R> {
        let mut result = None;
        self.backend.apply(&mut |transaction| {
            result = Some(change(transaction)?);
            Ok(())
        })?;
        Ok(result.expect("apply runs the change before it succeeds"))
    }

    /// See [`Backend::log`].
    pub fn log(&self) -> Result<Option<&dyn Log>> {
        self.backend.log()
    }

    /// See [`Backend::log_mark`].
    pub fn log_mark(&self) -> u64 {
        self.backend.log_mark()
    }

    /// See [`Backend::rollback_state`].
    pub fn rollback_state(&self) -> Result<(u64, Option<Rollback>)> {
        self.backend.rollback_state()
    }

    /// See [`Backend::accept_rollback`].
    pub fn accept_rollback(
        &self,
        mut record: impl FnMut(&Rollback, u64) -> Event,
    ) -> Result<Option<Accepted>> {
        self.backend.accept_rollback(&mut record)
    }
}
