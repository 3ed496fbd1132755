//! The app's state: plain data that the views read and [`App::update`] changes. Loading the
//! keystore runs on a worker thread (or inline, for tests and benchmarks) and comes back as a
//! [`Message::Loaded`].

use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use crossterm::event::Event;
use ratatui::layout::{Position, Rect};
use zeroize::Zeroizing;

use apiauth_core::Result;
use apiauth_core::ops::Context;

use super::copy::{self, ClipboardKind, OpenBoard};
use super::job::{Done, Job};
use super::keys::Keymap;
use super::list::KeyList;
use super::message::Message;
use super::popups::Modal;
use super::snapshot::Snapshot;
use super::text::TextInput;
use super::theme::Theme;
use super::watch::Seen;
use super::{layout, popups};

/// How the keystore is loaded and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// On worker threads; results arrive through [`App::poll_background`].
    Background,
    /// Right away, inside the call that asks for it (tests, benchmarks).
    Inline,
}

/// What the TUI is started with.
pub struct Settings {
    /// Key bindings.
    pub keymap: Keymap,
    /// Whether to use colours.
    pub color: bool,
    /// Where `c` and `y` copy to.
    pub clipboard: ClipboardKind,
    /// How the keystore is loaded and written.
    pub loading: Loading,
}

/// The two views `Tab` switches between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Keys,
    Dashboard,
}

/// How a notice in the status bar looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Info,
    Warning,
}

/// A short message in the status bar.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub text: String,
    pub level: Level,
    pub until: Instant,
}

/// A list cursor with its window (the dashboard's "needs action" list).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    pub position: usize,
    pub offset: usize,
}

/// Loads of the keystore in flight.
struct Loader {
    mode: Loading,
    tx: Sender<Found>,
    rx: Receiver<Found>,
    busy: bool,
    again: bool,
}

/// What a load of the keystore found.
#[derive(Debug)]
pub(crate) enum Found {
    /// Asked to compare first: the file is the one seen before, content included, and was not
    /// read again. What is seen of it now (its hash kept only while its stamp is recent).
    Same(Seen),
    /// What the file was before it was read (`None` when that could not be told), and what
    /// reading it gave.
    Read(Option<Seen>, Box<Result<Snapshot>>),
}

impl Found {
    /// Reads the keystore; given what was seen of it `before`, first compares the file with
    /// that, content included, and reads it only if it changed.
    fn load(ctx: &Context, before: Option<&Seen>) -> Found {
        let path = super::watch::watched_file(ctx);
        let now = SystemTime::now();
        let seen = Seen::take(&path, now, before.is_some()).ok();
        if let (Some(before), Some(seen)) = (before, &seen)
            && before.same_as(seen)
        {
            return Found::Same(seen.clone().settled(now));
        }
        Found::Read(seen.map(|s| s.settled(now)), Box::new(Snapshot::load(ctx)))
    }
}

/// The forms' writes: at most one at a time (the form that asked waits for it).
struct Jobs {
    tx: Sender<Done>,
    rx: Receiver<Done>,
    /// Asked for by the message being applied; started once it is applied.
    queued: Option<Job>,
    busy: bool,
}

/// How often the keystore file is checked for changes by other processes.
pub(crate) const POLL: Duration = Duration::from_millis(500);
/// How long after a failed load it is tried again.
pub(crate) const RETRY: Duration = Duration::from_secs(5);
/// How often, at most, records appended by other processes (verifies) trigger a reload.
pub(crate) const LOG_REFRESH: chrono::Duration = chrono::Duration::seconds(3);
/// How old the statuses may get (a key may expire while the TUI is open) before a reload.
pub(crate) const REFRESH: chrono::Duration = chrono::Duration::seconds(60);

/// An empty filter line.
pub(crate) fn filter_input() -> TextInput {
    TextInput::new()
}

