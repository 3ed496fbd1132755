//! The key map as data: one table of bindings (mode, action, default keys, description) that
//! drives the key handlers, the `?` help overlay, the status bar hints and the key table in
//! the README, so none of them can drift from the others.
//!
//! Users rebind actions in `config.toml` (`[keys]`, action name → one key or a list). An
//! unknown action, an unknown key name, a key bound to two actions of the same mode, or a
//! printable key bound in a mode where it is needed for typing is refused at start-up.

mod key;

use std::collections::{BTreeMap, HashMap};

use apiauth_core::KeySpec;

pub use super::action::Action;
pub use key::Key;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// The key table and the audit dashboard.
    Browse,
    /// Typing a filter.
    Filter,
    /// A form (generate, import, rotate, revoke).
    Form,
    /// The one-time secret display.
    Secret,
    /// The "saved it?" question before the secret is dropped.
    Confirm,
    /// The help overlay.
    Help,
}

impl Mode {
    /// Every mode, in the order help lists them.
    pub const ALL: [Mode; 6] = [
        Mode::Browse,
        Mode::Filter,
        Mode::Form,
        Mode::Secret,
        Mode::Confirm,
        Mode::Help,
    ];

    /// The heading used in help and in the docs.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Browse => "Keys table and audit dashboard",
            Mode::Filter => "Filter",
            Mode::Form => "Forms",
            Mode::Secret => "One-time secret display",
            Mode::Confirm => "\"Saved it?\"",
            Mode::Help => "Help",
        }
    }

    /// Whether printable keys type text in this mode (so they cannot be bound).
    fn types_text(self) -> bool {
        matches!(self, Mode::Filter | Mode::Form)
    }
}

/// One row of the key map. An action has at most one row per mode; each row has its own name,
/// so that its keys are rebound apart from the same action's in another mode.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub mode: Mode,
    /// What it does.
    pub action: Action,
    /// The name used in `config.toml`.
    pub name: &'static str,
    /// Default keys, in the syntax of `config.toml`.
    pub keys: &'static [&'static str],
    /// What it does, for help and the docs.
    pub description: &'static str,
    /// A one-word label for the status bar, when it belongs there.
    pub hint: Option<&'static str>,
}

const fn bind(
    mode: Mode,
    action: Action,
    name: &'static str,
    keys: &'static [&'static str],
    description: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        mode,
        action,
        name,
        keys,
        description,
        hint,
    }
}

use Action as A;
use Mode as M;

/// The default key map (DESIGN.md §5).
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind(M::Browse, A::Up, "up", &["k", "up"], "move up", None),
    bind(M::Browse, A::Down, "down", &["j", "down"], "move down", None),
    bind(M::Browse, A::PageUp, "page_up", &["pgup"], "move up a page", None),
    bind(M::Browse, A::PageDown, "page_down", &["pgdn"], "move down a page", None),
    bind(M::Browse, A::Top, "top", &["home", "g"], "go to the first key", None),
    bind(M::Browse, A::Bottom, "bottom", &["end", "G"], "go to the last key", None),
    bind(M::Browse, A::Filter, "filter", &["/"], "filter as you type", Some("filter")),
    bind(M::Browse, A::ClearFilter, "clear_filter", &["esc"], "clear the filter", None),
    bind(M::Browse, A::Sort, "sort", &["s"], "sort by expiry/name/service/status", Some("sort")),
    bind(M::Browse, A::SortReverse, "sort_reverse", &["S"], "reverse the sort order", None),
    bind(M::Browse, A::SwitchView, "switch_view", &["tab"], "switch view: keys ⇄ audit", Some("view")),
    bind(M::Browse, A::Open, "open", &["enter"], "details; on the dashboard: go to key", Some("details")),
    bind(M::Browse, A::Generate, "generate", &["n"], "generate an API key or JWT", Some("new")),
    bind(M::Browse, A::Import, "import", &["i"], "import an existing key", Some("import")),
    bind(M::Browse, A::Rotate, "rotate", &["r"], "rotate the selected key", Some("rotate")),
    bind(M::Browse, A::Revoke, "revoke", &["x"], "revoke the selected key", Some("revoke")),
    bind(M::Browse, A::CopyId, "copy_id", &["y"], "copy the selected key's id", Some("copy id")),
    bind(M::Browse, A::Help, "help", &["?"], "show every key binding", Some("help")),
    bind(M::Browse, A::Quit, "quit", &["q", "ctrl-c"], "quit", Some("quit")),
    bind(M::Filter, A::KeepFilter, "filter_keep", &["enter"], "keep the filter, back to the table", Some("keep")),
    bind(M::Filter, A::ClearFilter, "filter_clear", &["esc"], "clear the filter, back to the table", Some("clear")),
    bind(M::Form, A::NextField, "next_field", &["tab", "down"], "next field", Some("next")),
    bind(M::Form, A::PrevField, "prev_field", &["shift-tab", "up"], "previous field", Some("back")),
    bind(M::Form, A::Submit, "submit", &["enter"], "submit", Some("submit")),
    bind(M::Form, A::Cancel, "cancel", &["esc", "ctrl-c"], "cancel; nothing is changed", Some("cancel")),
    bind(M::Secret, A::Reveal, "reveal", &["v"], "reveal or mask the value", Some("reveal")),
    bind(M::Secret, A::Copy, "copy", &["c"], "copy the value to the clipboard", Some("copy")),
    bind(M::Secret, A::Dismiss, "dismiss", &["enter"], "done (asks \"saved it?\" first)", Some("done")),
    bind(M::Confirm, A::Confirm, "confirm", &["enter", "y"], "yes: drop the value for good", Some("yes")),
    bind(M::Confirm, A::Back, "back", &["esc", "n"], "no: back to the value", Some("back")),
    bind(M::Help, A::CloseHelp, "close_help", &["esc", "?", "q"], "close help", Some("close")),
];

