//! A key's status, derived from its dates and never stored (DESIGN.md §3): the one rule every
//! face and action uses.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_time;

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
}
