//! Where each part of the screen goes, for a terminal size. Drawing and input (scrolling by a
//! page, clicking a row) use these same functions, so a click lands where the row was drawn.

use ratatui::layout::{Constraint, Layout, Rect};

/// The frame: header line, body, optional filter line, status line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Screen {
    pub header: Rect,
    pub body: Rect,
    pub filter: Option<Rect>,
    pub status: Rect,
}

pub(crate) fn screen(area: Rect, filter_line: bool) -> Screen {
    let [header, body, filter, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(filter_line)),
        Constraint::Length(1),
    ])
    .areas(area);
    Screen {
        header,
        body,
        filter: filter_line.then_some(filter),
        status,
    }
}

/// The keys view: an error banner when a reload failed, the table, the detail pane.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    pub banner: Option<Rect>,
    pub table: Rect,
    pub detail: Rect,
}

/// Most rows the error banner takes, borders included; a longer error is cut.
pub(crate) const BANNER_MAX: u16 = 8;

/// Rows of the error banner for `lines` lines of wrapped text (0: no banner): the text and its
/// borders, at most [`BANNER_MAX`] and at most half of `body`.
pub(crate) fn banner_rows(lines: usize, body: Rect) -> u16 {
    if lines == 0 {
        return 0;
    }
    let wanted = u16::try_from(lines).unwrap_or(u16::MAX).saturating_add(2);
    wanted.min(BANNER_MAX).min(body.height / 2)
}

/// The keys view for a body, with a banner of `banner` rows (0 for none).
pub(crate) fn keys(body: Rect, banner: u16, zoomed: bool) -> Keys {
    let [banner_area, rest] =
        Layout::vertical([Constraint::Length(banner), Constraint::Min(0)]).areas(body);
    let banner = (banner > 0).then_some(banner_area);
    if zoomed {
        return Keys {
            banner,
            table: Rect { height: 0, ..rest },
            detail: rest,
        };
    }
    let detail = (rest.height * 9 / 20).clamp(6, 18).min(rest.height / 2);
    let [table, detail] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail)]).areas(rest);
    Keys {
        banner,
        table,
        detail,
    }
}

/// The table's data rows: below its header line.
pub(crate) fn table_rows(table: Rect) -> Rect {
    Rect {
        y: table.y + 1.min(table.height),
        height: table.height.saturating_sub(1),
        ..table
    }
}

/// The audit dashboard: status tiles, the expiry chart, services and keys needing action.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dashboard {
    pub tiles: Rect,
    pub chart: Rect,
    pub services: Rect,
    pub events: Rect,
    pub actions: Rect,
}

pub(crate) fn dashboard(body: Rect) -> Dashboard {
    let chart = (body.height / 3).clamp(7, 14);
    let [tiles, chart, lower] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(chart),
        Constraint::Min(3),
    ])
    .areas(body);
    let [left, actions] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(lower);
    let [services, events] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
    Dashboard {
        tiles,
        chart,
        services,
        events,
        actions,
    }
}

/// The rows of the "needs action" list: inside its border.
pub(crate) fn action_rows(actions: Rect) -> Rect {
    actions.inner(ratatui::layout::Margin::new(1, 1))
}

/// Where the view tabs are in the header: (Keys, Audit).
pub(crate) fn tabs(header: Rect) -> (Rect, Rect) {
    let keys = Rect {
        x: header.x + 9,
        width: 6,
        ..header
    };
    let audit = Rect {
        x: header.x + 16,
        width: 7,
        ..header
    };
    (keys, audit)
}
