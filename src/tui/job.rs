//! Writes to the keystore that a form asks for, as values. A form checks its fields and makes a
//! [`Job`]; the job runs off the UI thread (another process may hold the keystore's lock for
//! seconds, and the screen must keep drawing meanwhile) and its [`Done`] comes back as a
//! message. A write under way cannot be cancelled: the form shows that it is working until the
//! result arrives, which closes it (a new value is shown) or is shown in it.

use apiauth_core::model::{KeyEntry, KeyId};
use apiauth_core::ops::{
    self, Context, GenerateRequest, ImportRequest, Issued, Revoked, RotateRequest,
};
use apiauth_core::sanitize::display;
use apiauth_core::{Error, Result};

use super::app::{App, Level, View};
use super::popups::Modal;
use super::popups::secret::SecretPopup;

/// A write a form asked for. An import carries the key value (a zeroizing `SecretString`,
/// redacted by `Debug`).
#[derive(Debug)]
pub(crate) enum Job {
    Generate(GenerateRequest),
    Import(ImportRequest),
    Rotate(KeyId, RotateRequest),
    Revoke(KeyId, Option<String>),
}

/// What a job did. An issued value is a secret: `Issued` keeps it in a zeroizing
/// `SecretString`, redacted by `Debug`.
#[derive(Debug)]
pub(crate) enum Done {
    Issued {
        result: Result<Issued>,
        rotated: bool,
    },
    Imported(Result<KeyEntry>),
    Revoked(Result<Revoked>),
}

impl Job {
    /// Runs the job through `ops`, as the CLI does.
    pub fn run(self, ctx: &Context) -> Done {
        match self {
            Job::Generate(request) => Done::Issued {
                result: ops::generate(ctx, request),
                rotated: false,
            },
            Job::Import(request) => Done::Imported(ops::import(ctx, request)),
            Job::Rotate(id, request) => Done::Issued {
                result: ops::rotate(ctx, id.as_str(), request),
                rotated: true,
            },
            Job::Revoke(id, reason) => Done::Revoked(ops::revoke(ctx, id.as_str(), reason)),
        }
    }

    /// What the form says while the job runs.
    pub fn working(&self) -> &'static str {
        match self {
            Job::Generate(_) => "Generating…",
            Job::Import(_) => "Importing…",
            Job::Rotate(..) => "Rotating…",
            Job::Revoke(..) => "Revoking…",
        }
    }
}

impl App {
    /// A form's write finished: on success the form closes (a new value is shown); otherwise
    /// the refusal is shown in the form. After a termination signal the form is gone and the
    /// result is only dropped (an issued value with it, zeroized).
    pub(crate) fn job_done(&mut self, done: Done) {
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

    fn issued(&mut self, issued: ops::Issued, rotated: bool) -> Modal {
        self.after_write(&issued.entry.id.clone());
        if let Some(note) = &issued.note {
            self.notify(Level::Info, note.clone());
        }
        Modal::Secret(Box::new(SecretPopup::new(issued, rotated)))
    }

    /// After this process wrote: show the key, and load the new generation.
    fn after_write(&mut self, id: &KeyId) {
        self.view = View::Keys;
        self.list.select_id(id);
        self.reload();
        self.keep_in_view();
    }
}
