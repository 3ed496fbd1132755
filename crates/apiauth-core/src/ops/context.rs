//! What every action needs: the keystore, the preferences and the clock ([`Context`]), and
//! the view of a key at the time of asking ([`KeyView`]).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, SubsecRound as _, Utc};

use crate::config::Config;
use crate::events::Event;
use crate::model::{self, KeyEntry, Status};
use crate::store::{Keystore, Log, Store};

/// The source of "now". Fixed in tests that move time forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant, to the microsecond: the precision the keystore stores, so an
    /// entry in memory equals the same entry read back.
    pub fn now(self) -> DateTime<Utc> {
        let now = match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at,
        };
        now.trunc_subsecs(6)
    }
}

/// What every action needs: the keystore, the preferences and the clock.
#[derive(Debug, Clone)]
pub struct Context {
    /// The key directory.
    pub store: Store,
    /// Preferences.
    pub config: Config,
    /// Where "now" comes from.
    pub clock: Clock,
    warnings: Arc<Mutex<Vec<String>>>,
}

impl Context {
    /// A context on the system clock.
    pub fn new(store: Store, config: Config) -> Self {
        Context {
            store,
            config,
            clock: Clock::System,
            warnings: Arc::default(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Notes a problem that did not stop the action (the event log could not be written or
    /// read). The CLI prints these on stderr; the TUI shows them.
    pub(crate) fn warn(&self, message: String) {
        if let Ok(mut warnings) = self.warnings.lock() {
            warnings.push(message);
        }
    }

    /// The warnings noted since the last call.
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// The event log, when the store has one; a problem is a warning.
    pub(crate) fn log(&self) -> Option<&dyn Log> {
        match self.store.log() {
            Ok(log) => log,
            Err(e) => {
                self.warn(format!("the event log cannot be opened: {e}"));
                None
            }
        }
    }

    /// Appends the record of a read (verify, export, audit); a failure is a warning, not an
    /// error, so that the answer still reaches the caller.
    pub(crate) fn record(&self, event: Event) {
        if let Some(log) = self.log()
            && let Err(e) = log.append(&[event])
        {
            self.warn(format!(
                "this action was not recorded in the event log: {e}"
            ));
        }
    }
}

/// A key entry with what is derived from it at the time of asking.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyView {
    /// The stored entry.
    pub entry: KeyEntry,
    /// Its status now.
    pub status: Status,
    /// When a verify last presented one of its values.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Unused for `stale_after_days` (from creation when never used), and not revoked.
    pub stale: bool,
}

impl KeyView {
    /// Derives status and staleness of `entry` at `now`, given its last use.
    pub fn with_usage(
        entry: KeyEntry,
        last_used_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        config: &Config,
    ) -> Self {
        let status = entry.status(now, config.expiring_window());
        let stale = model::is_stale(&entry, last_used_at, now, config.stale_after());
        KeyView {
            entry,
            status,
            last_used_at,
            stale,
        }
    }

    /// Derives the view of an entry with no recorded use (one just created or changed).
    pub fn new(entry: KeyEntry, now: DateTime<Utc>, config: &Config) -> Self {
        Self::with_usage(entry, None, now, config)
    }
}

/// Every entry of `keystore` with its status, last use and staleness, in creation order.
pub(crate) fn views(ctx: &Context, keystore: Keystore) -> Vec<KeyView> {
    let now = ctx.now();
    let entries = keystore.into_entries();
    let uses = match ctx.log() {
        Some(log) => log.last_used(&entries).unwrap_or_else(|e| {
            ctx.warn(format!("last-used times are unavailable: {e}"));
            vec![None; entries.len()]
        }),
        None => vec![None; entries.len()],
    };
    entries
        .into_iter()
        .zip(uses)
        .map(|(entry, used)| KeyView::with_usage(entry, used, now, &ctx.config))
        .collect()
}
