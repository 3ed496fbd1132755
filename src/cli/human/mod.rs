//! Human output of every command. The shapes follow the seeds' so their scripts keep working:
//! `rotate` prints a `New key: <value>` line whose third field is the value, and `audit` on a
//! healthy store prints `✓ All N keys are healthy` and never the word EXPIRED.
//!
//! Every piece of user-supplied text passes through [`apiauth_core::sanitize::display`] here.
//! This file holds what every command's output shares (colours, the key summary, tables);
//! `keys.rs` and `reports.rs` the output of each command.

mod keys;
mod reports;

pub use keys::{generated, imported, imported_file, list, revoked, rotated, show};
pub use reports::{audit, log, log_check, recovery, stats, verification};

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;

use apiauth_core::model::{KeyEntry, Status};
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
