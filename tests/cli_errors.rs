//! Bad input: each mistake gets a clear message on stderr and the documented exit code
//! (2 usage, 3 keystore, 4 no such id), and nothing in the key directory changes.

mod common;

use common::{Sandbox, assert_unchanged};

/// A sandbox holding two keys, one of them revoked.
fn populated() -> (Sandbox, String, String) {
    let sb = Sandbox::new();
    let live = sb.api_key("live", "svc", &[]).id;
    let dead = sb.api_key("dead", "svc", &[]).id;
    sb.run(&["revoke", &dead]).ok();
    (sb, live, dead)
}

/// Runs `args`, expects `code` with `words` on stderr, and checks the key directory did not
/// change.
fn refused(sb: &Sandbox, args: &[&str], code: i32, words: &[&str]) {
    let before = sb.snapshot();
    let out = sb.run(args).fails(code, words);
    assert!(
        out.stdout.is_empty(),
        "{args:?} printed to stdout:\n{}",
        out.stdout
    );
    assert_unchanged(&before, &sb.snapshot(), &format!("{args:?}"));
}

#[test]
fn expiry_days_out_of_range() {
    let (sb, live, _) = populated();
    for days in ["-3", "0", "99999", "ten", "1.5"] {
        refused(
            &sb,
            &["generate", "api-key", "-n", "x", "-s", "s", "-e", days],
            2,
            &["--expiry-days", "expiry"],
        );
        refused(
            &sb,
            &["generate", "jwt", "-n", "x", "-s", "s", "-e", days],
            2,
            &["expiry"],
        );
        refused(&sb, &["rotate", &live, "-e", days], 2, &["expiry"]);
    }
    refused(
        &sb,
        &["generate", "api-key", "-n", "x", "-s", "s", "-e", "-3"],
        2,
        &["at least 1 day"],
    );
    refused(
        &sb,
        &["generate", "api-key", "-n", "x", "-s", "s", "-e", "99999"],
        2,
        &["maximum"],
    );
    refused(
        &sb,
        &[
            "generate",
            "api-key",
            "-n",
            "x",
            "-s",
            "s",
            "-e",
            "5",
            "--expires-at",
            "2099-01-01",
        ],
        2,
        &["cannot be used with"],
    );
}

#[test]
fn bad_prefix() {
    let (sb, _, _) = populated();
    for prefix in ["a_b", "abcdefghijklmnopq", "a-b", "ключ"] {
        refused(
            &sb,
            &["generate", "api-key", "-n", "x", "-s", "s", "-p", prefix],
            2,
            &["prefix", "1 to 16 letters or digits"],
        );
    }
}

#[test]
fn bad_claims() {
    let (sb, _, _) = populated();
    refused(
        &sb,
        &["generate", "jwt", "-n", "x", "-s", "s", "-c", "role"],
        2,
        &["key=value"],
    );
    for reserved in ["exp=1", "iss=me", "sub=x", "jti=k_1"] {
        refused(
            &sb,
            &["generate", "jwt", "-n", "x", "-s", "s", "-c", reserved],
            2,
            &["set by apiauth"],
        );
    }
}

#[test]
fn bad_labels_and_durations() {
    let (sb, live, _) = populated();
    refused(
        &sb,
        &["generate", "api-key", "-n", "   ", "-s", "s"],
        2,
        &["name must not be empty"],
    );
    refused(
        &sb,
        &[
            "generate", "api-key", "-n", "x", "-s", "s", "--env", "prod env",
        ],
        2,
        &["environment"],
    );
    refused(
        &sb,
        &[
            "generate", "api-key", "-n", "x", "-s", "s", "--scope", "a b",
        ],
        2,
        &["scope"],
    );
    refused(
        &sb,
        &["generate", "api-key", "-n", "x", "-s", "s", "-r", "0"],
        2,
        &["rate limit"],
    );
    for grace in ["0s", "-1d", "forever", "400d"] {
        let flag = format!("--grace={grace}");
        refused(&sb, &["rotate", &live, &flag], 2, &["--grace"]);
    }
    refused(
        &sb,
        &["list", "--status", "sleeping"],
        2,
        &["unknown status"],
    );
    refused(&sb, &["audit", "--within", "0"], 2, &["at least 1 day"]);
    refused(&sb, &["export", "-f", "xml"], 2, &["xml"]);
    refused(&sb, &["frobnicate"], 2, &["frobnicate"]);
    refused(
        &sb,
        &["generate", "api-key", "-s", "missing-name"],
        2,
        &["--name"],
    );
}

#[test]
fn unknown_id_exits_4() {
    let (sb, _, _) = populated();
    for args in [
        ["show", "k_ffffffffffff"],
        ["rotate", "k_ffffffffffff"],
        ["revoke", "k_ffffffffffff"],
        ["show", "not-an-id"],
        ["rotate", "zzz"],
    ] {
        refused(&sb, &args, 4, &["no key with id"]);
    }
    // On an empty directory too: no keystore and, above all, no master key is created.
    let empty = Sandbox::new();
    for args in [["rotate", "k_0123456789ab"], ["revoke", "k_0123456789ab"]] {
        empty.run(&args).fails(4, &["no key with id"]);
    }
    refused(&empty, &["show", "k_0123456789ab"], 4, &["no key with id"]);
    let files = empty.snapshot();
    assert!(
        !files.contains_key("master.key") && !files.contains_key("keystore.enc"),
        "a failed command created {:?}",
        files.keys().collect::<Vec<_>>()
    );
}

