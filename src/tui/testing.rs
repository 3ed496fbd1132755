//! Helpers for the TUI's unit tests: entries built in memory, a keystore in a temp dir on a
//! fixed clock, and an app that loads inline and copies to a fake clipboard.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use apiauth_core::ops::Context;

use super::app::{App, Loading, Settings};
use super::copy::{ClipboardKind, fake};
use super::form::{Edit, Form};
use super::keys::Keymap;

pub use apiauth_core::testing::{context, entry, fill, now, view};

/// An app over `ctx`, loaded, 80×24, copying to the returned fake clipboard.
pub fn app(ctx: Context, clipboard: ClipboardKind) -> (App, fake::Shared) {
    let mut app = App::new(
        ctx,
        Settings {
            keymap: Keymap::default(),
            color: false,
            clipboard,
            loading: Loading::Inline,
        },
    );
    let shared = fake::Shared::default();
    app.open_board = fake::opener(&shared);
    app.reload();
    app.handle_event(Event::Resize(80, 24));
    (app, shared)
}

/// Presses keys written as in `config.toml`, one per item.
pub fn press(app: &mut App, keys: &[&str]) {
    for key in keys {
        app.handle_event(key_event(key));
    }
}

/// Types text, one key event per character.
pub fn type_keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// The event of a key written as in `config.toml`.
pub fn key_event(text: &str) -> Event {
    let key = super::keys::Key::parse(text).unwrap();
    let (code, mods) = key.parts();
    Event::Key(KeyEvent::new(code, mods))
}

/// Types into the focused field of a form.
pub fn type_text(form: &mut Form, text: &str) {
    for c in text.chars() {
        form.edit(&Edit::Char(c));
    }
}

/// The writers' lock of a keystore, held (until dropped) by another writer in the middle of
/// its change, as another apiauth process would hold it.
pub struct HeldLock {
    release: Option<std::sync::mpsc::Sender<()>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

/// Starts a write on `ctx`'s keystore that waits, under the writers' lock, until the returned
/// guard is dropped.
pub fn hold_writers_lock(ctx: &Context) -> HeldLock {
    let store = ctx.store.clone();
    let (inside, taken) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        store
            .update(|_| {
                let _ = inside.send(());
                let _ = released.recv();
                Ok(())
            })
            .expect("the waiting write ends");
    });
    taken.recv().expect("the writer takes the lock");
    HeldLock {
        release: Some(release),
        writer: Some(writer),
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Changes one byte of a file in place (same inode, same size) and sets its modification
/// time back to what it was, as a careful attacker (or a bit flip) would leave it.
pub fn flip_in_place(path: &std::path::Path, at: u64) {
    use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut byte = [0u8];
    file.seek(SeekFrom::Start(at)).unwrap();
    file.read_exact(&mut byte).unwrap();
    file.seek(SeekFrom::Start(at)).unwrap();
    file.write_all(&[byte[0] ^ 1]).unwrap();
    file.set_modified(modified).unwrap();
}
