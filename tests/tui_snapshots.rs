//! Snapshots of every view and popup of the TUI, drawn into a `TestBackend` at 80×24 and at
//! 120×40, over a fixed keystore on a fixed clock. Values generated during a test (ids, hints,
//! hashes, the secret itself) are filtered out, so no plaintext key is ever in a snapshot.

use std::time::{Duration, Instant};

use apiauth::tui::App;
use apiauth::tui::testing::{
    app, damage, draw, fixture, generate, keystore, local_who, press, text, type_text,
};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Snapshots the app at both sizes, after `setup` ran at that size. When `setup` makes a
/// key, its random parts (value, id, hint, hash) are filtered out.
fn snap(name: &str, filled: bool, setup: impl Fn(&mut App)) {
    snap_with(name, filled, false, setup);
}

fn snap_with(name: &str, filled: bool, generates: bool, setup: impl Fn(&mut App)) {
    for (width, height) in SIZES {
        let (tmp, ctx) = keystore(filled);
        let mut app = app(ctx, false, width, height);
        setup(&mut app);
        let screen = text(&draw(&app, width, height));
        let fixture_ids: Vec<String> = fixture::ids();
        let dir = tmp.path().display().to_string();
        let mut filters = vec![
            (dir, "[tmp]".to_owned()),
            (regex_escape(&local_who()), "[user]@[host]".to_owned()),
        ];
        if generates {
            // Ids of the fixture are known and stay; only the new key's parts are filtered.
            let new_ids: Vec<String> = app
                .context()
                .store
                .load()
                .unwrap()
                .entries()
                .iter()
                .map(|e| e.id.to_string())
                .filter(|id| !fixture_ids.contains(id))
                .collect();
            for id in new_ids {
                filters.push((id[..8].to_owned() + "\\b", "k_[new]".into()));
                filters.push((id, "k_[new id]".into()));
            }
            filters.extend([
                (
                    r"\bak_[A-Za-z0-9_-]{43}\b".to_owned(),
                    "[API KEY]".to_owned(),
                ),
                (
                    r"\bak_[A-Za-z0-9_-]{4}(…|•)".to_owned(),
                    "ak_[hint]$1".to_owned(),
                ),
                (r"\b[0-9a-f]{12}…".to_owned(), "[hash]…".to_owned()),
                (r"eyJ…[A-Za-z0-9_-]{4}".to_owned(), "eyJ…[hint]".to_owned()),
                // A new key's hint and hash cut short by the popup over them.
                (
                    r"(Hint +)eyJ…[A-Za-z0-9_-]{0,3}│".to_owned(),
                    "${1}[cut]│".to_owned(),
                ),
                (
                    r"(Hash +)[0-9a-f]{1,11}│".to_owned(),
                    "${1}[cut]│".to_owned(),
                ),
                // A JWT's rows, and the claim values behind it.
                (r"[A-Za-z0-9_.-]{40,}".to_owned(), "[JWT]".to_owned()),
            ]);
        }
        insta::with_settings!({
            filters => filters.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>(),
            prepend_module_to_snapshot => false,
            snapshot_path => "snapshots/tui",
        }, {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
        });
    }
}

/// `text` as a regular expression matching itself.
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[test]
fn keys_table_and_detail() {
    snap("keys", true, |_| {});
}

#[test]
fn keys_filtered_while_typing() {
    snap("keys_filtering", true, |app| {
        press(app, &["/"]);
        type_text(app, "pay");
    });
}

#[test]
fn keys_sorted_by_status_reversed() {
    snap("keys_sorted", true, |app| press(app, &["s", "s", "s", "S"]));
}

#[test]
fn details_full_size() {
    snap("details", true, |app| press(app, &["j", "enter"]));
}

#[test]
fn empty_store() {
    snap("empty", false, |_| {});
}

#[test]
fn keystore_that_cannot_be_opened() {
    for (width, height) in SIZES {
        let (tmp, ctx) = keystore(true);
        std::fs::write(
            ctx.store.key_dir().unwrap().keystore_path(),
            b"not a keystore at all",
        )
        .unwrap();
        let app = app(ctx, false, width, height);
        let screen = text(&draw(&app, width, height));
        insta::with_settings!({
            filters => vec![(tmp.path().display().to_string().as_str(), "[tmp]")],
            prepend_module_to_snapshot => false,
            snapshot_path => "snapshots/tui",
        }, {
            insta::assert_snapshot!(format!("load_error_{width}x{height}"), screen);
        });
    }
}

/// Snapshots the keys view after the keystore's last byte was changed in place and `notice`
/// made the app read it again: the banner over the last good read.
fn damaged_snap(name: &str, notice: impl Fn(&mut App)) {
    for (width, height) in SIZES {
        let (tmp, ctx) = keystore(true);
        let mut app = app(ctx, false, width, height);
        let path = app.context().store.key_dir().unwrap().keystore_path();
        damage(&path);
        notice(&mut app);
        let screen = text(&draw(&app, width, height));
        let flat: String = screen
            .lines()
            .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains("the file was not modified"),
            "the fix hint at the end of the error is shown:\n{screen}"
        );
        assert!(flat.contains("stripe-live"), "the last good read stays");
        insta::with_settings!({
            filters => vec![(tmp.path().display().to_string().as_str(), "[tmp]")],
            prepend_module_to_snapshot => false,
            snapshot_path => "snapshots/tui",
        }, {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
        });
    }
}

#[test]
fn reload_that_fails_shows_the_whole_error_in_its_banner() {
    damaged_snap("reload_error", |app| app.reload());
}

#[test]
fn a_keystore_changed_on_disk_is_noticed_and_the_banner_says_so() {
    damaged_snap("changed_on_disk", |app| {
        app.tick(Instant::now() + Duration::from_millis(600));
    });
}

