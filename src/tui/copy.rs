//! Copying from the TUI, and taking a copied secret back out of the clipboard.
//!
//! With a display the system clipboard is used (arboard, through
//! [`crate::clipboard::SystemClipboard`], kept open so X11 and Wayland keep serving the value).
//! A copied secret is cleared when its countdown (`clipboard_clear_seconds`) runs out, or when
//! the secret display is dismissed if that comes first: the secret is then gone for good. In both
//! cases only if the clipboard still holds our value; whatever was copied since is left alone.
//!
//! Without a display (over SSH) the value goes to the terminal as OSC 52. That clipboard
//! cannot be read back, so apiauth can never know whether it still holds the secret; clearing it
//! blindly could wipe something the user copied since, so it is never cleared, and the UI says
//! so.

use std::time::{Duration, Instant};

use crate::clipboard::{self, Method, SystemClipboard};

/// Which clipboard the TUI copies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardKind {
    /// The system clipboard (arboard), falling back to OSC 52 if it fails.
    System,
    /// An OSC 52 sequence written to the terminal.
    Osc52,
}

impl ClipboardKind {
    /// The system clipboard when a display is reachable, OSC 52 otherwise.
    pub fn detect() -> ClipboardKind {
        if clipboard::display_available() {
            ClipboardKind::System
        } else {
            ClipboardKind::Osc52
        }
    }
}

/// A clipboard that can be read back.
pub(crate) trait Board {
    fn set(&mut self, text: &str) -> Result<(), String>;
    fn clear_if_holds(&mut self, text: &str) -> bool;
}

impl Board for SystemClipboard {
    fn set(&mut self, text: &str) -> Result<(), String> {
        self.set_secret(text)
    }

    fn clear_if_holds(&mut self, text: &str) -> bool {
        SystemClipboard::clear_if_holds(self, text)
    }
}

/// Opens the system clipboard (tests put a fake in its place: `testing::clipboard`).
pub(crate) type OpenBoard = Box<dyn Fn() -> Result<Box<dyn Board>, String>>;

pub(crate) fn system_board() -> OpenBoard {
    Box::new(|| SystemClipboard::open().map(|b| Box::new(b) as Box<dyn Board>))
}

/// How a countdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cleared {
    /// The clipboard still held the secret and was cleared.
    Cleared,
    /// The clipboard held something else by then; it was left alone.
    LeftAlone,
}

/// A secret put on a clipboard by the secret display.
pub(crate) struct SecretCopy {
    pub method: Method,
    /// Why the system clipboard was not used, when it failed.
    pub fallback: Option<String>,
    board: Option<Box<dyn Board>>,
    /// When the clipboard is to be cleared (system clipboard only).
    pub deadline: Option<Instant>,
    pub outcome: Option<Cleared>,
}

impl std::fmt::Debug for SecretCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretCopy")
            .field("method", &self.method)
            .field("deadline", &self.deadline)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// What copying produced: the record of it, and an OSC 52 sequence to write to the terminal.
pub(crate) struct Copied {
    pub copy: SecretCopy,
    pub osc52: Option<zeroize::Zeroizing<String>>,
}

/// Copies `text`: to the system clipboard when `kind` says so and it works (with a countdown
/// of `clear_after` when `clear_after` is given), else as OSC 52.
pub(crate) fn copy(
    kind: ClipboardKind,
    open: &OpenBoard,
    text: &str,
    now: Instant,
    clear_after: Option<Duration>,
) -> Copied {
    let mut fallback = None;
    if kind == ClipboardKind::System {
        match open().and_then(|mut board| board.set(text).map(|()| board)) {
            Ok(board) => {
                return Copied {
                    copy: SecretCopy {
                        method: Method::System,
                        fallback: None,
                        board: Some(board),
                        deadline: clear_after.map(|d| now + d),
                        outcome: None,
                    },
                    osc52: None,
                };
            }
            Err(e) => fallback = Some(e),
        }
    }
    Copied {
        copy: SecretCopy {
            method: Method::Osc52,
            fallback,
            board: None,
            deadline: None,
            outcome: None,
        },
        osc52: Some(zeroize::Zeroizing::new(clipboard::osc52(text))),
    }
}

impl SecretCopy {
    /// The open system clipboard, to keep serving what was copied.
    pub fn into_board(self) -> Option<Box<dyn Board>> {
        self.board
    }

    /// Whole seconds left before the clipboard is cleared.
    pub fn remaining(&self, now: Instant) -> Option<u64> {
        self.deadline
            .map(|d| d.saturating_duration_since(now).as_millis().div_ceil(1000) as u64)
    }

    /// Clears the clipboard if the deadline has passed (or `now` is `None`: at once) and it
    /// still holds `text`. Returns how it ended, once.
    pub fn settle(&mut self, text: &str, now: Option<Instant>) -> Option<Cleared> {
        let deadline = self.deadline?;
        if now.is_some_and(|now| now < deadline) {
            return None;
        }
        self.deadline = None;
        let cleared = self.board.as_mut().is_some_and(|b| b.clear_if_holds(text));
        let outcome = if cleared {
            Cleared::Cleared
        } else {
            Cleared::LeftAlone
        };
        self.outcome = Some(outcome);
        Some(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::clipboard::{Shared, opener};

    /// A system clipboard that cannot be opened.
    fn broken() -> OpenBoard {
        Box::new(|| Err("the system clipboard is not available: no X11 server".into()))
    }

    #[test]
    fn the_system_clipboard_is_cleared_at_the_deadline_only_if_unchanged() {
        let shared = Shared::default();
        let open = opener(&shared);
        let t0 = Instant::now();
        let thirty = Some(Duration::from_secs(30));
        let mut c = copy(ClipboardKind::System, &open, "ak_secret", t0, thirty);
        assert!(c.osc52.is_none());
        assert_eq!(c.copy.remaining(t0 + Duration::from_millis(100)), Some(30));
        assert_eq!(
            c.copy
                .settle("ak_secret", Some(t0 + Duration::from_secs(29))),
            None
        );
        assert_eq!(
            c.copy
                .settle("ak_secret", Some(t0 + Duration::from_secs(30))),
            Some(Cleared::Cleared)
        );
        assert_eq!(*shared.0.lock().unwrap(), None);

        let mut c = copy(ClipboardKind::System, &open, "ak_secret", t0, thirty);
        *shared.0.lock().unwrap() = Some("something else".into());
        assert_eq!(c.copy.settle("ak_secret", None), Some(Cleared::LeftAlone));
        assert_eq!(shared.0.lock().unwrap().as_deref(), Some("something else"));
        assert_eq!(c.copy.settle("ak_secret", None), None, "settles once");
    }

    #[test]
    fn osc52_is_used_without_a_display_or_when_the_system_clipboard_fails() {
        let t0 = Instant::now();
        let c = copy(ClipboardKind::Osc52, &broken(), "ak_x", t0, None);
        assert_eq!(c.copy.method, Method::Osc52);
        assert_eq!(
            c.osc52.as_deref().map(String::as_str),
            Some("\x1b]52;c;YWtfeA==\x07")
        );
        assert_eq!(c.copy.deadline, None, "OSC 52 is never cleared");
        let c = copy(ClipboardKind::System, &broken(), "ak_x", t0, None);
        assert_eq!(c.copy.method, Method::Osc52);
        assert!(c.copy.fallback.unwrap().contains("no X11 server"));
    }
}
