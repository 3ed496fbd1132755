//! The event log is tamper-evident and changes fail closed: on a log of 10 records, an edited
//! body or MAC, a deleted, swapped or inserted line, a tail cut by whole lines or inside the
//! last line, an edited, deleted or foreign `events.head` each make `apiauth log --check` exit 1
//! naming the exact first bad line (text and `-j`), while records left past the head by a stopped
//! writer are not damage; a head that cannot be read stops every command (an older keystore
//! could not be ruled out); and when the record of a change cannot be written (log unwritable,
//! tail cut), generate, import, rotate and revoke exit 3 without touching the keystore, while
//! verify still answers with a warning. Older copies put back are in `tests/rollback.rs`.

mod common;
mod event_log_support;

use common::{Sandbox, assert_unchanged};
use event_log_support::{Check, check, log_lines, records, write_log_lines};

/// A key directory whose log holds exactly 10 records: log_started, generate, 8 verifies.
fn ten_records() -> Sandbox {
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    for _ in 0..8 {
        assert_eq!(sb.verdict(&key.value), "valid");
    }
    assert_eq!(log_lines(&sb).len(), 10);
    let intact = check(&sb);
    assert_intact(&intact, 10);
    sb
}

fn assert_intact(check: &Check, records: u64) {
    assert_eq!(check.code, 0, "{}", check.text.stdout);
    assert_eq!(check.json["intact"], true, "{}", check.json);
    assert_eq!(check.json["records"], records);
    assert!(check.json["first_bad_line"].is_null(), "{}", check.json);
    assert!(check.json["problem"].is_null(), "{}", check.json);
    assert_eq!(check.json["unrecorded_keys"], serde_json::json!([]));
    assert!(
        check.text.stdout.contains("chain intact"),
        "{}",
        check.text.stdout
    );
}

/// Applies `tamper` to a fresh 10-record log and asserts `log --check` names `line`.
fn assert_detected(tamper: impl FnOnce(&Sandbox), line: u64) {
    let sb = ten_records();
    tamper(&sb);
    let check = check(&sb);
    assert_eq!(
        check.code, 1,
        "{}\n{}",
        check.text.stdout, check.text.stderr
    );
    assert_eq!(check.json["intact"], false, "{}", check.json);
    assert_eq!(check.json["first_bad_line"], line, "{}", check.json);
    assert_eq!(
        check.json["records"],
        line - 1,
        "the records before the bad line verified: {}",
        check.json
    );
    assert!(
        check.json["problem"]
            .as_str()
            .is_some_and(|p| !p.is_empty()),
        "{}",
        check.json
    );
    let named = format!("events.log line {line}:");
    assert!(
        check.text.stdout.contains(&named),
        "the text names {named:?}:\n{}",
        check.text.stdout
    );
}

/// Replaces one base64 character in the middle of field `field` (1 = body, 2 = MAC) of
/// line `line` (1-based) with another base64 character.
fn flip_char(sb: &Sandbox, line: usize, field: usize) {
    let mut lines = log_lines(sb);
    let mut fields: Vec<String> = lines[line - 1].split(' ').map(str::to_owned).collect();
    assert_eq!(fields.len(), 3, "SEQ BODY MAC");
    let target = &mut fields[field];
    let at = target.len() / 2;
    let old = target.as_bytes()[at];
    let new = if old == b'A' { "B" } else { "A" };
    target.replace_range(at..=at, new);
    lines[line - 1] = fields.join(" ");
    write_log_lines(sb, &lines);
}

#[test]
fn an_intact_log_passes() {
    let sb = ten_records();
    assert_intact(&check(&sb), 10);
}

#[test]
fn an_edited_record_body_is_named() {
    assert_detected(|sb| flip_char(sb, 5, 1), 5);
}

#[test]
fn an_edited_record_mac_is_named() {
    assert_detected(|sb| flip_char(sb, 5, 2), 5);
}

#[test]
fn a_deleted_line_is_named() {
    assert_detected(
        |sb| {
            let mut lines = log_lines(sb);
            lines.remove(4);
            write_log_lines(sb, &lines);
        },
        5,
    );
}

#[test]
fn swapped_lines_are_named() {
    assert_detected(
        |sb| {
            let mut lines = log_lines(sb);
            lines.swap(3, 4);
            write_log_lines(sb, &lines);
        },
        4,
    );
}

#[test]
fn an_inserted_copy_of_a_line_is_named() {
    assert_detected(
        |sb| {
            let mut lines = log_lines(sb);
            let copy = lines[2].clone();
            lines.insert(6, copy);
            write_log_lines(sb, &lines);
        },
        7,
    );
}

#[test]
fn a_tail_cut_by_whole_lines_is_named() {
    assert_detected(
        |sb| {
            let mut lines = log_lines(sb);
            lines.truncate(8);
            write_log_lines(sb, &lines);
        },
        9,
    );
}

