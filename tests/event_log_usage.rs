//! Last use, staleness and alerts, derived from the event log: on a fixed clock through the
//! library, a key turns stale exactly `stale_after_days` after its creation or its last use
//! (never when revoked), verify reports the previous use, and alerts age out of
//! `alert_window_days`; through the binary, `list -j` shows `last_used_at` once a verify
//! happened, `events.lastused` is rebuilt from the log when deleted and never shows an edited
//! time, `audit` lists alerts and gates on them with `--exit-on-alert`, and a healthy store with
//! stale keys never prints EXPIRED.

mod common;
mod event_log_support;

use apiauth_core::Config;
use apiauth_core::ops::{self, Clock, Context, Filter, KeyView, Requirements, Verdict};
use chrono::{DateTime, Duration, Utc};
use common::Sandbox;
use event_log_support::{
    RECORD_FIELDS, assert_no_warnings, assert_record_shape, at, context, generate, records,
    rfc3339, time,
};
use serde_json::Value;

const SECOND: Duration = Duration::seconds(1);

fn set(ctx: &mut Context, now: DateTime<Utc>) {
    ctx.clock = Clock::Fixed(now);
}

/// The key as `show` derives it, checked to be the same as its `list` entry.
fn show(ctx: &Context, id: &str) -> KeyView {
    let view = ops::show(ctx, id).expect("show");
    let listed = ops::list(ctx, &Filter::default()).expect("list");
    let listed = listed
        .iter()
        .find(|v| v.entry.id.to_string() == id)
        .expect("listed");
    assert_eq!(*listed, view, "list and show agree");
    assert_no_warnings(ctx, "show");
    view
}

fn verify(ctx: &Context, value: &str) -> ops::Verification {
    let v = ops::verify(ctx, value, &Requirements::default()).expect("verify");
    assert_no_warnings(ctx, "verify");
    v
}

fn config(text: &str) -> Config {
    Config::parse(text).expect("a valid config")
}

#[test]
fn a_never_used_key_turns_stale_exactly_stale_after_days_from_creation() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t0 = at("2024-01-10T12:00:00Z");
    let mut ctx = context(tmp.path(), Config::default(), t0);
    let (id, _) = generate(&ctx, "idle");
    let stale_after = Duration::days(90);

    set(&mut ctx, t0 + stale_after - SECOND);
    let view = show(&ctx, &id);
    assert_eq!(view.last_used_at, None);
    assert!(!view.stale, "not stale one second before stale_after_days");
    assert!(ops::audit(&ctx, None).expect("audit").stale.is_empty());

    set(&mut ctx, t0 + stale_after);
    let view = show(&ctx, &id);
    assert!(view.stale, "stale at exactly stale_after_days");
    let stale: Vec<String> = ops::audit(&ctx, None)
        .expect("audit")
        .stale
        .iter()
        .map(|v| v.entry.id.to_string())
        .collect();
    assert_eq!(stale, std::slice::from_ref(&id));

    // The threshold comes from the config.
    let mut short = context(tmp.path(), config("stale_after_days = 10"), t0);
    set(&mut short, t0 + Duration::days(10) - SECOND);
    assert!(!show(&short, &id).stale);
    set(&mut short, t0 + Duration::days(10));
    assert!(show(&short, &id).stale);
}

