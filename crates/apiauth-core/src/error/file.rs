//! What is wrong with a file: a path that is not a regular file, or bytes that are not a
//! keystore file.

use std::fmt;

/// What a path is when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A symbolic link (never followed in the key directory).
    Symlink,
    /// A FIFO (named pipe).
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// A character device, such as `/dev/zero`.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else that is not a regular file.
    Other,
}

impl FileKind {
    /// What `file_type` is, for a path that is not a regular file.
    pub(crate) fn of(file_type: std::fs::FileType) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt as _;
            if file_type.is_fifo() {
                return FileKind::Fifo;
            }
            if file_type.is_socket() {
                return FileKind::Socket;
            }
            if file_type.is_char_device() {
                return FileKind::CharDevice;
            }
            if file_type.is_block_device() {
                return FileKind::BlockDevice;
            }
        }
        if file_type.is_dir() {
            FileKind::Directory
        } else if file_type.is_symlink() {
            FileKind::Symlink
        } else {
            FileKind::Other
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Symlink => "a symbolic link",
            FileKind::Fifo => "a FIFO (named pipe)",
            FileKind::Socket => "a socket",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Other => "not a regular file",
        })
    }
}

/// Why bytes are not a keystore file (its layout: `store::format`, whose tests check that
/// the header size and version named here are its own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file has no bytes at all.
    #[error("the file is empty")]
    Empty,
    /// The file does not start with the keystore magic.
    #[error("it does not start with the apiauth keystore signature (another program's file?)")]
    BadMagic,
    /// The file ends inside the 72-byte header.
    #[error("the file is truncated: {len} bytes, shorter than the 72-byte header")]
    TruncatedHeader {
        /// Bytes present.
        len: usize,
    },
    /// The format version is not one this build reads.
    #[error(
        "format version {0} is not supported by this apiauth (it reads version 1); use a newer apiauth"
    )]
    UnsupportedVersion(u16),
    /// Flag bits this build does not know are set.
    #[error("unknown flag bits {0:#06x} are set; use a newer apiauth")]
    UnknownFlags(u16),
    /// The declared ciphertext length is over the cap or too small to hold a tag.
    #[error("the declared ciphertext length {0} is impossible")]
    BadLength(u64),
    /// The file ends before the declared ciphertext does.
    #[error(
        "the file is truncated: the header declares {declared} bytes of ciphertext but {actual} follow"
    )]
    Truncated {
        /// Declared length.
        declared: u64,
        /// Bytes present after the header.
        actual: u64,
    },
    /// Bytes follow the declared ciphertext.
    #[error("{extra} unexpected bytes follow the ciphertext")]
    TrailingBytes {
        /// How many.
        extra: u64,
    },
}
