//! Every action leaves its record in the event log (generate, import and `import --from-file`,
//! rotate, revoke, verify with each of its outcomes, export, audit, a failed unlock), with the
//! right action, key id, outcome, user, host and time; the `events.*` files hold no secret, hash,
//! name or key id in clear; and `apiauth log` filters by key (id or prefix), `--since` and
//! `--limit`, with the documented `-j` shape.

mod common;
mod event_log_support;

use apiauth_core::Config;
use apiauth_core::ops::{self, Clock, Requirements};
use base64::Engine as _;
use chrono::Duration;
use common::{Sandbox, contains_bytes};
use event_log_support::{
    assert_no_warnings, at, context, generate, hex, now_floor, records, seqs, time, triple, triples,
};
use serde_json::Value;
use sha2::Digest as _;

fn id_of(json: &Value) -> String {
    json["id"].as_str().expect("id").to_owned()
}

/// Asserts every record has a user and host, a time in `[from, to]`, and that the sequence
/// numbers run 1, 2, 3, … without a gap.
fn assert_common_fields(records: &[Value], from: chrono::DateTime<chrono::Utc>) {
    let to = chrono::Utc::now();
    for record in records {
        for field in ["user", "host"] {
            assert!(
                !record[field].as_str().expect("string").trim().is_empty(),
                "{field} is empty in {record}"
            );
        }
        let t = time(&record["time"]);
        assert!(
            from <= t && t <= to,
            "time {t} of {record} is not between {from} and {to}"
        );
    }
    let expected: Vec<u64> = (1..=records.len() as u64).collect();
    assert_eq!(seqs(records), expected, "consecutive sequence numbers");
}

#[test]
fn every_action_leaves_its_record() {
    let start = now_floor();
    let sb = Sandbox::new();
    let alpha = sb.api_key("alpha", "billing", &["--scope", "read"]);
    let beta = sb.api_key("beta", "billing", &[]);
    let gamma = sb.jwt("gamma", "auth", &[]);

    let imported = id_of(
        &sb.cmd(["import", "-n", "legacy", "-s", "billing", "-j"])
            .stdin("legacy_Zm9yIHRoZSBldmVudCBsb2cgdGVzdHM\n")
            .run()
            .ok()
            .json(),
    );
    let expired_value = "old_ZXhwaXJlZCBiZWZvcmUgaXQgd2FzIGltcG9ydGVk";
    let expired = id_of(
        &sb.cmd([
            "import",
            "-n",
            "expired",
            "-s",
            "billing",
            "--expires-at",
            "2020-01-01",
            "-j",
        ])
        .stdin(format!("{expired_value}\n"))
        .run()
        .ok()
        .json(),
    );
    let dotenv = sb.root().join("legacy.env");
    std::fs::write(
        &dotenv,
        "# two keys\nFIRST_KEY=first_dmFsdWUgb25lIGZyb20gYSBmaWxl\n\nSECOND_KEY=\"second_dmFsdWUgdHdvIGZyb20gYSBmaWxl\"\n",
    )
    .expect("write the dotenv file");
    let from_file = sb.json(&[
        "import",
        "--from-file",
        dotenv.to_str().expect("utf-8 path"),
        "-s",
        "legacy",
        "-j",
    ]);
    let from_file: Vec<String> = from_file
        .as_array()
        .expect("an array of entries")
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(from_file.len(), 2);

    let rotated = sb.json(&["rotate", &beta.id, "-j"]);
    assert_eq!(rotated["version"], 2);
    sb.run(&["revoke", &gamma.id, "--reason", "leaked"]).ok();

    assert_eq!(sb.verdict(&alpha.value), "valid");
    assert_eq!(
        sb.verdict("nobody_aGFzIHRoaXMgdmFsdWUgaW4gdGhlIHN0b3Jl"),
        "not_found"
    );
    assert_eq!(sb.verdict(&gamma.value), "revoked");
    assert_eq!(sb.verdict(expired_value), "expired");
    assert_eq!(sb.verdict(&beta.value), "superseded");
    let (forbidden, code) = sb.verify(&alpha.value, &["--require-scope", "write"]);
    assert_eq!((forbidden["status"].as_str(), code), (Some("forbidden"), 1));

    sb.run(&["export", "-f", "env"]).ok();
    sb.run(&["audit"]).ok();

    let all = records(&sb, &[]);
    assert_common_fields(&all, start);
    let mut expected = vec![
        triple("log_started", None, "ok"),
        triple("generate", Some(&alpha.id), "ok"),
        triple("generate", Some(&beta.id), "ok"),
        triple("generate", Some(&gamma.id), "ok"),
        triple("import", Some(&imported), "ok"),
        triple("import", Some(&expired), "ok"),
    ];
    for id in &from_file {
        expected.push(triple("import", Some(id), "ok"));
    }
    expected.extend([
        triple("rotate", Some(&beta.id), "ok"),
        triple("revoke", Some(&gamma.id), "ok"),
        triple("verify", Some(&alpha.id), "valid"),
        triple("verify", None, "not_found"),
        triple("verify", Some(&gamma.id), "revoked"),
        triple("verify", Some(&expired), "expired"),
        triple("verify", Some(&beta.id), "superseded"),
        triple("verify", Some(&alpha.id), "forbidden"),
        triple("export", None, "ok"),
        triple("audit", None, "ok"),
    ]);
    assert_eq!(triples(&all), expected);

    // The details say what happened, in words.
    let detail = |n: usize| all[n]["detail"].as_str().expect("detail").to_owned();
    assert!(detail(6).contains("--from-file"), "{}", detail(6));
    assert!(detail(8).contains("v1 -> v2"), "{}", detail(8));
    assert!(detail(9).contains("leaked"), "{}", detail(9));
    assert!(detail(15).contains("write"), "{}", detail(15));
    assert!(detail(16).contains("format env"), "{}", detail(16));

    // Reads do not add records; the chain is intact.
    assert_eq!(records(&sb, &[]).len(), all.len());
    let check = sb.json(&["log", "--check", "-j"]);
    assert_eq!(check["intact"], true, "{check}");
    assert_eq!(check["records"], all.len());
}

