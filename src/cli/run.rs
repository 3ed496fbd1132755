//! Running one command: its arguments turned into an `ops` request, the result rendered in
//! human words or JSON, and the exit code it ends with.

use std::collections::BTreeMap;

use clap::ValueEnum as _;
use zeroize::Zeroizing;

use apiauth_core::ops::{self, Context, KeyView};
use apiauth_core::{Error, Result, SecretString};

use super::args::{self, Command, ExportFormat, GenerateCommand};
use super::human::{self, Painter};
use super::{copy, export, input, json, output};
use crate::hints::{CHECK_FAILED, OK};

/// A command to run, with what running it needs.
pub(super) struct Run {
    pub(super) ctx: Context,
    pub(super) out: Painter,
    pub(super) err: Painter,
    pub(super) interactive: bool,
}

impl Run {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ctx.clock.now()
    }

    fn view(&self, entry: apiauth_core::model::KeyEntry) -> KeyView {
        KeyView::new(entry, self.now(), &self.ctx.config)
    }

    pub(super) fn command(&self, command: Command) -> Result<u8> {
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
