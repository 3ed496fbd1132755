//! The rotate form: a new expiry (empty keeps the key's policy) and a grace window for the
//! old value. `Enter` on the defaults rotates. `ops::rotate` refuses a revoked key; the refusal
//! is shown in the form.

use apiauth_core::model::{self, KeyId};
use apiauth_core::ops::{KeyView, RotateRequest};
use apiauth_core::sanitize::display;

use super::super::form::{Field, FieldId, Form};
use super::super::job::Job;
use super::forms::{expiry_field, expiry_placeholder, optional};

/// The open rotate form, for one key.
#[derive(Debug)]
pub(crate) struct RotateForm {
    pub form: Form,
    id: KeyId,
}

impl RotateForm {
    pub fn new(view: &KeyView) -> RotateForm {
        let e = &view.entry;
        let keep = match e.expiry_days {
            Some(days) => format!("{days} days from now, the key's policy"),
            None => "no expiry, the key's policy".to_owned(),
        };
        let intro = vec![format!(
            "{} {} ({}) is at v{}. A new value replaces it and is shown once.",
            e.id,
            display(&e.name),
            display(&e.service),
            e.version()
        )];
        let fields = vec![
            Field::text(FieldId::Expiry, "Expires", &expiry_placeholder(&keep)),
            Field::text(
                FieldId::Grace,
                "Grace",
                "none: the old value stops now; e.g. 24h or 7d",
            ),
        ];
        RotateForm {
            form: Form::new(format!("Rotate {}", e.id), intro, fields),
            id: e.id.clone(),
        }
    }

    /// The write to run once the fields are good; `None` when the form shows what to fix.
    pub fn job(&mut self) -> Option<Job> {
        let form = &mut self.form;
        form.clear_errors();
        let expiry = expiry_field(form);
        let grace = optional(form, FieldId::Grace, model::parse_grace);
        if form.has_errors() {
            return None;
        }
        Some(Job::Rotate(
            self.id.clone(),
            RotateRequest { expiry, grace },
        ))
    }
}
