//! `export` writes metadata only (DESIGN.md §4): no value and no hash, since export output is
//! meant to be safe to commit and a full SHA-256 of a low-entropy imported value can be
//! guessed offline. `show -j` keeps the hashes, also under the seeds' name `key_hash`.

mod common;

use common::{Sandbox, may_run};
use serde_json::Value;

/// Every string anywhere inside a JSON document.
fn strings(json: &Value, out: &mut Vec<String>) {
    match json {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (key, value) in map {
                out.push(key.clone());
                strings(value, out);
            }
        }
        _ => {}
    }
}

#[test]
fn json_export_carries_no_hash() {
    let sb = Sandbox::new();
    let key = sb.api_key("rotated", "billing", &["--env", "prod", "-e", "30"]);
    sb.run(&["rotate", &key.id, "--grace", "1h"]).ok();
    sb.cmd(["import", "-n", "weak", "-s", "legacy"])
        .stdin("password1")
        .run()
        .ok();
    let shown: Vec<Value> = sb
        .ids()
        .iter()
        .map(|id| sb.json(&["show", id, "-j"]))
        .collect();
    let mut hashes = Vec::new();
    for entry in &shown {
        for version in entry["versions"].as_array().expect("versions") {
            hashes.push(version["hash"].as_str().expect("a version hash").to_owned());
        }
        assert!(hashes.iter().any(|h| entry["hash"] == h.as_str()));
    }
    assert_eq!(
        hashes.len(),
        2 + 1,
        "two versions of one key, one of the other"
    );

    let export = sb.run(&["export", "-f", "json"]).ok();
    for hash in &hashes {
        assert!(
            !export.stdout.contains(&hash[..16]),
            "export -f json prints a hash:\n{}",
            export.stdout
        );
    }
    let json = export.json();
    let mut all = Vec::new();
    strings(&json, &mut all);
    for name in ["hash", "previous_hash", "key_hash", "versions", "hint"] {
        assert!(!all.iter().any(|s| s == name), "export has a {name} field");
    }
    let first = &json[0];
    assert_eq!(first["id"], key.id.as_str());
    assert_eq!(first["name"], "rotated");
    assert_eq!(first["service"], "billing");
    assert_eq!(first["env"], "prod");
    assert_eq!(first["version"], 2);
    assert_eq!(first["created_at"], shown[0]["created_at"]);
    assert_eq!(first["expires_at"], shown[0]["expires_at"]);
    assert_eq!(first["status"], "healthy");
    assert_eq!(json[1]["name"], "weak");
    // The other formats never carried one; they still do not.
    for format in ["env", "dotenv", "github-actions"] {
        let text = sb.run(&["export", "-f", format]).ok().stdout;
        for hash in &hashes {
            assert!(!text.contains(&hash[..16]), "{format}:\n{text}");
        }
    }
}

#[test]
fn show_json_names_the_hash_key_hash_too() {
    let sb = Sandbox::new();
    let key = sb.api_key("k", "svc", &[]);
    let shown = sb.json(&["show", &key.id, "-j"]);
    assert!(shown["hash"].is_string());
    assert_eq!(shown["key_hash"], shown["hash"]);
    sb.run(&["rotate", &key.id]).ok();
    let shown = sb.json(&["show", &key.id, "-j"]);
    assert_eq!(shown["key_hash"], shown["hash"]);
    assert_eq!(shown["previous_hash"], shown["versions"][0]["hash"]);
    assert_ne!(shown["key_hash"], shown["previous_hash"]);
}

