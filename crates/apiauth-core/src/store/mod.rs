//! The encrypted keystore on disk: reading, the fast verify lookup, and locked atomic writes.
//!
//! Files in the key directory (DESIGN.md §2):
//!
//! - `master.key`: 32 random bytes, mode 0600, made only when no keystore exists yet. The
//!   `APIAUTH_MASTER_KEY` environment variable (base64) takes precedence.
//! - `keystore.enc`: the current generation, in the layout of [`format`].
//! - `keystore.enc.bak`: the generation before it, kept by every write.
//! - `keystore.lock`: the writers' advisory lock.
//!
//! Readers never lock: a write replaces `keystore.enc` with a rename, so a reader sees either
//! the old file or the new one, never a mix. Writers take the lock, re-read the newest file,
//! apply their change, write a temp file, fsync it, rename it into place and fsync the directory,
//! so concurrent writers from many processes never lose an acknowledged change, even when the
//! lock file is deleted under them (see [`crate::fs::lock`]).
//!
//! The key directory must be the owner's alone ([`Store::check_dir`]), and every open checks
//! the keystore against the event log ([`Rollback`]), so an older copy of either put back is
//! refused rather than answered from.

mod dir;
pub mod format;
mod keystore;
pub mod payload;
mod rollback;

pub(crate) use crate::fs::lock;

use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use zeroize::Zeroizing;

pub use keystore::{Keystore, Transaction};
pub use lock::DEFAULT_TIMEOUT as DEFAULT_LOCK_TIMEOUT;
pub use rollback::Rollback;

use crate::crypto::{self, KeyHash, MasterKey, SecretBytes};
use crate::error::{Error, KeySourceKind, Lock, Result};
use crate::events::{Event, EventLog, HeadFile, HeadState};
use crate::fs::temp;
use format::{FormatError, HEADER_LEN, Header};

/// File name of the master key.
pub const MASTER_KEY_FILE: &str = "master.key";
/// File name of the keystore.
pub const KEYSTORE_FILE: &str = "keystore.enc";
/// File name of the previous generation.
pub const BACKUP_FILE: &str = "keystore.enc.bak";
/// File name of the writers' lock.
pub const LOCK_FILE: &str = "keystore.lock";
/// Name prefix of temp files; any left by a writer that is gone are removed by the next write.
const TEMP_PREFIX: &str = ".keystore.enc.tmp";
/// Every prefix of the temp files apiauth makes in the key directory.
const TEMP_PREFIXES: &[&str] = &[TEMP_PREFIX, crate::events::last_used::TEMP_PREFIX];
/// How many times a write starts again after another writer committed under it (possible only
/// when the lock file was deleted while held) before it gives up.
const MAX_CONFLICTS: usize = 50;
/// How many times a reader looks again before it reports a keystore and a log out of step: a
/// writer between two of its steps, or a head being rewritten, looks the same for an instant.
const ROLLBACK_RETRIES: u32 = 5;
/// HKDF info string binding the derived key to the keystore payload.
pub(crate) const KEYSTORE_INFO: &[u8] = b"apiauth/v1/keystore";

/// A key directory and the way to unlock it. Creating one does no I/O.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    env_key: Option<MasterKey>,
    lock_timeout: Duration,
    /// The master key once read from `master.key` (or made), so it is read once per process.
    file_key: OnceLock<MasterKey>,
    /// Set once the key directory passed [`Store::check_dir`].
    dir_checked: OnceLock<()>,
    /// The event log, once the master key is known.
    log: OnceLock<EventLog>,
}

impl Store {
    /// A store in `dir`, unlocked by `env_key` when given (from `APIAUTH_MASTER_KEY`) and by
    /// `dir/master.key` otherwise.
    pub fn new(dir: impl Into<PathBuf>, env_key: Option<MasterKey>) -> Self {
        Store {
            dir: dir.into(),
            env_key,
            lock_timeout: lock::DEFAULT_TIMEOUT,
            file_key: OnceLock::new(),
            dir_checked: OnceLock::new(),
            log: OnceLock::new(),
        }
    }

