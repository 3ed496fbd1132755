//! The parts every modal form is made of: a text input (`text.rs`, optionally masked), a
//! choice, the field list with its focus, and errors kept next to their field (drawn by
//! `views/form.rs`).
//!
//! Each form (one file per form under `popups/`) owns a [`Form`], checks its fields with the
//! model's parsers, and hands any `Error::Invalid` that `ops` returns back to [`Form::fail`],
//! which puts it next to the field it names.

use apiauth_core::Error;

use super::text::{Edit, TextInput};

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
    /// The form field for the input an `Error::Invalid { field, .. }` from `ops` is about;
    /// `None` for an input no form has.
    fn for_input(field: apiauth_core::Field) -> Option<FieldId> {
        use apiauth_core::Field as Input;
        Some(match field {
            Input::Value => FieldId::Value,
            Input::Name => FieldId::Name,
            Input::Service => FieldId::Service,
            Input::Env => FieldId::Env,
            Input::Expiry => FieldId::Expiry,
            Input::RateLimit => FieldId::RateLimit,
            Input::Prefix => FieldId::Prefix,
            Input::Scope => FieldId::Scopes,
            Input::Claim => FieldId::Claims,
            Input::Grace => FieldId::Grace,
            Input::Reason => FieldId::Reason,
            Input::Window
            | Input::ImportFile
            | Input::KeyDir
            | Input::LockTimeout
            | Input::KeyBindings
            | Input::ValueSource => return None,
        })
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
    pub fn text(id: FieldId, label: &'static str, placeholder: &str) -> Field {
        Field {
            id,
            label,
            placeholder: placeholder.to_owned(),
            control: Control::Text(TextInput::new()),
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
    /// What the form's write is doing while it runs (it cannot be cancelled then).
    pub working: Option<&'static str>,
}

impl Form {
    pub fn new(title: impl Into<String>, intro: Vec<String>, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            intro,
            fields,
            focus: 0,
            error: None,
            working: None,
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
            Control::Text(input) => field.error = input.edit(edit).err(),
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
        self.working = None;
        if let Error::Invalid { field, message } = error
            && let Some(id) = FieldId::for_input(*field)
            && self.fields.iter().any(|f| f.id == id && !f.hidden)
        {
            self.set_error(id, apiauth_core::sanitize::display(message).into_owned());
            self.has_errors();
            return;
        }
        let hint = crate::hints::hint(error)
            .map(|h| format!(" ({})", apiauth_core::sanitize::display(&h)))
            .unwrap_or_default();
        self.error = Some(format!("{}{hint}", crate::hints::message(error)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let mut hidden = Field::text(FieldId::Prefix, "Prefix", "ak");
        hidden.hidden = true;
        Form::new(
            "Test",
            vec![],
            vec![
                Field::text(FieldId::Name, "Name", ""),
                hidden,
                Field::text(FieldId::Service, "Service", ""),
            ],
        )
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
        f.fail(&Error::invalid(
            apiauth_core::Field::Service,
            "service must not be empty",
        ));
        assert_eq!(
            f.field(FieldId::Service).error.as_deref(),
            Some("service must not be empty")
        );
        assert_eq!(f.focused(), FieldId::Service);
        f.fail(&Error::invalid(apiauth_core::Field::Prefix, "bad prefix"));
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
