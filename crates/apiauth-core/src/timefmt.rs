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

/// Distance from `now` in the largest unit, rounded to the nearest: `in 5d`, `3d ago`,
/// `in 4h`, `now`. A key made with `-e 90` shows `in 90d`, not `in 89d`.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (at - now).num_seconds();
    let span = secs.unsigned_abs();
    let round = |unit: u64| (span + unit / 2) / unit;
    let amount = match span {
        0..=59 => return "now".to_owned(),
        60..=3_569 => format!("{}m", round(60)),
        3_570..=84_599 => format!("{}h", round(3_600)),
        84_600..=31_535_999 => format!("{}d", round(86_400)),
        _ => format!("{}y", round(31_536_000)),
    };
    if secs > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// A duration in the units `--grace` accepts, largest first: `1d`, `1d12h`, `90s`.
pub fn duration(d: chrono::Duration) -> String {
    let mut rest = d.num_seconds().max(0);
    if rest == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, seconds) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= seconds {
            out.push_str(&format!("{}{unit}", rest / seconds));
            rest %= seconds;
        }
    }
    out
}

/// A duration in words, largest unit first, none left out: `365 days 1 hour`, `1 day 30
/// seconds`. For messages that must say exactly what was given.
pub fn duration_words(d: chrono::Duration) -> String {
    let mut rest = d.num_seconds().max(0);
    let mut words = Vec::new();
    for (unit, seconds) in [
        ("day", 86_400),
        ("hour", 3_600),
        ("minute", 60),
        ("second", 1),
    ] {
        let n = rest / seconds;
        rest %= seconds;
        if n > 0 {
            words.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if words.is_empty() {
        return "0 seconds".to_owned();
    }
    words.join(" ")
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
    fn durations_read_like_the_grace_flag() {
        assert_eq!(duration(Duration::hours(24)), "1d");
        assert_eq!(duration(Duration::hours(36)), "1d12h");
        assert_eq!(duration(Duration::seconds(90)), "1m30s");
        assert_eq!(duration(Duration::zero()), "0s");
    }

    #[test]
    fn durations_in_words_leave_nothing_out() {
        assert_eq!(duration_words(Duration::hours(8761)), "365 days 1 hour");
        assert_eq!(
            duration_words(Duration::seconds(86_400 + 3_600 * 2 + 60 + 1)),
            "1 day 2 hours 1 minute 1 second"
        );
        assert_eq!(duration_words(Duration::seconds(90)), "1 minute 30 seconds");
        assert_eq!(duration_words(Duration::zero()), "0 seconds");
    }

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
        assert_eq!(
            relative(now + Duration::days(90) - Duration::seconds(1), now),
            "in 90d",
            "a 90-day key read a moment later"
        );
        assert_eq!(relative(now - Duration::hours(60), now), "3d ago");
    }
}