#[test]
fn a_failed_unlock_is_recorded_by_the_next_command() {
    let start = now_floor();
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    let wrong = base64::engine::general_purpose::STANDARD.encode([0x5a_u8; 32]);
    sb.cmd(["verify", "-j"])
        .env("APIAUTH_MASTER_KEY", &wrong)
        .stdin(format!("{}\n", key.value))
        .run()
        .fails(3, &["could not be decrypted"]);
    sb.cmd(["list"])
        .env("APIAUTH_MASTER_KEY", &wrong)
        .run()
        .fails(3, &["could not be decrypted"]);

    // The next command that can write the log folds the notes into the chain.
    assert_eq!(sb.verdict(&key.value), "valid");
    let all = records(&sb, &[]);
    assert_common_fields(&all, start);
    assert_eq!(
        triples(&all),
        [
            triple("log_started", None, "ok"),
            triple("generate", Some(&key.id), "ok"),
            triple("unlock_failed", None, "failed"),
            triple("unlock_failed", None, "failed"),
            triple("verify", Some(&key.id), "valid"),
        ]
    );
    for record in &all[2..4] {
        let detail = record["detail"].as_str().expect("detail");
        assert!(detail.contains("could not be decrypted"), "{detail}");
        assert!(detail.contains("unauthenticated"), "{detail}");
    }

    // Folded once: another command does not repeat them.
    sb.run(&["audit"]).ok();
    let again = records(&sb, &[]);
    assert_eq!(
        again
            .iter()
            .filter(|r| r["action"] == "unlock_failed")
            .count(),
        2
    );
    let check = sb.json(&["log", "--check", "-j"]);
    assert_eq!(check["intact"], true, "{check}");
}

#[test]
fn an_unreadable_note_does_not_stop_the_ones_after_it() {
    let sb = Sandbox::new();
    let key = sb.api_key("alpha", "svc", &[]);
    let wrong = base64::engine::general_purpose::STANDARD.encode([0x5a_u8; 32]);
    let fail = || {
        sb.cmd(["list"])
            .env("APIAUTH_MASTER_KEY", &wrong)
            .run()
            .fails(3, &["could not be decrypted"]);
    };
    fail();
    // A line that is not text (written by anyone who can write the directory) between two
    // real notes.
    let mut pending = std::fs::OpenOptions::new()
        .append(true)
        .open(sb.file("events.pending"))
        .expect("events.pending exists after a failed unlock");
    std::io::Write::write_all(&mut pending, b"\xff\xfe\xfd not a note\n").expect("append");
    drop(pending);
    fail();

    assert_eq!(sb.verdict(&key.value), "valid");
    let all = records(&sb, &[]);
    let notes: Vec<&str> = all
        .iter()
        .filter(|r| r["action"] == "unlock_failed")
        .map(|r| r["detail"].as_str().expect("detail"))
        .collect();
    assert_eq!(notes.len(), 3, "both notes and the count: {notes:?}");
    assert!(notes[0].contains("could not be decrypted"), "{notes:?}");
    assert!(notes[1].contains("could not be decrypted"), "{notes:?}");
    assert!(
        notes[2].contains("1 unreadable line(s) skipped"),
        "the skipped line is counted: {notes:?}"
    );
    assert_eq!(
        std::fs::metadata(sb.file("events.pending"))
            .expect("stat")
            .len(),
        0,
        "the notes were folded, so later ones are too"
    );
    fail();
    assert_eq!(sb.verdict(&key.value), "valid");
    let later = records(&sb, &[]);
    assert_eq!(
        later
            .iter()
            .filter(|r| r["action"] == "unlock_failed")
            .count(),
        4
    );
}

