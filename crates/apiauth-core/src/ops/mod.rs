//! The actions: generate, import, verify, rotate, revoke, list, show, audit, export, stats,
//! recover and the event-log queries, one file each.
//!
//! Each is a function of a [`Context`] and a request, returning a typed result. The CLI
//! handlers and the TUI forms call these same functions; neither computes a status, validates
//! input or touches the keystore on its own. Every action leaves a record in the event log:
//! changes fail closed (no record, no change), reads and verify note a problem with the log as
//! a warning ([`Context::take_warnings`]) and still answer.

mod audit;
mod context;
mod export;
mod generate;
mod import;
mod import_file;
mod issue;
mod labels;
mod list;
mod log;
mod recover;
mod revoke;
mod rotate;
mod show;
mod stats;
mod verify;

pub use audit::{AuditGroups, AuditReport, audit};
pub(crate) use context::views;
pub use context::{Clock, Context, KeyView};
pub use export::export;
pub use generate::{GenerateRequest, NewKind, generate};
pub use import::{ImportRequest, MAX_IMPORT_LEN, import};
pub use import_file::{ImportFileRequest, import_file};
pub use issue::Issued;
pub use labels::Labels;
pub use list::{Filter, list};
pub use log::{LogCheck, LogQuery, check_log, log, log_mark, recent_events};
pub use recover::{Recovery, recover};
pub use revoke::{Revoked, revoke};
pub use rotate::{RotateRequest, rotate};
pub use show::show;
pub use stats::{Stats, stats};
pub use verify::{Requirements, Verdict, Verification, verify};
