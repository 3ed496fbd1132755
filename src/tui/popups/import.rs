//! The import form: an existing key value (masked as it is typed or pasted, held in a buffer
//! that is zeroized and never reallocated) with its labels. `ops::import` hashes the value and
//! drops it; the keystore never holds it.

use apiauth_core::Config;
use apiauth_core::SecretString;
use apiauth_core::ops::{ImportRequest, MAX_IMPORT_LEN};

use super::super::form::{Control, Field, FieldId, Form};
use super::super::job::Job;
use super::super::text::TextInput;
use super::forms::{default_expiry, expiry_placeholder, labels};

/// The open import form.
#[derive(Debug)]
pub(crate) struct ImportForm {
    pub form: Form,
}

impl ImportForm {
    pub fn new(config: &Config) -> ImportForm {
        let value = Field {
            control: Control::Text(TextInput::secret(MAX_IMPORT_LEN)),
            masked: true,
            ..Field::text(
                FieldId::Value,
                "Key value",
                "paste or type the key; it stays hidden",
            )
        };
        let expiry = Field::text(
            FieldId::Expiry,
            "Expires",
            &expiry_placeholder(&format!(
                "a JWT's exp, else {}",
                default_expiry(config.default_expiry_days)
            )),
        );
        let fields = vec![
            value,
            Field::text(FieldId::Name, "Name", "e.g. legacy-billing"),
            Field::text(FieldId::Service, "Service", "e.g. billing"),
            Field::text(FieldId::Env, "Env", "optional: prod, staging, dev"),
            expiry,
            Field::text(
                FieldId::RateLimit,
                "Rate limit",
                "optional, requests per second",
            ),
            Field::text(
                FieldId::Scopes,
                "Scopes",
                "optional, e.g. read:users write:orders",
            ),
        ];
        ImportForm {
            form: Form::new(
                "Import an existing key",
                vec!["Only the key's SHA-256 hash is stored; the value itself is dropped.".into()],
                fields,
            ),
        }
    }

    /// The write to run once the fields are good; `None` when the form shows what to fix.
    /// `ops::import` checks the value itself, exactly as entered (trimmed, as the CLI trims).
    pub fn job(&mut self) -> Option<Job> {
        let form = &mut self.form;
        form.clear_errors();
        let (labels, expiry) = labels(form);
        if form.text(FieldId::Value).is_empty() {
            form.set_error(FieldId::Value, "the key value is empty");
        }
        if form.has_errors() {
            return None;
        }
        Some(Job::Import(ImportRequest {
            value: SecretString::new(form.text(FieldId::Value).to_owned()),
            labels: labels?,
            expiry,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::job::Done;
    use crate::tui::testing::type_into;

    #[test]
    fn the_value_is_required_and_masked() {
        let mut i = ImportForm::new(&Config::default());
        assert!(i.form.field(FieldId::Value).masked);
        let ctx = crate::tui::testing::context();
        assert!(i.job().is_none());
        assert_eq!(
            i.form.field(FieldId::Value).error.as_deref(),
            Some("the key value is empty")
        );
        type_into(&mut i.form, "sk live with spaces");
        i.form.focus = 1;
        type_into(&mut i.form, "legacy");
        i.form.focus = 2;
        type_into(&mut i.form, "billing");
        let Some(job) = i.job() else {
            panic!("the fields are good: ops checks the value");
        };
        let Done::Imported(Err(error)) = job.run(&ctx) else {
            panic!("ops refuses the value");
        };
        i.form.fail(&error);
        assert!(
            i.form
                .field(FieldId::Value)
                .error
                .as_deref()
                .unwrap()
                .contains("whitespace"),
            "ops' refusal lands next to the value"
        );
    }
}
