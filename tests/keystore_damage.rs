//! A keystore that cannot be opened, decrypted or locked: wrong or malformed
//! `APIAUTH_MASTER_KEY`, a missing or group-readable `master.key`, a flipped byte in every region
//! of `keystore.enc`, truncation, a deleted `keystore.enc` beside its backup, and a lock held by
//! another process. Each exits 3 with a message that says what is wrong, and changes nothing.

mod common;

use std::fs;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Sandbox, Snapshot, assert_unchanged};

/// A sandbox with a few keys (two writes, so `keystore.enc.bak` exists) and one key value.
fn store() -> (Sandbox, String) {
    let sb = Sandbox::new();
    let key = sb.api_key("one", "svc", &[]);
    sb.jwt("two", "svc", &[]);
    (sb, key.value)
}

/// Every command that opens the keystore exits 3 with `words` on stderr and leaves `before`.
fn all_refused(sb: &Sandbox, value: &str, before: &Snapshot, words: &[&str], env: &[(&str, &str)]) {
    let commands: [&[&str]; 5] = [
        &["generate", "api-key", "-n", "new", "-s", "svc"],
        &["list"],
        &["verify", "-j", value],
        &["audit", "--exit-on-expired"],
        &["revoke", "k_"],
    ];
    for args in commands {
        let mut call = sb.cmd(args);
        for (k, v) in env {
            call = call.env(k, v);
        }
        let out = call.run().fails(3, words);
        assert!(out.stdout.is_empty(), "{args:?} printed:\n{}", out.stdout);
        assert_unchanged(before, &sb.snapshot(), &format!("{args:?}"));
    }
}

#[test]
fn wrong_master_key_in_the_environment() {
    let (sb, value) = store();
    let before = sb.snapshot();
    let wrong = STANDARD.encode([7u8; 32]);
    all_refused(
        &sb,
        &value,
        &before,
        &["could not be decrypted", "APIAUTH_MASTER_KEY"],
        &[("APIAUTH_MASTER_KEY", &wrong)],
    );
}

#[test]
fn malformed_master_key_in_the_environment() {
    let (sb, value) = store();
    let before = sb.snapshot();
    for (bad, why) in [
        ("not base64 at all!", "not valid base64"),
        ("c2hvcnQ=", "decodes to 5 bytes"),
        ("", "empty"),
    ] {
        all_refused(
            &sb,
            &value,
            &before,
            &["APIAUTH_MASTER_KEY", why],
            &[("APIAUTH_MASTER_KEY", bad)],
        );
    }
}

#[test]
fn master_key_from_the_environment_is_used_without_a_file() {
    let sb = Sandbox::new();
    let key = STANDARD.encode([42u8; 32]);
    let issued = sb
        .cmd(["generate", "api-key", "-n", "ci", "-s", "svc", "-j"])
        .env("APIAUTH_MASTER_KEY", &key)
        .run()
        .ok()
        .json();
    assert!(sb.file("keystore.enc").exists());
    assert!(
        !sb.file("master.key").exists(),
        "no master.key is made when the environment holds the key"
    );
    let listed = sb
        .cmd(["list", "-j"])
        .env("APIAUTH_MASTER_KEY", &key)
        .run()
        .ok()
        .json();
    assert_eq!(listed[0]["id"], issued["id"]);
    let value = issued["key"].as_str().expect("key");
    let verdict = sb
        .cmd(["verify", "-j", value])
        .env("APIAUTH_MASTER_KEY", &key)
        .run()
        .ok()
        .json();
    assert_eq!(verdict["status"], "valid");
    // Without the key the store is unreadable, and no master.key is invented for it.
    let before = sb.snapshot();
    all_refused(&sb, value, &before, &["master.key", "missing"], &[]);
    assert!(!sb.file("master.key").exists());
}

#[test]
fn missing_master_key_file() {
    let (sb, value) = store();
    fs::remove_file(sb.file("master.key")).expect("remove master.key");
    let before = sb.snapshot();
    let path = sb.file("master.key").display().to_string();
    all_refused(&sb, &value, &before, &[&path, "missing"], &[]);
    assert!(
        !sb.file("master.key").exists(),
        "a new master key was made for an existing keystore"
    );
}

#[cfg(unix)]
#[test]
fn group_readable_master_key_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let (sb, value) = store();
    let path = sb.file("master.key");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    let before = sb.snapshot();
    all_refused(&sb, &value, &before, &["chmod 600", "master.key"], &[]);
    assert_eq!(
        common::mode(&path),
        0o644,
        "apiauth does not chmod it itself"
    );
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
    sb.run(&["list"]).ok();
}