#[test]
fn a_use_shows_as_last_used_and_restarts_the_stale_clock() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t0 = at("2024-01-10T12:00:00Z");
    let mut ctx = context(tmp.path(), Config::default(), t0);
    let (id, value) = generate(&ctx, "used");
    let (other, _) = generate(&ctx, "unused");
    let stale_after = Duration::days(90);

    let u = t0 + Duration::days(50) + Duration::milliseconds(250);
    set(&mut ctx, u);
    let first = verify(&ctx, &value);
    assert_eq!(first.verdict, Verdict::Valid);
    assert_eq!(first.last_used_at, None, "no use before the first");

    let listed = ops::list(&ctx, &Filter::default()).expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].entry.id.to_string(), id);
    assert_eq!(listed[0].last_used_at, Some(u));
    assert_eq!(listed[1].last_used_at, None, "the other key is untouched");

    // Past creation + stale_after, only the key never used is stale.
    set(&mut ctx, t0 + stale_after);
    assert!(!show(&ctx, &id).stale);
    assert!(show(&ctx, &other).stale);

    set(&mut ctx, u + stale_after - SECOND);
    let view = show(&ctx, &id);
    assert_eq!(view.last_used_at, Some(u));
    assert!(
        !view.stale,
        "not stale one second before last use + stale_after"
    );
    set(&mut ctx, u + stale_after);
    assert!(
        show(&ctx, &id).stale,
        "stale at exactly last use + stale_after"
    );
}

#[test]
fn verify_reports_the_use_before_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t0 = at("2024-05-01T08:00:00Z");
    let mut ctx = context(tmp.path(), Config::default(), t0);
    let (id, value) = generate(&ctx, "k");
    let (_, other_value) = generate(&ctx, "other");
    let uses = [
        t0 + Duration::hours(1),
        t0 + Duration::days(3) + Duration::microseconds(17),
        t0 + Duration::days(40),
    ];
    let mut previous = None;
    for (n, &u) in uses.iter().enumerate() {
        set(&mut ctx, u);
        assert_eq!(verify(&ctx, &value).last_used_at, previous, "use {n}");
        // A use of another key in between changes nothing for this one.
        set(&mut ctx, u + SECOND);
        verify(&ctx, &other_value);
        assert_eq!(show(&ctx, &id).last_used_at, Some(u));
        previous = Some(u);
    }
    // Answers other than valid are uses too (someone presented the key).
    ops::revoke(&ctx, &id, None).expect("revoke");
    let later = t0 + Duration::days(41);
    set(&mut ctx, later);
    let revoked = verify(&ctx, &value);
    assert_eq!(revoked.verdict, Verdict::Revoked);
    assert_eq!(revoked.last_used_at, previous);
    assert_eq!(show(&ctx, &id).last_used_at, Some(later));
}

#[test]
fn a_revoked_key_is_never_stale() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t0 = at("2023-06-01T00:00:00Z");
    let mut ctx = context(tmp.path(), Config::default(), t0);
    let (revoked, _) = generate(&ctx, "revoked");
    let (used_then_revoked, value) = generate(&ctx, "used then revoked");
    let (kept, _) = generate(&ctx, "kept");
    set(&mut ctx, t0 + Duration::days(1));
    verify(&ctx, &value);
    ops::revoke(&ctx, &revoked, None).expect("revoke");
    ops::revoke(&ctx, &used_then_revoked, None).expect("revoke");

    for days in [90, 91, 1000, 36500] {
        set(&mut ctx, t0 + Duration::days(days));
        assert!(!show(&ctx, &revoked).stale, "{days} days");
        assert!(!show(&ctx, &used_then_revoked).stale, "{days} days");
        assert!(show(&ctx, &kept).stale, "{days} days");
        let stale: Vec<String> = ops::audit(&ctx, None)
            .expect("audit")
            .stale
            .iter()
            .map(|v| v.entry.id.to_string())
            .collect();
        assert_eq!(stale, std::slice::from_ref(&kept), "{days} days");
    }
}

/// Uses recorded out of time order (concurrent verifies take their time before the log's lock,
/// and clocks can step back) still show the latest use, as a rebuild from the log does.
#[test]
fn the_latest_use_wins_when_uses_are_recorded_out_of_order() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t0 = at("2024-02-01T00:00:00Z");
    let mut ctx = context(tmp.path(), Config::default(), t0);
    let (id, value) = generate(&ctx, "k");
    let late = t0 + Duration::days(2);
    let early = t0 + Duration::days(1);
    set(&mut ctx, late);
    verify(&ctx, &value);
    set(&mut ctx, early);
    verify(&ctx, &value);
    set(&mut ctx, late + SECOND);
    assert_eq!(show(&ctx, &id).last_used_at, Some(late));
    std::fs::remove_file(tmp.path().join("events.lastused")).expect("remove");
    assert_eq!(
        show(&ctx, &id).last_used_at,
        Some(late),
        "rebuilt from the log"
    );
}

