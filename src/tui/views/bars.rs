//! The one-line bars: the header (view tabs and counts), the filter line, and the status bar
//! (a notice, or the current mode's keys from the key map, and where you are).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};
use unicode_width::UnicodeWidthStr as _;

use apiauth_core::model::Status;

use super::super::app::{App, Level, View};
use super::super::keys::{Action, Hint, Mode};
use super::super::popups::{Modal, hints_line};
use super::super::theme::status_symbol;
use super::thousands;

fn width(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

/// Left-aligned `left` and right-aligned `right`, right dropped if they do not both fit.
fn split(left: Vec<Span<'static>>, right: Vec<Span<'static>>, area: Rect, buf: &mut Buffer) {
    let total = usize::from(area.width);
    let mut spans = left;
    let used = width(&spans);
    let extra = width(&right);
    if used + extra < total {
        spans.push(Span::raw(" ".repeat(total - used - extra)));
        spans.extend(right);
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

pub(super) fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let tab = |name: &str, view: View| {
        let style = if app.view == view {
            t.tab_active
        } else {
            t.tab_inactive
        };
        Span::styled(format!(" {name} "), style)
    };
    let left = vec![
        Span::styled(" apiauth ", t.title),
        tab("Keys", View::Keys),
        Span::raw(" "),
        tab("Audit", View::Dashboard),
    ];
    let mut right = Vec::new();
    if app.loaded {
        let d = &app.list.data().dashboard;
        right.push(Span::raw(format!("{} keys", thousands(app.list.total()))));
        for status in [Status::Expired, Status::Expiring, Status::Revoked] {
            let n = d.count(status);
            if n > 0 {
                right.push(Span::styled(" · ", t.muted));
                right.push(Span::styled(
                    format!("{} {} {status}", status_symbol(status), thousands(n)),
                    t.status(status),
                ));
            }
        }
        right.push(Span::raw(" "));
    }
    split(left, right, area, buf);
}

fn match_count(app: &App) -> String {
    format!(
        "{} of {} match",
        thousands(app.list.len()),
        thousands(app.list.total())
    )
}

/// The filter being typed, on a line `width` columns wide: the part of it shown (scrolled to
/// keep the cursor in view, beside the match count when there is room) and the cursor's
/// column on the line.
pub(super) fn filter_edit(app: &App, width: u16) -> (String, u16) {
    let total = usize::from(width);
    let count = match_count(app).width() + 1;
    let room = if total >= count + 2 + 8 {
        total - count - 2
    } else {
        total.saturating_sub(1)
    };
    let (text, col) = app.filter.shown(room, false);
    (text, (1 + col) as u16)
}

pub(super) fn filter(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let count = match_count(app);
    let (left, right) = if app.filtering {
        let (text, _) = filter_edit(app, area.width);
        (
            vec![Span::styled("/", t.key), Span::raw(text)],
            vec![Span::styled(format!("{count} "), t.muted)],
        )
    } else {
        let text = apiauth_core::sanitize::display(app.filter.value()).into_owned();
        (
            vec![
                Span::styled("filter: ", t.label),
                Span::raw(text),
                Span::styled(format!("  ({count})"), t.muted),
            ],
            vec![
                Span::styled(app.keymap.first(Mode::Browse, Action::Filter), t.key),
                Span::raw(" edit · "),
                Span::styled(app.keymap.first(Mode::Browse, Action::ClearFilter), t.key),
                Span::raw(" clear "),
            ],
        )
    };
    split(left, right, area, buf);
}

pub(super) fn status(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let mut right = Vec::new();
    if app.loaded && app.modal.is_none() {
        match app.view {
            View::Keys => {
                let (sort, reversed) = app.list.sort();
                let position = if app.list.len() == 0 {
                    0
                } else {
                    app.list.cursor() + 1
                };
                right.push(Span::styled(
                    format!(
                        "{}/{} · by {} {} ",
                        thousands(position),
                        thousands(app.list.len()),
                        sort.label(),
                        if reversed { "↓" } else { "↑" }
                    ),
                    t.muted,
                ));
            }
            View::Dashboard => right.push(Span::styled(
                format!(
                    "{} need action ",
                    thousands(app.list.data().dashboard.needs_action.len())
                ),
                t.muted,
            )),
        }
    }
    let left = match &app.notice {
        Some(notice) => {
            let style = match notice.level {
                Level::Info => t.success,
                Level::Warning => t.warning,
            };
            vec![Span::styled(format!(" {}", notice.text), style)]
        }
        None => hints(
            app,
            usize::from(area.width).saturating_sub(width(&right) + 1),
        ),
    };
    split(left, right, area, buf);
}

/// The mode's hints that fit in `room` columns; help and quit are always kept.
fn hints(app: &App, room: usize) -> Vec<Span<'static>> {
    let mode = app.mode();
    let mut items = match &app.modal {
        Some(Modal::Secret(secret)) if mode == Mode::Confirm => secret.confirm_hints(&app.keymap),
        _ => app.keymap.hints(mode),
    };
    if mode == Mode::Browse && app.view == View::Dashboard {
        items.retain(|h| {
            !matches!(
                h.action,
                Action::Rotate | Action::Revoke | Action::CopyId | Action::Sort
            )
        });
        for item in &mut items {
            if item.action == Action::Open {
                item.label = "go to key";
            }
        }
    }
    let cost = |items: &[Hint]| -> usize {
        items
            .iter()
            .map(|h| h.key.width() + h.label.width() + 4)
            .sum::<usize>()
            + 1
    };
    while cost(&items) > room && items.len() > 2 {
        items.remove(items.len() - 3);
    }
    let mut spans = vec![Span::raw(" ")];
    spans.extend(hints_line(items, &app.theme).spans);
    spans
}
