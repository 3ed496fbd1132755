//! Imported JWTs (DESIGN.md §3): whatever algorithm the token names, its `exp` bounds the
//! entry's expiry (the earlier of `exp` and `-e`/`--expires-at`), so `list`, `audit` and
//! verify agree once it has passed; a token naming `none` is refused (exit 2); a token apiauth
//! did not issue is matched by its hash and verify says `"signature_checked": false`.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use common::{Sandbox, assert_unchanged, time};
use hmac::Mac as _;
use serde_json::{Value, json};

/// A compact token with this header, these claims and this signature.
fn compact(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// A token issued elsewhere, with `alg` in its header and `exp` in its claims. HS256 and HS512
/// tokens carry a real signature under a secret apiauth never sees; RS256 and ES256 ones a
/// signature of the right length (apiauth holds no key to check either).
fn foreign(alg: &str, exp: DateTime<Utc>, jti: &str) -> String {
    let header = json!({"alg": alg, "typ": "JWT"});
    let claims = json!({
        "iss": "https://issuer.example",
        "sub": "client-42",
        "iat": (exp - Duration::hours(1)).timestamp(),
        "exp": exp.timestamp(),
        "jti": jti,
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = match alg {
        "HS256" => {
            let mut mac =
                <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(b"issuer secret")
                    .unwrap();
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        "HS512" => {
            let mut mac =
                <hmac::Hmac<sha2::Sha512> as hmac::KeyInit>::new_from_slice(b"issuer secret")
                    .unwrap();
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        "ES256" => vec![0x5a; 64],
        _ => vec![0xa5; 256],
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn import(sb: &Sandbox, name: &str, token: &str, extra: &[&str]) -> Value {
    let mut args = vec!["import", "-n", name, "-s", "auth", "-j"];
    args.extend_from_slice(extra);
    sb.cmd(&args).stdin(token).run().ok().json()
}

/// The status `list -j` shows for `id`.
fn listed_status(sb: &Sandbox, id: &str) -> String {
    let all = sb.json(&["list", "-j"]);
    let entry = all
        .as_array()
        .expect("an array")
        .iter()
        .find(|e| e["id"] == id)
        .expect("listed");
    entry["status"].as_str().expect("status").to_owned()
}

#[test]
fn an_expired_token_of_any_algorithm_is_expired_everywhere() {
    let exp = (Utc::now() - Duration::hours(2)).trunc_subsecs(0);
    for alg in ["RS256", "ES256", "HS512", "HS256"] {
        let sb = Sandbox::new();
        let token = foreign(alg, exp, alg);
        let entry = import(&sb, "foreign", &token, &[]);
        assert_eq!(entry["type"], "jwt", "{alg}");
        assert_eq!(time(&entry["expires_at"]), exp, "{alg}: the token's exp");
        let id = entry["id"].as_str().expect("id");
        assert_eq!(listed_status(&sb, id), "expired", "{alg}");
        let (verdict, code) = sb.verify(&token, &[]);
        assert_eq!(
            (verdict["status"].as_str(), code),
            (Some("expired"), 1),
            "{alg}"
        );
        let out = sb.run(&["audit", "--exit-on-expired"]).code(1);
        assert!(out.stdout.contains("1 EXPIRED"), "{alg}: {}", out.stdout);

        // -e never extends a token past its exp: the earlier of the two.
        let sb = Sandbox::new();
        let entry = import(&sb, "foreign", &token, &["-e", "30"]);
        assert_eq!(time(&entry["expires_at"]), exp, "{alg} with -e 30");
        let id = entry["id"].as_str().expect("id");
        assert_eq!(listed_status(&sb, id), "expired", "{alg} with -e 30");
        sb.run(&["audit", "--exit-on-expired"]).code(1);
        assert_eq!(sb.verdict(&token), "expired", "{alg} with -e 30");
    }
}

#[test]
fn the_earlier_of_exp_and_the_flags_bounds_a_live_token() {
    let exp = (Utc::now() + Duration::days(10)).trunc_subsecs(0);
    let sb = Sandbox::new();
    let token = foreign("RS256", exp, "a");
    let entry = import(&sb, "plain", &token, &[]);
    assert_eq!(time(&entry["expires_at"]), exp);
    assert_eq!(sb.verdict(&token), "valid");

    let short = foreign("ES256", exp, "b");
    let entry = import(&sb, "short", &short, &["-e", "2"]);
    common::about_days_from_now(time(&entry["expires_at"]), 2);

    let long = foreign("HS512", exp, "c");
    let entry = import(&sb, "long", &long, &["-e", "30"]);
    assert_eq!(
        time(&entry["expires_at"]),
        exp,
        "-e 30 does not outlast exp"
    );

    let at = foreign("HS256", exp, "d");
    let entry = import(&sb, "at", &at, &["--expires-at", "2099-01-01"]);
    assert_eq!(
        time(&entry["expires_at"]),
        exp,
        "--expires-at later than exp"
    );
    let at = foreign("HS256", exp, "e");
    let earlier = (Utc::now() + Duration::days(3)).trunc_subsecs(0);
    let earlier_text = earlier.to_rfc3339();
    let entry = import(&sb, "at2", &at, &["--expires-at", &earlier_text]);
    assert_eq!(time(&entry["expires_at"]), earlier);
}

#[test]
fn an_unsigned_token_is_refused() {
    let sb = Sandbox::new();
    sb.api_key("existing", "svc", &[]);
    let before = sb.snapshot();
    let claims = json!({"sub": "x", "exp": (Utc::now() + Duration::days(1)).timestamp()});
    for (header, signature) in [
        (json!({"alg": "none"}), &b""[..]),
        (json!({"alg": "none", "typ": "JWT"}), &b"sig"[..]),
        (json!({"alg": "None"}), &b""[..]),
        (json!({"alg": "NONE"}), &b""[..]),
        (json!({"alg": "RS256"}), &b""[..]),
    ] {
        let token = compact(&header, &claims, signature);
        let out = sb
            .cmd(["import", "-n", "unsigned", "-s", "auth"])
            .stdin(token.clone())
            .run()
            .fails(2, &["unsigned"]);
        assert!(!out.stderr.contains(&token), "the token is not echoed");
        assert_unchanged(&before, &sb.snapshot(), &format!("importing {header}"));
    }
}

#[test]
fn verify_says_whether_it_checked_the_signature() {
    let sb = Sandbox::new();
    let issued = sb.jwt("ours", "auth", &[]);
    let (json, _) = sb.verify(&issued.value, &[]);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["signature_checked"], true, "{json}");

    let token = foreign("RS256", Utc::now() + Duration::days(5), "theirs");
    import(&sb, "theirs", &token, &[]);
    let (json, _) = sb.verify(&token, &[]);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["signature_checked"], false, "{json}");

    // An imported HS256 token is not apiauth's either: its secret is not here.
    let token = foreign("HS256", Utc::now() + Duration::days(5), "theirs-hs");
    import(&sb, "theirs-hs", &token, &[]);
    assert_eq!(sb.verify(&token, &[]).0["signature_checked"], false);

    let key = sb.api_key("plain", "svc", &[]);
    let (json, _) = sb.verify(&key.value, &[]);
    assert!(
        json.get("signature_checked").is_none(),
        "an API key has none: {json}"
    );
}

#[test]
fn from_file_lines_holding_tokens_get_the_same_treatment() {
    let sb = Sandbox::new();
    let exp = (Utc::now() - Duration::hours(3)).trunc_subsecs(0);
    let expired = foreign("RS256", exp, "file");
    let live_exp = (Utc::now() + Duration::days(4)).trunc_subsecs(0);
    let live = foreign("ES256", live_exp, "file-live");
    let file = sb.root().join("tokens.env");
    std::fs::write(
        &file,
        format!(
            "OLD_TOKEN={expired}\nLIVE_TOKEN=\"{live}\"\nAPI_KEY=sk_dGhpcmRMaW5lSXNBbkFwaUtleQ\n"
        ),
    )
    .expect("write");
    let json = sb
        .cmd(["import", "--from-file"])
        .arg(&file)
        .args(["-s", "legacy", "-e", "30", "-j"])
        .run()
        .ok()
        .json();
    assert_eq!(json[0]["type"], "jwt");
    assert_eq!(time(&json[0]["expires_at"]), exp);
    assert_eq!(json[0]["status"], "expired");
    assert_eq!(time(&json[1]["expires_at"]), live_exp);
    assert_eq!(json[2]["type"], "api_key");
    common::about_days_from_now(time(&json[2]["expires_at"]), 30);
    assert_eq!(sb.verdict(&expired), "expired");
    sb.run(&["audit", "--exit-on-expired"]).code(1);

    // A file with an unsigned token is refused whole, naming the line.
    let other = Sandbox::new();
    let unsigned = compact(&json!({"alg": "none"}), &json!({"sub": "x"}), b"");
    std::fs::write(
        &file,
        format!("GOOD=sk_Z29vZExpbmVCZWZvcmVVbnNpZ25lZA\nBAD={unsigned}\n"),
    )
    .expect("write");
    other
        .cmd(["import", "--from-file"])
        .arg(&file)
        .args(["-s", "legacy"])
        .run()
        .fails(2, &["line 2", "unsigned"]);
    assert!(
        !other.dir.join("keystore.enc").exists(),
        "nothing was imported"
    );
}

#[test]
fn what_looks_like_a_jwt_must_be_a_well_formed_one() {
    let sb = Sandbox::new();
    let before = sb.snapshot();
    let exp = json!({"exp": (Utc::now() + Duration::days(1)).timestamp()});
    let refused = [
        // The header starts like JSON ("eyJ" is `{"`) but is cut off.
        format!(
            "eyJhbGciOiJSUzI1.{}.c2ln",
            URL_SAFE_NO_PAD.encode(exp.to_string())
        ),
        // A JSON header that names no algorithm.
        compact(&json!({"typ": "JWT"}), &exp, b"sig"),
        // A header naming an algorithm that is not a string.
        compact(&json!({"alg": 256}), &exp, b"sig"),
        // Claims that are not a JSON object.
        format!(
            "{}.bm90IGpzb24.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#)
        ),
        // An exp that is not a number of seconds.
        compact(
            &json!({"alg": "RS256"}),
            &json!({"exp": "2030-01-01"}),
            b"sig",
        ),
        compact(&json!({"alg": "RS256"}), &json!({"exp": -5}), b"sig"),
    ];
    for token in &refused {
        sb.cmd(["import", "-n", "bad", "-s", "auth"])
            .stdin(token.clone())
            .run()
            .fails(2, &["JWT"]);
    }
    assert_unchanged(&before, &sb.snapshot(), "malformed tokens");

    // Three dot-separated parts whose first is not JSON are an opaque key (SendGrid's shape).
    let opaque = "SG.c2VuZGdyaWRfbGlrZV9rZXk.b3BhcXVlX3ZhbHVlX3BhcnRfdHdv";
    let entry = import(&sb, "sendgrid", opaque, &[]);
    assert_eq!(entry["type"], "api_key");
    assert_eq!(entry["expires_at"], Value::Null);
    assert_eq!(sb.verdict(opaque), "valid");

    // A fractional exp is a NumericDate too; the entry expires at its whole second.
    let exp = (Utc::now() + Duration::days(2)).trunc_subsecs(0);
    let token = compact(
        &json!({"alg": "ES256"}),
        &json!({"exp": exp.timestamp() as f64 + 0.75}),
        &[1; 64],
    );
    let entry = import(&sb, "fractional", &token, &[]);
    assert_eq!(time(&entry["expires_at"]), exp);
}

/// An entry stored by an older build with no expiry for an imported token: verify still reads
/// the token's own `exp`.
#[test]
fn verify_reads_the_exp_of_any_imported_token() {
    let sb = Sandbox::new();
    let token = foreign("RS256", Utc::now() - Duration::hours(1), "old-build");
    let entry = import(&sb, "old", &token, &[]);
    let id = entry["id"].as_str().expect("id").to_owned();
    apiauth_core::Store::in_dir(&sb.dir, None)
        .update(|tx| {
            let n = tx.resolve(&id)?;
            let mut entry = tx.entry(n)?;
            entry.expires_at = None;
            tx.replace(n, &entry)
        })
        .expect("clear the expiry as an older build stored it");
    assert_eq!(sb.json(&["show", &id, "-j"])["expires_at"], Value::Null);
    let (json, code) = sb.verify(&token, &[]);
    assert_eq!(
        (json["status"].as_str(), code),
        (Some("expired"), 1),
        "{json}"
    );
}
