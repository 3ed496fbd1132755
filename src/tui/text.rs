//! A line of editable text, as the filter line and every text field of a form hold it, and
//! the [`Edit`]s that change it. What is typed may be a key: the text is zeroized when dropped
//! and never shown by `Debug`.

use std::fmt;

use zeroize::Zeroizing;

/// What a key does inside a form's field. A paste may be a key: its text is zeroized on drop
/// and never shown by `Debug`.
#[derive(PartialEq, Eq)]
pub(crate) enum Edit {
    Char(char),
    Paste(Zeroizing<String>),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
}

impl fmt::Debug for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A typed character may be part of a key too.
            Edit::Char(_) => f.write_str("Char([redacted])"),
            Edit::Paste(text) => write!(f, "Paste([redacted, {} bytes])", text.len()),
            Edit::Backspace => f.write_str("Backspace"),
            Edit::Delete => f.write_str("Delete"),
            Edit::Left => f.write_str("Left"),
            Edit::Right => f.write_str("Right"),
            Edit::Home => f.write_str("Home"),
            Edit::End => f.write_str("End"),
        }
    }
}

/// The most a text input holds, in bytes. It bounds memory, nothing else: every field takes far
/// more than its parser allows, so that the parser (the same as the CLI's) says what is wrong
/// with a value instead of the input cutting it silently. Input past it is refused whole, with
/// an error.
pub(crate) const INPUT_LIMIT: usize = 64 * 1024;

/// A line of editable text, kept exactly as typed or pasted (checks and trimming are the
/// parsers' job; drawing sanitizes). Its buffer is zeroized when dropped, and when it must grow
/// the old buffer is zeroized too, so no copy of what was typed is left behind; a secret input
/// reserves room for a whole key up front.
pub(crate) struct TextInput {
    value: Zeroizing<String>,
    /// Cursor position, in characters.
    cursor: usize,
    /// Length, in characters.
    pub chars: usize,
}

impl fmt::Debug for TextInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextInput")
            .field(
                "value",
                &format_args!("[redacted, {} bytes]", self.value.len()),
            )
            .field("cursor", &self.cursor)
            .field("chars", &self.chars)
            .finish()
    }
}

impl TextInput {
    pub fn new() -> TextInput {
        TextInput {
            value: Zeroizing::new(String::new()),
            cursor: 0,
            chars: 0,
        }
    }

    /// An input for a key value: room for `reserve` bytes now, so that a key typed or pasted
    /// into it is never moved.
    pub fn secret(reserve: usize) -> TextInput {
        TextInput {
            value: Zeroizing::new(String::with_capacity(reserve.min(INPUT_LIMIT))),
            ..TextInput::new()
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Makes room for `extra` more bytes, moving the text to a new buffer and zeroizing the
    /// old one (a plain `String` would leave the old bytes behind when it reallocates).
    fn reserve(&mut self, extra: usize) {
        let needed = self.value.len() + extra;
        if needed <= self.value.capacity() {
            return;
        }
        let capacity = needed.max(self.value.capacity() * 2).min(INPUT_LIMIT);
        let mut grown = Zeroizing::new(String::with_capacity(capacity.max(needed)));
        grown.push_str(&self.value);
        self.value = grown;
    }

    /// Inserts `text` at the cursor, all of it, or none of it (with why) when it would take the
    /// input past [`INPUT_LIMIT`].
    fn insert(&mut self, text: &str) -> Result<(), String> {
        if self.value.len() + text.len() > INPUT_LIMIT {
            return Err(format!(
                "too long: a field holds at most {} bytes, so nothing was added",
                super::views::thousands(INPUT_LIMIT)
            ));
        }
        self.reserve(text.len());
        let at = self.byte_at(self.cursor);
        self.value.insert_str(at, text);
        let added = text.chars().count();
        self.cursor += added;
        self.chars += added;
        Ok(())
    }

    /// Applies an edit; an error says why it was refused (the text is then unchanged).
    pub fn edit(&mut self, edit: &Edit) -> Result<(), String> {
        match edit {
            Edit::Char(c) => return self.insert(c.encode_utf8(&mut [0; 4])),
            Edit::Paste(text) => return self.insert(text),
            Edit::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                self.chars -= 1;
            }
            Edit::Delete if self.cursor < self.chars => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                self.chars -= 1;
            }
            Edit::Left => self.cursor = self.cursor.saturating_sub(1),
            Edit::Right => self.cursor = (self.cursor + 1).min(self.chars),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = self.chars,
            Edit::Backspace | Edit::Delete => {}
        }
        Ok(())
    }

