//! The writers' lock: an exclusive advisory lock on a lock file (`keystore.lock`,
//! `events.lock`), waited for with a bound.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a writer waits for the lock before giving up, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Holds the lock until dropped (closing the file releases it, even if the process dies).
#[derive(Debug)]
pub struct WriteLock {
    _file: std::fs::File,
}

/// Takes the exclusive lock on `path` (created if missing, never through a symbolic link),
/// polling until `timeout` has passed.
pub fn acquire(path: &Path, timeout: Duration) -> Result<WriteLock> {
    let mut options = super::owner_only();
    options.create(true).truncate(false).read(true).write(true);
    let file = super::open_existing(path, &options, "open the lock file")?;
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => return Ok(WriteLock { _file: file }),
            Err(fs4::TryLockError::WouldBlock) => {}
            Err(fs4::TryLockError::Error(e)) => return Err(Error::io("lock", path, e)),
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(Error::Locked {
                path: path.to_owned(),
                waited,
            });
        }
        std::thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}
