//! The read-only commands: `list` and its filters, `show`, `audit` (the seeds' shapes and the
//! CI gates), `export` in every format, `stats`, `completions`, and the headless rule for a
//! missing subcommand. Reads never rewrite the keystore.

mod common;

use common::{Sandbox, assert_unchanged};
use serde_json::Value;

/// A store with one key in each status: healthy, expiring, expired and revoked.
struct Mixed {
    sb: Sandbox,
    healthy: String,
    expiring: String,
    expired: String,
    revoked: String,
}

fn mixed() -> Mixed {
    let sb = Sandbox::new();
    let healthy = sb
        .api_key("healthy-key", "billing", &["--env", "prod", "-e", "60"])
        .id;
    let expiring = sb
        .api_key("expiring-key", "billing", &["--env", "staging", "-e", "3"])
        .id;
    let expired = sb
        .cmd([
            "import",
            "-n",
            "expired-key",
            "-s",
            "search",
            "--env",
            "prod",
            "--expires-at",
            "2020-02-02",
            "-j",
        ])
        .stdin("old_ZXhwaXJlZEtleUZvclJlcG9ydHNUZXN0MTIz")
        .run()
        .ok()
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let revoked = sb.jwt("revoked-key", "search", &[]).id;
    sb.run(&["revoke", &revoked, "--reason", "test"]).ok();
    Mixed {
        sb,
        healthy,
        expiring,
        expired,
        revoked,
    }
}

fn ids(json: &Value) -> Vec<&str> {
    json.as_array()
        .expect("an array")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn list_shows_status_and_filters() {
    let m = mixed();
    let all = m.sb.json(&["list", "-j"]);
    assert_eq!(
        ids(&all),
        [&m.healthy, &m.expiring, &m.expired, &m.revoked],
        "creation order"
    );
    let statuses: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["healthy", "expiring", "expired", "revoked"]);

    let service = m.sb.json(&["list", "-s", "billing", "-j"]);
    assert_eq!(ids(&service), [&m.healthy, &m.expiring]);
    let env = m.sb.json(&["list", "--env", "prod", "-j"]);
    assert_eq!(ids(&env), [&m.healthy, &m.expired]);
    for (status, id) in [
        ("healthy", &m.healthy),
        ("expiring", &m.expiring),
        ("expired", &m.expired),
        ("revoked", &m.revoked),
    ] {
        let filtered = m.sb.json(&["list", "--status", status, "-j"]);
        assert_eq!(ids(&filtered), [id], "--status {status}");
    }
    let both =
        m.sb.json(&["list", "-s", "search", "--status", "revoked", "-j"]);
    assert_eq!(ids(&both), [&m.revoked]);
    let none = m.sb.json(&["list", "-s", "nothing-here", "-j"]);
    assert_eq!(none, serde_json::json!([]));

    let human = m.sb.run(&["list"]).ok().stdout;
    for word in ["ID", "STATUS", "healthy", "expiring", "expired", "revoked"] {
        assert!(human.contains(word), "{word} in:\n{human}");
    }
    for id in [&m.healthy, &m.expiring, &m.expired, &m.revoked] {
        assert!(human.contains(id.as_str()));
    }
    let human = m.sb.run(&["list", "-s", "nothing-here"]).ok().stdout;
    assert!(human.contains("No keys match"), "{human}");
}

#[test]
fn show_has_the_full_entry_and_no_secret() {
    let m = mixed();
    let shown = m.sb.json(&["show", &m.revoked, "-j"]);
    for field in [
        "id",
        "type",
        "name",
        "service",
        "env",
        "scopes",
        "status",
        "version",
        "hint",
        "hash",
        "previous_hash",
        "created_at",
        "rotated_at",
        "expires_at",
        "revoked_at",
        "revocation_reason",
        "rate_limit",
        "claims",
        "last_used_at",
        "versions",
    ] {
        assert!(shown.get(field).is_some(), "show -j lacks {field}");
    }
    assert_eq!(shown["revocation_reason"], "test");
    assert_eq!(shown["status"], "revoked");
    let text = shown.to_string().to_lowercase();
    assert!(!text.contains("secret"), "no signing secret field: {text}");

    let human = m.sb.run(&["show", &m.healthy]).ok().stdout;
    for word in [
        m.healthy.as_str(),
        "healthy-key",
        "billing",
        "prod",
        "Versions:",
    ] {
        assert!(human.contains(word), "{word} in:\n{human}");
    }
}

