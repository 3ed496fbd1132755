//! Values read from stdin are exact (DESIGN.md §1): the whole input, less one trailing `\n` or
//! `\r\n`. A second line, surrounding spaces or a value too large to be a key make it invalid:
//! verify answers `not_found`, import refuses with exit 2 and writes nothing. The read is
//! capped, so an endless stdin cannot exhaust memory.

mod common;

use common::{Sandbox, assert_unchanged, shell};
use serde_json::json;

/// A value too large to be any key (import's limit is 16 KiB).
const HUGE: usize = 20 * 1024;

#[test]
fn verify_reads_the_whole_input_not_its_first_line() {
    let sb = Sandbox::new();
    let key = sb.api_key("k", "svc", &[]);
    let answer = |input: String| {
        let out = sb.cmd(["verify", "-j"]).stdin(input).run();
        (out.json(), out.code)
    };
    let not_found = (json!({"status": "not_found"}), 1);
    for (what, input) in [
        ("a second line", format!("{}\nanything", key.value)),
        ("a second, empty line", format!("{}\n\n", key.value)),
        ("a line before", format!("\n{}\n", key.value)),
        ("a leading space", format!(" {}\n", key.value)),
        ("a trailing space", format!("{} \n", key.value)),
        ("a bare carriage return", format!("{}\r", key.value)),
        ("nothing at all", String::new()),
        ("an empty line", "\n".to_owned()),
    ] {
        assert_eq!(answer(input), not_found, "{what}");
    }
    for (what, input) in [
        ("no newline", key.value.clone()),
        ("a trailing LF", format!("{}\n", key.value)),
        ("a trailing CRLF", format!("{}\r\n", key.value)),
    ] {
        let (json, code) = answer(input);
        assert_eq!(
            (json["status"].as_str(), code),
            (Some("valid"), 0),
            "{what}"
        );
    }
    // The human answer of an empty stdin is the plain not-found one, not an error.
    let out = sb.cmd(["verify"]).stdin("").run().code(1);
    assert!(out.stdout.contains("INVALID"), "{}", out.stdout);
}

#[test]
fn verify_of_an_oversized_or_endless_stdin_is_not_found() {
    let sb = Sandbox::new();
    sb.api_key("k", "svc", &[]);
    let out = sb
        .cmd(["verify", "-j"])
        .stdin("a".repeat(HUGE))
        .run()
        .code(1);
    assert_eq!(out.json(), json!({"status": "not_found"}));
    // /dev/zero never ends: the read stops at the cap, under a 512 MiB address-space limit.
    let out = shell(
        &sb,
        "ulimit -v 524288; \"$APIAUTH\" --key-dir \"$DIR\" verify -j < /dev/zero",
    )
    .code(1);
    assert_eq!(out.json(), json!({"status": "not_found"}));
    // Bytes that are not UTF-8 cannot be a key either.
    let out = sb
        .cmd(["verify", "-j"])
        .stdin(b"ak_\xff\xfe\n".to_vec())
        .run()
        .code(1);
    assert_eq!(out.json(), json!({"status": "not_found"}));
}

#[test]
fn import_refuses_anything_but_one_exact_value() {
    let sb = Sandbox::new();
    sb.api_key("existing", "svc", &[]);
    let before = sb.snapshot();
    let refused = |input: Vec<u8>, words: &[&str]| {
        sb.cmd(["import", "-n", "x", "-s", "svc"])
            .stdin(input)
            .run()
            .fails(2, words);
        assert_unchanged(
            &before,
            &sb.snapshot(),
            &format!("import refusing {words:?}"),
        );
    };
    refused(b"ok1_dmFsdWVPbmVMaW5lMQ\nanything".to_vec(), &["line"]);
    refused(b"ok1_dmFsdWVPbmVMaW5lMQ\n\n".to_vec(), &["line"]);
    refused(b"\nok1_dmFsdWVPbmVMaW5lMQ\n".to_vec(), &["line"]);
    refused(b"  ok1_dmFsdWVPbmVMaW5lMQ\n".to_vec(), &["whitespace"]);
    refused(Vec::new(), &["stdin", "empty"]);
    refused(b"\n".to_vec(), &["stdin", "empty"]);
    refused("a".repeat(HUGE).into_bytes(), &["longer than"]);
    refused(b"ok1_\xff\xfe".to_vec(), &["UTF-8"]);
    assert_eq!(
        sb.verdict("ok1_dmFsdWVPbmVMaW5lMQ"),
        "not_found",
        "the first line was not imported"
    );
}

#[test]
fn import_removes_exactly_one_trailing_newline() {
    let sb = Sandbox::new();
    for (name, input) in [
        ("lf", "lf_dmFsdWVXaXRoQUxpbmVGZWVk\n"),
        ("crlf", "crlf_dmFsdWVXaXRoQUNybGY\r\n"),
        ("none", "none_dmFsdWVXaXRoTm9OZXdsaW5l"),
    ] {
        sb.cmd(["import", "-n", name, "-s", "svc"])
            .stdin(input)
            .run()
            .ok();
        let value = input.trim_end_matches(['\r', '\n']);
        let out = sb.cmd(["verify", "-j", value]).run().ok();
        assert_eq!(out.json()["name"], name);
    }
}
