//! The forms: what each checks and refuses, what it writes, and a write that waits for the
//! keystore's lock without freezing the screen.

use std::time::Duration;

use crossterm::event::Event;

use crate::tui::app::App;
use crate::tui::form::FieldId;
use crate::tui::keys::Mode;
use crate::tui::popups::Modal;
use crate::tui::testing::{self, background_app, press, type_text};
use apiauth_core::ops;

use super::{form_error, sample_app, screen_text, selected};

#[test]
fn escape_cancels_a_form_and_changes_nothing() {
    let (mut app, _) = sample_app();
    let generation = app.ctx.store.generation().unwrap();
    for open in ["n", "i", "r", "x"] {
        press(&mut app, &[open]);
        assert_eq!(app.mode(), Mode::Form, "{open}");
        type_text(&mut app, "something");
        press(&mut app, &["esc"]);
        assert!(app.modal.is_none());
    }
    assert_eq!(app.ctx.store.generation().unwrap(), generation);
}

#[test]
fn revoke_needs_the_typed_id() {
    let (mut app, _) = sample_app();
    press(&mut app, &["j", "x"]);
    type_text(&mut app, "k_aaaa");
    press(&mut app, &["enter"]);
    assert!(
        form_error(&app, FieldId::ConfirmId)
            .unwrap()
            .contains("exactly")
    );
    type_text(&mut app, "aaaaaaa1");
    press(&mut app, &["tab"]);
    type_text(&mut app, "leaked in CI");
    press(&mut app, &["enter"]);
    assert!(app.modal.is_none());
    let view = app.list.selected().unwrap();
    assert_eq!(
        view.entry.revocation_reason.as_deref(),
        Some("leaked in CI")
    );
    assert_eq!(view.status, apiauth_core::model::Status::Revoked);
}

#[test]
fn rotate_with_the_defaults_and_refusal_in_the_form() {
    let (mut app, _) = sample_app();
    press(&mut app, &["j", "r", "tab"]);
    type_text(&mut app, "forever");
    press(&mut app, &["enter"]);
    assert!(
        form_error(&app, FieldId::Grace)
            .unwrap()
            .contains("not a duration")
    );
    press(&mut app, &["esc", "r", "enter"]);
    let Some(Modal::Secret(secret)) = &app.modal else {
        panic!("rotating shows the new value");
    };
    assert!(secret.rotated);
    assert_eq!(secret.entry.version(), 2);
    press(&mut app, &["enter", "y"]);
    press(&mut app, &["x"]);
    type_text(&mut app, "k_aaaaaaaaaaa1");
    press(&mut app, &["enter", "r", "enter"]);
    let error = app
        .modal
        .as_ref()
        .unwrap()
        .form()
        .unwrap()
        .error
        .clone()
        .unwrap();
    assert!(error.contains("cannot be rotated"), "{error}");
}

#[test]
fn import_masks_and_records_only_the_hash() {
    let (mut app, _) = sample_app();
    press(&mut app, &["i"]);
    app.handle_event(Event::Paste("sk_live_abcdefghijklmnopqrstuvwxyz".into()));
    press(&mut app, &["tab"]);
    type_text(&mut app, "legacy");
    press(&mut app, &["tab"]);
    type_text(&mut app, "billing");
    press(&mut app, &["enter"]);
    assert!(app.modal.is_none());
    assert_eq!(selected(&app), "legacy");
    assert!(app.list.selected().unwrap().entry.imported);
}

fn open_import_with(app: &mut App, value: &str) {
    press(app, &["i"]);
    app.handle_event(Event::Paste(value.into()));
    press(app, &["tab"]);
    type_text(app, "legacy");
    press(app, &["tab"]);
    type_text(app, "billing");
    press(app, &["enter"]);
}

#[test]
fn import_refuses_a_pasted_value_it_would_have_to_alter() {
    let (mut app, _) = sample_app();
    open_import_with(&mut app, "sk_live_abc\u{200b}def");
    let error = form_error(&app, FieldId::Value).expect("refused next to the value");
    assert!(
        error.contains("whitespace or control characters"),
        "{error}"
    );
    assert_eq!(app.list.total(), 3, "nothing imported");

    let (mut app, _) = sample_app();
    open_import_with(&mut app, &"a".repeat(ops::MAX_IMPORT_LEN + 1));
    let error = form_error(&app, FieldId::Value).expect("refused next to the value");
    assert!(error.contains("longer than 16384 bytes"), "{error}");
    assert_eq!(app.list.total(), 3, "nothing imported");

    let (mut app, _) = sample_app();
    let longest = "b".repeat(ops::MAX_IMPORT_LEN);
    open_import_with(&mut app, &longest);
    assert!(app.modal.is_none(), "the longest allowed value is imported");
    let found = ops::verify(&app.ctx, &longest, &Default::default()).unwrap();
    assert_eq!(
        found.verdict,
        ops::Verdict::Valid,
        "the hash is of the whole value"
    );
}

