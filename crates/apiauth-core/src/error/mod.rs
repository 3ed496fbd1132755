//! The core's typed errors.
//!
//! Every failure a face can meet is a variant here, carrying the facts a message needs (the
//! file, the id, the candidates). Turning them into words with a recovery hint and into an exit
//! code is the faces' work, done once for all of them by the app's `hints` module.

mod field;
mod file;
mod rollback;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use field::Field;
pub use file::{FileKind, FormatError};
pub use rollback::Rollback;

/// Where the master key came from, so an error can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySourceKind {
    /// The `APIAUTH_MASTER_KEY` environment variable.
    Env,
    /// The `master.key` file.
    File,
}

/// What a writers' lock guards, to name it when it is held too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// The keystore (`keystore.lock`, and the key directory while a write is put in place).
    Keystore,
    /// The event log (`events.lock`).
    EventLog,
}

impl fmt::Display for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lock::Keystore => "the keystore",
            Lock::EventLog => "the event log",
        })
    }
}

/// What is wrong with one line of a file being imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// Its line number, from 1.
    pub line: usize,
    /// The key name on the line, when the problem is with its value.
    pub name: Option<String>,
    /// The input an action refused, when it did (a face names it in its own terms).
    pub field: Option<Field>,
    /// What is wrong.
    pub message: String,
}

