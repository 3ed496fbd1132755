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
    let mut report = AuditReport {
        window_days: scoped.config.expiring_window_days,
        alert_window_days: ctx.config.alert_window_days,
        ..AuditReport::default()
    };
    for view in views(&scoped, keystore) {
        if view.stale {
            report.stale.push(view.clone());
        }
        match view.status {
            Status::Healthy => report.healthy.push(view),
            Status::Expiring => report.expiring.push(view),
            Status::Expired => report.expired.push(view),
            Status::Revoked => report.revoked.push(view),
        }
    }
    report.expiring.sort_by_key(|v| v.entry.expires_at);
    report
        .expired
        .sort_by_key(|v| std::cmp::Reverse(v.entry.expires_at));
    report
        .revoked
        .sort_by_key(|v| std::cmp::Reverse(v.entry.revoked_at));
    report
        .stale
        .sort_by_key(|v| v.last_used_at.unwrap_or(v.entry.created_at));
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
