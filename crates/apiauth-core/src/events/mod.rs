//! The event log: an append-only, encrypted, HMAC-chained record of every action
//! (DESIGN.md §6).
//!
//! Files in the key directory:
//!
//! - `events.log`: one record per line (see [`record`]), each encrypted and chained to the one
//!   before it;
//! - `events.head`: the sequence number and MAC of the last record and the newest keystore
//!   generation written with the log (see `head.rs`), with an HMAC under a key derived from the
//!   master key, so that cutting records off the end, and an older keystore put back, are
//!   detected too;
//! - `events.lock`: the appenders' lock, so records from many processes form one chain;
//! - `events.pending`: notes of failed unlocks, written by a process that could not derive the
//!   log's keys; the next process that appends folds them into the chain, marked as
//!   unauthenticated;
//! - `events.lastused`: the derived last-used time of every key ([`last_used`]), rebuilt from
//!   the log when it is missing.
//!
//! An append reads only the head and the last line, then writes the new lines and the head, so
//! its cost does not depend on the length of the log.

mod head;
pub mod last_used;
mod pending;
pub mod record;

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::crypto::MasterKey;
use crate::error::{Error, Lock, Result};
use crate::fs::{self, lock};
pub use last_used::Use;
use record::Line;
pub use record::{Action, Event, EventKeys, LineError, Mac32};

/// File name of the log.
pub const LOG_FILE: &str = "events.log";
/// File name of the authenticated head.
pub const HEAD_FILE: &str = "events.head";
/// File name of the appenders' lock.
pub const LOCK_FILE: &str = "events.lock";
pub use pending::note_failed_unlock;

pub(crate) use head::{HeadFile, Pending};

/// Whether an append waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync the log and the head before returning: for records of changes, which are written
    /// before the change is applied.
    Sync,
    /// Leave the data to the page cache: for verify, whose per-request cost matters. A killed
    /// process loses nothing; only a power failure can lose the last records, and `log --check`
    /// then reports the gap.
    Buffered,
}

/// The position a new record chains from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// Sequence number of the last record (0 before the first).
    pub(crate) seq: u64,
    /// Its chain MAC.
    pub(crate) mac: Mac32,
}

const GENESIS: Head = Head {
    seq: 0,
    mac: [0; 32],
};

/// A change being recorded: the keystore generation it will write, over the current one.
#[derive(Debug, Clone, Copy)]
struct Change {
    generation: u64,
    current: u64,
}

/// What one append did.
struct Appended {
    /// The head after it.
    head: HeadFile,
    /// The use of the key before this one (for verify).
    previous_use: Option<DateTime<Utc>>,
    /// The length of the log before the caller's own records (after the notes and the first
    /// record of a new log that came with them).
    change_start: u64,
    /// The length of the log after the append.
    end: u64,
    /// The last record before the caller's own.
    before: Head,
}

/// The records of a change, as appended: the position the keystore keeps, and what taking
/// them back needs ([`EventLog::abandon`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorded {
    /// Where the log ends after them; `None` for a change that records nothing.
    pub(crate) anchor: Option<Anchor>,
    pending: Pending,
    cut_at: u64,
    end: u64,
    before: Head,
}

/// How a `not_applied` record's detail begins: `records FIRST-LAST were not applied: WHY`.
const NOT_APPLIED_PREFIX: &str = "records ";

/// The records a `not_applied` record says were not applied.
pub fn not_applied_range(event: &Event) -> Option<std::ops::RangeInclusive<u64>> {
    if event.action != Action::NotApplied {
        return None;
    }
    let (range, _) = event
        .detail
        .strip_prefix(NOT_APPLIED_PREFIX)?
        .split_once(' ')?;
    let (first, last) = range.split_once('-')?;
    Some(first.parse().ok()?..=last.parse().ok()?)
}

/// What `events.head` holds, as far as a reader can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeadState {
    /// There is no head (and so, normally, no log yet).
    Missing,
    /// The head, authenticated.
    Present(HeadFile),
    /// A head that cannot be read or does not authenticate, and why.
    Unusable(String),
}

