//! The parsers that turn what a user typed (a flag, a form field, a line of an imported file)
//! into checked values: expiry, times, durations, prefixes, claims and labels.
//!
//! They are the only validation in the project: the CLI calls them as value parsers, the TUI
//! forms call them field by field, and `ops` calls them for anything that depends on the
//! current time. A face never decides on its own whether input is acceptable.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Longest expiry, in days (100 years).
pub const MAX_EXPIRY_DAYS: u32 = 36_500;

/// Longest rotation grace window.
pub const MAX_GRACE_DAYS: i64 = 365;

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

/// Parses an expiry given as one value, as a form field takes it: a number of days (`90`, as
/// `--expiry-days`) or a time (`2027-01-31` or RFC 3339, as `--expires-at`).
pub fn parse_expiry(text: &str) -> Result<Expiry, String> {
    let date = text.len() == 10 && text.as_bytes()[4] == b'-';
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') && !date {
        parse_expiry_days(text).map(Expiry::Days)
    } else {
        parse_time(text).map(Expiry::At)
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
    fn an_expiry_is_days_or_a_time() {
        assert_eq!(parse_expiry("90"), Ok(Expiry::Days(90)));
        assert_eq!(parse_expiry("2027-01-31"), Ok(Expiry::At(t("2027-01-31"))));
        assert_eq!(
            parse_expiry("2027-01-31T12:00:00Z"),
            Ok(Expiry::At(t("2027-01-31T12:00:00Z")))
        );
        assert!(parse_expiry("0").unwrap_err().contains("at least 1 day"));
        assert!(parse_expiry("-3").unwrap_err().contains("at least 1 day"));
        assert!(parse_expiry("soon").unwrap_err().contains("is not a time"));
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
