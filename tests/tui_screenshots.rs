//! The screenshots in `assets/` (used by the README), drawn from the real app over the
//! fixture keystore and written as SVG from the buffer's cells and colours.
//!
//! `APIAUTH_UPDATE_SCREENSHOTS=1 cargo test --test tui_screenshots` rewrites them; otherwise
//! this test fails when a screenshot no longer matches what the app draws.

use std::fmt::Write as _;
use std::path::PathBuf;

use apiauth::tui::App;
use apiauth::tui::testing::{app, draw, generate, keystore, local_who, press, type_text};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const WIDTH: u16 = 110;
const HEIGHT: u16 = 32;
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;
const BACKGROUND: &str = "#1d2021";
const FOREGROUND: &str = "#d5c4a1";

fn color(c: Color, fallback: &'static str) -> String {
    match c {
        Color::Reset => fallback,
        Color::Black => "#282828",
        Color::Red => "#fb4934",
        Color::Green => "#b8bb26",
        Color::Yellow => "#fabd2f",
        Color::Blue => "#458588",
        Color::Magenta => "#d3869b",
        Color::Cyan => "#8ec07c",
        Color::Gray => "#a89984",
        Color::DarkGray => "#665c54",
        Color::LightRed => "#fb4934",
        Color::LightGreen => "#b8bb26",
        Color::LightYellow => "#fabd2f",
        Color::LightBlue => "#83a598",
        Color::LightMagenta => "#d3869b",
        Color::LightCyan => "#8ec07c",
        Color::White => "#fbf1c7",
        Color::Rgb(r, g, b) => return format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(_) => fallback,
    }
    .to_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The buffer as an SVG: a background rectangle per run of cells with a background colour,
/// and a text element per run of cells with the same style, each placed at its cell.
fn svg(buffer: &Buffer) -> String {
    let (w, h) = (buffer.area.width, buffer.area.height);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" viewBox="0 0 {:.0} {:.0}" font-family="'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace" font-size="14">"#,
        f32::from(w) * CELL_W + 20.0,
        f32::from(h) * CELL_H + 20.0,
        f32::from(w) * CELL_W + 20.0,
        f32::from(h) * CELL_H + 20.0,
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" rx="6" fill="{BACKGROUND}"/>"#
    );
    let _ = writeln!(
        out,
        r#"<g transform="translate(10 10)" xml:space="preserve">"#
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buffer[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (color(cell.fg, FOREGROUND), color(cell.bg, BACKGROUND));
            if reversed {
                std::mem::swap(&mut fg, &mut bg);
            }
            let style = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < w {
                let c = &buffer[(x, y)];
                if (c.fg, c.bg, c.modifier) != style {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let len = x - start;
            let (px, py) = (f32::from(start) * CELL_W, f32::from(y) * CELL_H);
            if bg != BACKGROUND {
                let _ = writeln!(
                    out,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{:.1}" height="{CELL_H:.1}" fill="{bg}"/>"#,
                    f32::from(len) * CELL_W
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let mut attrs = format!(r#"fill="{fg}""#);
            if style.2.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if style.2.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            if style.2.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = writeln!(
                out,
                r#"<text x="{px:.1}" y="{:.1}" textLength="{:.1}" lengthAdjust="spacing" {attrs}>{}</text>"#,
                py + CELL_H - 5.0,
                f32::from(len) * CELL_W,
                escape(&text)
            );
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// Replaces what differs between runs (a generated key's id, even partly covered, its hint and
/// its hash) with fixed text.
fn normalized(svg: &str) -> String {
    let chars: Vec<char> = svg.chars().collect();
    let hex = |from: usize, n: usize| {
        chars.len() >= from + n && chars[from..from + n].iter().all(|c| c.is_ascii_hexdigit())
    };
    let mut out = String::with_capacity(svg.len());
    let mut i = 0;
    while i < chars.len() {
        let next = |k: usize| chars.get(i + k).copied();
        if next(0) == Some('k') && next(1) == Some('_') && hex(i + 2, 1) {
            out.push_str("k_#");
            i += 2;
            while i < chars.len() && chars[i].is_ascii_hexdigit() {
                i += 1;
            }
        } else if chars[i..].starts_with(&['a', 'k', '_']) && matches!(next(7), Some('…' | '•'))
        {
            out.push_str("ak_0000");
            i += 7;
        } else if hex(i, 12) && next(12) == Some('…') {
            out.push_str("000000000000");
            i += 12;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn shot(name: &str, setup: impl Fn(&mut App)) {
    let (tmp, ctx) = keystore(true);
    let dir = ctx.store.describe();
    let mut app = app(ctx, true, WIDTH, HEIGHT);
    setup(&mut app);
    // The key directory as it is on a real machine, not the test's temp dir, and the records
    // this machine wrote under the fixture's operator rather than whoever runs the test.
    let drawn = svg(draw(&app, WIDTH, HEIGHT).backend().buffer())
        .replace(&dir, "~/.local/share/apiauth")
        .replace(&local_who(), "ops@admin-1");
    drop(tmp);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(format!("tui-{name}.svg"));
    if std::env::var_os("APIAUTH_UPDATE_SCREENSHOTS").is_some() {
        std::fs::write(&path, drawn).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        normalized(&stored) == normalized(&drawn),
        "{} is out of date: run APIAUTH_UPDATE_SCREENSHOTS=1 cargo test --test tui_screenshots",
        path.display()
    );
}

#[test]
fn screenshots_match_the_app() {
    shot("keys", |app| press(app, &["j", "j"]));
    shot("dashboard", |app| press(app, &["tab"]));
    shot("generate", |app| {
        press(app, &["n"]);
        type_text(app, "stripe-live");
        press(app, &["tab"]);
        type_text(app, "payments");
        press(app, &["tab"]);
        type_text(app, "prod env");
        press(app, &["enter"]);
    });
    shot("secret", |app| {
        generate(app, "checkout-service");
        press(app, &["c"]);
    });
    shot("revoke", |app| {
        press(app, &["x"]);
        type_text(app, "k_6a7b8c9d0e1f");
        press(app, &["tab"]);
        type_text(app, "replaced by the batch v2 key");
    });
    shot("help", |app| press(app, &["?"]));
}

#[test]
fn normalizing_hides_only_generated_parts() {
    assert_eq!(
        normalized("x k_0123456789ab ak_Qm4Z••• ak_test k_12 k_x ab12cd34ef56… ak_x9Zq…"),
        "x k_# ak_0000••• ak_test k_# k_x 000000000000… ak_0000…"
    );
}
