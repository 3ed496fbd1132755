//! An older copy of the keystore or of the event log put back under the other is caught by
//! every command (exit 3, both positions named, the fix given), never answered from: a copied
//! `keystore.enc`, the backup moved into place, a deleted `keystore.enc`, the event log moved
//! aside, and an older event log put back. `recover` explains each case and changes nothing;
//! `recover --accept-rollback` accepts it, records that in the log, and leaves a store that
//! every command opens again and in which an even older copy is still caught.

mod common;

use common::{OPENING_COMMANDS, Sandbox, assert_all_refused, assert_unchanged, snapshot_all};

/// Every command exits 3 with `words` and the way out, prints nothing, and writes nothing
/// (the event log included).
fn all_refused(sb: &Sandbox, value: &str, words: &[&str]) {
    let mut words = words.to_vec();
    words.push("apiauth recover --accept-rollback");
    assert_all_refused(sb, OPENING_COMMANDS, value, &words);
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

/// `recover` without the flag: exit 1, what is wrong and what accepting it means on stdout,
/// nothing changed.
fn explains(sb: &Sandbox, words: &[&str]) {
    let before = snapshot_all(&sb.dir);
    let out = sb.run(&["recover"]).code(1);
    for word in words.iter().chain(&["--accept-rollback"]) {
        assert!(out.stdout.contains(word), "{word:?} in:\n{}", out.stdout);
    }
    assert_unchanged(&before, &snapshot_all(&sb.dir), "recover without the flag");
}

/// `recover --accept-rollback` succeeds; the log then holds the recover record, verifies
/// whole, and reports no key without a creation record.
fn accept(sb: &Sandbox) {
    let out = sb.run(&["recover", "--accept-rollback"]).ok();
    assert!(
        out.stdout.contains("Recorded as event-log record"),
        "{}",
        out.stdout
    );
    let records = sb.json(&["log", "-j"]);
    let last = records
        .as_array()
        .expect("array")
        .last()
        .expect("a record")
        .clone();
    assert_eq!(last["action"], "recover", "{last}");
    let check = sb.json(&["log", "--check", "-j"]);
    assert_eq!(check["intact"], true, "{check}");
    let again = sb.run(&["recover"]).ok();
    assert!(
        again.stdout.contains("nothing to recover"),
        "{}",
        again.stdout
    );
}

#[test]
fn recover_accepts_an_older_keystore_once_asked_and_still_catches_older_ones() {
    let sb = Sandbox::new();
    let leaked = sb.api_key("leaked", "svc", &[]);
    let oldest = std::fs::read(sb.file("keystore.enc")).expect("read");
    let kept = sb.api_key("kept", "svc", &[]);
    let old = std::fs::read(sb.file("keystore.enc")).expect("read");
    let later = sb.api_key("later", "svc", &[]);
    sb.run(&["revoke", &leaked.id]).ok();
    std::fs::write(sb.file("keystore.enc"), &old).expect("put generation 2 back");

    explains(
        &sb,
        &["keystore.enc is generation 2", "records generation 4"],
    );
    accept(&sb);
    // Generation 2 as it was: the key revoked later is valid again (that was accepted, and
    // recorded), the key made later is gone.
    assert_eq!(sb.verdict(&leaked.value), "valid");
    assert_eq!(sb.verdict(&kept.value), "valid");
    assert_eq!(sb.verdict(&later.value), "not_found");
    let status = sb.run(&["recover"]).ok();
    assert!(status.stdout.contains("generation 5"), "{}", status.stdout);
    sb.api_key("after", "svc", &[]);

    // An even older copy put back is still caught.
    std::fs::write(sb.file("keystore.enc"), &oldest).expect("put generation 1 back");
    all_refused(
        &sb,
        &leaked.value,
        &["keystore.enc is generation 1", "records generation 6"],
    );
}

#[test]
fn recover_starts_a_new_log_when_the_old_one_is_gone() {
    let sb = Sandbox::new();
    let key = sb.api_key("leaked", "svc", &[]);
    sb.run(&["revoke", &key.id]).ok();
    assert_eq!(sb.verdict(&key.value), "revoked");
    for name in ["events.log", "events.head", "events.lastused"] {
        std::fs::remove_file(sb.file(name)).expect("rm");
    }
    explains(&sb, &["events.log is missing", "a new event log begins"]);
    accept(&sb);
    let records = sb.json(&["log", "-j"]);
    let actions: Vec<&str> = records
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["log_started", "recover"]);
    // The key made before the new log is accounted for by the recover record.
    let check = sb.json(&["log", "--check", "-j"]);
    assert_eq!(check["unrecorded_keys"], serde_json::json!([]), "{check}");
    assert_eq!(sb.verdict(&key.value), "revoked");
    sb.api_key("after", "svc", &[]);
}

#[test]
fn recover_accepts_an_older_log() {
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    let old_log = std::fs::read(sb.file("events.log")).expect("log");
    let old_head = std::fs::read(sb.file("events.head")).expect("head");
    sb.run(&["revoke", &key.id]).ok();
    std::fs::write(sb.file("events.log"), old_log).expect("old log back");
    std::fs::write(sb.file("events.head"), old_head).expect("old head back");
    explains(&sb, &["the event log ends at record 2", "record 3"]);
    accept(&sb);
    assert_eq!(sb.verdict(&key.value), "revoked", "the keystore is kept");
}

#[test]
fn recover_puts_a_new_head_on_a_log_whose_head_is_gone() {
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    assert_eq!(sb.verdict(&key.value), "valid");
    std::fs::remove_file(sb.file("events.head")).expect("rm");
    // Every command but log --check, which names the damage by line instead (exit 1).
    for args in [
        &["list"][..],
        &["generate", "api-key", "-n", "x", "-s", "y"],
    ] {
        sb.run(args)
            .fails(3, &["events.head is missing", "recover --accept-rollback"]);
    }
    let check = sb.run(&["log", "--check"]).code(1);
    assert!(check.stdout.contains("line 4"), "{}", check.stdout);
    explains(&sb, &["events.head is missing", "a new head"]);
    accept(&sb);
    let records = sb.json(&["log", "-j"]);
    assert_eq!(records.as_array().expect("array").len(), 4, "{records}");
}

#[test]
fn recover_will_not_start_empty_over_a_backup() {
    let sb = Sandbox::new();
    let first = sb.api_key("first", "svc", &[]);
    sb.api_key("second", "svc", &[]);
    std::fs::remove_file(sb.file("keystore.enc")).expect("rm");
    let before = snapshot_all(&sb.dir);
    sb.run(&["recover", "--accept-rollback"])
        .fails(3, &["keystore.enc", "missing", "cp "]);
    assert_unchanged(&before, &snapshot_all(&sb.dir), "recover over a backup");
    std::fs::copy(sb.file("keystore.enc.bak"), sb.file("keystore.enc")).expect("cp");
    accept(&sb);
    assert_eq!(sb.ids(), [first.id.as_str()]);
}

#[test]
fn recover_on_a_store_in_step_changes_nothing() {
    let sb = Sandbox::new();
    sb.api_key("alpha", "svc", &[]);
    let before = snapshot_all(&sb.dir);
    for args in [&["recover"][..], &["recover", "--accept-rollback"]] {
        let out = sb.run(args).ok();
        assert!(
            out.stdout.contains("generation 1") && out.stdout.contains("nothing to recover"),
            "{}",
            out.stdout
        );
    }
    assert_unchanged(
        &before,
        &snapshot_all(&sb.dir),
        "recover with nothing to do",
    );
}
