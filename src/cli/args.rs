//! The command line as clap parses it (DESIGN.md §4).
//!
//! Values with rules (expiry, durations, prefixes, claims, statuses) are parsed by the model's
//! parsers, so the CLI, the TUI forms and `ops` refuse the same input with the same words.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use apiauth_core::model::{self, Expiry, Status};

/// A local encrypted keystore for API keys and JWTs.
///
/// Without a command, on a terminal, apiauth opens its terminal UI. Every action is also a
/// command for scripts, CI jobs and API middleware.
#[derive(Debug, Parser)]
#[command(
    name = "apiauth",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 success or key valid, 1 a check failed (verify not valid, an audit gate tripped), \
2 usage error, 3 keystore cannot be opened, decrypted or locked, 4 no such key id.\n\
Environment: APIAUTH_HOME (key directory), APIAUTH_MASTER_KEY (base64 master key, for CI), \
APIAUTH_CONFIG (config file), APIAUTH_LOCK_TIMEOUT (seconds to wait for another writer), NO_COLOR."
)]
pub struct Cli {
    /// Key directory [default: $APIAUTH_HOME, else the platform data directory]
    #[arg(short = 'd', long = "key-dir", global = true, value_name = "DIR")]
    pub key_dir: Option<PathBuf>,

    /// Never open the TUI and never prompt; a missing command is a usage error
    #[arg(long, global = true)]
    pub headless: bool,

    /// No colours in the output (as does NO_COLOR)
    #[arg(long = "no-color", global = true)]
    pub no_color: bool,

    /// The command to run; none opens the TUI
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new API key or JWT; the value is shown once
    #[command(subcommand)]
    Generate(GenerateCommand),
    /// Record an existing key by its hash (the value is not stored)
    Import(ImportArgs),
    /// Check a presented key: valid, expired, revoked, superseded or not_found
    Verify(VerifyArgs),
    /// Replace a key's value; the new value is shown once
    Rotate(RotateArgs),
    /// Revoke a key for good (every version)
    Revoke(RevokeArgs),
    /// List keys with their status
    List(ListArgs),
    /// Show everything about one key
    Show(ShowArgs),
    /// Report expired, expiring and revoked keys; gate CI on them
    Audit(AuditArgs),
    /// Export key metadata (never values) for shells, .env files or CI
    Export(ExportArgs),
    /// Count keys by status and service
    Stats(JsonArg),
    /// Show the event log, or check that no record was edited, removed or reordered
    Log(LogArgs),
    /// Say how the keystore and the event log disagree after an older copy of one was put back;
    /// with --accept-rollback, accept them as they are
    Recover(RecoverArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Serve a copied secret to the clipboard and clear it later (used by --copy)
    #[command(name = "__hold-clipboard", hide = true)]
    HoldClipboard(HoldClipboardArgs),
}

/// `recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Accept the keystore and the event log as they are, and record that in the event log
    #[arg(long = "accept-rollback")]
    pub accept_rollback: bool,
}

/// `-j/--json-output/--json`.
#[derive(Debug, Args, Clone, Copy)]
pub struct JsonArg {
    /// Print stable JSON on stdout
    #[arg(short = 'j', long = "json-output", visible_alias = "json")]
    pub json: bool,
}

/// `-e/--expiry-days` or `--expires-at`.
#[derive(Debug, Args, Clone, Copy)]
pub struct ExpiryArgs {
    /// Days until the key expires (1-36500)
    #[arg(short = 'e', long = "expiry-days", value_name = "DAYS", value_parser = model::parse_expiry_days, allow_negative_numbers = true)]
    pub expiry_days: Option<u32>,
    /// Expiry as RFC 3339 or YYYY-MM-DD
    #[arg(long = "expires-at", value_name = "TIME", value_parser = model::parse_time, conflicts_with = "expiry_days")]
    pub expires_at: Option<DateTime<Utc>>,
}

impl ExpiryArgs {
    /// The expiry the user asked for, if any.
    pub fn expiry(self) -> Option<Expiry> {
        self.expiry_days
            .map(Expiry::Days)
            .or(self.expires_at.map(Expiry::At))
    }
}

/// Name, service and the other labels of a new key.
#[derive(Debug, Args, Clone)]
pub struct LabelArgs {
    /// Human name of the key
    #[arg(short = 'n', long, value_parser = model::parse_name)]
    pub name: String,
    /// Service the key belongs to
    #[arg(short = 's', long, value_parser = model::parse_service)]
    pub service: String,
    /// Environment (prod, staging, dev, …)
    #[arg(long = "env", value_name = "ENV", value_parser = model::parse_env)]
    pub env: Option<String>,
    /// A permission the key carries; repeat for several
    #[arg(long = "scope", value_name = "SCOPE", value_parser = model::parse_scope)]
    pub scopes: Vec<String>,
}

/// `generate api-key` / `generate jwt`.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Generate an API key: {prefix}_{32 random bytes, base64url}
    ApiKey(GenerateApiKeyArgs),
    /// Generate an HS256 JWT signed with a per-key secret
    Jwt(GenerateJwtArgs),
}

/// `generate api-key`.
#[derive(Debug, Args)]
pub struct GenerateApiKeyArgs {
    #[command(flatten)]
    pub labels: LabelArgs,
    #[command(flatten)]
    pub expiry: ExpiryArgs,
    /// Requests per second the holder may make (returned by verify)
    #[arg(short = 'r', long = "rate-limit", value_name = "RATE", value_parser = model::parse_rate_limit, allow_negative_numbers = true)]
    pub rate_limit: Option<u32>,
    /// Key prefix, 1-16 letters or digits [default: ak, or config default_prefix]
    #[arg(short = 'p', long, value_parser = model::parse_prefix)]
    pub prefix: Option<String>,
    #[command(flatten)]
    pub json: JsonArg,
    /// Also copy the key to the clipboard (cleared after clipboard_clear_seconds)
    #[arg(long)]
    pub copy: bool,
}

