//! The human output of the commands that check and report: verify, audit, log, log --check,
//! stats and recover.

use std::fmt::Write as _;

use anstyle::AnsiColor;
use chrono::{DateTime, Utc};

use apiauth_core::Record;
use apiauth_core::Rollback;
use apiauth_core::model::Status;
use apiauth_core::ops::{AuditReport, KeyView, LogCheck, Recovery, Stats, Verdict, Verification};
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

use super::{Painter, table};

/// `verify`.
pub fn verification(p: Painter, v: &Verification, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let Some(entry) = &v.entry else {
        let _ = writeln!(out, "{} Key is INVALID", p.fg(AnsiColor::Red, "✗"));
        let _ = writeln!(out, "  Key not found in keystore");
        return out;
    };
    let (mark, word) = match v.verdict {
        Verdict::Valid => (p.fg(AnsiColor::Green, "✓"), "VALID"),
        Verdict::Expired => (p.fg(AnsiColor::Red, "✗"), "EXPIRED"),
        Verdict::Revoked => (p.fg(AnsiColor::Red, "✗"), "REVOKED"),
        Verdict::Superseded => (p.fg(AnsiColor::Red, "✗"), "SUPERSEDED"),
        Verdict::Forbidden => (p.fg(AnsiColor::Red, "✗"), "FORBIDDEN"),
        Verdict::NotFound => (p.fg(AnsiColor::Red, "✗"), "INVALID"),
    };
    let _ = writeln!(out, "{mark} Key {} is {}", entry.id, p.bold(word));
    let presented = v.presented_version.unwrap_or(entry.version());
    match v.verdict {
        Verdict::Valid if v.deprecated_version => {
            let _ = writeln!(
                out,
                "  Previous version v{presented} (current is v{}), accepted until {}",
                entry.version(),
                v.grace_until
                    .map(timefmt::date_time)
                    .unwrap_or_else(|| "—".into())
            );
        }
        Verdict::Superseded => {
            let _ = writeln!(
                out,
                "  Version v{presented} was replaced {}; the current version is v{}",
                v.superseded_at
                    .map(|at| format!("on {}", timefmt::date_time(at)))
                    .unwrap_or_default(),
                entry.version()
            );
        }
        Verdict::Revoked => {
            let _ = writeln!(
                out,
                "  Revoked:    {}{}",
                entry.revoked_at.map(timefmt::date_time).unwrap_or_default(),
                entry
                    .revocation_reason
                    .as_deref()
                    .map(|r| format!(" ({})", display(r)))
                    .unwrap_or_default()
            );
        }
        _ => {}
    }
    if let Some(reason) = &v.reason {
        let _ = writeln!(out, "  Reason:     {}", display(reason));
    }
    let _ = writeln!(out, "  Name:       {}", display(&entry.name));
    let _ = writeln!(out, "  Service:    {}", display(&entry.service));
    let _ = writeln!(out, "  Version:    {presented}");
    match v.signature_checked {
        Some(true) => {
            let _ = writeln!(out, "  Signature:  checked");
        }
        Some(false) => {
            let _ = writeln!(out, "  Signature:  not checked (matched by its hash)");
        }
        None => {}
    }
    if let Some(rate) = entry.rate_limit {
        let _ = writeln!(out, "  Rate limit: {rate} req/s");
    }
    if !entry.scopes.is_empty() {
        let _ = writeln!(out, "  Scopes:     {}", display(&entry.scopes.join(", ")));
    }
    let _ = writeln!(
        out,
        "  Expires:    {}",
        timefmt::date_relative(entry.expires_at, now)
    );
    out
}

fn audit_line(
    out: &mut String,
    view: &KeyView,
    what: &str,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    let e = &view.entry;
    let _ = writeln!(
        out,
        "  {} {} ({}) — {what} {}",
        e.id,
        display(&e.name),
        display(&e.service),
        at.map(|at| format!("{} ({})", timefmt::date(at), timefmt::relative(at, now)))
            .unwrap_or_default()
    );
}

