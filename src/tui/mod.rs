//! The terminal UI (DESIGN.md §5): a key table with a detail pane, an audit dashboard, forms
//! for generate / import / rotate / revoke, and the one-time secret display.
//!
//! It is built the way ratatui's own examples and gitui are:
//!
//! - state is plain data ([`App`]); input handlers only turn events into messages
//!   (`input.rs`): a key into the one [`Action`](keys::Action) its mode binds it to, typing,
//!   the mouse and time into messages of their own; `update.rs` is the one place state
//!   changes;
//! - drawing is `impl Widget for &App` (`views/`), a pure read that builds only what is on
//!   screen: no I/O, no decrypting;
//! - every action goes through [`apiauth_core::ops`], as the CLI's do; loads of the keystore and the
//!   forms' writes (`job.rs`) run on worker threads and come back as messages, so a keystore
//!   locked by another process never freezes the screen; the keystore file is watched
//!   (`watch.rs`) so that any change to it, by another apiauth or by anything else, shows
//!   within a second;
//! - keys are data ([`keys`]): one table drives the handlers, the help overlay, the status bar
//!   and the docs, and `config.toml` can rebind any action;
//! - one file per popup (`popups/`) with its state, drawing, keys and hints; one style struct
//!   (`theme.rs`);
//! - tests drive the app with keys over a real keystore; their helpers are in `testing`, shared
//!   with the tests in `tests/` (public for them, hidden from the docs).

mod action;
mod app;
mod copy;
mod form;
mod input;
mod job;
pub mod keys;
mod layout;
mod list;
mod message;
mod popups;
mod snapshot;
mod terminal;
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;
mod text;
mod theme;
mod update;
mod views;
mod watch;

pub use app::{App, Loading, Settings};
pub use copy::ClipboardKind;

use apiauth_core::ops::Context;
use apiauth_core::{Error, Result};

/// How long a termination signal waits for a form's write under way.
const JOB_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens the terminal UI over `ctx` and runs it until the user quits. Colours are off when
/// `no_color` (the caller folds in `--no-color` and `NO_COLOR`) or the config's theme is
/// `mono`.
///
/// Errors before the UI opens (a bad `[keys]` table, no usable terminal) are returned; errors
/// once it is open (a locked or damaged keystore) are shown in it.
pub fn run(ctx: Context, no_color: bool) -> Result<()> {
    let keymap = keys::Keymap::from_config(&ctx.config.keys)
        .map_err(|message| Error::invalid(apiauth_core::Field::KeyBindings, message))?;
    let settings = Settings {
        keymap,
        color: !no_color && ctx.config.theme != apiauth_core::Theme::Mono,
        clipboard: ClipboardKind::detect(),
        loading: Loading::Background,
    };
    let mut app = App::new(ctx, settings);
    app.reload();
    let mut session =
        terminal::Session::enter().map_err(|e| Error::io("set up", "the terminal", e))?;
    let result = terminal::run(&mut session, &mut app);
    drop(session);
    if let Ok(terminal::Ending::Signal(_)) = result {
        // A write under way is let finish (it waits for the keystore's lock at most the lock
        // timeout) rather than cut off.
        app.wait_for_job(JOB_GRACE);
    }
    drop(app);
    match result {
        Ok(terminal::Ending::Signal(signal)) => {
            terminal::die_by(signal);
            Ok(())
        }
        Ok(terminal::Ending::Quit) => Ok(()),
        Err(e) => Err(Error::io("draw on", "the terminal", e)),
    }
}
