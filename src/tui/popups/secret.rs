//! The one-time secret display, after generate and rotate: the value masked until `v`, `c` to
//! copy it (with the clipboard's countdown), and `Enter` to finish, which asks "saved it?" once.
//! `Ctrl-C` there asks too, saying that it quits apiauth. Dropping the value cannot be undone,
//! so it is a value that needs a confirmation: the question carries the [`Leave`] it asks
//! about, and a yes does that.
//! When the popup is dropped the [`SecretString`] inside is zeroized: the value is gone.
//!
//! The value is drawn straight into the buffer cell by cell, never through an intermediate
//! `String`.

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};
use unicode_width::UnicodeWidthChar as _;

use crate::clipboard::Method;
use apiauth_core::SecretString;
use apiauth_core::model::KeyEntry;
use apiauth_core::ops::Issued;
use apiauth_core::sanitize::display;
use apiauth_core::timefmt;

use super::super::app::{App, Level};
use super::super::copy::{self, Cleared, SecretCopy};
use super::super::keys::{Action, Hint, Keymap, Mode};
use super::super::message::Message;
use super::super::theme::Theme;
use super::super::views::form::wrap;
use super::{FORM_WIDTH, Modal, hint_line, hints_line, open};

/// Leaving the secret display, which drops the value for good: what a question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leave {
    /// Close the display ("saved it?").
    Dismiss,
    /// Close it and quit apiauth (Ctrl-C was pressed while it showed).
    Quit,
}

/// The secret display.
#[derive(Debug)]
pub(crate) struct SecretPopup {
    pub entry: KeyEntry,
    secret: SecretString,
    pub rotated: bool,
    pub revealed: bool,
    /// The question on show, and what a yes to it does.
    pub asking: Option<Leave>,
    pub copy: Option<SecretCopy>,
}

impl SecretPopup {
    pub fn new(issued: Issued, rotated: bool) -> SecretPopup {
        SecretPopup {
            entry: issued.entry,
            secret: issued.secret,
            rotated,
            revealed: false,
            asking: None,
            copy: None,
        }
    }

    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// Clears the clipboard if the copy's countdown has run out by `now` (or at once when
    /// `now` is `None`) and it still holds the value.
    pub fn settle_copy(&mut self, now: Option<Instant>) -> Option<Cleared> {
        self.copy.as_mut()?.settle(self.secret.expose(), now)
    }

    /// The key hints while asking before the value is dropped: `yes` reads `quit` when
    /// answering quits apiauth.
    pub fn confirm_hints(&self, keys: &Keymap) -> Vec<Hint> {
        let mut hints = keys.hints(Mode::Confirm);
        for hint in &mut hints {
            if self.asking == Some(Leave::Quit) && hint.action == Action::Confirm {
                hint.label = "quit";
            }
        }
        hints
    }

    fn title(&self) -> String {
        let what = self.entry.kind.label();
        if self.rotated {
            format!(
                "{} rotated to v{}: new {what}",
                self.entry.id,
                self.entry.version()
            )
        } else {
            format!("New {what} {}", self.entry.id)
        }
    }

    /// What the clipboard line says.
    fn clipboard_text(&self, now: Instant, confirming: bool) -> Option<String> {
        let copy = self.copy.as_ref()?;
        let fallback = copy
            .fallback
            .as_ref()
            .map(|e| format!("The system clipboard failed ({}), so: ", display(e)))
            .unwrap_or_default();
        Some(match (copy.method, copy.remaining(now), copy.outcome) {
            (Method::Osc52, ..) if confirming => {
                "Your terminal's clipboard (OSC 52) may still hold it: apiauth cannot read it back \
                 to clear it. Clear it yourself once pasted."
                    .to_owned()
            }
            (Method::Osc52, ..) => format!(
                "{fallback}Sent to your terminal's clipboard (OSC 52, if your terminal allows it). \
                 apiauth cannot read that clipboard back, so it will not clear it: clear it \
                 yourself once pasted."
            ),
            (Method::System, Some(_), _) if confirming => {
                "The system clipboard still holds it: it is cleared now, unless you copied \
                 something else since."
                    .to_owned()
            }
            (Method::System, Some(secs), _) => format!(
                "Copied to the system clipboard. Cleared in {secs}s if it still holds this value."
            ),
            (Method::System, None, Some(Cleared::Cleared)) => {
                "Cleared from the system clipboard.".to_owned()
            }
            (Method::System, None, _) => {
                "The clipboard changed since the copy, so it was left alone.".to_owned()
            }
        })
    }

