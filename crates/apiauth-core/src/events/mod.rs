//! The event log: an append-only, encrypted, HMAC-chained record of every action
//! (DESIGN.md §6).
//!
//! Files in the key directory:
//!
//! - `events.log`: one record per line (see [`record`]), each encrypted and chained to the one
//!   before it;
//! - `events.head`: the sequence number and MAC of the last record and the newest keystore
//!   generation written with the log (see `head.rs`), with an HMAC under a key derived from the
//!   master key, so that cutting records off the end, and an older keystore put back, are
//!   detected too;
//! - `events.lock`: the appenders' lock, so records from many processes form one chain;
//! - `events.pending`: notes of failed unlocks, written by a process that could not derive the
//!   log's keys; the next process that appends folds them into the chain, marked as
//!   unauthenticated;
//! - `events.lastused`: the derived last-used time of every key ([`last_used`]), rebuilt from
//!   the log when it is missing.
//!
//! An append (`append.rs`) reads only the head (`head.rs`) and the last line, then writes the
//! new lines and the head, so its cost does not depend on the length of the log. Reads go
//! backwards from the end for the last records (`recent.rs`), or forwards through the whole
//! chain to check it (`scan.rs`).

mod append;
mod head;
pub mod last_used;
mod pending;
mod recent;
pub mod record;
mod scan;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::crypto::MasterKey;
use crate::error::{Error, Lock, Result};
use crate::fs::lock;
pub(crate) use append::not_applied_range;
pub use last_used::Use;
pub use record::{Event, EventKeys, EventKind, Mac32};

/// File name of the log.
pub const LOG_FILE: &str = "events.log";
/// File name of the authenticated head.
pub const HEAD_FILE: &str = "events.head";
/// File name of the appenders' lock.
pub const LOCK_FILE: &str = "events.lock";
pub use pending::note_failed_unlock;

pub(crate) use head::{HeadFile, HeadState};

/// Whether an append waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync the log and the head before returning: for records of changes, which are written
    /// before the change is applied.
    Sync,
    /// Leave the data to the page cache: for verify, whose per-request cost matters. A killed
    /// process loses nothing; only a power failure can lose the last records, and `log --check`
    /// then reports the gap.
    Buffered,
}

/// The position a new record chains from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// Sequence number of the last record (0 before the first).
    pub(crate) seq: u64,
    /// Its chain MAC.
    pub(crate) mac: Mac32,
}

/// The position before the first record.
const GENESIS: Head = Head {
    seq: 0,
    mac: [0; 32],
};

/// A position in the log: a record's sequence number and MAC. The keystore keeps the position
/// of its last change's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    /// Sequence number of the record.
    pub seq: u64,
    /// Its chain MAC.
    #[serde(with = "serde_bytes")]
    pub mac: Mac32,
}

/// A record read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line number in `events.log`, from 1.
    pub line: usize,
    /// Sequence number.
    pub seq: u64,
    /// The decrypted event.
    pub event: Event,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The first bad line (1-based); for a truncated tail, the line after the last one.
    pub line: usize,
    /// What is wrong there.
    pub problem: String,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Records that verified before the first problem (all of them when intact).
    pub records: u64,
    /// The first problem, if any.
    pub damage: Option<Damage>,
}

/// The event log of one key directory, with its keys.
#[derive(Debug, Clone)]
pub struct EventLog {
    dir: PathBuf,
    keys: EventKeys,
    lock_timeout: Duration,
}

impl EventLog {
    /// The log in `dir`, keyed by `master`.
    pub fn new(dir: &Path, master: &MasterKey, lock_timeout: Duration) -> Self {
        EventLog {
            dir: dir.to_owned(),
            keys: EventKeys::derive(master),
            lock_timeout,
        }
    }

    /// Path of `events.log`.
    pub fn path(&self) -> PathBuf {
        self.dir.join(LOG_FILE)
    }

    pub(super) fn head_path(&self) -> PathBuf {
        self.dir.join(HEAD_FILE)
    }

    pub(crate) fn keys(&self) -> &EventKeys {
        &self.keys
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(super) fn damaged(&self, problem: impl Into<String>) -> Error {
        Error::EventLog {
            path: self.path(),
            problem: problem.into(),
        }
    }

    pub(crate) fn lock(&self) -> Result<lock::WriteLock> {
        lock::acquire(Lock::EventLog, &self.dir.join(LOCK_FILE), self.lock_timeout)
    }
}
