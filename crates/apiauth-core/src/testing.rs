//! Helpers for tests, of this crate and of the faces: entries built in memory, and a keystore
//! in a temp dir on a fixed clock. Not part of the API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::crypto::{KeyHash, MasterKey};
use crate::model::{KeyEntry, KeyId, KeyKind, KeyVersion};
use crate::ops::{Clock, Context, KeyView};
use crate::store::Store;

pub use crate::crypto::generate_api_key;

/// The fixed "now" of the tests.
pub fn now() -> DateTime<Utc> {
    crate::model::parse_time("2026-06-01T09:30:00Z").unwrap()
}

/// An API key entry with one version and no expiry, created a month before [`now`] (so not
/// stale).
pub fn entry(id: &str, name: &str, service: &str) -> KeyEntry {
    let created = crate::model::parse_time("2026-05-01T08:00:00Z").unwrap();
    KeyEntry {
        id: KeyId::parse(id).expect("a valid test id"),
        kind: KeyKind::ApiKey,
        name: name.into(),
        service: service.into(),
        env: None,
        scopes: Vec::new(),
        prefix: "ak".into(),
        versions: vec![KeyVersion {
            version: 1,
            hash: KeyHash::of(id),
            hint: "ak_Tst1…".into(),
            created_at: created,
            retired_at: None,
            grace_until: None,
            signing_secret: None,
        }],
        created_at: created,
        expires_at: None,
        expiry_days: None,
        revoked_at: None,
        revocation_reason: None,
        rate_limit: None,
        claims: BTreeMap::new(),
        imported: false,
    }
}

/// The view of `entry` at `now`, with the default config and no recorded use.
pub fn view(entry: KeyEntry, now: DateTime<Utc>) -> KeyView {
    KeyView::new(entry, now, &Config::default())
}

/// A context over an empty keystore in a fresh temp dir, on the fixed clock. The dir lives as
/// long as the process (tests are short).
pub fn context() -> Context {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut ctx = Context::new(
        Store::in_dir(dir, Some(MasterKey::generate())),
        Config::default(),
    );
    ctx.clock = Clock::Fixed(now());
    ctx
}

/// Puts `entries` in the context's keystore.
pub fn fill(ctx: &Context, entries: Vec<KeyEntry>) {
    ctx.store
        .update(|keystore| {
            for e in &entries {
                keystore.insert(e);
            }
            Ok(())
        })
        .unwrap();
}
