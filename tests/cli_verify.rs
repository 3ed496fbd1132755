//! `verify`: the verdicts of DESIGN.md §3 (valid, expired, revoked, superseded, not_found,
//! forbidden) with their exit codes and JSON shapes, the rotation grace window, and JWT
//! signature checking.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::Sandbox;
use serde_json::Value;

/// The metadata fields every verdict about a known key carries.
const METADATA: [&str; 10] = [
    "status",
    "id",
    "name",
    "service",
    "type",
    "version",
    "rate_limit",
    "scopes",
    "env",
    "expires_at",
];

fn assert_metadata(json: &Value) {
    for field in METADATA {
        assert!(
            json.get(field).is_some(),
            "verify JSON lacks {field}: {json}"
        );
    }
}

#[test]
fn valid_key_returns_its_metadata() {
    let sb = Sandbox::new();
    let key = sb.api_key(
        "gateway",
        "payments",
        &[
            "-r", "50", "--env", "prod", "--scope", "read", "--scope", "write", "-e", "30",
        ],
    );
    let (json, code) = sb.verify(&key.value, &[]);
    assert_eq!(code, 0);
    assert_metadata(&json);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["id"], key.id.as_str());
    assert_eq!(json["name"], "gateway");
    assert_eq!(json["service"], "payments");
    assert_eq!(json["type"], "api_key");
    assert_eq!(json["version"], 1);
    assert_eq!(json["rate_limit"], 50);
    assert_eq!(json["scopes"], serde_json::json!(["read", "write"]));
    assert_eq!(json["env"], "prod");
    assert_eq!(json["expires_at"], key.json["expires_at"]);
    assert!(json.get("deprecated_version").is_none());

    // The value as an argument and as `-` (stdin) give the same answer.
    let by_arg = sb.cmd(["verify", "-j", &key.value]).run().ok().json();
    assert_eq!(by_arg["status"], "valid");
    let by_dash = sb
        .cmd(["verify", "-", "-j"])
        .stdin(key.value.clone())
        .run()
        .ok()
        .json();
    assert_eq!(by_dash["status"], "valid");

    let human = sb.cmd(["verify", &key.value]).run().ok();
    assert!(
        human.stdout.contains("VALID") && human.stdout.contains(&key.id),
        "{}",
        human.stdout
    );
}

#[test]
fn unknown_value_is_not_found_without_metadata() {
    let sb = Sandbox::new();
    sb.api_key("some", "svc", &[]);
    let (json, code) = sb.verify("ak_thisValueWasNeverIssuedByAnyoneAtAll12345", &[]);
    assert_eq!(code, 1);
    assert_eq!(json, serde_json::json!({"status": "not_found"}));
    let human = sb.cmd(["verify", "ak_nope"]).run().code(1);
    assert!(human.stdout.contains("INVALID"), "{}", human.stdout);

    // On a directory with no keystore at all.
    let empty = Sandbox::new();
    let (json, code) = empty.verify("ak_anything", &[]);
    assert_eq!(
        (json, code),
        (serde_json::json!({"status": "not_found"}), 1)
    );
}

#[test]
fn imported_key_with_past_expiry_is_expired() {
    let sb = Sandbox::new();
    let value = "legacy_Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA";
    let imported = sb
        .cmd([
            "import",
            "-n",
            "old",
            "-s",
            "legacy",
            "--expires-at",
            "2020-01-01",
            "-j",
        ])
        .stdin(value)
        .run()
        .ok()
        .json();
    assert_eq!(imported["status"], "expired");
    let (json, code) = sb.verify(value, &[]);
    assert_eq!(code, 1);
    assert_metadata(&json);
    assert_eq!(json["status"], "expired");
    assert_eq!(json["id"], imported["id"]);
    assert_eq!(json["expires_at"], "2020-01-01T00:00:00Z");
    let human = sb.cmd(["verify", value]).run().code(1);
    assert!(human.stdout.contains("EXPIRED"), "{}", human.stdout);
}

