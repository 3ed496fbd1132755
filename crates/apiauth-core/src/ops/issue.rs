//! The actions that issue or retire values: generate, rotate and revoke.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use serde_json::{Map, Value};

use super::Context;
use crate::crypto::{self, KeyHash, SecretString, SigningSecret, jwt};
use crate::error::{Error, Result};
use crate::events::{Event, EventKind};
use crate::model::{self, DEFAULT_JWT_EXPIRY_DAYS, Expiry, KeyEntry, KeyId, KeyKind, KeyVersion};
use crate::store::Transaction;
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
        let name = model::parse_name(&self.name).map_err(|m| Error::invalid("--name", m))?;
        Ok(Labels {
            name,
            ..self.checked_except_name()?
        })
    }

    /// [`Labels::checked`] for everything but the name (left empty), for `import --from-file`
    /// where each line names its key.
    pub(super) fn checked_except_name(&self) -> Result<Labels> {
        let field = |name: &'static str| move |message: String| Error::invalid(name, message);
        let mut scopes: Vec<String> = Vec::with_capacity(self.scopes.len());
        for scope in &self.scopes {
            let scope = model::parse_scope(scope).map_err(field("--scope"))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Ok(Labels {
            name: String::new(),
            service: model::parse_service(&self.service).map_err(field("--service"))?,
            env: self
                .env
                .as_deref()
                .map(model::parse_env)
                .transpose()
                .map_err(field("--env"))?,
            scopes,
            rate_limit: self.rate_limit,
        })
    }
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

/// A value just issued by generate or rotate: the one moment a plaintext exists.
#[derive(Debug)]
pub struct Issued {
    /// The entry as stored.
    pub entry: KeyEntry,
    /// The plaintext key or token. Show it once, then drop it.
    pub secret: SecretString,
    /// Something the user should know about what was decided for them (the lifetime given to a
    /// key that had none known), in words every face shows as they are.
    pub note: Option<String>,
}

/// The lifetime given on rotation to a key whose expiry is known but its lifetime not (one
/// imported already expired), when the config sets no `default_expiry_days`.
pub const UNKNOWN_LIFETIME_DAYS: u32 = 90;

/// The lifetime a rotate without `-e` gives a key imported already expired (DESIGN.md §3),
/// and the note that says so.
fn unknown_lifetime(configured: Option<u32>) -> (u32, String) {
    let (days, source) = match configured {
        Some(days) => (days, "default_expiry_days in the config"),
        None => (
            UNKNOWN_LIFETIME_DAYS,
            "apiauth's default, as default_expiry_days is not set in the config",
        ),
    };
    let note = format!(
        "This key was imported already expired, so its lifetime was unknown: the new value \
         expires in {days} days ({source})."
    );
    (days, note)
}

pub(super) fn unique_id(keystore: &dyn Transaction) -> Result<KeyId> {
    loop {
        let id = KeyId::random();
        if !keystore.contains_id(&id)? {
            return Ok(id);
        }
    }
}

pub(super) fn expiry_for(
    expiry: Option<Expiry>,
    fallback_days: Option<u32>,
    now: DateTime<Utc>,
    allow_past: bool,
) -> Result<(Option<DateTime<Utc>>, Option<u32>)> {
    match expiry.or(fallback_days.map(Expiry::Days)) {
        None => Ok((None, None)),
        Some(expiry) => {
            let (at, days) = expiry
                .resolve(now, allow_past)
                .map_err(|m| Error::invalid("--expires-at", m))?;
            Ok((Some(at), Some(days)))
        }
    }
}

/// A JWT's `exp` claim has whole seconds, so its entry's expiry is cut to whole seconds too:
/// the token and the entry then expire at the same instant.
fn whole_seconds_for(kind: KeyKind, at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match kind {
        KeyKind::Jwt => at.map(|t| t.trunc_subsecs(0)),
        KeyKind::ApiKey => at,
    }
}

/// The claims of a token apiauth issues (DESIGN.md §3).
fn jwt_claims(entry: &KeyEntry, now: DateTime<Utc>) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("iss".into(), "apiauth".into());
    claims.insert(
        "sub".into(),
        format!("service:{}:{}", entry.service, entry.name).into(),
    );
    claims.insert("iat".into(), now.timestamp().into());
    if let Some(exp) = entry.expires_at {
        claims.insert("exp".into(), exp.timestamp().into());
    }
    claims.insert("jti".into(), entry.id.as_str().into());
    for (key, value) in &entry.claims {
        claims.insert(key.clone(), value.clone().into());
    }
    claims
}

/// Makes a new value for `entry` (its kind and prefix) and the version record holding its hash.
fn issue_value(entry: &KeyEntry, version: u32, now: DateTime<Utc>) -> (SecretString, KeyVersion) {
    let (secret, signing_secret) = match entry.kind {
        KeyKind::ApiKey => (crypto::generate_api_key(&entry.prefix), None),
        KeyKind::Jwt => {
            let signing = SigningSecret::generate();
            (jwt::sign(&jwt_claims(entry, now), &signing), Some(signing))
        }
    };
    let record = KeyVersion {
        version,
        hash: KeyHash::of(secret.expose()),
        hint: model::hint_for(secret.expose()),
        created_at: now,
        retired_at: None,
        grace_until: None,
        signing_secret,
    };
    (secret, record)
}

