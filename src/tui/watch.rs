//! Noticing that the keystore file changed, whoever changed it and however: another apiauth
//! writing a new generation, an older copy put back, a byte changed in place with the header
//! (and its generation) left alone.
//!
//! Each poll compares the file's [`Stamp`]: device, inode, size, and modification and
//! status-change times. A write through the file system changes the status-change time
//! (ctime), and nothing but the clock can set that back, so a stamp that stayed the same means
//! a file that stayed the same, with one gap: a change within the timestamp's granularity of
//! the one before it (the same clock tick, or the same second on coarse file systems) leaves
//! every time as it was. So while the file's ctime is that recent ([`RACY`]), what was [`Seen`]
//! of it keeps a hash of its content, and the poll compares the content too, off the UI thread,
//! until the ctime is old enough to be trusted.

use std::fs;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use apiauth_core::KeyDir;
use apiauth_core::ops::Context;
use sha2::{Digest as _, Sha256};

/// The file watched for changes: the keystore file of a key directory. A store kept elsewhere
/// has none (an empty path, never found): it is read again when its statuses are
/// refreshed and when its event log moves.
pub(crate) fn watched_file(ctx: &Context) -> PathBuf {
    ctx.store
        .key_dir()
        .map(KeyDir::keystore_path)
        .unwrap_or_default()
}

/// How long after the file's last status change its times are not trusted to show the next
/// change: a second or two of timestamp granularity on coarse file systems, with room for
/// rounding.
pub(crate) const RACY: Duration = Duration::from_secs(3);

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    regular: bool,
    modified: Option<SystemTime>,
    /// The status-change time (ctime); the modification time where there is none.
    changed: Option<SystemTime>,
}

impl Stamp {
    /// The stamp of the file at `path`; `None` when there is no file.
    pub fn read(path: &Path) -> io::Result<Option<Stamp>> {
        match fs::metadata(path) {
            Ok(meta) => Ok(Some(Stamp::of(&meta))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt as _;
        let changed = u64::try_from(meta.ctime()).ok().and_then(|secs| {
            let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
            SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
        });
        Stamp {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            regular: meta.is_file(),
            modified: meta.modified().ok(),
            changed,
        }
    }

    #[cfg(not(unix))]
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            device: 0,
            inode: 0,
            len: meta.len(),
            regular: meta.is_file(),
            modified: meta.modified().ok(),
            changed: meta.modified().ok(),
        }
    }

    /// Whether a change made now could leave this stamp as it is.
    fn racy(&self, now: SystemTime) -> bool {
        match self.changed.map(|changed| now.duration_since(changed)) {
            Some(Ok(age)) => age < RACY,
            // In the future (a clock set back, a file system that rounds up), or unknown.
            Some(Err(_)) | None => true,
        }
    }
}

/// The keystore file as it was when it was last read (whether or not it could be decrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// `None`: there was no file.
    stamp: Option<Stamp>,
    /// The content's SHA-256, while the stamp is too recent to tell the next change.
    digest: Option<[u8; 32]>,
}

impl Seen {
    /// What the file at `path` is, taken before it is read: its stamp, and its content's hash
    /// when the stamp is too recent to be trusted at `now`, or when `hash` asks for it anyway.
    /// A file that cannot be read has no hash (nor can the keystore be read from it; a change
    /// that makes it readable changes its ctime).
    pub fn take(path: &Path, now: SystemTime, hash: bool) -> io::Result<Seen> {
        let stamp = Stamp::read(path)?;
        let digest = match stamp {
            // Only a regular file is hashed: opening a FIFO put in its place would block.
            Some(s) if s.regular && (hash || s.racy(now)) => digest(path).ok(),
            _ => None,
        };
        Ok(Seen { stamp, digest })
    }

    /// Whether a file whose stamp is now `stamp` may have changed since: a different stamp
    /// says it did; the same one says it did not unless the content must be compared
    /// ([`Seen::compare_content`]).
    pub fn stamp_differs(&self, stamp: Option<Stamp>) -> bool {
        self.stamp != stamp
    }

