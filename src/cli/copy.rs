//! `--copy` for generate and rotate.
//!
//! A command-line process exits right after printing, but on X11 and Wayland a copied value
//! lives only as long as the process that copied it. So with a display, the value is handed over
//! a pipe (never argv or the environment) to a small background `apiauth __hold-clipboard`
//! process that serves it, clears it after `clipboard_clear_seconds` if the clipboard still holds
//! it, and exits early when the user copies something else. Without a display the value is
//! sent to the terminal as OSC 52; nothing can read that clipboard back, so it is not cleared.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::clipboard::{self, Method, SystemClipboard};
use apiauth_core::SecretString;

/// Copies `secret`, returning how, or why it could not.
pub fn copy(secret: &SecretString, clear_after_seconds: u32) -> Result<Method, String> {
    let mut system_error = None;
    if clipboard::display_available() {
        match spawn_holder(secret, clear_after_seconds) {
            Ok(()) => return Ok(Method::System),
            Err(e) => system_error = Some(e),
        }
    }
    clipboard::osc52_to_tty(secret.expose())
        .map(|()| Method::Osc52)
        .map_err(|e| match system_error {
            Some(system) => {
                format!("{system}; and the terminal cannot be reached for OSC 52 ({e})")
            }
            None => {
                format!("there is no display and the terminal cannot be reached for OSC 52 ({e})")
            }
        })
}

fn spawn_holder(secret: &SecretString, seconds: u32) -> Result<(), String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot start the clipboard helper: {e}"))?;
    let mut child = Command::new(exe)
        .args(["__hold-clipboard", "--seconds", &seconds.to_string()])
        .env_remove("APIAUTH_MASTER_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the clipboard helper: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    stdin
        .write_all(secret.expose().as_bytes())
        .map_err(|e| format!("cannot pass the value to the clipboard helper: {e}"))?;
    drop(stdin);
    let mut answer = String::new();
    let stdout = child.stdout.take().expect("stdout was piped");
    let _ = BufReader::new(stdout).read_line(&mut answer);
    match answer.trim() {
        "ok" => Ok(()),
        "" => {
            let _ = child.wait();
            Err("the clipboard helper exited without copying".into())
        }
        message => {
            let _ = child.wait();
            Err(message.to_owned())
        }
    }
}

/// The `__hold-clipboard` process: copy what arrives on stdin, answer `ok`, serve it, clear it.
pub fn hold(seconds: u32) -> ExitCode {
    let mut value = Zeroizing::new(String::new());
    if std::io::stdin().read_to_string(&mut value).is_err() || value.is_empty() {
        return ExitCode::from(2);
    }
    let mut stdout = std::io::stdout();
    let mut board = match SystemClipboard::open().and_then(|mut b| b.set_secret(&value).map(|()| b))
    {
        Ok(board) => board,
        Err(e) => {
            let _ = writeln!(stdout, "{e}");
            return ExitCode::from(1);
        }
    };
    let _ = writeln!(stdout, "ok");
    let _ = stdout.flush();
    let deadline = Instant::now() + Duration::from_secs(u64::from(seconds));
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        if !board.holds(&value) {
            return ExitCode::SUCCESS;
        }
    }
    board.clear_if_holds(&value);
    ExitCode::SUCCESS
}
