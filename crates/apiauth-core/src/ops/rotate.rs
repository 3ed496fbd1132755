//! `rotate`: a new value for a key, the old one retired (verifiable during a grace window,
//! `superseded` after).

use chrono::Duration;

use super::Context;
use super::issue::{Issued, expiry_for, issue_value, whole_seconds_for};
use crate::error::{Error, Field, Result};
use crate::events::{Event, EventKind};
use crate::model::{self, Expiry};
use crate::timefmt;

/// A `rotate` request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotateRequest {
    /// New expiry; the key's current policy (same number of days from now) otherwise.
    pub expiry: Option<Expiry>,
    /// How long the replaced value keeps verifying (as a deprecated version).
    pub grace: Option<Duration>,
}

/// The lifetime given on rotation to a key whose expiry is known but its lifetime not (one
/// imported already expired), when the config sets no `default_expiry_days`.
pub const UNKNOWN_LIFETIME_DAYS: u32 = 90;

/// The lifetime a rotate without `-e` gives a key imported already expired (DESIGN.md §3),
/// and the note that says so.
fn unknown_lifetime(configured: Option<u32>) -> (u32, String) {
    let (days, source) = match configured {
        Some(days) => (days, "default_expiry_days in the config"),
        None => (
            UNKNOWN_LIFETIME_DAYS,
            "apiauth's default, as default_expiry_days is not set in the config",
        ),
    };
    let note = format!(
        "This key was imported already expired, so its lifetime was unknown: the new value \
         expires in {days} days ({source})."
    );
    (days, note)
}

/// Replaces a key's value: version + 1, the old value retired (verifiable during the grace
/// window, `superseded` after), the new plaintext returned once. A revoked key cannot be
/// rotated.
pub fn rotate(ctx: &Context, id: &str, request: RotateRequest) -> Result<Issued> {
    let now = ctx.now();
    if let Some(grace) = request.grace {
        model::check_grace(grace).map_err(|m| Error::invalid(Field::Grace, m))?;
    }
    ctx.store.update(|keystore| {
        let index = keystore.resolve(id)?;
        let mut entry = keystore.entry(index)?;
        if let Some(revoked_at) = entry.revoked_at {
            return Err(Error::Refused(format!(
                "{} was revoked on {} and cannot be rotated: rotation would bring it back. Generate a new key instead.",
                entry.id,
                revoked_at.format("%Y-%m-%d")
            )));
        }
        // The value being retired keeps the expiry it was issued with: a grace window never
        // outlasts it, so a rotation cannot bring an expired value back.
        let old_expiry = entry.expires_at;
        let mut note = None;
        let (expires_at, expiry_days) = match (request.expiry, entry.expiry_days) {
            (Some(expiry), _) => expiry_for(Some(expiry), None, now, false)?,
            // An expiry but no lifetime: imported already expired. It must not come back as a
            // key that never expires.
            (None, None) if entry.expires_at.is_some() => {
                let (days, said) = unknown_lifetime(ctx.config.default_expiry_days);
                note = Some(said);
                expiry_for(Some(Expiry::Days(days)), None, now, false)?
            }
            (None, days) => expiry_for(None, days, now, false)?,
        };
        entry.expires_at = whole_seconds_for(entry.kind, expires_at);
        entry.expiry_days = expiry_days;
        let (secret, version) = issue_value(&entry, entry.version() + 1, now);
        if keystore.find_hash(&version.hash)?.is_some() {
            return Err(Error::Concurrent(
                "the new value collided with a stored one; run rotate again".into(),
            ));
        }
        // Only the version being retired may stay verifiable: an earlier one still in the
        // grace window of the last rotation stops now, and no longer needs a signing secret.
        let retiring = entry.versions.len() - 1;
        for old in &mut entry.versions[..retiring] {
            if old.grace_until.is_some_and(|g| g > now) {
                old.grace_until = Some(now);
            }
            old.signing_secret = None;
        }
        let current = entry
            .versions
            .last_mut()
            .expect("an entry always has at least one version");
        current.retired_at = Some(now);
        current.grace_until = request
            .grace
            .map(|g| old_expiry.map_or(now + g, |expiry| expiry.min(now + g)))
            .filter(|until| *until > now);
        if current.grace_until.is_none() {
            current.signing_secret = None;
        }
        entry.versions.push(version);
        keystore.replace(index, &entry)?;
        keystore.record(Event::new(
            now,
            EventKind::Rotate,
            Some(entry.id.to_string()),
            "ok",
            format!(
                "v{} -> v{}, {}, expires {}",
                entry.version() - 1,
                entry.version(),
                entry.grace_until().map_or("no grace".into(), |until| format!(
                    "grace until {}",
                    timefmt::rfc3339(until)
                )),
                entry.expires_at.map_or("never".into(), timefmt::rfc3339)
            ) + if note.is_some() {
                ", lifetime unknown: the default applied"
            } else {
                ""
            },
        ));
        Ok(Issued {
            entry,
            secret,
            note,
        })
    })
}