#[test]
fn wrong_size_master_key_file() {
    let (sb, value) = store();
    let path = sb.file("master.key");
    let mut bytes = fs::read(&path).expect("read");
    bytes.push(b'\n');
    fs::write(&path, bytes).expect("write");
    let before = sb.snapshot();
    all_refused(&sb, &value, &before, &["33 bytes"], &[]);
}

/// One offset in each region of the 72-byte header and of the ciphertext.
const REGIONS: [(&str, usize); 8] = [
    ("magic", 0),
    ("version", 8),
    ("flags", 11),
    ("salt", 20),
    ("nonce", 50),
    ("generation", 56),
    ("length", 64),
    ("ciphertext", 100),
];

#[test]
fn a_flipped_byte_anywhere_is_refused() {
    let (sb, value) = store();
    let path = sb.file("keystore.enc");
    let good = fs::read(&path).expect("read keystore.enc");
    let tag = good.len() - 1;
    for (region, offset) in REGIONS.into_iter().chain([("tag", tag)]) {
        for bit in [0x01u8, 0x80] {
            let mut bad = good.clone();
            bad[offset] ^= bit;
            fs::write(&path, &bad).expect("write the damaged file");
            let before = sb.snapshot();
            let out = sb
                .run(&["generate", "api-key", "-n", "x", "-s", "s"])
                .fails(3, &["keystore.enc"]);
            assert!(
                out.stderr.contains("not a valid keystore")
                    || out.stderr.contains("could not be decrypted"),
                "{region}: {}",
                out.stderr
            );
            assert_unchanged(&before, &sb.snapshot(), region);
            let (_, code) = {
                let out = sb.cmd(["verify", "-j", &value]).run();
                (out.stdout, out.code)
            };
            assert_eq!(code, 3, "{region}: verify on a damaged store");
            sb.run(&["list", "-j"]).code(3);
        }
    }
    // Put back, it opens again.
    fs::write(&path, &good).expect("restore");
    assert_eq!(sb.verdict(&value), "valid");
}

#[test]
fn a_damaged_file_points_at_the_backup() {
    let (sb, _) = store();
    let path = sb.file("keystore.enc");
    let mut bytes = fs::read(&path).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs::write(&path, bytes).expect("write");
    let out = sb.run(&["list"]).fails(3, &["could not be decrypted"]);
    assert!(
        out.stderr.contains("keystore.enc.bak"),
        "the hint names the backup:\n{}",
        out.stderr
    );
}

#[test]
fn truncated_keystore() {
    let (sb, value) = store();
    let path = sb.file("keystore.enc");
    let good = fs::read(&path).expect("read");
    for len in [0, 5, 71, 72, 90, good.len() - 1] {
        fs::write(&path, &good[..len]).expect("truncate");
        let before = sb.snapshot();
        all_refused(&sb, &value, &before, &["keystore.enc"], &[]);
    }
}

#[test]
fn trailing_bytes_are_refused() {
    let (sb, value) = store();
    let path = sb.file("keystore.enc");
    let mut bytes = fs::read(&path).expect("read");
    bytes.extend_from_slice(b"extra");
    fs::write(&path, bytes).expect("write");
    let before = sb.snapshot();
    all_refused(&sb, &value, &before, &["not a valid keystore"], &[]);
}

#[test]
fn deleted_keystore_beside_its_backup() {
    let (sb, value) = store();
    fs::remove_file(sb.file("keystore.enc")).expect("remove");
    assert!(sb.file("keystore.enc.bak").exists());
    let before = sb.snapshot();
    all_refused(
        &sb,
        &value,
        &before,
        &["keystore.enc", "missing", "cp "],
        &[],
    );
    assert!(
        !sb.file("keystore.enc").exists(),
        "no empty keystore was started over the backup"
    );
}

#[test]
fn a_held_lock_times_out_with_a_clear_error() {
    let (sb, value) = store();
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(sb.file("keystore.lock"))
        .expect("open keystore.lock");
    fs4::FileExt::lock(&lock).expect("take the lock");
    let before = sb.snapshot();
    for args in [
        vec!["generate", "api-key", "-n", "blocked", "-s", "svc"],
        vec!["revoke", "k_"],
    ] {
        sb.cmd(&args)
            .env("APIAUTH_LOCK_TIMEOUT", "0.5")
            .run()
            .fails(3, &["locked by another apiauth process", "keystore.lock"]);
        assert_unchanged(&before, &sb.snapshot(), "a write while locked");
    }
    // Readers never take the lock.
    assert_eq!(sb.verdict(&value), "valid");
    sb.run(&["list"]).ok();
    fs4::FileExt::unlock(&lock).expect("release the lock");
    drop(lock);
    sb.run(&["generate", "api-key", "-n", "after", "-s", "svc"])
        .ok();
    assert_eq!(sb.ids().len(), 3);
}