fn sha256_hex(value: &str) -> String {
    hex(&sha2::Sha256::digest(value.as_bytes()))
}

#[test]
fn the_log_files_hold_no_secret_hash_name_or_id_in_clear() {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    let sb = Sandbox::new();
    let api = sb.api_key("zq-name-of-the-api-key", "zq-service-one", &[]);
    let token = sb.jwt(
        "zq-name-of-the-token",
        "zq-service-two",
        &["--scope", "read"],
    );
    let rotated = sb.json(&["rotate", &api.id, "-j"]);
    let rotated_value = rotated["key"].as_str().expect("key").to_owned();
    let imported_value = "zqimp_aW1wb3J0ZWQgdmFsdWUgZm9yIHRoZSBzZWNyZXRzIHRlc3Q";
    let imported = id_of(
        &sb.cmd([
            "import",
            "-n",
            "zq-name-of-the-import",
            "-s",
            "zq-service-one",
            "-j",
        ])
        .stdin(format!("{imported_value}\n"))
        .run()
        .ok()
        .json(),
    );
    let unknown_value = "zqunk_bm90IGluIHRoZSBzdG9yZSBhdCBhbGwsIGV2ZXI";
    assert_eq!(sb.verdict(&rotated_value), "valid");
    assert_eq!(sb.verdict(&token.value), "valid");
    assert_eq!(sb.verdict(imported_value), "valid");
    assert_eq!(sb.verdict(&api.value), "superseded");
    assert_eq!(sb.verdict(unknown_value), "not_found");

    let values = [
        api.value.as_str(),
        rotated_value.as_str(),
        token.value.as_str(),
        imported_value,
        unknown_value,
    ];
    let hashes: Vec<String> = values.iter().map(|v| sha256_hex(v)).collect();
    // The hashes computed here are the keystore's own (so looking for them means something).
    let listed = sb.json(&["list", "-j"]).to_string();
    for hash in &hashes[..4] {
        assert!(
            listed.contains(hash.as_str()),
            "list -j shows the hash {hash}"
        );
    }
    let ids = [api.id.as_str(), token.id.as_str(), imported.as_str()];
    let names = [
        "zq-name-of-the-api-key",
        "zq-name-of-the-token",
        "zq-name-of-the-import",
        "zq-service-one",
        "zq-service-two",
    ];
    let keystore = apiauth_core::Store::in_dir(&sb.dir, None)
        .load()
        .expect("load the store");
    let signing: Vec<[u8; 32]> = keystore
        .entries()
        .iter()
        .flat_map(|e| e.versions.iter())
        .filter_map(|v| v.signing_secret.as_ref().map(|s| *s.as_bytes()))
        .collect();
    assert_eq!(signing.len(), 1, "the live token's signing secret");

    // The records are there, encrypted: the log names these keys once decrypted.
    let logged = records(&sb, &[]);
    for id in ids {
        assert!(
            logged.iter().any(|r| r["key_id"] == id),
            "the log has records of {id}"
        );
    }

    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for value in values {
        needles.push((format!("plaintext {value}"), value.as_bytes().to_vec()));
    }
    for (value, hash) in values.iter().zip(&hashes) {
        needles.push((format!("sha256 hex of {value}"), hash.as_bytes().to_vec()));
        needles.push((
            format!("sha256 bytes of {value}"),
            sha2::Sha256::digest(value.as_bytes()).to_vec(),
        ));
    }
    for name in names {
        needles.push((format!("name {name}"), name.as_bytes().to_vec()));
    }
    for id in ids {
        needles.push((format!("id {id}"), id.as_bytes().to_vec()));
        let bare = id.strip_prefix("k_").expect("k_ prefix");
        needles.push((format!("id digits {bare}"), bare.as_bytes().to_vec()));
    }
    for secret in &signing {
        needles.push(("signing secret (bytes)".into(), secret.to_vec()));
        for (form, text) in [
            ("hex", hex(secret)),
            ("base64", STANDARD.encode(secret)),
            ("base64 no pad", STANDARD_NO_PAD.encode(secret)),
            ("base64url", URL_SAFE.encode(secret)),
            ("base64url no pad", URL_SAFE_NO_PAD.encode(secret)),
        ] {
            needles.push((format!("signing secret ({form})"), text.into_bytes()));
        }
    }

    let mut files = Vec::new();
    for entry in std::fs::read_dir(&sb.dir).expect("read the key directory") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("events.") && entry.path().is_file() {
            files.push((name, std::fs::read(entry.path()).expect("read")));
        }
    }
    let names_found: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for required in ["events.log", "events.head", "events.lastused"] {
        assert!(
            names_found.contains(&required),
            "{required} in {names_found:?}"
        );
    }
    for (file, bytes) in &files {
        for (what, needle) in &needles {
            assert!(!contains_bytes(bytes, needle), "{file} contains the {what}");
        }
    }

    // `log` itself shows no plaintext and no full hash either.
    let shown = sb.run(&["log", "-j"]).ok().stdout + &sb.run(&["log"]).ok().stdout;
    for value in values {
        assert!(!shown.contains(value), "log shows the plaintext {value}");
    }
    for hash in &hashes {
        assert!(
            !shown.contains(hash.as_str()),
            "log shows the full hash {hash}"
        );
    }
}

