//! How times are shown: dates, RFC 3339 and "in 5d" / "3d ago".

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 in UTC with whole seconds (`2026-08-25T09:30:00Z`), as in JSON.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The date alone (`2026-08-25`).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Date and minute (`2026-08-25 09:30`).
pub fn date_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// Distance from `now` in the largest whole unit: `in 5d`, `3d ago`, `in 4h`, `now`.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (at - now).num_seconds();
    let span = secs.unsigned_abs();
    let amount = match span {
        0..=59 => return "now".to_owned(),
        60..=3_599 => format!("{}m", span / 60),
        3_600..=86_399 => format!("{}h", span / 3_600),
        86_400..=31_535_999 => format!("{}d", span / 86_400),
        _ => format!("{}y", span / 31_536_000),
    };
    if secs > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// `2026-08-25 (in 90d)`, or `never` when there is no time.
pub fn date_relative(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(at) => format!("{} ({})", date(at), relative(at, now)),
        None => "never".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn relative_picks_the_largest_unit() {
        let now = Utc::now();
        assert_eq!(relative(now + Duration::days(5), now), "in 5d");
        assert_eq!(relative(now - Duration::days(3), now), "3d ago");
        assert_eq!(
            relative(now + Duration::hours(4) + Duration::minutes(5), now),
            "in 4h"
        );
        assert_eq!(relative(now - Duration::minutes(12), now), "12m ago");
        assert_eq!(relative(now + Duration::seconds(20), now), "now");
        assert_eq!(relative(now + Duration::days(800), now), "in 2y");
    }
}
