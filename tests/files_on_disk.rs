//! What apiauth leaves on disk: no plaintext key or token in any file of the key directory
//! (backup included), `master.key` 32 bytes mode 0600 in a 0700 directory, the documented files
//! created on the first and second write, a backup that is a whole previous generation, and an
//! environment master key that makes no `master.key`.

mod common;

use std::fs;

use base64::Engine as _;
use common::{Sandbox, contains_bytes, snapshot, snapshot_all};

#[test]
fn no_plaintext_in_any_file() {
    let sb = Sandbox::new();
    let api = sb.api_key("api", "svc", &["-p", "sk"]);
    let jwt = sb.jwt("jwt", "svc", &["-c", "role=admin"]);
    let rotated_api = sb.json(&["rotate", &api.id, "--grace", "1h", "-j"]);
    let rotated_jwt = sb.json(&["rotate", &jwt.id, "-j"]);
    let imported = "imp_cGxhaW50ZXh0SW1wb3J0ZWRPbkRpc2tDaGVja1h5eg";
    sb.cmd(["import", "-", "-n", "imported", "-s", "svc"])
        .stdin(format!("{imported}\n"))
        .run()
        .ok();
    let dotenv_value = "dot_cGxhaW50ZXh0RnJvbURvdGVudkZpbGVDaGVja1h5eg";
    let file = sb.root().join("legacy.env");
    fs::write(&file, format!("LEGACY=\"{dotenv_value}\"\n")).expect("write");
    sb.cmd(["import", "--from-file"])
        .arg(&file)
        .args(["-s", "svc"])
        .run()
        .ok();
    fs::remove_file(&file).expect("remove the test's own file");

    let values = [
        api.value.as_str(),
        jwt.value.as_str(),
        rotated_api["key"].as_str().expect("key"),
        rotated_jwt["token"].as_str().expect("token"),
        imported,
        dotenv_value,
    ];
    let files = snapshot_all(&sb.dir);
    assert!(files.contains_key("keystore.enc.bak"), "{:?}", files.keys());
    assert!(files.contains_key("events.log"), "{:?}", files.keys());
    for (name, bytes) in &files {
        for value in values {
            assert!(
                !contains_bytes(bytes, value.as_bytes()),
                "{name} holds a plaintext value"
            );
            // Not even the random body alone (after the prefix) or a JWT's signature.
            let tail = &value[value.len() - 24..];
            assert!(
                !contains_bytes(bytes, tail.as_bytes()),
                "{name} holds part of a plaintext value"
            );
        }
    }
    // Nothing else in the sandbox either (no temp file left beside the key directory).
    for (name, bytes) in snapshot_all(sb.root()) {
        for value in values {
            assert!(!contains_bytes(&bytes, value.as_bytes()), "{name}");
        }
    }
    // And the store still knows every one of them by its hash.
    let expected = ["valid", "superseded", "valid", "valid", "valid", "valid"];
    for (value, verdict) in values.iter().zip(expected) {
        assert_eq!(sb.verdict(value), verdict);
    }
}

#[cfg(unix)]
#[test]
fn first_and_second_write_create_the_documented_files() {
    let sb = Sandbox::new();
    assert!(!sb.dir.exists());
    sb.api_key("first", "svc", &[]);
    let names: Vec<String> = snapshot(&sb.dir).into_keys().collect();
    assert_eq!(names, ["keystore.enc", "keystore.lock", "master.key"]);
    assert_eq!(common::mode(&sb.dir), 0o700, "key directory mode");
    assert_eq!(
        common::mode(&sb.file("master.key")),
        0o600,
        "master.key mode"
    );
    assert_eq!(
        fs::read(sb.file("master.key")).expect("read").len(),
        32,
        "master.key is 32 raw bytes"
    );
    let keystore = fs::read(sb.file("keystore.enc")).expect("read");
    assert_eq!(&keystore[..8], b"\x89APIAUTH", "the keystore magic");
    assert_eq!(
        common::mode(&sb.file("keystore.enc")) & 0o077,
        0,
        "keystore.enc is private"
    );

    sb.api_key("second", "svc", &[]);
    let names: Vec<String> = snapshot(&sb.dir).into_keys().collect();
    assert_eq!(
        names,
        [
            "keystore.enc",
            "keystore.enc.bak",
            "keystore.lock",
            "master.key"
        ]
    );
    assert_eq!(
        fs::read(sb.file("keystore.enc.bak")).expect("read"),
        keystore,
        "the backup is the previous file, byte for byte"
    );
    assert_eq!(common::mode(&sb.file("keystore.enc.bak")) & 0o077, 0);
}

#[test]
fn backup_is_a_whole_previous_generation() {
    let sb = Sandbox::new();
    let a = sb.api_key("a", "svc", &[]);
    let b = sb.jwt("b", "svc", &[]);
    let c = sb.api_key("c", "svc", &[]);
    assert_eq!(sb.ids(), [a.id.as_str(), &b.id, &c.id]);

    let scratch = Sandbox::new();
    fs::create_dir(&scratch.dir).expect("mkdir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&scratch.dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    fs::copy(sb.file("master.key"), scratch.file("master.key")).expect("copy master.key");
    fs::copy(sb.file("keystore.enc.bak"), scratch.file("keystore.enc")).expect("copy backup");
    // Without its event log it is not used as is; accepted, it is the generation before the
    // last write.
    scratch
        .run(&["list"])
        .fails(3, &["keystore.enc is generation 2"]);
    scratch.run(&["recover", "--accept-rollback"]).ok();
    assert_eq!(
        scratch.ids(),
        [a.id.as_str(), &b.id],
        "the generation before the last write"
    );
    assert_eq!(scratch.verdict(&a.value), "valid");
    assert_eq!(scratch.verdict(&b.value), "valid");
    assert_eq!(scratch.verdict(&c.value), "not_found");
}

#[test]
fn environment_master_key_makes_no_master_key_file() {
    let sb = Sandbox::new();
    let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    for name in ["one", "two"] {
        sb.cmd(["generate", "api-key", "-n", name, "-s", "svc"])
            .env("APIAUTH_MASTER_KEY", &key)
            .run()
            .ok();
    }
    let names: Vec<String> = snapshot(&sb.dir).into_keys().collect();
    assert_eq!(
        names,
        ["keystore.enc", "keystore.enc.bak", "keystore.lock"],
        "no master.key"
    );
    let listed = sb
        .cmd(["list", "-j"])
        .env("APIAUTH_MASTER_KEY", &key)
        .run()
        .ok()
        .json();
    assert_eq!(listed.as_array().expect("array").len(), 2);
    // Unpadded base64 is accepted too.
    let unpadded = key.trim_end_matches('=');
    sb.cmd(["list"])
        .env("APIAUTH_MASTER_KEY", unpadded)
        .run()
        .ok();
}
