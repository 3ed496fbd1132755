//! The domain: key entries and their versions, derived status, and the parsers that turn
//! user input (expiry, durations, prefixes, claims, labels) into checked values.
//!
//! The parsers here are the only validation in the project: clap calls them as value parsers,
//! the TUI forms call them field by field, and `ops` calls them for anything that depends on
//! the current time. A view never decides on its own whether input is acceptable.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::crypto::{KeyHash, SigningSecret};

/// Default prefix of generated API keys.
pub const DEFAULT_PREFIX: &str = "ak";
/// Longest expiry, in days (100 years).
pub const MAX_EXPIRY_DAYS: u32 = 36_500;
/// Longest rotation grace window.
pub const MAX_GRACE_DAYS: i64 = 365;
/// Default lifetime of a JWT, in days.
pub const DEFAULT_JWT_EXPIRY_DAYS: u32 = 30;

/// A key's identifier: `k_` followed by 12 lowercase hex digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyId(String);

impl KeyId {
    /// Length of an id's hex part.
    pub const HEX_LEN: usize = 12;

    /// Makes a random id.
    pub fn random() -> Self {
        let bytes = crate::crypto::random_array::<6>();
        Self(format!("k_{}", crate::crypto::hex(&bytes)))
    }

    /// Parses a full id; `None` unless it has exactly the `k_` + 12 hex shape.
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.strip_prefix("k_")?;
        (hex.len() == Self::HEX_LEN && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalizes what a user typed as an id or id prefix: lowercase, `k_` optional.
/// Returns `None` when it cannot be the start of any id.
pub fn normalize_id_prefix(text: &str) -> Option<String> {
    let text = text.trim().to_ascii_lowercase();
    let hex = text.strip_prefix("k_").unwrap_or(&text);
    if hex.len() > KeyId::HEX_LEN || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if hex.is_empty() && !text.starts_with("k_") {
        return None;
    }
    Some(format!("k_{hex}"))
}

/// What kind of credential an entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// An opaque API key (`ak_…`).
    ApiKey,
    /// An HS256 JSON Web Token.
    Jwt,
}

impl KeyKind {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::ApiKey => "api_key",
            KeyKind::Jwt => "jwt",
        }
    }
}

/// A key's health, derived from its dates; never stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Usable and not close to expiry.
    Healthy,
    /// Usable, but expires within the warning window.
    Expiring,
    /// Past its expiry time.
    Expired,
    /// Revoked for good.
    Revoked,
}

impl Status {
    /// Every status, in the order of severity used by sorting and the dashboard.
    pub const ALL: [Status; 4] = [
        Status::Revoked,
        Status::Expired,
        Status::Expiring,
        Status::Healthy,
    ];

    /// Lowercase name, as in JSON and `--status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Expiring => "expiring",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
        }
    }

    /// Whether a key in this status is still accepted by verify.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Healthy | Status::Expiring)
    }

    /// Parses `--status`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "healthy" | "valid" => Ok(Status::Healthy),
            "expiring" => Ok(Status::Expiring),
            "expired" => Ok(Status::Expired),
            "revoked" => Ok(Status::Revoked),
            other => Err(format!(
                "unknown status '{}': use healthy, expiring, expired or revoked",
                crate::sanitize::excerpt(other)
            )),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value a key has had. The last version of an entry is its current value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyVersion {
    /// 1 for the first value, +1 per rotation.
    pub version: u32,
    /// SHA-256 of the full value.
    pub hash: KeyHash,
    /// A short, safe reminder of the value (`ak_Qm4Z…`).
    pub hint: String,
    /// When this value was issued.
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub created_at: DateTime<Utc>,
    /// When a rotation replaced it.
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub retired_at: Option<DateTime<Utc>>,
    /// Until when it still verifies after being replaced (`rotate --grace`).
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub grace_until: Option<DateTime<Utc>>,
    /// The HS256 secret that signed this version's token (JWTs apiauth issued).
    pub signing_secret: Option<SigningSecret>,
}