/// `audit`: only the non-empty categories, or `✓ All N keys are healthy`; then stale keys and
/// recent alerts when there are any. Alert lines name outcomes in lower case, so a store whose
/// keys are all healthy never prints the word EXPIRED.
pub fn audit(p: Painter, report: &AuditReport, now: DateTime<Utc>) -> String {
    let mut sections: Vec<String> = Vec::new();
    if report.expired.is_empty() && report.expiring.is_empty() && report.revoked.is_empty() {
        sections.push(format!(
            "{} All {} keys are healthy\n",
            p.fg(AnsiColor::Green, "✓"),
            report.total()
        ));
    } else {
        status_sections(p, report, now, &mut sections);
    }
    if !report.stale.is_empty() {
        let mut s = format!(
            "{} {} STALE key(s) (unused for the stale period):\n",
            p.fg(AnsiColor::Yellow, "⧗"),
            report.stale.len()
        );
        for v in &report.stale {
            match v.last_used_at {
                Some(at) => audit_line(&mut s, v, "last used", Some(at), now),
                None => audit_line(
                    &mut s,
                    v,
                    "never used, created",
                    Some(v.entry.created_at),
                    now,
                ),
            }
        }
        sections.push(s);
    }
    if !report.alerts.is_empty() {
        let mut s = format!(
            "{} {} ALERT(s) in the last {} days (a revoked, expired or superseded key was presented to verify):\n",
            p.fg(AnsiColor::Red, "!"),
            report.alerts.len(),
            report.alert_window_days
        );
        for r in &report.alerts {
            let e = &r.event;
            let _ = writeln!(
                s,
                "  {}  {} presented while {} — {}@{}",
                timefmt::date_time(e.time),
                e.key_id.as_deref().unwrap_or("?"),
                display(&e.outcome),
                display(&e.user),
                display(&e.host)
            );
        }
        sections.push(s);
    }
    sections.join("\n")
}

/// The expired, expiring and revoked sections, and the healthy count.
fn status_sections(
    p: Painter,
    report: &AuditReport,
    now: DateTime<Utc>,
    sections: &mut Vec<String>,
) {
    if !report.expired.is_empty() {
        let mut s = format!(
            "{} {} EXPIRED key(s):\n",
            p.fg(AnsiColor::Red, "✗"),
            report.expired.len()
        );
        for v in &report.expired {
            audit_line(&mut s, v, "expired", v.entry.expires_at, now);
        }
        sections.push(s);
    }
    if !report.expiring.is_empty() {
        let mut s = format!(
            "{} {} EXPIRING key(s) (within {} days):\n",
            p.fg(AnsiColor::Yellow, "⚠"),
            report.expiring.len(),
            report.window_days
        );
        for v in &report.expiring {
            audit_line(&mut s, v, "expires", v.entry.expires_at, now);
        }
        sections.push(s);
    }
    if !report.revoked.is_empty() {
        let mut s = format!(
            "{} {} REVOKED key(s):\n",
            p.fg(AnsiColor::Magenta, "⊘"),
            report.revoked.len()
        );
        for v in &report.revoked {
            audit_line(&mut s, v, "revoked", v.entry.revoked_at, now);
        }
        sections.push(s);
    }
    sections.push(format!(
        "{} healthy of {} keys\n",
        report.healthy.len(),
        report.total()
    ));
}

/// `log`: one line per record, oldest first.
pub fn log(p: Painter, records: &[Record]) -> String {
    if records.is_empty() {
        return "No events.\n".to_owned();
    }
    let rows: Vec<Vec<(String, Option<Status>)>> = records
        .iter()
        .map(|r| {
            let e = &r.event;
            vec![
                (r.seq.to_string(), None),
                (timefmt::rfc3339(e.time), None),
                (e.kind.as_str().to_owned(), None),
                (e.key_id.as_deref().unwrap_or("—").to_owned(), None),
                (display(&e.outcome).into_owned(), None),
                (format!("{}@{}", display(&e.user), display(&e.host)), None),
                (display(&e.detail).into_owned(), None),
            ]
        })
        .collect();
    table(
        p,
        &["SEQ", "TIME", "ACTION", "KEY", "OUTCOME", "WHO", "DETAIL"],
        &rows,
    )
}

