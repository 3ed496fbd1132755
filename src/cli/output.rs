//! Writing to stdout and stderr. A closed pipe (`apiauth list | head -1`) is not an error: the
//! reader has what it wanted, so the rest is dropped quietly. A new secret is the exception
//! ([`stdout_or_fail`]): it is shown once, so a failed write of it must not pass for success.

use std::io::{self, Write as _};
use std::sync::Mutex;

/// The first failed write to stdout other than a closed pipe (a full disk, an I/O error).
static FAILURE: Mutex<Option<io::Error>> = Mutex::new(None);

/// Writes `text` to stdout in one go. A failure other than a closed pipe is kept for
/// [`take_failure`], so that output lost to a full disk (`apiauth export > .env`) does not end
/// in exit 0.
pub fn stdout(text: &str) {
    if let Err(error) = stdout_or_fail(text)
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        let mut failure = FAILURE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        failure.get_or_insert(error);
    }
}

/// The first failed write of [`stdout`], if any.
pub fn take_failure() -> Option<io::Error> {
    FAILURE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

/// Writes `text` to stdout in one go and reports any failure, a closed pipe included.
pub fn stdout_or_fail(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}

/// Writes `text` to stderr in one go.
pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}
