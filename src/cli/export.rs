//! Rendering `export`: key metadata as shell variables, a dotenv file or GitHub Actions
//! environment lines (which keys, `ops::export` decides; JSON is `json.rs`'s).
//!
//! There is no plaintext to export; each active key contributes its id, service, creation time,
//! expiry and version. Variable names come from the key name, upper-cased, every character
//! outside `[A-Z0-9_]` replaced by `_`, and prefixed `APIAUTH_`; two keys whose names give the
//! same variable get their id appended. Values are sanitized and quoted for the target format, so
//! `eval "$(apiauth export -f env)"` is safe whatever the names and services contain.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use apiauth_core::ops::KeyView;
use apiauth_core::sanitize;
use apiauth_core::timefmt;

/// Output formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `export NAME='value'` lines for a POSIX shell.
    Env,
    /// `NAME='value'` lines for a `.env` file.
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

/// Quotes a value for a `.env` file so that python-dotenv, the dotenv crates and a POSIX shell
/// sourcing the file (`set -a; . ./.env`) all read it literally.
///
/// Single quotes, as a rule: nothing inside is special to dotenvy or a shell. Three things are
/// not literal everywhere, though: python-dotenv reads `\\` in them as one backslash and
/// expands `${NAME}` (its interpolation is on by default and ignores quotes), dotenvy has no
/// way to write a `'` inside them, and a `\` just before the closing quote escapes it for both
/// parsers. A value holding `'`, `\\` or `${` is double-quoted instead, with `\` and `"`
/// escaped, which all three read literally as long as it holds no `$` (dotenvy expands it) and
/// no backquote (a shell runs it). A value that neither quoting carries — one ending in `\`,
/// or holding `'`, `\\` or `${` together with a `$` or a backquote — has its `'`, `\` and `$`
/// written as U+FFFD, as control characters are.
fn dotenv_quote(value: &str) -> String {
    if value.ends_with('\\') {
        return format!("'{}'", replace_unquotable(value));
    }
    if !value.contains('\'') && !value.contains("\\\\") && !value.contains("${") {
        return format!("'{value}'");
    }
    if !value.contains(['$', '`']) {
        let mut out = String::with_capacity(value.len() + 4);
        out.push('"');
        for c in value.chars() {
            if matches!(c, '\\' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        return out;
    }
    format!("'{}'", replace_unquotable(value))
}

/// `value` with the characters no dotenv quoting carries to every reader replaced by U+FFFD.
fn replace_unquotable(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\'' | '\\' | '$' => sanitize::REPLACEMENT,
            c => c,
        })
        .collect()
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
    }

    #[test]
    fn dotenv_values_are_single_quoted_unless_that_changes_them() {
        assert_eq!(dotenv_quote("billing"), "'billing'");
        assert_eq!(
            dotenv_quote(r#"$(x) `y` "z" a\b$"#),
            r#"'$(x) `y` "z" a\b$'"#
        );
        assert_eq!(dotenv_quote("O'Reilly"), r#""O'Reilly""#);
        assert_eq!(dotenv_quote(r#"a\\b "c" {d}"#), r#""a\\\\b \"c\" {d}""#);
        assert_eq!(dotenv_quote("it's ${HOME}"), "'it\u{FFFD}s \u{FFFD}{HOME}'");
        assert_eq!(dotenv_quote(r"\\`x`"), "'\u{FFFD}\u{FFFD}`x`'");
        assert_eq!(dotenv_quote(r"ends\"), "'ends\u{FFFD}'");
    }
}
