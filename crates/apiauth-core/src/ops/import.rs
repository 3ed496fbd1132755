//! `import`: recording an existing key by its hash; the plaintext is not kept.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Context;
use super::issue::{expiry_for, unique_id};
use super::labels::Labels;
use crate::crypto::{KeyHash, SecretString, jwt};
use crate::error::{Error, Field, Result};
use crate::events::{Event, EventKind};
use crate::model::{self, Expiry, KeyEntry, KeyKind, KeyVersion};
use crate::store::Transaction;

/// An `import` request: an existing value to be known by its hash.
#[derive(Debug)]
pub struct ImportRequest {
    /// The plaintext, dropped (zeroized) once hashed.
    pub value: SecretString,
    /// Name, service, env, scopes, rate limit.
    pub labels: Labels,
    /// `-e` or `--expires-at` (which may lie in the past); for a JWT with no expiry given, its
    /// `exp` claim.
    pub expiry: Option<Expiry>,
}

/// Longest value `import` accepts.
pub const MAX_IMPORT_LEN: usize = jwt::MAX_TOKEN_LEN;

/// Whether `value` can be a key at all: what import accepts, and so all verify looks up.
pub(super) fn check_value(value: &str) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err("the key value is empty".into());
    }
    if value.len() > MAX_IMPORT_LEN {
        return Err(format!(
            "the key value is longer than {MAX_IMPORT_LEN} bytes"
        ));
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || crate::sanitize::is_unsafe(c) || c == '\u{FFFD}')
    {
        return Err("the key value contains whitespace or control characters, or U+FFFD".into());
    }
    Ok(())
}

