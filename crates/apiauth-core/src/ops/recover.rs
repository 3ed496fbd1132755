//! `recover`: the one explicit, logged way to go on after an older keystore or event log was
//! put back (DESIGN.md §1). Without `--accept-rollback` it only says what is out of step and
//! what accepting it would mean.

use super::Context;
use crate::error::Result;
use crate::error::Rollback;
use crate::events::{Event, EventKind};
use crate::store::Accepted;

/// What `recover` found, and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The keystore's generation (after the recovery, when one was made).
    pub generation: u64,
    /// How the keystore and the event log disagreed; `None` when they agree.
    pub found: Option<Rollback>,
    /// The event-log record of the acceptance, when `--accept-rollback` made one.
    pub record: Option<u64>,
}

/// Reports how the keystore and the event log disagree and, with `accept`, accepts them as
/// they are: the acceptance is recorded in the log and the keystore written again as a
/// generation above any the log has seen.
pub fn recover(ctx: &Context, accept: bool) -> Result<Recovery> {
    if accept {
        let now = ctx.now();
        let accepted = ctx.store.accept_rollback(|rollback, generation| {
            Event::new(
                now,
                EventKind::Recover,
                None,
                "ok",
                detail(rollback, generation),
            )
        })?;
        if let Some(Accepted {
            rollback,
            generation,
            record,
        }) = accepted
        {
            return Ok(Recovery {
                generation,
                found: Some(rollback),
                record: Some(record),
            });
        }
    }
    let (generation, found) = ctx.store.rollback_state()?;
    Ok(Recovery {
        generation,
        found,
        record: None,
    })
}

/// The record's words: what was accepted, what it replaced, and what was lost.
fn detail(rollback: &Rollback, generation: u64) -> String {
    let accepted = match rollback {
        Rollback::KeystoreBehind {
            keystore: 0,
            recorded,
            ..
        } => format!(
            "started an empty keystore: keystore.enc was missing (the log recorded generation {recorded})"
        ),
        Rollback::KeystoreBehind {
            keystore, recorded, ..
        } => format!(
            "accepted keystore.enc generation {keystore} (the log recorded generation {recorded}): changes after generation {keystore} are lost"
        ),
        Rollback::LogBehind {
            anchor, log_ends, ..
        } => format!(
            "accepted the event log ending at record {log_ends} (the keystore's last change was record {anchor} of a newer log)"
        ),
        Rollback::LogMissing { expected, .. } => {
            format!("started a new event log: the old one, of at least {expected} records, is gone")
        }
        Rollback::HeadUnusable { problem, .. } => {
            format!("accepted the event log as it is ({problem})")
        }
    };
    format!("{accepted}; keystore written as generation {generation}")
}
