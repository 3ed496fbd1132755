//! [`App::update`]: the one place where state changes. Writes to the keystore are asked for
//! here, as jobs run through `ops` off the UI thread (`job.rs`); loads go to the worker too
//! (see `app.rs`).

use std::time::Duration;

use apiauth_core::Error;
use apiauth_core::sanitize::display;

use super::app::{App, Found, Level, Modal, View};
use super::copy::{self, Cleared};
use super::job::Done;
use super::layout;
use super::list::{KeyList, window_start};
use super::message::Message;
use super::popups::generate::GenerateForm;
use super::popups::import::ImportForm;
use super::popups::revoke::RevokeForm;
use super::popups::rotate::RotateForm;
use super::popups::secret::SecretPopup;
use super::watch::{Seen, Stamp};

/// An error as one line, with its hint.
pub(crate) fn describe(error: &Error) -> String {
    crate::hints::one_line(error)
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
            Message::Quit => match &mut self.modal {
                Some(Modal::Secret(secret)) => {
                    secret.quit_after = true;
                    secret.confirming = true;
                }
                _ => self.quit = true,
            },
            Message::Terminate => {
                if let Some(Modal::Secret(secret)) = self.modal.take() {
                    self.dismiss(secret);
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
    fn keep_in_view(&mut self) {
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

    fn browse(&mut self, message: Message) {
        let by = |delta: isize| {
            move |at: usize, _len: usize, _page: usize| at.saturating_add_signed(delta)
        };
        match message {
            Message::Move(delta) | Message::Scroll(delta) => self.move_selection(by(delta)),
            Message::Page(direction) => self.move_selection(move |at, _, page| {
                at.saturating_add_signed(direction * (page.saturating_sub(1).max(1)) as isize)
            }),
            Message::Top => self.move_selection(|_, _, _| 0),
            Message::Bottom => self.move_selection(|_, len, _| len.saturating_sub(1)),
            Message::Click { x, y } => self.click(x, y),
            Message::StartFilter => {
                self.view = View::Keys;
                self.zoomed = false;
                self.filtering = true;
                self.keep_in_view();
            }
            Message::FilterEdit(edit) => {
                if let Err(refused) = self.filter.edit(&edit) {
                    self.notify(Level::Warning, format!("Filter {refused}"));
                }
                self.list.set_query(self.filter.value());
                self.keep_in_view();
            }
            Message::KeepFilter => self.filtering = false,
            Message::ClearFilter => {
                self.clear_filter();
                self.keep_in_view();
            }
            Message::CycleSort => {
                self.view = View::Keys;
                self.list.cycle_sort();
                self.keep_in_view();
            }
            Message::ReverseSort => {
                self.view = View::Keys;
                self.list.reverse();
                self.keep_in_view();
            }
            Message::SwitchView => {
                self.zoomed = false;
                self.view = match self.view {
                    View::Keys => View::Dashboard,
                    View::Dashboard => View::Keys,
                };
                self.keep_in_view();
            }
            Message::Open => self.open(),
            Message::OpenGenerate => {
                self.modal = Some(Modal::Generate(GenerateForm::new(&self.ctx.config)));
            }
            Message::OpenImport => {
                self.modal = Some(Modal::Import(ImportForm::new(&self.ctx.config)));
            }
            Message::OpenRotate | Message::OpenRevoke | Message::CopyId => {
                let Some(view) = self.target() else {
                    self.notify(Level::Warning, "Select a key first");
                    return;
                };
                match message {
                    Message::OpenRotate => self.modal = Some(Modal::Rotate(RotateForm::new(view))),
                    Message::OpenRevoke => self.modal = Some(Modal::Revoke(RevokeForm::new(view))),
                    _ => {
                        let id = view.entry.id.to_string();
                        self.copy_id(&id);
                    }
                }
            }
            Message::OpenHelp => self.modal = Some(Modal::Help { scroll: 0 }),
            _ => {}
        }
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
                self.update(Message::SwitchView);
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

    /// A message while a popup is open. The popup was taken out of `self.modal`; it is put
    /// back unless the message closes it.
    fn modal(&mut self, modal: Modal, message: Message) {
        self.modal = match modal {
            Modal::Help { scroll } => match message {
                Message::CloseHelp => None,
                Message::Move(d) | Message::Scroll(d) => Some(Modal::Help {
                    scroll: scroll.saturating_add_signed(d).min(self.help_length()),
                }),
                Message::Page(d) => Some(Modal::Help {
                    scroll: scroll
                        .saturating_add_signed(d * (self.size.height / 2) as isize)
                        .min(self.help_length()),
                }),
                Message::Top => Some(Modal::Help { scroll: 0 }),
                Message::Bottom => Some(Modal::Help {
                    scroll: self.help_length(),
                }),
                _ => Some(Modal::Help { scroll }),
            },
            Modal::Secret(secret) => self.secret(secret, message),
            form => self.form(form, message),
        };
    }

    fn form(&mut self, mut modal: Modal, message: Message) -> Option<Modal> {
        if let Some(working) = modal.form().and_then(|f| f.working) {
            // The write is under way: the form only waits for it.
            if matches!(message, Message::Cancel) {
                self.notify(
                    Level::Warning,
                    format!("{working} A write under way cannot be cancelled: wait for it"),
                );
            }
            return Some(modal);
        }
        match message {
            Message::Cancel => return None,
            Message::Submit => return self.submit(modal),
            _ => {}
        }
        if let Modal::Generate(g) = &mut modal
            && let Message::FormEdit(edit) = &message
        {
            g.edit(edit);
            return Some(modal);
        }
        let form = match &mut modal {
            Modal::Generate(g) => &mut g.form,
            Modal::Import(i) => &mut i.form,
            Modal::Rotate(r) => &mut r.form,
            Modal::Revoke(r) => &mut r.form,
            Modal::Help { .. } | Modal::Secret(_) => return Some(modal),
        };
        match message {
            Message::NextField => form.next(),
            Message::PrevField => form.prev(),
            Message::FormEdit(edit) => form.edit(&edit),
            _ => {}
        }
        Some(modal)
    }

    /// Checks the form and queues its write (run after this message, off the UI thread); the
    /// form stays open, working, until the result arrives, or shows what to fix.
    fn submit(&mut self, mut modal: Modal) -> Option<Modal> {
        let job = match &mut modal {
            Modal::Generate(g) => g.job(),
            Modal::Import(i) => i.job(),
            Modal::Rotate(r) => r.job(),
            Modal::Revoke(r) => r.job(),
            Modal::Help { .. } | Modal::Secret(_) => None,
        };
        if let Some(job) = job {
            if let Some(form) = modal.form_mut() {
                form.working = Some(job.working());
            }
            self.queue_job(job);
        }
        Some(modal)
    }

    /// A form's write finished: on success the form closes (a new value is shown); otherwise
    /// the refusal is shown in the form. After a termination signal the form is gone and the
    /// result is only dropped (an issued value with it, zeroized).
    fn job_done(&mut self, done: Done) {
        let mut form = self.modal.take();
        let failed = |form: &mut Option<Modal>, error: &Error| {
            if let Some(f) = form.as_mut().and_then(Modal::form_mut) {
                f.fail(error);
            }
        };
        match done {
            Done::Issued { result, rotated } => match result {
                Ok(issued) => form = Some(self.issued(issued, rotated)),
                Err(error) => failed(&mut form, &error),
            },
            Done::Imported(result) => match result {
                Ok(entry) => {
                    self.notify(
                        Level::Info,
                        format!(
                            "Imported {} ({}): only its hash is stored",
                            entry.id,
                            display(&entry.name)
                        ),
                    );
                    self.after_write(&entry.id);
                    form = None;
                }
                Err(error) => failed(&mut form, &error),
            },
            Done::Revoked(result) => match result {
                Ok(revoked) => {
                    let e = &revoked.entry;
                    let text = if revoked.already {
                        format!("{} was already revoked; nothing changed", e.id)
                    } else {
                        format!("Revoked {} ({}), every version", e.id, display(&e.name))
                    };
                    self.notify(Level::Info, text);
                    self.after_write(&e.id.clone());
                    form = None;
                }
                Err(error) => failed(&mut form, &error),
            },
        }
        if !self.quit {
            self.modal = form;
        }
    }

    fn issued(&mut self, issued: apiauth_core::ops::Issued, rotated: bool) -> Modal {
        self.after_write(&issued.entry.id.clone());
        if let Some(note) = &issued.note {
            self.notify(Level::Info, note.clone());
        }
        Modal::Secret(Box::new(SecretPopup::new(issued, rotated)))
    }

    /// After this process wrote: show the key, and load the new generation.
    fn after_write(&mut self, id: &apiauth_core::model::KeyId) {
        self.view = View::Keys;
        self.list.select_id(id);
        self.reload();
        self.keep_in_view();
    }

    fn secret(&mut self, mut secret: Box<SecretPopup>, message: Message) -> Option<Modal> {
        match message {
            Message::Reveal if !secret.confirming => secret.revealed = !secret.revealed,
            Message::CopySecret if !secret.confirming => {
                let seconds = u64::from(self.ctx.config.clipboard_clear_seconds);
                let copied = copy::copy(
                    self.clipboard,
                    &self.open_board,
                    secret.secret().expose(),
                    self.instant,
                    Some(Duration::from_secs(seconds)),
                );
                self.output.extend(copied.osc52);
                secret.copy = Some(copied.copy);
            }
            Message::Dismiss => secret.confirming = true,
            Message::BackToSecret => {
                secret.confirming = false;
                secret.quit_after = false;
            }
            Message::ConfirmDismiss => {
                self.dismiss(secret);
                return None;
            }
            _ => {}
        }
        Some(Modal::Secret(secret))
    }

    /// Drops the secret for good, clearing the system clipboard first if it still holds it.
    fn dismiss(&mut self, mut secret: Box<SecretPopup>) {
        let id = secret.entry.id.clone();
        let method = secret.copy.as_ref().map(|c| c.method);
        let notice = match method {
            Some(crate::clipboard::Method::Osc52) => Some((
                Level::Warning,
                "Gone for good. The terminal clipboard may still hold it: clear it yourself"
                    .to_owned(),
            )),
            Some(_) => match secret.settle_copy(None) {
                Some(Cleared::Cleared) => Some((
                    Level::Info,
                    "The value is gone; the clipboard was cleared".into(),
                )),
                Some(Cleared::LeftAlone) => Some((
                    Level::Info,
                    "The value is gone; the clipboard held something else, left alone".into(),
                )),
                None => None,
            },
            None => None,
        };
        let quit = secret.quit_after;
        drop(secret);
        let (level, text) =
            notice.unwrap_or((Level::Info, format!("The value of {id} is gone for good")));
        self.notify(level, text);
        self.quit |= quit;
    }
}
