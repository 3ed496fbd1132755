//! `stats`: counts of keys by status and by service.

use std::collections::BTreeMap;

use super::Context;
use crate::error::Result;
use crate::model::Status;

/// Counts for `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// All keys.
    pub total: usize,
    /// Not revoked and not expired.
    pub active: usize,
    /// Active and not close to expiry.
    pub healthy: usize,
    /// Active but expiring within the window.
    pub expiring: usize,
    /// Past expiry.
    pub expired: usize,
    /// Revoked.
    pub revoked: usize,
    /// Keys per service.
    pub services: BTreeMap<String, usize>,
}

/// Counts keys by status and service.
pub fn stats(ctx: &Context) -> Result<Stats> {
    let now = ctx.now();
    let keystore = ctx.store.load()?;
    let mut stats = Stats::default();
    for entry in keystore.entries() {
        stats.total += 1;
        match entry.status(now, ctx.config.expiring_window()) {
            Status::Healthy => stats.healthy += 1,
            Status::Expiring => stats.expiring += 1,
            Status::Expired => stats.expired += 1,
            Status::Revoked => stats.revoked += 1,
        }
        *stats.services.entry(entry.service.clone()).or_default() += 1;
    }
    stats.active = stats.healthy + stats.expiring;
    Ok(stats)
}