/// `generate jwt`.
#[derive(Debug, Args)]
pub struct GenerateJwtArgs {
    #[command(flatten)]
    pub labels: LabelArgs,
    #[command(flatten)]
    pub expiry: ExpiryArgs,
    /// An extra claim key=value; repeat for several
    #[arg(short = 'c', long = "claim", value_name = "KEY=VALUE", value_parser = model::parse_claim)]
    pub claims: Vec<(String, String)>,
    /// Requests per second the holder may make (returned by verify)
    #[arg(short = 'r', long = "rate-limit", value_name = "RATE", value_parser = model::parse_rate_limit, allow_negative_numbers = true)]
    pub rate_limit: Option<u32>,
    #[command(flatten)]
    pub json: JsonArg,
    /// Also copy the token to the clipboard (cleared after clipboard_clear_seconds)
    #[arg(long)]
    pub copy: bool,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The key value; '-' or nothing reads it from stdin (a value on the command line is visible in ps)
    #[arg(value_name = "VALUE", conflicts_with = "from_file")]
    pub value: Option<String>,
    /// Human name of the key
    #[arg(short = 'n', long, value_parser = model::parse_name, required_unless_present = "from_file", conflicts_with = "from_file")]
    pub name: Option<String>,
    /// Service the key belongs to
    #[arg(short = 's', long, value_parser = model::parse_service)]
    pub service: String,
    /// Environment (prod, staging, dev, …)
    #[arg(long = "env", value_name = "ENV", value_parser = model::parse_env)]
    pub env: Option<String>,
    /// A permission the key carries; repeat for several
    #[arg(long = "scope", value_name = "SCOPE", value_parser = model::parse_scope)]
    pub scopes: Vec<String>,
    #[command(flatten)]
    pub expiry: ExpiryArgs,
    /// Requests per second the holder may make (returned by verify)
    #[arg(short = 'r', long = "rate-limit", value_name = "RATE", value_parser = model::parse_rate_limit, allow_negative_numbers = true)]
    pub rate_limit: Option<u32>,
    /// Import every NAME=VALUE line of a .env file ('-' for stdin), all or nothing
    #[arg(long = "from-file", value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The presented key; '-' or nothing reads it from stdin
    #[arg(value_name = "VALUE")]
    pub value: Option<String>,
    /// Answer forbidden unless the key has this scope; repeat for several
    #[arg(long = "require-scope", value_name = "SCOPE")]
    pub require_scopes: Vec<String>,
    /// Answer forbidden unless the key belongs to this service
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Key id or an unambiguous prefix of one
    pub id: String,
    #[command(flatten)]
    pub expiry: ExpiryArgs,
    /// Keep the previous value valid for this long (e.g. 24h, 7d)
    #[arg(long, value_name = "DURATION", value_parser = model::parse_grace)]
    pub grace: Option<Duration>,
    #[command(flatten)]
    pub json: JsonArg,
    /// Also copy the new value to the clipboard
    #[arg(long)]
    pub copy: bool,
}

/// `revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Key id or an unambiguous prefix of one
    pub id: String,
    /// Why the key is revoked (kept with the key)
    #[arg(long, value_parser = model::parse_reason)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only keys of this service
    #[arg(short = 's', long)]
    pub service: Option<String>,
    /// Only keys of this environment
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
    /// Only keys in this status: healthy, expiring, expired, revoked
    #[arg(long, value_parser = Status::parse)]
    pub status: Option<Status>,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Key id or an unambiguous prefix of one
    pub id: String,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Expiring window in days [default: config expiring_window_days, 7]
    #[arg(long, value_name = "DAYS", value_parser = model::parse_expiry_days, allow_negative_numbers = true)]
    pub within: Option<u32>,
    /// Exit 1 when any key is expired
    #[arg(long)]
    pub exit_on_expired: bool,
    /// Exit 1 when any key is expiring within the window
    #[arg(long)]
    pub exit_on_expiring: bool,
    /// Exit 1 when any key is revoked
    #[arg(long)]
    pub exit_on_revoked: bool,
    /// Exit 1 when a revoked, expired or superseded key was presented to verify recently
    /// (alert_window_days, 7)
    #[arg(long)]
    pub exit_on_alert: bool,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only events of this key (id or unambiguous prefix)
    #[arg(long = "key", value_name = "ID")]
    pub key: Option<String>,
    /// Only events at or after this time (RFC 3339 or YYYY-MM-DD)
    #[arg(long, value_name = "TIME", value_parser = model::parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Only the last N events
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Verify the whole chain; exit 1 naming the first bad line if a record was edited,
    /// removed or reordered, or the file truncated
    #[arg(long, conflicts_with_all = ["key", "since", "limit"])]
    pub check: bool,
    #[command(flatten)]
    pub json: JsonArg,
}

/// Output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// export NAME='value' lines for a POSIX shell
    Env,
    /// NAME='value' lines for a .env file
    Dotenv,
    /// A JSON array of key metadata
    Json,
    /// NAME=value lines to append to $GITHUB_ENV
    GithubActions,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format
    #[arg(short = 'f', long, value_enum, default_value_t = ExportFormat::Env)]
    pub format: ExportFormat,
    /// Only keys of this service
    #[arg(short = 's', long)]
    pub service: Option<String>,
    /// Only keys of this environment
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `__hold-clipboard`.
#[derive(Debug, Args)]
pub struct HoldClipboardArgs {
    /// Seconds before the clipboard is cleared
    #[arg(long)]
    pub seconds: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
