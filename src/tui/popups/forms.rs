//! What the four forms share: their keys (next and previous field, typing, cancel, submit; a
//! write under way cannot be cancelled) and the checks of the fields they have in common, each
//! with the model's parser, an error put next to its field.

use apiauth_core::model::{self, Expiry};
use apiauth_core::ops::Labels;

use super::super::action::Action;
use super::super::app::{App, Level};
use super::super::form::{FieldId, Form};
use super::super::message::Message;
use super::Modal;

impl App {
    /// A message while a form is open: it moves between the fields, edits the focused one,
    /// closes, or submits; while the form's write runs, it only waits.
    pub(super) fn form(&mut self, mut modal: Modal, message: Message) -> Option<Modal> {
        if let Some(working) = modal.form().and_then(|f| f.working) {
            // The write is under way: the form only waits for it.
            if matches!(message, Message::Action(Action::Cancel)) {
                self.notify(
                    Level::Warning,
                    format!("{working} A write under way cannot be cancelled: wait for it"),
                );
            }
            return Some(modal);
        }
        match message {
            Message::Action(Action::Cancel) => return None,
            Message::Action(Action::Submit) => return self.submit(modal),
            _ => {}
        }
        if let Modal::Generate(g) = &mut modal
            && let Message::Edit(edit) = &message
        {
            g.edit(edit);
            return Some(modal);
        }
        let Some(form) = modal.form_mut() else {
            return Some(modal);
        };
        match message {
            Message::Action(Action::NextField) => form.next(),
            Message::Action(Action::PrevField) => form.prev(),
            Message::Edit(edit) => form.edit(&edit),
            _ => {}
        }
        Some(modal)
    }

    /// Checks the form and queues its write (run after this message, off the UI thread); the
    /// form stays open, working, until the result arrives, or shows what to fix.
    fn submit(&mut self, mut modal: Modal) -> Option<Modal> {
        let job = match &mut modal {
            Modal::Generate(g) => g.job(),
            Modal::Import(i) => i.job(),
            Modal::Rotate(r) => r.job(),
            Modal::Revoke(r) => r.job(),
            Modal::Help { .. } | Modal::Secret(_) => None,
        };
        if let Some(job) = job {
            if let Some(form) = modal.form_mut() {
                form.working = Some(job.working());
            }
            self.queue_job(job);
        }
        Some(modal)
    }
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
        form.edit(&crate::tui::text::Edit::Paste(zeroize::Zeroizing::new(
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