#[test]
fn revoking_revokes_every_version() {
    let sb = Sandbox::new();
    let v1 = sb.api_key("revokee", "svc", &[]);
    let rotated = sb.json(&["rotate", &v1.id, "--grace", "7d", "-j"]);
    let v2 = rotated["key"].as_str().expect("new key").to_owned();
    assert_eq!(sb.verdict(&v1.value), "valid", "inside the grace window");
    sb.run(&["revoke", &v1.id, "--reason", "leaked in a log"])
        .ok();
    for value in [&v1.value, &v2] {
        let (json, code) = sb.verify(value, &[]);
        assert_eq!(code, 1);
        assert_metadata(&json);
        assert_eq!(json["status"], "revoked");
        assert_eq!(json["id"], v1.id.as_str());
        assert_eq!(json["revocation_reason"], "leaked in a log");
        assert!(json["revoked_at"].is_string());
    }
    let human = sb.cmd(["verify", &v2]).run().code(1);
    assert!(
        human.stdout.contains("REVOKED") && human.stdout.contains("leaked in a log"),
        "{}",
        human.stdout
    );
}

#[test]
fn rotation_without_grace_supersedes_the_old_value_at_once() {
    let sb = Sandbox::new();
    let old = sb.api_key("rot", "svc", &["-r", "5"]);
    let rotated = sb.json(&["rotate", &old.id, "-j"]);
    let new = rotated["key"].as_str().expect("key");

    let (json, code) = sb.verify(&old.value, &[]);
    assert_eq!(code, 1);
    assert_metadata(&json);
    assert_eq!(json["status"], "superseded");
    assert_eq!(json["id"], old.id.as_str());
    assert_eq!(json["version"], 1);
    assert!(
        json["superseded_at"].is_string(),
        "superseded says when: {json}"
    );
    assert!(json.get("deprecated_version").is_none());

    let (json, code) = sb.verify(new, &[]);
    assert_eq!(code, 0);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["version"], 2);
    assert_eq!(json["rate_limit"], 5);
    assert!(json.get("deprecated_version").is_none());
}

#[test]
fn rotation_grace_window_then_superseded() {
    let sb = Sandbox::new();
    let old = sb.api_key("graceful", "svc", &[]);
    let rotated = sb.json(&["rotate", &old.id, "--grace", "2s", "-j"]);
    let new = rotated["key"].as_str().expect("key");

    let (json, code) = sb.verify(&old.value, &[]);
    assert_eq!(code, 0, "the old value still verifies: {json}");
    assert_eq!(json["status"], "valid");
    assert_eq!(json["deprecated_version"], true);
    assert_eq!(json["version"], 1);
    assert_eq!(json["id"], old.id.as_str());
    let (json, _) = sb.verify(new, &[]);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["version"], 2);

    // Past the window (not a timing assertion: we only wait for it to be over).
    std::thread::sleep(std::time::Duration::from_millis(2_600));
    let (json, code) = sb.verify(&old.value, &[]);
    assert_eq!(code, 1);
    assert_eq!(json["status"], "superseded");
    assert_eq!(json["id"], old.id.as_str());
    assert!(json["superseded_at"].is_string(), "{json}");
    assert!(json.get("deprecated_version").is_none());
    assert_eq!(sb.verdict(new), "valid");
}

#[test]
fn require_scope_and_service_answer_forbidden() {
    let sb = Sandbox::new();
    let key = sb.api_key("scoped", "billing", &["--scope", "read"]);
    let (json, code) = sb.verify(&key.value, &["--require-scope", "read"]);
    assert_eq!((json["status"].as_str(), code), (Some("valid"), 0));

    let (json, code) = sb.verify(
        &key.value,
        &["--require-scope", "read", "--require-scope", "admin"],
    );
    assert_eq!(code, 1);
    assert_eq!(json["status"], "forbidden");
    assert_eq!(json["missing_scopes"], serde_json::json!(["admin"]));
    assert_eq!(json["id"], key.id.as_str());

    let (json, code) = sb.verify(&key.value, &["--service", "billing"]);
    assert_eq!((json["status"].as_str(), code), (Some("valid"), 0));
    let (json, code) = sb.verify(&key.value, &["--service", "search"]);
    assert_eq!(code, 1);
    assert_eq!(json["status"], "forbidden");

    let human = sb
        .cmd(["verify", &key.value, "--require-scope", "admin"])
        .run()
        .code(1);
    assert!(human.stdout.contains("FORBIDDEN"), "{}", human.stdout);
}