/// Everything the keystore knows about one key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// Unique id.
    pub id: KeyId,
    /// API key or JWT.
    pub kind: KeyKind,
    /// Human name.
    pub name: String,
    /// The service the key belongs to.
    pub service: String,
    /// Deployment environment (prod, staging, …).
    pub env: Option<String>,
    /// Permissions the key carries, returned by verify.
    pub scopes: Vec<String>,
    /// Prefix for values generated on rotation.
    pub prefix: String,
    /// Every value the key has had, oldest first; never empty.
    pub versions: Vec<KeyVersion>,
    /// When the entry was created.
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub created_at: DateTime<Utc>,
    /// When the current value stops being valid.
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The lifetime in days that rotation applies again, when one was set.
    pub expiry_days: Option<u32>,
    /// When the key was revoked.
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// Requests per second the holder may make (metadata for the caller of verify).
    pub rate_limit: Option<u32>,
    /// Extra JWT claims given with `--claim`.
    pub claims: BTreeMap<String, String>,
    /// Whether the value came from `import` rather than `generate`.
    pub imported: bool,
}

impl KeyEntry {
    /// The current version.
    pub fn current(&self) -> &KeyVersion {
        self.versions
            .last()
            .expect("an entry always has at least one version")
    }

    /// The version replaced by the latest rotation.
    pub fn previous(&self) -> Option<&KeyVersion> {
        self.versions.iter().rev().nth(1)
    }

    /// The current version number.
    pub fn version(&self) -> u32 {
        self.current().version
    }

    /// SHA-256 of the current value.
    pub fn hash(&self) -> KeyHash {
        self.current().hash
    }

    /// The safe reminder of the current value.
    pub fn hint(&self) -> &str {
        &self.current().hint
    }

    /// When the latest rotation happened.
    pub fn rotated_at(&self) -> Option<DateTime<Utc>> {
        self.previous().and(Some(self.current().created_at))
    }

    /// Until when the previous version still verifies.
    pub fn grace_until(&self) -> Option<DateTime<Utc>> {
        self.previous().and_then(|v| v.grace_until)
    }

    /// Status at `now`, with `window` as the expiring warning period.
    pub fn status(&self, now: DateTime<Utc>, window: Duration) -> Status {
        status_at(self.revoked_at, self.expires_at, now, window)
    }
}

