//! What the fuzz targets check on arbitrary input. Shared by the targets in `fuzz_targets/` and
//! by `tests/fuzz_replay.rs`, which replays the committed corpora on every `cargo test`.
//!
//! Every check must not panic, must not allocate without bound because of a length field, and,
//! where a format can be written back, must write back what it read.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use apiauth_core::fuzzing::{
    self, EventKeys, HEADER_LEN, Header, KEYSTORE_INFO, Line, Raw,
    event_record as event_record_format, format, jwt,
};
use apiauth_core::model;
use apiauth_core::{KeyHash, MasterKey, SigningSecret, Store};

/// The fixed master key the open-path checks use.
fn master() -> MasterKey {
    MasterKey::from_slice(&[0x5A; 32]).expect("32 bytes")
}

/// One scratch key directory per process.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("apiauth-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    })
}

/// Removes the scratch key directory (the replay test calls this when done).
pub fn remove_scratch() {
    let _ = std::fs::remove_dir_all(scratch());
}

/// The keystore header and file parser: a file that parses writes back byte for byte.
pub fn keystore_file(data: &[u8]) {
    if let Ok(header) = format::parse_header(data) {
        assert!(header.ciphertext_len <= format::MAX_CIPHERTEXT_LEN);
        assert_eq!(&header.write()[..], &data[..HEADER_LEN]);
    }
    if let Ok(header) = format::parse(data) {
        let mut again = header.write().to_vec();
        again.extend_from_slice(&data[HEADER_LEN..]);
        assert_eq!(again, data);
        assert_eq!(header.ciphertext_len as usize, data.len() - HEADER_LEN);
    }
}

/// Seals `payload` into a well-formed keystore file under the fixed key.
fn seal_payload(payload: &[u8]) -> Vec<u8> {
    let salt = [0x11; 32];
    let nonce = [0x22; fuzzing::NONCE_LEN];
    let header = Header {
        version: format::FORMAT_VERSION,
        flags: 0,
        salt,
        nonce,
        generation: 1,
        ciphertext_len: (payload.len() + fuzzing::TAG_LEN) as u64,
    };
    let header_bytes = header.write();
    let key = master().derive(&salt, KEYSTORE_INFO);
    let mut body = payload.to_vec();
    fuzzing::seal_in_place(&key, &nonce, &header_bytes, &mut body);
    let mut file = header_bytes.to_vec();
    file.extend_from_slice(&body);
    file
}

/// The whole open path with a fixed key: `data` is the file when it starts with the keystore
/// magic, and otherwise the plaintext payload, sealed into a valid file so that decryption
/// succeeds and the payload decoder and indexes are reached.
pub fn keystore_open(data: &[u8]) {
    let file = if data.starts_with(&format::MAGIC) {
        data.to_vec()
    } else {
        seal_payload(data)
    };
    let dir = scratch();
    std::fs::write(dir.join("keystore.enc"), &file).expect("scratch write");
    let store = Store::in_dir(dir.as_path(), Some(master()));
    if let Ok(keystore) = store.load() {
        for entry in keystore.entries() {
            assert!(!entry.versions.is_empty());
            let _ = keystore.resolve(entry.id.as_str());
        }
    }
    let _ = store.lookup(&KeyHash::of("probe"));
    if !data.starts_with(&format::MAGIC)
        && let Ok(raw) = Raw::parse(data)
    {
        // Writing a parsed payload back and parsing it again is stable.
        let once = raw.encode();
        let again = Raw::parse(&once)
            .expect("a written payload parses")
            .encode();
        assert_eq!(*once, *again);
    }
}

/// The event-log line parser, and the record decoder reached by sealing `data` as a record body.
pub fn event_record(data: &[u8]) {
    let keys = EventKeys::derive(&master());
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(line) = Line::parse(text)
    {
        assert_eq!(line.text(), text, "a parsed line writes back as it was");
        let _ = line.chains_from(&keys, &[0; 32]);
        let _ = line.open(&keys);
    }
    let (sealed, mac) = event_record_format::seal_plaintext(&keys, 1, &[0; 32], data);
    let line = Line::parse(sealed.trim_end()).expect("a sealed line parses");
    assert_eq!(line.mac, mac);
    assert!(line.chains_from(&keys, &[0; 32]));
    if let Ok(event) = line.open(&keys) {
        let (again, _) = event_record_format::seal(&keys, 2, &mac, &event);
        let reopened = Line::parse(again.trim_end())
            .expect("parses")
            .open(&keys)
            .expect("a sealed event opens");
        assert_eq!(
            reopened,
            *event.bounded(),
            "a record writes back as it was (its text cut to the bounds)"
        );
    }
}

/// The JWT parsers: never panic; a token that parses can be checked against a secret, and an
/// `exp` read from any token is a time apiauth can hold.
pub fn jwt(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = jwt::looks_like_jwt(text);
    if let Ok(Some(token)) = jwt::inspect(text) {
        let _ = token.is_unsigned();
        if let Ok(Some(exp)) = token.exp() {
            assert!(chrono::DateTime::from_timestamp(exp, 0).is_some());
        }
    }
    if let Ok(token) = jwt::parse(text) {
        let _ = token.exp();
        assert!(token.verify(&SigningSecret::generate()).is_err());
    }
}

/// The duration, expiry, time, claim and label parsers: what they accept reads back the same.
pub fn parsers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = model::parse_duration(text) {
        assert!(d > chrono::Duration::zero());
        assert_eq!(
            model::parse_duration(&apiauth_core::timefmt::duration(d)),
            Ok(d)
        );
    }
    if let Ok(grace) = model::parse_grace(text) {
        assert!(grace <= chrono::Duration::days(model::MAX_GRACE_DAYS));
    }
    if let Ok(days) = model::parse_expiry_days(text) {
        assert!((1..=model::MAX_EXPIRY_DAYS).contains(&days));
        assert_eq!(model::parse_expiry_days(&days.to_string()), Ok(days));
    }
    if let Ok(at) = model::parse_time(text) {
        let shown = apiauth_core::timefmt::rfc3339(at);
        assert_eq!(
            model::parse_time(&shown).map(|t| t.timestamp()),
            Ok(at.timestamp())
        );
    }
    match model::parse_expiry(text) {
        Ok(model::Expiry::Days(days)) => assert!((1..=model::MAX_EXPIRY_DAYS).contains(&days)),
        Ok(model::Expiry::At(at)) => assert_eq!(model::parse_time(text), Ok(at)),
        Err(_) => {}
    }
    if let Ok((key, value)) = model::parse_claim(text) {
        assert_eq!(
            model::parse_claim(&format!("{key}={value}")),
            Ok((key, value))
        );
    }
    if let Ok(prefix) = model::parse_prefix(text) {
        assert!(prefix.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
    let _ = model::parse_rate_limit(text);
    let _ = model::parse_env(text);
    let _ = model::parse_scope(text);
    let _ = model::parse_name(text);
    let _ = model::Status::parse(text);
    let _ = model::normalize_id_prefix(text);
    let _ = model::hint_for(text);
    assert!(
        !apiauth_core::sanitize::display(text)
            .chars()
            .any(apiauth_core::sanitize::is_unsafe)
    );
}
