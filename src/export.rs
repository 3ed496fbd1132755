//! `export`: key metadata as shell variables, a dotenv file, GitHub Actions environment lines
//! or JSON.
//!
//! There is no plaintext to export; each active key contributes its id, service, creation time,
//! expiry and version. Variable names come from the key name, upper-cased, every character
//! outside `[A-Z0-9_]` replaced by `_`, and prefixed `APIAUTH_`; two keys whose names give the
//! same variable get their id appended. Values are sanitized and quoted for the target format, so
//! `eval "$(apiauth export -f env)"` is safe whatever the names and services contain.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::ops::KeyView;
use crate::sanitize;
use crate::timefmt;

/// Output formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `export NAME='value'` lines for a POSIX shell.
    Env,
    /// `NAME="value"` lines for a `.env` file.
    Dotenv,
    /// `NAME=value` lines to append to `$GITHUB_ENV`.
    GithubActions,
}

/// The variable-name stem of a key name: `Stripe Prod` → `APIAUTH_STRIPE_PROD`.
pub fn variable_stem(name: &str) -> String {
    let mut stem = String::from("APIAUTH_");
    stem.extend(name.chars().map(|c| {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' {
            c
        } else {
            '_'
        }
    }));
    stem
}

/// The stem of every key, with the id appended where two keys would share one.
fn stems(keys: &[KeyView]) -> Vec<String> {
    let plain: Vec<String> = keys.iter().map(|k| variable_stem(&k.entry.name)).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for stem in &plain {
        *counts.entry(stem.as_str()).or_default() += 1;
    }
    plain
        .iter()
        .zip(keys)
        .map(|(stem, key)| {
            if counts[stem.as_str()] > 1 {
                format!("{stem}_{}", key.entry.id.as_str().to_ascii_uppercase())
            } else {
                stem.clone()
            }
        })
        .collect()
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(timefmt::rfc3339).unwrap_or_default()
}

/// The `(suffix, value)` pairs exported for one key.
fn fields(key: &KeyView) -> [(&'static str, String); 5] {
    let entry = &key.entry;
    [
        ("ID", entry.id.to_string()),
        ("SERVICE", sanitize::display(&entry.service).into_owned()),
        ("CREATED", timefmt::rfc3339(entry.created_at)),
        ("EXPIRES", time(entry.expires_at)),
        ("VERSION", entry.version().to_string()),
    ]
}

/// Single-quotes for a POSIX shell: nothing inside is interpreted.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Double-quotes for dotenv parsers and shells alike, escaping `\ " $` and backquote.
fn dotenv_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Renders `keys` in a line format.
pub fn render(keys: &[KeyView], format: Format) -> String {
    let mut out = String::new();
    for (stem, key) in stems(keys).iter().zip(keys) {
        for (suffix, value) in fields(key) {
            let line = match format {
                Format::Env => format!("export {stem}_{suffix}={}", shell_quote(&value)),
                Format::Dotenv => format!("{stem}_{suffix}={}", dotenv_quote(&value)),
                Format::GithubActions => format!("{stem}_{suffix}={value}"),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_are_shell_safe() {
        assert_eq!(variable_stem("Stripe Prod"), "APIAUTH_STRIPE_PROD");
        assert_eq!(variable_stem("a$(rm -rf ~)`x`"), "APIAUTH_A__RM__RF____X_");
        assert_eq!(variable_stem("ключ"), "APIAUTH_____");
    }

    #[test]
    fn quoting_neutralizes_shell_syntax() {
        assert_eq!(shell_quote("it's $(x)"), r"'it'\''s $(x)'");
        assert_eq!(dotenv_quote(r#"a"b$c`d\e"#), r#""a\"b\$c\`d\\e""#);
    }
}
