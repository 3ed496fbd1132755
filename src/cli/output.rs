//! Writing to stdout and stderr. A closed pipe (`apiauth list | head -1`) is not an error: the
//! reader has what it wanted, so the rest is dropped quietly.

use std::io::{self, Write as _};

/// Writes `text` to stdout in one go.
pub fn stdout(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes `text` to stderr in one go.
pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}
