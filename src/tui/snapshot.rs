//! What the TUI shows, read from the keystore in one go: every key with its status (from
//! `ops::list`), plus what makes a large store quick to browse, built once per load so that no
//! keystroke has to: a lowercase search text of all rows, the row order for each sort column,
//! and the dashboard's aggregates.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use apiauth_core::Record;
use apiauth_core::Result;
use apiauth_core::model::Status;
use apiauth_core::ops::{self, AuditGroups, Context, KeyView};

/// The columns the table sorts by, in the order `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum SortKey {
    #[default]
    Expiry,
    Name,
    Service,
    Status,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::Expiry,
        SortKey::Name,
        SortKey::Service,
        SortKey::Status,
    ];

    pub fn next(self) -> SortKey {
        let i = self.index();
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    fn index(self) -> usize {
        SortKey::ALL.iter().position(|&k| k == self).unwrap_or(0)
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Expiry => "expiry",
            SortKey::Name => "name",
            SortKey::Service => "service",
            SortKey::Status => "status",
        }
    }
}

/// Position of a status in [`Status::ALL`] (most severe first).
pub(crate) fn severity(status: Status) -> usize {
    Status::ALL.iter().position(|&s| s == status).unwrap_or(0)
}

/// How many of the latest event-log records a load reads, for the dashboard and the detail
/// pane (`apiauth log` reads further back).
pub(crate) const RECENT_EVENTS: usize = 1_000;

/// How far ahead the dashboard's expiry chart looks.
pub(crate) const HORIZON_DAYS: i64 = 90;
/// One bar per week of the horizon.
pub(crate) const WEEKS: usize = (HORIZON_DAYS as usize).div_ceil(7);

/// Key counts of one service, by status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceHealth {
    pub name: String,
    /// Indexed by [`severity`].
    pub counts: [usize; 4],
}

impl ServiceHealth {
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    pub fn count(&self, status: Status) -> usize {
        self.counts[severity(status)]
    }
}

/// The audit dashboard's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Dashboard {
    /// Keys per status, indexed by [`severity`].
    pub counts: [usize; 4],
    /// Active keys expiring in each week of the next [`HORIZON_DAYS`] days.
    pub weeks: [u64; WEEKS],
    /// Services, those with expired or expiring keys first.
    pub services: Vec<ServiceHealth>,
    /// Keys not revoked that no verify has presented for `stale_after_days`.
    pub stale: usize,
    /// Rows needing action: expired (most recently first), then expiring (soonest first),
    /// then healthy but stale keys (longest unused first).
    pub needs_action: Vec<u32>,
}

impl Dashboard {
    pub fn count(&self, status: Status) -> usize {
        self.counts[severity(status)]
    }

    fn build(views: &[KeyView], now: DateTime<Utc>) -> Dashboard {
        let mut dash = Dashboard::default();
        let mut services: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
        for view in views {
            let s = severity(view.status);
            dash.counts[s] += 1;
            dash.stale += usize::from(view.stale);
            services.entry(&view.entry.service).or_default()[s] += 1;
            if view.status.is_active()
                && let Some(at) = view.entry.expires_at
                && at > now
                && at <= now + Duration::days(HORIZON_DAYS)
            {
                let week = ((at - now).num_seconds() / (7 * 86_400)) as usize;
                dash.weeks[week.min(WEEKS - 1)] += 1;
            }
        }
        // In audit's groups and orders; of the stale keys, those not listed already.
        let groups = AuditGroups::of(views);
        let healthy_stale = groups
            .stale
            .iter()
            .filter(|&&row| views[row].status == Status::Healthy);
        dash.needs_action = (groups.expired.iter())
            .chain(&groups.expiring)
            .chain(healthy_stale)
            .map(|&row| row as u32)
            .collect();
        dash.services = services
            .into_iter()
            .map(|(name, counts)| ServiceHealth {
                name: name.to_owned(),
                counts,
            })
            .collect();
        dash.services.sort_by_key(|s| {
            (
                std::cmp::Reverse(s.count(Status::Expired)),
                std::cmp::Reverse(s.count(Status::Expiring)),
            )
        });
        dash
    }
}

