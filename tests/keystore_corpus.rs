//! The golden corpus of malformed keystores (`tests/corpus/keystore/`): each file, put in place
//! of `keystore.enc` beside the corpus's `master.key`, makes every command exit 3 with a message
//! naming the problem, and nothing in the key directory is written.
//!
//! The corpus is committed; `cargo test --test keystore_corpus -- --ignored regenerate` rebuilds
//! it from a fresh valid keystore.

mod common;

use std::path::{Path, PathBuf};

use common::{Sandbox, assert_unchanged};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/keystore")
}

/// Every malformed file and the words its error must contain.
const CASES: &[(&str, &str)] = &[
    ("empty.enc", "the file is empty"),
    ("another-program.enc", "another program's file"),
    ("truncated-in-magic.enc", "shorter than the 72-byte header"),
    ("truncated-in-header.enc", "shorter than the 72-byte header"),
    ("header-only.enc", "declares"),
    ("truncated-in-ciphertext.enc", "the file is truncated"),
    ("truncated-in-tag.enc", "the file is truncated"),
    (
        "trailing-bytes.enc",
        "unexpected bytes follow the ciphertext",
    ),
    ("unknown-version.enc", "format version 2 is not supported"),
    ("unknown-flag.enc", "unknown flag bits"),
    ("oversized-length.enc", "ciphertext length"),
    ("undersized-length.enc", "ciphertext length"),
    (
        "flipped-magic.enc",
        "does not start with the apiauth keystore signature",
    ),
    ("flipped-salt.enc", "could not be decrypted"),
    ("flipped-nonce.enc", "could not be decrypted"),
    ("flipped-generation.enc", "could not be decrypted"),
    ("flipped-ciphertext.enc", "could not be decrypted"),
    ("flipped-tag.enc", "could not be decrypted"),
];

/// A key directory holding the corpus's master key, `file` as `keystore.enc`, and the lock file
/// every written key directory has.
fn sandbox_with(file: &str) -> Sandbox {
    let sb = Sandbox::new();
    std::fs::create_dir_all(&sb.dir).expect("key dir");
    std::fs::write(sb.file("keystore.lock"), b"").expect("lock file");
    for name in ["master.key", file] {
        let target = if name == file { "keystore.enc" } else { name };
        std::fs::copy(corpus().join(name), sb.file(target)).expect("corpus file copied");
    }
    if file == "valid.enc" {
        for name in ["events.log", "events.head"] {
            std::fs::copy(corpus().join(format!("valid.{name}")), sb.file(name))
                .expect("event log copied");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            sb.file("master.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod master.key");
    }
    sb
}

#[test]
fn the_valid_keystore_of_the_corpus_opens() {
    let sb = sandbox_with("valid.enc");
    let out = sb.cmd(["list", "-j"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let keys: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(keys.as_array().map(Vec::len), Some(2));
}

#[test]
fn every_malformed_keystore_is_refused_by_name_and_left_alone() {
    let mut seen = Vec::new();
    for &(file, words) in CASES {
        assert!(corpus().join(file).exists(), "{file} is in the corpus");
        let sb = sandbox_with(file);
        let before = sb.snapshot();
        for args in [
            vec!["list"],
            vec!["verify", "ak_not_a_stored_key"],
            vec!["generate", "api-key", "-n", "new", "-s", "svc"],
            vec!["revoke", "k_"],
        ] {
            let out = sb.cmd(&args).run();
            assert_eq!(
                out.code, 3,
                "{file}: {args:?} exits 3; stderr: {}",
                out.stderr
            );
            assert!(
                out.stderr.contains(words),
                "{file}: {args:?} names the problem ({words}); stderr: {}",
                out.stderr
            );
            assert!(out.stderr.contains("hint:"), "{file}: a way out is offered");
        }
        assert_unchanged(&before, &sb.snapshot(), file);
        seen.push(file);
    }
    let listed: Vec<String> = std::fs::read_dir(corpus())
        .expect("corpus dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".enc") && n != "valid.enc")
        .collect();
    for name in listed {
        assert!(
            seen.contains(&name.as_str()),
            "{name} has an expected message"
        );
    }
}

/// Rebuilds the corpus: a fresh valid keystore with two keys, then each malformed variant.
#[test]
#[ignore = "rewrites tests/corpus/keystore; run explicitly to regenerate"]
fn regenerate() {
    let sb = Sandbox::new();
    for name in ["first", "second"] {
        let out = sb
            .cmd(["generate", "api-key", "-n", name, "-s", "corpus"])
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let dir = corpus();
    std::fs::create_dir_all(&dir).expect("corpus dir");
    for stale in std::fs::read_dir(&dir).expect("corpus dir").flatten() {
        if stale.file_name().to_string_lossy().ends_with(".enc") {
            std::fs::remove_file(stale.path()).expect("old corpus file removed");
        }
    }
    std::fs::copy(sb.file("master.key"), dir.join("master.key")).expect("master key");
    // The valid keystore's event log goes with it: a keystore whose log is gone is refused.
    for name in ["events.log", "events.head"] {
        std::fs::copy(sb.file(name), dir.join(format!("valid.{name}"))).expect("event log");
    }
    let valid = std::fs::read(sb.file("keystore.enc")).expect("keystore");
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).expect("written");
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = valid.clone();
        edit(&mut bytes);
        bytes
    };
    write("valid.enc", &valid);
    write("empty.enc", b"");
    write(
        "another-program.enc",
        b"SQLite format 3\0\x10\0\x01\x01\0\x40\x20\x20",
    );
    write("truncated-in-magic.enc", &valid[..4]);
    write("truncated-in-header.enc", &valid[..40]);
    write("header-only.enc", &valid[..72]);
    write("truncated-in-ciphertext.enc", &valid[..valid.len() / 2]);
    write("truncated-in-tag.enc", &valid[..valid.len() - 8]);
    write("trailing-bytes.enc", &with(&|b| b.extend_from_slice(b"\n")));
    write("unknown-version.enc", &with(&|b| b[8] = 2));
    write("unknown-flag.enc", &with(&|b| b[10] |= 0x01));
    write(
        "oversized-length.enc",
        &with(&|b| b[64..72].copy_from_slice(&(1u64 << 40).to_le_bytes())),
    );
    write(
        "undersized-length.enc",
        &with(&|b| b[64..72].copy_from_slice(&4u64.to_le_bytes())),
    );
    write("flipped-magic.enc", &with(&|b| b[3] ^= 0x20));
    write("flipped-salt.enc", &with(&|b| b[20] ^= 0x01));
    write("flipped-nonce.enc", &with(&|b| b[50] ^= 0x01));
    write("flipped-generation.enc", &with(&|b| b[56] ^= 0x01));
    write("flipped-ciphertext.enc", &with(&|b| b[100] ^= 0x01));
    write(
        "flipped-tag.enc",
        &with(&|b| *b.last_mut().expect("non-empty") ^= 0x01),
    );
}