/// A position in the log: a record's sequence number and MAC. The keystore keeps the position
/// of its last change's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    /// Sequence number of the record.
    pub seq: u64,
    /// Its chain MAC.
    #[serde(with = "serde_bytes")]
    pub mac: Mac32,
}

/// A record read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line number in `events.log`, from 1.
    pub line: usize,
    /// Sequence number.
    pub seq: u64,
    /// The decrypted event.
    pub event: Event,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The first bad line (1-based); for a truncated tail, the line after the last one.
    pub line: usize,
    /// What is wrong there.
    pub problem: String,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Records that verified before the first problem (all of them when intact).
    pub records: u64,
    /// The first problem, if any.
    pub damage: Option<Damage>,
}

/// The event log of one key directory, with its keys.
#[derive(Debug, Clone)]
pub struct EventLog {
    dir: PathBuf,
    keys: EventKeys,
    lock_timeout: Duration,
}

impl EventLog {
    /// The log in `dir`, keyed by `master`.
    pub fn new(dir: &Path, master: &MasterKey, lock_timeout: Duration) -> Self {
        EventLog {
            dir: dir.to_owned(),
            keys: EventKeys::derive(master),
            lock_timeout,
        }
    }

    /// Path of `events.log`.
    pub fn path(&self) -> PathBuf {
        self.dir.join(LOG_FILE)
    }

    fn head_path(&self) -> PathBuf {
        self.dir.join(HEAD_FILE)
    }

