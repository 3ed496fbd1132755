//! An older copy of the keystore or of the event log put back under the other is caught by
//! every command (exit 3, both positions named, the fix given), never answered from: a copied
//! `keystore.enc`, the backup moved into place, a deleted `keystore.enc`, the event log moved
//! aside, and an older event log put back.

mod common;

use common::{Out, Sandbox, assert_unchanged, snapshot_all};

/// Every command that opens the keystore or the event log, with `value` for verify.
fn every_command(sb: &Sandbox, value: &str) -> Vec<Out> {
    let commands: [&[&str]; 11] = [
        &["verify", "-j"],
        &["list"],
        &["show", "k_"],
        &["generate", "api-key", "-n", "new", "-s", "svc"],
        &["rotate", "k_"],
        &["revoke", "k_"],
        &["audit", "--exit-on-alert"],
        &["export"],
        &["stats"],
        &["log"],
        &["log", "--check"],
    ];
    commands
        .iter()
        .map(|args| sb.cmd(*args).stdin(format!("{value}\n")).run())
        .collect()
}

/// Every command exits 3 with `words` and the fix, prints nothing, and writes nothing (the
/// event log included).
fn all_refused(sb: &Sandbox, value: &str, words: &[&str]) {
    let before = snapshot_all(&sb.dir);
    for out in every_command(sb, value) {
        let out = out.fails(3, words);
        assert!(
            out.stderr.contains("apiauth recover --accept-rollback"),
            "`{}` gives the way out: {}",
            out.args,
            out.stderr
        );
        assert!(
            out.stdout.is_empty(),
            "`{}` printed {}",
            out.args,
            out.stdout
        );
    }
    assert_unchanged(&before, &snapshot_all(&sb.dir), "a refused rollback");
}

#[test]
fn an_older_keystore_copied_back_is_refused_by_every_command() {
    let sb = Sandbox::new();
    let leaked = sb.api_key("leaked", "svc", &[]);
    let old = std::fs::read(sb.file("keystore.enc")).expect("read");
    sb.api_key("later", "svc", &[]);
    sb.run(&["revoke", &leaked.id]).ok();
    assert_eq!(sb.verdict(&leaked.value), "revoked");

    std::fs::write(sb.file("keystore.enc"), old).expect("put the old copy back");
    all_refused(
        &sb,
        &leaked.value,
        &[
            "keystore.enc is generation 1",
            "records generation 3",
            "older keystore",
        ],
    );
}

#[test]
fn the_backup_moved_into_place_does_not_un_revoke_a_key() {
    let sb = Sandbox::new();
    let leaked = sb.api_key("leaked", "svc", &[]);
    sb.run(&["revoke", &leaked.id]).ok();
    std::fs::rename(sb.file("keystore.enc.bak"), sb.file("keystore.enc")).expect("mv");
    all_refused(
        &sb,
        &leaked.value,
        &["keystore.enc is generation 1", "records generation 2"],
    );
}

#[test]
fn a_deleted_keystore_is_not_an_empty_store() {
    let sb = Sandbox::new();
    let key = sb.api_key("one", "svc", &[]);
    sb.api_key("two", "svc", &[]);
    std::fs::remove_file(sb.file("keystore.enc")).expect("rm");
    // The backup is there: the error says what it holds.
    let out = sb.run(&["list"]).fails(
        3,
        &["keystore.enc is missing", "records keystore generation 2"],
    );
    assert!(out.stderr.contains("keystore.enc.bak"), "{}", out.stderr);
    std::fs::remove_file(sb.file("keystore.enc.bak")).expect("rm");
    all_refused(
        &sb,
        &key.value,
        &["keystore.enc is missing", "records keystore generation 2"],
    );
    assert!(
        !sb.file("keystore.enc").exists(),
        "no new keystore beside the log"
    );
}

#[test]
fn moving_the_event_log_aside_is_refused() {
    let sb = Sandbox::new();
    let key = sb.api_key("leaked", "svc", &[]);
    sb.run(&["revoke", &key.id]).ok();
    assert_eq!(sb.verdict(&key.value), "revoked");
    assert_eq!(sb.run(&["audit", "--exit-on-alert"]).code, 1, "one alert");

    let aside = sb.root().join("aside");
    std::fs::create_dir(&aside).expect("mkdir");
    for name in ["events.log", "events.head", "events.lastused"] {
        std::fs::rename(sb.file(name), aside.join(name)).expect("move aside");
    }
    all_refused(
        &sb,
        &key.value,
        &["events.log is missing", "keystore.enc is generation 2"],
    );
    // Only the log moved aside, the head kept: refused too.
    std::fs::rename(aside.join("events.head"), sb.file("events.head")).expect("head back");
    all_refused(&sb, &key.value, &["events.log is missing"]);
}

#[test]
fn an_older_event_log_put_back_is_refused() {
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    for _ in 0..8 {
        assert_eq!(sb.verdict(&key.value), "valid");
    }
    let old_log = std::fs::read(sb.file("events.log")).expect("log");
    let old_head = std::fs::read(sb.file("events.head")).expect("head");
    let leaked = sb.api_key("beta", "svc", &[]);
    sb.run(&["revoke", leaked.id.as_str()]).ok();
    std::fs::write(sb.file("events.log"), old_log).expect("old log back");
    std::fs::write(sb.file("events.head"), old_head).expect("old head back");
    all_refused(
        &sb,
        &leaked.value,
        &[
            "the event log ends at record 10",
            "recorded its last change as record 12",
        ],
    );
}