/// Generates a new API key or JWT, stores its hash and returns the plaintext once.
pub fn generate(ctx: &Context, request: GenerateRequest) -> Result<Issued> {
    let now = ctx.now();
    let labels = request.labels.checked()?;
    let (kind, prefix, claims, default_days) = match request.kind {
        NewKind::ApiKey { prefix } => {
            let prefix = match prefix {
                Some(p) => model::parse_prefix(&p).map_err(|m| Error::invalid("--prefix", m))?,
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
                    .map_err(|m| Error::invalid("--claim", m))?;
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

/// A `rotate` request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotateRequest {
    /// New expiry; the key's current policy (same number of days from now) otherwise.
    pub expiry: Option<Expiry>,
    /// How long the replaced value keeps verifying (as a deprecated version).
    pub grace: Option<Duration>,
}

/// Replaces a key's value: version + 1, the old value retired (verifiable during the grace
/// window, `superseded` after), the new plaintext returned once. A revoked key cannot be
/// rotated.
pub fn rotate(ctx: &Context, id: &str, request: RotateRequest) -> Result<Issued> {
    let now = ctx.now();
    if let Some(grace) = request.grace {
        model::check_grace(grace).map_err(|m| Error::invalid("--grace", m))?;
    }
    ctx.store.update(|keystore| {
        let index = keystore.resolve(id)?;
        let mut entry = keystore.entry(index)?;
        if let Some(revoked_at) = entry.revoked_at {
            return Err(Error::Refused(format!(
                "{} was revoked on {} and cannot be rotated: rotation would bring it back. Generate a new key instead.",
                entry.id,
                revoked_at.format("%Y-%m-%d")
            )));
        }
        // The value being retired keeps the expiry it was issued with: a grace window never
        // outlasts it, so a rotation cannot bring an expired value back.
        let old_expiry = entry.expires_at;
        let mut note = None;
        let (expires_at, expiry_days) = match (request.expiry, entry.expiry_days) {
            (Some(expiry), _) => expiry_for(Some(expiry), None, now, false)?,
            // An expiry but no lifetime: imported already expired. It must not come back as a
            // key that never expires.
            (None, None) if entry.expires_at.is_some() => {
                let (days, said) = unknown_lifetime(ctx.config.default_expiry_days);
                note = Some(said);
                expiry_for(Some(Expiry::Days(days)), None, now, false)?
            }
            (None, days) => expiry_for(None, days, now, false)?,
        };
        entry.expires_at = whole_seconds_for(entry.kind, expires_at);
        entry.expiry_days = expiry_days;
        let (secret, version) = issue_value(&entry, entry.version() + 1, now);
        if keystore.find_hash(&version.hash)?.is_some() {
            return Err(Error::Concurrent(
                "the new value collided with a stored one; run rotate again".into(),
            ));
        }
        // Only the version being retired may stay verifiable: an earlier one still in the
        // grace window of the last rotation stops now, and no longer needs a signing secret.
        let retiring = entry.versions.len() - 1;
        for old in &mut entry.versions[..retiring] {
            if old.grace_until.is_some_and(|g| g > now) {
                old.grace_until = Some(now);
            }
            old.signing_secret = None;
        }
        let current = entry
            .versions
            .last_mut()
            .expect("an entry always has at least one version");
        current.retired_at = Some(now);
        current.grace_until = request
            .grace
            .map(|g| old_expiry.map_or(now + g, |expiry| expiry.min(now + g)))
            .filter(|until| *until > now);
        if current.grace_until.is_none() {
            current.signing_secret = None;
        }
        entry.versions.push(version);
        keystore.replace(index, &entry)?;
        keystore.record(Event::new(
            now,
            EventKind::Rotate,
            Some(entry.id.to_string()),
            "ok",
            format!(
                "v{} -> v{}, {}, expires {}",
                entry.version() - 1,
                entry.version(),
                entry.grace_until().map_or("no grace".into(), |until| format!(
                    "grace until {}",
                    timefmt::rfc3339(until)
                )),
                entry.expires_at.map_or("never".into(), timefmt::rfc3339)
            ) + if note.is_some() {
                ", lifetime unknown: the default applied"
            } else {
                ""
            },
        ));
        Ok(Issued {
            entry,
            secret,
            note,
        })
    })
}

/// What `revoke` did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The entry after the call.
    pub entry: KeyEntry,
    /// True when it had already been revoked (nothing was changed).
    pub already: bool,
}

/// Revokes every version of a key, for good, with an optional reason.
pub fn revoke(ctx: &Context, id: &str, reason: Option<String>) -> Result<Revoked> {
    let now = ctx.now();
    let reason = reason
        .map(|r| model::parse_reason(&r).map_err(|m| Error::invalid("--reason", m)))
        .transpose()?;
    ctx.store.update(|keystore| {
        let index = keystore.resolve(id)?;
        let mut entry = keystore.entry(index)?;
        if entry.revoked_at.is_some() {
            return Ok(Revoked {
                entry,
                already: true,
            });
        }
        entry.revoked_at = Some(now);
        entry.revocation_reason = reason.clone();
        for version in &mut entry.versions {
            version.signing_secret = None;
        }
        keystore.replace(index, &entry)?;
        keystore.record(Event::new(
            now,
            EventKind::Revoke,
            Some(entry.id.to_string()),
            "ok",
            entry
                .revocation_reason
                .as_deref()
                .map_or("no reason given".into(), |r| format!("reason: {r}")),
        ));
        Ok(Revoked {
            entry,
            already: false,
        })
    })
}
