//! Untrusted text never reaches the terminal raw: names and services carrying escape
//! sequences, C1 controls, bidi overrides and zero-width characters are replaced in human
//! output, escaped in JSON (which still parses back to the exact text), and quoted in `export`
//! so that evaluating it in a shell runs nothing.

mod common;

use common::{Sandbox, shell};
use serde_json::Value;

/// An OSC 52 clipboard write, a colour change, a C1 CSI, a bidi override and a zero-width space.
const EVIL_NAME: &str = "evil\x1b]52;c;aGk=\x07\x1b[31mred\u{9b}2J\u{202e}gpj.exe\u{200b}end";
const EVIL_SERVICE: &str = "svc\u{2066}\x1b[2Jx\u{feff}\u{7f}";

/// The characters DESIGN.md §1 says must never be printed raw (a line feed is layout).
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}')
}

fn assert_clean(text: &str, what: &str) {
    if let Some(c) = text.chars().find(|&c| is_dangerous(c)) {
        panic!(
            "{what} contains the raw character U+{:04X}:\n{text:?}",
            c as u32
        );
    }
}

/// A store with the hostile key (expiring, so audit names it) and a revoked hostile key.
fn hostile() -> (Sandbox, common::Issued, common::Issued) {
    let sb = Sandbox::new();
    let key = sb.api_key(EVIL_NAME, EVIL_SERVICE, &["-e", "3", "--scope", "read"]);
    let other = sb.api_key("second\u{202e}one", "plain", &[]);
    sb.run(&["revoke", &other.id, "--reason", "bad\x1b[5mblink\u{9b}"])
        .ok();
    (sb, key, other)
}

#[test]
fn human_output_replaces_unsafe_characters() {
    let (sb, key, revoked) = hostile();
    let outputs = [
        ("list", sb.run(&["list"]).ok().stdout),
        ("show", sb.run(&["show", &key.id]).ok().stdout),
        ("audit", sb.run(&["audit"]).ok().stdout),
        ("verify", sb.cmd(["verify", &key.value]).run().ok().stdout),
        (
            "verify revoked",
            sb.cmd(["verify", "-"])
                .stdin(revoked.value.clone())
                .run()
                .code(1)
                .stdout,
        ),
        ("stats", sb.run(&["stats"]).ok().stdout),
        ("rotate", sb.run(&["rotate", &key.id]).ok().stdout),
    ];
    for (what, text) in &outputs {
        assert_clean(text, what);
    }
    // The text is replaced, not dropped: what surrounds the controls is still shown.
    for (what, text) in &outputs[..4] {
        assert!(
            text.contains("evil") && text.contains('\u{FFFD}'),
            "{what} shows the name with replacement marks:\n{text}"
        );
    }
    let show_revoked = sb.run(&["show", "-j", &sb.ids()[1]]).ok();
    assert_clean(&show_revoked.stdout, "show -j of the revoked key");
    let revoked_human = sb.run(&["show", &sb.ids()[1]]).ok().stdout;
    assert_clean(&revoked_human, "show of the revoked key");
    assert!(revoked_human.contains("blink"));
    assert!(
        outputs[4].1.contains("REVOKED") && outputs[4].1.contains("blink"),
        "{}",
        outputs[4].1
    );
}

#[test]
fn generate_and_revoke_output_replace_unsafe_characters() {
    let sb = Sandbox::new();
    let out = sb
        .run(&["generate", "api-key", "-n", EVIL_NAME, "-s", EVIL_SERVICE])
        .ok();
    assert_clean(&out.stdout, "generate");
    let id = sb.ids().pop().expect("one key");
    let out = sb
        .run(&["revoke", &id, "--reason", "why\x1b]0;title\x07"])
        .ok();
    assert_clean(&out.stdout, "revoke");
}

#[test]
fn json_escapes_but_keeps_the_exact_text() {
    let (sb, key, _) = hostile();
    let raw = sb
        .run(&["generate", "api-key", "-n", EVIL_NAME, "-s", "x", "-j"])
        .ok()
        .stdout;
    assert_clean(&raw, "generate -j");
    let outputs = [
        ("list -j", sb.run(&["list", "-j"]).ok()),
        ("show -j", sb.run(&["show", &key.id, "-j"]).ok()),
        ("audit -j", sb.run(&["audit", "-j"]).ok()),
        ("verify -j", sb.cmd(["verify", "-j", &key.value]).run().ok()),
        ("export -f json", sb.run(&["export", "-f", "json"]).ok()),
        ("stats -j", sb.run(&["stats", "-j"]).ok()),
    ];
    for (what, out) in &outputs {
        assert_clean(&out.stdout, what);
    }
    let find = |v: &Value| -> Value {
        match v {
            Value::Array(items) => items
                .iter()
                .find(|e| e["id"] == key.id.as_str())
                .cloned()
                .expect("the hostile key"),
            other => other.clone(),
        }
    };
    for (what, out) in &outputs[..2] {
        let entry = find(&out.json());
        assert_eq!(
            entry["name"], EVIL_NAME,
            "{what} parses back to the exact name"
        );
        assert_eq!(entry["service"], EVIL_SERVICE, "{what}");
    }
    let audit = outputs[2].1.json();
    assert_eq!(audit["expiring"][0]["name"], EVIL_NAME);
    let verify = outputs[3].1.json();
    assert_eq!(verify["name"], EVIL_NAME);
    assert_eq!(verify["service"], EVIL_SERVICE);
    let stats = outputs[5].1.json();
    assert_eq!(stats["services"][EVIL_SERVICE], 1);
}

