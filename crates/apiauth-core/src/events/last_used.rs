//! `events.lastused`: when each key was last presented to verify, derived from the log.
//!
//! Reading the whole log to answer "when was this key last used" would make every `list` and
//! every TUI start slower as the log grows, so the answer is kept in a file of fixed-size slots,
//! one per entry number (entries are only ever appended, so a key's number never changes):
//!
//! ```text
//! header  16 bytes  "AALU", format version u32 LE, 8 reserved bytes
//! slot n  24 bytes  at 16 + 24·n: time of last use (µs since the epoch, i64 LE, 0 = never)
//!                   and the first 16 bytes of HMAC-SHA256(last-used key, id ‖ time)
//! ```
//!
//! Verify writes its key's slot under the log's lock, right after appending its record, in
//! O(1). A slot whose MAC does not match (edited, or from another keystore), a missing file and
//! one far longer than the keystore needs (a sparse 2 GB file is never read) are rebuilt from
//! the log, which stays the source of truth.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{EventKeys, EventLog};
use crate::error::{Error, Result};
use crate::fs;
use crate::model::{KeyEntry, KeyId};

/// File name of the last-used slots.
pub const FILE: &str = "events.lastused";
const MAGIC: &[u8; 4] = b"AALU";
const HEADER: usize = 16;
const SLOT: usize = 24;
/// Name prefix of the temp file a rebuild writes.
pub const TEMP_PREFIX: &str = ".events.lastused.tmp";
/// Slots past the keystore a reader holds that the file may already have (keys generated and
/// used since it read its keystore). A longer file is damaged, and rebuilt without being read.
const SLACK: usize = 4096;

/// A use of a key to record: its entry number, id and the time.
#[derive(Debug, Clone, Copy)]
pub struct Use<'a> {
    /// The key's entry number in the keystore.
    pub entry: usize,
    /// The key's id.
    pub id: &'a KeyId,
    /// When it was presented.
    pub at: DateTime<Utc>,
}

fn path(log: &EventLog) -> PathBuf {
    log.dir().join(FILE)
}

fn slot_mac(keys: &EventKeys, id: &KeyId, micros: i64) -> [u8; 16] {
    let mac = EventKeys::mac(
        &keys.last_used,
        &[id.as_str().as_bytes(), &micros.to_le_bytes()],
    );
    mac[..16].try_into().expect("16 of 32 bytes")
}

fn encode_slot(keys: &EventKeys, id: &KeyId, at: Option<DateTime<Utc>>) -> [u8; SLOT] {
    let micros = at.map_or(0, |t| t.timestamp_micros());
    let mut slot = [0u8; SLOT];
    slot[..8].copy_from_slice(&micros.to_le_bytes());
    slot[8..].copy_from_slice(&slot_mac(keys, id, micros));
    slot
}

/// `Some(last use)` when the slot authenticates for `id`, `None` when it does not.
fn decode_slot(keys: &EventKeys, id: &KeyId, slot: &[u8]) -> Option<Option<DateTime<Utc>>> {
    let micros = i64::from_le_bytes(slot[..8].try_into().ok()?);
    let expected = slot_mac(keys, id, micros);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], &slot[8..SLOT])) {
        return None;
    }
    Some(if micros == 0 {
        None
    } else {
        DateTime::from_timestamp_micros(micros)
    })
}

fn header() -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..4].copy_from_slice(MAGIC);
    h[4..8].copy_from_slice(&1u32.to_le_bytes());
    h
}

/// Records a use in the key's slot (unless the slot already holds a later one) and returns the
/// use before it. Called under the log's lock.
/// Does nothing when the file does not exist yet: the next reader rebuilds it from the log,
/// which already holds this use.
pub(super) fn record(log: &EventLog, usage: &Use<'_>) -> Option<DateTime<Utc>> {
    use std::io::{Seek as _, SeekFrom, Write as _};
    let mut options = fs::owner_only();
    options.read(true).write(true);
    let mut file = fs::open(&path(log), &options, "open").ok()??;
    let offset = (HEADER + usage.entry * SLOT) as u64;
    let mut old = [0u8; SLOT];
    let previous = match file
        .seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut old))
    {
        Ok(()) => decode_slot(log.keys(), usage.id, &old).flatten(),
        Err(_) => None,
    };
    // Uses can be recorded out of time order (a verify takes its time before the lock, and
    // clocks step back): keep the latest, as a rebuild from the log does.
    let latest = previous.map_or(usage.at, |p| p.max(usage.at));
    let slot = encode_slot(log.keys(), usage.id, Some(latest));
    let _ = file
        .seek(SeekFrom::Start(offset))
        .and_then(|_| file.write_all(&slot));
    previous
}

