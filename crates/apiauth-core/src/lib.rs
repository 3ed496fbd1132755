//! apiauth-core: the keystore, its event log and every action on keys, with no user interface.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
pub mod crypto;
pub mod error;
pub mod events;
pub mod fs;
pub mod model;
pub mod ops;
pub mod paths;
pub mod sanitize;
pub mod store;
pub mod timefmt;

#[doc(hidden)]
pub mod testing;

pub use error::{Error, Result};