/// Two keys with records at known times, written through the library; the log is then read
/// with the real binary.
struct Timeline {
    sb: Sandbox,
    a: String,
    b: String,
}

/// Records: 1 log_started and 2 generate A (2021-03-01), 3 generate B (03-02), 4 verify A
/// (03-03), 5 verify B (03-04), 6 verify A (03-05), 7 revoke B (03-06).
fn timeline() -> Timeline {
    let sb = Sandbox::new();
    let t0 = at("2021-03-01T00:00:00Z");
    let day = |n: i64| t0 + Duration::days(n);
    let mut ctx = context(&sb.dir, Config::default(), t0);
    let (a, a_value) = generate(&ctx, "a");
    ctx.clock = Clock::Fixed(day(1));
    let (b, b_value) = generate(&ctx, "b");
    for (n, value) in [(2, &a_value), (3, &b_value), (4, &a_value)] {
        ctx.clock = Clock::Fixed(day(n));
        let v = ops::verify(&ctx, value, &Requirements::default()).expect("verify");
        assert_eq!(v.verdict, ops::Verdict::Valid);
    }
    ctx.clock = Clock::Fixed(day(5));
    ops::revoke(&ctx, &b, None).expect("revoke");
    assert_no_warnings(&ctx, "building the timeline");
    Timeline { sb, a, b }
}

/// The shortest prefix of `id` that no other id shares, plus one character.
fn prefix_of<'a>(id: &'a str, other: &str) -> &'a str {
    let common = id
        .bytes()
        .zip(other.bytes())
        .take_while(|(x, y)| x == y)
        .count();
    &id[..(common + 1).max(4)]
}

#[test]
fn log_lists_every_record_oldest_first_with_the_documented_shape() {
    let t = timeline();
    let all = records(&t.sb, &[]);
    assert_eq!(seqs(&all), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        triples(&all),
        [
            triple("log_started", None, "ok"),
            triple("generate", Some(&t.a), "ok"),
            triple("generate", Some(&t.b), "ok"),
            triple("verify", Some(&t.a), "valid"),
            triple("verify", Some(&t.b), "valid"),
            triple("verify", Some(&t.a), "valid"),
            triple("revoke", Some(&t.b), "ok"),
        ]
    );
    let times: Vec<String> = all
        .iter()
        .map(|r| r["time"].as_str().expect("time").to_owned())
        .collect();
    assert_eq!(
        times,
        [
            "2021-03-01T00:00:00Z",
            "2021-03-01T00:00:00Z",
            "2021-03-02T00:00:00Z",
            "2021-03-03T00:00:00Z",
            "2021-03-04T00:00:00Z",
            "2021-03-05T00:00:00Z",
            "2021-03-06T00:00:00Z",
        ]
    );

    let human = t.sb.run(&["log"]).ok().stdout;
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(lines.len(), 8, "a header and one line per record:\n{human}");
    for word in ["SEQ", "TIME", "ACTION", "KEY", "OUTCOME"] {
        assert!(lines[0].contains(word), "{word} in {}", lines[0]);
    }
    assert!(
        lines[7].contains("revoke") && lines[7].contains(&t.b),
        "{}",
        lines[7]
    );
}

