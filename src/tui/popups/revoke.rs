//! The revoke confirmation: revoking is permanent, so the form carries the key it will
//! revoke and only does so once its id has been typed exactly; an optional reason is recorded.

use apiauth_core::model::{self, KeyId};
use apiauth_core::ops::KeyView;
use apiauth_core::sanitize::display;

use super::super::form::{Field, FieldId, Form};
use super::super::job::Job;
use super::forms::optional;

/// The open revoke confirmation, for one key.
#[derive(Debug)]
pub(crate) struct RevokeForm {
    pub form: Form,
    id: KeyId,
}

impl RevokeForm {
    pub fn new(view: &KeyView) -> RevokeForm {
        let e = &view.entry;
        let intro = vec![
            format!(
                "Revoke {} ({})? Every version of it stops verifying, for good: there is no undo.",
                display(&e.name),
                display(&e.service),
            ),
            format!("Type {} to confirm.", e.id),
        ];
        let fields = vec![
            Field::text(FieldId::ConfirmId, "Key id", "type the id shown above"),
            Field::text(
                FieldId::Reason,
                "Reason",
                "optional, e.g. leaked in a CI log",
            ),
        ];
        RevokeForm {
            form: Form::new(format!("Revoke {}", e.id), intro, fields),
            id: e.id.clone(),
        }
    }

    /// The write to run once the typed id matches; `None` when the form shows what to fix.
    pub fn job(&mut self) -> Option<Job> {
        let form = &mut self.form;
        form.clear_errors();
        if form.text(FieldId::ConfirmId) != self.id.as_str() {
            form.set_error(
                FieldId::ConfirmId,
                format!("type {} exactly to confirm", self.id),
            );
        }
        let reason = optional(form, FieldId::Reason, model::parse_reason);
        if form.has_errors() {
            return None;
        }
        Some(Job::Revoke(self.id.clone(), reason))
    }
}
