//! A key with its modifiers, as the key map compares them, and as `config.toml` writes it
//! (`j`, `G`, `ctrl-n`, `shift-tab`, `pgdn`, `f5`).

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, as the key map compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    mods: KeyModifiers,
}

/// Names of the keys that are not single characters, as written in `config.toml`.
const NAMED: &[(&str, KeyCode)] = &[
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("space", KeyCode::Char(' ')),
];

impl Key {
    /// The key of a terminal event, with Shift folded into the character (`S`, not
    /// `shift-s`) and into `shift-tab`.
    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parses a key as written in `config.toml`: a single character (`j`, `G`, `?`), a name
    /// (`down`, `pgdn`, `enter`, `esc`, `tab`, `space`, `f1`…`f12`, …), optionally after
    /// `ctrl-`, `alt-` or `shift-` (`ctrl-n`, `shift-tab`).
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut rest = text.trim();
        let mut mods = KeyModifiers::NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (flag, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= flag;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && !c.is_whitespace() => {
                if mods.contains(KeyModifiers::SHIFT) {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((_, code)) = NAMED.iter().find(|(name, _)| *name == lower) {
                    *code
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    KeyCode::F(n)
                } else {
                    return Err(format!(
                        "unknown key '{}': use a single character (j, G, ?) or one of {}, f1-f12, \
                         optionally after ctrl-, alt- or shift-",
                        apiauth_core::sanitize::display(text),
                        NAMED
                            .iter()
                            .map(|(name, _)| *name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        };
        Ok(Key::new(code, mods))
    }

    /// The key code and modifiers, as a terminal event carries them.
    pub fn parts(self) -> (KeyCode, KeyModifiers) {
        (self.code, self.mods)
    }

    /// A printable character with no Ctrl or Alt: text in a text field.
    pub fn is_text(self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED
                    .iter()
                    .find(|(_, c)| *c == code)
                    .map_or("?", |(name, _)| *name);
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> Key {
        Key::from_event(&KeyEvent::new(code, mods))
    }

    #[test]
    fn key_names_parse_to_what_the_terminal_sends() {
        let cases = [
            ("j", key(KeyCode::Char('j'), KeyModifiers::NONE)),
            ("G", key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            ("shift-g", key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            ("down", key(KeyCode::Down, KeyModifiers::NONE)),
            ("ctrl-n", key(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            ("Ctrl-N", key(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            ("shift-tab", key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            ("pgdn", key(KeyCode::PageDown, KeyModifiers::NONE)),
            ("pageup", key(KeyCode::PageUp, KeyModifiers::NONE)),
            ("?", key(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            ("space", key(KeyCode::Char(' '), KeyModifiers::NONE)),
            ("f5", key(KeyCode::F(5), KeyModifiers::NONE)),
            ("alt-x", key(KeyCode::Char('x'), KeyModifiers::ALT)),
            ("ctrl--", key(KeyCode::Char('-'), KeyModifiers::CONTROL)),
        ];
        for (text, expected) in cases {
            assert_eq!(Key::parse(text), Ok(expected), "{text}");
        }
        for bad in ["", "foo", "ctrl-foo", "ctrl-", "f13", "jj"] {
            assert!(Key::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_display_in_config_syntax() {
        for text in [
            "j",
            "G",
            "ctrl-n",
            "shift-tab",
            "pgdn",
            "space",
            "f1",
            "esc",
        ] {
            assert_eq!(Key::parse(text).unwrap().to_string(), text);
        }
    }
}
