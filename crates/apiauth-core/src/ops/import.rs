//! `import` and `import --from-file`: recording existing keys by their hash.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Context;
use super::issue::{Labels, expiry_for, unique_id};
use crate::crypto::{KeyHash, SecretString, jwt};
use crate::error::{Error, Result};
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
            "value",
            format!("the value looks like a JWT but is not one: {e}"),
        )
    };
    let Some(token) = jwt::inspect(value).map_err(damaged)? else {
        return Ok(None);
    };
    if token.is_unsigned() {
        return Err(Error::invalid(
            "value",
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
fn imported_entry(
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

fn import_event(entry: &KeyEntry, now: DateTime<Utc>, how: &str) -> Event {
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
    check_value(request.value.expose()).map_err(|m| Error::invalid("value", m))?;
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

/// An `import --from-file` request.
pub struct ImportFileRequest {
    /// The file's text (it holds secrets; zeroized on drop).
    pub contents: zeroize::Zeroizing<String>,
    /// Service, env, scopes and rate limit of every imported key; each line names its own key,
    /// so `labels.name` is not used.
    pub labels: Labels,
    /// Expiry of every imported key.
    pub expiry: Option<Expiry>,
}

impl std::fmt::Debug for ImportFileRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportFileRequest")
            .field("contents", &"[redacted]")
            .field("labels", &self.labels)
            .field("expiry", &self.expiry)
            .finish()
    }
}

/// One `NAME=VALUE` line of a dotenv file.
struct DotenvLine<'a> {
    number: usize,
    name: &'a str,
    value: &'a str,
}

/// Parses dotenv text: `NAME=VALUE` per line, `export ` allowed, blank lines and `#` comments
/// skipped, matching quotes around the value removed, a ` #` comment after an unquoted value
/// dropped. Returns the good lines and a message per bad line.
fn parse_dotenv(text: &str) -> (Vec<DotenvLine<'_>>, Vec<String>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, value)) = line.split_once('=') else {
            problems.push(format!("line {number}: expected NAME=VALUE"));
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value[1..].find(q) {
                Some(end)
                    if value[1 + end + 1..].trim().is_empty()
                        || value[1 + end + 1..].trim_start().starts_with('#') =>
                {
                    &value[1..1 + end]
                }
                _ => {
                    problems.push(format!("line {number}: unterminated or malformed quotes"));
                    continue;
                }
            },
            _ => value.split(" #").next().unwrap_or("").trim_end(),
        };
        if let Err(message) = model::parse_name(name) {
            problems.push(format!("line {number}: {message}"));
            continue;
        }
        if let Err(message) = check_value(value) {
            problems.push(format!(
                "line {number} ({}): {message}",
                crate::sanitize::display(name)
            ));
            continue;
        }
        lines.push(DotenvLine {
            number,
            name,
            value,
        });
    }
    (lines, problems)
}

/// Imports every `NAME=VALUE` line of a legacy `.env` file in one locked write: all lines or
/// none. Each problem (malformed line, value already stored, value repeated) is reported with
/// its line number.
pub fn import_file(ctx: &Context, request: ImportFileRequest) -> Result<Vec<KeyEntry>> {
    let now = ctx.now();
    let labels = request.labels.checked_except_name()?;
    let (lines, line_problems) = parse_dotenv(&request.contents);
    if lines.is_empty() && line_problems.is_empty() {
        return Err(Error::invalid(
            "--from-file",
            "the file has no NAME=VALUE lines to import",
        ));
    }
    let default_days = ctx.config.default_expiry_days;
    ctx.store.update(|keystore| {
        let mut problems = line_problems.clone();
        let mut seen: BTreeMap<KeyHash, usize> = BTreeMap::new();
        let mut entries = Vec::with_capacity(lines.len());
        for line in &lines {
            let hash = KeyHash::of(line.value);
            if let Some(first) = seen.insert(hash, line.number) {
                problems.push(format!(
                    "line {}: the same value as line {first}",
                    line.number
                ));
                continue;
            }
            let line_labels = Labels {
                name: line.name.to_owned(),
                ..labels.clone()
            };
            match imported_entry(
                keystore,
                line.value,
                line_labels,
                request.expiry,
                default_days,
                now,
            ) {
                Ok(entry) => entries.push(entry),
                Err(Error::Duplicate { id, .. }) => problems.push(format!(
                    "line {}: this value is already in the keystore as {id}",
                    line.number
                )),
                Err(e) => problems.push(format!("line {}: {e}", line.number)),
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| {
                p.trim_start_matches("line ")
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0)
            });
            return Err(Error::ImportRejected { problems });
        }
        for entry in &entries {
            keystore.insert(entry);
            keystore.record(import_event(entry, now, "import --from-file"));
        }
        Ok(entries)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
