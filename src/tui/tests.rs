//! State-change tests of the whole app: keys in, state and keystore out. Each drives the app
//! the way a user would (key events) over a real keystore in a temp dir, on a fixed clock,
//! with a fake clipboard.

use std::time::Duration;

use chrono::Duration as Days;
use crossterm::event::{Event, MouseButton, MouseEvent, MouseEventKind};

use apiauth_core::ops;

use super::app::{App, Modal, View};
use super::copy::ClipboardKind;
use super::form::FieldId;
use super::keys::Mode;
use super::testing::{self, app, context, entry, fill, flip_in_place, now, press, type_keys};

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

/// Generates an API key named `k` for service `s` through the form and copies it with `c`.
fn generate_and_copy(app: &mut App) {
    press(app, &["n"]);
    type_keys(app, "k");
    press(app, &["tab"]);
    type_keys(app, "s");
    press(app, &["enter", "c"]);
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
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
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
    generate_and_copy(&mut app);
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
    generate_and_copy(&mut app);
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
    assert_eq!(view.status, apiauth_core::model::Status::Revoked);
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
    let screen = screen_text(&app);
    assert!(screen.contains("Quit apiauth?"), "says it quits: {screen}");
    assert!(
        screen.contains("enter/y quits, esc/n goes back to the value"),
        "{screen}"
    );
    assert!(screen.contains("enter quit · esc back"), "{screen}");
    assert!(!screen.contains("Saved it?"), "{screen}");

    press(&mut app, &["esc"]);
    assert_eq!(app.mode(), Mode::Secret, "Esc goes back to the value");
    press(&mut app, &["enter"]);
    let screen = screen_text(&app);
    assert!(
        screen.contains("Saved it?") && !screen.contains("Quit apiauth?"),
        "Enter only dismisses: {screen}"
    );
    assert!(screen.contains("enter yes · esc back"), "{screen}");

    press(&mut app, &["ctrl-c"]);
    assert!(
        screen_text(&app).contains("Quit apiauth?"),
        "Ctrl-C here too"
    );
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

#[test]
fn a_termination_signal_quits_and_takes_the_secret_back_from_the_clipboard() {
    let (mut app, clipboard) = sample_app();
    generate_and_copy(&mut app);
    assert!(clipboard.0.lock().unwrap().is_some());
    app.terminate();
    assert!(app.should_quit(), "no \"saved it?\" on a signal");
    assert!(app.modal.is_none(), "the secret is dropped");
    assert_eq!(*clipboard.0.lock().unwrap(), None, "cleared");

    let (mut app, clipboard) = sample_app();
    generate_and_copy(&mut app);
    *clipboard.0.lock().unwrap() = Some("the user's own copy".into());
    app.terminate();
    assert!(app.should_quit());
    assert_eq!(
        clipboard.0.lock().unwrap().as_deref(),
        Some("the user's own copy"),
        "something copied since is left alone"
    );
}

fn open_import_with(app: &mut App, value: &str) {
    press(app, &["i"]);
    app.handle_event(Event::Paste(value.into()));
    press(app, &["tab"]);
    type_keys(app, "legacy");
    press(app, &["tab"]);
    type_keys(app, "billing");
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
    type_keys(&mut app, "billing");
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
    type_keys(&mut app, "wide-claims");
    press(&mut app, &["tab"]);
    type_keys(&mut app, "billing");
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
        type_keys(&mut app, text);
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
fn on_the_dashboard_rotate_revoke_and_copy_act_on_the_highlighted_row() {
    let (mut app, clipboard) = sample_app();
    assert_eq!(selected(&app), "old-search", "the table's selection");
    press(&mut app, &["tab", "j"]);
    let highlighted = app.list.data().dashboard.needs_action[app.dash.position];
    let highlighted = &app.list.data().views[highlighted as usize].entry;
    assert_eq!(highlighted.name, "stripe-prod");
    let title = |app: &App| app.modal.as_ref().unwrap().form().unwrap().title.clone();
    press(&mut app, &["r"]);
    assert_eq!(title(&app), "Rotate k_aaaaaaaaaaa1");
    press(&mut app, &["esc", "x"]);
    assert_eq!(title(&app), "Revoke k_aaaaaaaaaaa1");
    press(&mut app, &["esc", "y"]);
    assert_eq!(
        clipboard.0.lock().unwrap().as_deref(),
        Some("k_aaaaaaaaaaa1")
    );
    press(&mut app, &["x"]);
    type_keys(&mut app, "k_aaaaaaaaaaa1");
    press(&mut app, &["enter"]);
    assert!(app.modal.is_none());
    let revoked = ops::show(&app.ctx, "k_aaaaaaaaaaa1").unwrap();
    assert!(revoked.entry.revoked_at.is_some(), "the highlighted key");
    let other = ops::show(&app.ctx, "k_ccccccccccc3").unwrap();
    assert!(
        other.entry.revoked_at.is_none(),
        "not the table's selection"
    );
}

#[test]
fn ctrl_c_quits_while_the_filter_is_typed_and_q_is_text_there() {
    let (mut app, _) = sample_app();
    press(&mut app, &["/"]);
    type_keys(&mut app, "q");
    assert!(!app.should_quit());
    assert_eq!(app.list.query(), "q", "q types");
    press(&mut app, &["ctrl-c"]);
    assert!(app.should_quit());
}

#[test]
fn the_selection_comes_back_after_a_filter_that_matched_nothing() {
    let (mut app, _) = sample_app();
    press(&mut app, &["j"]);
    assert_eq!(selected(&app), "stripe-prod");
    press(&mut app, &["/"]);
    type_keys(&mut app, "zz");
    assert_eq!(app.list.len(), 0);
    press(&mut app, &["backspace", "backspace"]);
    assert_eq!(selected(&app), "stripe-prod", "not the first row");
}

#[test]
fn a_click_after_a_failed_reload_selects_the_row_drawn_there() {
    let ctx = context();
    let entries = (0..40)
        .map(|i| entry(&format!("k_{:012x}", i + 1), &format!("key-{i:02}"), "svc"))
        .collect();
    fill(&ctx, entries);
    let (mut app, _) = app(ctx, ClipboardKind::System);
    press(&mut app, &["G"]);
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    app.reload();
    assert!(
        app.banner(),
        "the reload failed; the banner takes rows from the table"
    );
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ratatui::widgets::Widget::render(&app, area, &mut buf);
    let rows = super::layout::table_rows(app.keys_layout().table);
    let drawn: String = (0..area.width)
        .map(|x| buf[(x, rows.y)].symbol().to_owned())
        .collect();
    app.handle_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: rows.y,
        modifiers: crossterm::event::KeyModifiers::NONE,
    }));
    let name = selected(&app);
    assert!(drawn.contains(&name), "clicked {drawn:?}, selected {name}");
}

