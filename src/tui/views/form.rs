//! Drawing a form: its fields laid out for the popup's width, each error under its field,
//! the focused field kept in view, and where the terminal cursor goes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};
use unicode_width::UnicodeWidthStr as _;

use super::super::form::{Control, Form};
use super::super::keys::{Keymap, Mode};
use super::super::popups;
use super::super::theme::Theme;

/// Width of the label column.
const LABEL: usize = 12;

/// A form laid out for a width: its lines, and where the cursor goes.
struct Laid {
    lines: Vec<Line<'static>>,
    /// Line of the focused field, and the cursor column on it (text fields only).
    focus: (usize, Option<u16>),
}

/// Splits `text` into lines of at most `width` columns, at spaces where it can.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let needed = line.width() + usize::from(!line.is_empty()) + word.width();
            if needed > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            let mut rest = word;
            while rest.width() > width {
                let cut = rest
                    .char_indices()
                    .scan(0, |w, (i, c)| {
                        *w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                        Some((i, *w))
                    })
                    .find(|&(_, w)| w > width.saturating_sub(line.width()))
                    .map_or(rest.len(), |(i, _)| i)
                    .max(rest.chars().next().map_or(1, char::len_utf8));
                line.push_str(&rest[..cut]);
                lines.push(std::mem::take(&mut line));
                rest = &rest[cut..];
            }
            line.push_str(rest);
        }
        lines.push(line);
    }
    lines
}

fn lay_out(form: &Form, width: u16, theme: &Theme) -> Laid {
    let width = usize::from(width);
    let boxw = width.saturating_sub(LABEL + 2).max(4);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for text in &form.intro {
        for line in wrap(text, width) {
            lines.push(Line::from(line));
        }
    }
    if !form.intro.is_empty() {
        lines.push(Line::default());
    }
    let mut focus = (0, None);
    for (i, field) in form.fields.iter().enumerate() {
        if field.hidden {
            continue;
        }
        let focused = i == form.focus;
        let label = Span::styled(
            format!(
                "{:>LABEL$} ",
                format!("{}{}", if focused { "› " } else { "" }, field.label)
            ),
            if focused { theme.key } else { theme.label },
        );
        let (content, cursor) = match &field.control {
            Control::Text(input) => {
                let style = if focused {
                    theme.input_focused
                } else {
                    theme.input
                };
                let (text, style, col) = if input.chars == 0 {
                    let placeholder = field.placeholder.chars().take(boxw).collect();
                    (placeholder, style.patch(theme.muted), 0)
                } else {
                    let (text, col) = input.shown(boxw, field.masked);
                    (text, style, col)
                };
                let pad = boxw.saturating_sub(text.width());
                (
                    vec![Span::styled(format!("{text}{}", " ".repeat(pad)), style)],
                    Some((LABEL + 1 + col) as u16),
                )
            }
            Control::Choice { options, selected } => {
                let mut spans = Vec::new();
                for (k, option) in options.iter().enumerate() {
                    let mark = if k == *selected { "(•) " } else { "( ) " };
                    let style = if k == *selected && focused {
                        theme.input_focused
                    } else if k == *selected {
                        theme.key
                    } else {
                        theme.label
                    };
                    spans.push(Span::styled(format!("{mark}{option}"), style));
                    spans.push(Span::raw("   "));
                }
                (spans, None)
            }
        };
        if focused {
            focus = (lines.len(), cursor);
        }
        let mut spans = vec![label];
        spans.extend(content);
        lines.push(Line::from(spans));
        if let Some(error) = &field.error {
            for line in wrap(&format!("✗ {error}"), boxw) {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL + 1)),
                    Span::styled(line, theme.error),
                ]));
            }
        }
    }
    if let Some(error) = &form.error {
        lines.push(Line::default());
        for line in wrap(&format!("✗ {error}"), width) {
            lines.push(Line::styled(line, theme.error));
        }
    }
    Laid { lines, focus }
}

/// Height a form needs inside its border at `width` columns, with its hint line.
pub(crate) fn height(form: &Form, width: u16, theme: &Theme) -> u16 {
    lay_out(form, width, theme).lines.len() as u16 + 2
}

/// The first laid-out line shown so that the focused field stays in view.
fn scroll(laid: &Laid, rows: usize) -> usize {
    if laid.lines.len() <= rows {
        0
    } else {
        laid.focus
            .0
            .saturating_sub(rows.saturating_sub(2))
            .min(laid.lines.len() - rows)
    }
}

/// Draws `form` as a popup over `area`.
pub(crate) fn render(form: &Form, area: Rect, buf: &mut Buffer, theme: &Theme, keys: &Keymap) {
    let inner = popups::open(area, popups::FORM_WIDTH, buf, &form.title, theme, |w| {
        height(form, w, theme)
    });
    let laid = lay_out(form, inner.width, theme);
    let rows = usize::from(inner.height.saturating_sub(2));
    let start = scroll(&laid, rows);
    let body: Vec<Line> = laid.lines.into_iter().skip(start).take(rows).collect();
    Paragraph::new(body).render(inner, buf);
    // While the write runs, its state replaces the keys (which would not act meanwhile).
    let hints = match form.working {
        Some(working) => Line::styled(
            format!("{working} waiting for the keystore; a write under way cannot be cancelled"),
            theme.warning,
        ),
        None => popups::hint_line(keys, Mode::Form, theme),
    };
    let last = Rect {
        y: inner.bottom().saturating_sub(1),
        height: 1,
        ..inner
    };
    hints.render(last, buf);
}

/// Where the terminal cursor goes: in the focused text field.
pub(crate) fn cursor(form: &Form, area: Rect, theme: &Theme) -> Option<Position> {
    let inner = popups::inner(area, popups::FORM_WIDTH, |w| height(form, w, theme));
    let laid = lay_out(form, inner.width, theme);
    let rows = usize::from(inner.height.saturating_sub(2));
    let start = scroll(&laid, rows);
    let (line, col) = laid.focus;
    let col = col?;
    let y = line.checked_sub(start).filter(|&y| y < rows)?;
    Some(Position::new(
        (inner.x + col).min(inner.right().saturating_sub(1)),
        inner.y + y as u16,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width() {
        assert_eq!(wrap("aaa bbb ccc", 8), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghijkl", 8), ["abcdefgh", "ijkl"]);
        assert!(wrap("x y", 8).len() == 1);
    }
}
