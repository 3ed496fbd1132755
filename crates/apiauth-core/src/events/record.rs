//! One event and its line in `events.log`.
//!
//! A line is `SEQ BODY MAC`, ASCII, space-separated:
//!
//! - `SEQ`: the record's sequence number (1, 2, …), in decimal;
//! - `BODY`: base64 of a fresh 12-byte nonce followed by the AES-256-GCM encryption of the
//!   postcard-encoded [`Event`] (associated data: `apiauth/v1/event` and SEQ);
//! - `MAC`: base64 of HMAC-SHA256(chain key, previous MAC ‖ SEQ ‖ nonce ‖ ciphertext), where
//!   the previous MAC of record 1 is 32 zero bytes.
//!
//! Editing a record breaks its decryption and its MAC; removing or reordering records breaks
//! the chain at the next line; the head (`events.head`) catches a truncated tail.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::crypto::{self, NONCE_LEN};

/// Longest line the reader accepts; a real record is a few hundred bytes.
pub const MAX_LINE: usize = 8 * 1024;

/// Bounds, in bytes, of a record's text fields (see [`Event::bounded`]): together far below
/// what [`MAX_LINE`] can hold once encrypted and base64-encoded.
const MAX_OUTCOME: usize = 64;
const MAX_WHO: usize = 256;
const MAX_DETAIL: usize = 2048;

/// Cuts `text` to at most `max` bytes at a character boundary, marking the cut with `…`.
fn cut(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
}

/// A chain MAC.
pub type Mac32 = [u8; 32];

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A key was generated.
    Generate,
    /// A key was imported.
    Import,
    /// A key was rotated.
    Rotate,
    /// A key was revoked.
    Revoke,
    /// A value was presented to verify.
    Verify,
    /// Key metadata was exported.
    Export,
    /// An audit ran.
    Audit,
    /// Opening the keystore failed (wrong key, damaged file).
    UnlockFailed,
    /// A new chain began (no earlier log was present).
    LogStarted,
    /// `recover --accept-rollback` accepted a keystore or an event log that was out of step.
    Recover,
    /// The records of a change that never reached the keystore (its write failed, or its writer
    /// stopped) were not applied.
    NotApplied,
}

impl EventKind {
    /// The word used in output and `--json-output`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Generate => "generate",
            EventKind::Import => "import",
            EventKind::Rotate => "rotate",
            EventKind::Revoke => "revoke",
            EventKind::Verify => "verify",
            EventKind::Export => "export",
            EventKind::Audit => "audit",
            EventKind::UnlockFailed => "unlock_failed",
            EventKind::LogStarted => "log_started",
            EventKind::Recover => "recover",
            EventKind::NotApplied => "not_applied",
        }
    }

    /// Whether the action changes the keystore (its record must be written first).
    pub fn is_change(self) -> bool {
        matches!(
            self,
            EventKind::Generate
                | EventKind::Import
                | EventKind::Rotate
                | EventKind::Revoke
                | EventKind::Recover
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded action. Never holds a plaintext key or a full hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened (UTC, microseconds).
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub time: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The key concerned, when there is one.
    pub key_id: Option<String>,
    /// `ok`, `failed`, or for verify the answer (`valid`, `revoked`, …).
    pub outcome: String,
    /// The operating-system user who ran apiauth.
    pub user: String,
    /// The machine it ran on.
    pub host: String,
    /// A short description (version, reason, counts, a hash prefix for unknown values).
    pub detail: String,
}

impl Event {
    /// An event by the current user on this host.
    pub fn new(
        time: DateTime<Utc>,
        kind: EventKind,
        key_id: Option<String>,
        outcome: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        let (user, host) = who();
        Event {
            time,
            kind,
            key_id,
            outcome: outcome.into(),
            user,
            host,
            detail: detail.into(),
        }
    }

    /// The event with every text field cut to its bound, so that no record, whatever the
    /// environment or the input put into it, outgrows [`MAX_LINE`] and becomes unreadable.
    /// This is what [`seal`] writes.
    pub fn bounded(&self) -> std::borrow::Cow<'_, Event> {
        let fits = |text: &str, max: usize| text.len() <= max;
        if fits(&self.outcome, MAX_OUTCOME)
            && fits(&self.user, MAX_WHO)
            && fits(&self.host, MAX_WHO)
            && fits(&self.detail, MAX_DETAIL)
            && self.key_id.as_deref().is_none_or(|id| fits(id, MAX_WHO))
        {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut event = self.clone();
        cut(&mut event.outcome, MAX_OUTCOME);
        cut(&mut event.user, MAX_WHO);
        cut(&mut event.host, MAX_WHO);
        cut(&mut event.detail, MAX_DETAIL);
        if let Some(id) = &mut event.key_id {
            cut(id, MAX_WHO);
        }
        std::borrow::Cow::Owned(event)
    }

    /// Whether this is a verify that presented a revoked, expired or superseded key.
    pub fn is_alert(&self) -> bool {
        self.kind == EventKind::Verify
            && matches!(self.outcome.as_str(), "revoked" | "expired" | "superseded")
    }

    /// Whether this is a verify that matched a stored key (any answer but `not_found`).
    pub fn is_use(&self) -> bool {
        self.kind == EventKind::Verify && self.key_id.is_some()
    }
}

/// The operating-system user and host name, looked up once per process.
fn who() -> (String, String) {
    static WHO: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    WHO.get_or_init(|| {
        // The login name the session carries ($USER, or $LOGNAME); the password database only
        // when neither is set, since consulting it costs every verify a round of NSS lookups.
        let user = ["USER", "LOGNAME"]
            .iter()
            .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
            .or_else(|| whoami::username().ok())
            .unwrap_or_else(|| "unknown".into());
        let host = whoami::hostname().unwrap_or_else(|_| "unknown".into());
        (user, host)
    })
    .clone()
}

/// The keys of the event log, derived from the master key.
#[derive(Clone)]
pub struct EventKeys {
    encrypt: zeroize::Zeroizing<[u8; 32]>,
    chain: zeroize::Zeroizing<[u8; 32]>,
    pub(super) head: zeroize::Zeroizing<[u8; 32]>,
    pub(super) last_used: zeroize::Zeroizing<[u8; 32]>,
}

impl fmt::Debug for EventKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventKeys([redacted])")
    }
}

