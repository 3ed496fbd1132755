//! The key table and the dashboard: filtering as you type, sorting, moving with keys and the
//! mouse, and the dashboard's "needs action" rows as what rotate, revoke and copy act on.

use crossterm::event::{Event, MouseButton, MouseEvent, MouseEventKind};

use crate::tui::app::{App, View};
use crate::tui::copy::ClipboardKind;
use crate::tui::keys::Mode;
use crate::tui::testing::{app_copying_to, context, damage, entry, fill, press, type_text};
use apiauth_core::ops;

use super::{sample_app, screen_text, selected};

#[test]
fn filter_as_you_type_then_keep_or_clear() {
    let (mut app, _) = sample_app();
    assert_eq!(app.list.len(), 3);
    press(&mut app, &["/"]);
    assert_eq!(app.mode(), Mode::Filter);
    type_text(&mut app, "pay");
    assert_eq!(app.list.len(), 1);
    assert_eq!(selected(&app), "stripe-prod");
    press(&mut app, &["enter"]);
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(app.list.query(), "pay", "Enter keeps the filter");
    press(&mut app, &["/", "backspace", "backspace", "backspace"]);
    type_text(&mut app, "prod");
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
fn ctrl_c_quits_while_the_filter_is_typed_and_q_is_text_there() {
    let (mut app, _) = sample_app();
    press(&mut app, &["/"]);
    type_text(&mut app, "q");
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
    type_text(&mut app, "zz");
    assert_eq!(app.list.len(), 0);
    press(&mut app, &["backspace", "backspace"]);
    assert_eq!(selected(&app), "stripe-prod", "not the first row");
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
    let rows = crate::tui::layout::table_rows(app.keys_layout().table);
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
fn a_click_after_a_failed_reload_selects_the_row_drawn_there() {
    let ctx = context();
    let entries = (0..40)
        .map(|i| entry(&format!("k_{:012x}", i + 1), &format!("key-{i:02}"), "svc"))
        .collect();
    fill(&ctx, entries);
    let (mut app, _) = app_copying_to(ctx, ClipboardKind::System);
    press(&mut app, &["G"]);
    let path = app.ctx.store.key_dir().unwrap().keystore_path();
    damage(&path);
    app.reload();
    assert!(
        app.banner(),
        "the reload failed; the banner takes rows from the table"
    );
    let rows = crate::tui::layout::table_rows(app.keys_layout().table);
    let screen = screen_text(&app);
    let drawn = screen.lines().nth(usize::from(rows.y)).unwrap().to_owned();
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
fn the_dashboard_jumps_to_a_key_needing_action() {
    let (mut app, _) = sample_app();
    press(&mut app, &["/"]);
    type_text(&mut app, "mailer");
    press(&mut app, &["enter", "tab"]);
    assert_eq!(app.view, View::Dashboard);
    assert_eq!(app.list.data().dashboard.needs_action.len(), 2);
    press(&mut app, &["j", "enter"]);
    assert_eq!(app.view, View::Keys);
    assert_eq!(app.list.query(), "", "the filter is cleared to show it");
    assert_eq!(selected(&app), "stripe-prod");
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
    type_text(&mut app, "k_aaaaaaaaaaa1");
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
