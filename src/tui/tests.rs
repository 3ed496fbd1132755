//! State-change tests of the whole app: keys in, state and keystore out. Each drives the app
//! the way a user would (key events) over a real keystore in a temp dir, on a fixed clock,
//! with a fake clipboard.

use std::time::Duration;

use chrono::Duration as Days;
use crossterm::event::{Event, MouseButton, MouseEvent, MouseEventKind};

use crate::ops;

use super::app::{App, Modal, View};
use super::copy::ClipboardKind;
use super::form::FieldId;
use super::keys::Mode;
use super::testing::{app, context, entry, fill, now, press, type_keys};

fn sample_app() -> (App, super::copy::fake::Shared) {
    let ctx = context();
    let mut a = entry("k_aaaaaaaaaaa1", "stripe-prod", "payments");
    a.env = Some("prod".into());
    a.expires_at = Some(now() + Days::days(3));
    let mut b = entry("k_bbbbbbbbbbb2", "mailer", "email");
    b.expires_at = Some(now() + Days::days(60));
    let mut c = entry("k_ccccccccccc3", "old-search", "search");
    c.expires_at = Some(now() - Days::days(2));
    fill(&ctx, vec![a, b, c]);
    app(ctx, ClipboardKind::System)
}

fn selected(app: &App) -> String {
    app.list
        .selected()
        .map(|v| v.entry.name.clone())
        .unwrap_or_default()
}

fn form_error(app: &App, id: FieldId) -> Option<String> {
    app.modal.as_ref()?.form()?.field(id).error.clone()
}

#[test]
fn filter_as_you_type_then_keep_or_clear() {
    let (mut app, _) = sample_app();
    assert_eq!(app.list.len(), 3);
    press(&mut app, &["/"]);
    assert_eq!(app.mode(), Mode::Filter);
    type_keys(&mut app, "pay");
    assert_eq!(app.list.len(), 1);
    assert_eq!(selected(&app), "stripe-prod");
    press(&mut app, &["enter"]);
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(app.list.query(), "pay", "Enter keeps the filter");
    press(&mut app, &["/", "backspace", "backspace", "backspace"]);
    type_keys(&mut app, "prod");
    assert_eq!(app.list.len(), 1, "env matches");
    press(&mut app, &["esc"]);
    assert_eq!(app.list.query(), "");
    assert_eq!(app.list.len(), 3);
    assert_eq!(app.mode(), Mode::Browse);
}

#[test]
fn sort_cycles_and_reverses_keeping_the_selection() {
    let (mut app, _) = sample_app();
    assert_eq!(
        selected(&app),
        "old-search",
        "sorted by expiry, soonest first"
    );
    press(&mut app, &["j"]);
    assert_eq!(selected(&app), "stripe-prod");
    press(&mut app, &["s"]);
    assert_eq!(app.list.sort().0.label(), "name");
    assert_eq!(selected(&app), "stripe-prod");
    assert_eq!(app.list.cursor(), 2);
    press(&mut app, &["S"]);
    assert_eq!(app.list.cursor(), 0);
    press(&mut app, &["G"]);
    assert_eq!(selected(&app), "mailer");
    press(&mut app, &["g"]);
    assert_eq!(selected(&app), "stripe-prod");
}

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
    let path = app.ctx.store.keystore_path();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
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

#[test]
fn generate_shows_the_secret_once_then_it_is_gone() {
    let (mut app, clipboard) = sample_app();
    press(&mut app, &["n"]);
    assert_eq!(app.mode(), Mode::Form);
    press(&mut app, &["enter"]);
    assert_eq!(
        form_error(&app, FieldId::Name).as_deref(),
        Some("name must not be empty")
    );
    type_keys(&mut app, "new-key");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "billing");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "prod");
    press(&mut app, &["enter"]);
    let Some(Modal::Secret(secret)) = &app.modal else {
        panic!("the secret display opens");
    };
    let value = secret.secret().expose().to_owned();
    assert!(value.starts_with("ak_"));
    assert_eq!(app.list.total(), 4);
    assert_eq!(
        selected(&app),
        "new-key",
        "the new key is selected behind the popup"
    );

    press(&mut app, &["v"]);
    assert!(matches!(&app.modal, Some(Modal::Secret(s)) if s.revealed));
    press(&mut app, &["c"]);
    assert_eq!(clipboard.0.lock().unwrap().as_deref(), Some(value.as_str()));
    press(&mut app, &["enter"]);
    assert_eq!(app.mode(), Mode::Confirm, "asks saved it?");
    press(&mut app, &["esc"]);
    assert_eq!(app.mode(), Mode::Secret, "Esc goes back to the secret");
    press(&mut app, &["enter", "y"]);
    assert!(app.modal.is_none());
    assert_eq!(*clipboard.0.lock().unwrap(), None, "cleared on dismissal");
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("clipboard was cleared")
    );
    let verified = ops::verify(&app.ctx, &value, &Default::default()).unwrap();
    assert_eq!(verified.verdict, ops::Verdict::Valid);
}