    /// Whether the stamp alone cannot yet tell a change, so the content must be compared.
    pub fn compare_content(&self) -> bool {
        self.digest.is_some()
    }

    /// Whether `now_seen` (taken with the content's hash) is the same file as this: the same
    /// stamp and, when this kept one, the same content.
    pub fn same_as(&self, now_seen: &Seen) -> bool {
        self.stamp == now_seen.stamp && (self.digest.is_none() || self.digest == now_seen.digest)
    }

    /// This, keeping the content's hash only while the stamp is still too recent at `now`.
    pub fn settled(mut self, now: SystemTime) -> Seen {
        if !self.stamp.is_some_and(|s| s.racy(now)) {
            self.digest = None;
        }
        self
    }
}

/// The SHA-256 of the file's content.
fn digest(path: &Path) -> io::Result<[u8; 32]> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::flip_in_place;
    use std::io::Write as _;

    /// A file just written, in a temp dir kept as long as the returned guard.
    fn fresh_file() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keystore.enc");
        fs::write(&path, b"0123456789").unwrap();
        (dir, path)
    }

    fn later(stamp: Option<Stamp>) -> SystemTime {
        stamp.unwrap().changed.unwrap() + Duration::from_secs(3_600)
    }

    #[test]
    fn a_copy_renamed_over_or_a_new_size_changes_the_stamp() {
        let (dir, path) = fresh_file();
        let seen = Seen::take(&path, SystemTime::now(), false).unwrap();
        let copy = dir.path().join("copy");
        fs::copy(&path, &copy).unwrap();
        fs::rename(&copy, &path).unwrap();
        assert!(
            seen.stamp_differs(Stamp::read(&path).unwrap()),
            "another inode"
        );

        let seen = Seen::take(&path, SystemTime::now(), false).unwrap();
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"!")
            .unwrap();
        assert!(seen.stamp_differs(Stamp::read(&path).unwrap()), "longer");

        let seen = Seen::take(&path, SystemTime::now(), false).unwrap();
        fs::remove_file(&path).unwrap();
        assert!(seen.stamp_differs(None), "gone");
    }

    #[test]
    fn a_byte_changed_in_place_with_its_time_set_back_changes_the_ctime() {
        let (_dir, path) = fresh_file();
        let stamp = Stamp::read(&path).unwrap();
        let seen = Seen::take(&path, later(stamp), false).unwrap();
        assert!(!seen.compare_content(), "an old stamp is trusted alone");
        // Past the timestamp granularity of any file system /tmp may be on.
        std::thread::sleep(Duration::from_millis(1_100));
        flip_in_place(&path, 3);
        let now = Stamp::read(&path).unwrap();
        assert_eq!(
            now.unwrap().modified,
            stamp.unwrap().modified,
            "same modification time"
        );
        assert!(seen.stamp_differs(now), "the ctime moved");
    }

    #[test]
    fn while_the_stamp_is_recent_the_content_tells_a_change() {
        let (_dir, path) = fresh_file();
        let stamp = Stamp::read(&path).unwrap();
        let just_written = stamp.unwrap().changed.unwrap();
        let before = Seen::take(&path, just_written, false).unwrap();
        assert!(before.compare_content(), "a recent stamp keeps the hash");

        flip_in_place(&path, 3);
        // The change made within the same tick: a stamp just as before, other content.
        let now = Seen::take(&path, just_written, true).unwrap();
        let same_tick = Seen {
            stamp: before.stamp,
            digest: now.digest,
        };
        assert!(!before.same_as(&same_tick), "told by the content");
        assert!(before.same_as(&before.clone()));

        let settled = before.settled(later(stamp));
        assert!(
            !settled.compare_content(),
            "dropped once the stamp is old enough"
        );
    }

    #[test]
    fn only_a_regular_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keystore.enc");
        fs::create_dir(&path).unwrap();
        let seen = Seen::take(&path, SystemTime::now(), true).unwrap();
        assert!(!seen.compare_content());
        assert!(!seen.stamp_differs(Stamp::read(&path).unwrap()));
    }
}