/// One load of the keystore, indexed for browsing.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// When the statuses were derived.
    pub taken_at: DateTime<Utc>,
    /// Every key, in creation order.
    pub views: Vec<KeyView>,
    /// Lowercase id, name, service, env and scopes of every row, one after the other.
    haystack: String,
    /// Row `i` is `haystack[bounds[i]..bounds[i + 1]]`.
    bounds: Vec<u32>,
    /// Rows in the order of each sort column (indexed like [`SortKey::ALL`]).
    orders: [Vec<u32>; 4],
    /// The dashboard's numbers.
    pub dashboard: Dashboard,
    /// The last [`RECENT_EVENTS`] records of the event log, newest first.
    pub events: Vec<Record>,
    /// [`ops::log_mark`] when the events were read: a different mark means new records.
    pub log_mark: u64,
}

/// Separates fields in the search text. Typed filter text never holds control characters, so
/// a match can never span two fields or two rows.
const SEPARATOR: char = '\u{1f}';

impl Snapshot {
    /// Reads every key and the recent events. The log mark is read first (and the keystore
    /// file's stamp before it, by the loader): a write landing in between makes the next poll
    /// see a change and load again, so no change is ever missed.
    pub fn load(ctx: &Context) -> Result<Snapshot> {
        let log_mark = ops::log_mark(ctx);
        let views = ops::list(ctx, &ops::Filter::default())?;
        let mut snapshot = Snapshot::build(ctx.clock.now(), views);
        snapshot.events = ops::recent_events(ctx, RECENT_EVENTS, None);
        snapshot.log_mark = log_mark;
        Ok(snapshot)
    }

    /// Verifies in the last `days` that presented a revoked, expired or superseded key,
    /// newest first.
    pub fn alerts(&self, days: u32) -> impl Iterator<Item = &Record> {
        let since = self.taken_at - Duration::days(i64::from(days));
        self.events
            .iter()
            .take_while(move |r| r.event.time >= since)
            .filter(|r| r.event.is_alert())
    }

    /// The recent events of one key, newest first.
    pub fn events_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Record> {
        self.events
            .iter()
            .filter(move |r| r.event.key_id.as_deref() == Some(id))
    }