#[test]
fn the_clipboard_countdown_clears_only_our_value() {
    let (mut app, clipboard) = sample_app();
    press(&mut app, &["n"]);
    type_keys(&mut app, "k");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "s");
    press(&mut app, &["enter", "c"]);
    let start = app.instant;
    app.tick(start + Duration::from_secs(29));
    assert!(clipboard.0.lock().unwrap().is_some());
    app.tick(start + Duration::from_secs(30));
    assert_eq!(*clipboard.0.lock().unwrap(), None, "cleared after 30 s");

    press(&mut app, &["c"]);
    *clipboard.0.lock().unwrap() = Some("the user's own copy".into());
    app.tick(app.instant + Duration::from_secs(31));
    assert_eq!(
        clipboard.0.lock().unwrap().as_deref(),
        Some("the user's own copy"),
        "something copied since is left alone"
    );
}

#[test]
fn over_ssh_the_copy_is_an_osc52_sequence_and_never_cleared() {
    let ctx = context();
    fill(&ctx, vec![entry("k_aaaaaaaaaaa1", "a", "s")]);
    let (mut app, clipboard) = app(ctx, ClipboardKind::Osc52);
    press(&mut app, &["n"]);
    type_keys(&mut app, "k");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "s");
    press(&mut app, &["enter", "c"]);
    let out = app.take_terminal_output();
    assert_eq!(out.len(), 1);
    assert!(out[0].starts_with("\x1b]52;c;"));
    app.tick(app.instant + Duration::from_secs(60));
    assert!(app.take_terminal_output().is_empty(), "no blind clear");
    press(&mut app, &["enter", "enter"]);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("clear it yourself")
    );
    assert!(
        clipboard.0.lock().unwrap().is_none(),
        "the system clipboard was not touched"
    );
}

#[test]
fn escape_cancels_a_form_and_changes_nothing() {
    let (mut app, _) = sample_app();
    let generation = app.ctx.store.generation().unwrap();
    for open in ["n", "i", "r", "x"] {
        press(&mut app, &[open]);
        assert_eq!(app.mode(), Mode::Form, "{open}");
        type_keys(&mut app, "something");
        press(&mut app, &["esc"]);
        assert!(app.modal.is_none());
    }
    assert_eq!(app.ctx.store.generation().unwrap(), generation);
}

#[test]
fn revoke_needs_the_typed_id() {
    let (mut app, _) = sample_app();
    press(&mut app, &["j", "x"]);
    type_keys(&mut app, "k_aaaa");
    press(&mut app, &["enter"]);
    assert!(
        form_error(&app, FieldId::ConfirmId)
            .unwrap()
            .contains("exactly")
    );
    type_keys(&mut app, "aaaaaaa1");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "leaked in CI");
    press(&mut app, &["enter"]);
    assert!(app.modal.is_none());
    let view = app.list.selected().unwrap();
    assert_eq!(
        view.entry.revocation_reason.as_deref(),
        Some("leaked in CI")
    );
    assert_eq!(view.status, crate::model::Status::Revoked);
}

#[test]
fn rotate_with_the_defaults_and_refusal_in_the_form() {
    let (mut app, _) = sample_app();
    press(&mut app, &["j", "r", "tab"]);
    type_keys(&mut app, "forever");
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
    type_keys(&mut app, "k_aaaaaaaaaaa1");
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
fn ctrl_c_on_the_secret_asks_first_then_quits() {
    let (mut app, _) = sample_app();
    press(&mut app, &["n"]);
    type_keys(&mut app, "k");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "s");
    press(&mut app, &["enter", "ctrl-c"]);
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(!app.should_quit());
    press(&mut app, &["y"]);
    assert!(app.should_quit());
}

#[test]
fn mouse_selects_rows_scrolls_and_switches_tabs() {
    let (mut app, _) = sample_app();
    let click = |x, y| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: crossterm::event::KeyModifiers::NONE,
        })
    };
    let rows = super::layout::table_rows(app.keys_layout().table);
    app.handle_event(click(5, rows.y + 2));
    assert_eq!(app.list.cursor(), 2);
    app.handle_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 5,
        row: rows.y,
        modifiers: crossterm::event::KeyModifiers::NONE,
    }));
    assert_eq!(app.list.cursor(), 0);
    app.handle_event(click(18, 0));
    assert_eq!(app.view, View::Dashboard);
    app.handle_event(click(10, 0));
    assert_eq!(app.view, View::Keys);
}

#[test]
fn the_dashboard_jumps_to_a_key_needing_action() {
    let (mut app, _) = sample_app();
    press(&mut app, &["/"]);
    type_keys(&mut app, "mailer");
    press(&mut app, &["enter", "tab"]);
    assert_eq!(app.view, View::Dashboard);
    assert_eq!(app.list.data().dashboard.needs_action.len(), 2);
    press(&mut app, &["j", "enter"]);
    assert_eq!(app.view, View::Keys);
    assert_eq!(app.list.query(), "", "the filter is cleared to show it");
    assert_eq!(selected(&app), "stripe-prod");
}

#[test]
fn import_masks_and_records_only_the_hash() {
    let (mut app, _) = sample_app();
    press(&mut app, &["i"]);
    app.handle_event(Event::Paste("sk_live_abcdefghijklmnopqrstuvwxyz".into()));
    press(&mut app, &["tab"]);
    type_keys(&mut app, "legacy");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "billing");
    press(&mut app, &["enter"]);
    assert!(app.modal.is_none());
    assert_eq!(selected(&app), "legacy");
    assert!(app.list.selected().unwrap().entry.imported);
}
