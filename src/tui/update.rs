//! [`App::update`]: the one place where state changes. A message for the open popup goes to
//! that popup's handler (in its file under `popups/`); the rest is handled here: quitting,
//! time, the results of loads and writes, and the key table and dashboard. Writes to the
//! keystore are asked for as jobs run through `ops` off the UI thread (`job.rs`); loads go to
//! the worker too (see `app.rs`).

use apiauth_core::Error;
use apiauth_core::sanitize::display;

use super::action::Action;
use super::app::{App, Found, Level, View};
use super::copy::{self, Cleared};
use super::layout;
use super::list::{KeyList, window_start};
use super::message::Message;
use super::popups::Modal;
use super::popups::generate::GenerateForm;
use super::popups::import::ImportForm;
use super::popups::revoke::RevokeForm;
use super::popups::rotate::RotateForm;
use super::popups::secret::Leave;
use super::watch::{Seen, Stamp};

/// An error as one line, with its hint.
pub(crate) fn describe(error: &Error) -> String {
    crate::hints::one_line(error)
}

/// A move by `rows` rows, for [`App::move_selection`].
fn by(rows: isize) -> impl Fn(usize, usize, usize) -> usize {
    move |at, _len, _page| at.saturating_add_signed(rows)
}

/// A move by a page, down (`1`) or up (`-1`), for [`App::move_selection`]: a page less one row,
/// so that the row at the edge stays on screen.
fn by_page(direction: isize) -> impl Fn(usize, usize, usize) -> usize {
    move |at, _len, page| {
        at.saturating_add_signed(direction * (page.saturating_sub(1).max(1)) as isize)
    }
}

impl App {
    /// Applies one message.
    pub(crate) fn update(&mut self, message: Message) {
        self.apply(message);
        self.start_queued_job();
        let warnings = self.ctx.take_warnings();
        if !warnings.is_empty() {
            let text = warnings
                .iter()
                .map(|w| display(w).into_owned())
                .collect::<Vec<_>>()
                .join("; ");
            self.notify(Level::Warning, text);
        }
    }

    fn apply(&mut self, message: Message) {
        match message {
            Message::Tick(now) => self.tick_to(now),
            Message::Resize(width, height) => {
                self.size = ratatui::layout::Rect::new(0, 0, width, height);
                self.keep_in_view();
            }
            Message::Loaded(loaded) => self.loaded(*loaded),
            Message::Done(done) => self.job_done(*done),
            Message::Action(Action::Quit) => match &mut self.modal {
                Some(Modal::Secret(secret)) => secret.asking = Some(Leave::Quit),
                _ => self.quit = true,
            },
            Message::Terminate => {
                if let Some(Modal::Secret(secret)) = self.modal.take() {
                    self.leave(secret, Leave::Quit);
                }
                self.quit = true;
            }
            message => match self.modal.take() {
                None => self.browse(message),
                Some(modal) => self.modal(modal, message),
            },
        }
    }

    fn tick_to(&mut self, now: std::time::Instant) {
        self.instant = now;
        self.now = self.ctx.clock.now();
        if self.notice.as_ref().is_some_and(|n| n.until <= now) {
            self.notice = None;
        }
        if let Some(Modal::Secret(secret)) = &mut self.modal
            && secret.settle_copy(Some(now)) == Some(Cleared::LeftAlone)
        {
            self.notify(
                Level::Info,
                "The clipboard changed since the copy: left alone",
            );
        }
        if now.duration_since(self.last_poll) >= super::app::POLL {
            self.last_poll = now;
            self.poll_store();
        }
    }

    /// Reloads when the keystore file changed (its stamp, or while that is recent its
    /// content: see `watch.rs`), when others' verifies added records (new last-used times and
    /// events, at most every few seconds), when the statuses are getting old (a key may have
    /// expired meanwhile), and every few seconds while loading fails (a fix, such as
    /// `chmod 600 master.key`, need not change the keystore file).
    fn poll_store(&mut self) {
        if self.loading() {
            return;
        }
        let retry = self.load_error.is_some() && self.retry_at.is_some_and(|at| self.instant >= at);
        let Ok(stamp) = Stamp::read(&super::watch::watched_file(&self.ctx)) else {
            // The load says why the file cannot be read, in the banner.
            if self.load_error.is_none() || retry {
                self.reload();
            }
            return;
        };
        let changed = self.seen.as_ref().is_none_or(|s| s.stamp_differs(stamp));
        let age = self.now - self.list.data().taken_at;
        let logged = apiauth_core::ops::log_mark(&self.ctx) != self.list.data().log_mark;
        if retry || changed {
            self.external_change = self.loaded && changed;
            self.reload();
        } else if let Some(seen) = self.seen.clone().filter(Seen::compare_content) {
            self.external_change = self.loaded;
            self.recheck(seen);
        } else if self.load_error.is_none()
            && (age >= super::app::REFRESH || (logged && age >= super::app::LOG_REFRESH))
        {
            self.reload();
        }
    }

