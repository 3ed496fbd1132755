//! Everything a key can do, each once. The key map ([`keys`](super::keys)) binds keys to these
//! per mode, and its table words them for help, the status bar and the README;
//! [`App::update`](super::App) is where each is done. Typing, pasting, the mouse and time are
//! not keys' actions: they reach `update` as messages of their own.

/// Something a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Up a row (in help: a line).
    Up,
    /// Down a row (in help: a line).
    Down,
    /// Up a page.
    PageUp,
    /// Down a page.
    PageDown,
    /// To the first row.
    Top,
    /// To the last row.
    Bottom,
    /// Start typing a filter.
    Filter,
    /// Clear the filter, also while it is typed.
    ClearFilter,
    /// Stop typing the filter and keep it.
    KeepFilter,
    /// Sort by the next column.
    Sort,
    /// Reverse the sort order.
    SortReverse,
    /// Switch between the key table and the audit dashboard.
    SwitchView,
    /// Full-size details of the selected key; on the dashboard, go to the highlighted key.
    Open,
    /// Open the generate form.
    Generate,
    /// Open the import form.
    Import,
    /// Open the rotate form for the selected key.
    Rotate,
    /// Open the revoke confirmation for the selected key.
    Revoke,
    /// Copy the selected key's id.
    CopyId,
    /// Open help.
    Help,
    /// Close help.
    CloseHelp,
    /// Quit; with a secret on show, ask first.
    Quit,
    /// The form's next field.
    NextField,
    /// The form's previous field.
    PrevField,
    /// Check the form and run its write.
    Submit,
    /// Close the form; nothing is changed.
    Cancel,
    /// Reveal or mask the secret.
    Reveal,
    /// Copy the secret to the clipboard.
    Copy,
    /// Done with the secret: asks "saved it?" first.
    Dismiss,
    /// Yes to the question asked: what it asked about is done.
    Confirm,
    /// No to the question asked: back to the secret.
    Back,
}

impl Action {
    /// Moves through a list (the table, the dashboard's list, help), in any mode that shows one.
    pub(crate) fn moves(self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
        )
    }
}
