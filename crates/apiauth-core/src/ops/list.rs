//! `list`: every key with its status, last use and staleness, optionally filtered.

use super::{Context, KeyView, views};
use crate::error::Result;
use crate::model::Status;

/// Which keys `list` and `export` include.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this service (case-insensitive).
    pub service: Option<String>,
    /// Only this environment (case-insensitive).
    pub env: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
}

impl Filter {
    fn matches(&self, view: &KeyView) -> bool {
        self.service
            .as_deref()
            .is_none_or(|s| view.entry.service.eq_ignore_ascii_case(s))
            && self.env.as_deref().is_none_or(|e| {
                view.entry
                    .env
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case(e))
            })
            && self.status.is_none_or(|s| view.status == s)
    }
}

/// Every key (matching `filter`) with its status, last use and staleness, in creation order.
pub fn list(ctx: &Context, filter: &Filter) -> Result<Vec<KeyView>> {
    let keystore = ctx.store.load()?;
    let mut all = views(ctx, keystore);
    all.retain(|v| filter.matches(v));
    Ok(all)
}
