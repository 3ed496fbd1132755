//! Modal popups, one file each: the generate, import, rotate and revoke forms, the one-time
//! secret display and the help overlay; plus what they share: where a popup sits, its frame,
//! its key hint line, and the parsing of the fields that combine two CLI flags.

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

use apiauth_core::model::{self, Expiry};
use apiauth_core::ops::Labels;

use super::form::{FieldId, Form};
use super::keys::{Keymap, Mode};
use super::theme::Theme;

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
pub(crate) fn hints_line(hints: Vec<(String, &'static str)>, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (key, label)) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}

/// The expiry field: a number of days (`90`, as `-e`) or a time (`2027-01-31`, as
/// `--expires-at`); empty for the default.
pub(crate) fn expiry_field(form: &mut Form) -> Option<Expiry> {
    let text = form.text(FieldId::Expiry).to_owned();
    if text.is_empty() {
        return None;
    }
    match model::parse_expiry(&text) {
        Ok(expiry) => Some(expiry),
        Err(message) => {
            form.set_error(FieldId::Expiry, message);
            None
        }
    }
}

/// An optional field checked by `parse`; an error is put next to it.
pub(crate) fn optional<T>(
    form: &mut Form,
    id: FieldId,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let text = form.text(id).to_owned();
    if text.is_empty() {
        return None;
    }
    parse(&text)
        .map_err(|message| form.set_error(id, message))
        .ok()
}

/// A required field checked by `parse`; an error is put next to it.
pub(crate) fn required<T>(
    form: &mut Form,
    id: FieldId,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let text = form.text(id).to_owned();
    parse(&text)
        .map_err(|message| form.set_error(id, message))
        .ok()
}

/// A list field (`a, b c`): each item checked by `parse`; the first bad one is reported.
pub(crate) fn list<T>(
    form: &mut Form,
    id: FieldId,
    separators: &[char],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<T> {
    let text = form.text(id).to_owned();
    let mut items = Vec::new();
    for item in text
        .split(separators)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match parse(item) {
            Ok(value) => items.push(value),
            Err(message) => {
                form.set_error(id, message);
                break;
            }
        }
    }
    items
}

/// The fields generate and import share, each checked with its parser: the labels (when the
/// name and the service are good) and the expiry.
pub(crate) fn labels(form: &mut Form) -> (Option<Labels>, Option<Expiry>) {
    let name = required(form, FieldId::Name, model::parse_name);
    let service = required(form, FieldId::Service, model::parse_service);
    let env = optional(form, FieldId::Env, model::parse_env);
    let expiry = expiry_field(form);
    let rate_limit = optional(form, FieldId::RateLimit, model::parse_rate_limit);
    let scopes = list(form, FieldId::Scopes, &[',', ' '], model::parse_scope);
    let labels = name.zip(service).map(|(name, service)| Labels {
        name,
        service,
        env,
        scopes,
        rate_limit,
    });
    (labels, expiry)
}

/// Placeholder of an expiry field that defaults to `default` when left empty.
pub(crate) fn expiry_placeholder(default: &str) -> String {
    format!("empty: {default}; or days (90), or a date (2027-01-31)")
}

/// The words for a default expiry of `days`.
pub(crate) fn default_expiry(days: Option<u32>) -> String {
    days.map_or_else(|| "no expiry".to_owned(), |d| format!("{d} days"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::form::Field;

    fn expiry(text: &str) -> (Option<Expiry>, Option<String>) {
        let mut form = Form::new(
            "t",
            vec![],
            vec![Field::text(FieldId::Expiry, "Expires", "")],
        );
        form.edit(&crate::tui::form::Edit::Paste(zeroize::Zeroizing::new(
            text.to_owned(),
        )));
        let parsed = expiry_field(&mut form);
        (parsed, form.field(FieldId::Expiry).error.clone())
    }

    #[test]
    fn the_expiry_field_takes_days_or_a_time() {
        assert_eq!(expiry("").0, None);
        assert_eq!(expiry("90").0, Some(Expiry::Days(90)));
        assert!(matches!(expiry("2027-01-31").0, Some(Expiry::At(_))));
        assert!(matches!(
            expiry("2027-01-31T12:00:00Z").0,
            Some(Expiry::At(_))
        ));
        assert!(expiry("0").1.unwrap().contains("at least 1 day"));
        assert!(expiry("-3").1.unwrap().contains("at least 1 day"));
        assert!(expiry("soon").1.unwrap().contains("is not a time"));
    }
}