const SALT: &[u8] = b"apiauth/v1/events";

impl EventKeys {
    /// Derives the four purpose-bound keys.
    pub fn derive(master: &crypto::MasterKey) -> Self {
        EventKeys {
            encrypt: master.derive(SALT, b"record encryption"),
            chain: master.derive(SALT, b"record chain"),
            head: master.derive(SALT, b"head"),
            last_used: master.derive(SALT, b"last used"),
        }
    }

    /// HMAC-SHA256 under `key` over the concatenation of `parts`.
    pub(super) fn mac(key: &[u8; 32], parts: &[&[u8]]) -> Mac32 {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

fn associated_data(seq: u64) -> Vec<u8> {
    let mut aad = b"apiauth/v1/event".to_vec();
    aad.extend_from_slice(&seq.to_le_bytes());
    aad
}

/// Why a line is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// Not `SEQ BODY MAC` with decimal and base64 fields.
    #[error("the line is not a record (expected sequence, body and MAC)")]
    Malformed,
    /// The sequence number is not the one expected here.
    #[error(
        "sequence number {found} where {expected} was expected (a record was removed, added or moved)"
    )]
    Sequence {
        /// Found in the line.
        found: u64,
        /// The one that follows the previous record.
        expected: u64,
    },
    /// The MAC does not chain from the previous record.
    #[error(
        "the record's MAC does not match (the record was edited, or the one before it was removed or changed)"
    )]
    Chain,
    /// The body does not decrypt or decode.
    #[error("the record does not decrypt (it was edited)")]
    Body,
}

/// A parsed line whose chain MAC has not been checked yet.
pub struct Line {
    /// Sequence number.
    pub seq: u64,
    body: Vec<u8>,
    /// The record's MAC.
    pub mac: Mac32,
}

impl Line {
    /// Splits and decodes a line (without its trailing newline).
    pub fn parse(text: &str) -> Result<Line, LineError> {
        if text.len() > MAX_LINE {
            return Err(LineError::Malformed);
        }
        let mut fields = text.split(' ');
        let (Some(seq), Some(body), Some(mac), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(LineError::Malformed);
        };
        if seq.is_empty()
            || !seq.bytes().all(|b| b.is_ascii_digit())
            || (seq.len() > 1 && seq.starts_with('0'))
        {
            return Err(LineError::Malformed);
        }
        let seq: u64 = seq.parse().map_err(|_| LineError::Malformed)?;
        let body = STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| LineError::Malformed)?;
        if body.len() < NONCE_LEN + crypto::TAG_LEN {
            return Err(LineError::Malformed);
        }
        let mac: Mac32 = STANDARD_NO_PAD
            .decode(mac)
            .ok()
            .and_then(|m| m.try_into().ok())
            .ok_or(LineError::Malformed)?;
        Ok(Line { seq, body, mac })
    }

    /// The line as it is written in the file (without its newline).
    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.seq,
            STANDARD_NO_PAD.encode(&self.body),
            STANDARD_NO_PAD.encode(self.mac)
        )
    }

    /// Whether this line's MAC chains from `previous`.
    pub fn chains_from(&self, keys: &EventKeys, previous: &Mac32) -> bool {
        let expected = EventKeys::mac(
            &keys.chain,
            &[previous, &self.seq.to_le_bytes(), &self.body],
        );
        subtle::ConstantTimeEq::ct_eq(&expected[..], &self.mac[..]).into()
    }

    /// Decrypts and decodes the record.
    pub fn open(&self, keys: &EventKeys) -> Result<Event, LineError> {
        let (nonce, sealed) = self.body.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("length checked in parse");
        let mut sealed = zeroize::Zeroizing::new(sealed.to_vec());
        crypto::open_in_place(
            &keys.encrypt,
            &nonce,
            &associated_data(self.seq),
            &mut sealed,
        )
        .map_err(|_| LineError::Body)?;
        let plain = &sealed[..sealed.len() - crypto::TAG_LEN];
        postcard::from_bytes(plain).map_err(|_| LineError::Body)
    }
}