    /// What a box `width` columns wide shows of the input, scrolled so that the cursor is in
    /// it: the text (sanitized, or one bullet per character when `masked`) and the cursor's
    /// column in it. Columns are display columns: a wide (CJK) character takes two.
    pub fn shown(&self, width: usize, masked: bool) -> (String, usize) {
        use unicode_width::UnicodeWidthChar as _;
        if width == 0 {
            return (String::new(), 0);
        }
        let cells: Vec<(char, usize)> = self
            .value
            .chars()
            .map(|c| {
                let c = if masked {
                    '•'
                } else if apiauth_core::sanitize::is_unsafe(c) {
                    apiauth_core::sanitize::REPLACEMENT
                } else {
                    c
                };
                (c, c.width().unwrap_or(0))
            })
            .collect();
        let cursor = self.cursor.min(cells.len());
        // The first shown character: as far left as lets the cursor's cell fit.
        let mut start = cursor;
        let mut column = 0;
        while start > 0 && column + cells[start - 1].1 < width {
            start -= 1;
            column += cells[start].1;
        }
        let mut text = String::new();
        let mut used = 0;
        for &(c, w) in &cells[start..] {
            if used + w > width {
                break;
            }
            text.push(c);
            used += w;
        }
        (text, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paste(text: &str) -> Edit {
        Edit::Paste(Zeroizing::new(text.to_owned()))
    }

    #[test]
    fn text_input_edits_at_the_cursor() {
        let mut input = TextInput::new();
        input.edit(&paste("héllo")).unwrap();
        input.edit(&Edit::Left).unwrap();
        input.edit(&Edit::Backspace).unwrap();
        assert_eq!(input.value(), "hélo");
        input.edit(&Edit::Home).unwrap();
        input.edit(&Edit::Char('¡')).unwrap();
        input.edit(&Edit::End).unwrap();
        input.edit(&Edit::Delete).unwrap();
        assert_eq!(input.value(), "¡hélo");
    }

    #[test]
    fn text_input_keeps_what_was_entered_exactly() {
        let mut input = TextInput::new();
        let odd = "a\nb\u{202e}c\u{200b}d";
        input.edit(&paste(odd)).unwrap();
        assert_eq!(input.value(), odd, "nothing is dropped: the parsers decide");
        assert_eq!(input.chars, 7);
        let long = "n".repeat(140);
        let mut input = TextInput::new();
        input.edit(&paste(&long)).unwrap();
        assert_eq!(input.value(), long, "nothing is cut");
    }

    #[test]
    fn text_input_refuses_whole_what_would_pass_its_limit() {
        let mut input = TextInput::new();
        input.edit(&paste(&"x".repeat(INPUT_LIMIT - 1))).unwrap();
        let refused = input.edit(&paste("yz")).unwrap_err();
        assert!(refused.contains("nothing was added"), "{refused}");
        assert_eq!(input.value().len(), INPUT_LIMIT - 1, "unchanged");
        input.edit(&Edit::Char('y')).unwrap();
        assert!(input.edit(&Edit::Char('z')).is_err());
        assert_eq!(input.value().len(), INPUT_LIMIT);
    }

    #[test]
    fn a_secret_input_does_not_move_within_its_reserve_and_keeps_a_longer_value_whole() {
        let mut input = TextInput::secret(64);
        let before = input.value.as_ptr();
        input.edit(&paste(&"x".repeat(64))).unwrap();
        assert_eq!(input.value.as_ptr(), before);
        input.edit(&paste(&"y".repeat(20_000))).unwrap();
        assert_eq!(input.value().len(), 20_064, "never truncated");
    }

    #[test]
    fn shown_text_counts_display_columns() {
        let mut input = TextInput::new();
        input.edit(&paste("日本語abc")).unwrap();
        assert_eq!(input.shown(20, false), ("日本語abc".into(), 9));
        assert_eq!(
            input.shown(5, false),
            ("abc".into(), 3),
            "scrolled: the cursor's cell fits"
        );
        input.edit(&Edit::Home).unwrap();
        assert_eq!(input.shown(5, false), ("日本".into(), 0));
        input.edit(&Edit::Right).unwrap();
        assert_eq!(input.shown(5, false).1, 2, "after one wide character");
        assert_eq!(input.shown(5, true), ("•••••".into(), 1), "masked");
        let mut odd = TextInput::new();
        odd.edit(&paste("a\u{1b}[2Jb\u{200b}")).unwrap();
        assert_eq!(
            odd.shown(20, false),
            ("a\u{fffd}[2Jb\u{fffd}".into(), 7),
            "drawn sanitized"
        );
    }
}
