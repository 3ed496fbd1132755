//! The `?` overlay: every binding of every mode, generated from the key map in force (so a
//! rebinding shows here), plus the mouse and where the keystore is. Two columns when there is
//! room; scrolls otherwise, with the movement keys of the table and the mouse wheel.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

use super::super::action::Action;
use super::super::app::App;
use super::super::keys::{BINDINGS, Keymap, Mode};
use super::super::message::Message;
use super::super::theme::Theme;
use super::{HELP_WIDTH, Modal, hint_line, open};

/// Width of the keys column.
const KEYS: usize = 18;
/// Width of a column: keys, then a description of at most 36 characters.
const COLUMN: u16 = KEYS as u16 + 2 + 36;

fn section(mode: Mode, keys: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(mode.title().to_owned(), theme.title)];
    for b in BINDINGS.iter().filter(|b| b.mode == mode) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<KEYS$}", keys.label(mode, b.action)),
                theme.key,
            ),
            Span::raw(b.description),
        ]));
    }
    lines.push(Line::default());
    lines
}

fn mouse(theme: &Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled("Mouse", theme.title),
        Line::from(vec![
            Span::styled(format!("  {:<KEYS$}", "click"), theme.key),
            Span::raw("select a row or a view tab"),
        ]),
        Line::from(vec![
            Span::styled(format!("  {:<KEYS$}", "wheel"), theme.key),
            Span::raw("move through the list"),
        ]),
        Line::default(),
    ]
}

/// The help text in one column (`left`) or two (`left`, `right`).
fn columns(keys: &Keymap, theme: &Theme, two: bool) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let mut left = section(Mode::Browse, keys, theme);
    let mut right = Vec::new();
    for mode in &Mode::ALL[1..] {
        right.extend(section(*mode, keys, theme));
    }
    right.extend(mouse(theme));
    right.push(Line::styled("Marks", theme.title));
    right.push(Line::from(vec![
        Span::styled(format!("  {:<KEYS$}", "✓ ⚠ ✗ ⊘"), theme.key),
        Span::raw("healthy, expiring, expired, revoked"),
    ]));
    right.push(Line::from(vec![
        Span::styled(format!("  {:<KEYS$}", "◌ / · stale"), theme.key),
        Span::raw("stale: unused for stale_after_days"),
    ]));
    if two {
        (left, right)
    } else {
        left.extend(right);
        (left, Vec::new())
    }
}

impl App {
    /// Help scrolls, or closes.
    pub(super) fn help(&self, scroll: usize, message: Message) -> Option<Modal> {
        let length = self.help_length();
        let page = (self.size.height / 2) as isize;
        let to = |rows: isize| scroll.saturating_add_signed(rows).min(length);
        let scroll = match message {
            Message::Action(Action::CloseHelp) => return None,
            Message::Action(Action::Up) => to(-1),
            Message::Action(Action::Down) => to(1),
            Message::Scroll(rows) => to(rows),
            Message::Action(Action::PageUp) => to(-page),
            Message::Action(Action::PageDown) => to(page),
            Message::Action(Action::Top) => 0,
            Message::Action(Action::Bottom) => length,
            _ => scroll,
        };
        Some(Modal::Help { scroll })
    }
}

/// Whether `width` (inside the popup) takes two columns.
fn two_columns(width: u16) -> bool {
    width >= 2 * COLUMN
}

/// Number of lines help needs at `width`, for scrolling.
pub(crate) fn length(keys: &Keymap, theme: &Theme, width: u16) -> usize {
    let (left, right) = columns(keys, theme, two_columns(width));
    left.len().max(right.len())
}

/// Draws the overlay over `area`, scrolled down by `scroll` lines.
pub(crate) fn render(
    area: Rect,
    buf: &mut Buffer,
    scroll: usize,
    keys: &Keymap,
    theme: &Theme,
    store: &str,
) {
    let height = |w| length(keys, theme, w) as u16 + 2;
    let inner = open(area, HELP_WIDTH, buf, "Key bindings", theme, height);
    let two = two_columns(inner.width);
    let (left, right) = columns(keys, theme, two);
    let rows = usize::from(inner.height.saturating_sub(2));
    let longest = left.len().max(right.len());
    let scroll = scroll.min(longest.saturating_sub(rows));
    let [body, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
    let cut = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
        lines.into_iter().skip(scroll).take(rows).collect()
    };
    if two {
        let [l, r] =
            Layout::horizontal([Constraint::Length(COLUMN), Constraint::Fill(1)]).areas(body);
        Paragraph::new(cut(left)).render(l, buf);
        Paragraph::new(cut(right)).render(r, buf);
    } else {
        Paragraph::new(cut(left)).render(body, buf);
    }
    let more = if scroll + rows < longest {
        Span::styled("  ↓ more below", theme.muted)
    } else {
        Span::raw("")
    };
    let mut close = hint_line(keys, Mode::Help, theme);
    close.spans.push(more);
    Paragraph::new(vec![
        Line::styled(
            format!("Keystore: {store} · rebind keys under [keys] in config.toml"),
            theme.muted,
        ),
        close,
    ])
    .render(footer, buf);
}
