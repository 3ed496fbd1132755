//! Human output of every command. The shapes follow the seeds' so their scripts keep working:
//! `rotate` prints a `New key: <value>` line whose third field is the value, and `audit` on a
//! healthy store prints `✓ All N keys are healthy` and never the word EXPIRED.
//!
//! Every piece of user-supplied text passes through [`apiauth_core::sanitize::display`] here.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;

use apiauth_core::Record;
use apiauth_core::Rollback;
use apiauth_core::SecretString;
use apiauth_core::model::{KeyEntry, Status};
use apiauth_core::ops::{
    AuditReport, KeyView, LogCheck, Recovery, Revoked, Stats, Verdict, Verification,
};
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

/// Colours on or off.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    /// Whether to emit ANSI colours.
    pub color: bool,
}

impl Painter {
    fn paint(self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    fn fg(self, color: AnsiColor, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(color.into())), text)
    }

    fn bold(self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    /// The status as a coloured word (the word alone carries the meaning).
    pub fn status(self, status: Status) -> String {
        let color = match status {
            Status::Healthy => AnsiColor::Green,
            Status::Expiring => AnsiColor::Yellow,
            Status::Expired => AnsiColor::Red,
            Status::Revoked => AnsiColor::Magenta,
        };
        self.fg(color, status.as_str())
    }

    /// `error:` in red.
    pub fn error_label(self) -> String {
        self.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            "error:",
        )
    }

    /// `warning:` in yellow.
    pub fn warning_label(self) -> String {
        self.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            "warning:",
        )
    }

    /// `hint:` in cyan.
    pub fn hint_label(self) -> String {
        self.fg(AnsiColor::Cyan, "hint:")
    }
}

const SAVE_NOTICE: &str = "⚠ Save this key now — it won't be shown again.";

/// The labelled lines shared by generate, import and verify.
fn summary(out: &mut String, entry: &KeyEntry, now: DateTime<Utc>) {
    let _ = writeln!(out, "  ID:         {}", entry.id);
    let _ = writeln!(out, "  Name:       {}", display(&entry.name));
    let _ = writeln!(out, "  Service:    {}", display(&entry.service));
    if let Some(env) = &entry.env {
        let _ = writeln!(out, "  Env:        {}", display(env));
    }
    if !entry.scopes.is_empty() {
        let _ = writeln!(out, "  Scopes:     {}", display(&entry.scopes.join(", ")));
    }
    if let Some(rate) = entry.rate_limit {
        let _ = writeln!(out, "  Rate limit: {rate} req/s");
    }
    let _ = writeln!(
        out,
        "  Expires:    {}",
        timefmt::date_relative(entry.expires_at, now)
    );
}

/// `generate`.
pub fn generated(
    p: Painter,
    entry: &KeyEntry,
    secret: &SecretString,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} Generated {}: {}",
        p.fg(AnsiColor::Green, "✓"),
        entry.kind.label(),
        secret.expose()
    );
    summary(&mut out, entry, now);
    let _ = writeln!(out, "\n{}", p.fg(AnsiColor::Yellow, SAVE_NOTICE));
    out
}

/// `import` of one value.
pub fn imported(p: Painter, entry: &KeyEntry, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} Imported {} into keystore",
        p.fg(AnsiColor::Green, "✓"),
        entry.kind.label()
    );
    summary(&mut out, entry, now);
    let _ = writeln!(
        out,
        "\n⚠ The plaintext key is NOT stored. Use 'apiauth verify' to check incoming keys."
    );
    out
}

/// `import --from-file`.
pub fn imported_file(p: Painter, entries: &[KeyEntry], source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} Imported {} key(s) from {}",
        p.fg(AnsiColor::Green, "✓"),
        entries.len(),
        display(source)
    );
    for entry in entries {
        let _ = writeln!(out, "  {}  {}", entry.id, display(&entry.name));
    }
    let _ = writeln!(
        out,
        "\n⚠ The plaintext keys are NOT stored. Use 'apiauth verify' to check incoming keys."
    );
    out
}

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

