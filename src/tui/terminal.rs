//! The real terminal: entering and leaving it (raw mode, alternate screen, mouse capture,
//! bracketed paste), and the event loop. The terminal is restored when the session is dropped
//! (quit or error) and by the panic hook; `ratatui::init` installs a hook that leaves raw mode
//! and the alternate screen, and this one, in front of it, turns mouse capture and bracketed
//! paste off and shows the cursor.

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

/// The terminal, owned from `enter` until drop.
pub(crate) struct Session {
    terminal: DefaultTerminal,
}

fn leave_extras() {
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
}

impl Session {
    pub fn enter() -> io::Result<Session> {
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
        let session = Session { terminal };
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

/// Runs until the user quits; an I/O error on the terminal ends it early.
pub(crate) fn run(session: &mut Session, app: &mut App) -> io::Result<()> {
    let size = session.terminal.size()?;
    app.handle_event(event::Event::Resize(size.width, size.height));
    app.wait_for_load(FIRST_LOAD);
    let mut next_tick = Instant::now() + TICK;
    let mut dirty = true;
    loop {
        if dirty {
            session.draw(app)?;
            dirty = false;
        }
        if app.should_quit() {
            return Ok(());
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
