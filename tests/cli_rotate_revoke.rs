//! `rotate` and `revoke`: new values and versions, expiry policy, grace, the JSON and human
//! shapes (including the seeds' `grep "New key:" | awk '{print $3}'` script), and revocation
//! with a reason.

mod common;

use chrono::{Duration, Utc};
use common::{Sandbox, about_days_from_now, shell, time};
use serde_json::Value;

#[test]
fn seeds_script_extracts_the_new_key() {
    let sb = Sandbox::new();
    let old = sb.api_key("scripted", "svc", &["-p", "sk"]);
    let out = shell(
        &sb,
        &format!(
            r#""$APIAUTH" -d "$DIR" rotate {} | grep "New key:" | awk '{{print $3}}'"#,
            old.id
        ),
    )
    .ok();
    let new = out.stdout.trim();
    assert!(
        new.starts_with("sk_") && new.len() == 3 + 43,
        "the third field is the new key, got {new:?}"
    );
    assert_ne!(new, old.value);
    assert_eq!(sb.verdict(new), "valid");
    assert_eq!(sb.verdict(&old.value), "superseded");
}

#[test]
fn rotate_human_output_names_id_and_version() {
    let sb = Sandbox::new();
    let key = sb.api_key("h", "svc", &[]);
    let out = sb.run(&["rotate", &key.id]).ok();
    assert!(
        out.stdout.contains(&format!("Rotated {} (v2)", key.id)),
        "{}",
        out.stdout
    );
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("New key: "))
        .expect("a New key: line");
    assert_eq!(line.split_whitespace().count(), 3, "{line}");
    assert!(out.stdout.contains("it won't be shown again"));
    let out = sb.run(&["rotate", &key.id]).ok();
    assert!(out.stdout.contains(&format!("Rotated {} (v3)", key.id)));
}

