//! The event log of a key directory (`crate::events`) as a backend's [`Log`].

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::events::{Anchor, CheckReport, Durability, Event, EventLog, HeadState, Record, Use};
use crate::model::KeyEntry;
use crate::store::Log;

impl Log for EventLog {
    fn append(&self, events: &[Event]) -> Result<()> {
        EventLog::append(self, events, Durability::Buffered, None).map(|_| ())
    }

    fn append_use(&self, event: &Event, used: Use<'_>) -> Result<Option<DateTime<Utc>>> {
        EventLog::append(
            self,
            std::slice::from_ref(event),
            Durability::Buffered,
            Some(used),
        )
    }

    fn last_used(&self, entries: &[KeyEntry]) -> Result<Vec<Option<DateTime<Utc>>>> {
        crate::events::last_used::all(self, entries)
    }

    fn recent(
        &self,
        limit: usize,
        since: Option<DateTime<Utc>>,
        keep: &dyn Fn(&Event) -> bool,
    ) -> Result<Vec<Record>> {
        EventLog::recent(self, limit, since, keep)
    }

    fn scan(&self, anchor: Option<Anchor>, visit: &mut dyn FnMut(Record)) -> Result<CheckReport> {
        self.scan_anchored(anchor, visit)
    }

    fn read_all(&self) -> Result<Vec<Record>> {
        EventLog::read_all(self)
    }

    fn position(&self) -> Result<Option<Anchor>> {
        match self.head_state() {
            HeadState::Missing => Ok(None),
            HeadState::Present(head) => Ok((head.tip.seq > 0).then_some(Anchor {
                seq: head.tip.seq,
                mac: head.tip.mac,
            })),
            HeadState::Unusable(problem) => Err(crate::error::Error::EventLog {
                path: self.path(),
                problem,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::events::{Event, EventKind};
    use crate::testing;

    #[test]
    fn the_position_is_where_the_last_record_ends() {
        let ctx = testing::context();
        let log = ctx
            .store
            .log()
            .unwrap()
            .expect("the key comes from the caller");
        assert_eq!(log.position().unwrap(), None, "no record yet");
        let audit = Event::new(testing::now(), EventKind::Audit, None, "ok", "an audit");
        log.append(&[audit]).unwrap();
        let records = log.read_all().unwrap();
        let at = log.position().unwrap().expect("records were appended");
        assert_eq!(records.len(), 2, "the start of the log, then the audit");
        assert_eq!(at.seq, records[1].seq);
    }
}
