//! Making a new value, for generate and rotate (and the entry fields import shares): the
//! value and its version record, the claims of a token apiauth signs, the expiry chosen, a free
//! id.

use chrono::{DateTime, SubsecRound as _, Utc};
use serde_json::{Map, Value};

use crate::crypto::{self, KeyHash, SecretString, SigningSecret, jwt};
use crate::error::{Error, Field, Result};
use crate::model::{self, Expiry, KeyEntry, KeyId, KeyKind, KeyVersion};
use crate::store::Transaction;

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
                .map_err(|m| Error::invalid(Field::Expiry, m))?;
            Ok((Some(at), Some(days)))
        }
    }
}

/// A JWT's `exp` claim has whole seconds, so its entry's expiry is cut to whole seconds too:
/// the token and the entry then expire at the same instant.
pub(super) fn whole_seconds_for(kind: KeyKind, at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
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
pub(super) fn issue_value(
    entry: &KeyEntry,
    version: u32,
    now: DateTime<Utc>,
) -> (SecretString, KeyVersion) {
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
