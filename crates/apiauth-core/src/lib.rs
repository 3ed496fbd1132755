//! The core of apiauth: an encrypted keystore for API keys and JWTs, its tamper-evident event
//! log, and every action on keys, with no user interface.
//!
//! apiauth has several faces (a terminal UI, headless commands, a verify server) over this one
//! core. A face builds a [`ops::Context`] (a [`Store`], the [`Config`] and a clock), calls an
//! action in [`ops`] (`generate`, `import`, `verify`, `rotate`, `revoke`, `list`, `show`,
//! `audit`, `export`, `stats`, `log`, `recover`) and renders what comes back. It never decides a
//! status, validates input or touches a file itself: the parsers in [`model`] are the only
//! validation, the status rule lives once in [`model`], and every error is an [`Error`] that
//! says which input was wrong with a typed field, never a command-line flag.
//!
//! # Security model
//!
//! - A plaintext key is shown exactly once, when [`ops::generate`] or [`ops::rotate`] returns
//!   it as a [`SecretString`]. It is never written anywhere: the keystore keeps only
//!   `sha256(value)` and a short hint.
//! - The keystore is one AES-256-GCM message under a key derived (HKDF-SHA256) from a 256-bit
//!   master key, with every header byte as associated data. A wrong key, a changed byte or a
//!   truncated file is an error naming the file, never an empty store.
//! - Every action leaves a record in an append-only, encrypted, HMAC-chained event log. A
//!   change whose record cannot be written is not applied; the keystore and the log each
//!   remember the other's newest position, so an older copy of either put back is refused.
//! - Secrets in memory ([`SecretString`], [`MasterKey`], signing secrets, decrypted buffers)
//!   are wiped on drop and print `[redacted]` under `Debug`.
//! - Text that came from a user or a file is never written raw to a terminal: faces pass it
//!   through [`sanitize`] first.
//!
//! # Layout
//!
//! The modules are private; this page lists what a face may use. [`model`] (entries, status,
//! input parsers) and [`ops`] (the actions and their requests and results) are namespaces,
//! as are [`sanitize`] and [`timefmt`], the words a terminal face needs. Everything else is
//! re-exported here by theme.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod crypto;
mod error;
mod events;
mod fs;
mod paths;
mod store;

pub mod model;
pub mod ops;
pub mod sanitize;
pub mod timefmt;

#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod testing;

// What went wrong, with the facts a message needs.
pub use error::{Error, Field, FileKind, KeySourceKind, LineProblem, Lock, Result, Rollback};

// Preferences, and where the keystore lives when no directory is given.
pub use config::{Config, KeySpec, Theme};
pub use paths::key_dir;

// Secrets and the hashes that stand for them.
pub use crypto::{KeyHash, MasterKey, SecretString, SigningSecret};

// The keystore, and where it is kept: a Backend (a key directory today) behind a Store.
pub use fs::lock::DEFAULT_TIMEOUT as DEFAULT_LOCK_TIMEOUT;
pub use store::{
    Accepted, BACKUP_FILE, Backend, Found, KEYSTORE_FILE, KeyDir, Keystore, LOCK_FILE, Log,
    MASTER_KEY_FILE, Store, Transaction,
};

// The event log.
pub use events::{Anchor, CheckReport, Damage, Event, EventKind, LOG_FILE, Record, Use};
