//! The labels generate and import share (name, service, environment, scopes, rate limit),
//! checked with the model's parsers.

use crate::error::{Error, Field, Result};
use crate::model;

/// Fields shared by generate and import.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    /// `-n/--name`.
    pub name: String,
    /// `-s/--service`.
    pub service: String,
    /// `--env`.
    pub env: Option<String>,
    /// `--scope`, repeatable.
    pub scopes: Vec<String>,
    /// `-r/--rate-limit`.
    pub rate_limit: Option<u32>,
}

impl Labels {
    /// Runs every field through the model's parsers, naming the field that fails.
    pub(super) fn checked(&self) -> Result<Labels> {
        let name = model::parse_name(&self.name).map_err(|m| Error::invalid(Field::Name, m))?;
        Ok(Labels {
            name,
            ..self.checked_except_name()?
        })
    }

    /// [`Labels::checked`] for everything but the name (left empty), for `import --from-file`
    /// where each line names its key.
    pub(super) fn checked_except_name(&self) -> Result<Labels> {
        let field = |name: Field| move |message: String| Error::invalid(name, message);
        let mut scopes: Vec<String> = Vec::with_capacity(self.scopes.len());
        for scope in &self.scopes {
            let scope = model::parse_scope(scope).map_err(field(Field::Scope))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Ok(Labels {
            name: String::new(),
            service: model::parse_service(&self.service).map_err(field(Field::Service))?,
            env: self
                .env
                .as_deref()
                .map(model::parse_env)
                .transpose()
                .map_err(field(Field::Env))?,
            scopes,
            rate_limit: self.rate_limit,
        })
    }
}
