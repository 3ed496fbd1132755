//! Temp files in the key directory, named after the process that made them.
//!
//! A temp file is `{prefix}.{pid}.{random}`. A writer removes its own when it is done (or when
//! it fails), and a leftover only when it can prove the process that made it is gone: so a
//! writer never deletes the temp file of another one that is still running, even when the
//! writers' lock was broken by deleting its file.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

/// A leftover whose name carries no process id (from an older build) is removed once it is this
/// old: no write takes anywhere near that long.
const NAMELESS_STALE_AFTER: Duration = Duration::from_secs(3600);

fn own_prefix(prefix: &str) -> String {
    format!("{prefix}.{}.", std::process::id())
}

/// A new temp file in `dir` (mode 0600, created with `O_EXCL`), removed when dropped unless it
/// is persisted.
pub fn create(dir: &Path, prefix: &str) -> Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&own_prefix(prefix))
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temp file in", dir, e))
}

/// A fixed name in `dir` that only this process uses: `{prefix}.{pid}.{what}`.
pub fn own_path(dir: &Path, prefix: &str, what: &str) -> PathBuf {
    dir.join(format!("{}{what}", own_prefix(prefix)))
}

/// The process id in a temp file's name, when it has one.
fn owner(name: &str, prefix: &str) -> Option<u32> {
    name.strip_prefix(prefix)?
        .strip_prefix('.')?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Whether a process with this id is running (a process of another user counts as running).
pub fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        )
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes the temp files in `dir` starting with one of `prefixes` whose process is gone.
/// Best effort: a file that cannot be removed is left for the next writer.
pub fn remove_dead(dir: &Path, prefixes: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(prefix) = prefixes.iter().find(|p| name.starts_with(**p)) else {
            continue;
        };
        let dead = match owner(&name, prefix) {
            Some(pid) => pid != std::process::id() && !alive(pid),
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| SystemTime::now().duration_since(at).ok())
                .is_some_and(|age| age > NAMELESS_STALE_AFTER),
        };
        if dead {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_files_of_gone_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mine = create(dir.path(), ".t").unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        let dead = dir.path().join(format!(".t.{gone}.xyz"));
        std::fs::write(&dead, b"").unwrap();
        // pid 1 is always running.
        let running = dir.path().join(".t.1.abc");
        std::fs::write(&running, b"").unwrap();
        let fresh_nameless = dir.path().join(".tABCDEF");
        std::fs::write(&fresh_nameless, b"").unwrap();
        let other = dir.path().join("keystore.enc");
        std::fs::write(&other, b"").unwrap();

        remove_dead(dir.path(), &[".t"]);
        assert!(mine.path().exists(), "this process's own file stays");
        assert!(!dead.exists(), "a gone process's file is removed");
        assert!(running.exists(), "a running process's file stays");
        assert!(fresh_nameless.exists(), "a recent file without a pid stays");
        assert!(other.exists());
        assert_eq!(owner(".t.42.bak", ".t"), Some(42));
        assert_eq!(owner(".tABCDEF", ".t"), None);
    }
}