    pub(crate) fn keys(&self) -> &EventKeys {
        &self.keys
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn damaged(&self, problem: impl Into<String>) -> Error {
        Error::EventLog {
            path: self.path(),
            problem: problem.into(),
        }
    }

    pub(crate) fn lock(&self) -> Result<lock::WriteLock> {
        lock::acquire(Lock::EventLog, &self.dir.join(LOCK_FILE), self.lock_timeout)
    }

    /// Appends `events` as one batch (one write), after any pending failed-unlock notes.
    /// `use_slot` also records a key's use in `events.lastused` under the same lock and returns
    /// the use before it.
    pub fn append(
        &self,
        events: &[Event],
        durability: Durability,
        use_slot: Option<last_used::Use<'_>>,
    ) -> Result<Option<DateTime<Utc>>> {
        self.append_at(events, durability, use_slot, None)
            .map(|appended| appended.previous_use)
    }

    /// Appends the records of a change that will write the keystore as generation `generation`
    /// (over `current`), synced, and marks the change as pending in the head. Returns where the
    /// log then ends, which the keystore keeps, so that a log rolled back past the change is
    /// caught; `None` when the change records nothing.
    pub(crate) fn append_change(
        &self,
        events: &[Event],
        generation: u64,
        current: u64,
    ) -> Result<Recorded> {
        let change = Change {
            generation,
            current,
        };
        let appended = self.append_at(events, Durability::Sync, None, Some(change))?;
        let head = appended.head;
        Ok(Recorded {
            anchor: (!events.is_empty()).then_some(Anchor {
                seq: head.tip.seq,
                mac: head.tip.mac,
            }),
            pending: head.pending.expect("a change is marked pending"),
            cut_at: appended.change_start,
            end: appended.end,
            before: appended.before,
        })
    }

    /// Takes back the records of a change whose keystore write failed or lost to another
    /// writer, so that no record says it happened. When nothing was appended after them, they
    /// are cut off the log and the head is put back, as if never written; otherwise a
    /// `not_applied` record says which records were not applied. The pending mark is cleared.
    pub(crate) fn abandon(&self, recorded: &Recorded, why: &str) -> Result<()> {
        {
            let _lock = self.lock()?;
            let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
            let Some(mut head) = self.read_head()? else {
                return Ok(());
            };
            let path = self.path();
            let len = fs::open(&path, &fs::reading(), "read")?
                .map_or(Ok(0), |file| fs::len(&file, &path))?;
            let last = recorded
                .pending
                .records
                .map_or(recorded.before.seq, |r| r.1);
            if head.pending == Some(recorded.pending) && head.tip.seq == last && len == recorded.end
            {
                if len > recorded.cut_at {
                    let mut options = fs::owner_only();
                    options.write(true);
                    let log = fs::open_existing(&path, &options, "open")?;
                    log.set_len(recorded.cut_at)
                        .and_then(|()| log.sync_data())
                        .map_err(|e| Error::io("cut back", &path, e))?;
                }
                head.tip = recorded.before;
                head.pending = None;
                return self.write_head(&head, Durability::Sync);
            }
        }
        self.not_applied(recorded.pending, why)
    }

    /// Records that a pending change's records were not applied, and clears its mark.
    pub(crate) fn not_applied(&self, pending: Pending, why: &str) -> Result<()> {
        if let Some((first, last)) = pending.records {
            let note = Event::new(
                Utc::now(),
                Action::NotApplied,
                None,
                "failed",
                format!("{NOT_APPLIED_PREFIX}{first}-{last} were not applied: {why}"),
            );
            self.append(&[note], Durability::Sync, None)?;
        }
        self.update_head(Durability::Sync, |head| {
            let ours = head.pending == Some(pending);
            if ours {
                head.pending = None;
            }
            ours
        })
    }

    /// Records that the keystore was written as `generation`, so that a keystore older than it
    /// put back later is caught. Best effort: a head left behind only makes the next writer
    /// confirm again.
    pub(crate) fn confirm(&self, generation: u64) -> Result<()> {
        self.update_head(Durability::Buffered, |head| {
            head.store = head.store.max(generation);
            if head.pending.is_some_and(|p| p.generation <= generation) {
                head.pending = None;
            }
            true
        })
    }

    /// Changes the stored head, under the lock, when there is one and `change` says so.
    fn update_head(
        &self,
        durability: Durability,
        change: impl FnOnce(&mut HeadFile) -> bool,
    ) -> Result<()> {
        let _lock = self.lock()?;
        let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
        let Some(mut head) = self.read_head()? else {
            return Ok(());
        };
        if change(&mut head) {
            self.write_head(&head, durability)?;
        }
        Ok(())
    }

    /// The head as stored, or why it cannot be used.
    pub(crate) fn head_state(&self) -> HeadState {
        match self.read_head() {
            Ok(Some(head)) => HeadState::Present(head),
            Ok(None) => HeadState::Missing,
            Err(e) => HeadState::Unusable(match e {
                Error::EventLog { problem, .. } => problem,
                other => other.to_string(),
            }),
        }
    }

    /// Whether `events.log` holds anything (one `lstat`).
    pub(crate) fn has_records(&self) -> bool {
        std::fs::symlink_metadata(self.path()).is_ok_and(|m| !m.is_file() || m.len() > 0)
    }

    /// The sequence number of the last line of the log (reading only its end); `None` when the
    /// log is empty or missing.
    pub(crate) fn last_seq(&self) -> Result<Option<u64>> {
        let mut last = None;
        self.walk_back(|line| {
            last = Some(line.seq);
            Ok(false)
        })?;
        Ok(last)
    }

    /// For `recover`: makes the head agree with the log as it is, recording keystore generation
    /// `store`. The head is rewritten at the log's last record; when no record is left, the old
    /// head is moved aside (`events.head.TIME.old`) and the next append begins a new log.
    pub(crate) fn accept_as_is(&self, store: u64) -> Result<()> {
        let _lock = self.lock()?;
        let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
        let mut last: Option<Head> = None;
        self.walk_back(|line| {
            last = Some(Head {
                seq: line.seq,
                mac: line.mac,
            });
            Ok(false)
        })?;
        if let Some(tip) = last {
            let head = HeadFile {
                tip,
                store,
                pending: None,
            };
            return self.write_head(&head, Durability::Sync);
        }
        let path = self.head_path();
        if std::fs::symlink_metadata(&path).is_ok() {
            let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
            let aside = self.dir.join(format!("{HEAD_FILE}.{stamp}.old"));
            std::fs::rename(&path, &aside).map_err(|e| Error::io("move aside", &path, e))?;
        }
        Ok(())
    }

    fn append_at(
        &self,
        events: &[Event],
        durability: Durability,
        use_slot: Option<last_used::Use<'_>>,
        change: Option<Change>,
    ) -> Result<Appended> {
        let _lock = self.lock()?;
        // Held for the whole append: two appenders whose lock file was deleted between them
        // would otherwise chain from the same head and fork the chain.
        let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
        let mut head = match self.current_head()? {
            Some(head) => head,
            None => {
                let new = HeadFile {
                    tip: GENESIS,
                    store: change.map_or(0, |c| c.current),
                    pending: None,
                };
                // The head exists before the first record, so a process killed between writing
                // records and moving the head leaves records that still chain from a known head.
                self.write_head(&new, Durability::Sync)?;
                // A new log has no uses yet: start the last-used slots empty, so verify can keep
                // them current from its first call.
                last_used::create_empty(self)?;
                new
            }
        };
        let mut batch: Vec<Event> = Vec::with_capacity(events.len() + 1);
        if head.tip.seq == 0 {
            batch.push(Event::new(
                events.first().map_or_else(Utc::now, |e| e.time),
                Action::LogStarted,
                None,
                "ok",
                "a new event log begins",
            ));
        }
        let pending = pending::read(&self.dir)?;
        batch.extend(pending.iter().cloned());
        batch.extend_from_slice(events);

        let mut text = String::with_capacity(batch.len() * 256);
        let mut tip = head.tip;
        let (mut before, mut prefix) = (tip, 0);
        for (n, event) in batch.iter().enumerate() {
            if n + events.len() == batch.len() {
                (before, prefix) = (tip, text.len());
            }
            let (line, mac) = record::seal(&self.keys, tip.seq + 1, &tip.mac, event);
            text.push_str(&line);
            tip = Head {
                seq: tip.seq + 1,
                mac,
            };
        }
        if events.is_empty() {
            (before, prefix) = (tip, text.len());
        }
        head.tip = tip;
        if let Some(change) = change {
            let first = tip.seq + 1 - events.len() as u64;
            head.pending = Some(Pending {
                generation: change.generation,
                records: (!events.is_empty()).then_some((first, tip.seq)),
                pid: std::process::id(),
            });
        }
        let path = self.path();
        let mut options = fs::owner_only();
        options.append(true).create(true);
        let mut log = fs::open_existing(&path, &options, "open")?;
        let start = fs::len(&log, &path)?;
        let appended = log
            .write_all(text.as_bytes())
            .map_err(|e| Error::io("append to", &path, e))
            .and_then(|()| match durability {
                Durability::Sync => log.sync_data().map_err(|e| Error::io("sync", &path, e)),
                Durability::Buffered => Ok(()),
            })
            // The head is synced only for a change, whose pending mark must be on disk before
            // the keystore is. One left behind by a power failure after a verify is harmless:
            // records past it that chain are accepted.
            .and_then(|()| self.write_head(&head, durability));
        if let Err(error) = appended {
            // A full disk or a size limit can cut the batch short. Cut the file back to where
            // it was (still under the lock), so the chain stays whole and the next writer, once
            // there is room, appends after the last complete record.
            let _ = log.set_len(start);
            let _ = log.sync_data();
            return Err(error);
        }
        if !pending.is_empty() {
            pending::clear(&self.dir);
        }
        let previous_use = match use_slot {
            Some(slot) => last_used::record(self, &slot),
            None => None,
        };
        Ok(Appended {
            head,
            previous_use,
            change_start: start + prefix as u64,
            end: start + text.len() as u64,
            before,
        })
    }

    fn read_head(&self) -> Result<Option<HeadFile>> {
        let path = self.head_path();
        let bytes = match fs::read_capped(&path, head::LEN as u64, fs::Links::Refuse) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(Error::TooLarge { .. }) => {
                return Err(self.damaged(format!("{HEAD_FILE} has the wrong size")));
            }
            Err(e) => return Err(e),
        };
        head::decode(&bytes, &self.keys)
            .map(Some)
            .map_err(|problem| self.damaged(problem))
    }

