//! Reading the event log: `apiauth log`, `log --check`, and recent events for the TUI.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::Context;
use crate::error::Result;
use crate::events::{CheckReport, Event, EventKind, Record};

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
    let Some(log) = ctx.store.log()? else {
        return Ok(Vec::new());
    };
    let keep = |r: &Event| key.as_ref().is_none_or(|k| r.key_id.as_ref() == Some(k));
    let mut records = match query.limit {
        Some(limit) => {
            // A not_applied record follows the records it names, so reading backwards meets
            // it first.
            let mut newest_first = log.recent(limit, query.since, &|e| keep(e) || is_note(e))?;
            newest_first.reverse();
            newest_first
        }
        None => log.read_all()?,
    };
    mark_not_applied(&mut records);
    records.retain(|r| keep(&r.event) && query.since.is_none_or(|s| r.event.time >= s));
    Ok(records)
}

fn is_note(event: &Event) -> bool {
    event.kind == EventKind::NotApplied
}

/// Shows the records of a change that never reached the keystore as `not_applied`, as the
/// `not_applied` record after them says: no listing shows a change that did not happen as
/// `ok`.
fn mark_not_applied(records: &mut [Record]) {
    let ranges: Vec<_> = records
        .iter()
        .filter_map(|r| crate::events::not_applied_range(&r.event))
        .collect();
    for record in records {
        if record.event.kind.is_change() && ranges.iter().any(|r| r.contains(&record.seq)) {
            record.event.outcome = "not_applied".into();
        }
    }
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
    let keystore = ctx.store.load_for_log_check()?;
    let Some(log) = ctx.store.log()? else {
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
    let report = log.scan(keystore.log_anchor(), &mut |record| {
        if record.event.kind == EventKind::Recover {
            recovered_at = Some(record.event.time);
        }
        if matches!(record.event.kind, EventKind::Generate | EventKind::Import)
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
    ctx.store.log_mark()
}

/// The last `limit` events (of one key, when given), newest first; empty when the directory
/// has no log yet. A damaged log is a warning and an empty list, so views can still show keys.
pub fn recent_events(ctx: &Context, limit: usize, key: Option<&str>) -> Vec<Record> {
    let Some(log) = ctx.log() else {
        return Vec::new();
    };
    let keep = |e: &Event| key.is_none_or(|k| e.key_id.as_deref() == Some(k));
    let mut records = log
        .recent(limit, None, &|e| keep(e) || is_note(e))
        .unwrap_or_else(|e| {
            ctx.warn(format!("recent events are unavailable: {e}"));
            Vec::new()
        });
    mark_not_applied(&mut records);
    records.retain(|r| keep(&r.event));
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn keys_without_a_creation_record_are_reported() {
        // A key put in the keystore without a record (through the library), then a log begun
        // by a later action: the log verifies, but the key's creation is not on record.
        let ctx = testing::context();
        let entry = testing::entry("k_0123456789ab", "quiet", "svc");
        testing::fill(&ctx, vec![entry]);
        ctx.record(Event::new(
            ctx.now(),
            EventKind::Audit,
            None,
            "ok",
            "an audit",
        ));
        let check = check_log(&ctx).unwrap();
        assert_eq!(check.report.damage, None);
        assert_eq!(check.unrecorded_keys, ["k_0123456789ab"]);
        assert!(!check.is_intact());
    }

    fn outcomes(records: &[Record]) -> Vec<(&'static str, String)> {
        records
            .iter()
            .map(|r| (r.event.kind.as_str(), r.event.outcome.clone()))
            .collect()
    }

    #[test]
    fn a_change_taken_back_never_shows_as_ok() {
        let ctx = testing::context();
        testing::fill(&ctx, vec![testing::entry("k_0123456789ab", "one", "svc")]);
        ctx.record(Event::new(
            ctx.now(),
            EventKind::Audit,
            None,
            "ok",
            "an audit",
        ));
        let dir = ctx.store.key_dir().unwrap();
        let key = dir.master_key().unwrap().unwrap();
        let log = crate::events::EventLog::new(dir.path(), &key, crate::DEFAULT_LOCK_TIMEOUT);
        let change = |id: &str| {
            let event = Event::new(ctx.now(), EventKind::Revoke, Some(id.into()), "ok", "test");
            log.append_change(&[event], 3, 2).unwrap()
        };
        let all = |ctx: &Context| log_all(ctx);

        // Nothing after it: the record is cut off, as if never written.
        let before = all(&ctx);
        let recorded = change("k_0123456789ab");
        log.abandon(&recorded, "the disk is full").unwrap();
        assert_eq!(outcomes(&all(&ctx)), outcomes(&before));
        assert!(check_log(&ctx).unwrap().report.damage.is_none());

        // A verify after it: the record stays, a not_applied record names it, and every
        // listing shows it as not applied.
        let recorded = change("k_0123456789ab");
        ctx.record(Event::new(
            ctx.now(),
            EventKind::Verify,
            None,
            "not_found",
            "x",
        ));
        log.abandon(&recorded, "the disk is full").unwrap();
        let shown = all(&ctx);
        assert_eq!(
            outcomes(&shown)[shown.len() - 3..],
            [
                ("revoke", "not_applied".to_owned()),
                ("verify", "not_found".to_owned()),
                ("not_applied", "failed".to_owned()),
            ]
        );
        let limited = log_query(&ctx, Some(3), None);
        assert_eq!(outcomes(&limited)[0], ("revoke", "not_applied".to_owned()));
        let by_key = log_query(&ctx, Some(5), Some("k_0123456789ab"));
        assert_eq!(
            outcomes(&by_key),
            [("revoke", "not_applied".to_owned())],
            "the note itself concerns no key"
        );
        let recent = recent_events(&ctx, 10, None);
        assert!(
            recent
                .iter()
                .any(|r| r.event.kind == EventKind::Revoke && r.event.outcome == "not_applied")
        );
        assert!(check_log(&ctx).unwrap().report.damage.is_none());
    }

    fn log_all(ctx: &Context) -> Vec<Record> {
        log_query(ctx, None, None)
    }

    fn log_query(ctx: &Context, limit: Option<usize>, key: Option<&str>) -> Vec<Record> {
        let query = LogQuery {
            key: key.map(str::to_owned),
            since: None,
            limit,
        };
        log(ctx, &query).unwrap()
    }
}
