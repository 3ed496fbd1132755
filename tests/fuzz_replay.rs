//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the same checks the
//! fuzz targets run, so every `cargo test` re-proves what fuzzing found: no panic, no unbounded
//! allocation, and formats that write back what they read. Fuzzing itself: `fuzz/README.md`.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("corpus entry").path();
        check(&std::fs::read(&path).expect("corpus file"));
        inputs += 1;
    }
    assert!(inputs > 0, "the {target} corpus is not empty");
}

#[test]
fn keystore_file_corpus() {
    replay("keystore_file", checks::keystore_file);
}

#[test]
fn keystore_open_corpus() {
    replay("keystore_open", checks::keystore_open);
    checks::remove_scratch();
}

#[test]
fn event_record_corpus() {
    replay("event_record", checks::event_record);
}

#[test]
fn jwt_corpus() {
    replay("jwt", checks::jwt);
}

#[test]
fn parsers_corpus() {
    replay("parsers", checks::parsers);
}

/// The export variable names derived from any text (the parsers corpus holds names of every
/// shape) are shell-safe. Export renders in the app, which the fuzz targets do not link, so
/// this check runs here only.
#[test]
fn export_names_from_the_parsers_corpus() {
    replay("parsers", |data| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        assert!(
            apiauth::cli::export::variable_stem(text)
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        );
    });
}

/// Writes the starting corpora: real files and values of each format, so fuzzing begins from
/// inputs that reach deep into the parsers. `cargo test --test fuzz_replay -- --ignored`.
#[test]
#[ignore = "writes fuzz/corpus seeds; run explicitly"]
fn write_seeds() {
    use apiauth_core::fuzzing::{EventKeys, Raw, event_record as record, generate_api_key, jwt};
    use apiauth_core::model::{KeyEntry, KeyId, KeyKind, KeyVersion};
    use apiauth_core::{Event, EventKind, KeyHash, MasterKey, SigningSecret};
    use chrono::{SubsecRound as _, Utc};

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("seed written");
    };
    let keystores = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/keystore");
    for entry in std::fs::read_dir(&keystores)
        .expect("keystore corpus")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".enc") {
            let bytes = std::fs::read(entry.path()).expect("corpus file");
            write("keystore_file", &name, &bytes);
        }
    }

    let now = Utc::now().trunc_subsecs(6);
    let version = |n: u32, value: &str, secret: Option<SigningSecret>| KeyVersion {
        version: n,
        hash: KeyHash::of(value),
        hint: "ak_…".into(),
        created_at: now,
        retired_at: None,
        grace_until: None,
        signing_secret: secret,
    };
    let entry = |kind: KeyKind, versions: Vec<KeyVersion>| KeyEntry {
        id: KeyId::random(),
        kind,
        name: "seed".into(),
        service: "fuzz".into(),
        env: Some("prod".into()),
        scopes: vec!["read".into()],
        prefix: "ak".into(),
        versions,
        created_at: now,
        expires_at: Some(now),
        expiry_days: Some(30),
        revoked_at: None,
        revocation_reason: Some("reason".into()),
        rate_limit: Some(10),
        claims: [("role".to_owned(), "admin".to_owned())].into(),
        imported: false,
    };
    let mut raw = Raw::default();
    raw.push(&entry(
        KeyKind::ApiKey,
        vec![version(1, generate_api_key("ak").expose(), None)],
    ));
    raw.push(&entry(
        KeyKind::Jwt,
        vec![
            version(1, "token one", Some(SigningSecret::generate())),
            version(2, "token two", Some(SigningSecret::generate())),
        ],
    ));
    write("keystore_open", "payload", &raw.encode());
    write("keystore_open", "empty-payload", &Raw::default().encode());

    let keys = EventKeys::derive(&MasterKey::generate());
    let event = Event::new(
        now,
        EventKind::Verify,
        Some("k_0123456789ab".into()),
        "valid",
        "v1",
    );
    let (line, _) = record::seal(&keys, 7, &[0; 32], &event);
    write("event_record", "line", line.trim_end().as_bytes());
    write(
        "event_record",
        "event",
        &postcard::to_stdvec(&event).expect("an event encodes"),
    );

    let claims =
        serde_json::json!({"iss": "apiauth", "sub": "service:a:b", "exp": 2_000_000_000i64});
    let token = jwt::sign(
        claims.as_object().expect("an object"),
        &SigningSecret::generate(),
    );
    write("jwt", "token", token.expose().as_bytes());
    write("jwt", "alg-none", b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");

    for (name, text) in [
        ("duration", "1d12h"),
        ("days", "36500"),
        ("date", "2027-01-31"),
        ("time", "2027-01-31T12:00:00+02:00"),
        ("claim", "role=admin"),
        ("prefix", "sk"),
        ("scope", "read:users"),
        ("id", "k_0a1b"),
        ("hostile", "a\u{1b}]52;c;aGk=\u{7}\u{202e}b"),
    ] {
        write("parsers", name, text.as_bytes());
    }
}