    pub fn build(now: DateTime<Utc>, views: Vec<KeyView>) -> Snapshot {
        let mut haystack = String::with_capacity(views.len() * 64);
        let mut bounds = Vec::with_capacity(views.len() + 1);
        let mut names = Vec::with_capacity(views.len());
        let mut services = Vec::with_capacity(views.len());
        for view in &views {
            let e = &view.entry;
            bounds.push(haystack.len() as u32);
            let name = e.name.to_lowercase();
            let service = e.service.to_lowercase();
            haystack.push_str(e.id.as_str());
            for field in [&name, &service] {
                haystack.push(SEPARATOR);
                haystack.push_str(field);
            }
            if let Some(env) = &e.env {
                haystack.push(SEPARATOR);
                haystack.push_str(&env.to_lowercase());
            }
            for scope in &e.scopes {
                haystack.push(SEPARATOR);
                haystack.push_str(&scope.to_lowercase());
            }
            haystack.push(SEPARATOR);
            names.push(name);
            services.push(service);
        }
        bounds.push(haystack.len() as u32);

        // One sort of strings (name, then id) gives every row a rank; the other orders sort
        // integer keys that end in that rank, so ties are broken the same way and each key
        // maps back to its row.
        let n = views.len();
        let (orders, dashboard) = std::thread::scope(|scope| {
            let dashboard = scope.spawn(|| Dashboard::build(&views, now));
            let mut by_name: Vec<(&str, &str, u32)> = (0..n)
                .map(|i| (names[i].as_str(), views[i].entry.id.as_str(), i as u32))
                .collect();
            by_name.sort_unstable();
            let name_order: Vec<u32> = by_name.iter().map(|&(_, _, row)| row).collect();
            let mut name_rank = vec![0u32; n];
            for (rank, &row) in name_order.iter().enumerate() {
                name_rank[row as usize] = rank as u32;
            }
            let mut distinct: Vec<&str> = services.iter().map(String::as_str).collect();
            distinct.sort_unstable();
            distinct.dedup();
            let service_rank = |i: usize| {
                distinct
                    .binary_search(&services[i].as_str())
                    .expect("every service is listed") as u128
            };
            let expiry = |i: usize| {
                let at = views[i].entry.expires_at;
                let when = at.map_or(0, |t| (t.timestamp() as u64) ^ (1 << 63));
                (u128::from(at.is_none()) << 96)
                    | (u128::from(when) << 32)
                    | u128::from(name_rank[i])
            };
            let by = |key: &dyn Fn(usize) -> u128| -> Vec<u32> {
                let mut keys: Vec<u128> = (0..n).map(key).collect();
                keys.sort_unstable();
                keys.iter()
                    .map(|&k| name_order[k as u32 as usize])
                    .collect()
            };
            let by_expiry = by(&expiry);
            let by_service = by(&|i| (service_rank(i) << 32) | u128::from(name_rank[i]));
            let by_status = by(&|i| ((severity(views[i].status) as u128) << 100) | expiry(i));
            (
                [by_expiry, name_order, by_service, by_status],
                dashboard.join().expect("the dashboard is built"),
            )
        });
        Snapshot {
            taken_at: now,
            views,
            haystack,
            bounds,
            orders,
            dashboard,
            events: Vec::new(),
            log_mark: 0,
        }
    }

    /// Rows in the order of `key`.
    pub fn order(&self, key: SortKey) -> &[u32] {
        &self.orders[key.index()]
    }

    fn row_text(&self, row: u32) -> &str {
        let row = row as usize;
        &self.haystack[self.bounds[row] as usize..self.bounds[row + 1] as usize]
    }

    /// Whether row `row` contains every term.
    pub fn matches(&self, row: u32, terms: &[String]) -> bool {
        let text = self.row_text(row);
        terms.iter().all(|t| text.contains(t.as_str()))
    }

