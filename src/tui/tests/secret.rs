//! The one-time secret display: shown once, copied and taken back from the clipboard, asked
//! about before it is dropped, dropped on a signal; and nothing typed or pasted in a `Debug`.

use std::time::Duration;

use crossterm::event::Event;

use crate::tui::copy::ClipboardKind;
use crate::tui::form::FieldId;
use crate::tui::keys::Mode;
use crate::tui::popups::Modal;
use crate::tui::testing::{app_copying_to, context, entry, fill, generate, press, type_text};
use apiauth_core::ops;

use super::{form_error, generate_and_copy, sample_app, screen_text, selected};

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
    type_text(&mut app, "new-key");
    press(&mut app, &["tab"]);
    type_text(&mut app, "billing");
    press(&mut app, &["tab"]);
    type_text(&mut app, "prod");
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
    let (mut app, clipboard) = app_copying_to(ctx, ClipboardKind::Osc52);
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
fn ctrl_c_on_the_secret_asks_first_then_quits() {
    let (mut app, _) = sample_app();
    generate(&mut app, "k");
    press(&mut app, &["ctrl-c"]);
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

#[test]
fn debug_output_never_shows_what_was_typed_or_pasted() {
    use crate::tui::message::Message;
    use crate::tui::text::{Edit, TextInput};
    let secret = "sk_live_canary_a1b2c3d4e5";
    let pasted = Message::Edit(Edit::Paste(zeroize::Zeroizing::new(secret.into())));
    for shown in [format!("{pasted:?}"), format!("{pasted:#?}")] {
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    let typed = Message::Edit(Edit::Char('s'));
    assert!(!format!("{typed:?}").contains("'s'"));

    let mut input = TextInput::new();
    input.edit(&Edit::Paste(secret.to_owned().into())).unwrap();
    assert!(!format!("{input:?}").contains("canary"));

    let (mut app, _) = sample_app();
    press(&mut app, &["i"]);
    app.handle_event(Event::Paste(secret.into()));
    type_text(&mut app, "typed_tail");
    let shown = format!("{:#?}", app.modal);
    assert!(shown.contains("ImportForm"), "the form is there: {shown}");
    assert!(!shown.contains("canary"), "{shown}");
    assert!(!shown.contains("typed_tail"), "{shown}");
}
