//! The TUI's test helpers, once, for the crate's unit tests and for the tests in `tests/`
//! (which is why this module is public, and hidden from the docs: it is not part of apiauth's
//! API). A keystore in a temp dir on a fixed clock, empty or filled with a realistic fixture
//! ([`fixture`]); an app over it that loads and writes inline and never touches the system
//! clipboard; keys pressed and text typed as a user would; and the screen drawn into a
//! `TestBackend`, as text.

pub mod clipboard;
pub mod fixture;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tempfile::TempDir;

use apiauth_core::ops::{Clock, Context};
use apiauth_core::{Config, MasterKey, Store};

pub use apiauth_core::testing::{entry, fill, now, view};

use super::app::{App, Loading, Settings};
use super::copy::ClipboardKind;
use super::keys::{Key, Keymap};

/// A key directory in a fresh temp dir, filled with the [`fixture`] when `filled`, and the
/// context over it on the fixed clock; the temp dir goes when its guard is dropped.
pub fn keystore(filled: bool) -> (TempDir, Context) {
    // Always under /tmp, whatever TMPDIR says: an error that quotes the path wraps at the same
    // column on every machine, so the snapshots that show one stay the same.
    let tmp = tempfile::Builder::new()
        .prefix(".tmp")
        .rand_bytes(6)
        .tempdir_in("/tmp")
        .unwrap();
    let store = Store::in_dir(tmp.path().join("keys"), Some(MasterKey::generate()));
    // An existing, empty key directory: with a master key from the environment and no key
    // directory at all, reading last-use times warns (the event log's lock file cannot be
    // created), which is not what these tests are about.
    std::fs::create_dir(store.key_dir().unwrap().path()).unwrap();
    if filled {
        fixture::fill(&store);
    }
    let mut ctx = Context::new(store, Config::default());
    ctx.clock = Clock::Fixed(now());
    (tmp, ctx)
}

/// A context over an empty keystore in a fresh temp dir, on the fixed clock. The dir lives as
/// long as the process (tests are short).
pub fn context() -> Context {
    let (tmp, ctx) = keystore(false);
    let _ = tmp.keep();
    ctx
}

/// An app over `ctx` that loads and writes inline, `width`×`height`, in colour when `color`,
/// copying through OSC 52; loaded.
pub fn app(ctx: Context, color: bool, width: u16, height: u16) -> App {
    let (mut app, _) = new_app(ctx, color, ClipboardKind::Osc52, Loading::Inline);
    app.reload();
    app.handle_event(Event::Resize(width, height));
    app
}

/// An app over `ctx`, loaded, 80×24, without colours, copying to `kind`: to the returned fake
/// system clipboard when that is [`ClipboardKind::System`].
pub fn app_copying_to(ctx: Context, kind: ClipboardKind) -> (App, clipboard::Shared) {
    let (mut app, clipboard) = new_app(ctx, false, kind, Loading::Inline);
    app.reload();
    app.handle_event(Event::Resize(80, 24));
    (app, clipboard)
}

/// An app over `ctx` that loads and writes on worker threads, as the real one, 80×24; loaded.
pub fn background_app(ctx: Context) -> App {
    let (mut app, _) = new_app(ctx, false, ClipboardKind::System, Loading::Background);
    app.reload();
    assert!(app.wait_for_load(std::time::Duration::from_secs(10)));
    app.handle_event(Event::Resize(80, 24));
    app
}

/// An app over `ctx` as the terminal UI starts it, nothing loaded yet, with a fake system
/// clipboard in place of the real one; and that clipboard.
fn new_app(
    ctx: Context,
    color: bool,
    clipboard: ClipboardKind,
    loading: Loading,
) -> (App, clipboard::Shared) {
    let mut app = App::new(
        ctx,
        Settings {
            keymap: Keymap::default(),
            color,
            clipboard,
            loading,
        },
    );
    let shared = clipboard::Shared::default();
    app.open_board = clipboard::opener(&shared);
    (app, shared)
}

/// The event of a key written as in `config.toml`.
pub fn key_event(text: &str) -> Event {
    let (code, mods) = Key::parse(text).unwrap().parts();
    Event::Key(KeyEvent::new(code, mods))
}

/// Presses keys written as in `config.toml`, one per item.
pub fn press(app: &mut App, keys: &[&str]) {
    for key in keys {
        app.handle_event(key_event(key));
    }
}

/// Types text, one key event per character.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// Types into the focused field of a form, as its keys would.
#[cfg(test)]
pub(crate) fn type_into(form: &mut super::form::Form, text: &str) {
    for c in text.chars() {
        form.edit(&super::text::Edit::Char(c));
    }
}

/// Generates an API key through the form: `name`, service `payments`, env `prod`, 90 days.
/// The secret display is open afterwards.
pub fn generate(app: &mut App, name: &str) {
    press(app, &["n"]);
    type_text(app, name);
    for field in ["payments", "prod", "90"] {
        press(app, &["tab"]);
        type_text(app, field);
    }
    press(app, &["enter"]);
}

/// Draws the app as the real terminal would (cursor included) into a test backend.
pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            let area = frame.area();
            frame.render_widget(app, area);
            if let Some(position) = app.cursor(area) {
                frame.set_cursor_position(position);
            }
        })
        .unwrap();
    terminal
}

/// The screen as text, one line per row.
pub fn text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// `user@host` as this machine's records name them (the first record of a new log, and the
/// records of keys a test generates), to filter out of snapshots.
pub fn local_who() -> String {
    let probe = apiauth_core::Event::new(now(), apiauth_core::EventKind::Audit, None, "", "");
    format!("{}@{}", probe.user, probe.host)
}

/// Flips the last byte of a file and writes the file anew, so that its modification time
/// changes: a keystore whose ciphertext no longer decrypts.
pub fn damage(path: &std::path::Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(path, &bytes).unwrap();
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