#[test]
fn alerts_age_out_of_the_alert_window() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t0 = at("2024-03-01T00:00:00Z");
    let mut ctx = context(tmp.path(), Config::default(), t0);
    let (revoked, revoked_value) = generate(&ctx, "revoked");
    let (_, valid_value) = generate(&ctx, "valid");
    set(&mut ctx, t0 + Duration::hours(1));
    ops::revoke(&ctx, &revoked, Some("leaked".into())).expect("revoke");
    let presented = t0 + Duration::hours(2);
    set(&mut ctx, presented);
    assert_eq!(verify(&ctx, &revoked_value).verdict, Verdict::Revoked);
    set(&mut ctx, presented + SECOND);
    assert_eq!(verify(&ctx, &valid_value).verdict, Verdict::Valid);

    let alerts_at = |ctx: &mut Context, now: DateTime<Utc>| {
        set(ctx, now);
        let report = ops::audit(ctx, None).expect("audit");
        assert_no_warnings(ctx, "audit");
        report
            .alerts
            .iter()
            .map(|r| {
                (
                    r.event.key_id.clone().expect("a key id"),
                    r.event.outcome.clone(),
                    r.event.time,
                )
            })
            .collect::<Vec<_>>()
    };
    let one = vec![(revoked.clone(), "revoked".to_owned(), presented)];
    assert_eq!(alerts_at(&mut ctx, presented + Duration::days(1)), one);
    assert_eq!(
        alerts_at(&mut ctx, presented + Duration::days(7)),
        one,
        "still reported at exactly alert_window_days"
    );
    assert_eq!(
        alerts_at(&mut ctx, presented + Duration::days(7) + SECOND),
        [],
        "older than alert_window_days (7)"
    );

    // The window comes from the config.
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut ctx = context(tmp.path(), config("alert_window_days = 2"), t0);
    let (revoked, revoked_value) = generate(&ctx, "revoked");
    ops::revoke(&ctx, &revoked, None).expect("revoke");
    set(&mut ctx, presented);
    verify(&ctx, &revoked_value);
    let report_at = |ctx: &mut Context, now| {
        set(ctx, now);
        ops::audit(ctx, None).expect("audit")
    };
    let report = report_at(&mut ctx, presented + Duration::days(2));
    assert_eq!(report.alert_window_days, 2);
    assert_eq!(report.alerts.len(), 1);
    assert!(
        report_at(&mut ctx, presented + Duration::days(2) + SECOND)
            .alerts
            .is_empty()
    );
}

// ---- Through the binary ----

fn list_entry(sb: &Sandbox, id: &str) -> Value {
    sb.json(&["list", "-j"])
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} is listed"))
        .clone()
}

/// The time of the last verify record of `id`, as `log -j` prints it.
fn last_verify_time(sb: &Sandbox, id: &str) -> Value {
    records(sb, &["--key", id])
        .iter()
        .rev()
        .find(|r| r["action"] == "verify")
        .expect("a verify record")["time"]
        .clone()
}