    /// Lines of the popup at `width`; the value's own line is `None` (drawn cell by cell).
    fn lines(
        &self,
        width: u16,
        now: Instant,
        at: chrono::DateTime<chrono::Utc>,
        theme: &Theme,
        keys: &Keymap,
    ) -> Vec<Option<Line<'static>>> {
        let width = usize::from(width);
        let e = &self.entry;
        let mut lines: Vec<Option<Line<'static>>> = Vec::new();
        let text = |lines: &mut Vec<Option<Line<'static>>>, s: &str, style| {
            for l in wrap(s, width) {
                lines.push(Some(Line::styled(l, style)));
            }
        };
        text(
            &mut lines,
            &format!(
                "{} ({}{}) · v{} · expires {}",
                display(&e.name),
                display(&e.service),
                e.env
                    .as_deref()
                    .map(|v| format!(" · {}", display(v)))
                    .unwrap_or_default(),
                e.version(),
                timefmt::date_relative(e.expires_at, at)
            ),
            theme.label,
        );
        lines.push(Some(Line::default()));
        match self.asking {
            Some(Leave::Quit) => {
                text(&mut lines, "Quit apiauth?", theme.title);
                text(
                    &mut lines,
                    "The value will not be shown again: apiauth keeps only its hash.",
                    Default::default(),
                );
                text(
                    &mut lines,
                    &format!(
                        "{} quits, {} goes back to the value.",
                        keys.label(Mode::Confirm, Action::Confirm),
                        keys.label(Mode::Confirm, Action::Back)
                    ),
                    Default::default(),
                );
            }
            Some(Leave::Dismiss) => {
                text(&mut lines, "Saved it?", theme.title);
                text(
                    &mut lines,
                    "Once dismissed the value is gone for good: apiauth keeps only its hash and \
                     cannot show it again.",
                    Default::default(),
                );
            }
            None => {}
        }
        if self.asking.is_some() {
            if let Some(c) = self.clipboard_text(now, true) {
                text(&mut lines, &c, theme.warning);
            }
            lines.push(Some(Line::default()));
            lines.push(Some(hints_line(self.confirm_hints(keys), theme)));
            return lines;
        }
        if self.revealed {
            let rows = self.secret.expose().chars().count().div_ceil(width.max(1));
            lines.extend(std::iter::repeat_n(None, rows.max(1)));
        } else {
            lines.push(Some(Line::from(vec![
                Span::styled(e.hint().trim_end_matches('…').to_owned(), theme.secret),
                Span::styled("•".repeat(24), theme.secret),
                Span::styled(
                    format!("  ({} reveals)", keys.first(Mode::Secret, Action::Reveal)),
                    theme.muted,
                ),
            ])));
        }
        lines.push(Some(Line::default()));
        text(
            &mut lines,
            "⚠ This is the only time the value is shown. Save it now: apiauth stores only its hash.",
            theme.warning,
        );
        if let Some(c) = self.clipboard_text(now, false) {
            text(&mut lines, &c, Default::default());
        }
        lines.push(Some(Line::default()));
        lines.push(Some(hint_line(keys, Mode::Secret, theme)));
        lines
    }

    /// Draws the popup. The lines above the value start at the top and the lines below it
    /// (the warning, the clipboard line, the keys) end at the bottom, whatever the value's
    /// length: when a long value (a JWT with many claims) does not fit between them, what fits
    /// is shown and the last row says how much more there is and how to copy it all.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        (now, at): (Instant, chrono::DateTime<chrono::Utc>),
        theme: &Theme,
        keys: &Keymap,
    ) {
        let height = |w| self.lines(w, now, at, theme, keys).len() as u16;
        let inner = open(area, FORM_WIDTH, buf, &self.title(), theme, height);
        let mut lines = self.lines(inner.width, now, at, theme, keys);
        let value_at = lines.iter().position(Option::is_none);
        let (head, tail) = match value_at {
            Some(first) => {
                let rows = lines[first..].iter().take_while(|l| l.is_none()).count();
                let tail = lines.split_off(first + rows);
                lines.truncate(first);
                (lines, tail)
            }
            None => (lines, Vec::new()),
        };
        let line_at = |line: Line<'static>, y: u16, buf: &mut Buffer| {
            Paragraph::new(line).render(
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                buf,
            );
        };
        let tail_rows = tail.len().min(usize::from(inner.height)) as u16;
        let head_rows = head.len().min(usize::from(inner.height - tail_rows)) as u16;
        for (y, line) in (inner.y..).zip(head.into_iter().take(usize::from(head_rows))) {
            line_at(line.unwrap_or_default(), y, buf);
        }
        let skipped = tail.len() - usize::from(tail_rows);
        for (y, line) in (inner.bottom() - tail_rows..).zip(tail.into_iter().skip(skipped)) {
            line_at(line.unwrap_or_default(), y, buf);
        }
        if value_at.is_some() {
            let value = Rect {
                y: inner.y + head_rows,
                height: inner.height - head_rows - tail_rows,
                ..inner
            };
            self.draw_value(value, buf, theme, keys);
        }
    }

    /// Writes the value into `area`, wrapping at its width. When it does not fit, the last row
    /// says how many characters are not shown.
    fn draw_value(&self, area: Rect, buf: &mut Buffer, theme: &Theme, keys: &Keymap) {
        if area.is_empty() {
            return;
        }
        let value = self.secret.expose();
        let cells = |c: char| c.width().unwrap_or(1).max(1) as u16;
        let mut rows = 1;
        let mut x = 0;
        for c in value.chars() {
            if x + cells(c) > area.width {
                rows += 1;
                x = 0;
            }
            x += cells(c);
        }
        let room = if rows > area.height {
            area.height - 1
        } else {
            area.height
        };
        let (mut x, mut y) = (area.x, area.y);
        let mut drawn = 0;
        for c in value.chars() {
            let w = cells(c);
            if x + w > area.right() {
                x = area.x;
                y += 1;
            }
            if y >= area.y + room {
                break;
            }
            buf[(x, y)].set_char(c).set_style(theme.secret);
            x += w;
            drawn += 1;
        }
        let rest = value.chars().count() - drawn;
        if rest > 0 {
            let more = format!(
                "… {} more characters — press {} to copy",
                super::super::views::thousands(rest),
                keys.first(Mode::Secret, Action::Copy)
            );
            Paragraph::new(Line::styled(more, theme.muted)).render(
                Rect {
                    y: area.bottom() - 1,
                    height: 1,
                    ..area
                },
                buf,
            );
        }
    }
}

