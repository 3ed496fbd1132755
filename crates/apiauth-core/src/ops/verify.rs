//! `verify`: the answer an API gateway acts on, for every request.

use chrono::{DateTime, Duration, Utc};

use super::Context;
use super::import::check_value;
use crate::crypto::{KeyHash, jwt};
use crate::error::Result;
use crate::events::{Event, EventKind, Use};
use crate::model::{KeyEntry, KeyKind, KeyVersion, Status};
use crate::store::Found;

/// Answer of verify (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Accept the request.
    Valid,
    /// The key's expiry (or the token's `exp`) has passed.
    Expired,
    /// The key was revoked.
    Revoked,
    /// A value replaced by rotation, past its grace window.
    Superseded,
    /// No stored key has this value.
    NotFound,
    /// A valid key that lacks a required scope or belongs to another service.
    Forbidden,
}

impl Verdict {
    /// The word used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::Revoked => "revoked",
            Verdict::Superseded => "superseded",
            Verdict::NotFound => "not_found",
            Verdict::Forbidden => "forbidden",
        }
    }
}

/// What verify requires beyond a valid key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Every one of these scopes (`--require-scope`).
    pub scopes: Vec<String>,
    /// The key's service (`--service`).
    pub service: Option<String>,
}

/// The outcome of verifying one value.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The answer.
    pub verdict: Verdict,
    /// The matching entry (absent for `not_found`).
    pub entry: Option<KeyEntry>,
    /// The version the presented value is.
    pub presented_version: Option<u32>,
    /// True when the value is a previous version still inside its grace window.
    pub deprecated_version: bool,
    /// For a previous version: when it was replaced.
    pub superseded_at: Option<DateTime<Utc>>,
    /// For a previous version: until when it verifies.
    pub grace_until: Option<DateTime<Utc>>,
    /// Required scopes the key lacks.
    pub missing_scopes: Vec<String>,
    /// Why a `forbidden` or an `expired` token was refused, in words.
    pub reason: Option<String>,
    /// When a verify last presented this key (before this one).
    pub last_used_at: Option<DateTime<Utc>>,
    /// For a JWT: whether this verify checked its signature. Only for a token apiauth issued,
    /// whose signing secret it holds; any other is matched by its hash alone.
    pub signature_checked: Option<bool>,
}

impl Verification {
    fn not_found() -> Self {
        Verification {
            verdict: Verdict::NotFound,
            entry: None,
            presented_version: None,
            deprecated_version: false,
            superseded_at: None,
            grace_until: None,
            missing_scopes: Vec::new(),
            reason: None,
            last_used_at: None,
            signature_checked: None,
        }
    }
}

/// Checks a presented value: revoked, superseded (past grace), expired (entry or token `exp`),
/// HS256 signature for tokens apiauth issued, then the caller's scope and service requirements.
/// Reads only the one matching entry; never writes the keystore.
pub fn verify(ctx: &Context, value: &str, requirements: &Requirements) -> Result<Verification> {
    let now = ctx.now();
    let hash = KeyHash::of(value);
    // The value is taken exactly as presented: one that import would refuse (empty, too long,
    // with whitespace or control characters) is no stored key, and is not looked up.
    let found = if check_value(value).is_err() {
        None
    } else {
        ctx.store.lookup(&hash)?
    };
    let Some(Found {
        entry,
        number,
        position,
    }) = found
    else {
        ctx.record(Event::new(
            now,
            EventKind::Verify,
            None,
            Verdict::NotFound.as_str(),
            format!("unknown value, sha256 {}…", &hash.to_hex()[..8]),
        ));
        return Ok(Verification::not_found());
    };
    let version = &entry.versions[position];
    let is_current = position + 1 == entry.versions.len();
    let mut result = Verification {
        signature_checked: (entry.kind == KeyKind::Jwt).then_some(false),
        presented_version: Some(version.version),
        superseded_at: version.retired_at,
        grace_until: version.grace_until,
        deprecated_version: !is_current,
        ..Verification::not_found()
    };
    // The status rule decides revoked and expired (an expiring key verifies, so no window
    // applies); a value replaced past its grace window answers superseded, unless its key was
    // revoked.
    let superseded = !is_current && version.grace_until.is_none_or(|g| now >= g);
    result.verdict = match entry.status(now, Duration::zero()) {
        Status::Revoked => Verdict::Revoked,
        _ if superseded => {
            result.deprecated_version = false;
            Verdict::Superseded
        }
        Status::Expired => Verdict::Expired,
        Status::Healthy | Status::Expiring => {
            match check_token(&entry, version, value, now, &mut result) {
                Some((verdict, reason)) => {
                    result.reason = Some(reason);
                    verdict
                }
                None => check_requirements(&entry, requirements, &mut result),
            }
        }
    };
    let mut detail = format!("presented v{} of v{}", version.version, entry.version());
    if result.verdict == Verdict::Valid && result.deprecated_version {
        detail.push_str(", previous version in its grace window");
    }
    if let Some(reason) = &result.reason {
        detail.push_str(", ");
        detail.push_str(reason);
    }
    let event = Event::new(
        now,
        EventKind::Verify,
        Some(entry.id.to_string()),
        result.verdict.as_str(),
        detail,
    );
    if let Some(log) = ctx.log() {
        let usage = Use {
            entry: number,
            id: &entry.id,
            at: now,
        };
        match log.append_use(&event, usage) {
            Ok(previous) => result.last_used_at = previous,
            Err(e) => ctx.warn(format!(
                "this verify was not recorded in the event log: {e}"
            )),
        }
    }
    result.entry = Some(entry);
    Ok(result)
}

