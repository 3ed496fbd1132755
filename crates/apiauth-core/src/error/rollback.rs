//! How the keystore and the event log can disagree (DESIGN.md §1): an older copy of one put
//! back under the other, or one of them gone.

use std::fmt;

/// How the keystore and the event log disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// `keystore.enc` is older than the generation the log records, or missing (generation 0).
    KeystoreBehind {
        /// The generation of `keystore.enc` (0: there is none).
        keystore: u64,
        /// The generation the log records.
        recorded: u64,
        /// The log's last record.
        record: u64,
    },
    /// The log ends before the record of the keystore's last change.
    LogBehind {
        /// The generation of `keystore.enc`.
        keystore: u64,
        /// The record of its last change.
        anchor: u64,
        /// The log's last record.
        log_ends: u64,
    },
    /// `events.log` is gone or empty while the keystore or the head say it held records.
    LogMissing {
        /// The generation of `keystore.enc`.
        keystore: u64,
        /// The record that must at least be there.
        expected: u64,
    },
    /// `events.head` is missing or damaged: an older keystore cannot be ruled out.
    HeadUnusable {
        /// The generation of `keystore.enc`.
        keystore: u64,
        /// What is wrong with the head.
        problem: String,
    },
}

impl fmt::Display for Rollback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rollback::KeystoreBehind {
                keystore: 0,
                recorded,
                record,
            } => write!(
                f,
                "keystore.enc is missing, but the event log records keystore generation {recorded} (record {record})"
            ),
            Rollback::KeystoreBehind {
                keystore,
                recorded,
                record,
            } => write!(
                f,
                "keystore.enc is generation {keystore}, but the event log records generation {recorded} (record {record}): an older keystore was put back"
            ),
            Rollback::LogBehind {
                keystore,
                anchor,
                log_ends,
            } => write!(
                f,
                "the event log ends at record {log_ends}, but keystore.enc (generation {keystore}) recorded its last change as record {anchor}: an older event log was put back"
            ),
            Rollback::LogMissing { keystore, expected } => write!(
                f,
                "events.log is missing or empty, but it held at least {expected} records (keystore.enc is generation {keystore})"
            ),
            Rollback::HeadUnusable { keystore, problem } => write!(
                f,
                "{problem}, so an older keystore.enc cannot be ruled out (keystore.enc is generation {keystore})"
            ),
        }
    }
}