    fn write_head(&self, head: &HeadFile, durability: Durability) -> Result<()> {
        let bytes = head::encode(head, &self.keys);
        let path = self.head_path();
        let mut options = fs::owner_only();
        options.write(true).create(true).truncate(false);
        let mut file = fs::open_existing(&path, &options, "open")?;
        // One write at offset 0: a killed process leaves the old head or the new one.
        file.write_all(&bytes)
            .and_then(|()| {
                if file.metadata()?.len() > head::LEN as u64 {
                    file.set_len(head::LEN as u64)?;
                }
                Ok(())
            })
            .map_err(|e| Error::io("write", &path, e))?;
        if durability == Durability::Sync {
            file.sync_data().map_err(|e| Error::io("sync", &path, e))?;
        }
        Ok(())
    }

    /// The head to chain from: the stored head, its tip moved forward over records that an
    /// appender wrote before it was killed (they must chain from the stored tip); `None` for a
    /// log not started yet. Anything else is damage, and no record is added to a damaged chain.
    fn current_head(&self) -> Result<Option<HeadFile>> {
        let stored = self.read_head()?;
        let mut tail: Vec<Line> = Vec::new();
        self.walk_back(|line| {
            let done = stored.is_some_and(|h| line.seq <= h.tip.seq);
            tail.push(line);
            Ok(!done)
        })?;
        tail.reverse();
        let Some(stored) = stored else {
            return if tail.is_empty() {
                Ok(None)
            } else {
                Err(self.damaged(format!(
                    "{HEAD_FILE} is missing while {LOG_FILE} has records; run apiauth log --check"
                )))
            };
        };
        let head = stored.tip;
        // The lines after the stored head, which must continue the chain from it.
        let after: &[Line] = match tail.first() {
            None if head.seq == 0 => &[],
            None => {
                return Err(self.damaged(format!(
                    "{LOG_FILE} is empty or missing but {HEAD_FILE} records {} records",
                    head.seq
                )));
            }
            Some(_) if head.seq == 0 => &tail,
            Some(first) if first.seq == head.seq && first.mac == head.mac => &tail[1..],
            Some(first) => {
                return Err(self.damaged(if first.seq < head.seq {
                    format!(
                        "the log ends at record {} but {HEAD_FILE} records {}: records were removed; run apiauth log --check",
                        tail.last().map_or(0, |l| l.seq),
                        head.seq
                    )
                } else {
                    format!(
                        "record {} does not match {HEAD_FILE}; run apiauth log --check",
                        first.seq
                    )
                }));
            }
        };
        let mut at = head;
        for line in after {
            if line.seq != at.seq + 1 || !line.chains_from(&self.keys, &at.mac) {
                return Err(self.damaged(format!(
                    "record {} does not follow the last recorded one; run apiauth log --check",
                    line.seq
                )));
            }
            at = Head {
                seq: line.seq,
                mac: line.mac,
            };
        }
        Ok(Some(HeadFile { tip: at, ..stored }))
    }