/// For JWTs: the signature (when apiauth holds the secret) and the `exp` claim, whatever the
/// algorithm, so a token imported by an older build with no expiry still expires.
fn check_token(
    entry: &KeyEntry,
    version: &KeyVersion,
    value: &str,
    now: DateTime<Utc>,
    result: &mut Verification,
) -> Option<(Verdict, String)> {
    if entry.kind != KeyKind::Jwt {
        return None;
    }
    let exp = if let Some(secret) = &version.signing_secret {
        let checked = jwt::parse(value).and_then(|token| {
            token.verify(secret)?;
            Ok(token.exp())
        });
        match checked {
            Ok(exp) => {
                result.signature_checked = Some(true);
                exp
            }
            Err(e) => return Some((Verdict::NotFound, e.to_string())),
        }
    } else {
        jwt::inspect(value)
            .ok()
            .flatten()
            .and_then(|token| token.exp().ok().flatten())
    };
    match exp {
        Some(exp) if exp <= now.timestamp() => {
            Some((Verdict::Expired, "the token's exp claim has passed".into()))
        }
        _ => None,
    }
}

fn check_requirements(
    entry: &KeyEntry,
    requirements: &Requirements,
    result: &mut Verification,
) -> Verdict {
    if let Some(service) = &requirements.service
        && !entry.service.eq_ignore_ascii_case(service)
    {
        result.reason = Some(format!(
            "the key belongs to service {}, not {}",
            entry.service, service
        ));
        return Verdict::Forbidden;
    }
    result.missing_scopes = requirements
        .scopes
        .iter()
        .filter(|s| !entry.scopes.contains(s))
        .cloned()
        .collect();
    if result.missing_scopes.is_empty() {
        Verdict::Valid
    } else {
        result.reason = Some(format!(
            "the key lacks scope {}",
            result.missing_scopes.join(", ")
        ));
        Verdict::Forbidden
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::model::Expiry;
    use crate::ops::{
        Clock, GenerateRequest, Labels, NewKind, RotateRequest, generate, revoke, rotate,
    };
    use crate::testing;

    #[test]
    fn revoked_comes_before_superseded_which_comes_before_expired() {
        let mut ctx = testing::context();
        let labels = Labels {
            name: "gateway".into(),
            service: "billing".into(),
            ..Labels::default()
        };
        let first = generate(
            &ctx,
            GenerateRequest {
                labels,
                kind: NewKind::ApiKey { prefix: None },
                expiry: Some(Expiry::Days(1)),
            },
        )
        .unwrap();
        let id = first.entry.id.to_string();
        let second = rotate(&ctx, &id, RotateRequest::default()).unwrap();
        ctx.clock = Clock::Fixed(testing::now() + Duration::days(2));
        let answer = |ctx: &Context, value: &crate::crypto::SecretString| {
            verify(ctx, value.expose(), &Requirements::default())
                .unwrap()
                .verdict
        };
        assert_eq!(answer(&ctx, &second.secret), Verdict::Expired);
        assert_eq!(
            answer(&ctx, &first.secret),
            Verdict::Superseded,
            "a replaced value is superseded, expired key or not"
        );
        revoke(&ctx, &id, None).unwrap();
        assert_eq!(answer(&ctx, &first.secret), Verdict::Revoked);
        assert_eq!(answer(&ctx, &second.secret), Verdict::Revoked);
    }
}
