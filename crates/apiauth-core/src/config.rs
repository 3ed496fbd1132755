//! User preferences from `config.toml`.
//!
//! The file is looked for at `APIAUTH_CONFIG` when set; otherwise in the key directory when
//! one was chosen explicitly (`--key-dir` or `APIAUTH_HOME`), so a keystore carries its own
//! settings; otherwise in the platform's config directory. A missing file means defaults. A file
//! with an unknown setting or an out-of-range value is an error naming the setting, never
//! silently ignored. `assets/config.toml` is the documented template.
//!
//! The file must be a regular file of at most [`MAX_BYTES`]: `APIAUTH_CONFIG=/dev/zero` or a FIFO
//! is refused before anything is read. A `config.toml` in the key directory is opened like every
//! file there, never through a symbolic link; one elsewhere may be a link (dotfile managers keep
//! it so), to a regular file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{self, MAX_EXPIRY_DAYS};

/// The largest config file read: the template is 2 KiB.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Colour theme of the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Colours on a dark or light terminal.
    #[default]
    Default,
    /// No colour at all (as with `NO_COLOR`).
    Mono,
}

/// All preferences, with their defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A key expiring within this many days is "expiring".
    pub expiring_window_days: u32,
    /// A key unused for this many days is stale.
    pub stale_after_days: u32,
    /// `audit` and the dashboard report alerts from this many days back.
    pub alert_window_days: u32,
    /// Expiry of generated and imported API keys when no `-e` is given; none means no expiry.
    pub default_expiry_days: Option<u32>,
    /// Prefix of generated API keys when no `-p` is given.
    pub default_prefix: String,
    /// Seconds after which a copied secret is cleared from the clipboard.
    pub clipboard_clear_seconds: u32,
    /// TUI colour theme.
    pub theme: Theme,
    /// TUI key rebinding: action name to one key or a list of keys.
    pub keys: BTreeMap<String, KeySpec>,
}

/// One key (`"j"`) or several (`["j", "down"]`) in the `[keys]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "a key binding is a key (\"j\") or a list of keys ([\"j\", \"down\"])"
)]
pub enum KeySpec {
    /// A single key.
    One(String),
    /// Several keys for the same action.
    Many(Vec<String>),
}

impl KeySpec {
    /// The keys as a list.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeySpec::One(k) => vec![k.as_str()],
            KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            expiring_window_days: 7,
            stale_after_days: 90,
            alert_window_days: 7,
            default_expiry_days: None,
            default_prefix: model::DEFAULT_PREFIX.to_owned(),
            clipboard_clear_seconds: 30,
            theme: Theme::Default,
            keys: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Finds and loads `config.toml`: the file `APIAUTH_CONFIG` names (`env_override`), else the
    /// one in the key directory when it was chosen explicitly, else the one in the platform's
    /// config directory; defaults when there is none. A `config.toml` in the key directory is
    /// one of its files, so a symbolic link there is refused; elsewhere it is followed (dotfile
    /// managers keep the file as a link).
    pub fn find(env_override: Option<PathBuf>, explicit_key_dir: Option<&Path>) -> Result<Config> {
        let links = if env_override.is_none() && explicit_key_dir.is_some() {
            crate::fs::Links::Refuse
        } else {
            crate::fs::Links::Follow
        };
        let path = env_override
            .or_else(|| explicit_key_dir.map(|d| d.join("config.toml")))
            .or_else(|| crate::paths::project_dirs().map(|p| p.config_dir().join("config.toml")));
        Config::load(path.as_deref(), links)
    }

    /// Loads the file at `path`; defaults when it does not exist. `links` says whether a
    /// symbolic link at `path` is followed (not in the key directory).
    fn load(path: Option<&Path>, links: crate::fs::Links) -> Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let refused = |message: String| Error::Config {
            path: path.to_owned(),
            message,
        };
        let bytes = match crate::fs::read_capped(path, MAX_BYTES, links) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(Config::default()),
            Err(Error::NotAFile { kind, .. }) => {
                return Err(refused(format!("it is {kind}, not a regular file")));
            }
            Err(Error::TooLarge { len, max, .. }) => {
                return Err(refused(format!(
                    "it is {len} bytes; a config file holds at most {max}"
                )));
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8(bytes).map_err(|_| refused("it is not UTF-8 text".into()))?;
        Config::parse(&text).map_err(refused)
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {}", e.message())
            }
            None => e.message().to_owned(),
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if !(1..=365).contains(&self.expiring_window_days) {
            return Err("expiring_window_days must be from 1 to 365".into());
        }
        if !(1..=3650).contains(&self.stale_after_days) {
            return Err("stale_after_days must be from 1 to 3650".into());
        }
        if !(1..=3650).contains(&self.alert_window_days) {
            return Err("alert_window_days must be from 1 to 3650".into());
        }
        if let Some(days) = self.default_expiry_days
            && !(1..=MAX_EXPIRY_DAYS).contains(&days)
        {
            return Err(format!(
                "default_expiry_days must be from 1 to {MAX_EXPIRY_DAYS}"
            ));
        }
        model::parse_prefix(&self.default_prefix).map_err(|e| format!("default_prefix: {e}"))?;
        if !(1..=3600).contains(&self.clipboard_clear_seconds) {
            return Err("clipboard_clear_seconds must be from 1 to 3600".into());
        }
        Ok(())
    }

    /// The expiring window as a duration.
    pub fn expiring_window(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.expiring_window_days))
    }

    /// The stale threshold as a duration.
    pub fn stale_after(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.stale_after_days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented template (`assets/config.toml`).
    const TEMPLATE: &str = include_str!("../../../assets/config.toml");

    #[test]
    fn template_parses_to_the_defaults() {
        assert_eq!(Config::parse(TEMPLATE).unwrap(), Config::default());
    }

    #[test]
    fn values_are_read_and_checked() {
        let config = Config::parse("expiring_window_days = 14\ndefault_prefix = \"sk\"\n").unwrap();
        assert_eq!(config.expiring_window_days, 14);
        assert_eq!(config.default_prefix, "sk");
        assert!(Config::parse("expiring_window_days = 0").is_err());
        assert!(Config::parse("default_prefix = \"a_b\"").is_err());
        assert!(
            Config::parse("expiring_windw_days = 3")
                .unwrap_err()
                .contains("unknown field")
        );
    }
}