    /// For each row, whether it contains every term: one pass over the whole search text for
    /// the first term, then only the rows it found are checked for the others.
    pub fn search(&self, terms: &[String]) -> Vec<bool> {
        let mut hits = vec![terms.is_empty(); self.views.len()];
        let Some(first) = terms.first() else {
            return hits;
        };
        let mut from = 0;
        while let Some(found) = self.haystack[from..].find(first.as_str()) {
            let at = from + found;
            let row = self.bounds.partition_point(|&b| b as usize <= at) - 1;
            if self.matches(row as u32, &terms[1..]) {
                hits[row] = true;
            }
            from = self.bounds[row + 1] as usize;
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::{entry, view};

    fn t(s: &str) -> DateTime<Utc> {
        apiauth_core::model::parse_time(s).unwrap()
    }

    #[test]
    fn search_matches_every_term_in_any_field_never_across_rows() {
        let now = t("2026-06-01");
        let mut a = entry("k_aaaaaaaaaaaa", "Stripe Prod", "payments");
        a.env = Some("prod".into());
        a.scopes = vec!["read:users".into()];
        let b = entry("k_bbbbbbbbbbbb", "Mailer", "email");
        let snap = Snapshot::build(now, vec![view(a, now), view(b, now)]);
        let find = |q: &str| {
            let terms: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
            snap.search(&terms)
        };
        assert_eq!(find("stripe"), [true, false]);
        assert_eq!(find("PAY prod"), [true, false]);
        assert_eq!(find("read:users"), [true, false]);
        assert_eq!(find("k_bbb"), [false, true]);
        assert_eq!(find("payments mailer"), [false, false], "terms are ANDed");
        assert_eq!(find("usersk_b"), [false, false], "no match across rows");
        assert_eq!(find(""), [true, true]);
    }

    #[test]
    fn orders_match_a_plain_sort_with_ties() {
        use std::cmp::Ordering;
        let now = t("2026-06-01");
        let views = (0..60u32)
            .map(|i| {
                let id = format!("k_{:012x}", (i * 919) % 1000);
                let mut e = entry(&id, &format!("Name{}", i % 5), &format!("svc{}", i % 3));
                e.expires_at = (i % 4 != 0).then(|| now + Duration::days(i64::from(i % 6) - 2));
                e.revoked_at = (i % 9 == 0).then_some(now);
                view(e, now)
            })
            .collect();
        let snap = Snapshot::build(now, views);
        let v = &snap.views;
        let name = |a: &KeyView, b: &KeyView| {
            a.entry
                .name
                .to_lowercase()
                .cmp(&b.entry.name.to_lowercase())
        };
        let expiry = |a: &KeyView, b: &KeyView| {
            let key = |x: &KeyView| (x.entry.expires_at.is_none(), x.entry.expires_at);
            key(a).cmp(&key(b)).then_with(|| name(a, b))
        };
        let service = |a: &KeyView, b: &KeyView| {
            a.entry
                .service
                .cmp(&b.entry.service)
                .then_with(|| name(a, b))
        };
        let status = |a: &KeyView, b: &KeyView| {
            severity(a.status)
                .cmp(&severity(b.status))
                .then_with(|| expiry(a, b))
        };
        type Compare<'a> = &'a dyn Fn(&KeyView, &KeyView) -> Ordering;
        let cases: [(SortKey, Compare); 4] = [
            (SortKey::Expiry, &expiry),
            (SortKey::Name, &name),
            (SortKey::Service, &service),
            (SortKey::Status, &status),
        ];
        for (key, compare) in cases {
            let mut plain: Vec<u32> = (0..v.len() as u32).collect();
            plain.sort_by(|&a, &b| {
                let (a, b) = (&v[a as usize], &v[b as usize]);
                compare(a, b).then_with(|| a.entry.id.cmp(&b.entry.id))
            });
            assert_eq!(snap.order(key), plain, "{key:?}");
        }
    }

    #[test]
    fn dashboard_counts_weeks_services_and_needs_action() {
        let now = t("2026-06-01");
        let mut expired = entry("k_000000000001", "old", "billing");
        expired.expires_at = Some(t("2026-05-20"));
        let mut soon = entry("k_000000000002", "soon", "billing");
        soon.expires_at = Some(t("2026-06-03"));
        let mut later = entry("k_000000000003", "later", "search");
        later.expires_at = Some(t("2026-07-01"));
        let mut far = entry("k_000000000004", "far", "search");
        far.expires_at = Some(t("2027-01-01"));
        let mut revoked = entry("k_000000000005", "gone", "search");
        revoked.revoked_at = Some(t("2026-05-01"));
        revoked.expires_at = Some(t("2026-06-10"));
        let views = [expired, soon, later, far, revoked]
            .into_iter()
            .map(|e| view(e, now))
            .collect();
        let snap = Snapshot::build(now, views);
        let d = &snap.dashboard;
        assert_eq!(d.count(Status::Expired), 1);
        assert_eq!(d.count(Status::Expiring), 1);
        assert_eq!(d.count(Status::Healthy), 2);
        assert_eq!(d.count(Status::Revoked), 1);
        assert_eq!(d.weeks[0], 1, "soon, within the first week");
        assert_eq!(d.weeks[4], 1, "later, 30 days out");
        assert_eq!(
            d.weeks.iter().sum::<u64>(),
            2,
            "no expired, revoked or far key"
        );
        assert_eq!(d.needs_action, [0, 1]);
        assert_eq!(d.services[0].name, "billing", "needs action first");
        assert_eq!(d.services[1].total(), 3);
    }
}
