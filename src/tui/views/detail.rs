//! The detail pane: every field of the selected key, its version history as a timeline, its
//! JWT claims, scopes, rate limit and revocation, and its recent events. Full-size with `Enter`.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget as _, Wrap};

use apiauth_core::model::{KeyEntry, KeyKind};
use apiauth_core::ops::KeyView;
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

use super::super::app::App;
use super::super::keys::{Action, Mode};
use super::super::theme::{STALE, Theme, status_symbol};

/// Width of the label column.
const LABEL: usize = 11;

fn field(label: &str, value: Vec<Span<'static>>, t: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label:<LABEL$}"), t.label)];
    spans.extend(value);
    Line::from(spans)
}

fn plain(label: &str, value: String, t: &Theme) -> Line<'static> {
    field(label, vec![Span::raw(value)], t)
}

fn when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!(
        "{} ({})",
        timefmt::date_time(at),
        timefmt::relative(at, now)
    )
}

fn fields(view: &KeyView, now: DateTime<Utc>, t: &Theme) -> Vec<Line<'static>> {
    let e = &view.entry;
    let dash = || "—".to_owned();
    let mut lines = vec![field(
        "Status",
        vec![
            Span::styled(
                format!("{} {}", status_symbol(view.status), view.status),
                t.status(view.status),
            ),
            Span::styled(
                if view.stale {
                    format!(" {STALE}")
                } else {
                    String::new()
                },
                t.warning,
            ),
        ],
        t,
    )];
    if let Some(at) = e.revoked_at {
        lines.push(field(
            "Revoked",
            vec![Span::styled(when(at, now), t.status(view.status))],
            t,
        ));
        lines.push(plain(
            "Reason",
            e.revocation_reason
                .as_deref()
                .map_or("no reason given".into(), |r| display(r).into_owned()),
            t,
        ));
    }
    lines.extend([
        plain(
            "Service",
            match &e.env {
                Some(env) => format!("{} · {}", display(&e.service), display(env)),
                None => display(&e.service).into_owned(),
            },
            t,
        ),
        plain(
            "Type",
            format!(
                "{} · v{}{}",
                match e.kind {
                    KeyKind::ApiKey => e.kind.label().to_owned(),
                    KeyKind::Jwt => format!("{} (HS256)", e.kind.label()),
                },
                e.version(),
                if e.imported { " · imported" } else { "" }
            ),
            t,
        ),
        plain(
            "Expires",
            e.expires_at.map_or("never".into(), |at| when(at, now)),
            t,
        ),
        plain(
            "Last used",
            format!(
                "{}{}",
                view.last_used_at.map_or("never".into(), |at| when(at, now)),
                if view.stale { " (stale)" } else { "" }
            ),
            t,
        ),
        plain(
            "Scopes",
            if e.scopes.is_empty() {
                dash()
            } else {
                display(&e.scopes.join(", ")).into_owned()
            },
            t,
        ),
        plain(
            "Rate limit",
            e.rate_limit.map_or_else(dash, |r| format!("{r} req/s")),
            t,
        ),
        plain("Created", when(e.created_at, now), t),
        plain(
            "Policy",
            e.expiry_days.map_or("no expiry on rotate".into(), |d| {
                format!("{d} days per rotation")
            }),
            t,
        ),
        plain("Hint", e.hint().to_owned(), t),
        plain("Hash", format!("{}…", e.hash().short()), t),
    ]);
    if let Some(previous) = e.previous() {
        lines.push(plain("Previous", format!("{}…", previous.hash.short()), t));
    }
    lines
}

/// The versions, newest first, as a timeline.
fn history(e: &KeyEntry, now: DateTime<Utc>, t: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!(
            "History ({} version{})",
            e.versions.len(),
            if e.versions.len() == 1 { "" } else { "s" }
        ),
        t.title,
    )];
    let count = e.versions.len();
    for (i, v) in e.versions.iter().rev().enumerate() {
        let current = i == 0;
        let in_grace = v.grace_until.is_some_and(|g| g > now);
        let glyph = if current {
            "●"
        } else if in_grace {
            "◐"
        } else {
            "○"
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{glyph} v{:<3} ", v.version),
                if current { t.key } else { t.label },
            ),
            Span::raw(format!("issued {}", timefmt::date_time(v.created_at))),
        ]));
        let rail = if i + 1 < count { "│" } else { " " };
        let state = match v.retired_at {
            None if e.revoked_at.is_some() => "revoked".to_owned(),
            None => "current".to_owned(),
            Some(_) => match v.grace_until {
                Some(until) if until > now => format!("until {}", timefmt::date_time(until)),
                _ => "superseded".to_owned(),
            },
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{rail}   "), t.muted),
            Span::raw(format!("{} ", v.hint)),
            Span::styled(state, t.muted),
        ]));
    }
    if !e.claims.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Claims", t.title));
        for (key, value) in &e.claims {
            lines.push(Line::from(vec![
                Span::styled(format!("  {} = ", display(key)), t.label),
                Span::raw(display(value).into_owned()),
            ]));
        }
        lines.push(Line::styled("  plus iss, sub, iat, exp and jti", t.muted));
    }
    lines
}

/// How many of the key's recent events the pane lists.
const EVENTS_SHOWN: usize = 6;

/// The key's latest records in the event log, newest first.
fn recent_events(app: &App, id: &str, t: &Theme) -> Vec<Line<'static>> {
    let events: Vec<&apiauth_core::Record> =
        app.list.data().events_of(id).take(EVENTS_SHOWN).collect();
    let mut lines = vec![Line::default(), Line::styled("Recent events", t.title)];
    if events.is_empty() {
        lines.push(Line::styled("  none in the latest records", t.muted));
    }
    for r in events {
        let e = &r.event;
        let alert = e.is_alert();
        lines.push(Line::from(vec![
            Span::styled(
                if alert { "! " } else { "  " },
                t.status(apiauth_core::model::Status::Expired),
            ),
            Span::raw(format!(
                "{} {} ",
                timefmt::date_time(e.time),
                e.kind.as_str()
            )),
            Span::styled(
                display(&e.outcome).into_owned(),
                if alert {
                    t.status(apiauth_core::model::Status::Expired)
                } else {
                    t.muted
                },
            ),
            Span::styled(
                format!(" {}@{}", display(&e.user), display(&e.host)),
                t.muted,
            ),
        ]));
    }
    lines
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(view) = app.list.selected() else {
        Paragraph::new(Line::styled("Select a key to see its details.", t.muted))
            .block(
                Block::bordered()
                    .border_type(BorderType::Rounded)
                    .border_style(t.border),
            )
            .render(area, buf);
        return;
    };
    let e = &view.entry;
    let action = if app.zoomed {
        "back to the table"
    } else {
        "full size"
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(t.border)
        .title(Span::styled(
            format!(" {} {} ", e.id, display(&e.name)),
            t.title,
        ))
        .title_bottom(Line::from(vec![
            Span::styled(
                format!(" {} ", app.keymap.first(Mode::Browse, Action::Open)),
                t.key,
            ),
            Span::styled(format!("{action} "), t.muted),
        ]));
    let inner = block.inner(area);
    block.render(area, buf);
    let left = fields(view, app.now, t);
    let mut right = history(e, app.now, t);
    right.extend(recent_events(app, e.id.as_str(), t));
    if inner.width >= 76 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(52), Constraint::Fill(1)])
            .spacing(2)
            .areas(inner);
        Paragraph::new(left).render(l, buf);
        Paragraph::new(right).render(r, buf);
    } else {
        let mut all = left;
        all.push(Line::default());
        all.extend(right);
        Paragraph::new(all)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