#[test]
fn errors_replace_unsafe_characters() {
    let (sb, _, _) = hostile();
    // Ambiguous prefix: the candidates list carries the names.
    let out = sb.run(&["show", "k_"]).fails(2, &["Candidates"]);
    assert_clean(&out.stderr, "ambiguous id error");
    // An id that is not one.
    let out = sb.run(&["show", "k_\x1b[31m\u{202e}"]).fails(4, &[]);
    assert_clean(&out.stderr, "unknown id error");
    // A dotenv file with hostile names and bad lines.
    let file = sb.root().join("evil.env");
    std::fs::write(
        &file,
        "GOOD=good_dmFsdWVGb3JFdmlsRmlsZVRlc3QxMjM0\nBAD\x1b[31m\u{202e}=has space\nnoequals\u{9b}\n",
    )
    .expect("write");
    let out = sb
        .cmd(["import", "--from-file"])
        .arg(&file)
        .args(["-s", "x"])
        .run()
        .fails(2, &["line 2", "line 3"]);
    assert_clean(&out.stderr, "import --from-file error");
}

#[test]
fn export_is_safe_to_eval_in_a_shell() {
    let sb = Sandbox::new();
    let markers: Vec<_> = (1..=4)
        .map(|i| sb.root().join(format!("pwned-{i}")))
        .collect();
    let m = |i: usize| markers[i].display().to_string();
    let services = [
        format!("$(touch {})", m(0)),
        format!("'; touch {}; '", m(1)),
        format!("`touch {}`\"\\$x", m(2)),
        format!("a\nexport EVIL=1; touch {}", m(3)),
    ];
    let names = ["cmd-subst", "quote-break", "backtick", "newline"];
    for (name, service) in names.iter().zip(&services) {
        sb.api_key(name, service, &[]);
    }
    sb.api_key(&format!("$(touch {})`x`", m(0)), "svc", &[]);

    let env_file = sb.root().join("exported.env");
    std::fs::write(&env_file, sb.run(&["export", "-f", "env"]).ok().stdout).expect("write");
    let dotenv_file = sb.root().join("exported.dotenv");
    std::fs::write(
        &dotenv_file,
        sb.run(&["export", "-f", "dotenv"]).ok().stdout,
    )
    .expect("write");

    let read_back = |loader: String| -> Vec<String> {
        let script = format!(
            "{loader}\nprintf '%s\\0' \"$APIAUTH_CMD_SUBST_SERVICE\" \"$APIAUTH_QUOTE_BREAK_SERVICE\" \
             \"$APIAUTH_BACKTICK_SERVICE\" \"$APIAUTH_NEWLINE_SERVICE\" \"${{EVIL:-unset}}\""
        );
        let out = shell(&sb, &script).ok();
        out.stdout.split('\0').map(str::to_owned).collect()
    };
    let expected: Vec<String> = services
        .iter()
        .map(|s| s.replace('\n', "\u{FFFD}"))
        .chain(["unset".to_owned(), String::new()])
        .collect();
    let by_eval = read_back(format!("eval \"$(cat '{}')\"", env_file.display()));
    assert_eq!(by_eval, expected, "eval of export -f env");
    let by_source = read_back(format!("set -a; . '{}'", dotenv_file.display()));
    assert_eq!(by_source, expected, "sourcing export -f dotenv");
    for marker in &markers {
        assert!(!marker.exists(), "{} was created", marker.display());
    }

    // GitHub Actions lines: one variable per line, no line injected by a newline in a value.
    let gha = sb.run(&["export", "-f", "github-actions"]).ok().stdout;
    assert_eq!(gha.lines().count(), 5 * 5);
    for line in gha.lines() {
        let (name, _) = line.split_once('=').expect("NAME=value");
        assert!(
            name.starts_with("APIAUTH_")
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "{line}"
        );
    }
    assert!(!gha.contains("\nexport EVIL"));
}
