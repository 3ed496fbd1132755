//! The key table's state: which rows are visible (filter), in what order (sort), which one is
//! selected and where the window onto them starts. The selection is a key id, so it survives a
//! re-sort, a new filter and a reload.
//!
//! Every operation here is at most one pass over the rows, with no sorting: the orders are
//! prepared when the keystore is loaded ([`Snapshot`]), and a filter that only grows (the
//! usual typing) narrows the rows already visible instead of searching them all again.

use apiauth_core::model::KeyId;
use apiauth_core::ops::KeyView;

use super::snapshot::{Snapshot, SortKey};

/// The key table.
#[derive(Debug, Default)]
pub(crate) struct KeyList {
    data: Snapshot,
    visible: Vec<u32>,
    sort: SortKey,
    reversed: bool,
    query: String,
    terms: Vec<String>,
    cursor: usize,
    offset: usize,
    selected: Option<(KeyId, u32)>,
    wanted: Option<KeyId>,
}

/// The first visible row of a window of `height` rows that keeps `cursor` in view, moving as
/// little as possible from `offset`.
pub(crate) fn window_start(offset: usize, cursor: usize, height: usize, len: usize) -> usize {
    if height == 0 || len == 0 {
        return 0;
    }
    let offset = offset.min(len.saturating_sub(height));
    if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    }
}

fn terms_of(query: &str) -> Vec<String> {
    query.split_whitespace().map(str::to_lowercase).collect()
}

impl KeyList {
    pub fn new(data: Snapshot) -> KeyList {
        let mut list = KeyList {
            data,
            ..KeyList::default()
        };
        list.rebuild();
        list
    }

    pub fn data(&self) -> &Snapshot {
        &self.data
    }

    /// Swaps in a fresh load, keeping sort, filter and the selected key.
    pub fn replace(&mut self, data: Snapshot) {
        let selected = self.selected.take().map(|(id, _)| id);
        self.data = data;
        if self.wanted.is_none() {
            self.wanted = selected;
        }
        self.rebuild();
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn sort(&self) -> (SortKey, bool) {
        (self.sort, self.reversed)
    }

    /// Number of rows the filter lets through.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    /// Number of keys in the store.
    pub fn total(&self) -> usize {
        self.data.views.len()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    #[cfg(test)]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The selected key.
    pub fn selected(&self) -> Option<&KeyView> {
        self.selected
            .as_ref()
            .map(|&(_, row)| &self.data.views[row as usize])
    }

    /// The visible rows from `start`, at most `count` of them.
    pub fn window(&self, start: usize, count: usize) -> impl Iterator<Item = &KeyView> {
        let start = start.min(self.visible.len());
        let end = (start + count).min(self.visible.len());
        self.visible[start..end]
            .iter()
            .map(|&row| &self.data.views[row as usize])
    }

    /// Sets the filter. When the new text only adds to the old one, the rows already visible
    /// are narrowed; otherwise every row is searched.
    pub fn set_query(&mut self, query: &str) {
        let narrowing = !self.query.trim().is_empty()
            && query.to_lowercase().starts_with(&self.query.to_lowercase());
        self.query = query.to_owned();
        self.terms = terms_of(query);
        if narrowing {
            let (data, terms) = (&self.data, &self.terms);
            self.visible.retain(|&row| data.matches(row, terms));
            self.reselect();
        } else {
            self.rebuild();
        }
    }

    /// Sorts by the next column.
    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.reversed = false;
        self.rebuild();
    }

    /// Reverses the order.
    pub fn reverse(&mut self) {
        self.reversed = !self.reversed;
        self.visible.reverse();
        self.reselect();
    }

    /// Selects `id` now if it is visible, or as soon as a reload brings it.
    pub fn select_id(&mut self, id: &KeyId) {
        self.wanted = Some(id.clone());
        self.reselect();
    }

    /// Selects the visible row at `position` (clamped).
    pub fn select_position(&mut self, position: usize) {
        if self.visible.is_empty() {
            self.cursor = 0;
            self.selected = None;
            return;
        }
        self.cursor = position.min(self.visible.len() - 1);
        let row = self.visible[self.cursor];
        self.selected = Some((self.data.views[row as usize].entry.id.clone(), row));
        self.wanted = None;
    }

    /// The first row shown in a window of `height` rows: the table draws from it, and a click
    /// is mapped through it, so both agree even before [`KeyList::scroll_into_view`] has caught
    /// up with a change of height.
    pub fn first_shown(&self, height: usize) -> usize {
        window_start(self.offset, self.cursor, height, self.visible.len())
    }

    /// Keeps the cursor inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = window_start(self.offset, self.cursor, height, self.visible.len());
    }

    fn rebuild(&mut self) {
        let order = self.data.order(self.sort);
        self.visible = if self.terms.is_empty() {
            order.to_vec()
        } else {
            let hits = self.data.search(&self.terms);
            order
                .iter()
                .copied()
                .filter(|&row| hits[row as usize])
                .collect()
        };
        if self.reversed {
            self.visible.reverse();
        }
        self.reselect();
    }