#[test]
fn rotate_json_records_history() {
    let sb = Sandbox::new();
    let key = sb.api_key("hist", "svc", &["-p", "pk", "--scope", "s1", "-r", "9"]);
    let rotated = sb.json(&["rotate", &key.id, "-j"]);
    assert_eq!(rotated["id"], key.id.as_str());
    assert_eq!(rotated["version"], 2);
    assert!(rotated.get("token").is_none());
    let new = rotated["key"].as_str().expect("key");
    assert!(new.starts_with("pk_"), "the prefix is kept: {new}");
    assert_eq!(rotated["previous_hash"], key.json["hash"]);
    assert!(rotated["rotated_at"].is_string());
    assert_eq!(rotated["scopes"], serde_json::json!(["s1"]));
    assert_eq!(rotated["rate_limit"], 9);

    let shown = sb.json(&["show", &key.id, "-j"]);
    assert_eq!(shown["version"], 2);
    assert_eq!(shown["previous_hash"], key.json["hash"]);
    let versions = shown["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert!(versions[0]["retired_at"].is_string(), "v1 is retired");
    assert_eq!(versions[1]["version"], 2);
    assert_eq!(versions[1]["retired_at"], Value::Null);
}

#[test]
fn rotate_expiry_keeps_policy_or_takes_new_one() {
    let sb = Sandbox::new();
    let key = sb.api_key("exp", "svc", &["-e", "10"]);
    // No expiry given: the same number of days from now.
    let rotated = sb.json(&["rotate", &key.id, "-j"]);
    about_days_from_now(time(&rotated["expires_at"]), 10);
    // -e sets a new policy, which the next rotate keeps.
    let rotated = sb.json(&["rotate", &key.id, "-e", "45", "-j"]);
    about_days_from_now(time(&rotated["expires_at"]), 45);
    let rotated = sb.json(&["rotate", &key.id, "-j"]);
    about_days_from_now(time(&rotated["expires_at"]), 45);
    // --expires-at sets an exact time.
    let at = (Utc::now() + Duration::days(20))
        .format("%Y-%m-%dT08:30:00Z")
        .to_string();
    let rotated = sb.json(&["rotate", &key.id, "--expires-at", &at, "-j"]);
    assert_eq!(rotated["expires_at"], at.as_str());

    // Never an expiry: rotation keeps none.
    let forever = sb.api_key("forever", "svc", &[]);
    let rotated = sb.json(&["rotate", &forever.id, "-j"]);
    assert_eq!(rotated["expires_at"], Value::Null);
}

#[test]
fn rotate_grace_is_recorded() {
    let sb = Sandbox::new();
    let key = sb.api_key("g", "svc", &[]);
    let rotated = sb.json(&["rotate", &key.id, "--grace", "24h", "-j"]);
    let until = time(&rotated["grace_until"]);
    let expected = Utc::now() + Duration::hours(24);
    assert!((until - expected).num_seconds().abs() < 60, "{until}");
    let out = sb.run(&["rotate", &key.id, "--grace", "7d"]).ok();
    assert!(out.stdout.contains("stays valid until"), "{}", out.stdout);
}

#[test]
fn a_grace_window_never_brings_an_expired_value_back() {
    let sb = Sandbox::new();
    let value = "old_dmFsdWVUaGF0RXhwaXJlZExhc3RZZWFyMTIz";
    let imported = sb
        .cmd([
            "import",
            "-n",
            "old",
            "-s",
            "svc",
            "--expires-at",
            "2025-01-01",
            "-j",
        ])
        .stdin(value)
        .run()
        .ok()
        .json();
    let id = imported["id"].as_str().expect("id");
    assert_eq!(sb.verdict(value), "expired");
    let rotated = sb.json(&["rotate", id, "--grace", "7d", "-e", "30", "-j"]);
    assert_eq!(
        rotated["grace_until"],
        Value::Null,
        "no grace for a dead value"
    );
    assert_eq!(sb.verdict(value), "superseded");

    // A value with two days left keeps them, not the seven days of grace asked for.
    let soon = sb.api_key("soon", "svc", &["-e", "2"]);
    let rotated = sb.json(&["rotate", &soon.id, "--grace", "7d", "-e", "30", "-j"]);
    assert_eq!(rotated["grace_until"], soon.json["expires_at"]);
    let (verdict, code) = sb.verify(&soon.value, &[]);
    assert_eq!(code, 0);
    assert_eq!(verdict["deprecated_version"], true);
    assert_eq!(verdict["grace_until"], soon.json["expires_at"]);
}

#[test]
fn a_second_rotation_ends_the_grace_of_the_first() {
    let sb = Sandbox::new();
    let key = sb.api_key("leaked", "svc", &[]);
    let second = sb.json(&["rotate", &key.id, "--grace", "7d", "-j"]);
    let second = second["key"].as_str().expect("key").to_owned();
    assert_eq!(sb.verdict(&key.value), "valid", "v1 in its grace window");

    // v2 leaked too: rotate again without grace. Neither old value may still open the door.
    let out = sb.run(&["rotate", &key.id]).ok();
    assert!(
        out.stdout.contains("The previous value no longer verifies"),
        "{}",
        out.stdout
    );
    assert_eq!(sb.verdict(&second), "superseded");
    assert_eq!(sb.verdict(&key.value), "superseded", "v1's grace ended too");
    let shown = sb.json(&["show", &key.id, "-j"]);
    assert_eq!(shown["grace_until"], Value::Null);
}

#[test]
fn rotate_jwt_issues_a_new_token() {
    let sb = Sandbox::new();
    let token = sb.jwt("jwt", "auth", &["-c", "role=x"]);
    let rotated = sb.json(&["rotate", &token.id, "-j"]);
    assert!(rotated.get("key").is_none());
    let new = rotated["token"].as_str().expect("token");
    assert_ne!(new, token.value);
    assert_eq!(new.split('.').count(), 3);
    assert_eq!(sb.verdict(new), "valid");
    assert_eq!(sb.verdict(&token.value), "superseded");
}

#[test]
fn revoke_with_reason() {
    let sb = Sandbox::new();
    let key = sb.api_key("bye", "svc", &[]);
    let out = sb
        .run(&["revoke", &key.id, "--reason", "employee left"])
        .ok();
    assert!(
        out.stdout.contains("Revoked") && out.stdout.contains(&key.id),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("employee left"));
    let shown = sb.json(&["show", &key.id, "-j"]);
    assert_eq!(shown["status"], "revoked");
    assert_eq!(shown["revocation_reason"], "employee left");
    assert!(shown["revoked_at"].is_string());

    // Revoking again changes nothing and says so.
    let before = sb.snapshot();
    let again = sb.run(&["revoke", &key.id, "-j"]).ok().json();
    assert_eq!(again["revoked_at"], shown["revoked_at"]);
    assert_eq!(again["revocation_reason"], "employee left");
    common::assert_unchanged(&before, &sb.snapshot(), "a second revoke");
}

#[test]
fn revoke_json_and_without_reason() {
    let sb = Sandbox::new();
    let key = sb.jwt("t", "auth", &[]);
    let json = sb.json(&["revoke", &key.id, "-j"]);
    assert_eq!(json["id"], key.id.as_str());
    assert_eq!(json["status"], "revoked");
    assert_eq!(json["revocation_reason"], Value::Null);
    assert!(json.get("token").is_none() && json.get("key").is_none());
    assert_eq!(sb.verdict(&key.value), "revoked");
}
