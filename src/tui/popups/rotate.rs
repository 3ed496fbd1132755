//! The rotate form: a new expiry (empty keeps the key's policy) and a grace window for the
//! old value. `Enter` on the defaults rotates. `ops::rotate` refuses a revoked key; the refusal
//! is shown in the form.

use crate::model::{self, KeyId};
use crate::ops::{self, Context, Issued, KeyView, RotateRequest};
use crate::sanitize::display;

use super::super::form::{Field, FieldId, Form};
use super::{expiry_field, expiry_placeholder, optional};

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
            Field::text(FieldId::Expiry, "Expires", 40, &expiry_placeholder(&keep)),
            Field::text(
                FieldId::Grace,
                "Grace",
                16,
                "none: the old value stops now; e.g. 24h or 7d",
            ),
        ];
        RotateForm {
            form: Form::new(format!("Rotate {}", e.id), intro, fields),
            id: e.id.clone(),
        }
    }

    /// Rotates the key; `None` when the form shows what to fix.
    pub fn submit(&mut self, ctx: &Context) -> Option<Issued> {
        let form = &mut self.form;
        form.clear_errors();
        let expiry = expiry_field(form);
        let grace = optional(form, FieldId::Grace, model::parse_grace);
        if form.has_errors() {
            return None;
        }
        let request = RotateRequest { expiry, grace };
        ops::rotate(ctx, self.id.as_str(), request)
            .map_err(|e| form.fail(&e))
            .ok()
    }
}
