//! Modal popups, one file each with its state, drawing, keys and hints: the generate,
//! import, rotate and revoke forms (and what the four share, `forms.rs`), the one-time secret
//! display and the help overlay; plus what every popup shares: which one is open, how a
//! message reaches it, where it sits, its frame and its key hint line.

mod forms;
pub(crate) mod generate;
pub(crate) mod help;
pub(crate) mod import;
pub(crate) mod revoke;
pub(crate) mod rotate;
pub(crate) mod secret;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget as _};

use super::app::App;
use super::form::Form;
use super::keys::{Hint, Keymap, Mode};
use super::message::Message;
use super::theme::Theme;
use generate::GenerateForm;
use import::ImportForm;
use revoke::RevokeForm;
use rotate::RotateForm;
use secret::SecretPopup;

/// The popup on top, if any.
#[derive(Debug)]
pub(crate) enum Modal {
    Help { scroll: usize },
    Generate(GenerateForm),
    Import(ImportForm),
    Rotate(RotateForm),
    Revoke(RevokeForm),
    Secret(Box<SecretPopup>),
}

impl Modal {
    pub fn form(&self) -> Option<&Form> {
        match self {
            Modal::Generate(g) => Some(&g.form),
            Modal::Import(i) => Some(&i.form),
            Modal::Rotate(r) => Some(&r.form),
            Modal::Revoke(r) => Some(&r.form),
            Modal::Help { .. } | Modal::Secret(_) => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match self {
            Modal::Generate(g) => Some(&mut g.form),
            Modal::Import(i) => Some(&mut i.form),
            Modal::Rotate(r) => Some(&mut r.form),
            Modal::Revoke(r) => Some(&mut r.form),
            Modal::Help { .. } | Modal::Secret(_) => None,
        }
    }
}

impl App {
    /// A message while a popup is open. The popup was taken out of `self.modal`; it is put
    /// back unless the message closes it.
    pub(crate) fn modal(&mut self, modal: Modal, message: Message) {
        self.modal = match modal {
            Modal::Help { scroll } => self.help(scroll, message),
            Modal::Secret(secret) => self.secret(secret, message),
            form => self.form(form, message),
        };
    }
}

/// Widest a form or the secret display gets.
pub(crate) const FORM_WIDTH: u16 = 84;
/// Widest the help overlay gets.
pub(crate) const HELP_WIDTH: u16 = 124;

/// The popup's outer rectangle: centred, at most `max_width` wide, as tall as
/// `height(inner_width)` asks (borders included), within `area`.
fn outer(area: Rect, max_width: u16, height: impl Fn(u16) -> u16) -> Rect {
    let width = area
        .width
        .saturating_sub(4)
        .min(max_width)
        .max(area.width.min(20));
    let inner_width = width.saturating_sub(4);
    let height = (height(inner_width) + 2).min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// The inside of the popup that [`open`] draws (one column of padding on each side).
pub(crate) fn inner(area: Rect, max_width: u16, height: impl Fn(u16) -> u16) -> Rect {
    let outer = outer(area, max_width, height);
    Rect {
        x: outer.x + 2,
        y: outer.y + 1,
        width: outer.width.saturating_sub(4),
        height: outer.height.saturating_sub(2),
    }
}

/// Clears the popup's rectangle, draws its frame and title, and returns the inside.
pub(crate) fn open(
    area: Rect,
    max_width: u16,
    buf: &mut Buffer,
    title: &str,
    theme: &Theme,
    height: impl Fn(u16) -> u16 + Copy,
) -> Rect {
    let rect = outer(area, max_width, height);
    Clear.render(rect, buf);
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title))
        .render(rect, buf);
    inner(area, max_width, height)
}

/// `key label · key label …` for a mode, from the key map.
pub(crate) fn hint_line(keys: &Keymap, mode: Mode, theme: &Theme) -> Line<'static> {
    hints_line(keys.hints(mode), theme)
}

/// `key label · key label …` of these hints.
pub(crate) fn hints_line(hints: Vec<Hint>, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, hint) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.push(Span::styled(hint.key, theme.key));
        spans.push(Span::raw(format!(" {}", hint.label)));
    }
    Line::from(spans)
}