/// The status rule: revoked > expired > expiring > healthy.
///
/// A key is expired from the instant of its expiry, and expiring while its expiry lies within
/// `window` from now (inclusive).
pub fn status_at(
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> Status {
    if revoked_at.is_some() {
        return Status::Revoked;
    }
    match expires_at {
        Some(at) if at <= now => Status::Expired,
        Some(at) if at - now <= window => Status::Expiring,
        _ => Status::Healthy,
    }
}

/// Whether a key is stale: not revoked, and not presented to verify for `stale_after` — counted
/// from its creation when it was never used. A key reaches staleness at the exact instant.
pub fn is_stale(
    entry: &KeyEntry,
    last_used: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> bool {
    entry.revoked_at.is_none() && now - last_used.unwrap_or(entry.created_at) >= stale_after
}

/// A short, safe reminder of a value: the user prefix and the first 4 characters of the random
/// body (`ak_Qm4Z…`). Values too short to spare 4 characters show fewer; tokens show the
/// last 4 characters of their signature.
pub fn hint_for(value: &str) -> String {
    if crate::crypto::jwt::looks_like_jwt(value) {
        let tail: String = value
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return format!("eyJ…{tail}");
    }
    let (prefix, body) = match value.split_once('_') {
        Some((p, b)) if parse_prefix(p).is_ok() => (Some(p), b),
        _ => (None, value),
    };
    let show = (body.chars().count() / 8).min(4);
    let start: String = body.chars().take(show).collect();
    match prefix {
        Some(p) => format!("{p}_{start}…"),
        None => format!("{start}…"),
    }
}

/// The prefix of an existing value, for rotating an imported key in the same style.
pub fn prefix_of(value: &str) -> Option<&str> {
    value
        .split_once('_')
        .map(|(p, _)| p)
        .filter(|p| parse_prefix(p).is_ok())
}

/// How long a key should live, as the user said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// `--expiry-days N`.
    Days(u32),
    /// `--expires-at TIME`.
    At(DateTime<Utc>),
}

impl Expiry {
    /// The expiry time and the policy (in days) that rotation will reuse.
    ///
    /// `allow_past` is true only for import, which may record a key that has already expired.
    pub fn resolve(
        self,
        now: DateTime<Utc>,
        allow_past: bool,
    ) -> Result<(DateTime<Utc>, u32), String> {
        match self {
            Expiry::Days(days) => Ok((now + Duration::days(i64::from(days)), days)),
            Expiry::At(at) => {
                if at <= now && !allow_past {
                    return Err(format!(
                        "--expires-at {} is in the past; a new value must expire in the future",
                        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ));
                }
                if at > now + Duration::days(i64::from(MAX_EXPIRY_DAYS)) {
                    return Err(format!(
                        "--expires-at lies more than {MAX_EXPIRY_DAYS} days ahead"
                    ));
                }
                let secs = (at - now).num_seconds().max(0);
                let days = u32::try_from((secs + 86_399) / 86_400)
                    .unwrap_or(MAX_EXPIRY_DAYS)
                    .clamp(1, MAX_EXPIRY_DAYS);
                Ok((at, days))
            }
        }
    }
}

/// Parses `--expiry-days`: a whole number of days from 1 to 36500.
pub fn parse_expiry_days(text: &str) -> Result<u32, String> {
    let text = text.trim();
    match text.parse::<i64>() {
        Ok(days) if (1..=i64::from(MAX_EXPIRY_DAYS)).contains(&days) => Ok(days as u32),
        Ok(days) if days < 1 => Err(format!(
            "expiry must be at least 1 day, got {days}; to record a key that has already expired, use import --expires-at"
        )),
        Ok(days) => Err(format!(
            "expiry of {days} days is more than the maximum of {MAX_EXPIRY_DAYS} (100 years)"
        )),
        Err(_) => Err(format!(
            "expiry must be a whole number of days from 1 to {MAX_EXPIRY_DAYS}, got '{}'",
            crate::sanitize::excerpt(text)
        )),
    }
}

/// Parses a point in time: RFC 3339 (`2027-01-31T12:00:00Z`) or a date (`2027-01-31`, midnight
/// UTC).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    // Years from 1970 to 9999 only: chrono's date parser also takes "-12-02-02" (year -12),
    // which no one means and which RFC 3339 output cannot show.
    let plausible = |at: DateTime<Utc>| (1970..=9999).contains(&chrono::Datelike::year(&at));
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|date| {
                    date.and_hms_opt(0, 0, 0)
                        .expect("midnight exists")
                        .and_utc()
                })
        });
    // chrono reads a leap second (`23:59:60`) as the next second with a nanosecond count past
    // one billion, which prints as `:60` but is stored as the next day's 00:00:00. apiauth's
    // times (like a JWT's `exp`) have no leap seconds: refuse it, naming the two seconds meant.
    if parsed.is_some_and(|at| chrono::Timelike::nanosecond(&at) >= 1_000_000_000) {
        return Err(format!(
            "'{}' names a leap second (:60), which apiauth does not store: use 23:59:59 of that \
             minute, or 00:00:00 of the next",
            crate::sanitize::excerpt(text)
        ));
    }
    if let Some(at) = parsed.filter(|&at| plausible(at)) {
        return Ok(at);
    }
    Err(format!(
        "'{}' is not a time: use RFC 3339 (2027-01-31T12:00:00Z) or a date (2027-01-31)",
        crate::sanitize::excerpt(text)
    ))
}

