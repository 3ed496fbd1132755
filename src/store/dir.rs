//! The key directory itself: the owner's alone, and apiauth's (DESIGN.md §1).
//!
//! A key directory that others can write lets them swap in an old `keystore.enc.bak` or plant a
//! link, and one owned by another user is theirs to change; either is refused before any file
//! in it is read.

use std::io;
use std::path::Path;

use crate::error::{Error, Result};

/// Checks `dir`. A directory that does not exist yet passes (apiauth creates it, mode 0700).
/// Returns whether it exists.
pub(super) fn check(dir: &Path) -> Result<bool> {
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(Error::NotADirectory {
                path: dir.to_owned(),
            });
        }
        Err(e) => return Err(Error::io("read", dir, e)),
    };
    if !meta.is_dir() {
        return Err(Error::NotADirectory {
            path: dir.to_owned(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let user = rustix::process::geteuid().as_raw();
        if meta.uid() != user {
            return Err(Error::KeyDirNotOwned {
                path: dir.to_owned(),
                owner: meta.uid(),
                user,
            });
        }
        let mode = meta.mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Err(Error::KeyDirWritable {
                path: dir.to_owned(),
                mode,
            });
        }
    }
    Ok(true)
}
