//! The keystore file through the library API: entries survive `Store::update` / `Store::load`
//! unchanged, the generation grows by exactly one per write, and a file with any header field,
//! ciphertext byte or tag byte changed, a truncated file or the wrong master key is an error,
//! never an empty store.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use apiauth_core::fuzzing::{FormatError, HEADER_LEN, MAGIC, format};
use apiauth_core::model::{KeyEntry, KeyId, KeyKind, KeyVersion};
use apiauth_core::{Error, KEYSTORE_FILE, KeyHash, MasterKey, SigningSecret, Store};
use chrono::{DateTime, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn version(n: u32, value: &str, signing: bool) -> KeyVersion {
    KeyVersion {
        version: n,
        hash: KeyHash::of(value),
        hint: format!("ak_{}…", &value[3..7]),
        created_at: at("2026-01-02T03:04:05Z"),
        retired_at: None,
        grace_until: None,
        signing_secret: signing.then(SigningSecret::generate),
    }
}

/// An entry with every optional field filled, so the round trip covers them all.
fn entry(name: &str, kind: KeyKind) -> KeyEntry {
    let mut old = version(1, &format!("ak_{name}-old-value-0123456789"), false);
    old.retired_at = Some(at("2026-02-01T00:00:00Z"));
    old.grace_until = Some(at("2026-02-02T00:00:00Z"));
    let current = version(
        2,
        &format!("ak_{name}-new-value-0123456789"),
        kind == KeyKind::Jwt,
    );
    KeyEntry {
        id: KeyId::random(),
        kind,
        name: format!("{name} \u{202e}with ünïcode"),
        service: "billing".into(),
        env: Some("prod".into()),
        scopes: vec!["read".into(), "write:all".into()],
        prefix: "ak".into(),
        versions: vec![old, current],
        created_at: at("2026-01-02T03:04:05Z"),
        expires_at: Some(at("2027-01-02T03:04:05Z")),
        expiry_days: Some(365),
        revoked_at: None,
        revocation_reason: None,
        rate_limit: Some(100),
        claims: BTreeMap::from([("role".to_owned(), "admin".to_owned())]),
        imported: kind == KeyKind::ApiKey,
    }
}

fn key(byte: u8) -> MasterKey {
    MasterKey::from_slice(&[byte; 32]).expect("32 bytes")
}

/// A store (under an explicit key) with three entries written in three updates.
fn written(dir: &Path) -> (Store, Vec<KeyEntry>) {
    let store = Store::in_dir(dir, Some(key(1)));
    let entries = vec![
        entry("alpha", KeyKind::ApiKey),
        entry("beta", KeyKind::Jwt),
        entry("gamma", KeyKind::ApiKey),
    ];
    for e in &entries {
        store
            .update(|tx| {
                tx.insert(e);
                Ok(())
            })
            .expect("write");
    }
    (store, entries)
}

#[test]
fn entries_round_trip() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (store, entries) = written(tmp.path());
    let loaded = store.load().expect("load");
    assert_eq!(loaded.entries(), entries.as_slice());
    assert_eq!(loaded.generation(), 3);

    // Every version of every entry is found by its hash, at its position.
    for (number, e) in entries.iter().enumerate() {
        for (position, v) in e.versions.iter().enumerate() {
            let found = store.lookup(&v.hash).expect("lookup").expect("found");
            assert_eq!(
                (&found.entry, found.number, found.position),
                (e, number, position)
            );
        }
    }
    assert!(
        store
            .lookup(&KeyHash::of("never stored"))
            .expect("lookup")
            .is_none()
    );

    // A change to one entry is kept, the others untouched.
    let mut revoked = entries[1].clone();
    revoked.revoked_at = Some(at("2026-03-03T00:00:00Z"));
    revoked.revocation_reason = Some("leaked".into());
    for v in &mut revoked.versions {
        v.signing_secret = None;
    }
    store
        .update(|tx| {
            let n = tx.resolve(revoked.id.as_str())?;
            tx.replace(n, &revoked)
        })
        .expect("replace");
    let loaded = store.load().expect("load");
    assert_eq!(
        loaded.entries(),
        [entries[0].clone(), revoked, entries[2].clone()]
    );
    // Same bytes from another handle on the same directory, keyed the same way.
    let again = Store::in_dir(tmp.path(), Some(key(1)))
        .load()
        .expect("load");
    assert_eq!(again.entries(), loaded.entries());
}

