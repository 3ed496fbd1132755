//! The command-line face: parse, build the context, call `ops`, render the result.
//!
//! Handlers here translate arguments into `ops` requests and results into human or JSON
//! output; they never validate input or compute a status themselves. This file is the entry
//! (`main`) and the context built from flags and environment; `args.rs` declares the
//! arguments, `run.rs` runs a command, `human/`, `json.rs` and `export.rs` render, `input.rs`
//! reads secrets, `copy.rs` puts a new value on the clipboard.

mod args;
mod copy;
pub mod export;
mod human;
mod input;
mod json;
mod output;
mod run;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use base64::Engine as _;
use clap::{CommandFactory as _, Parser as _};
use zeroize::Zeroizing;

use crate::hints::{self, OK, USAGE};
use apiauth_core::Config;
use apiauth_core::MasterKey;
use apiauth_core::ops::Context;
use apiauth_core::{Error, Field, Result};
use args::{Cli, Command};
use human::Painter;
use run::Run;

/// The environment variable holding a base64 master key (for CI).
pub const MASTER_KEY_ENV: &str = "APIAUTH_MASTER_KEY";

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap quotes the refused argument; it may hold escape sequences, so the message is
            // sanitized like any other untrusted text (help and version are apiauth's own), and
            // it may be 120 KB long, so it is quoted in part.
            let text = e.render().to_string();
            if e.use_stderr() {
                let text = excerpt_arguments(&text, std::env::args_os().skip(1));
                output::stderr(&apiauth_core::sanitize::display_lines(&text));
                return ExitCode::from(USAGE);
            }
            output::stdout(&text);
            return ExitCode::SUCCESS;
        }
    };
    let no_color = cli.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let out = Painter {
        color: !no_color && std::io::stdout().is_terminal(),
    };
    let err = Painter {
        color: !no_color && std::io::stderr().is_terminal(),
    };
    let interactive =
        !cli.headless && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();

    let command = match cli.command {
        Some(Command::Completions(a)) => {
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "apiauth", &mut buf);
            output::stdout(&String::from_utf8_lossy(&buf));
            return ExitCode::SUCCESS;
        }
        Some(Command::HoldClipboard(a)) => return copy::hold(a.seconds),
        Some(command) => command,
        None if interactive => {
            return match context(cli.key_dir).and_then(|ctx| crate::tui::run(ctx, no_color)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => report(&error, err),
            };
        }
        None => {
            output::stderr(&format!(
                "{} no command given (and --headless or no terminal, so no TUI)\n  {} run 'apiauth --help' for the commands\n",
                err.error_label(),
                err.hint_label()
            ));
            return ExitCode::from(USAGE);
        }
    };

    let ctx = match context(cli.key_dir) {
        Ok(ctx) => ctx,
        Err(error) => return report(&error, err),
    };
    let run = Run {
        ctx,
        out,
        err,
        interactive,
    };
    let outcome = run.command(command);
    for warning in run.ctx.take_warnings() {
        output::stderr(&format!(
            "{} {}\n",
            err.warning_label(),
            apiauth_core::sanitize::display(&warning)
        ));
    }
    match (outcome, output::take_failure()) {
        (Ok(OK), Some(source)) => report(&Error::Output { source }, err),
        (Ok(code), _) => ExitCode::from(code),
        (Err(error), _) => report(&error, err),
    }
}

/// Prints `error: …` and its hint to stderr; returns the exit code.
fn report(error: &Error, painter: Painter) -> ExitCode {
    let mut text = format!("{} {}\n", painter.error_label(), hints::message(error));
    if let Some(hint) = hints::hint(error) {
        text.push_str(&format!("  {} {hint}\n", painter.hint_label()));
    }
    output::stderr(&text);
    ExitCode::from(hints::exit_code(error))
}

/// `text` with every long command-line argument it quotes cut to an excerpt. An option's
/// value is quoted without its flag (`--expires-at=VALUE`, `-eVALUE`), so those are looked for
/// too, longest first.
fn excerpt_arguments(text: &str, args: impl Iterator<Item = std::ffi::OsString>) -> String {
    let mut quoted: Vec<String> = Vec::new();
    for arg in args {
        let arg = arg.to_string_lossy().into_owned();
        if let Some((_, value)) = arg.strip_prefix('-').and_then(|a| a.split_once('=')) {
            quoted.push(value.to_owned());
        }
        if !arg.starts_with("--")
            && let Some(value) = arg.strip_prefix('-').and_then(|a| a.get(1..))
        {
            quoted.push(value.to_owned());
        }
        quoted.push(arg);
    }
    quoted.retain(|q| q.chars().count() > apiauth_core::sanitize::EXCERPT_CHARS);
    quoted.sort_by_key(|q| std::cmp::Reverse(q.len()));
    let mut text = text.to_owned();
    for q in &quoted {
        if text.contains(q.as_str()) {
            text = text.replace(q.as_str(), &apiauth_core::sanitize::excerpt(q));
        }
    }
    text
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Reads `APIAUTH_MASTER_KEY`, once, when it is set.
fn master_key_from_env() -> Result<Option<MasterKey>> {
    let Some(raw) = std::env::var_os(MASTER_KEY_ENV) else {
        return Ok(None);
    };
    let malformed = |reason: &str| Error::EnvKeyMalformed {
        reason: reason.to_owned(),
    };
    let raw = Zeroizing::new(raw.into_string().map_err(|_| malformed("it is not text"))?);
    let text = raw.trim();
    if text.is_empty() {
        return Err(malformed("it is set but empty"));
    }
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
            .map_err(|_| malformed("it is not valid base64"))?,
    );
    MasterKey::from_slice(&bytes)
        .map(Some)
        .ok_or_else(|| malformed(&format!("it decodes to {} bytes", bytes.len())))
}

fn lock_timeout() -> Result<Duration> {
    match std::env::var("APIAUTH_LOCK_TIMEOUT") {
        Err(_) => Ok(apiauth_core::DEFAULT_LOCK_TIMEOUT),
        Ok(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 3600.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| {
                Error::invalid(
                    Field::LockTimeout,
                    format!(
                        "'{}' is not a number of seconds from 0 to 3600",
                        apiauth_core::sanitize::display(&text)
                    ),
                )
            }),
    }
}

/// Builds the context from flags and environment.
fn context(flag_dir: Option<PathBuf>) -> Result<Context> {
    let explicit = flag_dir.or_else(|| env_path("APIAUTH_HOME"));
    let dir = apiauth_core::key_dir(explicit.clone(), None).ok_or_else(|| {
        Error::invalid(
            Field::KeyDir,
            "no home directory was found to keep the keystore in; give one with --key-dir or APIAUTH_HOME",
        )
    })?;
    let store = apiauth_core::Store::from(
        apiauth_core::KeyDir::new(dir, master_key_from_env()?).with_lock_timeout(lock_timeout()?),
    );
    // The key directory first: when --key-dir names a file, that is the error, not the
    // config.toml that cannot be found inside it.
    store.check()?;
    let config = Config::find(env_path("APIAUTH_CONFIG"), explicit.as_deref())?;
    Ok(Context::new(store, config))
}