#[test]
fn list_shows_last_used_once_a_verify_happened() {
    let sb = Sandbox::new();
    let a = sb.api_key("alpha", "svc", &[]);
    let b = sb.jwt("beta", "svc", &[]);
    for id in [&a.id, &b.id] {
        let entry = list_entry(&sb, id);
        assert!(entry["last_used_at"].is_null(), "{entry}");
        assert_eq!(entry["stale"], false);
        assert!(sb.json(&["show", id, "-j"])["last_used_at"].is_null());
    }

    let (first, code) = sb.verify(&b.value, &[]);
    assert_eq!(code, 0);
    assert!(first["last_used_at"].is_null(), "no use before: {first}");
    let used = last_verify_time(&sb, &b.id);
    let entry = list_entry(&sb, &b.id);
    assert_eq!(entry["last_used_at"], used, "{entry}");
    assert_eq!(sb.json(&["show", &b.id, "-j"])["last_used_at"], used);
    assert!(list_entry(&sb, &a.id)["last_used_at"].is_null());

    let (second, _) = sb.verify(&b.value, &[]);
    assert_eq!(
        second["last_used_at"], used,
        "verify shows the previous use"
    );
    let used_again = last_verify_time(&sb, &b.id);
    assert_eq!(list_entry(&sb, &b.id)["last_used_at"], used_again);
    assert!(time(&used_again) >= time(&used));
}

#[test]
fn a_deleted_lastused_file_is_rebuilt_from_the_log() {
    let sb = Sandbox::new();
    let a = sb.api_key("alpha", "svc", &[]);
    let b = sb.api_key("beta", "svc", &[]);
    let c = sb.api_key("gamma", "svc", &[]);
    assert_eq!(sb.verdict(&b.value), "valid");
    assert_eq!(sb.verdict(&a.value), "valid");
    let before = sb.json(&["list", "-j"]);
    let uses = |list: &Value| -> Vec<Value> {
        list.as_array()
            .expect("array")
            .iter()
            .map(|e| e["last_used_at"].clone())
            .collect()
    };
    let expected = vec![
        last_verify_time(&sb, &a.id),
        last_verify_time(&sb, &b.id),
        Value::Null,
    ];
    assert_eq!(uses(&before), expected);

    std::fs::remove_file(sb.file("events.lastused")).expect("remove events.lastused");
    let after = sb.run(&["list", "-j"]).ok();
    assert!(after.stderr.is_empty(), "no warning: {}", after.stderr);
    assert_eq!(uses(&after.json()), expected);
    assert!(
        sb.file("events.lastused").is_file(),
        "the file is written again"
    );
    assert_eq!(uses(&sb.json(&["list", "-j"])), expected);
    assert!(list_entry(&sb, &c.id)["last_used_at"].is_null());

    // Uses after the rebuild keep it current.
    assert_eq!(sb.verdict(&c.value), "valid");
    assert_eq!(
        list_entry(&sb, &c.id)["last_used_at"],
        last_verify_time(&sb, &c.id)
    );
}

#[test]
fn an_edited_lastused_file_never_shows_a_wrong_time() {
    let sb = Sandbox::new();
    let a = sb.api_key("alpha", "svc", &[]);
    assert_eq!(sb.verdict(&a.value), "valid");
    let used = list_entry(&sb, &a.id)["last_used_at"].clone();
    assert_eq!(used, last_verify_time(&sb, &a.id));

    let path = sb.file("events.lastused");
    let mut bytes = std::fs::read(&path).expect("read");
    assert_eq!(bytes.len(), 16 + 24, "a header and one slot");
    let micros = i64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
    assert_eq!(
        rfc3339(DateTime::from_timestamp_micros(micros).expect("a time")),
        used.as_str().expect("a time"),
        "slot 0 holds the use"
    );
    // Move the stored time by 2^32 µs (about 71 minutes), which shows in whole seconds.
    bytes[20] ^= 0x01;
    let edited = i64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
    let edited = rfc3339(DateTime::from_timestamp_micros(edited).expect("a time"));
    assert_ne!(Value::from(edited.clone()), used);
    std::fs::write(&path, &bytes).expect("write");

    let shown = list_entry(&sb, &a.id)["last_used_at"].clone();
    assert_ne!(
        shown,
        Value::from(edited.clone()),
        "the edited time is shown"
    );
    assert!(
        shown == used || shown.is_null(),
        "rebuilt or unknown, got {shown}"
    );
    let shown = sb.json(&["show", &a.id, "-j"])["last_used_at"].clone();
    assert!(shown == used || shown.is_null(), "show: {shown}");

    // The MAC half of the slot too.
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[30] ^= 0x80;
    std::fs::write(&path, &bytes).expect("write");
    let shown = list_entry(&sb, &a.id)["last_used_at"].clone();
    assert!(shown == used || shown.is_null(), "got {shown}");

    // And verify does not report the edited time as the previous use.
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[20] ^= 0x01;
    std::fs::write(&path, &bytes).expect("write");
    let (json, _) = sb.verify(&a.value, &[]);
    let previous = json["last_used_at"].clone();
    assert_ne!(previous, Value::from(edited), "{json}");
    assert!(previous == used || previous.is_null(), "{json}");
}

