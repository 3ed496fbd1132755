//! Helpers for the TUI's unit tests: entries built in memory, a keystore in a temp dir on a
//! fixed clock, and an app that loads inline and copies to a fake clipboard.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use crate::config::Config;
use crate::crypto::{KeyHash, MasterKey};
use crate::model::{KeyEntry, KeyId, KeyKind, KeyVersion};
use crate::ops::{Clock, Context, KeyView};
use crate::store::Store;

use super::app::{App, Loading, Settings};
use super::copy::{ClipboardKind, fake};
use super::form::Form;
use super::keys::Keymap;
use super::text::Edit;

/// The fixed "now" of the tests.
pub fn now() -> DateTime<Utc> {
    crate::model::parse_time("2026-06-01T09:30:00Z").unwrap()
}

/// An API key entry with one version and no expiry, created a month before [`now`] (so not
/// stale).
pub fn entry(id: &str, name: &str, service: &str) -> KeyEntry {
    let created = crate::model::parse_time("2026-05-01T08:00:00Z").unwrap();
    KeyEntry {
        id: KeyId::parse(id).expect("a valid test id"),
        kind: KeyKind::ApiKey,
        name: name.into(),
        service: service.into(),
        env: None,
        scopes: Vec::new(),
        prefix: "ak".into(),
        versions: vec![KeyVersion {
            version: 1,
            hash: KeyHash::of(id),
            hint: "ak_Tst1…".into(),
            created_at: created,
            retired_at: None,
            grace_until: None,
            signing_secret: None,
        }],
        created_at: created,
        expires_at: None,
        expiry_days: None,
        revoked_at: None,
        revocation_reason: None,
        rate_limit: None,
        claims: BTreeMap::new(),
        imported: false,
    }
}

pub fn view(entry: KeyEntry, now: DateTime<Utc>) -> KeyView {
    KeyView::new(entry, now, &Config::default())
}

/// A context over an empty keystore in a fresh temp dir, on the fixed clock. The dir lives as
/// long as the process (tests are short).
pub fn context() -> Context {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut ctx = Context::new(
        Store::new(dir, Some(MasterKey::generate())),
        Config::default(),
    );
    ctx.clock = Clock::Fixed(now());
    ctx
}

/// Puts `entries` in the context's keystore.
pub fn fill(ctx: &Context, entries: Vec<KeyEntry>) {
    ctx.store
        .update(|keystore| {
            for e in &entries {
                keystore.insert(e);
            }
            Ok(())
        })
        .unwrap();
}

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