impl App {
    /// A message while the secret shows: reveal, copy, or ask before it is dropped (and drop
    /// it on a yes).
    pub(super) fn secret(
        &mut self,
        mut secret: Box<SecretPopup>,
        message: Message,
    ) -> Option<Modal> {
        let Message::Action(action) = message else {
            return Some(Modal::Secret(secret));
        };
        match action {
            Action::Reveal if secret.asking.is_none() => secret.revealed = !secret.revealed,
            Action::Copy if secret.asking.is_none() => {
                let seconds = u64::from(self.ctx.config.clipboard_clear_seconds);
                let copied = copy::copy(
                    self.clipboard,
                    &self.open_board,
                    secret.secret().expose(),
                    self.instant,
                    Some(Duration::from_secs(seconds)),
                );
                self.output.extend(copied.osc52);
                secret.copy = Some(copied.copy);
            }
            Action::Dismiss => secret.asking = Some(Leave::Dismiss),
            Action::Back => secret.asking = None,
            Action::Confirm => {
                if let Some(leave) = secret.asking {
                    self.leave(secret, leave);
                    return None;
                }
            }
            _ => {}
        }
        Some(Modal::Secret(secret))
    }

    /// Drops the secret for good, clearing the system clipboard first if it still holds it;
    /// quits too when that is how it is left.
    pub(crate) fn leave(&mut self, mut secret: Box<SecretPopup>, leave: Leave) {
        let id = secret.entry.id.clone();
        let method = secret.copy.as_ref().map(|c| c.method);
        let notice = match method {
            Some(Method::Osc52) => Some((
                Level::Warning,
                "Gone for good. The terminal clipboard may still hold it: clear it yourself"
                    .to_owned(),
            )),
            Some(_) => match secret.settle_copy(None) {
                Some(Cleared::Cleared) => Some((
                    Level::Info,
                    "The value is gone; the clipboard was cleared".into(),
                )),
                Some(Cleared::LeftAlone) => Some((
                    Level::Info,
                    "The value is gone; the clipboard held something else, left alone".into(),
                )),
                None => None,
            },
            None => None,
        };
        drop(secret);
        let (level, text) =
            notice.unwrap_or((Level::Info, format!("The value of {id} is gone for good")));
        self.notify(level, text);
        self.quit |= leave == Leave::Quit;
    }
}