#[test]
fn a_revoked_expired_or_superseded_key_presented_to_verify_is_an_alert() {
    let sb = Sandbox::new();
    let healthy = sb.api_key("healthy", "svc", &[]);
    assert_eq!(sb.verdict(&healthy.value), "valid");
    let audit = sb.json(&["audit", "-j"]);
    assert_eq!(audit["alerts"], serde_json::json!([]), "{audit}");
    assert_eq!(audit["alert_window_days"], 7);
    sb.run(&["audit", "--exit-on-alert"]).ok();

    let revoked = sb.api_key("revoked", "svc", &[]);
    sb.run(&["revoke", &revoked.id]).ok();
    assert_eq!(sb.verdict(&revoked.value), "revoked");
    let audit = sb.json(&["audit", "-j"]);
    let alerts = audit["alerts"].as_array().expect("alerts is an array");
    assert_eq!(alerts.len(), 1, "{audit}");
    assert_record_shape(&alerts[0]);
    assert_eq!(alerts[0]["key_id"], revoked.id.as_str());
    assert_eq!(alerts[0]["outcome"], "revoked");
    assert_eq!(alerts[0]["action"], "verify");
    let out = sb.run(&["audit", "--exit-on-alert"]).code(1);
    assert!(out.stdout.contains("ALERT"), "{}", out.stdout);
    assert!(out.stdout.contains(&revoked.id), "{}", out.stdout);
    assert!(out.stderr.contains("1 alert(s)"), "{}", out.stderr);
    sb.run(&["audit", "--exit-on-alert", "-j"]).code(1);

    // Expired and superseded values are alerts too; newest first.
    let expired_value = "exp_YW4gYWxyZWFkeSBleHBpcmVkIGltcG9ydGVkIGtleQ";
    let expired = sb
        .cmd([
            "import",
            "-n",
            "expired",
            "-s",
            "svc",
            "--expires-at",
            "2021-01-01",
            "-j",
        ])
        .stdin(format!("{expired_value}\n"))
        .run()
        .ok()
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(sb.verdict(expired_value), "expired");
    sb.run(&["rotate", &healthy.id]).ok();
    assert_eq!(sb.verdict(&healthy.value), "superseded");
    assert_eq!(
        sb.verdict("nope_bm90IGEga2V5IGluIHRoZSBzdG9yZSBhdCBhbGw"),
        "not_found"
    );
    let audit = sb.json(&["audit", "-j"]);
    let got: Vec<(Value, Value)> = audit["alerts"]
        .as_array()
        .expect("array")
        .iter()
        .map(|a| (a["key_id"].clone(), a["outcome"].clone()))
        .collect();
    let want = |id: &str, outcome: &str| (Value::from(id), Value::from(outcome));
    assert_eq!(
        got,
        [
            want(&healthy.id, "superseded"),
            want(&expired, "expired"),
            want(&revoked.id, "revoked"),
        ]
    );
    for alert in audit["alerts"].as_array().expect("array") {
        assert_eq!(
            alert.as_object().expect("object").len(),
            RECORD_FIELDS.len()
        );
    }
}

/// Writes a config file and returns its path.
fn config_file(sb: &Sandbox, text: &str) -> std::path::PathBuf {
    let path = sb.root().join("alerts.toml");
    std::fs::write(&path, text).expect("write the config");
    path
}