    /// Refuses a key directory that is not the owner's alone (writable by group or others, or
    /// owned by another user), a path that is not a directory, and a Python APIAuth store.
    /// Checked once per process; a directory that does not exist yet passes.
    pub fn check_dir(&self) -> Result<()> {
        if self.dir_checked.get().is_some() {
            return Ok(());
        }
        if dir::check(&self.dir, &self.keystore_path(), &self.master_key_path())? {
            let _ = self.dir_checked.set(());
        }
        Ok(())
    }

    /// Sets how long a writer waits for another writer's lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The key directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of `keystore.enc`.
    pub fn keystore_path(&self) -> PathBuf {
        self.dir.join(KEYSTORE_FILE)
    }

    /// Path of `keystore.enc.bak`.
    pub fn backup_path(&self) -> PathBuf {
        self.dir.join(BACKUP_FILE)
    }

    /// Path of `master.key`.
    pub fn master_key_path(&self) -> PathBuf {
        self.dir.join(MASTER_KEY_FILE)
    }

    /// The master key, when there is one: the environment's, or `master.key`'s. `None` for a
    /// directory where nothing has been written yet.
    pub fn master_key(&self) -> Result<Option<MasterKey>> {
        if let Some(key) = self.env_key.as_ref().or(self.file_key.get()) {
            return Ok(Some(key.clone()));
        }
        self.read_master_key_file()
    }

    /// The event log of this directory, when a master key exists to open it.
    pub fn events(&self) -> Result<Option<EventLog>> {
        self.check_dir()?;
        Ok(self.master_key()?.map(|key| self.event_log(&key)))
    }

    fn event_log(&self, key: &MasterKey) -> EventLog {
        self.log
            .get_or_init(|| EventLog::new(&self.dir, key, self.lock_timeout))
            .clone()
    }

    /// Path of `keystore.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    /// Where the master key comes from.
    pub fn key_source(&self) -> KeySourceKind {
        if self.env_key.is_some() {
            KeySourceKind::Env
        } else {
            KeySourceKind::File
        }
    }

    /// Reads and decrypts every entry. A directory with no keystore yet is an empty store.
    pub fn load(&self) -> Result<Keystore> {
        let opened = self.open()?;
        self.decode(opened)
    }

    /// Like [`load`](Self::load), but a keystore out of step with the event log is returned
    /// with what is wrong instead of refused: for `log --check` and `recover`, which report it.
    pub fn load_and_check(&self) -> Result<(Keystore, Option<Rollback>)> {
        let (opened, rollback) = self.open_and_check()?;
        Ok((self.decode(opened)?, rollback))
    }

    fn decode(&self, opened: Option<Opened>) -> Result<Keystore> {
        match opened {
            None => Ok(Keystore::default()),
            Some(opened) => Keystore::decode(opened.header.generation, opened.plaintext())
                .map_err(|e| self.payload_error(e)),
        }
    }

    /// Finds the entry holding a value with this hash, decoding no other entry: the verify
    /// path.
    pub fn lookup(&self, hash: &KeyHash) -> Result<Option<payload::Found>> {
        match self.open()? {
            None => Ok(None),
            Some(opened) => {
                payload::lookup(opened.plaintext(), hash).map_err(|e| self.payload_error(e))
            }
        }
    }

    /// The generation of the file on disk (0 when there is none), read from the header alone.
    /// Cheap enough to poll for changes made by other processes.
    pub fn generation(&self) -> Result<u64> {
        let path = self.keystore_path();
        let Some(file) = self.open_in_dir(&path)? else {
            return Ok(0);
        };
        let mut head = Vec::with_capacity(HEADER_LEN);
        file.take(HEADER_LEN as u64)
            .read_to_end(&mut head)
            .map_err(|e| Error::io("read", &path, e))?;
        format::parse_header(&head)
            .map(|h| h.generation)
            .map_err(|problem| Error::Format { path, problem })
    }

