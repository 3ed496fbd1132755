//! The parts every modal form is made of: a text input (optionally masked), a choice, the
//! field list with its focus, and errors kept next to their field (drawn by `views/form.rs`).
//!
//! Each form (one file per form under `popups/`) owns a [`Form`], checks its fields with the
//! model's parsers, and hands any `Error::Invalid` that `ops` returns back to [`Form::fail`],
//! which puts it next to the field it names.

use zeroize::Zeroizing;

use crate::error::Error;

/// A field of a form, as `ops` errors name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldId {
    Kind,
    Value,
    Name,
    Service,
    Env,
    Expiry,
    RateLimit,
    Prefix,
    Scopes,
    Claims,
    Grace,
    ConfirmId,
    Reason,
}

impl FieldId {
    /// The field an `Error::Invalid { field, .. }` from `ops` is about.
    fn from_flag(flag: &str) -> Option<FieldId> {
        Some(match flag {
            "value" => FieldId::Value,
            "--name" => FieldId::Name,
            "--service" => FieldId::Service,
            "--env" => FieldId::Env,
            "--expires-at" | "--expiry-days" => FieldId::Expiry,
            "--rate-limit" => FieldId::RateLimit,
            "--prefix" => FieldId::Prefix,
            "--scope" => FieldId::Scopes,
            "--claim" => FieldId::Claims,
            "--grace" => FieldId::Grace,
            "--reason" => FieldId::Reason,
            _ => return None,
        })
    }
}

/// What a key does inside a form's field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    Char(char),
    Paste(Zeroizing<String>),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
}

/// A line of editable text. Its buffer is zeroized when dropped, and a secret input reserves
/// its whole capacity up front so that typing never leaves a reallocated copy behind.
#[derive(Debug)]
pub(crate) struct TextInput {
    value: Zeroizing<String>,
    /// Cursor position, in characters.
    cursor: usize,
    /// Length, in characters.
    pub chars: usize,
    max_chars: usize,
    /// Never grow the buffer (secret inputs).
    fixed: bool,
}

impl TextInput {
    pub fn new(max_chars: usize) -> TextInput {
        TextInput {
            value: Zeroizing::new(String::new()),
            cursor: 0,
            chars: 0,
            max_chars,
            fixed: false,
        }
    }

    /// An input whose bytes never move: room for `max_bytes` is reserved now, and input
    /// beyond it is refused.
    pub fn secret(max_bytes: usize) -> TextInput {
        TextInput {
            value: Zeroizing::new(String::with_capacity(max_bytes)),
            fixed: true,
            ..TextInput::new(max_bytes)
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// Cursor position, in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Inserts the safe characters of `text` at the cursor, as many as fit.
    fn insert(&mut self, text: &str) {
        let mut at = self.byte_at(self.cursor);
        for c in text.chars().filter(|&c| !crate::sanitize::is_unsafe(c)) {
            if self.chars >= self.max_chars
                || (self.fixed && self.value.len() + c.len_utf8() > self.value.capacity())
            {
                break;
            }
            self.value.insert(at, c);
            at += c.len_utf8();
            self.cursor += 1;
            self.chars += 1;
        }
    }

    pub fn edit(&mut self, edit: &Edit) {
        match edit {
            Edit::Char(c) => self.insert(c.encode_utf8(&mut [0; 4])),
            Edit::Paste(text) => self.insert(text),
            Edit::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                self.chars -= 1;
            }
            Edit::Delete if self.cursor < self.chars => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                self.chars -= 1;
            }
            Edit::Left => self.cursor = self.cursor.saturating_sub(1),
            Edit::Right => self.cursor = (self.cursor + 1).min(self.chars),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = self.chars,
            Edit::Backspace | Edit::Delete => {}
        }
    }
}

/// How a field takes input.
#[derive(Debug)]
pub(crate) enum Control {
    Text(TextInput),
    /// One of a few options, changed with left/right/space.
    Choice {
        options: &'static [&'static str],
        selected: usize,
    },
}

/// One labelled field.
#[derive(Debug)]
pub(crate) struct Field {
    pub id: FieldId,
    pub label: &'static str,
    /// Shown, dimmed, while the field is empty: the default or an example.
    pub placeholder: String,
    pub control: Control,
    /// Shown as bullets.
    pub masked: bool,
    pub hidden: bool,
    pub error: Option<String>,
}

impl Field {
    pub fn text(id: FieldId, label: &'static str, max_chars: usize, placeholder: &str) -> Field {
        Field {
            id,
            label,
            placeholder: placeholder.to_owned(),
            control: Control::Text(TextInput::new(max_chars)),
            masked: false,
            hidden: false,
            error: None,
        }
    }
}

/// A form: fields, the focused one, and an error about the whole form.
#[derive(Debug)]
pub(crate) struct Form {
    pub title: String,
    /// Lines above the fields (already sanitized).
    pub intro: Vec<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
}

