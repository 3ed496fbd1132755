//! Telling a keystore and an event log that belong together from an older copy of either put
//! back under the other (DESIGN.md §1), without reading the log.
//!
//! Each side remembers the other's newest position: the keystore keeps the sequence number and
//! MAC of its last change's record (its anchor), and `events.head` keeps the newest keystore
//! generation written with the log. So:
//!
//! - an older `keystore.enc` (or its `.bak`) put back under a newer log, or `keystore.enc`
//!   deleted, has a generation below the one the head records;
//! - an older log put back under a newer keystore ends before the keystore's anchor (the end is
//!   read only in that case, after a power failure left the head behind its records);
//! - a log moved aside, or a head that cannot be read, leaves a keystore that says it was
//!   recorded with nothing to check it against.
//!
//! Each check reads the head (112 bytes) and stats the log: verify stays O(1). What cannot be
//! told apart is a copy of both taken together (a whole-directory restore), and a copy of the
//! log taken since the keystore's last change (it lacks only verify records).

use std::fmt;

use crate::error::Result;
use crate::events::{Anchor, EventLog, HeadState};

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

/// Checks a keystore of `generation` (0: none) whose last change was recorded at `anchor`
/// against the log.
pub(super) fn check(
    generation: u64,
    anchor: Option<Anchor>,
    log: &EventLog,
) -> Result<Option<Rollback>> {
    let head = match log.head_state() {
        HeadState::Present(head) => head,
        HeadState::Missing if log.has_records() => {
            return Ok(Some(Rollback::HeadUnusable {
                keystore: generation,
                problem: "events.head is missing while events.log holds records".into(),
            }));
        }
        HeadState::Missing => {
            return Ok(anchor.map(|a| Rollback::LogMissing {
                keystore: generation,
                expected: a.seq,
            }));
        }
        HeadState::Unusable(problem) => {
            return Ok(Some(Rollback::HeadUnusable {
                keystore: generation,
                problem,
            }));
        }
    };
    if head.store > generation {
        return Ok(Some(Rollback::KeystoreBehind {
            keystore: generation,
            recorded: head.store,
            record: head.tip.seq,
        }));
    }
    let expected = anchor.map_or(0, |a| a.seq).max(head.tip.seq);
    if expected > 0 && !log.has_records() {
        return Ok(Some(Rollback::LogMissing {
            keystore: generation,
            expected,
        }));
    }
    if let Some(anchor) = anchor
        && anchor.seq > head.tip.seq
    {
        // The head may only be behind its records (a power failure): look at the last line.
        let last = match log.last_seq() {
            Ok(last) => last.unwrap_or(0),
            Err(e) => {
                return Ok(Some(Rollback::HeadUnusable {
                    keystore: generation,
                    problem: e.to_string(),
                }));
            }
        };
        if anchor.seq > last {
            return Ok(Some(Rollback::LogBehind {
                keystore: generation,
                anchor: anchor.seq,
                log_ends: last.max(head.tip.seq),
            }));
        }
    }
    Ok(None)
}
