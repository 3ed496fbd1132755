//! `import`: a value from the argument or stdin is recorded by hash and then verifies; a dotenv
//! file is imported all or nothing, with comments, blank lines and quotes handled and every bad
//! line reported by number.

mod common;

use common::{Sandbox, assert_unchanged, time};
use serde_json::Value;

#[test]
fn import_from_stdin_and_argument() {
    let sb = Sandbox::new();
    let from_stdin = "sk_live_c3RkaW5WYWx1ZUZvckltcG9ydFRlc3QxMjM0";
    let json = sb
        .cmd([
            "import", "-", "-n", "stripe", "-s", "payments", "--env", "prod", "--scope", "charge",
            "-r", "7", "-e", "90", "-j",
        ])
        .stdin(format!("{from_stdin}\n"))
        .run()
        .ok()
        .json();
    assert_eq!(json["name"], "stripe");
    assert_eq!(json["service"], "payments");
    assert_eq!(json["env"], "prod");
    assert_eq!(json["scopes"], serde_json::json!(["charge"]));
    assert_eq!(json["rate_limit"], 7);
    assert_eq!(json["imported"], true);
    assert!(json["expires_at"].is_string());
    assert!(json.get("key").is_none(), "import never echoes the value");
    assert!(!json.to_string().contains(from_stdin));

    // With no VALUE at all, stdin is read too.
    let no_value = "ghp_bm9WYWx1ZUFyZ3VtZW50R2l2ZW5BdEFsbDEyMzQ1";
    sb.cmd(["import", "-n", "gh", "-s", "github"])
        .stdin(no_value)
        .run()
        .ok();
    let by_arg = "plainvalue0123456789abcdef";
    let out = sb
        .cmd(["import", by_arg, "-n", "arg", "-s", "svc"])
        .run()
        .ok();
    assert!(out.stdout.contains("Imported"), "{}", out.stdout);
    assert!(!out.stdout.contains(by_arg), "the value is not echoed");

    for value in [from_stdin, no_value, by_arg] {
        let (json, code) = sb.verify(value, &[]);
        assert_eq!(
            (json["status"].as_str(), code),
            (Some("valid"), 0),
            "{value}"
        );
    }
    assert_eq!(sb.ids().len(), 3);
}

#[test]
fn importing_a_stored_value_again_is_refused() {
    let sb = Sandbox::new();
    let key = sb.api_key("orig", "svc", &[]);
    let before = sb.snapshot();
    sb.cmd(["import", "-n", "dup", "-s", "svc"])
        .stdin(key.value.clone())
        .run()
        .fails(2, &["already in the keystore", &key.id]);
    assert_unchanged(&before, &sb.snapshot(), "a duplicate import");
}

#[test]
fn import_of_a_jwt_takes_its_type() {
    let sb = Sandbox::new();
    let token = sb.jwt("issued", "auth", &[]);
    let other = Sandbox::new();
    let json = other
        .cmd(["import", "-n", "foreign", "-s", "auth", "-j"])
        .stdin(token.value.clone())
        .run()
        .ok()
        .json();
    assert_eq!(json["type"], "jwt");
    assert_eq!(
        json["expires_at"], token.json["expires_at"],
        "the token's exp"
    );
    assert_eq!(other.verdict(&token.value), "valid");
}

#[test]
fn rotating_an_imported_key_keeps_its_lifetime() {
    let sb = Sandbox::new();
    // A token issued elsewhere for 30 days: rotation here issues the next one for 30 days too.
    let issuer = Sandbox::new();
    let token = issuer.jwt("issued", "auth", &["-e", "30"]);
    let imported = sb
        .cmd(["import", "-n", "foreign", "-s", "auth", "-j"])
        .stdin(token.value.clone())
        .run()
        .ok()
        .json();
    let id = imported["id"].as_str().expect("id");
    let rotated = sb.json(&["rotate", id, "-j"]);
    let days = |json: &Value| (time(json) - chrono::Utc::now()).num_hours() as f64 / 24.0;
    let left = days(&rotated["expires_at"]);
    assert!((29.9..=30.0).contains(&left), "{left} days");
    let new_token = rotated["token"].as_str().expect("a token");
    let claims = new_token.split('.').nth(1).expect("claims");
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims)
            .expect("base64url"),
    )
    .expect("JSON claims");
    assert!(claims["exp"].is_i64(), "the new token expires: {claims}");

    // A value imported with a date already past has no known lifetime: the configured default.
    let config = sb.root().join("config.toml");
    std::fs::write(&config, "default_expiry_days = 45\n").expect("config");
    let old = sb
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
        .env("APIAUTH_CONFIG", &config)
        .stdin("old_aW1wb3J0ZWRMb25nQWdvTm9MaWZldGltZTEyMzQ")
        .run()
        .ok()
        .json();
    let rotated = sb
        .cmd(["rotate", old["id"].as_str().expect("id"), "-j"])
        .env("APIAUTH_CONFIG", &config)
        .run()
        .ok()
        .json();
    let left = days(&rotated["expires_at"]);
    assert!((44.9..=45.0).contains(&left), "{left} days");
}

const GOOD_FILE: &str = "\
# legacy secrets, migrated from the old .env
STRIPE_KEY=sk_live_Z29vZEZpbGVTdHJpcGVLZXkxMjM0NTY3OA

GITHUB_TOKEN=\"ghp_cXVvdGVkRG91YmxlR2l0aHViVG9rZW4xMjM0\"
  # indented comment
