//! Reading the whole log forwards from its first record, checking every record against the
//! one before it, the head, and the keystore's anchor: `log --check`, and `apiauth log`
//! without a limit.

use std::io::Read as _;

use super::record::{self, Line, LineError};
use super::{Anchor, CheckReport, Damage, EventLog, GENESIS, HEAD_FILE, Head, Record};
use crate::error::{Error, Result};
use crate::fs;

impl EventLog {
    /// Every record, checked; an error names the first bad line.
    pub fn read_all(&self) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        let report = self.scan_records(|r| records.push(r))?;
        match report.damage {
            None => Ok(records),
            Some(d) => Err(self.damaged(format!("line {}: {}", d.line, d.problem))),
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
}
