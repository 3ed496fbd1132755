//! The terminal UI (DESIGN.md §5): a key table with a detail pane, an audit dashboard, forms
//! for generate / import / rotate / revoke, and the one-time secret display.
//!
//! It is built the way ratatui's own examples and gitui are:
//!
//! - state is plain data ([`App`]); key and mouse handlers only turn events into messages
//!   (`input.rs`), and `update.rs` is the one place state changes;
//! - drawing is `impl Widget for &App` (`views/`), a pure read that builds only what is on
//!   screen: no I/O, no decrypting;
//! - every action goes through [`crate::ops`], as the CLI's do; loads of the keystore run on
//!   a worker thread and come back as a message; the keystore file's generation is polled so
//!   that changes by other processes show within a second;
//! - keys are data ([`keys`]): one table drives the handlers, the help overlay, the status bar
//!   and the docs, and `config.toml` can rebind any action;
//! - one file per popup (`popups/`), one style struct (`theme.rs`).

mod app;
mod copy;
mod data;
mod form;
mod input;
pub mod keys;
mod layout;
mod list;
mod message;
mod popups;
mod terminal;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod theme;
mod update;
mod views;

pub use app::{App, Loading, Settings};
pub use copy::ClipboardKind;

use crate::error::{Error, Result};
use crate::ops::Context;

/// Opens the terminal UI over `ctx` and runs it until the user quits. Colours are off when
/// `no_color` (the caller folds in `--no-color` and `NO_COLOR`) or the config's theme is
/// `mono`.
///
/// Errors before the UI opens (a bad `[keys]` table, no usable terminal) are returned; errors
/// once it is open (a locked or damaged keystore) are shown in it.
pub fn run(ctx: Context, no_color: bool) -> Result<()> {
    let keymap = keys::Keymap::from_config(&ctx.config.keys)
        .map_err(|message| Error::invalid("config.toml [keys]", message))?;
    let settings = Settings {
        keymap,
        color: !no_color && ctx.config.theme != crate::config::Theme::Mono,
        clipboard: ClipboardKind::detect(),
        loading: Loading::Background,
    };
    let mut app = App::new(ctx, settings);
    app.reload();
    let mut session =
        terminal::Session::enter().map_err(|e| Error::io("set up", "the terminal", e))?;
    let result = terminal::run(&mut session, &mut app);
    drop(session);
    result.map_err(|e| Error::io("draw on", "the terminal", e))
}