SLACK_HOOK='xoxb_cXVvdGVkU2luZ2xlU2xhY2tIb29rMTIzNA'
export SENTRY_DSN=sentry_ZXhwb3J0ZWRTZW50cnlEc24xMjM0NTY3OA
";

#[test]
fn from_file_imports_every_line_with_quotes_removed() {
    let sb = Sandbox::new();
    let file = sb.root().join("legacy.env");
    std::fs::write(&file, GOOD_FILE).expect("write the file");
    let json = sb
        .cmd(["import", "--from-file"])
        .arg(&file)
        .args([
            "-s", "legacy", "--env", "staging", "--scope", "read", "-r", "50", "-j",
        ])
        .run()
        .ok()
        .json();
    let names: Vec<&str> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        ["STRIPE_KEY", "GITHUB_TOKEN", "SLACK_HOOK", "SENTRY_DSN"]
    );
    for entry in json.as_array().expect("array") {
        assert_eq!(entry["service"], "legacy");
        assert_eq!(entry["env"], "staging");
        assert_eq!(entry["scopes"], serde_json::json!(["read"]));
        assert_eq!(entry["rate_limit"], 50);
        assert_eq!(entry["imported"], true);
    }
    for value in [
        "sk_live_Z29vZEZpbGVTdHJpcGVLZXkxMjM0NTY3OA",
        "ghp_cXVvdGVkRG91YmxlR2l0aHViVG9rZW4xMjM0",
        "xoxb_cXVvdGVkU2luZ2xlU2xhY2tIb29rMTIzNA",
        "sentry_ZXhwb3J0ZWRTZW50cnlEc24xMjM0NTY3OA",
    ] {
        assert_eq!(sb.verdict(value), "valid", "{value}");
        let (json, _) = sb.verify(value, &["--require-scope", "read"]);
        assert_eq!(json["status"], "valid", "{value} carries the file's scope");
    }
    // The quotes are not part of the stored value.
    assert_eq!(
        sb.verdict("\"ghp_cXVvdGVkRG91YmxlR2l0aHViVG9rZW4xMjM0\""),
        "not_found"
    );
    assert_eq!(sb.ids().len(), 4);
}

#[test]
fn from_file_on_stdin() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(["import", "--from-file", "-", "-s", "legacy"])
        .stdin(GOOD_FILE)
        .run()
        .ok();
    assert!(out.stdout.contains("Imported 4 key(s)"), "{}", out.stdout);
    assert_eq!(sb.ids().len(), 4);
}

#[test]
fn from_file_is_all_or_nothing() {
    let sb = Sandbox::new();
    let existing = sb.api_key("existing", "svc", &[]);
    let file = sb.root().join("bad.env");
    let text = format!(
        "# header\n\
         FIRST=first_dmFsdWVPbmVJc0dvb2QxMjM0NTY3OA\n\
         this line has no equals sign\n\
         \n\
         AGAIN={}\n\
         FOURTH=\"unterminated_quote\n\
         LAST=last_dmFsdWVGaXZlSXNHb29kMTIzNDU2Nzg\n",
        existing.value
    );
    std::fs::write(&file, text).expect("write the file");
    let before = sb.snapshot();
    let out = sb
        .cmd(["import", "--from-file"])
        .arg(&file)
        .args(["-s", "legacy"])
        .run()
        .fails(2, &["nothing was imported", "line 3", "line 5", "line 6"]);
    assert!(
        out.stderr.contains(&existing.id),
        "the duplicate names the key holding the value:\n{}",
        out.stderr
    );
    assert!(!out.stderr.contains("line 2:") && !out.stderr.contains("line 7:"));
    assert_unchanged(&before, &sb.snapshot(), "a rejected file import");
    assert_eq!(sb.ids(), [existing.id.as_str()]);
    assert_eq!(
        sb.verdict("first_dmFsdWVPbmVJc0dvb2QxMjM0NTY3OA"),
        "not_found"
    );
}

#[test]
fn from_file_refuses_a_value_repeated_inside_the_file() {
    let sb = Sandbox::new();
    let file = sb.root().join("repeat.env");
    std::fs::write(
        &file,
        "A=same_dmFsdWVSZXBlYXRlZEluRmlsZTEyMzQ1\nB=same_dmFsdWVSZXBlYXRlZEluRmlsZTEyMzQ1\n",
    )
    .expect("write");
    sb.cmd(["import", "--from-file"])
        .arg(&file)
        .args(["-s", "x"])
        .run()
        .fails(2, &["line 2"]);
    assert!(
        !sb.dir.join("keystore.enc").exists(),
        "nothing was written at all"
    );
}

#[test]
fn past_expiry_is_allowed_on_import_only() {
    let sb = Sandbox::new();
    let json = sb
        .cmd([
            "import",
            "-n",
            "old",
            "-s",
            "svc",
            "--expires-at",
            "2021-06-30T10:00:00Z",
            "-j",
        ])
        .stdin("old_dmFsdWVFeHBpcmVkTG9uZ0FnbzEyMzQ1Njc4")
        .run()
        .ok()
        .json();
    assert_eq!(json["expires_at"], "2021-06-30T10:00:00Z");
    assert_eq!(json["status"], "expired");
    let before = sb.snapshot();
    sb.run(&[
        "generate",
        "api-key",
        "-n",
        "x",
        "-s",
        "svc",
        "--expires-at",
        "2021-06-30",
    ])
    .fails(2, &["in the past"]);
    assert_unchanged(&before, &sb.snapshot(), "generate with a past expiry");
    assert_eq!(json["id"], Value::String(sb.ids()[0].clone()));
}
