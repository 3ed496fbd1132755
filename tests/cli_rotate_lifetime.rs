//! A key imported already expired has no known lifetime (DESIGN.md §3): a rotate without `-e`
//! gives it `default_expiry_days`, or 90 days when that is unset, and says so — a key rotated
//! because it expired must not come back as one that never expires.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use common::{Sandbox, about_days_from_now, time};
use serde_json::{Value, json};

fn import_expired(sb: &Sandbox, value: &str, config: Option<&std::path::Path>) -> String {
    let mut call = sb
        .cmd([
            "import",
            "-n",
            "old",
            "-s",
            "svc",
            "--expires-at",
            "2024-03-01",
            "-j",
        ])
        .stdin(value);
    if let Some(config) = config {
        call = call.env("APIAUTH_CONFIG", config);
    }
    call.run().ok().json()["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[test]
fn rotating_a_key_imported_expired_gives_it_90_days_and_says_so() {
    let sb = Sandbox::new();
    let id = import_expired(&sb, "old_aW1wb3J0ZWRFeHBpcmVkTm9Db25maWcxMjM", None);
    let out = sb.run(&["rotate", &id]).ok();
    let note = out
        .stdout
        .lines()
        .find(|l| l.contains("imported already expired"))
        .unwrap_or_else(|| panic!("a note in:\n{}", out.stdout));
    assert!(note.contains("90 days"), "{note}");
    assert!(
        !note
            .chars()
            .zip(note.chars().skip(1))
            .any(|(v, d)| v == 'v' && d.is_ascii_digit()),
        "the note names no version: {note}"
    );
    let shown = sb.json(&["show", &id, "-j"]);
    about_days_from_now(time(&shown["expires_at"]), 90);
    assert_eq!(shown["status"], "healthy");

    // The lifetime is now known: the next rotation keeps it, with no note.
    let again = sb.json(&["rotate", &id, "-j"]);
    about_days_from_now(time(&again["expires_at"]), 90);
    assert!(again.get("note").is_none(), "{again}");

    // In JSON the note is a field.
    let other = import_expired(&sb, "old_c2Vjb25kRXhwaXJlZEltcG9ydEpzb24xMjM", None);
    let rotated = sb.json(&["rotate", &other, "-j"]);
    about_days_from_now(time(&rotated["expires_at"]), 90);
    let note = rotated["note"].as_str().expect("a note field");
    assert!(note.contains("90 days"), "{note}");
}

#[test]
fn the_configured_default_expiry_wins_over_90_days() {
    let sb = Sandbox::new();
    let config = sb.root().join("config.toml");
    std::fs::write(&config, "default_expiry_days = 45\n").expect("config");
    let id = import_expired(&sb, "old_Y29uZmlndXJlZERlZmF1bHRFeHBpcnkxMjM", None);
    let rotated = sb
        .cmd(["rotate", &id, "-j"])
        .env("APIAUTH_CONFIG", &config)
        .run()
        .ok()
        .json();
    about_days_from_now(time(&rotated["expires_at"]), 45);
    let note = rotated["note"].as_str().expect("a note");
    assert!(
        note.contains("45 days") && note.contains("default_expiry_days"),
        "{note}"
    );
    // -e still decides when given, with nothing to note.
    let id = import_expired(&sb, "old_ZXhwbGljaXRFeHBpcnlXaW5zMTIzNDU2Nzg", None);
    let rotated = sb.json(&["rotate", &id, "-e", "10", "-j"]);
    about_days_from_now(time(&rotated["expires_at"]), 10);
    assert!(rotated.get("note").is_none());
}

#[test]
fn an_expired_token_imported_is_rotated_to_a_token_that_expires() {
    let sb = Sandbox::new();
    let exp = Utc::now() - Duration::days(2);
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256"}).to_string());
    let claims = URL_SAFE_NO_PAD.encode(
        json!({"iat": (exp - Duration::days(30)).timestamp(), "exp": exp.timestamp()}).to_string(),
    );
    let token = format!("{header}.{claims}.{}", URL_SAFE_NO_PAD.encode([7u8; 256]));
    let imported = sb
        .cmd(["import", "-n", "jwt", "-s", "auth", "-j"])
        .stdin(token)
        .run()
        .ok()
        .json();
    assert_eq!(imported["status"], "expired");
    let rotated = sb.json(&["rotate", imported["id"].as_str().expect("id"), "-j"]);
    about_days_from_now(time(&rotated["expires_at"]), 90);
    assert!(rotated["note"].is_string(), "{rotated}");
    let new_token = rotated["token"].as_str().expect("a token");
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(new_token.split('.').nth(1).expect("claims"))
            .expect("base64url"),
    )
    .expect("JSON");
    assert!(claims["exp"].is_i64(), "the new token expires: {claims}");
}

#[test]
fn a_key_that_never_expired_is_rotated_without_a_note() {
    let sb = Sandbox::new();
    let key = sb.api_key("forever", "svc", &[]);
    let rotated = sb.json(&["rotate", &key.id, "-j"]);
    assert_eq!(
        rotated["expires_at"],
        Value::Null,
        "no expiry ever set: none now"
    );
    assert!(rotated.get("note").is_none());
    let out = sb.run(&["rotate", &key.id]).ok();
    assert!(!out.stdout.contains("Note"), "{}", out.stdout);
}
