//! Writing a key directory: a change and its records under the writers' lock, the new
//! generation put in place atomically with a backup of the old one, and the acceptance of a
//! rollback.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

use super::format::{self, Header};
use super::transaction::FileTransaction;
use super::{KEYSTORE_INFO, KeyDir, payload};
use crate::crypto::{self, MasterKey};
use crate::error::{Error, Lock, Result, Rollback};
use crate::events::{Event, EventLog, HeadFile, HeadState, last_used};
use crate::fs::{lock, temp};
use crate::store::{Accepted, Transaction};

/// Name prefix of temp files; any left by a writer that is gone are removed by the next write.
const TEMP_PREFIX: &str = ".keystore.enc.tmp";
/// Every prefix of the temp files apiauth makes in the key directory.
const TEMP_PREFIXES: &[&str] = &[TEMP_PREFIX, last_used::TEMP_PREFIX];
/// How many times a write starts again after another writer committed under it (possible only
/// when the lock file was deleted while held) before it gives up.
const MAX_CONFLICTS: usize = 50;

/// How one attempt at a write ended.
enum Attempt {
    /// Written (or nothing to write).
    Done,
    /// Another writer committed first; the change must be made again on its result.
    Conflict,
}

type Change<'a> = dyn FnMut(&mut dyn Transaction) -> Result<()> + 'a;

impl KeyDir {
    /// Applies `change` to the newest keystore under the write lock and writes the result as
    /// the next generation. Nothing is written when `change` returns an error or changes
    /// nothing.
    ///
    /// The events the change records ([`Transaction::record`]) are appended to the event log,
    /// synchronously, before the keystore is written: a change whose record cannot be written
    /// is not applied. If the keystore write then fails, the records are taken back (see
    /// `EventLog::abandon`).
    ///
    /// When the key directory does not exist yet, `change` first runs against an empty store
    /// without the lock: if it fails or changes nothing, the directory is not created. Otherwise
    /// it runs again under the lock, against whatever the store holds by then; `change` must
    /// therefore depend only on the transaction it is given.
    pub(super) fn update(&self, change: &mut Change<'_>) -> Result<()> {
        if matches!(fs::metadata(&self.dir), Err(e) if e.kind() == io::ErrorKind::NotFound) {
            let mut probe = FileTransaction::new(0, payload::Raw::default());
            change(&mut probe)?;
            if !probe.is_changed() {
                return Ok(());
            }
        }
        self.check_dir()?;
        crate::fs::ensure_owner_only_dir(&self.dir)?;
        let mut conflicts = 0;
        loop {
            match self.update_locked(change)? {
                Attempt::Done => return Ok(()),
                Attempt::Conflict if conflicts < MAX_CONFLICTS => conflicts += 1,
                Attempt::Conflict => {
                    return Err(Error::Concurrent(format!(
                        "{} kept changing under this write ({MAX_CONFLICTS} times): is something deleting {}?",
                        self.keystore_path().display(),
                        self.lock_path().display()
                    )));
                }
            }
        }
    }

