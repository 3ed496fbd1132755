//! `audit`: keys grouped by what needs doing, stale keys and the recent alerts; what the
//! CLI's audit gates and the TUI's dashboard show.

use chrono::Duration;

use super::{Context, KeyView, views};
use crate::error::{Error, Field, Result};
use crate::events::{Event, EventKind, Record};
use crate::model::{self, Status};

/// Keys grouped by status, stale keys and recent alerts: what `audit` and the dashboard show.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    /// The expiring window used, in days.
    pub window_days: u32,
    /// How far back alerts are reported, in days.
    pub alert_window_days: u32,
    /// Keys needing nothing.
    pub healthy: Vec<KeyView>,
    /// Keys expiring within the window, soonest first.
    pub expiring: Vec<KeyView>,
    /// Expired keys, most recently expired first.
    pub expired: Vec<KeyView>,
    /// Revoked keys, most recently revoked first.
    pub revoked: Vec<KeyView>,
    /// Keys unused for `stale_after_days` (any status but revoked), longest unused first.
    pub stale: Vec<KeyView>,
    /// Verifies that presented a revoked, expired or superseded key, newest first.
    pub alerts: Vec<Record>,
    /// Why the alerts could not be read (a damaged event log), when they could not: an alert
    /// gate must then fail rather than pass on an empty list.
    pub alerts_unavailable: Option<String>,
}

impl AuditReport {
    /// Number of keys audited.
    pub fn total(&self) -> usize {
        self.healthy.len() + self.expiring.len() + self.expired.len() + self.revoked.len()
    }
}

/// Keys grouped as an audit groups them, each group in the order it is shown in: positions in
/// the list of keys they were grouped from. Every key is in one status group; stale keys are
/// also listed among the stale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditGroups {
    /// Keys needing nothing, in the order given.
    pub healthy: Vec<usize>,
    /// Keys expiring within the window, soonest first.
    pub expiring: Vec<usize>,
    /// Expired keys, most recently expired first.
    pub expired: Vec<usize>,
    /// Revoked keys, most recently revoked first.
    pub revoked: Vec<usize>,
    /// Stale keys (any status but revoked), longest unused first.
    pub stale: Vec<usize>,
}

impl AuditGroups {
    /// Groups `views` by status and staleness.
    pub fn of(views: &[KeyView]) -> AuditGroups {
        let mut groups = AuditGroups::default();
        for (row, view) in views.iter().enumerate() {
            if view.stale {
                groups.stale.push(row);
            }
            match view.status {
                Status::Healthy => groups.healthy.push(row),
                Status::Expiring => groups.expiring.push(row),
                Status::Expired => groups.expired.push(row),
                Status::Revoked => groups.revoked.push(row),
            }
        }
        let entry = |row: &usize| &views[*row].entry;
        groups.expiring.sort_by_key(|row| entry(row).expires_at);
        groups
            .expired
            .sort_by_key(|row| std::cmp::Reverse(entry(row).expires_at));
        groups
            .revoked
            .sort_by_key(|row| std::cmp::Reverse(entry(row).revoked_at));
        groups.stale.sort_by_key(|row| {
            let view = &views[*row];
            view.last_used_at.unwrap_or(view.entry.created_at)
        });
        groups
    }
}

/// Most alerts an audit lists.
const MAX_ALERTS: usize = 500;

/// Sorts every key into healthy / expiring / expired / revoked (with `within_days`, or the
/// configured window, as the expiring window), flags stale keys, and collects the alerts of the
/// last `alert_window_days` from the event log. The run itself is recorded.
pub fn audit(ctx: &Context, within_days: Option<u32>) -> Result<AuditReport> {
    let now = ctx.now();
    let mut scoped = ctx.clone();
    if let Some(days) = within_days {
        if !(1..=model::MAX_EXPIRY_DAYS).contains(&days) {
            return Err(Error::invalid(
                Field::Window,
                format!(
                    "the window must be from 1 to {} days",
                    model::MAX_EXPIRY_DAYS
                ),
            ));
        }
        scoped.config.expiring_window_days = days;
    }
    let keystore = ctx.store.load()?;
    let all = views(&scoped, keystore);
    let groups = AuditGroups::of(&all);
    let stale = groups.stale.iter().map(|&row| all[row].clone()).collect();
    // Every key is in exactly one status group: moved there, not copied.
    let mut rows: Vec<Option<KeyView>> = all.into_iter().map(Some).collect();
    let mut take = |group: &[usize]| -> Vec<KeyView> {
        group
            .iter()
            .map(|&row| rows[row].take().expect("a key is in one status group"))
            .collect()
    };
    let mut report = AuditReport {
        window_days: scoped.config.expiring_window_days,
        alert_window_days: ctx.config.alert_window_days,
        healthy: take(&groups.healthy),
        expiring: take(&groups.expiring),
        expired: take(&groups.expired),
        revoked: take(&groups.revoked),
        stale,
        ..AuditReport::default()
    };
    if let Some(log) = ctx.log() {
        let since = now - Duration::days(i64::from(ctx.config.alert_window_days));
        match log.recent(MAX_ALERTS, Some(since), &Event::is_alert) {
            Ok(alerts) => report.alerts = alerts,
            Err(e) => report.alerts_unavailable = Some(e.to_string()),
        }
    }
    ctx.record(Event::new(
        now,
        EventKind::Audit,
        None,
        "ok",
        format!(
            "{} keys: {} expired, {} expiring, {} revoked, {} stale, {} alerts",
            report.total(),
            report.expired.len(),
            report.expiring.len(),
            report.revoked.len(),
            report.stale.len(),
            report.alerts.len()
        ),
    ));
    Ok(report)
}
