//! Which input an invalid value was given for, as a type: each face names it in its own terms
//! (the command line by its flag, the terminal UI by its form field), so an error never carries
//! one face's words for another to translate back.

use std::fmt;

/// The input an [`Error::Invalid`](super::Error::Invalid) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The value of a key being imported.
    Value,
    /// A key's name.
    Name,
    /// The service a key belongs to.
    Service,
    /// A key's environment.
    Env,
    /// A scope of a key.
    Scope,
    /// When a key expires: a number of days or a time.
    Expiry,
    /// How long a rotated value keeps verifying.
    Grace,
    /// The prefix of generated API keys.
    Prefix,
    /// A claim of a JWT.
    Claim,
    /// A key's rate limit.
    RateLimit,
    /// Why a key is revoked.
    Reason,
    /// The expiring window of an audit.
    Window,
    /// A dotenv file of keys to import.
    ImportFile,
    /// Where the keystore lives.
    KeyDir,
    /// How long to wait for another writer's lock.
    LockTimeout,
    /// The key bindings of a face, in the config.
    KeyBindings,
    /// Where a face reads a value from before it reaches an action: an argument, standard
    /// input or a prompt.
    ValueSource,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Value => "value",
            Field::Name => "name",
            Field::Service => "service",
            Field::Env => "environment",
            Field::Scope => "scope",
            Field::Expiry => "expiry",
            Field::Grace => "grace",
            Field::Prefix => "prefix",
            Field::Claim => "claim",
            Field::RateLimit => "rate limit",
            Field::Reason => "reason",
            Field::Window => "window",
            Field::ImportFile => "import file",
            Field::KeyDir => "key directory",
            Field::LockTimeout => "lock timeout",
            Field::KeyBindings => "key bindings",
            Field::ValueSource => "value source",
        })
    }
}