/// `rotate`. The `New key:` line keeps the value as its third field for `awk '{print $3}'`,
/// and only the `Rotated` line names a version: the seeds take it with
/// `grep -oP 'v\K[0-9]+'` over the whole output. No name or service is echoed (the id
/// identifies the key), so no user text can add a `New key:` or a `v<digit>` line.
pub fn rotated(
    p: Painter,
    entry: &KeyEntry,
    secret: &SecretString,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} Rotated {} (v{})",
        p.fg(AnsiColor::Green, "✓"),
        entry.id,
        entry.version()
    );
    let _ = writeln!(out, "New key: {}", secret.expose());
    let _ = writeln!(
        out,
        "  Expires:    {}",
        timefmt::date_relative(entry.expires_at, now)
    );
    if let Some(previous) = entry.previous() {
        match previous.grace_until {
            Some(until) => {
                let _ = writeln!(
                    out,
                    "  The previous value stays valid until {} ({}), then answers superseded.",
                    timefmt::date_time(until),
                    timefmt::relative(until, now)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  The previous value no longer verifies (it answers superseded)."
                );
            }
        }
    }
    if let Some(note) = note {
        let _ = writeln!(out, "  Note: {note}");
    }
    let _ = writeln!(out, "\n{}", p.fg(AnsiColor::Yellow, SAVE_NOTICE));
    out
}