/// Encrypts and chains `event` as record `seq` after `previous`; returns the line (with its
/// newline) and its MAC.
pub fn seal(keys: &EventKeys, seq: u64, previous: &Mac32, event: &Event) -> (String, Mac32) {
    seal_plaintext(
        keys,
        seq,
        previous,
        &postcard::to_stdvec(&*event.bounded()).expect("events serialize"),
    )
}

/// Encrypts and chains an already encoded record body (what [`seal`] does after encoding the
/// event); lets tests and fuzzing reach the decoder with bodies no event encodes to.
pub fn seal_plaintext(
    keys: &EventKeys,
    seq: u64,
    previous: &Mac32,
    plain: &[u8],
) -> (String, Mac32) {
    let nonce = crypto::random_array::<NONCE_LEN>();
    let mut buf = plain.to_vec();
    crypto::seal_in_place(&keys.encrypt, &nonce, &associated_data(seq), &mut buf);
    let mut body = nonce.to_vec();
    body.extend_from_slice(&buf);
    let mac = EventKeys::mac(&keys.chain, &[previous, &seq.to_le_bytes(), &body]);
    let line = format!(
        "{seq} {} {}\n",
        STANDARD_NO_PAD.encode(&body),
        STANDARD_NO_PAD.encode(mac)
    );
    (line, mac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    fn event() -> Event {
        Event::new(
            Utc::now(),
            EventKind::Verify,
            Some("k_0123456789ab".into()),
            "valid",
            "v1",
        )
    }

    #[test]
    fn an_event_with_oversized_fields_still_makes_a_readable_record() {
        let keys = EventKeys::derive(&MasterKey::generate());
        let mut event = event();
        event.user = "u".repeat(7000);
        event.host = "é".repeat(5000);
        event.detail = "d".repeat(100_000);
        event.outcome = "o".repeat(1000);
        let (line, _) = seal(&keys, 1, &[0; 32], &event);
        assert!(line.len() <= MAX_LINE, "{} bytes", line.len());
        let opened = Line::parse(line.trim_end())
            .expect("parses")
            .open(&keys)
            .expect("opens");
        assert_eq!(opened.user, format!("{}…", "u".repeat(MAX_WHO - 3)));
        assert!(opened.host.len() <= MAX_WHO && opened.host.ends_with("é…"));
        assert!(opened.detail.len() <= MAX_DETAIL && opened.detail.starts_with("ddd"));
        assert!(opened.outcome.len() <= MAX_OUTCOME);
        assert_eq!(opened.key_id, event.key_id);
    }

    #[test]
    fn a_sealed_line_parses_chains_and_opens() {
        let keys = EventKeys::derive(&MasterKey::generate());
        let (line, mac) = seal(&keys, 7, &[3; 32], &event());
        let parsed = Line::parse(line.trim_end()).unwrap();
        assert_eq!(parsed.seq, 7);
        assert_eq!(parsed.mac, mac);
        assert!(parsed.chains_from(&keys, &[3; 32]));
        assert!(!parsed.chains_from(&keys, &[4; 32]));
        assert_eq!(parsed.open(&keys).unwrap().outcome, "valid");
        let other = EventKeys::derive(&MasterKey::generate());
        assert_eq!(parsed.open(&other), Err(LineError::Body));
    }

    #[test]
    fn the_file_holds_no_clear_text() {
        let keys = EventKeys::derive(&MasterKey::generate());
        let (line, _) = seal(&keys, 1, &[0; 32], &event());
        assert!(!line.contains("k_0123456789ab"));
        assert!(!line.contains("valid"));
    }

    #[test]
    fn malformed_lines_are_errors() {
        for bad in [
            "",
            "1",
            "1 a",
            "x YQ YQ",
            "1 !! YQ",
            "1 YQ YQ extra",
            "-1 YQ YQ",
        ] {
            assert!(Line::parse(bad).is_err(), "{bad}");
        }
    }
}
