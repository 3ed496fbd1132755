//! apiauth: a local, encrypted keystore for API keys and JWTs.
//!
//! One core, several faces. The core (the `apiauth-core` crate) holds every action
//! (`apiauth_core::ops`): generate, import, verify, rotate, revoke, list, show, audit, export
//! and stats, over an AES-256-GCM encrypted keystore that stays correct when several processes
//! use it at once. The command line ([`cli`]) and the terminal UI ([`tui`]) call those same
//! actions; this crate holds only what a face needs: parsing and rendering, the screen, the
//! clipboard and the process hardening.
//!
//! Security model, in short: a plaintext key is shown once, at generate or rotate, and never
//! written anywhere; the keystore holds only `sha256(key)` and a short hint. Secrets in memory
//! are zeroizing types that print `[redacted]` under `Debug`. Untrusted text is sanitized before
//! it reaches a terminal (`apiauth_core::sanitize`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
pub mod clipboard;
pub mod hardening;
pub mod hints;
pub mod tui;