    /// One attempt at [`update`](Self::update), under the writers' lock.
    fn update_locked(&self, change: &mut Change<'_>) -> Result<Attempt> {
        let _lock = lock::acquire(Lock::Keystore, &self.lock_path(), self.lock_timeout)?;
        temp::remove_dead(&self.dir, TEMP_PREFIXES);
        let (mut transaction, key) = match self.open()? {
            Some(opened) => {
                let raw =
                    payload::Raw::parse(opened.plaintext()).map_err(|e| self.payload_error(e))?;
                (
                    FileTransaction::new(opened.header.generation, raw),
                    Some(opened.key),
                )
            }
            None => (FileTransaction::new(0, payload::Raw::default()), None),
        };
        change(&mut transaction)?;
        if !transaction.is_changed() {
            return Ok(Attempt::Done);
        }
        let read_generation = transaction.generation();
        let key = match key {
            Some(key) => key,
            None => self.key_for_new_store()?,
        };
        let generation = transaction.generation() + 1;
        let (mut raw, events) = transaction.into_parts();
        let log = self.event_log(&key);
        let head = log.head_state();
        if let HeadState::Present(head) = &head {
            self.settle(log, head, read_generation)
                .map_err(|e| Error::NotRecorded(Box::new(e)))?;
        }
        // A change that records nothing (possible only through the library) in a directory
        // without a log starts none.
        let recorded = if !events.is_empty() || head != HeadState::Missing {
            let recorded = log
                .append_change(&events, generation, read_generation)
                .map_err(|e| Error::NotRecorded(Box::new(e)))?;
            if let Some(anchor) = recorded.anchor {
                raw.set_log_anchor(anchor);
            }
            Some(recorded)
        } else {
            None
        };
        let (why, error) = match self.write(&raw, generation, read_generation, &key) {
            Ok(true) => {
                // Best effort: a head not confirmed is confirmed by the next writer, and
                // readers accept it meanwhile.
                if recorded.is_some() {
                    let _ = log.confirm(generation);
                }
                return Ok(Attempt::Done);
            }
            Ok(false) => (
                "another writer changed the keystore at the same time; the change was made again"
                    .to_owned(),
                None,
            ),
            Err(e) => (e.to_string(), Some(e)),
        };
        // No record may say that a change that did not happen did. Best effort: if even this
        // fails, the head still marks the change pending, and the next writer notes it.
        if let Some(recorded) = &recorded {
            let _ = log.abandon(recorded, &why);
        }
        match error {
            Some(e) => Err(e),
            None => Ok(Attempt::Conflict),
        }
    }

    /// Puts right what a writer that stopped midway left in the head, under the writers' lock:
    /// a keystore write it did not confirm is confirmed, and the records of a change it never
    /// wrote to the keystore are marked as not applied.
    fn settle(&self, log: &EventLog, head: &HeadFile, generation: u64) -> Result<()> {
        if head.store < generation {
            log.confirm(generation)?;
        }
        match head.pending {
            Some(pending)
                if pending.generation > generation
                    && pending.pid != std::process::id()
                    && !temp::alive(pending.pid) =>
            {
                log.not_applied(pending, "its writer stopped before it wrote the keystore")
            }
            _ => Ok(()),
        }
    }

    /// Accepts the keystore and the event log as they are when they disagree (DESIGN.md §1):
    /// the one explicit way to go on with an older keystore or an older (or new) event log.
    /// `record` describes the acceptance; it is appended to the log (a new one if the log is
    /// gone), and the keystore is written again as a generation above any the log has seen, so
    /// that older copies stay detectable. Returns what was accepted and the new generation and
    /// record, or `None` when there was nothing to accept.
    pub(super) fn recover(
        &self,
        record: &mut dyn FnMut(&Rollback, u64) -> Event,
    ) -> Result<Option<Accepted>> {
        self.check_dir()?;
        let _lock = lock::acquire(Lock::Keystore, &self.lock_path(), self.lock_timeout)?;
        let (opened, rollback) = self.open_and_check()?;
        let Some(rollback) = rollback else {
            return Ok(None);
        };
        if opened.is_none() && self.backup_path().exists() {
            // Starting from an empty keystore would throw the backup's keys away: put it back
            // first, and accept that.
            return Err(Error::KeystoreMissing {
                path: self.keystore_path(),
                backup: self.backup_path(),
            });
        }
        let on_disk = opened.as_ref().map_or(0, |o| o.header.generation);
        let (mut raw, key) = match opened {
            Some(opened) => (
                payload::Raw::parse(opened.plaintext()).map_err(|e| self.payload_error(e))?,
                opened.key,
            ),
            None => (payload::Raw::default(), self.key_for_existing_store()?),
        };
        let log = self.event_log(&key);
        let recorded = match &rollback {
            Rollback::KeystoreBehind { recorded, .. } => *recorded,
            Rollback::LogBehind { .. } => on_disk,
            Rollback::LogMissing { .. } | Rollback::HeadUnusable { .. } => {
                log.accept_as_is(on_disk)?;
                on_disk
            }
        };
        let generation = on_disk.max(recorded) + 1;
        let event = record(&rollback, generation);
        let recorded = log
            .append_change(&[event], generation, on_disk)
            .map_err(|e| Error::NotRecorded(Box::new(e)))?;
        let anchor = recorded.anchor.expect("one record was appended");
        raw.set_log_anchor(anchor);
        let written = self.write(&raw, generation, on_disk, &key);
        if !matches!(written, Ok(true)) {
            let _ = log.abandon(&recorded, "the keystore could not be written");
            written?;
            return Err(Error::Concurrent(format!(
                "{} changed during the recovery; run apiauth recover again",
                self.keystore_path().display()
            )));
        }
        log.confirm(generation)?;
        Ok(Some(Accepted {
            rollback,
            generation,
            record: anchor.seq,
        }))
    }

