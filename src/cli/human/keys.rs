//! The human output of the commands that make or change keys, and of those that show them:
//! generate, import, rotate, revoke, list and show (DESIGN.md §4 fixes their shapes).

use std::fmt::Write as _;

use anstyle::AnsiColor;
use chrono::{DateTime, Utc};

use apiauth_core::SecretString;
use apiauth_core::model::{KeyEntry, Status};
use apiauth_core::ops::{KeyView, Revoked};
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

use super::{Painter, SAVE_NOTICE, summary, table, truncate};

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
