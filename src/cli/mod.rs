//! The command-line face: parse, build the context, call `ops`, render the result.
//!
//! Handlers here translate arguments into `ops` requests and results into human or JSON
//! output; they never validate input or compute a status themselves.

mod args;
mod copy;
pub mod export;
mod human;
mod input;
mod json;
mod output;

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use base64::Engine as _;
use clap::{CommandFactory as _, Parser as _, ValueEnum as _};
use zeroize::Zeroizing;

use crate::hints::{self, CHECK_FAILED, OK, USAGE};
use apiauth_core::Config;
use apiauth_core::ops::{self, Context, KeyView};
use apiauth_core::{Error, Field, Result};
use apiauth_core::{MasterKey, SecretString};
use args::{Cli, Command, ExportFormat, GenerateCommand};
use human::Painter;

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

struct Run {
    ctx: Context,
    out: Painter,
    err: Painter,
    interactive: bool,
}

impl Run {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ctx.clock.now()
    }

    fn view(&self, entry: apiauth_core::model::KeyEntry) -> KeyView {
        KeyView::new(entry, self.now(), &self.ctx.config)
    }

    fn command(&self, command: Command) -> Result<u8> {
        match command {
            Command::Generate(GenerateCommand::ApiKey(a)) => {
                let request = ops::GenerateRequest {
                    labels: labels(a.labels, a.rate_limit),
                    kind: ops::NewKind::ApiKey { prefix: a.prefix },
                    expiry: a.expiry.expiry(),
                };
                self.issued(
                    ops::generate(&self.ctx, request)?,
                    a.json.json,
                    a.copy,
                    false,
                )
            }
            Command::Generate(GenerateCommand::Jwt(a)) => {
                let request = ops::GenerateRequest {
                    labels: labels(a.labels, a.rate_limit),
                    kind: ops::NewKind::Jwt {
                        claims: a.claims.into_iter().collect::<BTreeMap<_, _>>(),
                    },
                    expiry: a.expiry.expiry(),
                };
                self.issued(
                    ops::generate(&self.ctx, request)?,
                    a.json.json,
                    a.copy,
                    false,
                )
            }
            Command::Import(a) => self.import(a),
            Command::Verify(a) => self.verify(a),
            Command::Rotate(a) => {
                let request = ops::RotateRequest {
                    expiry: a.expiry.expiry(),
                    grace: a.grace,
                };
                self.issued(
                    ops::rotate(&self.ctx, &a.id, request)?,
                    a.json.json,
                    a.copy,
                    true,
                )
            }
            Command::Revoke(a) => {
                let revoked = ops::revoke(&self.ctx, &a.id, a.reason)?;
                if a.json.json {
                    let view = self.view(revoked.entry.clone());
                    output::stdout(&(json::to_string(&json::EntryJson::from(&view)) + "\n"));
                } else {
                    output::stdout(&human::revoked(self.out, &revoked));
                }
                Ok(OK)
            }
            Command::List(a) => {
                let filter = ops::Filter {
                    service: a.service,
                    env: a.env,
                    status: a.status,
                };
                let views = ops::list(&self.ctx, &filter)?;
                if a.json.json {
                    let all: Vec<json::EntryJson> =
                        views.iter().map(json::EntryJson::from).collect();
                    output::stdout(&(json::to_string(&all) + "\n"));
                } else {
                    let filtered = filter != ops::Filter::default();
                    output::stdout(&human::list(self.out, &views, filtered, self.now()));
                }
                Ok(OK)
            }
            Command::Show(a) => {
                let view = ops::show(&self.ctx, &a.id)?;
                if a.json.json {
                    output::stdout(&(json::to_string(&json::EntryJson::from(&view)) + "\n"));
                } else {
                    output::stdout(&human::show(self.out, &view, self.now()));
                }
                Ok(OK)
            }
            Command::Audit(a) => self.audit(a),
            Command::Export(a) => {
                let filter = ops::Filter {
                    service: a.service,
                    env: a.env,
                    status: None,
                };
                let format_name = a
                    .format
                    .to_possible_value()
                    .map_or_else(String::new, |v| v.get_name().to_owned());
                let views = ops::export(&self.ctx, &filter, &format_name)?;
                let text = match a.format {
                    ExportFormat::Json => {
                        let all: Vec<json::MetadataJson> =
                            views.iter().map(json::MetadataJson::from).collect();
                        json::to_string(&all) + "\n"
                    }
                    ExportFormat::Env => export::render(&views, export::Format::Env),
                    ExportFormat::Dotenv => export::render(&views, export::Format::Dotenv),
                    ExportFormat::GithubActions => {
                        export::render(&views, export::Format::GithubActions)
                    }
                };
                output::stdout(&text);
                Ok(OK)
            }
            Command::Stats(a) => {
                let stats = ops::stats(&self.ctx)?;
                if a.json {
                    output::stdout(&(json::to_string(&stats) + "\n"));
                } else {
                    output::stdout(&human::stats(&stats));
                }
                Ok(OK)
            }
            Command::Log(a) => self.log(a),
            Command::Recover(a) => {
                let recovery = ops::recover(&self.ctx, a.accept_rollback)?;
                output::stdout(&human::recovery(self.out, &recovery));
                Ok(if recovery.found.is_some() && recovery.record.is_none() {
                    CHECK_FAILED
                } else {
                    OK
                })
            }
            Command::Completions(_) | Command::HoldClipboard(_) => {
                unreachable!("handled before a context is built")
            }
        }
    }

    /// Output of generate and rotate: the one time the plaintext is shown.
    fn issued(
        &self,
        issued: ops::Issued,
        as_json: bool,
        copy_it: bool,
        rotated: bool,
    ) -> Result<u8> {
        let view = self.view(issued.entry);
        let text = Zeroizing::new(if as_json {
            json::to_string(&json::IssuedJson::new(
                &view,
                &issued.secret,
                issued.note.clone(),
            )) + "\n"
        } else if rotated {
            human::rotated(
                self.out,
                &view.entry,
                &issued.secret,
                issued.note.as_deref(),
                self.now(),
            )
        } else {
            human::generated(self.out, &view.entry, &issued.secret, self.now())
        });
        if let Err(source) = output::stdout_or_fail(&text) {
            return Err(Error::NotShown {
                id: view.entry.id.to_string(),
                source,
            });
        }
        if copy_it {
            self.copy(&issued.secret);
        }
        Ok(OK)
    }

    fn copy(&self, secret: &SecretString) {
        let seconds = self.ctx.config.clipboard_clear_seconds;
        match copy::copy(secret, seconds) {
            Ok(method @ crate::clipboard::Method::System) => output::stderr(&format!(
                "Copied to {method}; it will be cleared in {seconds}s if still there.\n"
            )),
            Ok(method) => output::stderr(&format!(
                "Copied to {method}. It cannot be cleared from here: clear it once pasted.\n"
            )),
            Err(e) => output::stderr(&format!("warning: not copied: {e}\n")),
        }
    }

    fn import(&self, a: args::ImportArgs) -> Result<u8> {
        if let Some(path) = a.from_file {
            let request = ops::ImportFileRequest {
                contents: input::read_secret_file(&path)?,
                labels: ops::Labels {
                    name: String::new(),
                    service: a.service,
                    env: a.env,
                    scopes: a.scopes,
                    rate_limit: a.rate_limit,
                },
                expiry: a.expiry.expiry(),
            };
            let entries = ops::import_file(&self.ctx, request)?;
            if a.json.json {
                let all: Vec<json::EntryJson> = entries
                    .into_iter()
                    .map(|e| json::EntryJson::from(&self.view(e)))
                    .collect();
                output::stdout(&(json::to_string(&all) + "\n"));
            } else {
                output::stdout(&human::imported_file(
                    self.out,
                    &entries,
                    &path.display().to_string(),
                ));
            }
            return Ok(OK);
        }
        let request = ops::ImportRequest {
            value: input::read_value(a.value, self.interactive, "key value")?,
            labels: ops::Labels {
                name: a.name.unwrap_or_default(),
                service: a.service,
                env: a.env,
                scopes: a.scopes,
                rate_limit: a.rate_limit,
            },
            expiry: a.expiry.expiry(),
        };
        let entry = ops::import(&self.ctx, request)?;
        if a.json.json {
            output::stdout(&(json::to_string(&json::EntryJson::from(&self.view(entry))) + "\n"));
        } else {
            output::stdout(&human::imported(self.out, &entry, self.now()));
        }
        Ok(OK)
    }

    fn verify(&self, a: args::VerifyArgs) -> Result<u8> {
        let value = input::read_presented(a.value, self.interactive, "key to verify")?;
        let requirements = ops::Requirements {
            scopes: a.require_scopes,
            service: a.service,
        };
        let verification = ops::verify(&self.ctx, value.expose(), &requirements)?;
        if a.json.json {
            output::stdout(&(json::to_string(&json::VerifyJson::from(&verification)) + "\n"));
        } else {
            output::stdout(&human::verification(self.out, &verification, self.now()));
        }
        Ok(if verification.verdict == ops::Verdict::Valid {
            OK
        } else {
            CHECK_FAILED
        })
    }

    fn audit(&self, a: args::AuditArgs) -> Result<u8> {
        let report = ops::audit(&self.ctx, a.within)?;
        if a.json.json {
            output::stdout(&(json::to_string(&json::AuditJson::from(&report)) + "\n"));
        } else {
            output::stdout(&human::audit(self.out, &report, self.now()));
        }
        let mut tripped = Vec::new();
        if a.exit_on_expired && !report.expired.is_empty() {
            tripped.push(format!("{} expired", report.expired.len()));
        }
        if a.exit_on_expiring && !report.expiring.is_empty() {
            tripped.push(format!("{} expiring", report.expiring.len()));
        }
        if a.exit_on_revoked && !report.revoked.is_empty() {
            tripped.push(format!("{} revoked", report.revoked.len()));
        }
        if a.exit_on_alert && !report.alerts.is_empty() {
            tripped.push(format!("{} alert(s)", report.alerts.len()));
        }
        if let Some(why) = &report.alerts_unavailable {
            output::stderr(&format!(
                "{} alerts are unavailable: {}\n",
                self.err.warning_label(),
                apiauth_core::sanitize::display(why)
            ));
            if a.exit_on_alert {
                tripped.push("alerts could not be read".into());
            }
        }
        if tripped.is_empty() {
            return Ok(OK);
        }
        output::stderr(&format!("audit gate failed: {}\n", tripped.join(", ")));
        Ok(CHECK_FAILED)
    }
}

impl Run {
    fn log(&self, a: args::LogArgs) -> Result<u8> {
        if a.check {
            let check = ops::check_log(&self.ctx)?;
            if a.json.json {
                output::stdout(&(json::to_string(&json::LogCheckJson::from(&check)) + "\n"));
            } else {
                output::stdout(&human::log_check(
                    self.out,
                    &check,
                    &self.ctx.store.describe_log(),
                ));
            }
            return Ok(if check.is_intact() { OK } else { CHECK_FAILED });
        }
        let query = ops::LogQuery {
            key: a.key,
            since: a.since,
            limit: a.limit.map(|n| n as usize),
        };
        let records = ops::log(&self.ctx, &query)?;
        if a.json.json {
            let all: Vec<json::EventJson> = records.iter().map(json::EventJson::from).collect();
            output::stdout(&(json::to_string(&all) + "\n"));
        } else {
            output::stdout(&human::log(self.out, &records));
        }
        Ok(OK)
    }
}

fn labels(a: args::LabelArgs, rate_limit: Option<u32>) -> ops::Labels {
    ops::Labels {
        name: a.name,
        service: a.service,
        env: a.env,
        scopes: a.scopes,
        rate_limit,
    }
}