/// The terminal UI's state.
pub struct App {
    pub(crate) ctx: Context,
    pub(crate) keymap: Keymap,
    pub(crate) theme: Theme,
    pub(crate) clipboard: ClipboardKind,
    pub(crate) open_board: OpenBoard,
    /// Keeps the system clipboard open while it serves a copied id.
    pub(crate) id_board: Option<Box<dyn copy::Board>>,
    loader: Loader,
    jobs: Jobs,
    pub(crate) list: KeyList,
    /// Whether a load has succeeded yet.
    pub(crate) loaded: bool,
    /// The last load's error, with its hint.
    pub(crate) load_error: Option<String>,
    /// The keystore file as it was when last read, whether or not that read succeeded: a
    /// file that failed is not read again until it changes or `retry_at` comes.
    pub(crate) seen: Option<Seen>,
    pub(crate) retry_at: Option<Instant>,
    /// The file changed under us: say so when the reload arrives.
    pub(crate) external_change: bool,
    /// The file changed under us and the last good read is shown because the file no longer
    /// opens (the banner says so).
    pub(crate) unreadable_change: bool,
    pub(crate) now: DateTime<Utc>,
    pub(crate) instant: Instant,
    pub(crate) last_poll: Instant,
    pub(crate) view: View,
    pub(crate) zoomed: bool,
    pub(crate) filtering: bool,
    /// The filter as typed.
    pub(crate) filter: TextInput,
    pub(crate) dash: Cursor,
    pub(crate) modal: Option<Modal>,
    pub(crate) notice: Option<Notice>,
    pub(crate) size: Rect,
    pub(crate) quit: bool,
    /// Bytes for the terminal that are not drawing (OSC 52), written by the event loop.
    pub(crate) output: Vec<Zeroizing<String>>,
}

impl App {
    /// A new app over `ctx`. Nothing is loaded until [`App::reload`].
    pub fn new(ctx: Context, settings: Settings) -> App {
        let (tx, rx) = mpsc::channel();
        let (job_tx, job_rx) = mpsc::channel();
        let now = ctx.clock.now();
        let instant = Instant::now();
        App {
            ctx,
            keymap: settings.keymap,
            theme: Theme::new(settings.color),
            clipboard: settings.clipboard,
            open_board: copy::system_board(),
            id_board: None,
            loader: Loader {
                mode: settings.loading,
                tx,
                rx,
                busy: false,
                again: false,
            },
            jobs: Jobs {
                tx: job_tx,
                rx: job_rx,
                queued: None,
                busy: false,
            },
            list: KeyList::default(),
            loaded: false,
            load_error: None,
            seen: None,
            retry_at: None,
            external_change: false,
            unreadable_change: false,
            now,
            instant,
            last_poll: instant,
            view: View::Keys,
            zoomed: false,
            filtering: false,
            filter: filter_input(),
            dash: Cursor::default(),
            modal: None,
            notice: None,
            size: Rect::new(0, 0, 80, 24),
            quit: false,
            output: Vec::new(),
        }
    }

    /// Reads the keystore again: at once when loading inline, on a worker thread otherwise
    /// (one at a time; a reload asked for meanwhile runs when it is done).
    pub fn reload(&mut self) {
        self.load(None);
    }

    /// Compares the keystore file with what was `seen` of it, content included, and reads it
    /// again only if it changed: inline or on a worker thread, as [`App::reload`].
    pub(crate) fn recheck(&mut self, seen: Seen) {
        self.load(Some(seen));
    }

    fn load(&mut self, before: Option<Seen>) {
        match self.loader.mode {
            Loading::Inline => {
                let found = Found::load(&self.ctx, before.as_ref());
                self.update(Message::Loaded(Box::new(found)));
            }
            Loading::Background if self.loader.busy => self.loader.again = true,
            Loading::Background => {
                self.loader.busy = true;
                let ctx = self.ctx.clone();
                let tx = self.loader.tx.clone();
                std::thread::spawn(move || {
                    let _ = tx.send(Found::load(&ctx, before.as_ref()));
                });
            }
        }
    }

    pub(crate) fn loading(&self) -> bool {
        self.loader.busy
    }

    /// Applies loads and writes that have finished; true when one did.
    pub fn poll_background(&mut self) -> bool {
        let mut any = false;
        while let Ok(loaded) = self.loader.rx.try_recv() {
            any = true;
            self.finish_load(loaded);
        }
        while let Ok(done) = self.jobs.rx.try_recv() {
            any = true;
            self.finish_job(done);
        }
        any
    }

    /// Asks for `job` to run once the message being applied is done.
    pub(crate) fn queue_job(&mut self, job: Job) {
        self.jobs.queued = Some(job);
    }

    /// Starts the queued job: at once when running inline, on a worker thread otherwise.
    pub(crate) fn start_queued_job(&mut self) {
        let Some(job) = self.jobs.queued.take() else {
            return;
        };
        match self.loader.mode {
            Loading::Inline => {
                let done = job.run(&self.ctx);
                self.update(Message::Done(Box::new(done)));
            }
            Loading::Background => {
                self.jobs.busy = true;
                let ctx = self.ctx.clone();
                let tx = self.jobs.tx.clone();
                std::thread::spawn(move || {
                    let _ = tx.send(job.run(&ctx));
                });
            }
        }
    }

