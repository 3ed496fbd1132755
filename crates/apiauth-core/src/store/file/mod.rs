//! The file backend: the keystore and its event log in a key directory (DESIGN.md §2).
//!
//! - `master.key`: 32 random bytes, mode 0600, made only when no keystore exists yet. The
//!   `APIAUTH_MASTER_KEY` environment variable (base64) takes precedence.
//! - `keystore.enc`: the current generation, in the layout of [`format`].
//! - `keystore.enc.bak`: the generation before it, kept by every write.
//! - `keystore.lock`: the writers' advisory lock.
//! - `events.*`: the event log (see `crate::events`).
//!
//! Readers never lock: a write replaces `keystore.enc` with a rename, so a reader sees either
//! the old file or the new one, never a mix. Writers take the lock, re-read the newest file,
//! apply their change, write a temp file, fsync it, rename it into place and fsync the directory,
//! so concurrent writers from many processes never lose an acknowledged change, even when the
//! lock file is deleted under them (see `crate::fs::lock`).
//!
//! The key directory must be the owner's alone (`dir.rs`), and every open checks the keystore
//! against the event log (`rollback.rs`), so an older copy of either put back is refused rather
//! than answered from. Reading is in `open.rs`, writing in `write.rs`.

mod dir;
pub mod format;
mod log;
mod open;
pub mod payload;
mod rollback;
mod transaction;
mod write;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::crypto::{KeyHash, MasterKey};
use crate::error::{Error, KeySourceKind, Result, Rollback};
use crate::events::{self, Event, EventLog};
use crate::fs::lock;
use crate::store::{Accepted, Backend, Found, Keystore, Log, Transaction};

/// File name of the master key.
pub const MASTER_KEY_FILE: &str = "master.key";
/// File name of the keystore.
pub const KEYSTORE_FILE: &str = "keystore.enc";
/// File name of the previous generation.
pub const BACKUP_FILE: &str = "keystore.enc.bak";
/// File name of the writers' lock.
pub const LOCK_FILE: &str = "keystore.lock";
/// HKDF info string binding the derived key to the keystore payload.
pub(crate) const KEYSTORE_INFO: &[u8] = b"apiauth/v1/keystore";

/// A key directory and the way to unlock it. Creating one does no I/O.
#[derive(Debug, Clone)]
pub struct KeyDir {
    dir: PathBuf,
    env_key: Option<MasterKey>,
    lock_timeout: Duration,
    /// The master key once read from `master.key` (or made), so it is read once per process.
    file_key: OnceLock<MasterKey>,
    /// Set once the key directory passed [`KeyDir::check_dir`].
    dir_checked: OnceLock<()>,
    /// The event log, once the master key is known.
    event_log: OnceLock<EventLog>,
}

impl KeyDir {
    /// The key directory `dir`, unlocked by `env_key` when given (from `APIAUTH_MASTER_KEY`)
    /// and by `dir/master.key` otherwise.
    pub fn new(dir: impl Into<PathBuf>, env_key: Option<MasterKey>) -> Self {
        KeyDir {
            dir: dir.into(),
            env_key,
            lock_timeout: lock::DEFAULT_TIMEOUT,
            file_key: OnceLock::new(),
            dir_checked: OnceLock::new(),
            event_log: OnceLock::new(),
        }
    }

    /// Sets how long a writer waits for another writer's lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The key directory.
    pub fn path(&self) -> &Path {
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

    /// Path of `keystore.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    /// Path of `events.log`.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join(events::LOG_FILE)
    }

    /// Refuses a key directory that is not the owner's alone (writable by group or others, or
    /// owned by another user), a path that is not a directory, and a Python APIAuth store.
    /// Checked once per process; a directory that does not exist yet passes.
    fn check_dir(&self) -> Result<()> {
        if self.dir_checked.get().is_some() {
            return Ok(());
        }
        if dir::check(&self.dir, &self.keystore_path(), &self.master_key_path())? {
            let _ = self.dir_checked.set(());
        }
        Ok(())
    }

    /// The master key, when there is one: the environment's, or `master.key`'s. `None` for a
    /// directory where nothing has been written yet.
    pub(crate) fn master_key(&self) -> Result<Option<MasterKey>> {
        if let Some(key) = self.env_key.as_ref().or(self.file_key.get()) {
            return Ok(Some(key.clone()));
        }
        self.read_master_key_file()
    }

    fn event_log(&self, key: &MasterKey) -> &EventLog {
        self.event_log
            .get_or_init(|| EventLog::new(&self.dir, key, self.lock_timeout))
    }

    /// Where the master key comes from.
    fn key_source(&self) -> KeySourceKind {
        if self.env_key.is_some() {
            KeySourceKind::Env
        } else {
            KeySourceKind::File
        }
    }
}

impl Backend for KeyDir {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn describe_log(&self) -> String {
        self.log_path().display().to_string()
    }

    fn check(&self) -> Result<()> {
        self.check_dir()
    }

    fn load(&self) -> Result<Keystore> {
        let opened = self.open()?;
        self.decode(opened)
    }

    fn load_for_log_check(&self) -> Result<Keystore> {
        match self.open_and_check()? {
            (opened, None | Some(Rollback::HeadUnusable { .. })) => self.decode(opened),
            (_, Some(rollback)) => Err(Error::Rollback {
                dir: self.dir.clone(),
                rollback,
            }),
        }
    }

    fn lookup(&self, hash: &KeyHash) -> Result<Option<Found>> {
        match self.open()? {
            None => Ok(None),
            Some(opened) => {
                payload::lookup(opened.plaintext(), hash).map_err(|e| self.payload_error(e))
            }
        }
    }

    fn generation(&self) -> Result<u64> {
        self.generation_on_disk()
    }

    fn apply(&self, change: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>) -> Result<()> {
        self.update(change)
    }

    fn log(&self) -> Result<Option<&dyn Log>> {
        self.check_dir()?;
        Ok(self
            .master_key()?
            .map(|key| self.event_log(&key) as &dyn Log))
    }

    fn log_mark(&self) -> u64 {
        std::fs::metadata(self.log_path()).map_or(0, |m| m.len())
    }

    fn rollback_state(&self) -> Result<(u64, Option<Rollback>)> {
        let (opened, rollback) = self.open_and_check()?;
        Ok((opened.map_or(0, |o| o.header.generation), rollback))
    }

    fn accept_rollback(
        &self,
        record: &mut dyn FnMut(&Rollback, u64) -> Event,
    ) -> Result<Option<Accepted>> {
        self.recover(record)
    }
}