#[test]
fn alerts_older_than_the_configured_window_are_not_reported() {
    let sb = Sandbox::new();
    let now = Utc::now();
    let mut ctx = context(&sb.dir, Config::default(), now - Duration::days(10));
    let (revoked, value) = generate(&ctx, "revoked");
    set(&mut ctx, now - Duration::days(9));
    ops::revoke(&ctx, &revoked, None).expect("revoke");
    set(&mut ctx, now - Duration::days(3));
    assert_eq!(verify(&ctx, &value).verdict, Verdict::Revoked);

    let audit_with = |text: &str, args: &[&str]| {
        let mut all = vec!["audit"];
        all.extend_from_slice(args);
        sb.cmd(&all)
            .env("APIAUTH_CONFIG", config_file(&sb, text))
            .run()
    };
    let two = audit_with("alert_window_days = 2\n", &["-j"]).ok().json();
    assert_eq!(two["alert_window_days"], 2);
    assert_eq!(two["alerts"], serde_json::json!([]), "{two}");
    audit_with("alert_window_days = 2\n", &["--exit-on-alert"]).ok();

    let four = audit_with("alert_window_days = 4\n", &["-j"]).ok().json();
    assert_eq!(four["alert_window_days"], 4);
    let alerts = four["alerts"].as_array().expect("array");
    assert_eq!(alerts.len(), 1, "{four}");
    assert_eq!(alerts[0]["key_id"], revoked.as_str());
    assert_eq!(alerts[0]["outcome"], "revoked");
    audit_with("alert_window_days = 4\n", &["--exit-on-alert"]).code(1);

    // The default window is 7 days.
    let default = sb.json(&["audit", "-j"]);
    assert_eq!(default["alert_window_days"], 7);
    assert_eq!(default["alerts"].as_array().expect("array").len(), 1);
}

#[test]
fn a_healthy_store_with_stale_keys_never_prints_expired() {
    let sb = Sandbox::new();
    let now = Utc::now();
    let mut ctx = context(&sb.dir, Config::default(), now - Duration::days(200));
    let (oldest, _) = generate(&ctx, "oldest");
    set(&mut ctx, now - Duration::days(100));
    let (old, old_value) = generate(&ctx, "old");
    // A superseded value presented recently: an alert, on a store that is still healthy.
    set(&mut ctx, now - Duration::days(95));
    ops::rotate(&ctx, &old, ops::RotateRequest::default()).expect("rotate");
    set(&mut ctx, now - Duration::days(1));
    assert_eq!(verify(&ctx, &old_value).verdict, Verdict::Superseded);
    let (fresh, _) = generate(&ctx, "fresh");

    let audit = sb.json(&["audit", "-j"]);
    let ids = |field: &str| -> Vec<String> {
        audit[field]
            .as_array()
            .expect("array")
            .iter()
            .map(|e| e["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids("healthy").len(), 3, "{audit}");
    assert_eq!(ids("stale"), std::slice::from_ref(&oldest), "{audit}");
    assert!(ids("expired").is_empty() && ids("expiring").is_empty());
    assert_eq!(audit["alerts"].as_array().expect("array").len(), 1);
    assert_eq!(list_entry(&sb, &oldest)["stale"], true);
    assert_eq!(list_entry(&sb, &old)["stale"], false, "used a day ago");
    assert_eq!(list_entry(&sb, &fresh)["stale"], false);

    let out = sb.run(&["audit"]).ok();
    assert!(!out.stdout.contains("EXPIRED"), "{}", out.stdout);
    assert!(
        out.stdout.contains("All 3 keys are healthy"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("STALE"), "{}", out.stdout);
    assert!(out.stdout.contains(&oldest), "{}", out.stdout);
    assert!(out.stdout.contains("ALERT"), "{}", out.stdout);
    let gated = sb
        .run(&[
            "audit",
            "--exit-on-expired",
            "--exit-on-expiring",
            "--exit-on-revoked",
        ])
        .ok();
    assert!(!gated.stdout.contains("EXPIRED"), "{}", gated.stdout);
}
