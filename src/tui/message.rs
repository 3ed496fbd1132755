//! Everything that can change the app's state, as values. Key and mouse handlers only produce
//! these; [`App::update`](super::App) is the one place they are applied.

use std::time::Instant;

use super::app::Found;
use super::form::Edit;
use super::job::Done;

/// A change to the app's state.
#[derive(Debug)]
pub(crate) enum Message {
    /// Move the selection (or scroll help) by rows.
    Move(isize),
    /// Move by a page, down (`1`) or up (`-1`).
    Page(isize),
    Top,
    Bottom,
    /// A left click at a screen position.
    Click {
        x: u16,
        y: u16,
    },
    /// The mouse wheel, in rows.
    Scroll(isize),

    StartFilter,
    FilterEdit(Edit),
    KeepFilter,
    ClearFilter,
    CycleSort,
    ReverseSort,
    SwitchView,
    Open,

    OpenGenerate,
    OpenImport,
    OpenRotate,
    OpenRevoke,
    CopyId,
    OpenHelp,
    CloseHelp,
    Quit,
    /// A termination signal: quit now, without asking "saved it?" (a shown secret is dropped
    /// and the clipboard cleared if it still holds it, as dismissing does).
    Terminate,

    FormEdit(Edit),
    NextField,
    PrevField,
    Submit,
    Cancel,

    Reveal,
    CopySecret,
    Dismiss,
    ConfirmDismiss,
    BackToSecret,

    /// Time passed: countdowns, notices, polling the keystore for changes.
    Tick(Instant),
    Resize(u16, u16),
    /// A load of the keystore finished (or found the file unchanged).
    Loaded(Box<Found>),
    /// A form's write finished (an issued value inside is redacted by `Debug`).
    Done(Box<Done>),
}
