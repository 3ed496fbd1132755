//! The key table: only the rows in the window are built. Columns narrow on small terminals
//! (a short id, a short type) so that every column of DESIGN.md §5 still fits in 80 columns.

use chrono::{DateTime, Datelike as _, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget as _,
};
use unicode_width::UnicodeWidthStr as _;

use apiauth_core::model::{KeyKind, Status};
use apiauth_core::ops::KeyView;
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

use super::super::app::App;
use super::super::keys::{Action, Mode};
use super::super::layout;
use super::super::theme::{STALE, status_symbol};
use super::fit;

/// Tables at least this wide show full ids and type names.
const WIDE: u16 = 120;

/// The cells of one row, as text.
struct RowText {
    id: String,
    name: String,
    service: String,
    env: String,
    kind: String,
    version: String,
    status: Status,
    stale: bool,
    expires: (String, String),
    used: String,
}

/// A row's text; narrow tables get a short id, the type and version in one column, and
/// dates of the current year without the year.
fn row_text(view: &KeyView, now: DateTime<Utc>, wide: bool) -> RowText {
    let e = &view.entry;
    let (id, kind) = if wide {
        (e.id.to_string(), e.kind.as_str().to_owned())
    } else {
        let kind = match e.kind {
            KeyKind::ApiKey => "api",
            KeyKind::Jwt => "jwt",
        };
        (
            e.id.as_str().chars().take(8).collect(),
            format!("{kind} v{}", e.version()),
        )
    };
    let date = |at: DateTime<Utc>| {
        if wide || at.year() != now.year() {
            timefmt::date(at)
        } else {
            at.format("%m-%d").to_string()
        }
    };
    RowText {
        id,
        name: display(&e.name).into_owned(),
        service: display(&e.service).into_owned(),
        env: e
            .env
            .as_deref()
            .map(display)
            .unwrap_or_default()
            .into_owned(),
        kind,
        version: format!("v{}", e.version()),
        status: view.status,
        stale: view.stale,
        expires: match e.expires_at {
            Some(at) => (date(at), timefmt::relative(at, now)),
            None => ("never".into(), String::new()),
        },
        used: view
            .last_used_at
            .map_or_else(|| "never".into(), |at| timefmt::relative(at, now)),
    }
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let list = &app.list;
    if list.len() == 0 {
        let text = if list.total() == 0 {
            format!(
                "No keys yet. Press {} to generate one or {} to import one.",
                app.keymap.first(Mode::Browse, Action::Generate),
                app.keymap.first(Mode::Browse, Action::Import)
            )
        } else {
            format!(
                "No key matches \"{}\". {} clears the filter.",
                display(list.query()),
                app.keymap.first(Mode::Browse, Action::ClearFilter)
            )
        };
        Paragraph::new(Line::styled(text, t.muted))
            .render(area.inner(ratatui::layout::Margin::new(2, 1)), buf);
        return;
    }
    let wide = area.width >= WIDE;
    let height = usize::from(layout::table_rows(area).height);
    let start = list.first_shown(height);
    let rows: Vec<RowText> = list
        .window(start, height)
        .map(|v| row_text(v, app.now, wide))
        .collect();

    let widest = |header: &str, f: &dyn Fn(&RowText) -> usize| {
        rows.iter().map(f).max().unwrap_or(0).max(header.width()) as u16
    };
    let any_stale = rows.iter().any(|r| r.stale);
    // The stale flag: its words on wide tables, a mark (explained in help and the dashboard)
    // on narrow ones.
    let stale_flag = if wide {
        format!(" {STALE}")
    } else {
        " ◌".to_owned()
    };
    let mut columns: Vec<(&str, Constraint)> = vec![
        ("ID", Constraint::Length(if wide { 14 } else { 8 })),
        ("NAME", Constraint::Fill(3)),
        ("SERVICE", Constraint::Fill(2)),
        (
            "ENV",
            Constraint::Length(widest("ENV", &|r| r.env.width()).min(12)),
        ),
        (
            "TYPE",
            Constraint::Length(widest("TYPE", &|r| r.kind.len())),
        ),
    ];
    if wide {
        columns.push((
            "VER",
            Constraint::Length(widest("VER", &|r| r.version.len())),
        ));
    }
    columns.extend([
        (
            "STATUS",
            Constraint::Length(
                10 + if any_stale {
                    stale_flag.width() as u16
                } else {
                    0
                },
            ),
        ),
        (
            "EXPIRES",
            Constraint::Length(widest("EXPIRES", &|r| {
                r.expires.0.len() + 1 + r.expires.1.len()
            })),
        ),
        (
            if wide { "LAST USED" } else { "USED" },
            Constraint::Length(widest(if wide { "LAST USED" } else { "USED" }, &|r| {
                r.used.len()
            })),
        ),
    ]);
    let widths: Vec<Constraint> = columns.iter().map(|c| c.1).collect();
    let spacing = 1;
    // The highlight column takes one cell on the left.
    let inner = Rect {
        width: area.width.saturating_sub(1),
        ..area
    };
    let rects = Layout::horizontal(widths.clone())
        .spacing(spacing)
        .split(inner);
    let col = |i: usize| usize::from(rects[i].width);

    let header = Row::new(columns.iter().map(|c| Cell::from(c.0))).style(t.table_header);
    let table_rows = rows.iter().map(|r| {
        let status_style = t.status(r.status);
        let urgent = matches!(r.status, Status::Expired | Status::Expiring);
        let mut cells = vec![
            Cell::from(r.id.clone()),
            Cell::from(fit(&r.name, col(1))),
            Cell::from(fit(&r.service, col(2))),
            Cell::from(fit(&r.env, col(3))),
            Cell::from(r.kind.clone()),
        ];
        if wide {
            cells.push(Cell::from(r.version.clone()));
        }
        cells.extend([
            Cell::from(Line::from(vec![
                Span::styled(
                    format!("{} {}", status_symbol(r.status), r.status),
                    status_style,
                ),
                Span::styled(
                    if r.stale {
                        stale_flag.clone()
                    } else {
                        String::new()
                    },
                    t.warning,
                ),
            ])),
            Cell::from(Line::from(vec![
                Span::raw(format!("{} ", r.expires.0)),
                Span::styled(
                    r.expires.1.clone(),
                    if urgent { status_style } else { t.muted },
                ),
            ])),
            Cell::from(Span::styled(r.used.clone(), t.muted)),
        ]);
        Row::new(cells)
    });
    let mut state = TableState::default().with_selected(Some(list.cursor() - start));
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(spacing)
        .row_highlight_style(t.selected)
        .highlight_symbol("›")
        .highlight_spacing(HighlightSpacing::Always);
    StatefulWidget::render(table, area, buf, &mut state);
}
