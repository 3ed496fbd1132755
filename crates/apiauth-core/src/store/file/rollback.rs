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

use crate::error::Result;
pub use crate::error::Rollback;
use crate::events::{Anchor, EventLog, HeadState};

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