    fn loaded(&mut self, found: Found) {
        let loaded = match found {
            Found::Same(seen) => {
                self.seen = Some(seen);
                self.external_change = false;
                return;
            }
            Found::Read(seen, loaded) => {
                self.seen = seen;
                *loaded
            }
        };
        match loaded {
            Ok(snapshot) => {
                if std::mem::take(&mut self.external_change) {
                    self.notify(
                        Level::Info,
                        format!(
                            "The keystore changed on disk: reloaded ({} keys)",
                            snapshot.views.len()
                        ),
                    );
                }
                self.now = snapshot.taken_at;
                self.retry_at = None;
                self.load_error = None;
                self.unreadable_change = false;
                if self.loaded {
                    self.list.replace(snapshot);
                } else {
                    self.list = KeyList::new(snapshot);
                    self.loaded = true;
                }
                self.keep_in_view();
            }
            Err(error) => {
                self.unreadable_change |= std::mem::take(&mut self.external_change);
                self.retry_at = Some(self.instant + super::app::RETRY);
                self.load_error = Some(describe(&error));
                // The banner that now shows takes rows from the table.
                self.keep_in_view();
            }
        }
    }

    /// Keeps the selections inside their windows after a move or a resize.
    pub(crate) fn keep_in_view(&mut self) {
        let height = self.table_height();
        self.list.scroll_into_view(height);
        let len = self.list.data().dashboard.needs_action.len();
        self.dash.position = self.dash.position.min(len.saturating_sub(1));
        self.dash.offset = window_start(
            self.dash.offset,
            self.dash.position,
            self.actions_height(),
            len,
        );
    }

    /// Moves the table's selection, or the dashboard's.
    fn move_selection(&mut self, to: impl Fn(usize, usize, usize) -> usize) {
        match self.view {
            View::Keys => {
                let len = self.list.len();
                let page = self.table_height().max(1);
                self.list.select_position(to(self.list.cursor(), len, page));
            }
            View::Dashboard => {
                let len = self.list.data().dashboard.needs_action.len();
                let page = self.actions_height().max(1);
                self.dash.position = to(self.dash.position, len, page).min(len.saturating_sub(1));
            }
        }
        self.keep_in_view();
    }

    /// A message with no popup open: in the key table or the dashboard, or typing the filter.
    fn browse(&mut self, message: Message) {
        match message {
            Message::Action(action) => self.browse_action(action),
            Message::Scroll(rows) => self.move_selection(by(rows)),
            Message::Click { x, y } => self.click(x, y),
            Message::Edit(edit) => {
                if let Err(refused) = self.filter.edit(&edit) {
                    self.notify(Level::Warning, format!("Filter {refused}"));
                }
                self.list.set_query(self.filter.value());
                self.keep_in_view();
            }
            _ => {}
        }
    }

