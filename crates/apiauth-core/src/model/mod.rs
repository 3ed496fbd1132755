//! The domain: key entries and their versions ([`KeyEntry`]), the status derived from them
//! ([`Status`], one rule), and the parsers that turn user input into checked values.

mod entry;
mod parse;
mod status;

pub use entry::{
    DEFAULT_JWT_EXPIRY_DAYS, DEFAULT_PREFIX, KeyEntry, KeyId, KeyKind, KeyVersion, hint_for,
    is_stale, normalize_id_prefix, prefix_of,
};
pub use parse::{
    Expiry, MAX_EXPIRY_DAYS, MAX_GRACE_DAYS, check_grace, parse_claim, parse_duration, parse_env,
    parse_expiry, parse_expiry_days, parse_grace, parse_label, parse_name, parse_prefix,
    parse_rate_limit, parse_reason, parse_scope, parse_service, parse_time,
};
pub use status::{Status, status_at};
