//! The parsers of the file formats, and the crypto they rest on, for the fuzz targets and the
//! tests that feed them crafted files. Not part of the API: nothing else may use them.

pub use crate::crypto::{NONCE_LEN, TAG_LEN, generate_api_key, jwt, seal_in_place};
pub use crate::events::record::{self as event_record, EventKeys, Line};
pub use crate::store::format::{self, FormatError, HEADER_LEN, Header, MAGIC};
pub use crate::store::payload::Raw;

/// The HKDF info string that binds a derived key to the keystore payload.
pub const KEYSTORE_INFO: &[u8] = crate::store::file::KEYSTORE_INFO;