    fn browse_action(&mut self, action: Action) {
        match action {
            Action::Up => self.move_selection(by(-1)),
            Action::Down => self.move_selection(by(1)),
            Action::PageUp => self.move_selection(by_page(-1)),
            Action::PageDown => self.move_selection(by_page(1)),
            Action::Top => self.move_selection(|_, _, _| 0),
            Action::Bottom => self.move_selection(|_, len, _| len.saturating_sub(1)),
            Action::Filter => {
                self.view = View::Keys;
                self.zoomed = false;
                self.filtering = true;
                self.keep_in_view();
            }
            Action::KeepFilter => self.filtering = false,
            Action::ClearFilter => {
                self.clear_filter();
                self.keep_in_view();
            }
            Action::Sort => {
                self.view = View::Keys;
                self.list.cycle_sort();
                self.keep_in_view();
            }
            Action::SortReverse => {
                self.view = View::Keys;
                self.list.reverse();
                self.keep_in_view();
            }
            Action::SwitchView => self.switch_view(),
            Action::Open => self.open(),
            Action::Generate => {
                self.modal = Some(Modal::Generate(GenerateForm::new(&self.ctx.config)));
            }
            Action::Import => {
                self.modal = Some(Modal::Import(ImportForm::new(&self.ctx.config)));
            }
            Action::Rotate | Action::Revoke | Action::CopyId => {
                let Some(view) = self.target() else {
                    self.notify(Level::Warning, "Select a key first");
                    return;
                };
                match action {
                    Action::Rotate => self.modal = Some(Modal::Rotate(RotateForm::new(view))),
                    Action::Revoke => self.modal = Some(Modal::Revoke(RevokeForm::new(view))),
                    _ => {
                        let id = view.entry.id.to_string();
                        self.copy_id(&id);
                    }
                }
            }
            Action::Help => self.modal = Some(Modal::Help { scroll: 0 }),
            _ => {}
        }
    }

    fn switch_view(&mut self) {
        self.zoomed = false;
        self.view = match self.view {
            View::Keys => View::Dashboard,
            View::Dashboard => View::Keys,
        };
        self.keep_in_view();
    }

    fn clear_filter(&mut self) {
        self.filtering = false;
        self.filter = super::app::filter_input();
        self.list.set_query("");
    }

    /// Enter: full-size details in the keys view; in the dashboard, go to the key.
    fn open(&mut self) {
        match self.view {
            View::Keys => self.zoomed = !self.zoomed && self.list.selected().is_some(),
            View::Dashboard => {
                let dash = &self.list.data().dashboard;
                let Some(&row) = dash.needs_action.get(self.dash.position) else {
                    return;
                };
                let id = self.list.data().views[row as usize].entry.id.clone();
                self.clear_filter();
                self.list.select_id(&id);
                self.view = View::Keys;
            }
        }
        self.keep_in_view();
    }

    fn click(&mut self, x: u16, y: u16) {
        let screen = self.screen();
        let at = ratatui::layout::Position::new(x, y);
        let (keys_tab, audit_tab) = layout::tabs(screen.header);
        if keys_tab.contains(at) || audit_tab.contains(at) {
            let wanted = if keys_tab.contains(at) {
                View::Keys
            } else {
                View::Dashboard
            };
            if wanted != self.view {
                self.switch_view();
            }
            return;
        }
        match self.view {
            View::Keys => {
                let rows = layout::table_rows(self.keys_layout().table);
                if rows.contains(at) {
                    let first = self.list.first_shown(usize::from(rows.height));
                    let position = first + usize::from(y - rows.y);
                    if position < self.list.len() {
                        self.list.select_position(position);
                    }
                }
            }
            View::Dashboard => {
                let rows = layout::action_rows(layout::dashboard(screen.body).actions);
                let len = self.list.data().dashboard.needs_action.len();
                if rows.contains(at) {
                    let position = self.dash.offset + usize::from(y - rows.y);
                    if position < len {
                        self.dash.position = position;
                    }
                }
            }
        }
        self.keep_in_view();
    }

    /// The key that rotate, revoke and copy-id act on: the table's selection, or on the
    /// dashboard the highlighted "needs action" row (the table is not on screen there).
    fn target(&self) -> Option<&apiauth_core::ops::KeyView> {
        match self.view {
            View::Keys => self.list.selected(),
            View::Dashboard => {
                let data = self.list.data();
                let &row = data.dashboard.needs_action.get(self.dash.position)?;
                data.views.get(row as usize)
            }
        }
    }

    fn copy_id(&mut self, id: &str) {
        let copied = copy::copy(self.clipboard, &self.open_board, id, self.instant, None);
        self.output.extend(copied.osc52);
        let how = copied.copy.method;
        if let Some(reason) = &copied.copy.fallback {
            self.notify(
                Level::Warning,
                format!(
                    "Copied {id} to {how}; the system clipboard failed: {}",
                    display(reason)
                ),
            );
        } else {
            self.notify(Level::Info, format!("Copied {id} to {how}"));
        }
        self.id_board = copied.copy.into_board();
    }
}
