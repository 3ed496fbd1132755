//! Everything that can change the app's state, as values. Key and mouse handlers only produce
//! these; [`App::update`](super::App) is the one place they are applied. What a key does is an
//! [`Action`], the same value the key map binds; the other messages are what no key binding
//! makes: typing, the mouse, a signal, time, and the results of work done off the UI thread.

use std::time::Instant;

use super::action::Action;
use super::app::Found;
use super::job::Done;
use super::text::Edit;

/// A change to the app's state.
#[derive(Debug)]
pub(crate) enum Message {
    /// A key's action, through the key map of the current mode.
    Action(Action),
    /// Typing or a paste, into the filter or the focused field of a form.
    Edit(Edit),
    /// A left click at a screen position.
    Click {
        x: u16,
        y: u16,
    },
    /// The mouse wheel, in rows.
    Scroll(isize),
    /// A termination signal: quit now, without asking "saved it?" (a shown secret is dropped
    /// and the clipboard cleared if it still holds it, as dismissing does).
    Terminate,
    /// Time passed: countdowns, notices, polling the keystore for changes.
    Tick(Instant),
    Resize(u16, u16),
    /// A load of the keystore finished (or found the file unchanged).
    Loaded(Box<Found>),
    /// A form's write finished (an issued value inside is redacted by `Debug`).
    Done(Box<Done>),
}