/// `revoke`.
pub fn revoked(p: Painter, r: &Revoked) -> String {
    let e = &r.entry;
    let when = e.revoked_at.map(timefmt::date_time).unwrap_or_default();
    let mut out = String::new();
    if r.already {
        let _ = writeln!(
            out,
            "⊘ {} was already revoked on {when}; nothing changed.",
            e.id
        );
    } else {
        let _ = writeln!(
            out,
            "{} Revoked {} ({} / {}), every version",
            p.fg(AnsiColor::Magenta, "⊘"),
            e.id,
            display(&e.name),
            display(&e.service)
        );
    }
    if let Some(reason) = &e.revocation_reason {
        let _ = writeln!(out, "  Reason: {}", display(reason));
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) >= max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Lays out rows in columns padded to the widest cell (by display width).
fn table(p: Painter, header: &[&str], rows: &[Vec<(String, Option<Status>)>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, (cell, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let pad = |out: &mut String, text: &str, width: usize, last: bool| {
        out.push_str(text);
        if !last {
            out.push_str(&" ".repeat(width - text.width() + 2));
        }
    };
    let last = header.len() - 1;
    for (i, h) in header.iter().enumerate() {
        pad(
            &mut out,
            &p.bold(h),
            widths[i] + p.bold(h).len() - h.len(),
            i == last,
        );
    }
    out.push('\n');
    for row in rows {
        for (i, (cell, status)) in row.iter().enumerate() {
            match status {
                Some(s) => {
                    let painted = cell.replacen(s.as_str(), &p.status(*s), 1);
                    pad(
                        &mut out,
                        &painted,
                        widths[i] + painted.len() - cell.len(),
                        i == last,
                    );
                }
                None => pad(&mut out, cell, widths[i], i == last),
            }
        }
        out.push('\n');
    }
    out
}

/// `list`.
pub fn list(p: Painter, views: &[KeyView], filtered: bool, now: DateTime<Utc>) -> String {
    if views.is_empty() {
        return if filtered {
            "No keys match.\n".to_owned()
        } else {
            "No keys yet. Create one with: apiauth generate api-key -n NAME -s SERVICE\n".to_owned()
        };
    }
    let rows: Vec<Vec<(String, Option<Status>)>> = views
        .iter()
        .map(|v| {
            let e = &v.entry;
            vec![
                (e.id.to_string(), None),
                (truncate(&display(&e.name), 32), None),
                (truncate(&display(&e.service), 20), None),
                (
                    e.env
                        .as_deref()
                        .map(display)
                        .unwrap_or_default()
                        .into_owned(),
                    None,
                ),
                (e.kind.as_str().to_owned(), None),
                (format!("v{}", e.version()), None),
                (
                    if v.stale {
                        format!("{} (stale)", v.status.as_str())
                    } else {
                        v.status.as_str().to_owned()
                    },
                    Some(v.status),
                ),
                (timefmt::date_relative(e.expires_at, now), None),
                (
                    v.last_used_at
                        .map(|at| timefmt::relative(at, now))
                        .unwrap_or_else(|| "never".into()),
                    None,
                ),
            ]
        })
        .collect();
    table(
        p,
        &[
            "ID",
            "NAME",
            "SERVICE",
            "ENV",
            "TYPE",
            "VER",
            "STATUS",
            "EXPIRES",
            "LAST USED",
        ],
        &rows,
    )
}

/// `show`.
pub fn show(p: Painter, view: &KeyView, now: DateTime<Utc>) -> String {
    let e = &view.entry;
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", p.bold(e.id.as_str()), display(&e.name));
    let line = |out: &mut String, label: &str, value: &str| {
        let _ = writeln!(out, "  {:<15}{value}", format!("{label}:"));
    };
    line(&mut out, "Type", e.kind.as_str());
    line(&mut out, "Service", &display(&e.service));
    line(
        &mut out,
        "Env",
        &e.env.as_deref().map(display).unwrap_or("—".into()),
    );
    let stale = if view.stale {
        " (stale: unused for the stale period)"
    } else {
        ""
    };
    line(
        &mut out,
        "Status",
        &format!("{}{stale}", p.status(view.status)),
    );
    line(
        &mut out,
        "Scopes",
        &if e.scopes.is_empty() {
            "—".into()
        } else {
            display(&e.scopes.join(", ")).into_owned()
        },
    );
    line(
        &mut out,
        "Rate limit",
        &e.rate_limit
            .map(|r| format!("{r} req/s"))
            .unwrap_or("—".into()),
    );
    line(&mut out, "Created", &timefmt::rfc3339(e.created_at));
    line(
        &mut out,
        "Expires",
        &e.expires_at
            .map(|at| format!("{} ({})", timefmt::rfc3339(at), timefmt::relative(at, now)))
            .unwrap_or("never".into()),
    );
    line(&mut out, "Version", &e.version().to_string());
    if let Some(at) = e.rotated_at() {
        line(&mut out, "Rotated", &timefmt::rfc3339(at));
    }
    line(&mut out, "Hint", e.hint());
    line(&mut out, "Hash", &e.hash().to_hex());
    if let Some(previous) = e.previous() {
        line(&mut out, "Previous hash", &previous.hash.to_hex());
    }
    if let Some(until) = e.grace_until() {
        line(&mut out, "Grace until", &timefmt::rfc3339(until));
    }
    if let Some(at) = e.revoked_at {
        line(&mut out, "Revoked", &timefmt::rfc3339(at));
        line(
            &mut out,
            "Reason",
            &e.revocation_reason
                .as_deref()
                .map(display)
                .unwrap_or("—".into()),
        );
    }
    for (key, value) in &e.claims {
        line(
            &mut out,
            "Claim",
            &format!("{}={}", display(key), display(value)),
        );
    }
    line(&mut out, "Imported", if e.imported { "yes" } else { "no" });
    line(
        &mut out,
        "Last used",
        &view
            .last_used_at
            .map(|at| format!("{} ({})", timefmt::rfc3339(at), timefmt::relative(at, now)))
            .unwrap_or("never".into()),
    );
    let _ = writeln!(out, "\nVersions:");
    for v in e.versions.iter().rev() {
        let mut state = match v.retired_at {
            None => "current".to_owned(),
            Some(at) => format!("retired {}", timefmt::date_time(at)),
        };
        if let Some(until) = v.grace_until {
            let _ = write!(state, ", valid until {}", timefmt::date_time(until));
        }
        let _ = writeln!(
            out,
            "  v{:<3} {}  {}  issued {}  {state}",
            v.version,
            v.hash.short(),
            v.hint,
            timefmt::date_time(v.created_at)
        );
    }
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