/// Parses a duration such as `90s`, `30m`, `24h`, `7d`, `2w` or `1d12h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let original = text.trim();
    let bad = || {
        format!(
            "'{}' is not a duration: use a number with a unit, such as 30m, 24h, 7d or 1d12h",
            crate::sanitize::excerpt(original)
        )
    };
    if original.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut rest = original;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return Err(bad());
        }
        let number: i64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        let seconds = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        total = total
            .checked_add(number.checked_mul(seconds).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    if total == 0 {
        return Err(format!(
            "duration '{}' is zero; give a positive length",
            crate::sanitize::excerpt(original)
        ));
    }
    if total > i64::from(MAX_EXPIRY_DAYS) * 86_400 {
        return Err(format!(
            "duration {} ({}) is longer than the maximum of {MAX_EXPIRY_DAYS} days",
            crate::sanitize::excerpt(original),
            crate::timefmt::duration_words(Duration::seconds(total))
        ));
    }
    Ok(Duration::seconds(total))
}

/// Parses `--grace`: a positive duration of at most a year.
pub fn parse_grace(text: &str) -> Result<Duration, String> {
    let grace = parse_duration(text)?;
    check_grace(grace).map_err(|_| {
        format!(
            "grace {} ({}) is longer than the maximum of {MAX_GRACE_DAYS} days",
            crate::sanitize::excerpt(text.trim()),
            crate::timefmt::duration_words(grace)
        )
    })
}

/// Checks a rotation grace window: positive and at most [`MAX_GRACE_DAYS`].
pub fn check_grace(grace: Duration) -> Result<Duration, String> {
    if grace <= Duration::zero() {
        return Err("grace must be a positive duration".into());
    }
    if grace > Duration::days(MAX_GRACE_DAYS) {
        return Err(format!(
            "grace of {} is longer than the maximum of {MAX_GRACE_DAYS} days",
            crate::timefmt::duration_words(grace)
        ));
    }
    Ok(grace)
}

/// Parses `--prefix`: 1 to 16 ASCII letters or digits.
pub fn parse_prefix(text: &str) -> Result<String, String> {
    if (1..=16).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "prefix '{}' is not allowed: use 1 to 16 letters or digits (A-Z, a-z, 0-9), e.g. ak or sk",
            crate::sanitize::excerpt(text)
        ))
    }
}

/// Parses `--rate-limit`: requests per second, 1 or more.
pub fn parse_rate_limit(text: &str) -> Result<u32, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if n >= 1 && n <= i64::from(u32::MAX) => Ok(n as u32),
        _ => Err(format!(
            "rate limit must be a whole number of requests per second, 1 or more, got '{}'",
            crate::sanitize::excerpt(text.trim())
        )),
    }
}

/// Parses `--claim k=v` for a JWT. Reserved claims (`iss`, `sub`, `exp`, …) are refused.
pub fn parse_claim(text: &str) -> Result<(String, String), String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!(
            "claim '{}' must have the form key=value, e.g. role=admin",
            crate::sanitize::excerpt(text)
        ));
    };
    let key = key.trim();
    if key.is_empty()
        || key.len() > 64
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
    {
        return Err(format!(
            "claim name '{}' is not allowed: use 1 to 64 letters, digits or _ - . :",
            crate::sanitize::excerpt(key)
        ));
    }
    if crate::crypto::jwt::RESERVED_CLAIMS.contains(&key) {
        return Err(format!(
            "claim '{key}' is set by apiauth itself and cannot be given with --claim"
        ));
    }
    if value.chars().count() > 1024 {
        return Err(format!(
            "the value of claim '{key}' is longer than 1024 characters"
        ));
    }
    Ok((key.to_owned(), value.to_owned()))
}

/// Checks a free-text label (name, service): trimmed, non-empty, at most `max` characters.
/// Any character is allowed; output sanitizes it.
pub fn parse_label(field: &str, text: &str, max: usize) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if text.chars().count() > max {
        return Err(format!("{field} is longer than {max} characters"));
    }
    Ok(text.to_owned())
}

/// Parses a key name (1 to 128 characters).
pub fn parse_name(text: &str) -> Result<String, String> {
    parse_label("name", text, 128)
}

/// Parses a service (1 to 64 characters).
pub fn parse_service(text: &str) -> Result<String, String> {
    parse_label("service", text, 64)
}