#[test]
fn a_file_cut_inside_the_last_line_is_named() {
    assert_detected(
        |sb| {
            let path = sb.file("events.log");
            let bytes = std::fs::read(&path).expect("read");
            let last = log_lines(sb).last().expect("a line").len();
            std::fs::write(&path, &bytes[..bytes.len() - 1 - last / 2]).expect("write");
        },
        10,
    );
}

#[test]
fn an_edited_head_is_named() {
    assert_detected(
        |sb| {
            let path = sb.file("events.head");
            let mut bytes = std::fs::read(&path).expect("read");
            assert_eq!(bytes.len(), 112);
            bytes[20] ^= 0x01;
            std::fs::write(&path, bytes).expect("write");
        },
        11,
    );
}

#[test]
fn a_head_with_an_edited_sequence_number_is_named() {
    assert_detected(
        |sb| {
            let path = sb.file("events.head");
            let mut bytes = std::fs::read(&path).expect("read");
            assert_eq!(bytes[..8], 10u64.to_le_bytes(), "the head holds seq 10");
            bytes[..8].copy_from_slice(&8u64.to_le_bytes());
            std::fs::write(&path, bytes).expect("write");
        },
        11,
    );
}

#[test]
fn a_deleted_head_is_named() {
    assert_detected(
        |sb| std::fs::remove_file(sb.file("events.head")).expect("remove"),
        11,
    );
}

/// A store with two keys (one to rotate, one to revoke) whose log is then broken by `break_log`:
/// every change fails with exit 3 and leaves the keystore as it was; verify still answers.
fn assert_changes_fail_closed(break_log: impl FnOnce(&Sandbox)) {
    let sb = Sandbox::new();
    let rotate_me = sb.api_key("rotate-me", "svc", &[]);
    let revoke_me = sb.jwt("revoke-me", "svc", &[]);
    break_log(&sb);

    let keystore = std::fs::read(sb.file("keystore.enc")).expect("read keystore.enc");
    let before = sb.snapshot();
    let ids = sb.ids();
    assert_eq!(ids, [rotate_me.id.clone(), revoke_me.id.clone()]);

    let words = ["not applied", "could not be recorded"];
    sb.run(&["generate", "api-key", "-n", "new", "-s", "svc"])
        .fails(3, &words);
    sb.cmd(["import", "-n", "imported", "-s", "svc"])
        .stdin("imp_dGhpcyB2YWx1ZSBpcyBuZXZlciBpbXBvcnRlZA\n")
        .run()
        .fails(3, &words);
    let dotenv = sb.root().join("keys.env");
    std::fs::write(&dotenv, "ONE=one_dmFsdWUgb25lIGZyb20gYSBmaWxl\n").expect("write");
    sb.run(&[
        "import",
        "--from-file",
        dotenv.to_str().expect("utf-8 path"),
        "-s",
        "svc",
    ])
    .fails(3, &words);
    sb.run(&["rotate", &rotate_me.id]).fails(3, &words);
    sb.run(&["revoke", &revoke_me.id]).fails(3, &words);

    assert!(
        std::fs::read(sb.file("keystore.enc")).expect("read keystore.enc") == keystore,
        "keystore.enc changed"
    );
    assert_unchanged(
        &before,
        &sb.snapshot(),
        "changes whose record cannot be written",
    );
    assert_eq!(sb.ids(), ids);
    let shown = sb.json(&["show", &rotate_me.id, "-j"]);
    assert_eq!(shown["version"], 1);
    let shown = sb.json(&["show", &revoke_me.id, "-j"]);
    assert!(shown["revoked_at"].is_null(), "{shown}");

    // Reads still answer, with a warning that the call was not recorded.
    let out = sb
        .cmd(["verify", "-j"])
        .stdin(format!("{}\n", rotate_me.value))
        .run()
        .ok();
    assert_eq!(out.json()["status"], "valid");
    assert!(
        out.stderr.contains("warning:") && out.stderr.contains("not recorded"),
        "verify warns: {}",
        out.stderr
    );
    let out = sb
        .cmd(["verify", "-j"])
        .stdin("nope_bm90IGEga2V5IGF0IGFsbCwgbm90IGF0IGFsbA\n")
        .run()
        .code(1);
    assert_eq!(out.json()["status"], "not_found");
    assert!(out.stderr.contains("warning:"), "{}", out.stderr);
    assert_unchanged(&before, &sb.snapshot(), "verify");
}

#[test]
fn changes_fail_closed_when_the_log_is_a_directory() {
    assert_changes_fail_closed(|sb| {
        std::fs::remove_file(sb.file("events.log")).expect("remove");
        std::fs::create_dir(sb.file("events.log")).expect("mkdir");
    });
}

