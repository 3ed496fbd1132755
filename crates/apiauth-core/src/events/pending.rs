//! `events.pending`: notes of failed unlocks, left by a process that could not derive the log's
//! keys (wrong master key, damaged keystore) and folded into the chain by the next process that
//! appends, marked as unauthenticated.
//!
//! One note per line, `MICROS\tUSER\tHOST\tDETAIL`. Whoever wrote the file held no key, so it is
//! read defensively: at most [`MAX_BYTES`] bytes and [`MAX_NOTES`] notes, and a line that is not
//! a note (not UTF-8, a field missing, a time out of range) is skipped and counted, never a
//! reason to drop the notes after it. The count goes into the log with the notes it came with.

use std::io::{Read as _, Write as _};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Event, EventKind};
use crate::error::{Error, Result};
use crate::fs;

/// File name of the notes.
pub const FILE: &str = "events.pending";
/// Most bytes read at once.
const MAX_BYTES: u64 = 256 * 1024;
/// Most notes folded at once (a flood of them is cut off, and the cut counted).
const MAX_NOTES: usize = 1000;
/// Past this many bytes of unfolded notes, more are not written: a gateway failing with the
/// wrong key must not fill the disk, and more of the same add nothing an investigator needs.
const FULL: u64 = 64 * 1024;

/// The notes to fold into the log, as events, plus one event counting what was skipped.
pub(super) fn read(dir: &Path) -> Result<Vec<Event>> {
    let path = dir.join(FILE);
    let Some(file) = fs::open(&path, &fs::reading(), "read")? else {
        return Ok(Vec::new());
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", &path, e))?;
    Ok(parse(&bytes, Utc::now()))
}

fn parse(bytes: &[u8], now: DateTime<Utc>) -> Vec<Event> {
    let mut notes = Vec::new();
    let (mut unreadable, mut cut) = (0usize, 0usize);
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if notes.len() == MAX_NOTES {
            cut += 1;
            continue;
        }
        match std::str::from_utf8(line).ok().and_then(note) {
            Some(event) => notes.push(event),
            None => unreadable += 1,
        }
    }
    if unreadable + cut > 0 {
        let mut parts = Vec::new();
        if unreadable > 0 {
            parts.push(format!("{unreadable} unreadable line(s) skipped"));
        }
        if cut > 0 {
            parts.push(format!("{cut} note(s) past the first {MAX_NOTES} cut off"));
        }
        notes.push(Event::new(
            now,
            EventKind::UnlockFailed,
            None,
            "failed",
            format!("{}: {} (unauthenticated notes)", FILE, parts.join(", ")),
        ));
    }
    notes
}

fn note(line: &str) -> Option<Event> {
    let mut fields = line.splitn(4, '\t');
    let micros: i64 = fields.next()?.parse().ok()?;
    let user = fields.next()?.to_owned();
    let host = fields.next()?.to_owned();
    let detail = fields.next()?.to_owned();
    Some(Event {
        time: DateTime::from_timestamp_micros(micros)?,
        kind: EventKind::UnlockFailed,
        key_id: None,
        outcome: "failed".into(),
        user,
        host,
        detail: format!("{detail} (unauthenticated note)"),
    })
}

/// Empties the file once its notes are in the log.
pub(super) fn clear(dir: &Path) {
    let mut options = fs::owner_only();
    options.write(true).truncate(true);
    let _ = fs::open(&dir.join(FILE), &options, "empty");
}

/// Notes a failed unlock, for the next process that can write the log. Best effort: a key
/// directory that cannot be written, or an `events.pending` that is not a regular file, is
/// simply not noted.
pub fn note_failed_unlock(dir: &Path, time: DateTime<Utc>, detail: &str) {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return;
    }
    let mut options = fs::owner_only();
    options.append(true).create(true);
    let path = dir.join(FILE);
    let Ok(Some(mut file)) = fs::open(&path, &options, "open") else {
        return;
    };
    if fs::len(&file, &path).is_ok_and(|len| len > FULL) {
        return;
    }
    let event = Event::new(time, EventKind::UnlockFailed, None, "failed", detail);
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let line = format!(
        "{}\t{}\t{}\t{}\n",
        time.timestamp_micros(),
        clean(&event.user),
        clean(&event.host),
        clean(detail)
    );
    let _ = file.write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_skipped_and_counted_and_later_notes_are_kept() {
        let now = Utc::now();
        let mut bytes = b"1700000000000000\tann\thost\tfirst\n".to_vec();
        bytes.extend_from_slice(b"\xff\xfe not text\n");
        bytes.extend_from_slice(b"nonsense\n");
        bytes.extend_from_slice(b"1700000001000000\tbob\thost\tsecond\n");
        let events = parse(&bytes, now);
        let details: Vec<&str> = events.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(events.len(), 3, "{details:?}");
        assert!(details[0].starts_with("first"));
        assert!(details[1].starts_with("second"));
        assert!(
            details[2].contains("2 unreadable line(s) skipped"),
            "{details:?}"
        );
        assert!(parse(b"", now).is_empty());
    }

    #[test]
    fn a_flood_is_cut_and_the_cut_counted() {
        let line = b"1700000000000000\tann\thost\tnote\n";
        let bytes: Vec<u8> = line.repeat(MAX_NOTES + 5);
        let events = parse(&bytes, Utc::now());
        assert_eq!(events.len(), MAX_NOTES + 1);
        assert!(
            events[MAX_NOTES]
                .detail
                .contains("5 note(s) past the first 1000 cut off")
        );
    }
}