/// Whole days from `from` to `to`, rounded up; `None` unless `to` lies after `from`.
fn lifetime_days(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<u32> {
    let secs = (to - from).num_seconds();
    (secs > 0).then(|| {
        u32::try_from((secs + 86_399) / 86_400)
            .unwrap_or(model::MAX_EXPIRY_DAYS)
            .min(model::MAX_EXPIRY_DAYS)
    })
}

/// What apiauth reads from an imported JWT, whatever its algorithm.
struct TokenTimes {
    /// The `exp` claim.
    exp: Option<DateTime<Utc>>,
    /// The `iat` claim.
    iat: Option<DateTime<Utc>>,
}

/// Reads an imported value as a JWT when it is one (`None` for an opaque key). An unsigned
/// token, or one whose header, claims or `exp` are damaged, is refused.
fn read_token(value: &str) -> Result<Option<TokenTimes>> {
    let damaged = |e: jwt::JwtError| {
        Error::invalid(
            Field::Value,
            format!("the value looks like a JWT but is not one: {e}"),
        )
    };
    let Some(token) = jwt::inspect(value).map_err(damaged)? else {
        return Ok(None);
    };
    if token.is_unsigned() {
        return Err(Error::invalid(
            Field::Value,
            "the JWT is unsigned (its header names alg \"none\", or it has no signature): \
             an unsigned token is not a credential, so it is not imported",
        ));
    }
    let seconds = |secs: i64| DateTime::from_timestamp(secs, 0);
    Ok(Some(TokenTimes {
        exp: token.exp().map_err(damaged)?.and_then(seconds),
        iat: token
            .claims
            .get("iat")
            .and_then(serde_json::Value::as_i64)
            .and_then(seconds),
    }))
}

/// The expiry of an imported value and the lifetime a later rotate reuses (DESIGN.md §3).
///
/// A JWT's `exp` bounds the entry whatever its algorithm: the earlier of `exp` and the
/// `-e`/`--expires-at` given. The lifetime is the one the user gave, else the token's own
/// (`exp − iat`, or what is left of it). A value imported already expired has no known
/// lifetime (unless `-e` gave one): rotate decides it then. With neither a flag nor a token
/// expiry, the configured default applies.
fn imported_expiry(
    token: Option<&TokenTimes>,
    expiry: Option<Expiry>,
    default_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(Option<DateTime<Utc>>, Option<u32>)> {
    let exp = token.and_then(|t| t.exp);
    let (given_at, given_days) = match expiry {
        Some(Expiry::At(at)) if at <= now => (Some(at), None),
        Some(_) => expiry_for(expiry, None, now, true)?,
        None if exp.is_none() => return expiry_for(None, default_days, now, true),
        None => (None, None),
    };
    let Some(exp) = exp else {
        return Ok((given_at, given_days));
    };
    let days = match given_at {
        Some(_) => given_days,
        None if exp <= now => None,
        None => token
            .and_then(|t| t.iat)
            .and_then(|iat| lifetime_days(iat, exp))
            .or_else(|| lifetime_days(now, exp)),
    };
    Ok((Some(given_at.map_or(exp, |at| at.min(exp))), days))
}

/// Builds the entry for an imported value (no write).
pub(super) fn imported_entry(
    keystore: &dyn Transaction,
    value: &str,
    labels: Labels,
    expiry: Option<Expiry>,
    default_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<KeyEntry> {
    let token = read_token(value)?;
    let (expires_at, expiry_days) = imported_expiry(token.as_ref(), expiry, default_days, now)?;
    let hash = KeyHash::of(value);
    if let Some((existing, _)) = keystore.find_hash(&hash)? {
        return Err(Error::Duplicate {
            id: keystore.entry(existing)?.id.to_string(),
            location: None,
        });
    }
    Ok(KeyEntry {
        id: unique_id(keystore)?,
        kind: if token.is_some() {
            KeyKind::Jwt
        } else {
            KeyKind::ApiKey
        },
        name: labels.name,
        service: labels.service,
        env: labels.env,
        scopes: labels.scopes,
        prefix: model::prefix_of(value)
            .unwrap_or(model::DEFAULT_PREFIX)
            .to_owned(),
        versions: vec![KeyVersion {
            version: 1,
            hash,
            hint: model::hint_for(value),
            created_at: now,
            retired_at: None,
            grace_until: None,
            signing_secret: None,
        }],
        created_at: now,
        expires_at,
        expiry_days,
        revoked_at: None,
        revocation_reason: None,
        rate_limit: labels.rate_limit,
        claims: BTreeMap::new(),
        imported: true,
    })
}

pub(super) fn import_event(entry: &KeyEntry, now: DateTime<Utc>, how: &str) -> Event {
    Event::new(
        now,
        EventKind::Import,
        Some(entry.id.to_string()),
        "ok",
        format!("{how}, {}", entry.kind.as_str()),
    )
}

/// Records an existing key by its hash; the plaintext is not kept.
pub fn import(ctx: &Context, request: ImportRequest) -> Result<KeyEntry> {
    let now = ctx.now();
    check_value(request.value.expose()).map_err(|m| Error::invalid(Field::Value, m))?;
    let labels = request.labels.checked()?;
    let default_days = ctx.config.default_expiry_days;
    ctx.store.update(|keystore| {
        let entry = imported_entry(
            keystore,
            request.value.expose(),
            labels.clone(),
            request.expiry,
            default_days,
            now,
        )?;
        keystore.insert(&entry);
        keystore.record(import_event(&entry, now, "import"));
        Ok(entry)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::ImportFileRequest;

    #[test]
    fn requests_do_not_show_their_values_in_debug() {
        let file = ImportFileRequest {
            contents: zeroize::Zeroizing::new("STRIPE_KEY=sk_live_supersecret\n".into()),
            labels: Labels {
                service: "billing".into(),
                ..Labels::default()
            },
            expiry: None,
        };
        let one = ImportRequest {
            value: SecretString::new("sk_live_supersecret".into()),
            labels: Labels::default(),
            expiry: None,
        };
        for shown in [format!("{file:?}"), format!("{one:?}")] {
            assert!(!shown.contains("supersecret"), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
        assert!(format!("{file:?}").contains("billing"));
    }

    #[test]
    fn lifetime_is_rounded_up_to_whole_days() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().expect("a time");
        let from = t("2026-01-01T00:00:00Z");
        assert_eq!(lifetime_days(from, t("2026-01-31T00:00:00Z")), Some(30));
        assert_eq!(lifetime_days(from, t("2026-01-01T00:00:01Z")), Some(1));
        assert_eq!(lifetime_days(from, from), None);
        assert_eq!(lifetime_days(from, t("2025-12-01T00:00:00Z")), None);
        assert_eq!(
            lifetime_days(from, t("9999-01-01T00:00:00Z")),
            Some(model::MAX_EXPIRY_DAYS)
        );
    }
}