#[test]
fn a_head_that_cannot_be_read_stops_every_command() {
    // Without the head, a keystore put back from an older copy could not be told from the
    // current one: nothing answers, verify included.
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    std::fs::remove_file(sb.file("events.head")).expect("remove");
    std::fs::create_dir(sb.file("events.head")).expect("mkdir");
    let before = sb.snapshot();
    let words = ["events.head", "a directory", "cannot be ruled out"];
    sb.run(&["generate", "api-key", "-n", "new", "-s", "svc"])
        .fails(3, &words);
    sb.run(&["list"]).fails(3, &words);
    sb.cmd(["verify", "-j"])
        .stdin(format!("{}\n", key.value))
        .run()
        .fails(3, &words);
    assert_unchanged(&before, &sb.snapshot(), "a head that cannot be read");
    // log --check still finds and names the damage.
    let check = check(&sb);
    assert_eq!(check.code, 1, "{}", check.text.stdout);
    assert_eq!(check.json["first_bad_line"], 3, "{}", check.json);
}

#[test]
fn changes_fail_closed_when_the_tail_was_cut() {
    assert_changes_fail_closed(|sb| {
        let mut lines = log_lines(sb);
        assert_eq!(lines.len(), 3);
        lines.truncate(1);
        write_log_lines(sb, &lines);
    });
}

#[test]
fn a_change_whose_record_fails_leaves_no_record_behind() {
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    let log = sb.root().join("events.log.aside");
    std::fs::rename(sb.file("events.log"), &log).expect("move the log aside");
    std::fs::create_dir(sb.file("events.log")).expect("mkdir");
    sb.run(&["revoke", &key.id]).fails(3, &["not applied"]);
    std::fs::remove_dir(sb.file("events.log")).expect("rmdir");
    std::fs::rename(&log, sb.file("events.log")).expect("put the log back");

    // With the log back, it is intact and holds no record of the refused revoke.
    let all = records(&sb, &[]);
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r["action"] != "revoke"));
    assert_intact(&check(&sb), 2);
    sb.run(&["revoke", &key.id]).ok();
    assert_eq!(records(&sb, &[])[2]["action"], "revoke");
    assert_intact(&check(&sb), 3);
}

#[test]
fn a_head_from_another_log_with_the_same_key_is_named() {
    let sb = ten_records();
    // A second log of 10 records under the same master key: its head authenticates here.
    let other = Sandbox::new();
    std::fs::create_dir(&other.dir).expect("mkdir");
    std::fs::copy(sb.file("master.key"), other.file("master.key")).expect("copy master.key");
    let key = other.api_key("other", "svc", &[]);
    for _ in 0..8 {
        assert_eq!(other.verdict(&key.value), "valid");
    }
    assert_intact(&check(&other), 10);
    std::fs::copy(other.file("events.head"), sb.file("events.head")).expect("copy the head");

    let report = check(&sb);
    assert_eq!(report.code, 1, "{}", report.text.stdout);
    assert_eq!(report.json["first_bad_line"], 10, "{}", report.json);
    assert!(
        report.text.stdout.contains("events.log line 10:"),
        "{}",
        report.text.stdout
    );
}

/// A writer stopped after appending its records but before moving the head leaves records
/// that chain from the head: not damage, and the next append moves the head over them.
#[test]
fn records_past_a_head_left_behind_by_a_stopped_writer_are_not_damage() {
    let sb = ten_records();
    let key = sb.api_key("second", "svc", &[]);
    let head = std::fs::read(sb.file("events.head")).expect("read the head");
    assert_eq!(sb.verdict(&key.value), "valid");
    assert_eq!(sb.verdict(&key.value), "valid");
    std::fs::write(sb.file("events.head"), head).expect("put the old head back");

    assert_intact(&check(&sb), 13);
    sb.run(&["revoke", &key.id]).ok();
    assert_intact(&check(&sb), 14);
    let head = std::fs::read(sb.file("events.head")).expect("read the head");
    assert_eq!(
        head[..8],
        14u64.to_le_bytes(),
        "the head moved to the last record"
    );
}

#[test]
fn the_alert_gate_fails_when_a_cut_log_hides_the_alerts() {
    let sb = Sandbox::new();
    let key = sb.api_key("leaked", "svc", &[]);
    assert_eq!(sb.cmd(["revoke", key.id.as_str()]).run().code, 0);
    assert_eq!(sb.verdict(&key.value), "revoked");
    let gated = sb.cmd(["audit", "--exit-on-alert"]).run();
    assert_eq!(gated.code, 1, "one alert trips the gate: {}", gated.stdout);
    // Cut the alert (the last record) off the end: the gate must not pass on an empty list.
    let mut lines = log_lines(&sb);
    lines.pop();
    write_log_lines(&sb, &lines);
    let cut = sb.cmd(["audit", "--exit-on-alert", "-j"]).run();
    assert_eq!(cut.code, 1, "{}\n{}", cut.stdout, cut.stderr);
    assert!(
        cut.stderr.contains("alerts are unavailable"),
        "{}",
        cut.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&cut.stdout).expect("json");
    assert!(json["alerts_unavailable"].is_string(), "{json}");
}