#[test]
fn text_fields_keep_long_input_and_the_parsers_judge_it() {
    let (mut app, _) = sample_app();
    press(&mut app, &["n"]);
    app.handle_event(Event::Paste("n".repeat(140)));
    press(&mut app, &["tab"]);
    type_text(&mut app, "billing");
    press(&mut app, &["enter"]);
    assert_eq!(
        form_error(&app, FieldId::Name).as_deref(),
        Some("name is longer than 128 characters"),
        "refused as the CLI refuses it, not cut to 128"
    );
    assert_eq!(app.list.total(), 3);

    // Several claims of 1,000 characters each: more than 4,096 in all, as the CLI allows.
    let (mut app, _) = sample_app();
    press(&mut app, &["n", "shift-tab", "right", "tab"]);
    type_text(&mut app, "wide-claims");
    press(&mut app, &["tab"]);
    type_text(&mut app, "billing");
    while app.modal.as_ref().unwrap().form().unwrap().focused() != FieldId::Claims {
        press(&mut app, &["tab"]);
    }
    let claims: Vec<String> = (0..5)
        .map(|i| format!("c{i}={}", "v".repeat(1000)))
        .collect();
    app.handle_event(Event::Paste(claims.join(",")));
    press(&mut app, &["enter"]);
    let Some(Modal::Secret(secret)) = &app.modal else {
        panic!("the JWT is issued: {:?}", app.modal);
    };
    assert_eq!(secret.entry.claims.len(), 5);
    assert!(secret.entry.claims.values().all(|v| v.len() == 1000));
}

#[test]
fn the_cursor_follows_display_columns_of_wide_characters() {
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let cursor_after = |keys: &[&str], text: &str| {
        let (mut app, _) = sample_app();
        press(&mut app, keys);
        type_text(&mut app, text);
        app.cursor(area).expect("a text field has the cursor")
    };
    // Two wide characters take as many columns as four narrow ones.
    assert_eq!(cursor_after(&["/"], "日本"), cursor_after(&["/"], "abcd"));
    assert_eq!(cursor_after(&["n"], "日本"), cursor_after(&["n"], "abcd"));
    // Scrolled: the cursor stays in the box, at its last column or (a wide character not
    // fitting there) the one before.
    let wide = cursor_after(&["n"], &"名前".repeat(20));
    let narrow = cursor_after(&["n"], &"ab".repeat(40));
    assert!(
        wide.x + 1 == narrow.x || wide.x == narrow.x,
        "{wide:?} {narrow:?}"
    );
}

#[test]
fn a_write_waiting_for_the_keystore_lock_does_not_freeze_the_screen() {
    let (sample, _) = sample_app();
    let ctx = sample.ctx.clone();
    let mut app = background_app(ctx.clone());
    let held = testing::hold_writers_lock(&ctx);
    press(&mut app, &["j", "x"]);
    type_text(&mut app, "k_aaaaaaaaaaa1");
    let asked = std::time::Instant::now();
    press(&mut app, &["enter"]);
    assert!(
        asked.elapsed() < Duration::from_millis(500),
        "Enter returns at once: {:?}",
        asked.elapsed()
    );
    let form = app
        .modal
        .as_ref()
        .and_then(Modal::form)
        .expect("the form waits");
    assert_eq!(form.working, Some("Revoking…"));
    assert!(screen_text(&app).contains("Revoking… waiting for the keystore"));
    press(&mut app, &["esc"]);
    assert!(app.modal.is_some(), "Esc does not cancel a write under way");
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("cannot be cancelled"),
        "and says so"
    );
    app.tick(app.instant + Duration::from_millis(600));
    drop(held);
    assert!(
        app.wait_for_job(Duration::from_secs(10)),
        "the result arrives"
    );
    assert!(app.modal.is_none(), "revoked: the form closed");
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("Revoked k_aaaaaaaaaaa1")
    );
    let shown = ops::show(&app.ctx, "k_aaaaaaaaaaa1").unwrap();
    assert!(shown.entry.revoked_at.is_some());
}

#[test]
fn a_write_that_times_out_on_the_lock_is_shown_in_its_form() {
    let (sample, _) = sample_app();
    let mut ctx = sample.ctx.clone();
    ctx.store = apiauth_core::Store::from(
        ctx.store
            .key_dir()
            .unwrap()
            .clone()
            .with_lock_timeout(Duration::from_millis(200)),
    );
    let mut app = background_app(ctx.clone());
    let _held = testing::hold_writers_lock(&ctx);
    press(&mut app, &["j", "r", "enter"]);
    assert!(app.wait_for_job(Duration::from_secs(10)));
    let form = app
        .modal
        .as_ref()
        .and_then(Modal::form)
        .expect("the form stays");
    assert_eq!(form.working, None, "no longer working");
    let error = form.error.clone().unwrap_or_default();
    assert!(error.contains("lock"), "{error}");
    press(&mut app, &["esc"]);
    assert!(app.modal.is_none(), "and can be cancelled again");
}