/// Services that quoting must carry through every reader of an export: `(service, what a
/// dotenv reader gets)`. Where no quoting reaches python-dotenv, dotenvy and a shell alike (a
/// trailing `\`, or a `'`, `\\` or `${` together with a `$` or backquote), the `'`, `\` and `$`
/// are U+FFFD; line breaks and tabs are U+FFFD everywhere, as in all output.
const SERVICES: [(&str, &str); 17] = [
    ("$HOME", "$HOME"),
    ("${HOME}", "\u{FFFD}{HOME}"),
    ("${X:-fallback}", "\u{FFFD}{X:-fallback}"),
    ("O'Reilly", "O'Reilly"),
    (r"one\backslash", r"one\backslash"),
    (r"two\\backslashes", r"two\\backslashes"),
    (r"trailing\", "trailing\u{FFFD}"),
    (r#"back\"slash"#, r#"back\"slash"#),
    (r#"O'Reilly \"x"#, r#"O'Reilly \"x"#),
    (r#"say "hi""#, r#"say "hi""#),
    ("`touch MARK`", "`touch MARK`"),
    ("$(touch MARK)", "$(touch MARK)"),
    ("it's ${HOME}", "it\u{FFFD}s \u{FFFD}{HOME}"),
    ("quote' and `touch MARK`", "quote\u{FFFD} and `touch MARK`"),
    ("#not a comment", "#not a comment"),
    ("line\nbreak", "line\u{FFFD}break"),
    ("tab\there", "tab\u{FFFD}here"),
];

/// A store with one key per service of [`SERVICES`], named `s0`, `s1`, …; the services' `MARK`
/// is a file that must never be created.
fn hostile_store() -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::new();
    let mark = sb.root().join("pwned");
    for (i, (service, _)) in SERVICES.iter().enumerate() {
        let service = service.replace("MARK", &mark.display().to_string());
        sb.api_key(&format!("s{i}"), &service, &[]);
    }
    (sb, mark)
}

/// The SERVICE of every key, in order, read back by `loader` (a shell snippet).
fn read_by_shell(sb: &Sandbox, loader: &str) -> Vec<String> {
    let names: Vec<String> = (0..SERVICES.len())
        .map(|i| format!("\"$APIAUTH_S{i}_SERVICE\""))
        .collect();
    let script = format!("{loader}\nprintf '%s\\0' {}", names.join(" "));
    let out = common::shell(sb, &script).ok();
    let mut values: Vec<String> = out.stdout.split('\0').map(str::to_owned).collect();
    assert_eq!(values.pop().as_deref(), Some(""), "{}", out.stdout);
    values
}

fn expected(sb: &Sandbox, mark: &std::path::Path, dotenv: bool) -> Vec<String> {
    let _ = sb;
    SERVICES
        .iter()
        .map(|(service, read)| {
            let text = if dotenv {
                (*read).to_owned()
            } else {
                service.replace(['\n', '\t'], "\u{FFFD}")
            };
            text.replace("MARK", &mark.display().to_string())
        })
        .collect()
}

#[test]
fn env_export_reads_back_exactly_through_eval() {
    let (sb, mark) = hostile_store();
    let file = sb.root().join("export.sh");
    std::fs::write(&file, sb.run(&["export", "-f", "env"]).ok().stdout).expect("write");
    let loader = format!("eval \"$(cat '{}')\"", file.display());
    assert_eq!(read_by_shell(&sb, &loader), expected(&sb, &mark, false));
    assert!(!mark.exists(), "eval ran a command");
}

#[test]
fn dotenv_export_reads_back_literally_in_a_shell_and_in_dotenvy() {
    let (sb, mark) = hostile_store();
    let text = sb.run(&["export", "-f", "dotenv"]).ok().stdout;
    for line in text.lines() {
        let (_, value) = line.split_once('=').expect("NAME=value");
        assert!(
            value.starts_with('\'') || value.starts_with('"'),
            "quoted: {line}"
        );
    }
    let file = sb.root().join("exported.env");
    std::fs::write(&file, &text).expect("write");
    let want = expected(&sb, &mark, true);

    let loader = format!("set -a; . '{}'", file.display());
    assert_eq!(read_by_shell(&sb, &loader), want, "sourced by sh");
    assert!(!mark.exists(), "sourcing ran a command");

    let read: std::collections::HashMap<String, String> = dotenvy::from_path_iter(&file)
        .expect("open")
        .collect::<Result<_, _>>()
        .expect("dotenvy parses every line");
    let got: Vec<String> = (0..SERVICES.len())
        .map(|i| read[&format!("APIAUTH_S{i}_SERVICE")].clone())
        .collect();
    assert_eq!(got, want, "read by dotenvy");
}

/// python-dotenv (1.2) expands `${NAME}` even inside single quotes and reads `\\` there as one
/// backslash; the export must still read back literally. Skipped, with the reason printed,
/// where the module is not installed (`python3 -m pip install python-dotenv==1.2.2`).
#[test]
fn dotenv_export_reads_back_literally_in_python_dotenv() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import dotenv"])
        .output();
    if !may_run(
        probe.is_ok_and(|o| o.status.success()),
        "python-dotenv is not installed (python3 -m pip install python-dotenv==1.2.2)",
    ) {
        return;
    }
    let (sb, mark) = hostile_store();
    let file = sb.root().join("exported.env");
    std::fs::write(&file, sb.run(&["export", "-f", "dotenv"]).ok().stdout).expect("write");
    let script = "import json, sys\n\
                  from dotenv import dotenv_values\n\
                  print(json.dumps(dotenv_values(sys.argv[1])))";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .env("HOME", "/home-was-expanded")
        .env("X", "x-was-expanded")
        .output()
        .expect("run python3");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "python-dotenv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: std::collections::HashMap<String, Option<String>> =
        serde_json::from_slice(&out.stdout).expect("JSON from python");
    let got: Vec<String> = (0..SERVICES.len())
        .map(|i| {
            read[&format!("APIAUTH_S{i}_SERVICE")]
                .clone()
                .expect("a value")
        })
        .collect();
    assert_eq!(got, expected(&sb, &mark, true), "read by python-dotenv");
}

/// Key names become variable names: whatever a name holds, the line defines `APIAUTH_…`
/// variables and nothing else, in every line format.
#[test]
fn hostile_key_names_define_only_apiauth_variables() {
    let sb = Sandbox::new();
    let mark = sb.root().join("pwned");
    let m = mark.display().to_string();
    let names = [
        format!("a\nexport EVIL=1; touch {m}"),
        format!("x'; touch {m}; '"),
        format!("$(touch {m})"),
        "=EVIL=1".to_owned(),
        "ключ \u{202e} #".to_owned(),
    ];
    for name in &names {
        sb.api_key(name, "svc", &[]);
    }
    for (format, loader) in [
        ("env", "eval \"$(cat \"$1\")\""),
        ("dotenv", "set -a; . \"$1\""),
    ] {
        let file = sb.root().join(format!("names.{format}"));
        let text = sb.run(&["export", "-f", format]).ok().stdout;
        assert_eq!(text.lines().count(), names.len() * 5, "{format}:\n{text}");
        std::fs::write(&file, &text).expect("write");
        let script = format!(
            "for v in $(env | sed -n 's/^\\(APIAUTH_[A-Za-z0-9_]*\\)=.*/\\1/p'); do unset \"$v\"; done; set -- '{}'; {loader}; env | grep -c '^APIAUTH_'; echo \"${{EVIL:-unset}}\"",
            file.display()
        );
        let out = common::shell(&sb, &script).ok();
        assert_eq!(
            out.stdout,
            format!("{}\nunset\n", names.len() * 5),
            "{format}"
        );
        assert!(!mark.exists(), "{format}: loading ran a command");
    }
}
