//! Copying a secret to the clipboard, and taking it back out.
//!
//! With a display (X11, Wayland through XWayland, macOS, Windows) the system clipboard is used
//! through arboard, with the hint that asks clipboard managers not to keep the value in their
//! history. Without one, typically over SSH, the value goes to the user's own terminal as an
//! OSC 52 sequence, which most terminals turn into a clipboard write on the user's machine.
//!
//! A copied secret is cleared after `clipboard_clear_seconds`, and only if the clipboard still
//! holds it: whatever the user copied since is left alone.

use std::fmt;
use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How a value reached the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The system clipboard, through arboard.
    System,
    /// An OSC 52 escape sequence written to the terminal.
    Osc52,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::System => "the system clipboard",
            Method::Osc52 => "the terminal clipboard (OSC 52)",
        })
    }
}

/// Whether a graphical session is reachable, so the system clipboard can work.
pub fn display_available() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard. An empty `text`
/// clears it.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(text.as_bytes()))
}

/// Writes an OSC 52 sequence to the controlling terminal (`/dev/tty`), which works even when
/// standard output is redirected.
pub fn osc52_to_tty(text: &str) -> std::io::Result<()> {
    let mut tty = std::fs::OpenOptions::new().write(true).open("/dev/tty")?;
    tty.write_all(osc52(text).as_bytes())?;
    tty.flush()
}

/// The system clipboard, held open: on X11 and Wayland a copied value is served only while the
/// process that copied it keeps this alive.
pub struct SystemClipboard(arboard::Clipboard);

impl fmt::Debug for SystemClipboard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SystemClipboard")
    }
}

impl SystemClipboard {
    /// Connects to the system clipboard.
    pub fn open() -> Result<Self, String> {
        arboard::Clipboard::new()
            .map(SystemClipboard)
            .map_err(|e| format!("the system clipboard is not available: {e}"))
    }

    /// Copies a secret, asking clipboard managers not to record it.
    pub fn set_secret(&mut self, secret: &str) -> Result<(), String> {
        let set = self.0.set();
        #[cfg(all(unix, not(any(target_os = "macos", target_os = "android"))))]
        let set = arboard::SetExtLinux::exclude_from_history(set);
        #[cfg(target_os = "macos")]
        let set = arboard::SetExtApple::exclude_from_history(set);
        #[cfg(target_os = "windows")]
        let set = arboard::SetExtWindows::exclude_from_history(set);
        set.text(secret)
            .map_err(|e| format!("could not copy to the clipboard: {e}"))
    }

    /// Whether the clipboard still holds `secret`.
    pub fn holds(&mut self, secret: &str) -> bool {
        self.0.get_text().is_ok_and(|mut current| {
            let same = current == secret;
            zeroize::Zeroize::zeroize(&mut current);
            same
        })
    }

    /// Clears the clipboard if it still holds `secret`; true when it did.
    pub fn clear_if_holds(&mut self, secret: &str) -> bool {
        self.holds(secret) && self.0.clear().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_base64_of_the_value() {
        assert_eq!(osc52("ak_test"), "\x1b]52;c;YWtfdGVzdA==\x07");
        assert_eq!(osc52(""), "\x1b]52;c;\x07");
    }
}
