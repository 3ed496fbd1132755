//! Appending to the log: a batch of records under the appenders' lock (after any failed-unlock
//! notes), the records of a change marked pending in the head until its keystore write is
//! confirmed, and taking back the records of a change that was not applied.

use std::io::Write as _;

use chrono::{DateTime, Utc};

use super::head::{HeadFile, Pending};
use super::record::{Event, EventKind};
use super::{Anchor, Durability, EventLog, GENESIS, Head, last_used, pending, record};
use crate::error::{Error, Result};
use crate::fs::{self, lock};

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
    if event.kind != EventKind::NotApplied {
        return None;
    }
    let (range, _) = event
        .detail
        .strip_prefix(NOT_APPLIED_PREFIX)?
        .split_once(' ')?;
    let (first, last) = range.split_once('-')?;
    Some(first.parse().ok()?..=last.parse().ok()?)
}

impl EventLog {
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
                EventKind::NotApplied,
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
                EventKind::LogStarted,
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
}
