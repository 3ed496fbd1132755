//! The one style struct every view draws with. The mono theme (`NO_COLOR`, `--no-color`,
//! `theme = "mono"`) uses no colour at all, only bold, reverse and dim; meaning is always
//! carried by words and symbols too, never by colour alone.

use ratatui::style::{Color, Modifier, Style};

use apiauth_core::model::Status;

/// Styles of the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Theme {
    pub color: bool,
    pub title: Style,
    pub tab_active: Style,
    pub tab_inactive: Style,
    pub table_header: Style,
    pub selected: Style,
    pub muted: Style,
    pub label: Style,
    pub key: Style,
    pub border: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    pub secret: Style,
    pub input: Style,
    pub input_focused: Style,
    pub bar: Style,
}

impl Theme {
    /// Colours when `color`, none otherwise.
    pub fn new(color: bool) -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if !color {
            return Theme {
                color,
                title: bold,
                tab_active: bold.add_modifier(Modifier::REVERSED),
                tab_inactive: Style::new(),
                table_header: bold.add_modifier(Modifier::UNDERLINED),
                selected: Style::new().add_modifier(Modifier::REVERSED),
                muted: Style::new().add_modifier(Modifier::DIM),
                label: Style::new().add_modifier(Modifier::DIM),
                key: bold,
                border: Style::new(),
                error: bold,
                warning: bold,
                success: Style::new(),
                secret: bold,
                input: Style::new().add_modifier(Modifier::UNDERLINED),
                input_focused: Style::new().add_modifier(Modifier::REVERSED),
                bar: Style::new(),
            };
        }
        Theme {
            color,
            title: bold.fg(Color::Cyan),
            tab_active: bold.fg(Color::Black).bg(Color::Cyan),
            tab_inactive: Style::new().fg(Color::Gray),
            table_header: bold.fg(Color::Cyan),
            selected: Style::new().bg(Color::Blue).add_modifier(Modifier::BOLD),
            muted: Style::new().fg(Color::DarkGray),
            label: Style::new().fg(Color::Gray),
            key: bold.fg(Color::Cyan),
            border: Style::new().fg(Color::DarkGray),
            error: bold.fg(Color::Red),
            warning: Style::new().fg(Color::Yellow),
            success: Style::new().fg(Color::Green),
            secret: bold.fg(Color::Yellow),
            input: Style::new().bg(Color::Black).fg(Color::White),
            input_focused: Style::new().bg(Color::Blue).fg(Color::White),
            bar: Style::new().fg(Color::Cyan),
        }
    }

    /// The style of a status badge.
    pub fn status(&self, status: Status) -> Style {
        if !self.color {
            return match status {
                Status::Healthy => Style::new(),
                _ => Style::new().add_modifier(Modifier::BOLD),
            };
        }
        Style::new().fg(match status {
            Status::Healthy => Color::Green,
            Status::Expiring => Color::Yellow,
            Status::Expired => Color::Red,
            Status::Revoked => Color::Magenta,
        })
    }
}

/// The flag shown after the status of a stale key.
pub(crate) const STALE: &str = "· stale";

/// The symbol shown before a status word (the word always follows it).
pub(crate) fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::Healthy => "✓",
        Status::Expiring => "⚠",
        Status::Expired => "✗",
        Status::Revoked => "⊘",
    }
}
