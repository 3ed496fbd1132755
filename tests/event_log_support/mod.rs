//! Helpers shared by the event-log tests (`tests/event_log*.rs`): reading `log -j` and
//! `log --check`, parsing the times it prints, bracketing "now", editing the lines of
//! `events.log`, and library contexts on a fixed clock.
//!
//! Every test file uses a different subset of these helpers, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::path::Path;

use apiauth_core::ops::{self, Clock, Context, GenerateRequest, Labels, NewKind};
use apiauth_core::{Config, Store};
use chrono::{DateTime, SubsecRound as _, Utc};
use serde_json::Value;

pub use crate::common::time;
use crate::common::{Out, Sandbox};

/// The fields of one record in `log -j` (and in `audit -j`'s alerts), in order.
pub const RECORD_FIELDS: [&str; 8] = [
    "seq", "time", "action", "key_id", "outcome", "user", "host", "detail",
];

/// `apiauth log -j ARGS…`: the records, checked to have the documented shape.
pub fn records(sb: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["log", "-j"];
    all.extend_from_slice(args);
    let json = sb.json(&all);
    let records = json.as_array().expect("log -j prints an array").clone();
    for record in &records {
        assert_record_shape(record);
    }
    records
}

/// Asserts that a record has exactly the documented fields with the documented types.
pub fn assert_record_shape(record: &Value) {
    let object = record.as_object().expect("a record is an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = RECORD_FIELDS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected, "fields of {record}");
    assert!(record["seq"].as_u64().is_some_and(|s| s >= 1), "{record}");
    time(&record["time"]);
    for field in ["action", "outcome", "user", "host", "detail"] {
        assert!(record[field].is_string(), "{field} of {record}");
    }
    assert!(
        record["key_id"].is_null() || record["key_id"].is_string(),
        "key_id of {record}"
    );
}

/// The sequence numbers of `records`.
pub fn seqs(records: &[Value]) -> Vec<u64> {
    records
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect()
}

/// `(action, key_id, outcome)` of each record.
pub fn triples(records: &[Value]) -> Vec<(String, Option<String>, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["action"].as_str().expect("action").to_owned(),
                r["key_id"].as_str().map(str::to_owned),
                r["outcome"].as_str().expect("outcome").to_owned(),
            )
        })
        .collect()
}

/// An expected `(action, key_id, outcome)`.
pub fn triple(
    action: &str,
    key_id: Option<&str>,
    outcome: &str,
) -> (String, Option<String>, String) {
    (
        action.to_owned(),
        key_id.map(str::to_owned),
        outcome.to_owned(),
    )
}

/// `apiauth log --check` in text and in JSON; both must agree on the exit code.
pub struct Check {
    /// The human run.
    pub text: Out,
    /// The `-j` run's output.
    pub json: Value,
    /// The exit code (the same for both runs).
    pub code: i32,
}

/// Runs `log --check` and `log --check -j`.
pub fn check(sb: &Sandbox) -> Check {
    let text = sb.run(&["log", "--check"]);
    let json_run = sb.run(&["log", "--check", "-j"]);
    assert_eq!(
        text.code, json_run.code,
        "log --check and log --check -j disagree:\n{}\n{}",
        text.stdout, json_run.stdout
    );
    assert!(
        text.code == 0 || text.code == 1,
        "log --check exits 0 or 1, got {}\n{}",
        text.code,
        text.stderr
    );
    let json = json_run.json();
    let code = text.code;
    Check { text, json, code }
}

/// Now, rounded down to the second (JSON times have whole seconds), for bracketing the time of
/// a record: `now_floor()` taken before a command is never after the printed time of a record
/// it wrote.
pub fn now_floor() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// A time as apiauth prints it in JSON.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A fixed instant from RFC 3339 text.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid RFC 3339 time")
        .with_timezone(&Utc)
}

/// The lines of `events.log`, without their newlines.
pub fn log_lines(sb: &Sandbox) -> Vec<String> {
    let text = std::fs::read_to_string(sb.file("events.log")).expect("read events.log");
    assert!(text.ends_with('\n'), "events.log ends with a newline");
    text.lines().map(str::to_owned).collect()
}

/// Replaces `events.log` with `lines`, each followed by a newline.
pub fn write_log_lines(sb: &Sandbox, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(sb.file("events.log"), text).expect("write events.log");
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A library context on `dir` (unlocked by its `master.key`, made on the first write), on a
/// clock fixed at `now`.
pub fn context(dir: &Path, config: Config, now: DateTime<Utc>) -> Context {
    let mut ctx = Context::new(Store::in_dir(dir, None), config);
    ctx.clock = Clock::Fixed(now);
    ctx
}

/// Generates an API key through the library; returns its id and value.
pub fn generate(ctx: &Context, name: &str) -> (String, String) {
    let issued = ops::generate(
        ctx,
        GenerateRequest {
            labels: Labels {
                name: name.to_owned(),
                service: "svc".to_owned(),
                ..Labels::default()
            },
            kind: NewKind::ApiKey { prefix: None },
            expiry: None,
        },
    )
    .expect("generate");
    (
        issued.entry.id.to_string(),
        issued.secret.expose().to_owned(),
    )
}

/// Asserts that the library noted no warning (the event log was written and read).
pub fn assert_no_warnings(ctx: &Context, what: &str) {
    let warnings = ctx.take_warnings();
    assert!(warnings.is_empty(), "{what}: warnings {warnings:?}");
}