    /// Applies `change` to the newest keystore under the write lock and writes the result as
    /// the next generation. Nothing is written when `change` returns an error or changes
    /// nothing.
    ///
    /// The events the change records ([`Transaction::record`]) are appended to the event log,
    /// synchronously, before the keystore is written: a change whose record cannot be written
    /// is not applied. If the keystore write then fails, the records are taken back (see
    /// [`EventLog::abandon`](crate::events::EventLog)).
    ///
    /// When the key directory does not exist yet, `change` first runs against an empty store
    /// without the lock: if it fails or changes nothing, the directory is not created. Otherwise
    /// it runs again under the lock, against whatever the store holds by then; `change` must
    /// therefore depend only on the transaction it is given.
    pub fn update<R>(&self, mut change: impl FnMut(&mut Transaction) -> Result<R>) -> Result<R> {
        if matches!(fs::metadata(&self.dir), Err(e) if e.kind() == io::ErrorKind::NotFound) {
            let mut probe = Transaction::new(0, payload::Raw::default());
            let result = change(&mut probe)?;
            if !probe.is_changed() {
                return Ok(result);
            }
        }
        self.check_dir()?;
        crate::fs::ensure_owner_only_dir(&self.dir)?;
        let mut conflicts = 0;
        loop {
            match self.update_locked(&mut change)? {
                Attempt::Done(result) => return Ok(result),
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
    fn update_locked<R>(
        &self,
        change: &mut impl FnMut(&mut Transaction) -> Result<R>,
    ) -> Result<Attempt<R>> {
        let _lock = lock::acquire(Lock::Keystore, &self.lock_path(), self.lock_timeout)?;
        temp::remove_dead(&self.dir, TEMP_PREFIXES);
        let (mut transaction, key) = match self.open()? {
            Some(opened) => {
                let raw =
                    payload::Raw::parse(opened.plaintext()).map_err(|e| self.payload_error(e))?;
                (
                    Transaction::new(opened.header.generation, raw),
                    Some(opened.key),
                )
            }
            None => (Transaction::new(0, payload::Raw::default()), None),
        };
        let result = change(&mut transaction)?;
        if !transaction.is_changed() {
            return Ok(Attempt::Done(result));
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
            self.settle(&log, head, read_generation)
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
                return Ok(Attempt::Done(result));
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

    /// How the keystore and the event log disagree (`None` when they agree), and the keystore's
    /// generation: what `recover` reports before it changes anything.
    pub fn rollback_state(&self) -> Result<(u64, Option<Rollback>)> {
        let (opened, rollback) = self.open_and_check()?;
        Ok((opened.map_or(0, |o| o.header.generation), rollback))
    }

    /// Accepts the keystore and the event log as they are when they disagree (DESIGN.md §1):
    /// the one explicit way to go on with an older keystore or an older (or new) event log.
    /// `record` describes the acceptance; it is appended to the log (a new one if the log is
    /// gone), and the keystore is written again as a generation above any the log has seen, so
    /// that older copies stay detectable. Returns what was accepted and the new generation and
    /// record, or `None` when there was nothing to accept.
    pub fn recover(
        &self,
        record: impl FnOnce(&Rollback, u64) -> Event,
    ) -> Result<Option<(Rollback, u64, u64)>> {
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
        Ok(Some((rollback, generation, anchor.seq)))
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
            if self.generation()? != read {
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

    /// An error about a file in the key directory, or about the directory itself when the
    /// path given as key directory is not one.
    fn in_dir(&self, error: Error) -> Error {
        match error {
            Error::Io { source, .. } if source.kind() == io::ErrorKind::NotADirectory => {
                Error::NotADirectory {
                    path: self.dir.clone(),
                }
            }
            other => other,
        }
    }

    /// Opens a file of the key directory for reading (see [`crate::fs::open`]).
    fn open_in_dir(&self, path: &Path) -> Result<Option<fs::File>> {
        crate::fs::open(path, &crate::fs::reading(), "read").map_err(|e| self.in_dir(e))
    }

    fn payload_error(&self, e: payload::PayloadError) -> Error {
        Error::Payload {
            path: self.keystore_path(),
            detail: e.to_string(),
        }
    }

    /// Reads a keystore file (`keystore.enc` or its backup), or `None` when it does not exist.
    /// A file larger than the format allows is refused from its header, before the rest is
    /// read: a sparse 2 GB file costs nothing.
    fn read_keystore_file(&self, path: &Path) -> Result<Option<SecretBytes>> {
        let Some(mut file) = self.open_in_dir(path)? else {
            return Ok(None);
        };
        let len = crate::fs::len(&file, path)?;
        let most = HEADER_LEN as u64 + format::MAX_CIPHERTEXT_LEN;
        let limit = if len > most { HEADER_LEN as u64 } else { len };
        let mut bytes = Vec::with_capacity(limit as usize);
        (&mut file)
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", path, e))?;
        let bytes = SecretBytes::new(bytes);
        if len > most {
            let header = format::parse_header(&bytes).map_err(|problem| Error::Format {
                path: path.to_owned(),
                problem,
            })?;
            return Err(Error::Format {
                path: path.to_owned(),
                problem: FormatError::TrailingBytes {
                    extra: len - HEADER_LEN as u64 - header.ciphertext_len,
                },
            });
        }
        Ok(Some(bytes))
    }

    /// Reads, parses and decrypts `keystore.enc`, and refuses it when it is out of step with
    /// the event log; `None` when there is no keystore yet.
    fn open(&self) -> Result<Option<Opened>> {
        match self.open_and_check()? {
            (_, Some(rollback)) => Err(Error::Rollback {
                dir: self.dir.clone(),
                rollback,
            }),
            (opened, None) => Ok(opened),
        }
    }

    /// Opens `keystore.enc` and checks it against the event log (O(1): the head and the end of
    /// the log at most). A disagreement is looked at again a few times before it is reported.
    fn open_and_check(&self) -> Result<(Option<Opened>, Option<Rollback>)> {
        let mut retries = 0;
        loop {
            let opened = self.open_unchecked()?;
            let rollback = self.rollback(opened.as_ref())?;
            if rollback.is_none() && opened.is_none() && self.backup_path().exists() {
                // No log to say which generation is missing, but the backup says one is.
                return Err(Error::KeystoreMissing {
                    path: self.keystore_path(),
                    backup: self.backup_path(),
                });
            }
            if rollback.is_none() || retries == ROLLBACK_RETRIES {
                return Ok((opened, rollback));
            }
            retries += 1;
            std::thread::sleep(Duration::from_millis(2 * u64::from(retries)));
        }
    }

    /// How the opened keystore (or its absence) disagrees with the event log, if it does.
    fn rollback(&self, opened: Option<&Opened>) -> Result<Option<Rollback>> {
        let Some(key) = self.master_key()? else {
            // No master key: nothing was ever written, so there is no log either.
            return Ok(None);
        };
        let (generation, anchor) = match opened {
            Some(opened) => (
                opened.header.generation,
                payload::anchor(opened.plaintext()).map_err(|e| self.payload_error(e))?,
            ),
            None => (0, None),
        };
        rollback::check(generation, anchor, &self.event_log(&key))
    }

    /// Reads, parses and decrypts `keystore.enc`; `None` when there is no keystore yet.
    fn open_unchecked(&self) -> Result<Option<Opened>> {
        self.check_dir()?;
        let path = self.keystore_path();
        let Some(mut bytes) = self.read_keystore_file(&path)? else {
            return Ok(None);
        };
        let header = format::parse(&bytes).map_err(|problem| {
            let error = Error::Format {
                path: path.clone(),
                problem,
            };
            crate::events::note_failed_unlock(&self.dir, chrono::Utc::now(), &error.to_string());
            error
        })?;
        let key = self.key_for_existing_store()?;
        if decrypt(&key, &header, &mut bytes).is_err() {
            let error = Error::Decrypt {
                path,
                key_source: self.key_source(),
                backup_opens: self.backup_opens_with(&key),
            };
            crate::events::note_failed_unlock(&self.dir, chrono::Utc::now(), &error.to_string());
            return Err(error);
        }
        Ok(Some(Opened { header, bytes, key }))
    }

    fn backup_opens_with(&self, key: &MasterKey) -> bool {
        let Ok(Some(mut bytes)) = self.read_keystore_file(&self.backup_path()) else {
            return false;
        };
        format::parse(&bytes).is_ok_and(|header| decrypt(key, &header, &mut bytes).is_ok())
    }

    fn key_for_existing_store(&self) -> Result<MasterKey> {
        self.master_key()?.ok_or_else(|| Error::MasterKeyMissing {
            store: self.keystore_path(),
            key: self.master_key_path(),
        })
    }

    /// The key for the first write into an empty directory: the environment's, an existing
    /// `master.key`, or a new one written with mode 0600.
    fn key_for_new_store(&self) -> Result<MasterKey> {
        if let Some(key) = self.master_key()? {
            return Ok(key);
        }
        let path = self.master_key_path();
        let key = MasterKey::generate();
        let mut options = crate::fs::owner_only();
        options.write(true).create_new(true);
        let mut file = crate::fs::open_existing(&path, &options, "create")?;
        file.write_all(key.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| {
                let _ = fs::remove_file(&path);
                Error::io("write", &path, e)
            })?;
        crate::fs::sync_dir(&self.dir)?;
        Ok(self.file_key.get_or_init(|| key).clone())
    }

    fn read_master_key_file(&self) -> Result<Option<MasterKey>> {
        let path = self.master_key_path();
        let Some(mut file) = self.open_in_dir(&path)? else {
            return Ok(None);
        };
        let meta = file.metadata().map_err(|e| Error::io("read", &path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::MasterKeyPermissions { path, mode });
            }
        }
        if meta.len() != MasterKey::LEN as u64 {
            return Err(Error::MasterKeyMalformed {
                path,
                len: meta.len(),
            });
        }
        let mut bytes = Zeroizing::new([0u8; MasterKey::LEN]);
        file.read_exact(bytes.as_mut())
            .map_err(|e| Error::io("read", &path, e))?;
        Ok(MasterKey::from_slice(bytes.as_ref())
            .map(|key| self.file_key.get_or_init(|| key).clone()))
    }
}

/// How one attempt at a write ended.
enum Attempt<R> {
    /// Written (or nothing to write).
    Done(R),
    /// Another writer committed first; the change must be made again on its result.
    Conflict,
}

/// A decrypted keystore file: the plaintext sits in `bytes` after the header.
struct Opened {
    header: Header,
    bytes: SecretBytes,
    key: MasterKey,
}

impl Opened {
    fn plaintext(&self) -> &[u8] {
        &self.bytes[HEADER_LEN..self.bytes.len() - crypto::TAG_LEN]
    }
}

/// Decrypts the ciphertext of a parsed file in place.
fn decrypt(key: &MasterKey, header: &Header, bytes: &mut [u8]) -> Result<(), aes_gcm::Error> {
    let payload_key = key.derive(&header.salt, KEYSTORE_INFO);
    let (header_bytes, body) = bytes.split_at_mut(HEADER_LEN);
    crypto::open_in_place(&payload_key, &header.nonce, header_bytes, body)
}
