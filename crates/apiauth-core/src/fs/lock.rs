//! The writers' locks: an exclusive advisory lock on a lock file (`keystore.lock`,
//! `events.lock`), waited for with a bound, and the short directory lock that makes a commit
//! atomic.
//!
//! A lock file can be deleted while it is held (a clean-up script, a user tidying up). A waiter
//! would then lock the deleted inode while a newcomer creates and locks a new file at the path,
//! and both would believe they hold the lock. So after locking, [`acquire`] checks that the
//! path still names the inode it locked (`fstat` of the descriptor against `lstat` of the path)
//! and starts again otherwise.
//!
//! That check cannot help a holder whose file is deleted after it took the lock. For that case
//! the few steps that must not interleave (compare the file on disk with what was read, then
//! replace it) run under [`DirGuard`], a lock on the key directory itself: a directory holding
//! files cannot be deleted, so that lock cannot be broken.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Lock, Result};

/// How long a writer waits for another writer's lock before giving up, unless configured
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Holds the lock until dropped (closing the file releases it, even if the process dies).
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

/// Whether the open file is the one `path` names now.
fn still_named(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(held), Ok(named)) => {
                held.nlink() > 0 && held.dev() == named.dev() && held.ino() == named.ino()
            }
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Polls `try_lock` until it succeeds or `timeout` has passed; `lock` names what waited for.
fn wait_for(
    lock: Lock,
    path: &Path,
    timeout: Duration,
    mut attempt: impl FnMut() -> Result<Option<WriteLock>>,
) -> Result<WriteLock> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(lock) = attempt()? {
            return Ok(lock);
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(Error::Locked {
                lock,
                path: path.to_owned(),
                waited,
            });
        }
        std::thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn try_lock(file: &File, path: &Path) -> Result<bool> {
    match fs4::FileExt::try_lock(file) {
        Ok(()) => Ok(true),
        Err(fs4::TryLockError::WouldBlock) => Ok(false),
        Err(fs4::TryLockError::Error(e)) => Err(Error::io("lock", path, e)),
    }
}

/// Takes the exclusive lock on the lock file `path` (created if missing, never through a
/// symbolic link), which guards `lock`, polling until `timeout` has passed.
pub fn acquire(lock: Lock, path: &Path, timeout: Duration) -> Result<WriteLock> {
    let mut options = super::owner_only();
    options.create(true).truncate(false).read(true).write(true);
    wait_for(lock, path, timeout, || {
        // Opened again on every attempt: a waiter must not keep polling an inode that was
        // deleted meanwhile, which a newcomer can no longer see.
        let file = super::open_existing(path, &options, "open the lock file")?;
        if !try_lock(&file, path)? {
            return Ok(None);
        }
        if still_named(&file, path) {
            Ok(Some(WriteLock { _file: file }))
        } else {
            // The file was deleted (or replaced) between the open and the lock: this lock
            // guards nothing. Try again at once with whatever the path names now.
            Ok(None)
        }
    })
}

/// A short exclusive lock on the key directory itself, held only while a change is compared
/// with the file on disk and put in place.
#[derive(Debug)]
pub struct DirGuard {
    _lock: WriteLock,
}

impl DirGuard {
    /// Locks `dir`, polling until `timeout` has passed. A wait that times out is named as the
    /// keystore's: the guard is what puts a new keystore in place.
    pub fn acquire(dir: &Path, timeout: Duration) -> Result<DirGuard> {
        let lock = wait_for(Lock::Keystore, dir, timeout, || {
            let file = File::open(dir).map_err(|e| Error::io("open", dir, e))?;
            Ok(try_lock(&file, dir)?.then_some(WriteLock { _file: file }))
        })?;
        Ok(DirGuard { _lock: lock })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_lock_on_a_deleted_file_is_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.lock");
        let held = acquire(Lock::Keystore, &path, Duration::from_secs(1)).unwrap();
        std::fs::remove_file(&path).unwrap();
        // The path is free again: a newcomer gets a lock on a new file, and the old holder's
        // file is no longer what the path names.
        let newcomer = acquire(Lock::Keystore, &path, Duration::from_secs(1)).unwrap();
        assert!(!still_named(&held._file, &path));
        assert!(still_named(&newcomer._file, &path));
        assert!(matches!(
            acquire(Lock::Keystore, &path, Duration::from_millis(50)),
            Err(Error::Locked { .. })
        ));
    }

    #[test]
    fn the_directory_lock_excludes_a_second_holder() {
        let dir = tempfile::tempdir().unwrap();
        let guard = DirGuard::acquire(dir.path(), Duration::from_secs(1)).unwrap();
        assert!(matches!(
            DirGuard::acquire(dir.path(), Duration::from_millis(30)),
            Err(Error::Locked { .. })
        ));
        drop(guard);
        DirGuard::acquire(dir.path(), Duration::from_millis(30)).unwrap();
    }
}
