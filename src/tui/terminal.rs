//! The real terminal: entering and leaving it (raw mode, alternate screen, mouse capture,
//! bracketed paste), and the event loop. The terminal is restored when the session is dropped
//! (quit or error) and by the panic hook; `ratatui::init` installs a hook that leaves raw mode
//! and the alternate screen, and this one, in front of it, turns mouse capture and bracketed
//! paste off and shows the cursor.
//!
//! SIGTERM, SIGHUP and SIGINT (a signal, not the `Ctrl-C` key, which raw mode turns into a key
//! press) only set a flag: the event loop sees it within a tick and quits the way a user does
//! (a copied secret is taken back out of the clipboard), the session restores the terminal, and
//! then the process ends by that signal, as it would have without the TUI. A second signal
//! while the first is being handled ends the process at once.

use std::io::{self, Write as _, stdout};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use ratatui::DefaultTerminal;

use super::app::App;

/// How often time passes for the app (countdowns, polling the keystore).
const TICK: Duration = Duration::from_millis(250);
/// Longest wait for the first load before the first frame (a small store is read well within
/// it, so the first frame already shows the keys).
const FIRST_LOAD: Duration = Duration::from_millis(400);
/// Most events handled before the screen is drawn again (a burst of key repeats draws once).
const BURST: usize = 256;

/// How the event loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The user quit.
    Quit,
    /// A termination signal arrived (its number).
    Signal(i32),
}

/// The terminal, owned from `enter` until drop.
pub(crate) struct Session {
    terminal: DefaultTerminal,
    signals: Signals,
}

/// The termination signals caught while the TUI runs.
#[cfg(unix)]
struct Signals {
    /// The last signal that arrived, 0 for none.
    received: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

#[cfg(unix)]
impl Signals {
    const CAUGHT: [i32; 3] = [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ];

    fn install() -> io::Result<Signals> {
        use signal_hook::flag;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicUsize};
        let received = Arc::new(AtomicUsize::new(0));
        let pending = Arc::new(AtomicBool::new(false));
        let mut signals = Signals {
            received: received.clone(),
            ids: Vec::new(),
        };
        for signal in Self::CAUGHT {
            // In this order: a second signal finds `pending` set by the first and exits.
            signals.ids.push(flag::register_conditional_shutdown(
                signal,
                128 + signal,
                pending.clone(),
            )?);
            signals.ids.push(flag::register(signal, pending.clone())?);
            signals.ids.push(flag::register_usize(
                signal,
                received.clone(),
                signal as usize,
            )?);
        }
        Ok(signals)
    }

    fn received(&self) -> Option<i32> {
        match self.received.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            signal => i32::try_from(signal).ok(),
        }
    }
}

#[cfg(unix)]
impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Ends the process by `signal`, the way it would have ended without the TUI (after the TUI
/// has restored the terminal and dropped its secrets).
#[cfg(unix)]
pub(crate) fn die_by(signal: i32) {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
}

#[cfg(not(unix))]
pub(crate) fn die_by(_signal: i32) {}

/// No signals to catch on this platform.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> io::Result<Signals> {
        Ok(Signals)
    }

    fn received(&self) -> Option<i32> {
        None
    }
}

fn leave_extras() {
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
}

impl Session {
    pub fn enter() -> io::Result<Session> {
        let signals = Signals::install()?;
        let terminal = match ratatui::try_init() {
            Ok(terminal) => terminal,
            Err(e) => {
                ratatui::restore();
                return Err(e);
            }
        };
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave_extras();
            previous(info);
            let _ = execute!(stdout(), Show);
        }));
        let session = Session { terminal, signals };
        execute!(stdout(), EnableMouseCapture, EnableBracketedPaste)?;
        Ok(session)
    }

    fn draw(&mut self, app: &mut App) -> io::Result<()> {
        self.terminal.draw(|frame| {
            let area = frame.area();
            frame.render_widget(&*app, area);
            if let Some(position) = app.cursor(area) {
                frame.set_cursor_position(position);
            }
        })?;
        let output = app.take_terminal_output();
        if !output.is_empty() {
            let backend = self.terminal.backend_mut();
            for sequence in &output {
                backend.write_all(sequence.as_bytes())?;
            }
            backend.flush()?;
        }
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        leave_extras();
        ratatui::restore();
        let _ = self.terminal.show_cursor();
        let _ = execute!(stdout(), Show);
    }
}

/// Runs until the user quits or a termination signal arrives; an I/O error on the terminal
/// ends it early.
pub(crate) fn run(session: &mut Session, app: &mut App) -> io::Result<Ending> {
    let size = session.terminal.size()?;
    app.handle_event(event::Event::Resize(size.width, size.height));
    app.wait_for_load(FIRST_LOAD);
    let mut next_tick = Instant::now() + TICK;
    let mut dirty = true;
    loop {
        if let Some(signal) = session.signals.received() {
            app.terminate();
            return Ok(Ending::Signal(signal));
        }
        if dirty {
            session.draw(app)?;
            dirty = false;
        }
        if app.should_quit() {
            return Ok(Ending::Quit);
        }
        let timeout = next_tick
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(50));
        if event::poll(timeout)? {
            dirty = true;
            app.handle_event(event::read()?);
            let mut handled = 1;
            while handled < BURST && !app.should_quit() && event::poll(Duration::ZERO)? {
                app.handle_event(event::read()?);
                handled += 1;
            }
        }
        dirty |= app.poll_background();
        let now = Instant::now();
        if now >= next_tick {
            dirty = true;
            app.tick(now);
            next_tick = now + TICK;
        }
    }
}