/// The signing secret of a live JWT, read through the library, appears in no output, in any
/// encoding.
#[test]
fn no_output_reveals_a_jwt_signing_secret() {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    let sb = Sandbox::new();
    let token = sb.jwt("signed", "auth", &["-c", "role=admin"]);
    let rotated = sb.json(&["rotate", &token.id, "--grace", "1h", "-j"]);
    let keystore = apiauth_core::Store::in_dir(&sb.dir, None)
        .load()
        .expect("load the store");
    let secrets: Vec<[u8; 32]> = keystore.entries()[0]
        .versions
        .iter()
        .filter_map(|v| v.signing_secret.as_ref().map(|s| *s.as_bytes()))
        .collect();
    assert_eq!(
        secrets.len(),
        2,
        "the previous version keeps its signing secret during its grace window (DESIGN.md §3)"
    );
    let mut outputs = vec![rotated.to_string()];
    for args in [
        vec!["show", token.id.as_str(), "-j"],
        vec!["show", token.id.as_str()],
        vec!["list", "-j"],
        vec!["audit", "-j", "--within", "40"],
        vec!["export", "-f", "json"],
        vec!["export", "-f", "env"],
    ] {
        outputs.push(sb.run(&args).ok().stdout);
    }
    outputs.push(sb.cmd(["verify", "-j", &token.value]).run().ok().stdout);
    for secret in &secrets {
        let numbers = secret
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let forms = [
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            STANDARD.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
            numbers,
        ];
        for out in &outputs {
            let compact: String = out.chars().filter(|c| !c.is_whitespace()).collect();
            for form in &forms {
                assert!(
                    !compact.contains(form.as_str()),
                    "a signing secret was printed"
                );
            }
        }
    }
}

#[test]
fn audit_json_and_gates() {
    let m = mixed();
    let json = m.sb.json(&["audit", "-j"]);
    for (field, id) in [
        ("healthy", &m.healthy),
        ("expiring", &m.expiring),
        ("expired", &m.expired),
        ("revoked", &m.revoked),
    ] {
        assert_eq!(ids(&json[field]), [id], "{field}");
    }
    m.sb.run(&["audit"]).ok();
    for gate in [
        "--exit-on-expired",
        "--exit-on-expiring",
        "--exit-on-revoked",
    ] {
        let out = m.sb.run(&["audit", gate]).code(1);
        assert!(out.stderr.contains("audit gate failed"), "{}", out.stderr);
    }
    // --within widens the expiring window: the 60-day key becomes expiring.
    let wide = m.sb.json(&["audit", "--within", "90", "-j"]);
    assert_eq!(ids(&wide["expiring"]), [&m.expiring, &m.healthy]);
    assert_eq!(wide["healthy"], serde_json::json!([]));
}

#[test]
fn audit_gates_pass_on_a_healthy_store() {
    let sb = Sandbox::new();
    sb.api_key("a", "svc", &["-e", "30"]);
    sb.api_key("b", "svc", &[]);
    let out = sb
        .run(&[
            "audit",
            "--exit-on-expired",
            "--exit-on-expiring",
            "--exit-on-revoked",
        ])
        .ok();
    assert_eq!(out.stdout.trim(), "✓ All 2 keys are healthy");
    assert!(!out.stdout.contains("EXPIRED"));
    // The window decides what is expiring.
    sb.run(&["audit", "--within", "31", "--exit-on-expiring"])
        .code(1);
}

#[test]
fn audit_human_shapes_of_the_seeds() {
    let sb = Sandbox::new();
    let empty = sb.run(&["audit"]).ok().stdout;
    assert!(empty.contains("✓ All 0 keys are healthy"), "{empty}");
    sb.api_key("fine", "svc", &["-e", "100"]);
    let healthy = sb.run(&["audit"]).ok().stdout;
    assert!(healthy.contains("✓ All 1 keys are healthy"), "{healthy}");
    assert!(!healthy.contains("EXPIRED") && !healthy.contains("EXPIRING"));

    sb.api_key("soon", "svc", &["-e", "3"]);
    let expiring = sb.run(&["audit"]).ok().stdout;
    assert!(expiring.contains("EXPIRING"), "{expiring}");
    assert!(!expiring.contains("EXPIRED"), "{expiring}");
    assert!(expiring.contains("⚠ 1 EXPIRING key(s) (within 7 days):"));

    sb.cmd([
        "import",
        "-n",
        "gone",
        "-s",
        "svc",
        "--expires-at",
        "2022-01-01",
    ])
    .stdin("gone_ZXhwaXJlZEZvckF1ZGl0U2hhcGVzMTIzNA")
    .run()
    .ok();
    let expired = sb.run(&["audit"]).ok().stdout;
    assert!(expired.contains("✗ 1 EXPIRED key(s):"), "{expired}");
    assert!(!expired.contains("All 3 keys are healthy"));

    let id = sb.ids()[0].clone();
    sb.run(&["revoke", &id]).ok();
    let revoked = sb.run(&["audit"]).ok().stdout;
    assert!(revoked.contains("⊘ 1 REVOKED key(s):"), "{revoked}");
}