#[test]
fn audit_dashboard() {
    snap("dashboard", true, |app| press(app, &["tab", "j"]));
}

#[test]
fn help_overlay() {
    snap("help", true, |app| press(app, &["?"]));
}

#[test]
fn generate_form() {
    snap("generate", true, |app| press(app, &["n"]));
}

#[test]
fn generate_form_with_errors() {
    snap("generate_errors", true, |app| {
        press(app, &["n", "tab", "tab"]);
        type_text(app, "prod env");
        press(app, &["tab"]);
        type_text(app, "0");
        press(app, &["tab", "tab"]);
        type_text(app, "a_b");
        press(app, &["enter"]);
    });
}

#[test]
fn generate_jwt_form() {
    snap("generate_jwt", true, |app| {
        press(app, &["n", "shift-tab", "right"])
    });
}

#[test]
fn import_form_masks_the_value() {
    snap("import", true, |app| {
        press(app, &["i"]);
        type_text(app, "sk_live_51Habcdefghijkl");
        press(app, &["tab"]);
        type_text(app, "legacy-billing");
    });
}

#[test]
fn rotate_form() {
    snap("rotate", true, |app| press(app, &["r"]));
}

#[test]
fn revoke_form_with_a_wrong_id() {
    snap("revoke", true, |app| {
        press(app, &["x"]);
        type_text(app, "k_3f2a");
        press(app, &["enter"]);
    });
}

fn generated(app: &mut App) {
    generate(app, "new-service-key");
}

#[test]
fn secret_masked() {
    snap_with("secret_masked", true, true, generated);
}

#[test]
fn secret_revealed_and_copied_over_osc52() {
    snap_with("secret_revealed", true, true, |app| {
        generated(app);
        press(app, &["v", "c"]);
    });
}

#[test]
fn secret_saved_it_question() {
    snap_with("secret_confirm", true, true, |app| {
        generated(app);
        press(app, &["c", "enter"]);
    });
}

#[test]
fn secret_ctrl_c_asks_before_quitting() {
    snap_with("secret_quit", true, true, |app| {
        generated(app);
        press(app, &["ctrl-c"]);
    });
}

#[test]
fn secret_after_rotate() {
    snap_with("secret_rotated", true, true, |app| {
        press(app, &["r", "enter"])
    });
}

/// Generates a JWT of about 5.7 KB (four claims of 1,000 characters) through the form.
fn generated_long_jwt(app: &mut App) {
    press(app, &["n", "shift-tab", "right", "tab"]);
    type_text(app, "big-token");
    press(app, &["tab"]);
    type_text(app, "payments");
    press(app, &["tab", "tab", "tab", "tab", "tab"]);
    let claims: Vec<String> = (0..4)
        .map(|i| format!("c{i}={}", "v".repeat(1000)))
        .collect();
    app.handle_event(crossterm::event::Event::Paste(claims.join(",")));
    press(app, &["enter", "v"]);
}

#[test]
fn secret_revealed_long_jwt_keeps_its_hints_on_screen() {
    snap_with("secret_long_jwt", true, true, generated_long_jwt);
    for (width, height) in SIZES {
        let (_tmp, ctx) = keystore(true);
        let mut app = app(ctx, false, width, height);
        generated_long_jwt(&mut app);
        let screen = text(&draw(&app, width, height));
        assert!(
            screen.contains("more characters — press c to copy"),
            "{screen}"
        );
        assert!(screen.contains("This is the only time"), "{screen}");
        assert!(screen.contains("v reveal"), "the key hints show: {screen}");
        let rows: Vec<&str> = screen.lines().collect();
        let bottom = rows.iter().rposition(|r| r.contains('╰')).unwrap();
        assert!(
            rows[bottom - 1].contains("v reveal"),
            "hints on the last row"
        );
    }
}

#[test]
fn the_revealed_value_is_on_screen_and_the_masked_one_is_not() {
    let (_tmp, ctx) = keystore(true);
    let mut app = app(ctx, false, 80, 24);
    generated(&mut app);
    let masked = text(&draw(&app, 80, 24));
    let find = regex_lite(&masked);
    assert!(find.is_none(), "no value on screen while masked");
    press(&mut app, &["v"]);
    let revealed = text(&draw(&app, 80, 24));
    let value = regex_lite(&revealed).expect("the value is on screen once revealed");
    let verdict = apiauth_core::ops::verify(app_ctx(&app), &value, &Default::default()).unwrap();
    assert_eq!(verdict.verdict, apiauth_core::ops::Verdict::Valid);
}

fn app_ctx(app: &App) -> &apiauth_core::ops::Context {
    app.context()
}

/// The first `ak_` + 43 base64url characters on screen.
fn regex_lite(screen: &str) -> Option<String> {
    let start = screen.find("ak_")?;
    let candidate: String = screen[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (candidate.len() == 46).then_some(candidate)
}

#[test]
fn any_terminal_size_draws_without_panicking() {
    let states: [&[&str]; 7] = [
        &[],
        &["tab"],
        &["?"],
        &["n"],
        &["x"],
        &["enter"],
        &["/", "p"],
    ];
    for keys in states {
        for (width, height) in [
            (1, 1),
            (10, 3),
            (20, 5),
            (33, 8),
            (45, 12),
            (60, 15),
            (200, 60),
        ] {
            let (_tmp, ctx) = keystore(true);
            let mut app = app(ctx, true, width, height);
            press(&mut app, keys);
            press(&mut app, &["j", "pgdn", "end"]);
            draw(&app, width, height);
        }
    }
    let (_tmp, ctx) = keystore(true);
    let mut app = app(ctx, true, 20, 5);
    generated(&mut app);
    press(&mut app, &["v", "c", "enter"]);
    draw(&app, 20, 5);
}
