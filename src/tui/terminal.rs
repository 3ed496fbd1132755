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
//!
//! The terminal going away (its window closed, `tmux kill-session`, a lost SSH connection) ends
//! the TUI the same way, as a SIGHUP, whether or not that signal arrives: the loop checks the
//! terminal's input for a hang-up before each wait for keys, and an error reading keys or
//! drawing on a hung-up terminal means the same. Nothing is left running without a terminal.

use std::io::{self, Write as _, stdout};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::LeaveAlternateScreen;
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
    /// A termination signal arrived (its number), or the terminal went away (SIGHUP's).
    Signal(i32),
}

/// The terminal, owned from `enter` until drop.
pub(crate) struct Session {
    terminal: DefaultTerminal,
    signals: Signals,
    input: Input,
}

/// How the loop ends when the terminal went away: as its hang-up signal would end it.
#[cfg(unix)]
const HUNG_UP: Ending = Ending::Signal(signal_hook::consts::SIGHUP);
#[cfg(not(unix))]
const HUNG_UP: Ending = Ending::Signal(1);

/// The terminal's input, watched for the terminal going away.
#[cfg(unix)]
struct Input(std::os::fd::OwnedFd);

#[cfg(unix)]
impl Input {
    /// The terminal that crossterm reads keys from: standard input when it is one,
    /// `/dev/tty` otherwise.
    fn open() -> io::Result<Input> {
        use std::io::IsTerminal as _;
        use std::os::fd::AsFd as _;
        let stdin = io::stdin();
        let fd = if stdin.is_terminal() {
            stdin.as_fd().try_clone_to_owned()?
        } else {
            std::fs::File::open("/dev/tty")?.into()
        };
        Ok(Input(fd))
    }

    /// Whether the terminal hung up (or its descriptor failed), without waiting. A hung-up
    /// terminal's input reads as ended, for good.
    fn gone(&self) -> bool {
        use rustix::event::{PollFd, PollFlags, Timespec};
        let mut fds = [PollFd::new(&self.0, PollFlags::empty())];
        let now = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        rustix::event::poll(&mut fds, Some(&now)).is_ok()
            && fds[0]
                .revents()
                .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL)
    }

    /// Points standard output and error at `/dev/null` where they were this terminal, which is
    /// gone: nothing written there can arrive, and a failed write on the way out (a library
    /// reporting that it could not restore the terminal) would panic.
    fn silence_outputs(&self) {
        use std::os::fd::{AsFd as _, BorrowedFd};
        use std::os::unix::fs::MetadataExt as _;
        let id = |fd: BorrowedFd<'_>| {
            let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
            let meta = file.metadata().ok()?;
            Some((meta.dev(), meta.ino()))
        };
        let Some(terminal) = id(self.0.as_fd()) else {
            return;
        };
        let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
            return;
        };
        if id(io::stdout().as_fd()) == Some(terminal) {
            let _ = rustix::stdio::dup2_stdout(&null);
        }
        if id(io::stderr().as_fd()) == Some(terminal) {
            let _ = rustix::stdio::dup2_stderr(&null);
        }
    }
}

/// No hang-up to watch for on this platform: closing a console ends the processes in it.
#[cfg(not(unix))]
struct Input;

#[cfg(not(unix))]
impl Input {
    fn open() -> io::Result<Input> {
        Ok(Input)
    }

    fn gone(&self) -> bool {
        false
    }

    fn silence_outputs(&self) {}
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
        let input = Input::open()?;
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
        let session = Session {
            terminal,
            signals,
            input,
        };
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

    fn events(&mut self, app: &mut App) -> io::Result<Ending> {
        let size = match self.terminal.size() {
            Ok(size) => size,
            Err(e) => return self.failed(e),
        };
        app.handle_event(event::Event::Resize(size.width, size.height));
        app.wait_for_load(FIRST_LOAD);
        let mut next_tick = Instant::now() + TICK;
        let mut dirty = true;
        loop {
            if let Some(signal) = self.signals.received() {
                return Ok(Ending::Signal(signal));
            }
            if self.input.gone() {
                return Ok(HUNG_UP);
            }
            if dirty {
                if let Err(e) = self.draw(app) {
                    return self.failed(e);
                }
                dirty = false;
            }
            if app.should_quit() {
                return Ok(Ending::Quit);
            }
            let timeout = next_tick
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(50));
            // An error reading keys: the terminal is gone.
            let Ok(ready) = event::poll(timeout) else {
                return Ok(HUNG_UP);
            };
            if ready {
                dirty = true;
                let mut handled = 0;
                loop {
                    let Ok(event) = event::read() else {
                        return Ok(HUNG_UP);
                    };
                    app.handle_event(event);
                    handled += 1;
                    if handled == BURST || app.should_quit() {
                        break;
                    }
                    match event::poll(Duration::ZERO) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(_) => return Ok(HUNG_UP),
                    }
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

    /// An error writing to the terminal: a hang-up when the terminal is gone, else the error.
    fn failed(&self, error: io::Error) -> io::Result<Ending> {
        if self.input.gone() {
            Ok(HUNG_UP)
        } else {
            Err(error)
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.input.gone() {
            // Nothing to restore; and the terminal's own drop must not fail writing to it.
            self.input.silence_outputs();
            return;
        }
        // Step by step, each error ignored (`ratatui::restore` reports one on standard error).
        leave_extras();
        let _ = crossterm::terminal::disable_raw_mode();
        let _ = execute!(stdout(), LeaveAlternateScreen);
        let _ = self.terminal.show_cursor();
        let _ = execute!(stdout(), Show);
    }
}

/// Runs until the user quits, a termination signal arrives or the terminal goes away (ended
/// as by SIGHUP); an I/O error drawing on a terminal that is still there ends it early. Unless
/// the user quit, the app is terminated on the way out: a secret on show is dropped and the
/// clipboard cleared if it still holds it.
pub(crate) fn run(session: &mut Session, app: &mut App) -> io::Result<Ending> {
    let ending = session.events(app);
    if !matches!(ending, Ok(Ending::Quit)) {
        app.terminate();
    }
    ending
}
