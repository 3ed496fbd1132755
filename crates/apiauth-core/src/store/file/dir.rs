//! The key directory itself: the owner's alone, and apiauth's (DESIGN.md §1).
//!
//! A key directory that others can write lets them swap in an old `keystore.enc.bak` or plant a
//! link, and one owned by another user is theirs to change; either is refused before any file
//! in it is read, as is a directory that holds a Python APIAuth store (`master.key` and
//! `keys.json`), which apiauth would otherwise take for an empty store of its own.

use std::io;
use std::path::Path;

use crate::error::{Error, Result};

/// The file that marks a Python APIAuth store.
const PYTHON_STORE_FILE: &str = "keys.json";

/// Checks `dir`. A directory that does not exist yet passes (apiauth creates it, mode 0700).
/// Returns whether it exists.
pub(super) fn check(dir: &Path, keystore: &Path, master_key: &Path) -> Result<bool> {
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
    let absent = |path: &Path| matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == io::ErrorKind::NotFound);
    if absent(keystore) && !absent(master_key) && !absent(&dir.join(PYTHON_STORE_FILE)) {
        return Err(Error::PythonStore {
            path: dir.to_owned(),
        });
    }
    Ok(true)
}