fn tampered_variants(token: &str) -> Vec<(&'static str, String)> {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("payload")).expect("json");
    claims["role"] = "admin".into();
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"));
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
    signature[0] ^= 1;
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let hs512_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
    vec![
        (
            "changed payload",
            format!("{}.{forged_payload}.{}", parts[0], parts[2]),
        ),
        (
            "changed signature",
            format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                URL_SAFE_NO_PAD.encode(&signature)
            ),
        ),
        ("alg none", format!("{none_header}.{}.", parts[1])),
        (
            "alg none with the old signature",
            format!("{none_header}.{}.{}", parts[1], parts[2]),
        ),
        (
            "alg HS512",
            format!("{hs512_header}.{}.{}", parts[1], parts[2]),
        ),
        ("two segments", format!("{}.{}", parts[0], parts[1])),
    ]
}

#[test]
fn jwt_signature_and_algorithm_are_checked() {
    let sb = Sandbox::new();
    let token = sb.jwt("api", "auth", &["-c", "role=reader"]);
    let (json, code) = sb.verify(&token.value, &[]);
    assert_eq!(code, 0);
    assert_metadata(&json);
    assert_eq!(json["type"], "jwt");
    assert_eq!(json["id"], token.id.as_str());

    for (what, forged) in tampered_variants(&token.value) {
        let (json, code) = sb.verify(&forged, &[]);
        assert_eq!(code, 1, "{what}: must not verify: {json}");
        assert_ne!(json["status"], "valid", "{what}");
    }
}

#[test]
fn rotated_jwt_follows_the_same_rules() {
    let sb = Sandbox::new();
    let old = sb.jwt("rot-jwt", "auth", &[]);
    let rotated = sb.json(&["rotate", &old.id, "--grace", "1h", "-j"]);
    let new = rotated["token"].as_str().expect("token");
    let (json, code) = sb.verify(&old.value, &[]);
    assert_eq!((json["status"].as_str(), code), (Some("valid"), 0));
    assert_eq!(json["deprecated_version"], true);
    let (json, _) = sb.verify(new, &[]);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["version"], 2);
    for (what, forged) in tampered_variants(new) {
        assert_ne!(sb.verify(&forged, &[]).0["status"], "valid", "{what}");
    }
}

/// The hash of a token matches only the token apiauth issued, so to reach the signature check
/// the store is altered through the library: one entry's signing secret replaced, and an entry
/// added whose hash is that of an `alg: none` copy of a real token. verify must still refuse.
#[test]
fn signature_and_algorithm_are_checked_even_when_the_hash_matches() {
    use apiauth_core::model::KeyId;
    use apiauth_core::{KeyHash, SigningSecret, Store};

    let sb = Sandbox::new();
    let token = sb.jwt("sig", "auth", &[]);
    let other = sb.jwt("sig-other", "auth", &[]);
    let store = Store::in_dir(&sb.dir, None);
    let parts: Vec<&str> = other.value.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.{}", parts[1], parts[2]);
    store
        .update(|tx| {
            let n = tx.resolve(&token.id)?;
            let mut entry = tx.entry(n)?;
            entry.versions[0].signing_secret = Some(SigningSecret::generate());
            tx.replace(n, &entry)?;

            let mut forged = tx.entry(tx.resolve(&other.id)?)?;
            forged.id = KeyId::random();
            forged.versions[0].hash = KeyHash::of(&unsigned);
            tx.insert(&forged);
            Ok(())
        })
        .expect("alter the store");

    let (json, code) = sb.verify(&token.value, &[]);
    assert_eq!(code, 1, "a signature made with another secret: {json}");
    assert_ne!(json["status"], "valid");
    let (json, code) = sb.verify(&unsigned, &[]);
    assert_eq!(code, 1, "alg none: {json}");
    assert_ne!(json["status"], "valid");
    // The untouched token still verifies: the refusals above are the signature checks.
    assert_eq!(sb.verdict(&other.value), "valid");
}