    /// Visits the lines of the log from the last to the first while `visit` returns true.
    /// A final line without a newline, or a line that does not parse, is damage.
    fn walk_back(&self, mut visit: impl FnMut(Line) -> Result<bool>) -> Result<()> {
        let path = self.path();
        let Some(mut file) = fs::open(&path, &fs::reading(), "read")? else {
            return Ok(());
        };
        let len = fs::len(&file, &path)?;
        if len == 0 {
            return Ok(());
        }
        const CHUNK: u64 = 16 * 1024;
        let mut end = len;
        let mut carry: Vec<u8> = Vec::new();
        let mut first = true;
        loop {
            let start = end.saturating_sub(CHUNK);
            let mut chunk = vec![0u8; (end - start) as usize];
            file.seek(SeekFrom::Start(start))
                .and_then(|_| file.read_exact(&mut chunk))
                .map_err(|e| Error::io("read", &path, e))?;
            chunk.extend_from_slice(&carry);
            if first {
                if chunk.last() != Some(&b'\n') {
                    return Err(self.damaged(
                        "the last record is cut off (the file ends inside a line); run apiauth log --check",
                    ));
                }
                chunk.pop();
                first = false;
            }
            let mut pieces: Vec<&[u8]> = chunk.split(|&b| b == b'\n').collect();
            let partial = if start > 0 {
                pieces.remove(0).to_vec()
            } else {
                Vec::new()
            };
            for piece in pieces.into_iter().rev() {
                let line = std::str::from_utf8(piece)
                    .map_err(|_| LineError::Malformed)
                    .and_then(Line::parse)
                    .map_err(|e| {
                        self.damaged(format!(
                            "a record near the end is damaged ({e}); run apiauth log --check"
                        ))
                    })?;
                if !visit(line)? {
                    return Ok(());
                }
            }
            if start == 0 {
                return Ok(());
            }
            if partial.len() > record::MAX_LINE {
                return Err(
                    self.damaged("a record near the end is too long; run apiauth log --check")
                );
            }
            carry = partial;
            end = start;
        }
    }