/// `log --check`.
pub fn log_check(p: Painter, check: &LogCheck, log: &str) -> String {
    let mut out = String::new();
    match &check.report.damage {
        None => {
            let _ = writeln!(
                out,
                "{} {}: {} record(s), chain intact",
                p.fg(AnsiColor::Green, "✓"),
                log,
                check.report.records
            );
        }
        Some(damage) => {
            let _ = writeln!(
                out,
                "{} {} line {}: {}",
                p.fg(AnsiColor::Red, "✗"),
                log,
                damage.line,
                display(&damage.problem)
            );
            let _ = writeln!(
                out,
                "  {} record(s) before it verified. The keystore itself is not affected. \
                 Keep a copy of the log as evidence; see 'When the event log is damaged' in the README.",
                check.report.records
            );
        }
    }
    if !check.unrecorded_keys.is_empty() {
        let _ = writeln!(
            out,
            "{} {} key(s) have no creation record (the log was replaced or its beginning removed): {}",
            p.fg(AnsiColor::Red, "✗"),
            check.unrecorded_keys.len(),
            check.unrecorded_keys.join(", ")
        );
    }
    out
}

/// `stats`.
pub fn stats(s: &Stats) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Total keys: {}", s.total);
    let _ = writeln!(out, "Active:     {}", s.active);
    let _ = writeln!(out, "  Healthy:  {}", s.healthy);
    let _ = writeln!(out, "  Expiring: {}", s.expiring);
    let _ = writeln!(out, "Expired:    {}", s.expired);
    let _ = writeln!(out, "Revoked:    {}", s.revoked);
    let services: Vec<String> = s
        .services
        .iter()
        .map(|(name, n)| format!("{} ({n})", display(name)))
        .collect();
    let _ = writeln!(
        out,
        "Services:   {}",
        if services.is_empty() {
            "—".to_owned()
        } else {
            services.join(", ")
        }
    );
    out
}

/// `recover`: what is out of step, what accepting it means, or what was accepted.
pub fn recovery(p: Painter, r: &Recovery) -> String {
    let mut out = String::new();
    let Some(found) = &r.found else {
        let _ = writeln!(
            out,
            "{} The keystore (generation {}) and the event log agree: nothing to recover.",
            p.fg(AnsiColor::Green, "✓"),
            r.generation
        );
        return out;
    };
    if let Some(record) = r.record {
        let _ = writeln!(
            out,
            "{} Accepted the keystore and the event log as they are ({}).\n  \
             Recorded as event-log record {record}; keystore.enc is now generation {}.",
            p.fg(AnsiColor::Green, "✓"),
            display(&found.to_string()),
            r.generation
        );
        return out;
    }
    let consequence = match found {
        Rollback::KeystoreBehind { keystore: 0, .. } => {
            "the keystore starts empty: every key recorded in the log is lost".to_owned()
        }
        Rollback::KeystoreBehind { keystore, .. } => format!(
            "generation {keystore} becomes current: changes made after it are lost (keys created since are gone, keys revoked since verify again)"
        ),
        Rollback::LogBehind { log_ends, .. } => {
            format!("the event log is kept as it is: the records after record {log_ends} are lost")
        }
        Rollback::LogMissing { .. } => {
            "a new event log begins: the records of the old one are lost".to_owned()
        }
        Rollback::HeadUnusable { .. } => {
            "the event log is kept as it is, with a new head at its last record".to_owned()
        }
    };
    let _ = writeln!(
        out,
        "{} {}\n  With --accept-rollback, {consequence}; that is recorded in the event log.\n  \
         If you have newer copies of the files, put them back instead. To accept: apiauth recover --accept-rollback",
        p.fg(AnsiColor::Red, "✗"),
        display(&found.to_string()),
    );
    out
}
