//! The generate form: an API key or a JWT, with name, service, env, expiry, rate limit,
//! prefix (API keys), scopes and claims (JWTs). Fields are checked with the model's parsers,
//! then `ops::generate` decides (as a [`Job`]); what it refuses is shown next to the field it
//! names.

use apiauth_core::Config;
use apiauth_core::model::{self, DEFAULT_JWT_EXPIRY_DAYS, KeyKind};
use apiauth_core::ops::{GenerateRequest, NewKind};

use super::super::form::{Control, Field, FieldId, Form};
use super::super::job::Job;
use super::super::text::Edit;
use super::forms::{default_expiry, expiry_placeholder, labels, list, optional};

const KINDS: &[&str] = &[KeyKind::ApiKey.label(), KeyKind::Jwt.label()];
const JWT: usize = 1;

/// The open generate form.
#[derive(Debug)]
pub(crate) struct GenerateForm {
    pub form: Form,
    default_expiry: Option<u32>,
}

impl GenerateForm {
    pub fn new(config: &Config) -> GenerateForm {
        let fields = vec![
            Field {
                control: Control::Choice {
                    options: KINDS,
                    selected: 0,
                },
                ..Field::text(FieldId::Kind, "Type", "")
            },
            Field::text(FieldId::Name, "Name", "e.g. stripe-prod"),
            Field::text(FieldId::Service, "Service", "e.g. payments"),
            Field::text(FieldId::Env, "Env", "optional: prod, staging, dev"),
            Field::text(FieldId::Expiry, "Expires", ""),
            Field::text(
                FieldId::RateLimit,
                "Rate limit",
                "optional, requests per second",
            ),
            Field::text(
                FieldId::Prefix,
                "Prefix",
                &format!("default: {}", config.default_prefix),
            ),
            Field::text(
                FieldId::Scopes,
                "Scopes",
                "optional, e.g. read:users write:orders",
            ),
            Field::text(
                FieldId::Claims,
                "Claims",
                "optional, e.g. role=admin, tier=gold",
            ),
        ];
        let mut this = GenerateForm {
            form: Form::new("Generate a key", Vec::new(), fields),
            default_expiry: config.default_expiry_days,
        };
        this.form.focus = 1;
        this.sync_kind();
        this
    }

    fn is_jwt(&self) -> bool {
        self.form.choice(FieldId::Kind) == JWT
    }

    /// Shows the fields of the chosen kind only.
    fn sync_kind(&mut self) {
        let jwt = self.is_jwt();
        self.form.field_mut(FieldId::Prefix).hidden = jwt;
        self.form.field_mut(FieldId::Claims).hidden = !jwt;
        let default = if jwt {
            Some(DEFAULT_JWT_EXPIRY_DAYS)
        } else {
            self.default_expiry
        };
        self.form.field_mut(FieldId::Expiry).placeholder =
            expiry_placeholder(&default_expiry(default));
        self.form.title = if jwt {
            "Generate a JWT".into()
        } else {
            "Generate an API key".into()
        };
    }

    pub fn edit(&mut self, edit: &Edit) {
        self.form.edit(edit);
        if self.form.focused() == FieldId::Kind {
            self.sync_kind();
        }
    }

    /// Checks every field; the request when all are good.
    fn request(&mut self) -> Option<GenerateRequest> {
        self.form.clear_errors();
        let (labels, expiry) = labels(&mut self.form);
        let kind = if self.is_jwt() {
            let claims = list(&mut self.form, FieldId::Claims, &[','], model::parse_claim);
            NewKind::Jwt {
                claims: claims.into_iter().collect(),
            }
        } else {
            NewKind::ApiKey {
                prefix: optional(&mut self.form, FieldId::Prefix, model::parse_prefix),
            }
        };
        if self.form.has_errors() {
            return None;
        }
        Some(GenerateRequest {
            labels: labels?,
            kind,
            expiry,
        })
    }

    /// The write to run once every field is good; `None` when the form shows what to fix.
    pub fn job(&mut self) -> Option<Job> {
        self.request().map(Job::Generate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::type_into;

    #[test]
    fn the_kind_decides_which_fields_show() {
        let mut g = GenerateForm::new(&Config::default());
        assert!(!g.form.field(FieldId::Prefix).hidden);
        assert!(g.form.field(FieldId::Claims).hidden);
        g.form.focus = 0;
        g.edit(&Edit::Right);
        assert!(g.form.field(FieldId::Prefix).hidden);
        assert!(!g.form.field(FieldId::Claims).hidden);
        assert!(
            g.form
                .field(FieldId::Expiry)
                .placeholder
                .contains("30 days")
        );
    }

    #[test]
    fn every_field_is_checked_with_the_cli_parsers() {
        let mut g = GenerateForm::new(&Config::default());
        for (field, text) in [
            (FieldId::Env, "prod env"),
            (FieldId::Expiry, "0"),
            (FieldId::RateLimit, "fast"),
            (FieldId::Prefix, "a_b"),
            (FieldId::Scopes, "read ok bad!scope"),
        ] {
            g.form.focus = g.form.fields.iter().position(|f| f.id == field).unwrap();
            type_into(&mut g.form, text);
        }
        assert!(g.request().is_none());
        let error = |id| g.form.field(id).error.clone().unwrap_or_default();
        assert_eq!(error(FieldId::Name), "name must not be empty");
        assert_eq!(error(FieldId::Service), "service must not be empty");
        assert!(error(FieldId::Env).contains("environment 'prod env' is not allowed"));
        assert!(error(FieldId::Expiry).contains("at least 1 day"));
        assert!(error(FieldId::RateLimit).contains("rate limit"));
        assert!(error(FieldId::Prefix).contains("prefix 'a_b'"));
        assert!(error(FieldId::Scopes).contains("scope 'bad!scope'"));
        assert_eq!(
            g.form.focused(),
            FieldId::Name,
            "focus on the first problem"
        );
    }

    #[test]
    fn claims_are_checked_for_jwts() {
        let mut g = GenerateForm::new(&Config::default());
        g.form.focus = 0;
        g.edit(&Edit::Right);
        for (field, text) in [
            (FieldId::Name, "n"),
            (FieldId::Service, "s"),
            (FieldId::Claims, "role=admin, exp=1"),
        ] {
            g.form.focus = g.form.fields.iter().position(|f| f.id == field).unwrap();
            type_into(&mut g.form, text);
        }
        assert!(g.request().is_none());
        assert!(
            g.form
                .field(FieldId::Claims)
                .error
                .as_deref()
                .unwrap()
                .contains("set by apiauth")
        );
    }
}
