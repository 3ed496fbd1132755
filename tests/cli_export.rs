//! `export` writes metadata only (DESIGN.md §4): no value and no hash, since export output is
//! meant to be safe to commit and a full SHA-256 of a low-entropy imported value can be
//! guessed offline. `show -j` keeps the hashes, also under the seeds' name `key_hash`.

mod common;

use common::Sandbox;
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
