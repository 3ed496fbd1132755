//! `generate`: a new API key or JWT, its plaintext returned once.

use std::collections::BTreeMap;

use super::Context;
use super::issue::{Issued, expiry_for, issue_value, unique_id, whole_seconds_for};
use super::labels::Labels;
use crate::error::{Error, Field, Result};
use crate::events::{Event, EventKind};
use crate::model::{self, DEFAULT_JWT_EXPIRY_DAYS, Expiry, KeyEntry, KeyKind};
use crate::timefmt;

/// What `generate` makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewKind {
    /// An API key, with an optional prefix (config default otherwise).
    ApiKey {
        /// `-p/--prefix`.
        prefix: Option<String>,
    },
    /// An HS256 JWT with extra claims.
    Jwt {
        /// `-c/--claim k=v` pairs.
        claims: BTreeMap<String, String>,
    },
}

/// A `generate` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    /// Name, service, env, scopes, rate limit.
    pub labels: Labels,
    /// API key or JWT.
    pub kind: NewKind,
    /// `-e` or `--expires-at`; the config default (API keys) or 30 days (JWTs) otherwise.
    pub expiry: Option<Expiry>,
}

/// Generates a new API key or JWT, stores its hash and returns the plaintext once.
pub fn generate(ctx: &Context, request: GenerateRequest) -> Result<Issued> {
    let now = ctx.now();
    let labels = request.labels.checked()?;
    let (kind, prefix, claims, default_days) = match request.kind {
        NewKind::ApiKey { prefix } => {
            let prefix = match prefix {
                Some(p) => model::parse_prefix(&p).map_err(|m| Error::invalid(Field::Prefix, m))?,
                None => ctx.config.default_prefix.clone(),
            };
            (
                KeyKind::ApiKey,
                prefix,
                BTreeMap::new(),
                ctx.config.default_expiry_days,
            )
        }
        NewKind::Jwt { claims } => {
            for (key, value) in &claims {
                model::parse_claim(&format!("{key}={value}"))
                    .map_err(|m| Error::invalid(Field::Claim, m))?;
            }
            (
                KeyKind::Jwt,
                String::new(),
                claims,
                Some(DEFAULT_JWT_EXPIRY_DAYS),
            )
        }
    };
    let (expires_at, expiry_days) = expiry_for(request.expiry, default_days, now, false)?;
    let expires_at = whole_seconds_for(kind, expires_at);
    ctx.store.update(|keystore| {
        let mut entry = KeyEntry {
            id: unique_id(keystore)?,
            kind,
            name: labels.name.clone(),
            service: labels.service.clone(),
            env: labels.env.clone(),
            scopes: labels.scopes.clone(),
            prefix: prefix.clone(),
            versions: Vec::new(),
            created_at: now,
            expires_at,
            expiry_days,
            revoked_at: None,
            revocation_reason: None,
            rate_limit: labels.rate_limit,
            claims: claims.clone(),
            imported: false,
        };
        let (secret, version) = issue_value(&entry, 1, now);
        entry.versions.push(version);
        keystore.insert(&entry);
        keystore.record(Event::new(
            now,
            EventKind::Generate,
            Some(entry.id.to_string()),
            "ok",
            format!(
                "{} v1, expires {}",
                entry.kind.as_str(),
                entry.expires_at.map_or("never".into(), timefmt::rfc3339)
            ),
        ));
        Ok(Issued {
            entry,
            secret,
            note: None,
        })
    })
}
