//! Writes to the keystore that a form asks for, as values. A form checks its fields and makes a
//! [`Job`]; the job runs off the UI thread (another process may hold the keystore's lock for
//! seconds, and the screen must keep drawing meanwhile) and its [`Done`] comes back as a
//! message. A write under way cannot be cancelled: the form shows that it is working until the
//! result arrives.

use apiauth_core::Result;
use apiauth_core::model::{KeyEntry, KeyId};
use apiauth_core::ops::{
    self, Context, GenerateRequest, ImportRequest, Issued, Revoked, RotateRequest,
};

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
