//! Making untrusted text safe to put on a terminal.
//!
//! Key names, services, environments, scopes, claims and revocation reasons are typed by
//! people or read from imported files. Before any of it is printed by the CLI or rendered by
//! the TUI it goes through [`display`], which replaces every character that could drive the
//! terminal or hide what the text really says:
//!
//! - C0 controls (U+0000–U+001F, which includes ESC, so no escape sequence survives), DEL and
//!   the C1 controls (U+0080–U+009F, which include the single-character CSI);
//! - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make text
//!   read differently from what it is;
//! - zero-width and invisible formatting characters (U+200B–U+200F, U+2060–U+2064, U+FEFF,
//!   U+061C, U+180E), which can make two different names look the same.
//!
//! Each is replaced with U+FFFD so that the reader sees that something was there.

use std::borrow::Cow;

/// The character shown in place of anything unsafe.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` must never reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0000}'..='\u{001F}'
        | '\u{007F}'..='\u{009F}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Returns `text` with every unsafe character replaced by U+FFFD; borrows when nothing
/// needed replacing, which is the common case.
pub fn display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_unsafe(c) { REPLACEMENT } else { c })
            .collect(),
    )
}

/// Most characters of a piece of user input that a message quotes.
pub const EXCERPT_CHARS: usize = 80;

/// [`display`], cut to its first [`EXCERPT_CHARS`] characters when it is longer, then `…` and
/// the whole length: a message quotes enough of a refused value to recognize it, never a
/// 120 KB argument whole.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    let total = text.chars().count();
    if total <= EXCERPT_CHARS {
        return display(text);
    }
    let head: String = text.chars().take(EXCERPT_CHARS).collect();
    Cow::Owned(format!("{}… ({total} characters)", display(&head)))
}

/// Like [`display`], but keeps line feeds: for multi-line messages (such as the command-line
/// parser's errors, which quote the arguments they refuse).
pub fn display_lines(text: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| c != '\n' && is_unsafe(c);
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if unsafe_here(c) { REPLACEMENT } else { c })
            .collect(),
    )
}

/// Escapes every unsafe character of an already serialized JSON document as `\uXXXX`.
///
/// `serde_json` escapes C0 controls but writes C1 controls, bidi overrides and zero-width
/// characters as raw UTF-8. Inside a JSON string a `\u` escape means the same character, and
/// none of these characters can appear outside a string, so the document's meaning is
/// unchanged while a terminal showing it sees only ASCII for them. Line feeds are left alone:
/// `serde_json` escapes them inside strings, so a raw one is the pretty printer's layout.
pub fn json_for_terminal(json: String) -> String {
    let escape = |c: char| c != '\n' && is_unsafe(c);
    if !json.chars().any(escape) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(display("Stripe Production"), Cow::Borrowed(_)));
        assert_eq!(display("Zürich – ünïcode ✓"), "Zürich – ünïcode ✓");
    }

    #[test]
    fn escape_sequences_and_controls_are_replaced() {
        let hostile = "ok\u{1b}]52;c;ZXZpbA==\u{7}\r\nx\u{9b}31m\u{7f}";
        let shown = display(hostile);
        assert!(!shown.chars().any(is_unsafe));
        assert!(!shown.contains('\u{1b}'));
        assert_eq!(shown.chars().filter(|&c| c == REPLACEMENT).count(), 6);
    }

    #[test]
    fn bidi_and_zero_width_are_replaced() {
        let shown = display("admin\u{202e}gpj.exe\u{200b}\u{2066}\u{feff}");
        assert_eq!(shown, "admin\u{fffd}gpj.exe\u{fffd}\u{fffd}\u{fffd}");
    }

    #[test]
    fn excerpts_cut_long_text_and_say_how_long_it_was() {
        let short = "a".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&short), short);
        let long = format!("\u{1b}{}", "é".repeat(200));
        let cut = excerpt(&long);
        assert_eq!(
            cut,
            format!(
                "\u{fffd}{}… (201 characters)",
                "é".repeat(EXCERPT_CHARS - 1)
            )
        );
    }

    #[test]
    fn multi_line_messages_keep_their_lines_only() {
        assert_eq!(
            display_lines("error: bad '\u{1b}[31m'\n\nUsage: x\r"),
            "error: bad '\u{fffd}[31m'\n\nUsage: x\u{fffd}"
        );
    }

    #[test]
    fn json_escaping_keeps_meaning() {
        let value = serde_json::json!({"name": "a\u{202e}b\u{9b}c"});
        let json = json_for_terminal(serde_json::to_string_pretty(&value).unwrap());
        assert!(json.is_ascii());
        assert!(json.contains('\n'), "layout is kept");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, value);
    }
}