/// Starts an empty slot file (every key "never used"), for a new log. Called under the lock.
pub(super) fn create_empty(log: &EventLog) -> Result<()> {
    let target = path(log);
    let mut options = fs::owner_only();
    options.write(true).create(true).truncate(true);
    let mut file = fs::open_existing(&target, &options, "create")?;
    std::io::Write::write_all(&mut file, &header()).map_err(|e| Error::io("write", &target, e))
}

/// The last use of every entry (in entry order). Rebuilds the file from the log when it is
/// missing, has the wrong header, or any slot fails to authenticate.
pub fn all(log: &EventLog, entries: &[KeyEntry]) -> Result<Vec<Option<DateTime<Utc>>>> {
    if let Some(uses) = read(log, entries) {
        return Ok(uses);
    }
    if !log.path().exists() {
        // No log (a store written without one, or a directory not created yet): no uses.
        return Ok(vec![None; entries.len()]);
    }
    let _lock = log.lock()?;
    if let Some(uses) = read(log, entries) {
        return Ok(uses);
    }
    rebuild(log, entries)
}

fn read(log: &EventLog, entries: &[KeyEntry]) -> Option<Vec<Option<DateTime<Utc>>>> {
    let path = path(log);
    let file = fs::open(&path, &fs::reading(), "read").ok()??;
    let len = fs::len(&file, &path).ok()?;
    if len > (HEADER + SLOT * (entries.len() + SLACK)) as u64 {
        return None;
    }
    let wanted = (HEADER + SLOT * entries.len()) as u64;
    let mut bytes = Vec::with_capacity(wanted.min(len) as usize);
    file.take(wanted).read_to_end(&mut bytes).ok()?;
    if bytes.len() < HEADER || bytes[..HEADER] != header() {
        return None;
    }
    let slots = &bytes[HEADER..];
    entries
        .iter()
        .enumerate()
        .map(|(n, entry)| match slots.get(n * SLOT..(n + 1) * SLOT) {
            Some(slot) => decode_slot(log.keys(), &entry.id, slot),
            // Entries added after the file was written have no slot until first used, and a
            // rebuild covers any use recorded before the file existed.
            None => Some(None),
        })
        .collect()
}

/// Reads the whole log (checking the chain) and writes a fresh file. Called under the lock.
fn rebuild(log: &EventLog, entries: &[KeyEntry]) -> Result<Vec<Option<DateTime<Utc>>>> {
    let mut last: HashMap<String, DateTime<Utc>> = HashMap::new();
    let report = log.scan_records(|record| {
        if record.event.is_use()
            && let Some(id) = &record.event.key_id
        {
            let slot = last.entry(id.clone()).or_insert(record.event.time);
            *slot = (*slot).max(record.event.time);
        }
    })?;
    if let Some(damage) = report.damage {
        return Err(Error::EventLog {
            path: log.path(),
            problem: format!(
                "line {}: {}; last-used times cannot be rebuilt",
                damage.line, damage.problem
            ),
        });
    }
    let uses: Vec<Option<DateTime<Utc>>> = entries
        .iter()
        .map(|e| last.get(e.id.as_str()).copied())
        .collect();
    let mut bytes = Vec::with_capacity(HEADER + SLOT * entries.len());
    bytes.extend_from_slice(&header());
    for (entry, used) in entries.iter().zip(&uses) {
        bytes.extend_from_slice(&encode_slot(log.keys(), &entry.id, *used));
    }
    let target = path(log);
    let mut temp = fs::temp::create(log.dir(), TEMP_PREFIX)?;
    std::io::Write::write_all(&mut temp, &bytes).map_err(|e| Error::io("write", temp.path(), e))?;
    temp.persist(&target)
        .map_err(|e| Error::io("replace", &target, e.error))?;
    Ok(uses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    #[test]
    fn slots_authenticate_per_key() {
        let keys = EventKeys::derive(&MasterKey::generate());
        let a = KeyId::random();
        let b = KeyId::random();
        let at = DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap();
        let slot = encode_slot(&keys, &a, Some(at));
        assert_eq!(decode_slot(&keys, &a, &slot), Some(Some(at)));
        assert_eq!(decode_slot(&keys, &b, &slot), None, "moved to another key");
        let mut edited = slot;
        edited[0] ^= 1;
        assert_eq!(decode_slot(&keys, &a, &edited), None, "time edited");
        let never = encode_slot(&keys, &a, None);
        assert_eq!(decode_slot(&keys, &a, &never), Some(None));
        assert_eq!(decode_slot(&keys, &a, &[0u8; SLOT]), None, "zeroed");
    }
}
