//! The audit dashboard: keys per status, the expirations of the next 90 days by week, health
//! per service (services needing action first), recent events with alerts first, and the keys
//! needing action, most urgent first. Every number was computed when the keystore was loaded.

use chrono::Duration;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, BorderType, Cell, Paragraph, Row, Table, Widget as _,
};

use apiauth_core::model::Status;
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

use super::super::app::App;
use super::super::keys::{Action, Mode};
use super::super::layout;
use super::super::list::window_start;
use super::super::snapshot::{HORIZON_DAYS, ServiceHealth, WEEKS};
use super::super::theme::{Theme, status_symbol};
use super::{fit, thousands};

fn block(title: String, t: &Theme) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(t.border)
        .title(Span::styled(title, t.title))
}

pub(super) fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let parts = layout::dashboard(body);
    tiles(app, parts.tiles, buf);
    chart(app, parts.chart, buf);
    services(app, parts.services, buf);
    events(app, parts.events, buf);
    actions(app, parts.actions, buf);
}

/// Recent records of the event log: the alerts of the alert window first (a revoked, expired or
/// superseded key presented to verify: someone still uses it, or probes with a stolen one),
/// then the latest events.
fn events(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let data = app.list.data();
    let window = app.ctx.config.alert_window_days;
    let alerts: Vec<&apiauth_core::Record> = data.alerts(window).collect();
    let wide = area.width >= 44;
    let name = if wide { " Recent events " } else { " Events " };
    let title = if alerts.is_empty() {
        Line::from(Span::styled(name, t.title))
    } else {
        Line::from(vec![
            Span::styled(format!("{name}· "), t.title),
            Span::styled(
                if wide {
                    format!("! {} alert(s) in {window}d ", alerts.len())
                } else {
                    format!("! {} alert(s) ", alerts.len())
                },
                t.status(Status::Expired),
            ),
        ])
    };
    let outer = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(t.border)
        .title(title);
    let inner = outer.inner(area);
    outer.render(area, buf);
    if data.events.is_empty() {
        Paragraph::new(Line::styled("No events recorded yet.", t.muted)).render(inner, buf);
        return;
    }
    let height = usize::from(inner.height);
    let shown_alerts = alerts.len().min(height.div_ceil(2));
    let rows = alerts
        .iter()
        .take(shown_alerts)
        .copied()
        .chain(
            data.events
                .iter()
                .filter(|r| !alerts[..shown_alerts].iter().any(|a| a.seq == r.seq)),
        )
        .take(height);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = rows
        .map(|r| {
            let e = &r.event;
            let alert = e.is_alert();
            let id = e
                .key_id
                .as_deref()
                .map_or("—".to_owned(), |id| id.chars().take(8).collect());
            let text = format!(
                "{} {:<8} {id:<8} {}",
                e.time.format("%m-%d %H:%M"),
                e.kind.as_str(),
                display(&e.outcome)
            );
            let who = format!(" {}@{}", display(&e.user), display(&e.host));
            let mark = if alert { "! " } else { "  " };
            let room = width.saturating_sub(2);
            let main = fit(&text, room);
            let rest = room.saturating_sub(main.chars().count());
            Line::from(vec![
                Span::styled(mark, t.status(Status::Expired)),
                Span::styled(
                    main,
                    if alert {
                        t.status(Status::Expired)
                    } else {
                        ratatui::style::Style::default()
                    },
                ),
                Span::styled(fit(&who, rest), t.muted),
            ])
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

fn tiles(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let d = &app.list.data().dashboard;
    let mut spans = Vec::new();
    for status in [
        Status::Healthy,
        Status::Expiring,
        Status::Expired,
        Status::Revoked,
    ] {
        spans.push(Span::styled(
            format!(
                "{} {status} {}",
                status_symbol(status),
                thousands(d.count(status))
            ),
            t.status(status),
        ));
        spans.push(Span::styled("   ", t.muted));
    }
    spans.push(Span::styled(
        format!("◌ stale {}", thousands(d.stale)),
        t.warning,
    ));
    spans.push(Span::styled("   ", t.muted));
    spans.push(Span::raw(format!("total {}", thousands(app.list.total()))));
    Paragraph::new(Line::from(spans))
        .block(block(" Keys by status ".into(), t))
        .render(area, buf);
}

fn chart(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let d = &app.list.data().dashboard;
    let outer = block(
        format!(" Expirations in the next {HORIZON_DAYS} days, by week "),
        t,
    );
    let inner = outer.inner(area);
    outer.render(area, buf);
    if d.weeks.iter().all(|&n| n == 0) {
        Paragraph::new(Line::styled(
            format!("No active key expires in the next {HORIZON_DAYS} days."),
            t.muted,
        ))
        .render(inner, buf);
        return;
    }
    let gap = 1;
    let bar_width = ((inner.width + gap) / WEEKS as u16)
        .saturating_sub(gap)
        .max(1);
    let start = app.now;
    let bars: Vec<Bar> = d
        .weeks
        .iter()
        .enumerate()
        .map(|(week, &n)| {
            let from = start + Duration::days(7 * week as i64);
            let label = if bar_width >= 5 {
                from.format("%m-%d").to_string()
            } else if bar_width >= 3 {
                format!("w{}", week + 1)
            } else {
                String::new()
            };
            let urgent = week == 0;
            Bar::default()
                .value(n)
                .label(Line::from(label))
                .style(if urgent {
                    t.status(Status::Expiring)
                } else {
                    t.bar
                })
        })
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(gap)
        .value_style(t.selected)
        .label_style(t.muted)
        .render(inner, buf);
}

/// A service's health, as a word: its worst status among keys not revoked.
fn health(s: &ServiceHealth) -> Status {
    [Status::Expired, Status::Expiring, Status::Healthy]
        .into_iter()
        .find(|&status| s.count(status) > 0)
        .unwrap_or(Status::Revoked)
}

fn services(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let all = &app.list.data().dashboard.services;
    let outer = block(format!(" Health by service ({}) ", all.len()), t);
    let inner = outer.inner(area);
    outer.render(area, buf);
    let rows_room = usize::from(inner.height.saturating_sub(1));
    let overflow = all.len() > rows_room;
    let shown = if overflow {
        rows_room.saturating_sub(1)
    } else {
        all.len()
    };
    let wide = inner.width >= 50;
    let counts = [
        Status::Healthy,
        Status::Expiring,
        Status::Expired,
        Status::Revoked,
    ];
    let mut header = vec![Cell::from("SERVICE"), Cell::from("KEYS")];
    let mut widths = vec![Constraint::Fill(1), Constraint::Length(6)];
    if wide {
        for status in counts {
            header.push(Cell::from(status_symbol(status)));
            widths.push(Constraint::Length(5));
        }
    }
    header.push(Cell::from("HEALTH"));
    widths.push(Constraint::Length(10));
    let name_width = usize::from(inner.width).saturating_sub(if wide { 42 } else { 18 });
    let mut rows: Vec<Row> = all
        .iter()
        .take(shown)
        .map(|s| {
            let worst = health(s);
            let mut cells = vec![
                Cell::from(fit(&display(&s.name), name_width)),
                Cell::from(thousands(s.total())),
            ];
            if wide {
                for status in counts {
                    let n = s.count(status);
                    cells.push(Cell::from(Span::styled(
                        thousands(n),
                        if n > 0 { t.status(status) } else { t.muted },
                    )));
                }
            }
            cells.push(Cell::from(Span::styled(
                format!("{} {worst}", status_symbol(worst)),
                t.status(worst),
            )));
            Row::new(cells)
        })
        .collect();
    if overflow {
        rows.push(Row::new([Cell::from(Span::styled(
            format!("+ {} more", thousands(all.len() - shown)),
            t.muted,
        ))]));
    }
    Table::new(rows, widths)
        .header(Row::new(header).style(t.table_header))
        .column_spacing(1)
        .render(inner, buf);
}

fn actions(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let data = app.list.data();
    let rows = &data.dashboard.needs_action;
    let outer = block(format!(" Needs action ({}) ", thousands(rows.len())), t).title_bottom(
        Line::from(vec![
            Span::styled(
                format!(" {} ", app.keymap.first(Mode::Browse, Action::Open)),
                t.key,
            ),
            Span::styled("show in the table ", t.muted),
        ]),
    );
    let inner = layout::action_rows(area);
    outer.render(area, buf);
    if rows.is_empty() {
        Paragraph::new(Line::styled(
            "✓ No key is expired, expiring or stale.",
            t.success,
        ))
        .render(inner, buf);
        return;
    }
    let height = usize::from(inner.height);
    let start = window_start(app.dash.offset, app.dash.position, height, rows.len());
    let width = usize::from(inner.width);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, &row)| {
            let view = &data.views[row as usize];
            let e = &view.entry;
            let when = match view.status {
                Status::Expired | Status::Expiring => e
                    .expires_at
                    .map(|at| format!(" {}", timefmt::relative(at, app.now)))
                    .unwrap_or_default(),
                _ => format!(
                    " used {}",
                    view.last_used_at
                        .map_or("never".into(), |at| timefmt::relative(at, app.now))
                ),
            };
            let badge = if view.status == Status::Healthy && view.stale {
                format!("◌ {:<8} ", "stale")
            } else {
                format!(
                    "{} {:<8} ",
                    status_symbol(view.status),
                    view.status.as_str()
                )
            };
            let label = format!("{} ({})", display(&e.name), display(&e.service));
            let selected = i == app.dash.position;
            let room = width.saturating_sub(badge.chars().count() + 10 + when.len());
            let mut line = Line::from(vec![
                Span::raw(if selected { "›" } else { " " }),
                Span::styled(badge, t.status(view.status)),
                Span::styled(
                    format!("{} ", e.id.as_str().chars().take(8).collect::<String>()),
                    t.muted,
                ),
                Span::raw(fit(&label, room)),
                Span::styled(when, t.status(view.status)),
            ]);
            if selected {
                line = line.style(t.selected);
            }
            line
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}