    fn finish_job(&mut self, done: Done) {
        self.jobs.busy = false;
        self.update(Message::Done(Box::new(done)));
    }

    /// Waits up to `timeout` for a form's write under way, and applies its result.
    pub fn wait_for_job(&mut self, timeout: Duration) -> bool {
        if !self.jobs.busy {
            return false;
        }
        match self.jobs.rx.recv_timeout(timeout) {
            Ok(done) => {
                self.finish_job(done);
                true
            }
            Err(_) => false,
        }
    }

    /// Waits up to `timeout` for a load in flight, and applies it.
    pub fn wait_for_load(&mut self, timeout: Duration) -> bool {
        if !self.loader.busy {
            return false;
        }
        match self.loader.rx.recv_timeout(timeout) {
            Ok(loaded) => {
                self.finish_load(loaded);
                true
            }
            Err(_) => false,
        }
    }

    fn finish_load(&mut self, loaded: Found) {
        self.loader.busy = false;
        self.update(Message::Loaded(Box::new(loaded)));
        if std::mem::take(&mut self.loader.again) {
            self.reload();
        }
    }

    /// Turns a terminal event into a message and applies it.
    pub fn handle_event(&mut self, event: Event) {
        if let Some(message) = self.message_for(event) {
            self.update(message);
        }
    }

    /// Lets time pass: countdowns, notices, and the check for changes by other processes.
    pub fn tick(&mut self, now: Instant) {
        self.update(Message::Tick(now));
    }

    /// The context the app acts through.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Quits at once, as on a termination signal: a secret on show is dropped, and the system
    /// clipboard cleared first if it still holds it.
    pub(crate) fn terminate(&mut self) {
        self.update(Message::Terminate);
    }

    /// Whether the user asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Takes what must be written to the terminal besides the drawing (OSC 52 sequences).
    pub fn take_terminal_output(&mut self) -> Vec<Zeroizing<String>> {
        std::mem::take(&mut self.output)
    }

    /// Where the terminal cursor goes (in a text field being edited), for a frame of `area`.
    pub fn cursor(&self, area: Rect) -> Option<Position> {
        if let Some(form) = self.modal.as_ref().and_then(Modal::form) {
            return super::views::form::cursor(form, area, &self.theme);
        }
        if self.modal.is_none() && self.filtering {
            let line = layout::screen(area, true).filter?;
            return Some(super::views::filter_cursor(self, line));
        }
        None
    }

    /// Whether the filter line shows.
    pub(crate) fn filter_line(&self) -> bool {
        self.filtering || !self.list.query().is_empty()
    }

    /// The screen's parts for the current size.
    pub(crate) fn screen(&self) -> layout::Screen {
        layout::screen(self.size, self.filter_line())
    }

    /// Whether the keys view shows the error banner (a reload failed; older data shows).
    pub(crate) fn banner(&self) -> bool {
        self.loaded && self.load_error.is_some()
    }

    /// The error banner's text, wrapped to the width inside its borders.
    pub(crate) fn banner_text(&self, body: Rect) -> Vec<String> {
        match &self.load_error {
            Some(error) if self.banner() => {
                super::views::form::wrap(error, usize::from(body.width.saturating_sub(2)))
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn keys_layout(&self) -> layout::Keys {
        let body = self.screen().body;
        let banner = layout::banner_rows(self.banner_text(body).len(), body);
        layout::keys(body, banner, self.zoomed)
    }

    /// Rows of the table that fit on screen.
    pub(crate) fn table_height(&self) -> usize {
        usize::from(layout::table_rows(self.keys_layout().table).height)
    }

    /// Rows of the dashboard's "needs action" list that fit on screen.
    pub(crate) fn actions_height(&self) -> usize {
        usize::from(layout::action_rows(layout::dashboard(self.screen().body).actions).height)
    }

    /// Lines of help that fit on screen.
    pub(crate) fn help_length(&self) -> usize {
        popups::help::length(&self.keymap, &self.theme, self.size.width)
    }

    pub(crate) fn notify(&mut self, level: Level, text: impl Into<String>) {
        let secs = if level == Level::Info { 5 } else { 10 };
        self.notice = Some(Notice {
            text: text.into(),
            level,
            until: self.instant + Duration::from_secs(secs),
        });
    }
}
