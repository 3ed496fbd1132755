//! apiauth: a local, encrypted keystore for API keys and JWTs.
//!
//! One library, two faces. The library holds every action ([`ops`]): generate, import, verify,
//! rotate, revoke, list, show, audit, export and stats, over an AES-256-GCM encrypted keystore
//! ([`store`]) that stays correct when several processes use it at once. The command line
//! ([`cli`]) and the terminal UI ([`tui`]) call those same actions.
//!
//! Security model, in short: a plaintext key is shown once, at generate or rotate, and never
//! written anywhere; the keystore holds only `sha256(key)` and a short hint. Secrets in memory
//! are zeroizing types that print `[redacted]` under `Debug`. Untrusted text is sanitized before
//! it reaches a terminal ([`sanitize`]).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
pub mod clipboard;
pub mod config;
pub mod crypto;
pub mod error;
pub mod events;
pub mod export;
pub mod fs;
pub mod hardening;
pub mod model;
pub mod ops;
pub mod paths;
pub mod sanitize;
pub mod store;
pub mod timefmt;
pub mod tui;

pub use error::{Error, Result};