    /// Encrypts `raw` as `generation` and puts it in place, unless the file on disk is no longer
    /// the generation `read` that the change was made to (`Ok(false)`): that happens only when
    /// another writer held the lock too, its file having been deleted.
    fn write(
        &self,
        raw: &payload::Raw,
        generation: u64,
        read: u64,
        key: &MasterKey,
    ) -> Result<bool> {
        let mut buf = raw.encode();
        let header = Header {
            version: format::FORMAT_VERSION,
            flags: 0,
            salt: crypto::random_array(),
            nonce: crypto::random_array(),
            generation,
            ciphertext_len: (buf.len() + crypto::TAG_LEN) as u64,
        };
        let header_bytes = header.write();
        let payload_key = key.derive(&header.salt, KEYSTORE_INFO);
        crypto::seal_in_place(&payload_key, &header.nonce, &header_bytes, &mut buf);
        // Sealed in place (capacity for the tag was reserved, so nothing was reallocated): the
        // buffer now holds only ciphertext, which needs no zeroizing.
        let buf = std::mem::take(&mut *buf);

        let target = self.keystore_path();
        let mut temp = temp::create(&self.dir, TEMP_PREFIX)?;
        temp.write_all(&header_bytes)
            .and_then(|()| temp.write_all(&buf))
            .and_then(|()| temp.as_file().sync_data())
            .map_err(|e| Error::io("write", temp.path(), e))?;
        {
            // Compare and replace as one step, which no other writer can split, even one whose
            // lock file was deleted under it.
            let _guard = lock::DirGuard::acquire(&self.dir, self.lock_timeout)?;
            if self.generation_on_disk()? != read {
                return Ok(false);
            }
            if target.exists() {
                self.keep_backup(&target)?;
            }
            temp.persist(&target)
                .map_err(|e| Error::io("replace", &target, e.error))?;
        }
        crate::fs::sync_dir(&self.dir)?;
        Ok(true)
    }

    /// Makes `keystore.enc.bak` the current file before it is replaced: a hard link renamed into
    /// place (a copy where links are unsupported), so the backup is always a whole generation.
    fn keep_backup(&self, current: &Path) -> Result<()> {
        let staging = temp::own_path(&self.dir, TEMP_PREFIX, "bak");
        let _ = fs::remove_file(&staging);
        // link(2) links the name itself, never what a symbolic link points at.
        if fs::hard_link(current, &staging).is_err() {
            let mut from = crate::fs::open_existing(current, &crate::fs::reading(), "read")?;
            let mut options = crate::fs::owner_only();
            options.write(true).create_new(true);
            let mut to = crate::fs::open_existing(&staging, &options, "create")?;
            io::copy(&mut from, &mut to)
                .and_then(|_| to.sync_all())
                .map_err(|e| {
                    let _ = fs::remove_file(&staging);
                    Error::io("copy the backup to", &staging, e)
                })?;
        }
        fs::rename(&staging, self.backup_path())
            .map_err(|e| Error::io("replace", self.backup_path(), e))
    }
}