#[test]
fn an_empty_directory_is_an_empty_store_and_reading_creates_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("keys");
    let store = Store::in_dir(&dir, None);
    let loaded = store.load().expect("load");
    assert!(loaded.is_empty());
    assert_eq!(loaded.generation(), 0);
    assert_eq!(store.generation().expect("generation"), 0);
    assert!(!dir.exists(), "a read created the key directory");
}

#[test]
fn generation_grows_by_one_per_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = Store::in_dir(tmp.path(), Some(key(2)));
    let path = tmp.path().join(KEYSTORE_FILE);
    for expected in 1..=5u64 {
        store
            .update(|tx| {
                assert_eq!(tx.generation(), expected - 1);
                tx.insert(&entry(&format!("g{expected}"), KeyKind::ApiKey));
                Ok(())
            })
            .expect("write");
        assert_eq!(store.generation().expect("generation"), expected);
        let bytes = fs::read(&path).expect("read");
        let header = format::parse(&bytes).expect("parse");
        assert_eq!(header.generation, expected);
        assert_eq!(
            header.write().as_slice(),
            &bytes[..HEADER_LEN],
            "writing the parsed header gives back the same bytes"
        );
        assert_eq!(store.load().expect("load").len(), expected as usize);
    }

    // An update that changes nothing, or fails, writes nothing.
    let before = fs::read(&path).expect("read");
    store.update(|_| Ok(())).expect("no-op update");
    let refused: Result<(), Error> = store.update(|tx| {
        tx.insert(&entry("never", KeyKind::ApiKey));
        Err(Error::Refused("changed my mind".into()))
    });
    assert!(matches!(refused, Err(Error::Refused(_))));
    assert_eq!(fs::read(&path).expect("read"), before);
    assert_eq!(store.generation().expect("generation"), 5);
    let leftovers: Vec<String> = fs::read_dir(tmp.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !matches!(
                n.as_str(),
                "keystore.enc" | "keystore.enc.bak" | "keystore.lock"
            )
        })
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn every_write_uses_a_fresh_salt_and_nonce() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (store, _) = written(tmp.path());
    let path = tmp.path().join(KEYSTORE_FILE);
    let first = fs::read(&path).expect("read");
    store
        .update(|tx| {
            tx.insert(&entry("delta", KeyKind::ApiKey));
            Ok(())
        })
        .expect("write");
    let second = fs::read(&path).expect("read");
    assert_eq!(&first[..8], &MAGIC);
    assert_ne!(first[12..44], second[12..44], "salt");
    assert_ne!(first[44..56], second[44..56], "nonce");
}

/// Which error a change at `offset` must give: structural fields fail parsing, everything else
/// fails authentication.
fn expected_kind(offset: usize) -> &'static str {
    match offset {
        0..=11 | 64..=71 => "format",
        _ => "decrypt",
    }
}