#[test]
fn log_key_filters_by_full_id_and_by_prefix() {
    let t = timeline();
    assert_eq!(seqs(&records(&t.sb, &["--key", &t.a])), [2, 4, 6]);
    assert_eq!(seqs(&records(&t.sb, &["--key", &t.b])), [3, 5, 7]);
    let a_prefix = prefix_of(&t.a, &t.b);
    assert!(a_prefix.len() < t.a.len());
    assert_eq!(seqs(&records(&t.sb, &["--key", a_prefix])), [2, 4, 6]);
    let b_prefix = prefix_of(&t.b, &t.a);
    let b_records = records(&t.sb, &["--key", b_prefix]);
    assert_eq!(seqs(&b_records), [3, 5, 7]);
    assert!(b_records.iter().all(|r| r["key_id"] == t.b.as_str()));

    let human = t.sb.run(&["log", "--key", a_prefix]).ok().stdout;
    assert!(human.contains(&t.a), "{human}");
    assert!(!human.contains(&t.b), "{human}");

    t.sb.run(&["log", "--key", "k_ffffffffffff"])
        .fails(4, &["k_ffffffffffff"]);
}

#[test]
fn log_since_keeps_records_at_or_after_the_time() {
    let t = timeline();
    assert_eq!(
        seqs(&records(&t.sb, &["--since", "2021-03-03"])),
        [4, 5, 6, 7]
    );
    assert_eq!(
        seqs(&records(&t.sb, &["--since", "2021-03-03T00:00:00Z"])),
        [4, 5, 6, 7],
        "the bound is inclusive"
    );
    assert_eq!(
        seqs(&records(&t.sb, &["--since", "2021-03-03T00:00:01Z"])),
        [5, 6, 7]
    );
    assert_eq!(
        seqs(&records(&t.sb, &["--since", "2021-03-03T01:00:00+02:00"])),
        [4, 5, 6, 7],
        "an offset is converted to UTC"
    );
    assert_eq!(seqs(&records(&t.sb, &["--since", "2020-01-01"])).len(), 7);
    assert!(records(&t.sb, &["--since", "2021-03-07"]).is_empty());
    assert_eq!(
        seqs(&records(&t.sb, &["--key", &t.a, "--since", "2021-03-04"])),
        [6]
    );
    // With a limit only the end of the log is read: the same answer.
    assert_eq!(
        seqs(&records(&t.sb, &["--since", "2021-03-03", "--limit", "10"])),
        [4, 5, 6, 7]
    );
    assert_eq!(
        seqs(&records(&t.sb, &["--since", "2021-03-03", "--limit", "2"])),
        [6, 7]
    );
    t.sb.run(&["log", "--since", "last tuesday"]).code(2);
}

#[test]
fn log_limit_shows_the_last_n_oldest_first() {
    let t = timeline();
    assert_eq!(seqs(&records(&t.sb, &["--limit", "3"])), [5, 6, 7]);
    assert_eq!(seqs(&records(&t.sb, &["--limit", "1"])), [7]);
    assert_eq!(
        seqs(&records(&t.sb, &["--limit", "7"])),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        seqs(&records(&t.sb, &["--limit", "50"])),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        seqs(&records(&t.sb, &["--key", &t.a, "--limit", "2"])),
        [4, 6]
    );
    assert_eq!(seqs(&records(&t.sb, &["--key", &t.b, "--limit", "1"])), [7]);
    let limited = records(&t.sb, &["--limit", "3"]);
    let full = records(&t.sb, &[]);
    assert_eq!(limited[..], full[4..], "the same records, field for field");
    t.sb.run(&["log", "--limit", "0"]).code(2);
    t.sb.run(&["log", "--check", "--limit", "3"]).code(2);
}

#[test]
fn log_of_a_directory_without_a_log_is_empty() {
    let sb = Sandbox::new();
    assert!(records(&sb, &[]).is_empty());
    assert_eq!(sb.run(&["log"]).ok().stdout, "No events.\n");
    let check = sb.json(&["log", "--check", "-j"]);
    assert_eq!(check["intact"], true, "{check}");
    assert_eq!(check["records"], 0);
}
