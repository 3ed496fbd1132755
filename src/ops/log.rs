//! Reading the event log: `apiauth log`, `log --check`, and recent events for the TUI.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::Context;
use crate::error::{Error, Result};
use crate::events::{Action, CheckReport, Record};
use crate::store::Rollback;

/// What `apiauth log` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// Only events of this key (id or unambiguous prefix).
    pub key: Option<String>,
    /// Only events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only the last N matching events.
    pub limit: Option<usize>,
}

/// The matching events, oldest first. With a limit, only the end of the log is read (each
/// record's MAC checked against the one before it); without one, the whole chain is read and
/// checked, and damage is an error naming the line.
pub fn log(ctx: &Context, query: &LogQuery) -> Result<Vec<Record>> {
    // Opened even without --key: a log out of step with the keystore is refused here too.
    let keystore = ctx.store.load()?;
    let key = match &query.key {
        Some(given) => {
            let index = keystore.resolve(given)?;
            Some(keystore.entry(index).id.to_string())
        }
        None => None,
    };
    drop(keystore);
    let Some(log) = ctx.store.events()? else {
        return Ok(Vec::new());
    };
    let keep = |r: &crate::events::Event| key.as_ref().is_none_or(|k| r.key_id.as_ref() == Some(k));
    let mut records = match query.limit {
        Some(limit) => {
            let mut newest_first = log.recent(limit, query.since, keep)?;
            newest_first.reverse();
            newest_first
        }
        None => log.read_all()?,
    };
    records.retain(|r| keep(&r.event) && query.since.is_none_or(|s| r.event.time >= s));
    Ok(records)
}

/// The result of `log --check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCheck {
    /// Records verified, and the first bad line if any.
    pub report: CheckReport,
    /// Keys in the keystore with no generate or import record: the log was replaced or its
    /// beginning removed. Only looked for when every line of the chain verified.
    pub unrecorded_keys: Vec<String>,
}

impl LogCheck {
    /// Whether the log passed every check.
    pub fn is_intact(&self) -> bool {
        self.report.damage.is_none() && self.unrecorded_keys.is_empty()
    }
}

/// Verifies the whole chain, the head, and that every key's creation is on record. A keystore
/// out of step with the log is an error, as for every command; a damaged head is not, since
/// finding the damage is what the check is for.
pub fn check_log(ctx: &Context) -> Result<LogCheck> {
    let keystore = match ctx.store.load_and_check()? {
        (keystore, None | Some(Rollback::HeadUnusable { .. })) => keystore,
        (_, Some(rollback)) => {
            return Err(Error::Rollback {
                dir: ctx.store.dir().to_owned(),
                rollback,
            });
        }
    };
    let Some(log) = ctx.store.events()? else {
        return Ok(LogCheck {
            report: CheckReport {
                records: 0,
                damage: None,
            },
            unrecorded_keys: Vec::new(),
        });
    };
    let mut created: HashSet<String> = HashSet::new();
    // Keys that existed when `recover` accepted the store as it was are on record through it.
    let mut recovered_at = None;
    let report = log.scan_anchored(keystore.log_anchor(), |record| {
        if record.event.action == Action::Recover {
            recovered_at = Some(record.event.time);
        }
        if matches!(record.event.action, Action::Generate | Action::Import)
            && let Some(id) = record.event.key_id
        {
            created.insert(id);
        }
    })?;
    // Every line verified (no damage, or damage only at the end: the head or the keystore's
    // anchor is past it): which keys have no creation record is then known.
    let whole_chain_read = report
        .damage
        .as_ref()
        .is_none_or(|d| d.line as u64 == report.records + 1);
    let unrecorded_keys = if whole_chain_read {
        keystore
            .entries()
            .iter()
            .filter(|e| recovered_at.is_none_or(|at| e.created_at > at))
            .map(|e| e.id.to_string())
            .filter(|id| !created.contains(id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(LogCheck {
        report,
        unrecorded_keys,
    })
}

/// A cheap mark that changes whenever a record is appended (the size of `events.log`; 0 when
/// there is none): lets a long-running view notice verifies made by other processes.
pub fn log_mark(ctx: &Context) -> u64 {
    std::fs::metadata(ctx.store.dir().join(crate::events::LOG_FILE)).map_or(0, |m| m.len())
}

/// The last `limit` events (of one key, when given), newest first; empty when the directory
/// has no log yet. A damaged log is a warning and an empty list, so views can still show keys.
pub fn recent_events(ctx: &Context, limit: usize, key: Option<&str>) -> Vec<Record> {
    let Some(log) = ctx.events() else {
        return Vec::new();
    };
    log.recent(limit, None, |e| {
        key.is_none_or(|k| e.key_id.as_deref() == Some(k))
    })
    .unwrap_or_else(|e| {
        ctx.warn(format!("recent events are unavailable: {e}"));
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::tui::testing;

    #[test]
    fn keys_without_a_creation_record_are_reported() {
        // A key put in the keystore without a record (through the library), then a log begun
        // by a later action: the log verifies, but the key's creation is not on record.
        let ctx = testing::context();
        let entry = testing::entry("k_0123456789ab", "quiet", "svc");
        testing::fill(&ctx, vec![entry]);
        ctx.record(Event::new(ctx.now(), Action::Audit, None, "ok", "an audit"));
        let check = check_log(&ctx).unwrap();
        assert_eq!(check.report.damage, None);
        assert_eq!(check.unrecorded_keys, ["k_0123456789ab"]);
        assert!(!check.is_intact());
    }
}