    /// Reads and checks every record from the first line, streaming, stopping at the first
    /// problem; then compares the last record with the head.
    pub(crate) fn scan_records(&self, visit: impl FnMut(Record)) -> Result<CheckReport> {
        self.scan_anchored(None, visit)
    }

    /// Like [`scan_records`](Self::scan_records), and the log must also reach `anchor` (the
    /// position of the keystore's last change) with the same MAC there.
    pub(crate) fn scan_anchored(
        &self,
        anchor: Option<Anchor>,
        mut visit: impl FnMut(Record),
    ) -> Result<CheckReport> {
        use std::io::BufRead as _;
        let path = self.path();
        let head = self.read_head().map(|h| h.map(|h| h.tip));
        let mut at = GENESIS;
        let mut line_no = 0usize;
        let report = |line: usize, problem: String, records: u64| CheckReport {
            records,
            damage: Some(Damage { line, problem }),
        };
        if let Some(file) = fs::open(&path, &fs::reading(), "read")? {
            let mut reader = std::io::BufReader::with_capacity(256 * 1024, file);
            let mut buf = Vec::with_capacity(512);
            loop {
                buf.clear();
                let read = reader
                    .by_ref()
                    .take(record::MAX_LINE as u64 + 1)
                    .read_until(b'\n', &mut buf)
                    .map_err(|e| Error::io("read", &path, e))?;
                if read == 0 {
                    break;
                }
                line_no += 1;
                if buf.last() != Some(&b'\n') {
                    let problem = if buf.len() > record::MAX_LINE {
                        "the line is too long to be a record"
                    } else {
                        "the record is cut off (the file ends inside it)"
                    };
                    return Ok(report(line_no, problem.into(), at.seq));
                }
                buf.pop();
                if let Err(problem) = self.check_line(&buf, &mut at, line_no, &mut visit) {
                    return Ok(report(line_no, problem, at.seq));
                }
                if let Some(a) = anchor
                    && a.seq == at.seq
                    && a.mac != at.mac
                {
                    return Ok(report(
                        line_no,
                        format!(
                            "record {} is not the one the keystore's last change was recorded as (the log was replaced)",
                            at.seq
                        ),
                        at.seq,
                    ));
                }
                if let Ok(Some(h)) = &head
                    && h.seq == at.seq
                    && h.mac != at.mac
                {
                    return Ok(report(
                        line_no,
                        format!(
                            "record {} does not match {HEAD_FILE} (the log or the head was replaced)",
                            at.seq
                        ),
                        at.seq,
                    ));
                }
            }
        }
        let next = line_no + 1;
        if let Some(a) = anchor
            && a.seq > at.seq
        {
            return Ok(report(
                next,
                format!(
                    "the log ends at record {} but the keystore's last change was recorded as record {}: the log was cut or rolled back",
                    at.seq, a.seq
                ),
                at.seq,
            ));
        }
        Ok(match head {
            Err(e) => report(next, e.to_string(), at.seq),
            Ok(None) if at.seq == 0 => CheckReport {
                records: 0,
                damage: None,
            },
            Ok(None) => report(
                next,
                format!("{HEAD_FILE} is missing, so a cut-off tail cannot be ruled out"),
                at.seq,
            ),
            Ok(Some(h)) if h.seq > at.seq => report(
                next,
                format!(
                    "the log ends at record {} but {HEAD_FILE} records {}: the last {} record(s) were removed",
                    at.seq,
                    h.seq,
                    h.seq - at.seq
                ),
                at.seq,
            ),
            // The record at the head's position matched it (checked above). Records after it
            // chain correctly, so only a holder of the master key wrote them: a writer that was
            // stopped between appending and moving the head. The next append moves the head.
            Ok(Some(_)) => CheckReport {
                records: at.seq,
                damage: None,
            },
        })
    }