#[test]
fn a_changed_byte_anywhere_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (store, entries) = written(tmp.path());
    let path = tmp.path().join(KEYSTORE_FILE);
    let good = fs::read(&path).expect("read");
    assert!(good.len() > HEADER_LEN + 16);
    let hash = entries[0].versions[1].hash;
    for offset in 0..good.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = good.clone();
            bad[offset] ^= bit;
            fs::write(&path, &bad).expect("write");
            let kind = match store.load() {
                Ok(_) => panic!("byte {offset} ^ {bit:#x}: the damaged file loaded"),
                Err(Error::Format { problem, .. }) => {
                    if offset < 8 {
                        assert_eq!(problem, FormatError::BadMagic, "byte {offset}");
                    }
                    "format"
                }
                Err(Error::Decrypt { backup_opens, .. }) => {
                    assert!(backup_opens, "the intact backup opens with the same key");
                    "decrypt"
                }
                Err(other) => panic!("byte {offset}: unexpected error {other}"),
            };
            assert_eq!(kind, expected_kind(offset), "byte {offset} ^ {bit:#x}");
            assert!(store.lookup(&hash).is_err(), "lookup, byte {offset}");
            // A write refuses too, and leaves the damaged file as it was.
            let write = store.update(|tx| {
                tx.insert(&entry("x", KeyKind::ApiKey));
                Ok(())
            });
            assert!(write.is_err(), "update over a damaged file, byte {offset}");
            assert_eq!(fs::read(&path).expect("read"), bad);
        }
    }
    fs::write(&path, &good).expect("restore");
    assert_eq!(store.load().expect("load").entries(), entries.as_slice());
}

#[test]
fn specific_header_faults_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (store, _) = written(tmp.path());
    let path = tmp.path().join(KEYSTORE_FILE);
    let good = fs::read(&path).expect("read");
    type Check = fn(&FormatError) -> bool;
    let cases: [(usize, u8, Check); 3] = [
        (8, 0x02, |p| *p == FormatError::UnsupportedVersion(3)),
        (11, 0x40, |p| *p == FormatError::UnknownFlags(0x4000)),
        (71, 0x80, |p| matches!(p, FormatError::BadLength(_))),
    ];
    for (offset, bit, expected) in cases {
        let mut bad = good.clone();
        bad[offset] ^= bit;
        fs::write(&path, &bad).expect("write");
        match store.load() {
            Err(Error::Format { problem, .. }) => assert!(expected(&problem), "{problem}"),
            other => panic!("byte {offset}: {other:?}"),
        }
    }
}

#[test]
fn truncated_or_extended_files_are_format_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (store, _) = written(tmp.path());
    let path = tmp.path().join(KEYSTORE_FILE);
    let good = fs::read(&path).expect("read");
    let len = good.len();
    for cut in [0, 1, 7, 8, 40, 71, 72, 73, len - 17, len - 16, len - 1] {
        fs::write(&path, &good[..cut]).expect("truncate");
        match store.load() {
            Err(Error::Format { .. }) => {}
            Ok(_) => panic!("a file cut at {cut} loaded"),
            Err(other) => panic!("cut at {cut}: {other}"),
        }
    }
    let mut longer = good.clone();
    longer.push(0);
    fs::write(&path, &longer).expect("extend");
    match store.load() {
        Err(Error::Format { problem, .. }) => {
            assert_eq!(problem, FormatError::TrailingBytes { extra: 1 })
        }
        other => panic!("trailing byte: {other:?}"),
    }
}

#[test]
fn the_wrong_key_is_a_decrypt_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, entries) = written(tmp.path());
    let wrong = Store::in_dir(tmp.path(), Some(key(9)));
    match wrong.load() {
        Err(Error::Decrypt { backup_opens, .. }) => {
            assert!(!backup_opens, "the wrong key opens no backup either")
        }
        other => panic!("wrong key: {other:?}"),
    }
    assert!(matches!(
        wrong.lookup(&entries[0].hash()),
        Err(Error::Decrypt { .. })
    ));
    let path = tmp.path().join(KEYSTORE_FILE);
    let before = fs::read(&path).expect("read");
    let write = wrong.update(|tx| {
        tx.insert(&entry("x", KeyKind::ApiKey));
        Ok(())
    });
    assert!(matches!(write, Err(Error::Decrypt { .. })));
    assert_eq!(
        fs::read(&path).expect("read"),
        before,
        "nothing overwritten"
    );
    // The master.key file is not consulted when a key is given, and none is created.
    assert!(!tmp.path().join("master.key").exists());
}
