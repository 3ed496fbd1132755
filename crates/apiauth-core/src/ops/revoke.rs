//! `revoke`: every version of a key, for good.

use super::Context;
use crate::error::{Error, Field, Result};
use crate::events::{Event, EventKind};
use crate::model::{self, KeyEntry};

/// What `revoke` did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The entry after the call.
    pub entry: KeyEntry,
    /// True when it had already been revoked (nothing was changed).
    pub already: bool,
}

/// Revokes every version of a key, for good, with an optional reason.
pub fn revoke(ctx: &Context, id: &str, reason: Option<String>) -> Result<Revoked> {
    let now = ctx.now();
    let reason = reason
        .map(|r| model::parse_reason(&r).map_err(|m| Error::invalid(Field::Reason, m)))
        .transpose()?;
    ctx.store.update(|keystore| {
        let index = keystore.resolve(id)?;
        let mut entry = keystore.entry(index)?;
        if entry.revoked_at.is_some() {
            return Ok(Revoked {
                entry,
                already: true,
            });
        }
        entry.revoked_at = Some(now);
        entry.revocation_reason = reason.clone();
        for version in &mut entry.versions {
            version.signing_secret = None;
        }
        keystore.replace(index, &entry)?;
        keystore.record(Event::new(
            now,
            EventKind::Revoke,
            Some(entry.id.to_string()),
            "ok",
            entry
                .revocation_reason
                .as_deref()
                .map_or("no reason given".into(), |r| format!("reason: {r}")),
        ));
        Ok(Revoked {
            entry,
            already: false,
        })
    })
}