#[test]
fn stats_counts() {
    let m = mixed();
    let stats = m.sb.json(&["stats", "-j"]);
    assert_eq!(stats["total"], 4);
    assert_eq!(stats["active"], 2);
    assert_eq!(stats["expiring"], 1);
    assert_eq!(stats["expired"], 1);
    assert_eq!(stats["revoked"], 1);
    assert_eq!(
        stats["services"],
        serde_json::json!({"billing": 2, "search": 2})
    );
    let human = m.sb.run(&["stats"]).ok().stdout;
    assert!(human.contains("Total keys: 4"), "{human}");
}

#[test]
fn export_formats_carry_metadata_of_active_keys_only() {
    let m = mixed();
    let env = m.sb.run(&["export", "-f", "env"]).ok().stdout;
    assert!(
        env.contains(&format!("export APIAUTH_HEALTHY_KEY_ID='{}'", m.healthy)),
        "{env}"
    );
    assert!(env.contains("export APIAUTH_HEALTHY_KEY_SERVICE='billing'"));
    assert!(env.contains("export APIAUTH_EXPIRING_KEY_VERSION='1'"));
    assert!(
        !env.contains(&m.expired) && !env.contains(&m.revoked),
        "only active keys"
    );
    assert_eq!(m.sb.run(&["export"]).ok().stdout, env, "env is the default");

    let dotenv = m.sb.run(&["export", "-f", "dotenv"]).ok().stdout;
    assert!(dotenv.contains(&format!("APIAUTH_HEALTHY_KEY_ID='{}'", m.healthy)));
    assert!(!dotenv.contains("export "));

    let gha = m.sb.run(&["export", "-f", "github-actions"]).ok().stdout;
    assert!(gha.contains(&format!("APIAUTH_HEALTHY_KEY_ID={}\n", m.healthy)));

    let json: Value =
        serde_json::from_str(&m.sb.run(&["export", "-f", "json"]).ok().stdout).expect("JSON");
    assert_eq!(ids(&json), [&m.healthy, &m.expiring]);

    let by_service = m.sb.run(&["export", "-s", "billing"]).ok().stdout;
    assert_eq!(by_service, env);
    let by_env = m.sb.run(&["export", "--env", "staging"]).ok().stdout;
    assert!(by_env.contains(&m.expiring) && !by_env.contains(&m.healthy));
    let nothing = m.sb.run(&["export", "-s", "search"]).ok().stdout;
    assert_eq!(nothing, "", "search has no active key");
}

#[test]
fn reads_write_nothing() {
    let m = mixed();
    let before = m.sb.snapshot();
    for args in [
        vec!["list"],
        vec!["list", "-j"],
        vec!["show", m.healthy.as_str()],
        vec!["audit"],
        vec!["stats"],
        vec!["export"],
    ] {
        m.sb.run(&args).ok();
    }
    m.sb.verify("old_ZXhwaXJlZEtleUZvclJlcG9ydHNUZXN0MTIz", &[]);
    // The event log (DESIGN.md §6) may record reads; the keystore itself is never rewritten.
    let keystore_files = |mut s: common::Snapshot| {
        s.remove("events.log");
        s
    };
    assert_unchanged(
        &keystore_files(before),
        &keystore_files(m.sb.snapshot()),
        "read-only commands",
    );
}

#[test]
fn completions_for_every_shell() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = sb.run(&["completions", shell]).ok();
        assert!(
            out.stdout.contains("apiauth") && out.stdout.contains("generate"),
            "{shell} completion script"
        );
    }
    sb.run(&["completions", "tcsh"]).code(2);
    assert!(!sb.dir.exists(), "completions touch no key directory");
}

#[test]
fn no_subcommand_without_a_terminal_is_a_usage_error() {
    let sb = Sandbox::new();
    // stdin is /dev/null, stdout a pipe: never the TUI, never a prompt.
    let out = sb.run(&[]).code(2);
    assert!(out.stderr.contains("no command given"), "{}", out.stderr);
    let out = sb.run(&["--headless"]).code(2);
    assert!(out.stderr.contains("no command given"), "{}", out.stderr);
    sb.run(&["--headless", "list"]).ok();
    assert!(!sb.dir.join("keystore.enc").exists());
}

#[test]
fn key_dir_flag_wins_over_apiauth_home() {
    let sb = Sandbox::new();
    let home = sb.root().join("home-dir");
    let issued: Value = sb
        .bare()
        .env("APIAUTH_HOME", &home)
        .args(["generate", "api-key", "-n", "h", "-s", "svc", "-j"])
        .run()
        .ok()
        .json();
    assert!(home.join("keystore.enc").exists(), "APIAUTH_HOME is used");
    assert!(!sb.dir.exists());
    let listed = sb
        .bare()
        .env("APIAUTH_HOME", &home)
        .args(["list", "-j"])
        .run()
        .ok()
        .json();
    assert_eq!(ids(&listed), [issued["id"].as_str().expect("id")]);
    // --key-dir overrides it.
    let listed = sb
        .cmd(["list", "-j"])
        .env("APIAUTH_HOME", &home)
        .run()
        .ok()
        .json();
    assert_eq!(listed, serde_json::json!([]));
}