fn parse_identifier(field: &str, text: &str, max: usize, extra: &[u8]) -> Result<String, String> {
    let text = text.trim();
    if !text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    {
        Ok(text.to_owned())
    } else {
        let allowed: String = extra.iter().map(|&b| format!(" {}", b as char)).collect();
        Err(format!(
            "{field} '{}' is not allowed: use 1 to {max} letters, digits or{allowed}",
            crate::sanitize::excerpt(text)
        ))
    }
}

/// Parses `--env`: 1 to 32 letters, digits, `_`, `-` or `.`.
pub fn parse_env(text: &str) -> Result<String, String> {
    parse_identifier("environment", text, 32, b"_-.")
}

/// Parses `--scope`: 1 to 64 letters, digits or `_ - . : / *`.
pub fn parse_scope(text: &str) -> Result<String, String> {
    parse_identifier("scope", text, 64, b"_-.:/*")
}

/// Parses `--reason` for revoke: at most 500 characters.
pub fn parse_reason(text: &str) -> Result<String, String> {
    parse_label("reason", text, 500)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        parse_time(s).unwrap()
    }

    #[test]
    fn status_edges_of_expiry_and_window() {
        let now = t("2026-06-01T00:00:00Z");
        let week = Duration::days(7);
        let at = |s: &str| status_at(None, Some(t(s)), now, week);
        assert_eq!(
            at("2026-06-01T00:00:00Z"),
            Status::Expired,
            "expiry instant"
        );
        assert_eq!(at("2026-05-31T23:59:59Z"), Status::Expired);
        assert_eq!(at("2026-06-01T00:00:01Z"), Status::Expiring);
        assert_eq!(at("2026-06-08T00:00:00Z"), Status::Expiring, "window edge");
        assert_eq!(at("2026-06-08T00:00:01Z"), Status::Healthy);
        assert_eq!(status_at(None, None, now, week), Status::Healthy);
    }

    #[test]
    fn stale_edges_count_from_last_use_or_creation() {
        let created = t("2026-01-01T00:00:00Z");
        let entry = KeyEntry {
            id: KeyId::random(),
            kind: KeyKind::ApiKey,
            name: "n".into(),
            service: "s".into(),
            env: None,
            scopes: vec![],
            prefix: "ak".into(),
            versions: vec![],
            created_at: created,
            expires_at: None,
            expiry_days: None,
            revoked_at: None,
            revocation_reason: None,
            rate_limit: None,
            claims: Default::default(),
            imported: false,
        };
        let after = Duration::days(90);
        let edge = created + after;
        assert!(!is_stale(&entry, None, edge - Duration::seconds(1), after));
        assert!(
            is_stale(&entry, None, edge, after),
            "never used: from creation"
        );
        let used = t("2026-03-01T00:00:00Z");
        assert!(!is_stale(&entry, Some(used), edge, after), "used since");
        assert!(!is_stale(
            &entry,
            Some(used),
            used + after - Duration::seconds(1),
            after
        ));
        assert!(is_stale(&entry, Some(used), used + after, after));
        let revoked = KeyEntry {
            revoked_at: Some(used),
            ..entry
        };
        assert!(
            !is_stale(&revoked, None, edge + after, after),
            "revoked keys are not flagged"
        );
    }

    #[test]
    fn revoked_wins_over_everything() {
        let now = t("2026-06-01T00:00:00Z");
        let past = Some(t("2026-01-01"));
        assert_eq!(
            status_at(Some(now), past, now, Duration::days(7)),
            Status::Revoked
        );
        assert_eq!(
            status_at(Some(now), None, now, Duration::days(7)),
            Status::Revoked
        );
    }

    #[test]
    fn expiry_days_bounds() {
        assert_eq!(parse_expiry_days("1"), Ok(1));
        assert_eq!(parse_expiry_days("36500"), Ok(36_500));
        assert!(
            parse_expiry_days("0")
                .unwrap_err()
                .contains("at least 1 day")
        );
        assert!(
            parse_expiry_days("-3")
                .unwrap_err()
                .contains("at least 1 day")
        );
        assert!(parse_expiry_days("36501").unwrap_err().contains("maximum"));
        assert!(
            parse_expiry_days("99999999999999999999")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            parse_expiry_days("ten")
                .unwrap_err()
                .contains("whole number")
        );
    }

    #[test]
    fn expires_at_must_be_future_except_on_import() {
        let now = t("2026-06-01T00:00:00Z");
        let past = Expiry::At(t("2026-05-01"));
        assert!(past.resolve(now, false).is_err());
        assert_eq!(past.resolve(now, true).unwrap().0, t("2026-05-01"));
        let (at, days) = Expiry::At(t("2026-06-11T12:00:00Z"))
            .resolve(now, false)
            .unwrap();
        assert_eq!(at, t("2026-06-11T12:00:00Z"));
        assert_eq!(days, 11, "policy rounds up to whole days");
    }

    #[test]
    fn times_are_rfc3339_or_dates_in_plausible_years() {
        assert_eq!(
            parse_time("2027-01-31").unwrap().to_rfc3339(),
            "2027-01-31T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2027-01-31T14:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2027-01-31T12:00:00+00:00"
        );
        for bad in [
            "2016-12-31T23:59:60Z",
            "2017-01-01T00:59:60+01:00",
            "-12-02-02",
            "0012-02-02",
            "1969-12-31",
            "10000-01-01",
            "2027-02-30",
            "tomorrow",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_duration("7d"), Ok(Duration::days(7)));
        assert_eq!(parse_duration("1d12h"), Ok(Duration::hours(36)));
        assert_eq!(parse_duration("90s"), Ok(Duration::seconds(90)));
        for bad in [
            "",
            "h",
            "7",
            "7x",
            "-1d",
            "1.5h",
            "0d",
            "d7",
            "9999999999d",
            "220220200w",
            "36501d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_grace("366d").is_err());
        assert!(parse_grace("365d").is_ok());
    }

    #[test]
    fn prefixes() {
        assert!(parse_prefix("ak").is_ok());
        assert!(parse_prefix("ABCDEFGHIJ123456").is_ok());
        for bad in ["", "a_b", "a-b", "ABCDEFGHIJ1234567", "ключ", "a b"] {
            assert!(parse_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn claims() {
        assert_eq!(
            parse_claim("role=admin"),
            Ok(("role".into(), "admin".into()))
        );
        assert_eq!(parse_claim("note=a=b"), Ok(("note".into(), "a=b".into())));
        assert!(parse_claim("role").is_err());
        assert!(parse_claim("=x").is_err());
        assert!(parse_claim("exp=1").unwrap_err().contains("set by apiauth"));
        assert!(parse_claim("bad key=x").is_err());
    }

    #[test]
    fn id_prefixes() {
        assert_eq!(normalize_id_prefix("k_ab"), Some("k_ab".into()));
        assert_eq!(normalize_id_prefix("AB"), Some("k_ab".into()));
        assert_eq!(normalize_id_prefix("k_"), Some("k_".into()));
        assert_eq!(normalize_id_prefix(""), None);
        assert_eq!(normalize_id_prefix("k_xyz"), None);
        assert_eq!(normalize_id_prefix("k_0123456789abc"), None);
        assert!(KeyId::parse(KeyId::random().as_str()).is_some());
    }

    #[test]
    fn hints_reveal_little() {
        let hint = hint_for("ak_Qm4ZcF9nY3RrN2p1VHV4eQabcdefghijklmnopqr");
        assert_eq!(hint, "ak_Qm4Z…");
        assert_eq!(hint_for("sk_live_abc123"), "sk_l…");
        assert_eq!(hint_for("short"), "…");
        assert_eq!(prefix_of("sk_live_abc"), Some("sk"));
        assert_eq!(prefix_of("plainvalue"), None);
    }

    #[test]
    fn labels_and_identifiers() {
        assert_eq!(parse_name("  Stripe Prod "), Ok("Stripe Prod".into()));
        assert!(parse_name("   ").is_err());
        assert!(parse_service(&"x".repeat(65)).is_err());
        assert!(parse_env("prod").is_ok());
        assert!(parse_env("prod env").is_err());
        assert!(parse_scope("read:users").is_ok());
        assert!(parse_scope("read users").is_err());
    }
}