#[test]
fn debug_output_never_shows_what_was_typed_or_pasted() {
    use super::form::{Edit, TextInput};
    use super::message::Message;
    let secret = "sk_live_canary_a1b2c3d4e5";
    let pasted = Message::FormEdit(Edit::Paste(zeroize::Zeroizing::new(secret.into())));
    for shown in [format!("{pasted:?}"), format!("{pasted:#?}")] {
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    let typed = Message::FormEdit(Edit::Char('s'));
    assert!(!format!("{typed:?}").contains("'s'"));

    let mut input = TextInput::new();
    input.edit(&Edit::Paste(secret.to_owned().into())).unwrap();
    assert!(!format!("{input:?}").contains("canary"));

    let (mut app, _) = sample_app();
    press(&mut app, &["i"]);
    app.handle_event(Event::Paste(secret.into()));
    type_keys(&mut app, "typed_tail");
    let shown = format!("{:#?}", app.modal);
    assert!(shown.contains("ImportForm"), "the form is there: {shown}");
    assert!(!shown.contains("canary"), "{shown}");
    assert!(!shown.contains("typed_tail"), "{shown}");
}

/// The sample keystore, in an app that loads and writes on worker threads, as the real one.
fn background_app(ctx: apiauth_core::ops::Context) -> App {
    let mut app = App::new(
        ctx,
        super::app::Settings {
            keymap: super::keys::Keymap::default(),
            color: false,
            clipboard: ClipboardKind::System,
            loading: super::app::Loading::Background,
        },
    );
    app.open_board = super::copy::fake::opener(&Default::default());
    app.reload();
    assert!(app.wait_for_load(Duration::from_secs(10)));
    app.handle_event(Event::Resize(80, 24));
    app
}

fn screen_text(app: &App) -> String {
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ratatui::widgets::Widget::render(app, area, &mut buf);
    buf.content().iter().map(|c| c.symbol()).collect()
}

#[test]
fn a_write_waiting_for_the_keystore_lock_does_not_freeze_the_screen() {
    let (sample, _) = sample_app();
    let ctx = sample.ctx.clone();
    let mut app = background_app(ctx.clone());
    let held = testing::hold_writers_lock(&ctx);
    press(&mut app, &["j", "x"]);
    type_keys(&mut app, "k_aaaaaaaaaaa1");
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
