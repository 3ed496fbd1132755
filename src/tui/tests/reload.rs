//! The keystore changed by others: a change shows within a poll, a damaged or replaced file is
//! noticed and said so (the last good read stays on screen), and the checks run off the UI
//! thread.

use std::time::Duration;

use crate::tui::app::App;
use crate::tui::testing::{background_app, damage, flip_in_place, press};
use apiauth_core::ops;

use super::{sample_app, screen_text, selected};

#[test]
fn a_change_by_another_process_shows_within_a_poll() {
    let (mut app, _) = sample_app();
    press(&mut app, &["j"]);
    let other = app.ctx.clone();
    let request = ops::GenerateRequest {
        labels: ops::Labels {
            name: "from-cli".into(),
            service: "cli".into(),
            ..Default::default()
        },
        kind: ops::NewKind::ApiKey { prefix: None },
        expiry: None,
    };
    ops::generate(&other, request).unwrap();
    let start = app.instant;
    app.tick(start + Duration::from_millis(100));
    assert_eq!(app.list.total(), 3, "not polled yet");
    app.tick(start + Duration::from_millis(600));
    assert_eq!(app.list.total(), 4);
    assert_eq!(
        selected(&app),
        "stripe-prod",
        "the selection survives the reload"
    );
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("changed on disk")
    );
}

#[test]
fn a_damaged_keystore_is_shown_not_a_crash() {
    let (mut app, _) = sample_app();
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
    damage(&path);
    app.reload();
    assert!(
        app.load_error
            .as_ref()
            .unwrap()
            .contains("could not be decrypted")
    );
    assert_eq!(app.list.total(), 3, "the last good read stays on screen");
    assert!(app.banner());
}

/// The keystore file's length.
fn keystore_len(app: &App) -> u64 {
    std::fs::metadata(app.ctx.store.key_dir().unwrap().keystore_path())
        .unwrap()
        .len()
}

#[test]
fn a_byte_changed_in_place_is_noticed_by_the_next_poll() {
    let (mut app, _) = sample_app();
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
    let generation = app.ctx.store.generation().unwrap();
    // In the ciphertext, header and generation untouched; size and mtime as they were.
    flip_in_place(&path, keystore_len(&app) - 20);
    assert_eq!(app.ctx.store.generation().unwrap(), generation);
    app.tick(app.instant + Duration::from_millis(600));
    assert!(app.banner(), "noticed within a poll");
    assert!(
        app.load_error
            .as_ref()
            .unwrap()
            .contains("could not be decrypted")
    );
    let screen = screen_text(&app);
    assert!(
        screen.contains("The keystore file changed and cannot be read"),
        "the banner says so: {screen}"
    );
    assert_eq!(app.list.total(), 3, "the last good read stays on screen");
    assert!(screen.contains("stripe-prod"), "{screen}");
}

#[test]
fn a_damaged_copy_renamed_over_the_keystore_is_noticed_by_the_next_poll() {
    let (mut app, _) = sample_app();
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
    let good = path.with_extension("good");
    std::fs::copy(&path, &good).unwrap();
    let copy = path.with_extension("copy");
    std::fs::copy(&path, &copy).unwrap();
    // A salt byte (offset 12): the header still parses, generation and all.
    flip_in_place(&copy, 12);
    std::fs::rename(&copy, &path).unwrap();
    app.tick(app.instant + Duration::from_millis(600));
    assert!(
        app.banner() && app.unreadable_change,
        "noticed, and said so"
    );
    assert_eq!(app.list.total(), 3, "the last good read stays");

    // The good file put back: read again at the next poll, the banner gone.
    std::fs::rename(&good, &path).unwrap();
    app.tick(app.instant + Duration::from_millis(600));
    assert!(!app.banner() && !app.unreadable_change);
    assert_eq!(app.list.total(), 3);
}

#[test]
fn the_check_and_the_reload_it_asks_for_run_off_the_ui_thread() {
    let (sample, _) = sample_app();
    let mut app = background_app(sample.ctx.clone());
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
    flip_in_place(&path, keystore_len(&app) - 20);
    app.tick(app.instant + Duration::from_millis(600));
    assert!(app.loading(), "the file is read on a worker");
    assert!(app.wait_for_load(Duration::from_secs(10)));
    assert!(app.banner() && app.unreadable_change);
    assert_eq!(app.list.total(), 3);
}

#[test]
fn an_unchanged_keystore_is_not_reported_as_changed() {
    let (mut app, _) = sample_app();
    let start = app.instant;
    for poll in 1..=8 {
        app.tick(start + Duration::from_millis(600 * poll));
    }
    assert!(!app.banner());
    assert!(app.notice.is_none(), "{:?}", app.notice);
}
