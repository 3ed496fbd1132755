//! Key, mouse, paste and resize events to messages: a key to the action the key map of the
//! current mode binds it to (or to an edit of the text being typed). Nothing here changes state.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};
use zeroize::Zeroizing;

use super::action::Action;
use super::app::App;
use super::keys::{Key, Mode};
use super::message::Message;
use super::popups::Modal;
use super::text::Edit;

/// How many rows a turn of the mouse wheel moves.
const WHEEL: isize = 3;

impl App {
    /// The key map mode of the current state.
    pub(crate) fn mode(&self) -> Mode {
        match &self.modal {
            Some(Modal::Secret(s)) if s.asking.is_some() => Mode::Confirm,
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
                matches!(self.mode(), Mode::Form | Mode::Filter)
                    .then(|| Message::Edit(Edit::Paste(text)))
            }
            Event::Resize(width, height) => Some(Message::Resize(width, height)),
            _ => None,
        }
    }

    fn key(&self, event: &KeyEvent) -> Option<Message> {
        let key = Key::from_event(event);
        let mode = self.mode();
        if let Some(action) = self.keymap.action(mode, key) {
            return Some(Message::Action(action));
        }
        let browse = self
            .keymap
            .action(Mode::Browse, key)
            .filter(|_| !key.is_text());
        match mode {
            Mode::Filter | Mode::Form => {
                if let Some(edit) = text_edit(event, key) {
                    return Some(Message::Edit(edit));
                }
                // Arrows and page keys still move through the table while filtering, and
                // `Ctrl-C` still quits (`q` is text there). A form binds `Ctrl-C` to cancel.
                browse
                    .filter(|&a| mode == Mode::Filter && (a.moves() || a == Action::Quit))
                    .map(Message::Action)
            }
            Mode::Help => self
                .keymap
                .action(Mode::Browse, key)
                .filter(|&a| a.moves() || a == Action::Quit && !key.is_text())
                .map(Message::Action),
            // Ctrl-C still leaves, through "saved it?".
            Mode::Secret | Mode::Confirm => {
                browse.filter(|&a| a == Action::Quit).map(Message::Action)
            }
            Mode::Browse => None,
        }
    }
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