#[test]
fn ambiguous_prefix_exits_2_and_lists_candidates() {
    let (sb, live, dead) = populated();
    for args in [["show", "k_"], ["rotate", "k_"], ["revoke", "k_"]] {
        let before = sb.snapshot();
        let out = sb.run(&args).fails(2, &["matches 2 keys", "Candidates"]);
        assert!(
            out.stderr.contains(&live) && out.stderr.contains(&dead),
            "{}",
            out.stderr
        );
        assert_unchanged(&before, &sb.snapshot(), &format!("{args:?}"));
    }
}

#[test]
fn rotating_a_revoked_key_is_refused() {
    let (sb, _, dead) = populated();
    refused(
        &sb,
        &["rotate", &dead],
        2,
        &["revoked", "cannot be rotated"],
    );
    refused(
        &sb,
        &["rotate", &dead, "--grace", "1h", "-j"],
        2,
        &["cannot be rotated"],
    );
}

#[test]
fn past_expires_at_on_generate_and_rotate() {
    let (sb, live, _) = populated();
    refused(
        &sb,
        &[
            "generate",
            "jwt",
            "-n",
            "x",
            "-s",
            "s",
            "--expires-at",
            "2001-01-01",
        ],
        2,
        &["in the past"],
    );
    refused(
        &sb,
        &["rotate", &live, "--expires-at", "2001-01-01T00:00:00Z"],
        2,
        &["in the past"],
    );
    refused(
        &sb,
        &["rotate", &live, "--expires-at", "next tuesday"],
        2,
        &["not a time"],
    );
}

#[test]
fn bad_lock_timeout_setting_is_a_usage_error() {
    let (sb, _, _) = populated();
    let before = sb.snapshot();
    sb.cmd(["generate", "api-key", "-n", "x", "-s", "s"])
        .env("APIAUTH_LOCK_TIMEOUT", "soon")
        .run()
        .fails(2, &["APIAUTH_LOCK_TIMEOUT"]);
    assert_unchanged(&before, &sb.snapshot(), "bad APIAUTH_LOCK_TIMEOUT");
}

#[test]
fn bad_config_file_is_a_usage_error() {
    let (sb, _, _) = populated();
    let config = sb.root().join("bad-config.toml");
    std::fs::write(&config, "expiring_windw_days = 3\n").expect("write config");
    let before = sb.snapshot();
    sb.cmd(["generate", "api-key", "-n", "x", "-s", "s"])
        .env("APIAUTH_CONFIG", &config)
        .run()
        .fails(2, &["bad-config.toml", "line 1", "expiring_windw_days"]);
    assert_unchanged(&before, &sb.snapshot(), "bad config");

    // A value of the wrong type, and a key binding that is not a key: each named by line.
    let cases = [
        (
            "expiring_window_days = 3\nstale_after_days = \"soon\"\n",
            ["line 2", "expected u32"],
        ),
        ("[keys]\nquit = 5\n", ["line 2", "a list of keys"]),
    ];
    for (text, says) in cases {
        std::fs::write(&config, text).expect("write config");
        sb.cmd(["list"])
            .env("APIAUTH_CONFIG", &config)
            .run()
            .fails(2, &says);
    }
}

#[test]
fn a_new_value_that_cannot_be_printed_is_an_error_not_a_silent_loss() {
    let (sb, live, _) = populated();
    // stdout is /dev/full: the write of the one-time value fails after the key was stored.
    for script in [
        r#""$APIAUTH" --key-dir "$DIR" generate api-key -n lost -s svc -j >/dev/full"#,
        r#""$APIAUTH" --key-dir "$DIR" rotate LIVE >/dev/full"#,
    ] {
        let out = common::shell(&sb, &script.replace("LIVE", &live));
        assert_eq!(out.code, 3, "{script}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("could not be written to standard output")
                && out.stderr.contains("No space left")
                && out.stderr.contains("apiauth rotate k_"),
            "says the value is lost and how to get a new one: {}",
            out.stderr
        );
    }
    // Any other output lost to a full disk fails too (a CI job's `export > .env` must not pass
    // with a cut-off file); a reader that stops early (`| head`) is not a failure.
    let out = common::shell(
        &sb,
        r#""$APIAUTH" --key-dir "$DIR" export -f dotenv >/dev/full"#,
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("standard output could not be written")
            && out.stderr.contains("output is incomplete"),
        "{}",
        out.stderr
    );
    let out = common::shell(
        &sb,
        r#"{ sleep 0.1; "$APIAUTH" --key-dir "$DIR" list; echo "list exited $?" >&2; } | true"#,
    );
    assert!(out.stderr.contains("list exited 0"), "{}", out.stderr);
}
