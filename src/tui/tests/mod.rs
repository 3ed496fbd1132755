//! State-change tests of the whole app: keys in, state and keystore out. Each drives the app
//! the way a user would (key events) over a real keystore in a temp dir, on a fixed clock,
//! with a fake clipboard.

mod browse;
mod forms;
mod reload;
mod secret;

use chrono::Duration as Days;

use super::app::App;
use super::copy::ClipboardKind;
use super::form::FieldId;
use super::testing::clipboard::Shared;
use super::testing::{app_copying_to, context, draw, entry, fill, generate, now, press, text};

/// An app over three keys (expiring in 3 days, healthy, expired), copying to the returned fake
/// system clipboard.
fn sample_app() -> (App, Shared) {
    let ctx = context();
    let mut a = entry("k_aaaaaaaaaaa1", "stripe-prod", "payments");
    a.env = Some("prod".into());
    a.expires_at = Some(now() + Days::days(3));
    let mut b = entry("k_bbbbbbbbbbb2", "mailer", "email");
    b.expires_at = Some(now() + Days::days(60));
    let mut c = entry("k_ccccccccccc3", "old-search", "search");
    c.expires_at = Some(now() - Days::days(2));
    fill(&ctx, vec![a, b, c]);
    app_copying_to(ctx, ClipboardKind::System)
}

/// Generates an API key named `k` through the form and copies it with `c`.
fn generate_and_copy(app: &mut App) {
    generate(app, "k");
    press(app, &["c"]);
}

/// The screen at 80×24, as text.
fn screen_text(app: &App) -> String {
    text(&draw(app, 80, 24))
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