    /// Checks one line against the chain position `at` and moves it forward.
    fn check_line(
        &self,
        bytes: &[u8],
        at: &mut Head,
        line_no: usize,
        visit: &mut impl FnMut(Record),
    ) -> std::result::Result<(), String> {
        let text = std::str::from_utf8(bytes).map_err(|_| LineError::Malformed.to_string())?;
        let line = Line::parse(text).map_err(|e| e.to_string())?;
        if line.seq != at.seq + 1 {
            return Err(LineError::Sequence {
                found: line.seq,
                expected: at.seq + 1,
            }
            .to_string());
        }
        let event = line.open(&self.keys).map_err(|e| e.to_string())?;
        if !line.chains_from(&self.keys, &at.mac) {
            return Err(LineError::Chain.to_string());
        }
        *at = Head {
            seq: line.seq,
            mac: line.mac,
        };
        visit(Record {
            line: line_no,
            seq: line.seq,
            event,
        });
        Ok(())
    }

    /// Every record, checked; an error names the first bad line.
    pub fn read_all(&self) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        let report = self.scan_records(|r| records.push(r))?;
        match report.damage {
            None => Ok(records),
            Some(d) => Err(self.damaged(format!("line {}: {}", d.line, d.problem))),
        }
    }

    /// The last records, newest first, read backwards from the end: at most `limit` records for
    /// which `keep` holds, stopping at the first record older than `since`. Each record's MAC is
    /// checked against the record before it, so an edit inside the window read is caught
    /// (`check` covers the whole chain). In an intact log a record's line number is its
    /// sequence number.
    pub fn recent(
        &self,
        limit: usize,
        since: Option<DateTime<Utc>>,
        keep: impl Fn(&Event) -> bool,
    ) -> Result<Vec<Record>> {
        let mut kept: Vec<Record> = Vec::new();
        let mut later: Option<Line> = None;
        let mut done = false;
        // The end of the log must be where the head says: otherwise the records read here
        // would silently miss those cut off the end.
        let head = self.read_head()?.map(|h| h.tip);
        let mut last_seen = false;
        self.walk_back(|line| {
            if !last_seen {
                last_seen = true;
                if let Some(h) = head
                    && (line.seq < h.seq || (line.seq == h.seq && line.mac != h.mac))
                {
                    return Err(self.damaged(format!(
                        "the log ends at record {} but {HEAD_FILE} records {}; run apiauth log --check",
                        line.seq, h.seq
                    )));
                }
            }
            if let Some(next) = later.take()
                && (!next.chains_from(&self.keys, &line.mac) || next.seq != line.seq + 1)
            {
                return Err(self.damaged(format!(
                    "record {} does not chain; run apiauth log --check",
                    next.seq
                )));
            }
            if done {
                return Ok(false);
            }
            let event = line.open(&self.keys).map_err(|e| {
                self.damaged(format!("record {}: {e}; run apiauth log --check", line.seq))
            })?;
            if since.is_some_and(|s| event.time < s) {
                return Ok(false);
            }
            if keep(&event) {
                kept.push(Record {
                    line: line.seq as usize,
                    seq: line.seq,
                    event,
                });
            }
            done = kept.len() >= limit;
            later = Some(line);
            Ok(true)
        })?;
        if !last_seen
            && let Some(h) = head
            && h.seq > 0
        {
            return Err(self.damaged(format!(
                "{LOG_FILE} is empty or missing but {HEAD_FILE} records {} records",
                h.seq
            )));
        }
        if let Some(first) = later
            && first.seq == 1
            && !first.chains_from(&self.keys, &GENESIS.mac)
        {
            return Err(self.damaged("record 1 does not chain; run apiauth log --check"));
        }
        Ok(kept)
    }
}
