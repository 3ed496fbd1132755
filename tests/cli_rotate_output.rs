//! The human output of `rotate` against the seeds' own shell pipelines (DESIGN.md §4): the
//! version is named only in `Rotated <id> (v<N>)`, no other line of apiauth's wording holds
//! `v<digit>`, and no name or service is echoed, so `grep "New key:" | awk '{print $3}'` takes
//! exactly the value and `grep -oP 'v\K[0-9]+'` the version, whatever the key is called.

mod common;

use std::process::Command;

use common::{Out, Sandbox};

/// Names and services that would break the pipelines if they were echoed.
const HOSTILE_NAME: &str = "New key: stolen v9 v10";
const HOSTILE_SERVICE: &str = "svc v7\nNew key: injected";

/// The seeds' rotation workflow, verbatim, under bash; prints NEW_KEY, VERSION and OUTPUT,
/// each followed by a NUL.
const WORKFLOW: &str = r#"
OUTPUT=$("$APIAUTH" --key-dir "$DIR" rotate "$ID" --expiry-days 90 $EXTRA 2>&1)
NEW_KEY=$(echo "$OUTPUT" | grep "New key:" | awk '{print $3}')
VERSION=$(echo "$OUTPUT" | grep -oP 'v\K[0-9]+')
printf '%s\0' "$NEW_KEY" "$VERSION" "$OUTPUT"
"#;

/// The seeds' one-liner, verbatim.
const ONE_LINER: &str = r#"NEW_KEY=$("$APIAUTH" --key-dir "$DIR" rotate "$ID" --expiry-days 90 2>&1 | grep "New key:" | awk '{print $3}'); printf '%s' "$NEW_KEY""#;

fn bash(sb: &Sandbox, script: &str, id: &str, extra: &str) -> Out {
    let output = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_remove("APIAUTH_MASTER_KEY")
        .env_remove("APIAUTH_HOME")
        .env_remove("NO_COLOR")
        .env("APIAUTH", common::BIN)
        .env("DIR", &sb.dir)
        .env("APIAUTH_CONFIG", sb.root().join("no-such-config.toml"))
        .env("ID", id)
        .env("EXTRA", extra)
        .output()
        .expect("run bash");
    Out {
        code: output.status.code().expect("bash exited"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
        args: script.to_owned(),
    }
}

/// What `grep -oP 'v\K[0-9]+'` finds in `text`.
fn versions_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'v' {
            let digits: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if !digits.is_empty() {
                found.push(digits);
            }
        }
    }
    found
}

#[test]
fn the_seeds_workflow_takes_exactly_the_value_and_the_version() {
    let sb = Sandbox::new();
    let api = sb.api_key(HOSTILE_NAME, HOSTILE_SERVICE, &[]);
    let jwt = sb.jwt(HOSTILE_NAME, HOSTILE_SERVICE, &[]);
    for (what, id, extra, version) in [
        ("api key", &api.id, "", 2),
        ("api key with grace", &api.id, "--grace 36h", 3),
        ("jwt", &jwt.id, "", 2),
        ("jwt with grace", &jwt.id, "--grace 2d", 3),
    ] {
        let out = bash(&sb, WORKFLOW, id, extra).ok();
        let [new_key, versions, output, rest] = out.stdout.split('\0').collect::<Vec<_>>()[..]
        else {
            panic!("three fields: {:?}", out.stdout);
        };
        assert_eq!(rest, "");
        assert_eq!(
            new_key.split_whitespace().count(),
            1,
            "{what}: one value:\n{output}"
        );
        let (json, code) = sb.verify(new_key, &[]);
        assert_eq!(
            (code, json["version"].as_u64()),
            (0, Some(version)),
            "{what}: {json}"
        );
        // The version, and whatever the random value itself happens to hold: nothing more.
        let mut expected = vec![version.to_string()];
        expected.extend(versions_in(new_key));
        let found: Vec<&str> = versions.lines().collect();
        assert_eq!(found, expected, "{what}:\n{output}");
        for line in output.lines() {
            if !line.contains("Rotated") && !line.starts_with("New key: ") {
                assert!(versions_in(line).is_empty(), "{what}: {line:?}");
            }
            assert!(
                !line.contains("stolen") && !line.contains("injected") && !line.contains("svc v7"),
                "{what}: user text echoed: {line:?}"
            );
        }
        assert_eq!(
            output.lines().filter(|l| l.contains("New key:")).count(),
            1,
            "{what}:\n{output}"
        );
    }
}

#[test]
fn the_seeds_one_liner_takes_exactly_the_value() {
    let sb = Sandbox::new();
    let key = sb.api_key(HOSTILE_NAME, HOSTILE_SERVICE, &["-p", "v9"]);
    let out = bash(&sb, ONE_LINER, &key.id, "").ok();
    assert!(
        out.stdout.starts_with("v9_") && out.stdout.len() == 3 + 43,
        "{}",
        out.stdout
    );
    assert_eq!(sb.verdict(&out.stdout), "valid");
}

#[test]
fn grace_and_expiry_lines_hold_no_version_number() {
    let sb = Sandbox::new();
    let key = sb.api_key("plain", "svc", &["-e", "30"]);
    for args in [
        vec!["rotate", key.id.as_str(), "--grace", "7d"],
        vec!["rotate", key.id.as_str()],
        vec![
            "rotate",
            key.id.as_str(),
            "--grace",
            "90s",
            "--expires-at",
            "2099-12-31",
        ],
    ] {
        let out = sb.run(&args).ok();
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert!(lines[0].contains("Rotated"), "{}", out.stdout);
        assert!(lines[1].starts_with("New key: "), "{}", out.stdout);
        for line in &lines[2..] {
            assert!(versions_in(line).is_empty(), "{line:?} in:\n{}", out.stdout);
        }
        assert!(out.stdout.contains("Expires:"), "{}", out.stdout);
    }
    let out = sb.run(&["rotate", &key.id, "--grace", "7d"]).ok();
    assert!(
        out.stdout.contains("previous value stays valid until"),
        "{}",
        out.stdout
    );
    let out = sb.run(&["rotate", &key.id]).ok();
    assert!(
        out.stdout.contains("previous value no longer verifies"),
        "{}",
        out.stdout
    );
}
