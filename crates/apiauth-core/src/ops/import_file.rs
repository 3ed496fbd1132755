//! `import --from-file`: every `NAME=VALUE` line of a legacy `.env` file in one locked write,
//! all lines or none.

use std::collections::BTreeMap;

use super::Context;
use super::import::{check_value, import_event, imported_entry};
use super::labels::Labels;
use crate::crypto::KeyHash;
use crate::error::{Error, Field, LineProblem, Result};
use crate::model::{self, Expiry, KeyEntry};

/// An `import --from-file` request.
pub struct ImportFileRequest {
    /// The file's text (it holds secrets; zeroized on drop).
    pub contents: zeroize::Zeroizing<String>,
    /// Service, env, scopes and rate limit of every imported key; each line names its own key,
    /// so `labels.name` is not used.
    pub labels: Labels,
    /// Expiry of every imported key.
    pub expiry: Option<Expiry>,
}

impl std::fmt::Debug for ImportFileRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportFileRequest")
            .field("contents", &"[redacted]")
            .field("labels", &self.labels)
            .field("expiry", &self.expiry)
            .finish()
    }
}

/// One `NAME=VALUE` line of a dotenv file.
struct DotenvLine<'a> {
    number: usize,
    name: &'a str,
    value: &'a str,
}

/// Parses dotenv text: `NAME=VALUE` per line, `export ` allowed, blank lines and `#` comments
/// skipped, matching quotes around the value removed, a ` #` comment after an unquoted value
/// dropped. Returns the good lines and what is wrong with each bad one.
fn parse_dotenv(text: &str) -> (Vec<DotenvLine<'_>>, Vec<LineProblem>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, value)) = line.split_once('=') else {
            problems.push(LineProblem::new(number, "expected NAME=VALUE"));
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value[1..].find(q) {
                Some(end)
                    if value[1 + end + 1..].trim().is_empty()
                        || value[1 + end + 1..].trim_start().starts_with('#') =>
                {
                    &value[1..1 + end]
                }
                _ => {
                    problems.push(LineProblem::new(number, "unterminated or malformed quotes"));
                    continue;
                }
            },
            _ => value.split(" #").next().unwrap_or("").trim_end(),
        };
        if let Err(message) = model::parse_name(name) {
            problems.push(LineProblem::new(number, message));
            continue;
        }
        if let Err(message) = check_value(value) {
            problems.push(LineProblem {
                name: Some(name.to_owned()),
                ..LineProblem::new(number, message)
            });
            continue;
        }
        lines.push(DotenvLine {
            number,
            name,
            value,
        });
    }
    (lines, problems)
}

/// Imports every `NAME=VALUE` line of a legacy `.env` file in one locked write: all lines or
/// none. Each problem (malformed line, value already stored, value repeated) is reported with
/// its line number.
pub fn import_file(ctx: &Context, request: ImportFileRequest) -> Result<Vec<KeyEntry>> {
    let now = ctx.now();
    let labels = request.labels.checked_except_name()?;
    let (lines, line_problems) = parse_dotenv(&request.contents);
    if lines.is_empty() && line_problems.is_empty() {
        return Err(Error::invalid(
            Field::ImportFile,
            "the file has no NAME=VALUE lines to import",
        ));
    }
    let default_days = ctx.config.default_expiry_days;
    ctx.store.update(|keystore| {
        let mut problems = line_problems.clone();
        let mut seen: BTreeMap<KeyHash, usize> = BTreeMap::new();
        let mut entries = Vec::with_capacity(lines.len());
        for line in &lines {
            let hash = KeyHash::of(line.value);
            if let Some(first) = seen.insert(hash, line.number) {
                problems.push(LineProblem::new(
                    line.number,
                    format!("the same value as line {first}"),
                ));
                continue;
            }
            let line_labels = Labels {
                name: line.name.to_owned(),
                ..labels.clone()
            };
            match imported_entry(
                keystore,
                line.value,
                line_labels,
                request.expiry,
                default_days,
                now,
            ) {
                Ok(entry) => entries.push(entry),
                Err(Error::Duplicate { id, .. }) => problems.push(LineProblem::new(
                    line.number,
                    format!("this value is already in the keystore as {id}"),
                )),
                Err(Error::Invalid { field, message }) => problems.push(LineProblem {
                    field: Some(field),
                    ..LineProblem::new(line.number, message)
                }),
                Err(e) => problems.push(LineProblem::new(line.number, e.to_string())),
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(Error::ImportRejected { problems });
        }
        for entry in &entries {
            keystore.insert(entry);
            keystore.record(import_event(entry, now, "import --from-file"));
        }
        Ok(entries)
    })
}
