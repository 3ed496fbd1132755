//! `generate api-key` and `generate jwt`: every flag lands in the stored entry, the value has
//! the documented shape, the JWT carries the documented header and claims, and the JSON answer
//! holds the one-time `key` / `token`.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use common::{Sandbox, about_days_from_now, time};
use serde_json::Value;

fn segment(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).expect("segment");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url segment"))
        .expect("JSON segment")
}

#[test]
fn api_key_with_every_flag() {
    let sb = Sandbox::new();
    let issued = sb.api_key(
        "Billing backend",
        "billing",
        &[
            "-e", "10", "-r", "25", "-p", "sk", "--env", "prod", "--scope", "read", "--scope",
            "write",
        ],
    );
    let json = &issued.json;
    assert_eq!(json["type"], "api_key");
    assert_eq!(json["name"], "Billing backend");
    assert_eq!(json["service"], "billing");
    assert_eq!(json["env"], "prod");
    assert_eq!(json["scopes"], serde_json::json!(["read", "write"]));
    assert_eq!(json["rate_limit"], 25);
    assert_eq!(json["version"], 1);
    assert_eq!(json["status"], "healthy");
    assert!(json.get("token").is_none(), "an API key has no token field");
    about_days_from_now(time(&json["expires_at"]), 10);

    let body = issued.value.strip_prefix("sk_").expect("the -p prefix");
    assert_eq!(body.len(), 43, "base64url of 32 bytes, no padding");
    assert_eq!(URL_SAFE_NO_PAD.decode(body).expect("base64url").len(), 32);

    // The stored entry (as show reports it) matches what generate answered.
    let shown = sb.json(&["show", &issued.id, "-j"]);
    for field in [
        "name",
        "service",
        "env",
        "scopes",
        "rate_limit",
        "expires_at",
        "hash",
    ] {
        assert_eq!(shown[field], json[field], "{field}");
    }
    assert_eq!(sb.verdict(&issued.value), "valid");
}

#[test]
fn api_key_defaults_prefix_ak_and_no_expiry() {
    let sb = Sandbox::new();
    let issued = sb.api_key("plain", "svc", &[]);
    assert!(issued.value.starts_with("ak_"), "default prefix ak");
    assert_eq!(issued.value.len(), 3 + 43);
    assert_eq!(issued.json["expires_at"], Value::Null);
    assert_eq!(issued.json["env"], Value::Null);
    assert_eq!(issued.json["rate_limit"], Value::Null);
    assert_eq!(issued.json["scopes"], serde_json::json!([]));
    let again = sb.api_key("plain2", "svc", &[]);
    assert_ne!(issued.value, again.value, "every key is random");
    assert_ne!(issued.id, again.id);
}

#[test]
fn api_key_human_output_shows_the_key_once_with_the_warning() {
    let sb = Sandbox::new();
    let out = sb
        .cmd([
            "generate", "api-key", "-n", "human", "-s", "svc", "-p", "pk",
        ])
        .run()
        .ok();
    let first = out.stdout.lines().next().expect("a first line");
    let key = first
        .split_whitespace()
        .last()
        .expect("the key ends the line");
    assert!(
        first.contains("Generated API key") && key.starts_with("pk_"),
        "{first}"
    );
    assert!(
        out.stdout
            .contains("Save this key now — it won't be shown again."),
        "{}",
        out.stdout
    );
    let id = sb.ids().pop().expect("one key");
    assert!(out.stdout.contains(&id), "the id is shown");
    // The value is not shown again by anything that reads the store.
    for args in [
        vec!["list"],
        vec!["show", id.as_str()],
        vec!["list", "-j"],
        vec!["show", id.as_str(), "-j"],
    ] {
        let later = sb.run(&args).ok();
        assert!(!later.stdout.contains(key), "{args:?} shows the plaintext");
    }
    assert_eq!(sb.verdict(key), "valid");
}

#[test]
fn jwt_is_hs256_with_the_documented_claims_and_30_day_default() {
    let sb = Sandbox::new();
    let issued = sb.jwt(
        "ci-token",
        "auth",
        &[
            "-c",
            "role=admin",
            "--claim",
            "team=infra",
            "--env",
            "staging",
            "--scope",
            "deploy",
        ],
    );
    let json = &issued.json;
    assert_eq!(json["type"], "jwt");
    assert!(json.get("key").is_none(), "a JWT has no key field");
    assert_eq!(
        json["claims"],
        serde_json::json!({"role": "admin", "team": "infra"})
    );
    about_days_from_now(time(&json["expires_at"]), 30);

    let token = &issued.value;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "three segments");
    for part in &parts {
        assert!(
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "base64url without padding: {part}"
        );
    }
    let header = segment(token, 0);
    assert_eq!(header["alg"], "HS256");
    let claims = segment(token, 1);
    assert_eq!(claims["iss"], "apiauth");
    assert_eq!(claims["sub"], "service:auth:ci-token");
    assert_eq!(claims["jti"], issued.id.as_str());
    assert_eq!(claims["role"], "admin");
    assert_eq!(claims["team"], "infra");
    let exp = claims["exp"].as_i64().expect("numeric exp");
    assert_eq!(exp, time(&json["expires_at"]).timestamp());
    let iat = claims["iat"].as_i64().expect("numeric iat");
    assert!((iat - Utc::now().timestamp()).abs() < 60);
    assert_eq!(
        URL_SAFE_NO_PAD.decode(parts[2]).expect("signature").len(),
        32,
        "an HMAC-SHA256 signature"
    );
    assert_eq!(sb.verdict(token), "valid");
}

#[test]
fn jwt_expiry_flag_and_human_output() {
    let sb = Sandbox::new();
    let issued = sb.jwt("short", "auth", &["-e", "2"]);
    about_days_from_now(time(&issued.json["expires_at"]), 2);
    let claims = segment(&issued.value, 1);
    assert_eq!(
        claims["exp"].as_i64(),
        Some(time(&issued.json["expires_at"]).timestamp())
    );

    let out = sb
        .cmd(["generate", "jwt", "-n", "h", "-s", "auth"])
        .run()
        .ok();
    assert!(out.stdout.contains("Generated JWT: eyJ"), "{}", out.stdout);
    assert!(out.stdout.contains("it won't be shown again"));
}

#[test]
fn expires_at_sets_an_exact_time() {
    let sb = Sandbox::new();
    let at = (Utc::now() + Duration::days(40))
        .format("%Y-%m-%dT12:00:00Z")
        .to_string();
    let issued = sb.api_key("dated", "svc", &["--expires-at", &at]);
    assert_eq!(issued.json["expires_at"], at.as_str());
}

#[test]
fn json_flag_has_three_spellings() {
    let sb = Sandbox::new();
    for flag in ["-j", "--json", "--json-output"] {
        let out = sb
            .cmd([
                "generate",
                "api-key",
                "-n",
                flag.trim_start_matches('-'),
                "-s",
                "svc",
                flag,
            ])
            .run()
            .ok();
        assert!(out.json()["key"].is_string(), "{flag}");
    }
}
