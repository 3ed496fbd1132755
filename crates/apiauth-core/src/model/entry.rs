//! A key entry and its versions: what the keystore knows about one key, its id and kind, its
//! status and staleness, and the short hint that stands for a value.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::parse::parse_prefix;
use super::status::{Status, status_at};
use crate::crypto::{KeyHash, SigningSecret};

/// Default prefix of generated API keys.
pub const DEFAULT_PREFIX: &str = "ak";

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
    /// What people call it, in sentences and labels: `API key`, `JWT`.
    pub const fn label(self) -> &'static str {
        match self {
            KeyKind::ApiKey => "API key",
            KeyKind::Jwt => "JWT",
        }
    }

    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::ApiKey => "api_key",
            KeyKind::Jwt => "jwt",
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_time;

    fn t(s: &str) -> DateTime<Utc> {
        parse_time(s).unwrap()
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
}
