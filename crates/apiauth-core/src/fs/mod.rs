//! Files in the key directory, opened one safe way (DESIGN.md §1 and §2).
//!
//! Every file apiauth opens in the key directory goes through [`open`]: without following a
//! symbolic link (`O_NOFOLLOW`), without blocking (`O_NONBLOCK`, so a FIFO put in place of a
//! file can never hang a command), and then checked with `fstat` to be a regular file. A FIFO,
//! a device, a directory or a symbolic link is an error that names the file. Files whose size is
//! bounded by design are read with [`read_capped`], so `/dev/zero` or a sparse 2 GB file cannot
//! exhaust memory. Files are created readable and writable by their owner only. The writers'
//! locks ([`lock`]), temp files ([`temp`]) and the directory fsync live here too.

pub mod lock;
pub mod temp;

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read as _};
use std::path::Path;

pub use crate::error::FileKind;
use crate::error::{Error, Result};

/// Whether a symbolic link at the path itself is followed. Never in the key directory; only for
/// a `config.toml` outside it, which dotfile managers keep as a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// `O_NOFOLLOW`: a link is an error.
    Refuse,
    /// The link is followed; what it points at must still be a regular file.
    Follow,
}

fn guarded(options: &mut OpenOptions, links: Links) {
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        let mut flags = OFlags::NONBLOCK | OFlags::CLOEXEC;
        if links == Links::Refuse {
            flags |= OFlags::NOFOLLOW;
        }
        std::os::unix::fs::OpenOptionsExt::custom_flags(options, flags.bits() as i32);
    }
    let _ = (options, links);
}

/// Options to read a file in the key directory.
pub fn reading() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true);
    guarded(&mut options, Links::Refuse);
    options
}

/// Options for a file in the key directory that apiauth writes: created (when the caller adds
/// `create`) readable and writable by its owner only (mode 0600), whatever the umask.
pub fn owner_only() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    guarded(&mut options, Links::Refuse);
    options
}

/// Opens `path` and makes sure it is a regular file; `Ok(None)` when it does not exist.
/// `action` words an I/O error ("read", "open").
pub fn open(path: &Path, options: &OpenOptions, action: &'static str) -> Result<Option<File>> {
    match options.open(path) {
        Ok(file) => {
            let meta = file.metadata().map_err(|e| Error::io(action, path, e))?;
            regular(path, &meta)?;
            Ok(Some(file))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(refused(path, e, action)),
    }
}

/// Like [`open`], but a missing file is an error too.
pub fn open_existing(path: &Path, options: &OpenOptions, action: &'static str) -> Result<File> {
    open(path, options, action)?.ok_or_else(|| {
        Error::io(
            action,
            path,
            io::Error::new(io::ErrorKind::NotFound, "No such file or directory"),
        )
    })
}

fn regular(path: &Path, meta: &Metadata) -> Result<()> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(Error::NotAFile {
            path: path.to_owned(),
            kind: FileKind::of(meta.file_type()),
        })
    }
}

/// Why an open failed: a path that is not a regular file (a link refused by `O_NOFOLLOW`, a
/// FIFO with no reader opened to write, a directory opened to write) is named as such.
fn refused(path: &Path, error: io::Error, action: &'static str) -> Error {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_file() => Error::NotAFile {
            path: path.to_owned(),
            kind: FileKind::of(meta.file_type()),
        },
        _ => Error::io(action, path, error),
    }
}

/// The size of an open file.
pub fn len(file: &File, path: &Path) -> Result<u64> {
    file.metadata()
        .map(|m| m.len())
        .map_err(|e| Error::io("read the size of", path, e))
}

/// Reads the whole of a file that can hold at most `max` bytes; `Ok(None)` when it does not
/// exist. A larger file is [`Error::TooLarge`], found from its size before anything is read.
pub fn read_capped(path: &Path, max: u64, links: Links) -> Result<Option<Vec<u8>>> {
    let mut options = OpenOptions::new();
    options.read(true);
    guarded(&mut options, links);
    let Some(file) = open(path, &options, "read")? else {
        return Ok(None);
    };
    let len = len(&file, path)?;
    let too_large = |len: u64| Error::TooLarge {
        path: path.to_owned(),
        len,
        max,
    };
    if len > max {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// Makes sure `dir` is a directory, creating it (and its parents) readable, writable and
/// searchable by its owner only (mode 0700) when it does not exist.
pub fn ensure_owner_only_dir(dir: &Path) -> Result<()> {
    let not_a_directory = || Error::NotADirectory {
        path: dir.to_owned(),
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(not_a_directory()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .map_err(|e| Error::io("create the key directory", dir, e))
        }
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Err(not_a_directory()),
        Err(e) => Err(Error::io("read", dir, e)),
    }
}

/// Flushes a directory's entries (a rename or a new file) to disk.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("sync", dir, e))?;
    let _ = dir;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"data").unwrap();
        assert!(open(&file, &reading(), "read").unwrap().is_some());
        assert!(
            open(&dir.path().join("none"), &reading(), "read")
                .unwrap()
                .is_none()
        );

        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let kind = |path: &Path, options: &OpenOptions| match open(path, options, "read") {
            Err(Error::NotAFile { kind, .. }) => kind,
            other => panic!("{}: {other:?}", path.display()),
        };
        assert_eq!(kind(&link, &reading()), FileKind::Symlink);
        let mut write = owner_only();
        write.write(true).create(true);
        assert_eq!(kind(&link, &write), FileKind::Symlink);
        assert_eq!(kind(dir.path(), &reading()), FileKind::Directory);
        assert_eq!(kind(dir.path(), &write), FileKind::Directory);
        assert_eq!(
            kind(Path::new("/dev/null"), &reading()),
            FileKind::CharDevice
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            b"data",
            "the target is untouched"
        );
    }

    #[test]
    fn capped_reads_refuse_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big");
        File::create(&file).unwrap().set_len(1 << 31).unwrap();
        match read_capped(&file, 1024, Links::Refuse) {
            Err(Error::TooLarge { len, max, .. }) => assert_eq!((len, max), (1 << 31, 1024)),
            other => panic!("{other:?}"),
        }
        std::fs::write(&file, b"small").unwrap();
        assert_eq!(
            read_capped(&file, 1024, Links::Refuse).unwrap().unwrap(),
            b"small"
        );
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 1024, Links::Follow),
            Err(Error::NotAFile {
                kind: FileKind::CharDevice,
                ..
            })
        ));
    }
}