    /// Puts the cursor back on the selected (or wanted) key; on the first row when it is no
    /// longer visible. While nothing is visible (a filter that matches nothing) the key stays
    /// wanted, so that it is selected again when the filter lets it through.
    fn reselect(&mut self) {
        let row = match (&self.wanted, &self.selected) {
            (Some(id), _) => self
                .data
                .views
                .iter()
                .position(|v| &v.entry.id == id)
                .map(|row| row as u32),
            (None, Some((_, row))) => Some(*row),
            (None, None) => None,
        };
        let position = row.and_then(|row| self.visible.iter().position(|&r| r == row));
        match position {
            Some(position) => self.select_position(position),
            None if self.visible.is_empty() => {
                if self.wanted.is_none() {
                    self.wanted = self.selected.take().map(|(id, _)| id);
                }
                self.select_position(0);
            }
            None => {
                let wanted = self.wanted.take();
                self.select_position(0);
                // A key just written may only arrive with the next load: keep waiting for it.
                if wanted
                    .as_ref()
                    .is_some_and(|id| !self.data.views.iter().any(|v| &v.entry.id == id))
                {
                    self.wanted = wanted;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::{entry, view};
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> DateTime<Utc> {
        apiauth_core::model::parse_time(s).unwrap()
    }

    fn sample() -> Snapshot {
        let now = t("2026-06-01");
        let rows = [
            ("k_000000000001", "charlie", "payments", "2026-09-01", None),
            ("k_000000000002", "alpha", "search", "2026-06-03", None),
            ("k_000000000003", "bravo", "email", "2026-05-01", None),
            (
                "k_000000000004",
                "delta",
                "payments",
                "2026-12-01",
                Some("2026-05-15"),
            ),
        ];
        let views = rows
            .into_iter()
            .map(|(id, name, service, expires, revoked)| {
                let mut e = entry(id, name, service);
                e.expires_at = Some(t(expires));
                e.revoked_at = revoked.map(t);
                view(e, now)
            })
            .collect();
        Snapshot::build(now, views)
    }

    fn names(list: &KeyList) -> Vec<&str> {
        list.window(0, 100).map(|v| v.entry.name.as_str()).collect()
    }

    #[test]
    fn sort_cycles_through_the_columns_and_reverses() {
        let mut list = KeyList::new(sample());
        assert_eq!(
            names(&list),
            ["bravo", "alpha", "charlie", "delta"],
            "expiry"
        );
        list.cycle_sort();
        assert_eq!(names(&list), ["alpha", "bravo", "charlie", "delta"], "name");
        list.cycle_sort();
        assert_eq!(
            names(&list),
            ["bravo", "charlie", "delta", "alpha"],
            "service"
        );
        list.cycle_sort();
        assert_eq!(
            names(&list),
            ["delta", "bravo", "alpha", "charlie"],
            "status: revoked, expired, expiring, healthy"
        );
        list.reverse();
        assert_eq!(names(&list), ["charlie", "alpha", "bravo", "delta"]);
        list.cycle_sort();
        assert_eq!(
            list.sort(),
            (SortKey::Expiry, false),
            "back to expiry, ascending"
        );
    }

    #[test]
    fn selection_follows_the_key_through_sort_filter_and_reload() {
        let mut list = KeyList::new(sample());
        list.select_position(2);
        assert_eq!(list.selected().unwrap().entry.name, "charlie");
        list.cycle_sort();
        assert_eq!(list.selected().unwrap().entry.name, "charlie");
        assert_eq!(list.cursor(), 2);
        list.reverse();
        assert_eq!(list.cursor(), 1);
        list.set_query("pay");
        assert_eq!(names(&list), ["delta", "charlie"]);
        assert_eq!(list.selected().unwrap().entry.name, "charlie");
        list.replace(sample());
        assert_eq!(list.selected().unwrap().entry.name, "charlie");
        assert_eq!(list.query(), "pay");
        list.set_query("payx");
        assert_eq!(list.len(), 0);
        assert!(list.selected().is_none());
        list.set_query("pay");
        assert_eq!(
            list.selected().unwrap().entry.name,
            "charlie",
            "back from a filter that matched nothing, the key is selected again"
        );
        list.set_query("payx");
        list.replace(sample());
        list.set_query("");
        assert_eq!(list.len(), 4);
        assert_eq!(
            list.selected().unwrap().entry.name,
            "charlie",
            "through a reload too"
        );
        list.set_query("alpha");
        assert_eq!(list.selected().unwrap().entry.name, "alpha");
        list.set_query("");
        assert_eq!(
            list.selected().unwrap().entry.name,
            "alpha",
            "a key filtered out while others match is not reselected"
        );
    }

    #[test]
    fn narrowing_and_widening_filters_agree_with_a_fresh_search() {
        let mut list = KeyList::new(sample());
        for q in ["p", "pa", "pay", "pay ", "pay c", "pay", "", "A", "al"] {
            list.set_query(q);
            let fresh = {
                let mut other = KeyList::new(sample());
                other.set_query(q);
                names(&other)
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(&list), fresh, "{q:?}");
        }
    }

    #[test]
    fn moving_stops_at_the_ends_and_the_window_follows() {
        let mut list = KeyList::new(sample());
        list.select_position(10);
        assert_eq!(list.cursor(), 3);
        list.scroll_into_view(2);
        assert_eq!(list.offset(), 2);
        list.select_position(0);
        list.scroll_into_view(2);
        assert_eq!(list.offset(), 0);
        assert_eq!(window_start(0, 9, 5, 20), 5);
        assert_eq!(window_start(8, 9, 5, 20), 8);
        assert_eq!(window_start(18, 19, 5, 20), 15, "never past the end");
    }

    #[test]
    fn a_wanted_key_is_selected_when_a_reload_brings_it() {
        let mut list = KeyList::new(sample());
        let id = KeyId::parse("k_00000000000f").unwrap();
        list.select_id(&id);
        assert_eq!(list.cursor(), 0);
        let now = t("2026-06-01");
        let mut views = sample().views;
        views.push(view(entry("k_00000000000f", "echo", "new"), now));
        list.replace(Snapshot::build(now, views));
        assert_eq!(list.selected().unwrap().entry.name, "echo");
    }
}
