//! Key, mouse, paste and resize events to messages, through the key map of the current mode.
//! Nothing here changes state.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};
use zeroize::Zeroizing;

use super::app::{App, Modal};
use super::form::Edit;
use super::keys::{Action, Key, Mode};
use super::message::Message;

/// How many rows a turn of the mouse wheel moves.
const WHEEL: isize = 3;

impl App {
    /// The key map mode of the current state.
    pub(crate) fn mode(&self) -> Mode {
        match &self.modal {
            Some(Modal::Secret(s)) if s.confirming => Mode::Confirm,
            Some(Modal::Secret(_)) => Mode::Secret,
            Some(Modal::Help { .. }) => Mode::Help,
            Some(_) => Mode::Form,
            None if self.filtering => Mode::Filter,
            None => Mode::Browse,
        }
    }

    /// The message an event asks for, if any.
    /// A pasted text is moved into a zeroizing buffer: it may be a key.
    pub(crate) fn message_for(&self, event: Event) -> Option<Message> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.key(&key),
            Event::Mouse(mouse) => {
                if !matches!(self.mode(), Mode::Browse | Mode::Filter | Mode::Help) {
                    return None;
                }
                match mouse.kind {
                    MouseEventKind::Down(MouseButton::Left) if self.modal.is_none() => {
                        Some(Message::Click {
                            x: mouse.column,
                            y: mouse.row,
                        })
                    }
                    MouseEventKind::ScrollDown => Some(Message::Scroll(WHEEL)),
                    MouseEventKind::ScrollUp => Some(Message::Scroll(-WHEEL)),
                    _ => None,
                }
            }
            Event::Paste(text) => {
                let text = Zeroizing::new(text);
                match self.mode() {
                    Mode::Form => Some(Message::FormEdit(Edit::Paste(text))),
                    Mode::Filter => Some(Message::FilterEdit(Edit::Paste(text))),
                    _ => None,
                }
            }
            Event::Resize(width, height) => Some(Message::Resize(width, height)),
            _ => None,
        }
    }

    fn key(&self, event: &KeyEvent) -> Option<Message> {
        let key = Key::from_event(event);
        let mode = self.mode();
        if let Some(action) = self.keymap.action(mode, key) {
            return Some(message(action));
        }
        let browse = self
            .keymap
            .action(Mode::Browse, key)
            .filter(|_| !key.is_text());
        match mode {
            Mode::Filter | Mode::Form => {
                let edit = text_edit(event, key);
                if let Some(edit) = edit {
                    return Some(if mode == Mode::Form {
                        Message::FormEdit(edit)
                    } else {
                        Message::FilterEdit(edit)
                    });
                }
                // Arrows and page keys still move through the table while filtering, and
                // `Ctrl-C` still quits (`q` is text there). A form binds `Ctrl-C` to cancel.
                browse
                    .filter(|&a| mode == Mode::Filter && (is_movement(a) || a == Action::Quit))
                    .map(message)
            }
            Mode::Help => self
                .keymap
                .action(Mode::Browse, key)
                .filter(|&a| is_movement(a) || a == Action::Quit && !key.is_text())
                .map(message),
            // Ctrl-C still leaves, through "saved it?".
            Mode::Secret | Mode::Confirm => browse.filter(|&a| a == Action::Quit).map(message),
            Mode::Browse => None,
        }
    }
}

fn is_movement(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    )
}

/// Editing keys inside a text field.
fn text_edit(event: &KeyEvent, key: Key) -> Option<Edit> {
    Some(match event.code {
        KeyCode::Char(c) if key.is_text() => Edit::Char(c),
        KeyCode::Backspace => Edit::Backspace,
        KeyCode::Delete => Edit::Delete,
        KeyCode::Left => Edit::Left,
        KeyCode::Right => Edit::Right,
        KeyCode::Home => Edit::Home,
        KeyCode::End => Edit::End,
        _ => return None,
    })
}

fn message(action: Action) -> Message {
    match action {
        Action::Up => Message::Move(-1),
        Action::Down => Message::Move(1),
        Action::PageUp => Message::Page(-1),
        Action::PageDown => Message::Page(1),
        Action::Top => Message::Top,
        Action::Bottom => Message::Bottom,
        Action::Filter => Message::StartFilter,
        Action::ClearFilter | Action::FilterClear => Message::ClearFilter,
        Action::Sort => Message::CycleSort,
        Action::SortReverse => Message::ReverseSort,
        Action::SwitchView => Message::SwitchView,
        Action::Open => Message::Open,
        Action::Generate => Message::OpenGenerate,
        Action::Import => Message::OpenImport,
        Action::Rotate => Message::OpenRotate,
        Action::Revoke => Message::OpenRevoke,
        Action::CopyId => Message::CopyId,
        Action::Help => Message::OpenHelp,
        Action::Quit => Message::Quit,
        Action::FilterKeep => Message::KeepFilter,
        Action::NextField => Message::NextField,
        Action::PrevField => Message::PrevField,
        Action::Submit => Message::Submit,
        Action::Cancel => Message::Cancel,
        Action::Reveal => Message::Reveal,
        Action::Copy => Message::CopySecret,
        Action::Dismiss => Message::Dismiss,
        Action::Confirm => Message::ConfirmDismiss,
        Action::Back => Message::BackToSecret,
        Action::CloseHelp => Message::CloseHelp,
    }
}
