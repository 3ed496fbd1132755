//! Drawing: `impl Widget for &App`, a pure read of the state (no I/O, no decrypting), that
//! builds only what is on screen: the visible rows of the table, the visible lines of a list.

mod bars;
mod dashboard;
mod detail;
pub(crate) mod form;
mod table;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};

use super::app::{App, View};
use super::keys::{Action, Mode};
use super::layout;
use super::popups::{self, Modal};
use super::theme::Theme;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let screen = layout::screen(area, self.filter_line());
        bars::header(self, screen.header, buf);
        if !self.loaded {
            loading(self, screen.body, buf);
        } else {
            match self.view {
                View::Keys => {
                    let banner = self.banner_text(screen.body);
                    let rows = layout::banner_rows(banner.len(), screen.body);
                    let parts = layout::keys(screen.body, rows, self.zoomed);
                    if let Some(rect) = parts.banner {
                        let title = if self.unreadable_change {
                            " The keystore file changed and cannot be read: showing the last \
                             good read "
                        } else {
                            " Reload failed: showing the last good read "
                        };
                        error_box(title, &banner.join("\n"), rect, buf, &self.theme);
                    }
                    if !self.zoomed {
                        table::render(self, parts.table, buf);
                    }
                    detail::render(self, parts.detail, buf);
                }
                View::Dashboard => dashboard::render(self, screen.body, buf),
            }
        }
        if let Some(line) = screen.filter {
            bars::filter(self, line, buf);
        }
        bars::status(self, screen.status, buf);
        match &self.modal {
            None => {}
            Some(Modal::Help { scroll }) => popups::help::render(
                area,
                buf,
                *scroll,
                &self.keymap,
                &self.theme,
                &apiauth_core::sanitize::display(&self.ctx.store.describe()),
            ),
            Some(Modal::Secret(secret)) => secret.render(
                area,
                buf,
                (self.instant, self.now),
                &self.theme,
                &self.keymap,
            ),
            Some(modal) => {
                if let Some(f) = modal.form() {
                    form::render(f, area, buf, &self.theme, &self.keymap);
                }
            }
        }
    }
}

/// Where the terminal cursor goes on the filter line `line` while the filter is typed.
pub(crate) fn filter_cursor(app: &App, line: Rect) -> ratatui::layout::Position {
    let (_, col) = bars::filter_edit(app, line.width);
    ratatui::layout::Position::new((line.x + col).min(line.right().saturating_sub(1)), line.y)
}

/// Before the first load: its error, or that it is under way.
fn loading(app: &App, body: Rect, buf: &mut Buffer) {
    match &app.load_error {
        Some(error) => {
            let text = format!(
                "{error}\n\nThe terminal UI stays open: it tries again every few seconds and as \
                 soon as the keystore file changes. {} quits, {} lists the key bindings.",
                app.keymap.first(Mode::Browse, Action::Quit),
                app.keymap.first(Mode::Browse, Action::Help),
            );
            error_box(" Cannot open the keystore ", &text, body, buf, &app.theme);
        }
        None => Paragraph::new(Line::styled("Loading the keystore…", app.theme.muted))
            .render(body.inner(ratatui::layout::Margin::new(2, 1)), buf),
    }
}

/// A bordered box with an error message, wrapped.
fn error_box(title: &str, text: &str, area: Rect, buf: &mut Buffer, theme: &Theme) {
    Paragraph::new(text.to_owned())
        .style(theme.error)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(theme.error)
                .title(title.to_owned()),
        )
        .render(area, buf);
}

/// `text` cut to `width` columns, with `…` when something was cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(fit("stripe-production", 8), "stripe-…");
        assert_eq!(fit("short", 8), "short");
        assert_eq!(fit("ab", 0), "");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