impl Form {
    pub fn new(title: impl Into<String>, intro: Vec<String>, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            intro,
            fields,
            focus: 0,
            error: None,
        }
    }

    pub fn field(&self, id: FieldId) -> &Field {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .expect("forms only ask for their own fields")
    }

    pub fn field_mut(&mut self, id: FieldId) -> &mut Field {
        self.fields
            .iter_mut()
            .find(|f| f.id == id)
            .expect("forms only ask for their own fields")
    }

    /// The text of a text field, trimmed.
    pub fn text(&self, id: FieldId) -> &str {
        match &self.field(id).control {
            Control::Text(input) => input.value().trim(),
            Control::Choice { options, selected } => options[*selected],
        }
    }

    /// The selected option of a choice field.
    pub fn choice(&self, id: FieldId) -> usize {
        match self.field(id).control {
            Control::Choice { selected, .. } => selected,
            Control::Text(_) => 0,
        }
    }

    pub fn focused(&self) -> FieldId {
        self.fields[self.focus].id
    }

    fn step(&mut self, forward: bool) {
        let n = self.fields.len();
        for i in 1..=n {
            let at = if forward {
                (self.focus + i) % n
            } else {
                (self.focus + n - i) % n
            };
            if !self.fields[at].hidden {
                self.focus = at;
                return;
            }
        }
    }

    /// Moves to the next visible field.
    pub fn next(&mut self) {
        self.step(true);
    }

    /// Moves to the previous visible field.
    pub fn prev(&mut self) {
        self.step(false);
    }

    /// Applies an edit to the focused field; its error goes away, as it may no longer hold.
    pub fn edit(&mut self, edit: &Edit) {
        let field = &mut self.fields[self.focus];
        field.error = None;
        self.error = None;
        match &mut field.control {
            Control::Text(input) => input.edit(edit),
            Control::Choice { options, selected } => match edit {
                Edit::Left => *selected = (*selected + options.len() - 1) % options.len(),
                Edit::Right | Edit::Char(' ') => *selected = (*selected + 1) % options.len(),
                _ => {}
            },
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for field in &mut self.fields {
            field.error = None;
        }
    }

    /// Records a problem with one field.
    pub fn set_error(&mut self, id: FieldId, message: impl Into<String>) {
        self.field_mut(id).error = Some(message.into());
    }

    /// Whether any field has an error; if so the first one gets the focus.
    pub fn has_errors(&mut self) -> bool {
        match self
            .fields
            .iter()
            .position(|f| f.error.is_some() && !f.hidden)
        {
            Some(at) => {
                self.focus = at;
                true
            }
            None => false,
        }
    }

    /// Shows an error from `ops`: next to its field when it names one of this form's
    /// fields, under the form otherwise.
    pub fn fail(&mut self, error: &Error) {
        let message = crate::sanitize::display(&error.to_string()).into_owned();
        if let Error::Invalid { field, message } = error
            && let Some(id) = FieldId::from_flag(field)
            && self.fields.iter().any(|f| f.id == id && !f.hidden)
        {
            self.set_error(id, crate::sanitize::display(message).into_owned());
            self.has_errors();
            return;
        }
        let hint = crate::cli::report::hint(error)
            .map(|h| format!(" ({})", crate::sanitize::display(&h)))
            .unwrap_or_default();
        self.error = Some(format!("{message}{hint}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let mut hidden = Field::text(FieldId::Prefix, "Prefix", 16, "ak");
        hidden.hidden = true;
        Form::new(
            "Test",
            vec![],
            vec![
                Field::text(FieldId::Name, "Name", 128, ""),
                hidden,
                Field::text(FieldId::Service, "Service", 64, ""),
            ],
        )
    }

    #[test]
    fn text_input_edits_at_the_cursor() {
        let mut input = TextInput::new(10);
        input.edit(&Edit::Paste(Zeroizing::new("héllo".into())));
        input.edit(&Edit::Left);
        input.edit(&Edit::Backspace);
        assert_eq!(input.value(), "hélo");
        input.edit(&Edit::Home);
        input.edit(&Edit::Char('¡'));
        input.edit(&Edit::End);
        input.edit(&Edit::Delete);
        assert_eq!(input.value(), "¡hélo");
        input.edit(&Edit::Char('\u{1b}'));
        input.edit(&Edit::Paste(Zeroizing::new(
            "a\nb\u{202e}c-too-long".into(),
        )));
        assert_eq!(
            input.value(),
            "¡héloabc-t",
            "controls dropped, at most 10 chars"
        );
    }

    #[test]
    fn a_secret_input_never_reallocates() {
        let mut input = TextInput::secret(64);
        let before = input.value.as_ptr();
        input.edit(&Edit::Paste(Zeroizing::new("x".repeat(200))));
        assert_eq!(input.value.as_ptr(), before);
        assert!(input.value().len() <= 64);
    }

    #[test]
    fn focus_skips_hidden_fields_and_wraps() {
        let mut f = form();
        f.next();
        assert_eq!(f.focused(), FieldId::Service);
        f.next();
        assert_eq!(f.focused(), FieldId::Name);
        f.prev();
        assert_eq!(f.focused(), FieldId::Service);
    }

    #[test]
    fn ops_errors_go_next_to_their_field() {
        let mut f = form();
        f.fail(&Error::invalid("--service", "service must not be empty"));
        assert_eq!(
            f.field(FieldId::Service).error.as_deref(),
            Some("service must not be empty")
        );
        assert_eq!(f.focused(), FieldId::Service);
        f.fail(&Error::invalid("--prefix", "bad prefix"));
        assert!(
            f.error.as_deref().unwrap().contains("bad prefix"),
            "a hidden field's error is shown under the form"
        );
        f.edit(&Edit::Char('x'));
        assert!(
            f.field(FieldId::Service).error.is_none(),
            "editing clears it"
        );
    }
}