impl LineProblem {
    /// A problem with line `line`, in words.
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        LineProblem {
            line,
            name: None,
            field: None,
            message: message.into(),
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in apiauth.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create", …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The key directory path exists but is not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The path given as key directory.
        path: PathBuf,
    },
    /// A keystore exists but its master key does not.
    #[error("{} exists but its master key {} is missing", store.display(), key.display())]
    MasterKeyMissing {
        /// `keystore.enc`.
        store: PathBuf,
        /// `master.key`.
        key: PathBuf,
    },
    /// `master.key` can be read by group or others.
    #[error("{} is readable by other users (mode {mode:o})", path.display())]
    MasterKeyPermissions {
        /// `master.key`.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// `master.key` does not hold 32 bytes.
    #[error("{} holds {len} bytes; a master key is exactly 32", path.display())]
    MasterKeyMalformed {
        /// `master.key`.
        path: PathBuf,
        /// How many bytes it holds.
        len: u64,
    },
    /// `APIAUTH_MASTER_KEY` is not base64 of 32 bytes.
    #[error("APIAUTH_MASTER_KEY is not the base64 of 32 bytes ({reason})")]
    EnvKeyMalformed {
        /// What is wrong with it.
        reason: String,
    },
    /// `keystore.enc` is not a well-formed keystore file.
    #[error("{} is not a valid keystore: {problem}", path.display())]
    Format {
        /// `keystore.enc`.
        path: PathBuf,
        /// What the parser refused.
        problem: FormatError,
    },
    /// Authentication failed: wrong master key, or the file was changed.
    #[error("{} could not be decrypted", path.display())]
    Decrypt {
        /// `keystore.enc`.
        path: PathBuf,
        /// Where the key that failed came from.
        key_source: KeySourceKind,
        /// Whether the same key opens `keystore.enc.bak`; if so the main file is damaged, not
        /// the key wrong.
        backup_opens: bool,
    },
    /// The decrypted payload does not decode: written by an incompatible build.
    #[error("{} decrypted but its contents do not decode: {detail}", path.display())]
    Payload {
        /// `keystore.enc`.
        path: PathBuf,
        /// The decoder's message.
        detail: String,
    },
    /// `keystore.enc` is gone but its backup is there.
    #[error("{} is missing but {} exists", path.display(), backup.display())]
    KeystoreMissing {
        /// `keystore.enc`.
        path: PathBuf,
        /// `keystore.enc.bak`.
        backup: PathBuf,
    },
    /// Another process held the write lock for too long.
    #[error(
        "{lock} is locked by another apiauth process ({} held for more than {:.1}s)",
        path.display(),
        waited.as_secs_f32()
    )]
    Locked {
        /// What the lock guards.
        lock: Lock,
        /// The lock file (`keystore.lock`, `events.lock`), or the key directory.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },
    /// A new value was stored, but writing it to standard output failed, so it was never seen.
    #[error("{id} was stored, but its new value could not be written to standard output: {source}")]
    NotShown {
        /// The key whose value was lost.
        id: String,
        /// What the write said.
        source: std::io::Error,
    },
    /// Standard output could not be written (a full disk, an I/O error), so what the command
    /// printed is incomplete.
    #[error("standard output could not be written: {source}")]
    Output {
        /// What the write said.
        source: std::io::Error,
    },
    /// The event log is damaged: a record was edited, removed or reordered, or the tail was cut.
    #[error("the event log {} is damaged: {problem}", path.display())]
    EventLog {
        /// `events.log`.
        path: PathBuf,
        /// Where and what.
        problem: String,
    },
    /// The record of a change could not be written, so the change was not applied.
    #[error("the change was not applied because its event could not be recorded: {0}")]
    NotRecorded(Box<Error>),
    /// A file in the key directory changed under this process in a way it cannot merge.
    #[error("{0}")]
    Concurrent(String),
    /// `config.toml` has an unknown setting or a value out of range.
    #[error("{}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value given by the user is not acceptable.
    #[error("{field}: {message}")]
    Invalid {
        /// The input it was given for.
        field: Field,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// `import --from-file` found problems; nothing was imported.
    #[error("nothing was imported: {} line(s) have problems", problems.len())]
    ImportRejected {
        /// What is wrong with each bad line, in line order.
        problems: Vec<LineProblem>,
    },
    /// No key has this id.
    #[error("no key with id {id}")]
    KeyNotFound {
        /// The id or prefix given.
        id: String,
    },
    /// An id prefix matches several keys.
    #[error("id prefix {prefix} matches {count} keys")]
    AmbiguousId {
        /// The prefix given.
        prefix: String,
        /// How many keys it matches.
        count: usize,
        /// The first few of them.
        candidates: Vec<String>,
    },
    /// The key's state forbids the action (rotating a revoked key).
    #[error("{0}")]
    Refused(String),
    /// The value is already in the keystore.
    #[error("this value is already in the keystore as {id}")]
    Duplicate {
        /// The entry holding it.
        id: String,
        /// Where it came from, e.g. "line 4" of an imported file.
        location: Option<String>,
    },
    /// A file apiauth opens is not a regular file (a symbolic link, a FIFO, a device, a
    /// directory).
    #[error("{} is {kind}, not a regular file", path.display())]
    NotAFile {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        kind: FileKind,
    },
    /// The key directory can be written by group or others.
    #[error("the key directory {} is writable by other users (mode {mode:o})", path.display())]
    KeyDirWritable {
        /// The key directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key directory belongs to another user.
    #[error("the key directory {} belongs to another user (uid {owner}; you are uid {user})", path.display())]
    KeyDirNotOwned {
        /// The key directory.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// The user running apiauth.
        user: u32,
    },
    /// The key directory holds a Python APIAuth store, not an apiauth one.
    #[error("{} holds a Python APIAuth store (master.key and keys.json), not an apiauth keystore", path.display())]
    PythonStore {
        /// The directory.
        path: PathBuf,
    },
    /// The keystore and the event log are out of step: an older copy of one was put back under
    /// the other, or one is gone.
    #[error("in {}: {rollback}", dir.display())]
    Rollback {
        /// The key directory.
        dir: PathBuf,
        /// How they disagree.
        rollback: Rollback,
    },
    /// A file is larger than its format allows; it was not read.
    #[error("{} is {len} bytes, more than it can hold ({max} at most)", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        len: u64,
        /// The most it can hold.
        max: u64,
    },
}

impl Error {
    /// Shorthand for [`Error::Io`].
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}
