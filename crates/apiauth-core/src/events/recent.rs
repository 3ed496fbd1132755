//! Reading the log backwards from its end: the last records (checked against each other and
//! the head), the last sequence number, without reading the rest.

use std::io::{Read as _, Seek as _, SeekFrom};

use chrono::{DateTime, Utc};

use super::record::{self, Event, Line, LineError};
use super::{EventLog, GENESIS, HEAD_FILE, LOG_FILE, Record};
use crate::error::{Error, Result};
use crate::fs;

impl EventLog {
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

    /// Visits the lines of the log from the last to the first while `visit` returns true.
    /// A final line without a newline, or a line that does not parse, is damage.
    pub(super) fn walk_back(&self, mut visit: impl FnMut(Line) -> Result<bool>) -> Result<()> {
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
}