/// The key map in force: the defaults with the user's `[keys]` applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    lookup: HashMap<(Mode, Key), Action>,
    keys: HashMap<(Mode, Action), Vec<Key>>,
}

/// A status bar hint: the first key of an action and its one-word label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The action hinted at.
    pub action: Action,
    /// Its first key, as shown.
    pub key: String,
    /// What the status bar calls it.
    pub label: &'static str,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_config(&BTreeMap::new()).expect("the default key map is valid")
    }
}

impl Keymap {
    /// The defaults with `overrides` (action name → keys) applied. An override replaces all
    /// default keys of its action.
    pub fn from_config(overrides: &BTreeMap<String, KeySpec>) -> Result<Keymap, String> {
        for name in overrides.keys() {
            if !BINDINGS.iter().any(|b| b.name == name) {
                return Err(format!(
                    "unknown action '{}'; the actions are: {}",
                    apiauth_core::sanitize::display(name),
                    BINDINGS
                        .iter()
                        .map(|b| b.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let mut lookup = HashMap::new();
        let mut keys = HashMap::new();
        for binding in BINDINGS {
            let texts: Vec<&str> = match overrides.get(binding.name) {
                Some(spec) => spec.keys(),
                None => binding.keys.to_vec(),
            };
            if texts.is_empty() {
                return Err(format!("action '{}' has an empty key list", binding.name));
            }
            let mut parsed = Vec::with_capacity(texts.len());
            for text in texts {
                let key = Key::parse(text).map_err(|e| format!("{}: {e}", binding.name))?;
                if binding.mode.types_text() && key.is_text() {
                    return Err(format!(
                        "{}: '{key}' cannot be bound here, it is needed for typing; \
                         use a key such as ctrl-{key}, enter or a function key",
                        binding.name
                    ));
                }
                if let Some(other) = lookup.insert((binding.mode, key), binding.action)
                    && other != binding.action
                {
                    let other = BINDINGS
                        .iter()
                        .find(|b| b.mode == binding.mode && b.action == other)
                        .map_or("", |b| b.name);
                    return Err(format!(
                        "key '{key}' is bound to both {other} and {}",
                        binding.name
                    ));
                }
                if !parsed.contains(&key) {
                    parsed.push(key);
                }
            }
            keys.insert((binding.mode, binding.action), parsed);
        }
        Ok(Keymap { lookup, keys })
    }

    /// The action a key does in a mode.
    pub fn action(&self, mode: Mode, key: Key) -> Option<Action> {
        self.lookup.get(&(mode, key)).copied()
    }

    /// The keys bound to an action in a mode.
    pub fn keys(&self, mode: Mode, action: Action) -> &[Key] {
        self.keys.get(&(mode, action)).map_or(&[], Vec::as_slice)
    }

    /// The keys of an action in a mode as shown to the user: `j/down`.
    pub fn label(&self, mode: Mode, action: Action) -> String {
        self.keys(mode, action)
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The first key of an action in a mode, for "press n to generate" sentences.
    pub fn first(&self, mode: Mode, action: Action) -> String {
        self.keys(mode, action)
            .first()
            .map_or_else(|| "?".to_owned(), Key::to_string)
    }

    /// Status bar hints for a mode: each binding of it that has a hint, in the table's order.
    pub fn hints(&self, mode: Mode) -> Vec<Hint> {
        BINDINGS
            .iter()
            .filter(|b| b.mode == mode)
            .filter_map(|b| {
                Some(Hint {
                    action: b.action,
                    key: self.first(mode, b.action),
                    label: b.hint?,
                })
            })
            .collect()
    }
}

/// The default key map as a Markdown table per mode, as the README shows it.
pub fn markdown_table() -> String {
    let map = Keymap::default();
    let mut out = String::new();
    for mode in Mode::ALL {
        out.push_str(&format!("**{}**\n\n", mode.title()));
        out.push_str("| keys | action | what it does |\n|---|---|---|\n");
        for b in BINDINGS.iter().filter(|b| b.mode == mode) {
            let keys: Vec<String> = map
                .keys(mode, b.action)
                .iter()
                .map(|k| format!("`{k}`"))
                .collect();
            out.push_str(&format!(
                "| {} | `{}` | {} |\n",
                keys.join(" "),
                b.name,
                b.description
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_design() {
        let map = Keymap::default();
        let press = |mode, text| map.action(mode, Key::parse(text).unwrap());
        assert_eq!(press(Mode::Browse, "j"), Some(Action::Down));
        assert_eq!(press(Mode::Browse, "down"), Some(Action::Down));
        assert_eq!(press(Mode::Browse, "S"), Some(Action::SortReverse));
        assert_eq!(press(Mode::Browse, "ctrl-c"), Some(Action::Quit));
        assert_eq!(press(Mode::Form, "shift-tab"), Some(Action::PrevField));
        assert_eq!(press(Mode::Confirm, "y"), Some(Action::Confirm));
        assert_eq!(press(Mode::Form, "j"), None, "j types in a form");
    }

    #[test]
    fn rebinding_replaces_the_defaults_of_that_action() {
        let mut overrides = BTreeMap::new();
        overrides.insert(
            "down".to_owned(),
            KeySpec::Many(vec!["ctrl-n".into(), "down".into()]),
        );
        overrides.insert("quit".to_owned(), KeySpec::One("Q".into()));
        let map = Keymap::from_config(&overrides).unwrap();
        let press = |text| map.action(Mode::Browse, Key::parse(text).unwrap());
        assert_eq!(press("ctrl-n"), Some(Action::Down));
        assert_eq!(press("j"), None);
        assert_eq!(press("Q"), Some(Action::Quit));
        assert_eq!(press("q"), None);
        assert_eq!(map.label(Mode::Browse, Action::Down), "ctrl-n/down");
    }

    #[test]
    fn an_action_bound_in_two_modes_is_rebound_in_each_apart() {
        let mut overrides = BTreeMap::new();
        overrides.insert("filter_clear".to_owned(), KeySpec::One("ctrl-x".into()));
        let map = Keymap::from_config(&overrides).unwrap();
        let press = |mode, text| map.action(mode, Key::parse(text).unwrap());
        assert_eq!(press(Mode::Filter, "ctrl-x"), Some(Action::ClearFilter));
        assert_eq!(press(Mode::Filter, "esc"), None);
        assert_eq!(press(Mode::Browse, "esc"), Some(Action::ClearFilter));
        assert_eq!(press(Mode::Browse, "ctrl-x"), None);
        assert_eq!(map.label(Mode::Browse, Action::ClearFilter), "esc");
    }

    #[test]
    fn bad_rebindings_are_clear_errors() {
        let one = |action: &str, key: &str| {
            let mut overrides = BTreeMap::new();
            overrides.insert(action.to_owned(), KeySpec::One(key.to_owned()));
            Keymap::from_config(&overrides).unwrap_err()
        };
        assert!(one("dwn", "j").contains("unknown action 'dwn'"));
        assert!(one("down", "ctrl-foo").contains("unknown key 'ctrl-foo'"));
        assert!(one("quit", "j").contains("bound to both"));
        assert!(one("submit", "x").contains("needed for typing"));
        let mut empty = BTreeMap::new();
        empty.insert("quit".to_owned(), KeySpec::Many(vec![]));
        assert!(Keymap::from_config(&empty).unwrap_err().contains("empty"));
    }

    #[test]
    fn descriptions_fit_a_help_column() {
        for b in BINDINGS {
            assert!(b.description.chars().count() <= 36, "{}", b.name);
        }
    }

    #[test]
    fn action_names_are_unique() {
        for (i, a) in BINDINGS.iter().enumerate() {
            assert!(
                BINDINGS[i + 1..]
                    .iter()
                    .all(|b| b.name != a.name && (b.mode, b.action) != (a.mode, a.action)),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn docs_show_the_key_map() {
        let docs = include_str!("../../../README.md");
        let table = markdown_table();
        assert!(
            docs.contains(&table),
            "README.md must contain the key map generated from keys::BINDINGS:\n\n{table}"
        );
    }
}
