//! A keystore of realistic keys (twelve, of every status and kind) with fixed ids, hashes and
//! dates, and the records a gateway's verifies would leave, so that snapshots and screenshots
//! of it are stable.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use apiauth_core::model::{KeyEntry, KeyId, KeyKind, KeyVersion};
use apiauth_core::{EventKind, KeyHash, SigningSecret, Store};

use super::now;

fn days(n: i64) -> DateTime<Utc> {
    now() + Duration::days(n)
}

struct Spec {
    id: &'static str,
    name: &'static str,
    service: &'static str,
    env: Option<&'static str>,
    kind: KeyKind,
    hint: &'static str,
    created: i64,
    expires: Option<i64>,
    versions: u32,
    grace: Option<i64>,
    revoked: Option<(i64, Option<&'static str>)>,
    scopes: &'static [&'static str],
    rate: Option<u32>,
    claims: &'static [(&'static str, &'static str)],
    imported: bool,
}

const BASE: Spec = Spec {
    id: "",
    name: "",
    service: "",
    env: Some("prod"),
    kind: KeyKind::ApiKey,
    hint: "ak_Qm4Z…",
    created: -20,
    expires: Some(90),
    versions: 1,
    grace: None,
    revoked: None,
    scopes: &[],
    rate: None,
    claims: &[],
    imported: false,
};

fn specs() -> Vec<Spec> {
    vec![
        Spec {
            id: "k_3f2a9c1b0d4e",
            name: "stripe-live",
            service: "payments",
            hint: "ak_Qm4Z…",
            expires: Some(3),
            scopes: &["charges:write", "refunds:write"],
            rate: Some(100),
            versions: 3,
            grace: Some(1),
            created: -200,
            ..BASE
        },
        Spec {
            id: "k_8b1e47c2a9f0",
            name: "stripe-test",
            service: "payments",
            env: Some("staging"),
            hint: "ak_x7Pq…",
            expires: Some(45),
            scopes: &["charges:write"],
            ..BASE
        },
        Spec {
            id: "k_1c9d3e5f7a2b",
            name: "sendgrid-mailer",
            service: "email",
            hint: "sk_Lm2K…",
            expires: Some(-2),
            created: -92,
            ..BASE
        },
        Spec {
            id: "k_5e6f708192a3",
            name: "search-indexer",
            service: "search",
            kind: KeyKind::Jwt,
            hint: "eyJ…Xk3w",
            expires: Some(24),
            scopes: &["index:write", "index:read"],
            claims: &[("role", "indexer"), ("tier", "gold")],
            ..BASE
        },
        Spec {
            id: "k_9a0b1c2d3e4f",
            name: "github-actions-deploy",
            service: "ci",
            env: None,
            hint: "ak_Ry8d…",
            expires: Some(6),
            rate: Some(10),
            ..BASE
        },
        Spec {
            id: "k_2d4f6a8c0e1b",
            name: "twilio-sms",
            service: "notifications",
            hint: "ak_Tw1L…",
            expires: None,
            created: -150,
            imported: true,
            ..BASE
        },
        Spec {
            id: "k_7c8d9e0f1a2b",
            name: "legacy-partner-api",
            service: "partners",
            env: Some("prod"),
            hint: "ak_Pz0A…",
            expires: Some(200),
            revoked: Some((-5, Some("leaked in a CI log"))),
            created: -300,
            ..BASE
        },
        Spec {
            id: "k_4b5c6d7e8f90",
            name: "analytics-reader",
            service: "analytics",
            env: Some("dev"),
            hint: "ak_Ab3C…",
            expires: Some(64),
            scopes: &["events:read"],
            ..BASE
        },
        Spec {
            id: "k_0e1f2a3b4c5d",
            name: "datadog-agent",
            service: "monitoring",
            hint: "ak_Dd9G…",
            expires: Some(12),
            ..BASE
        },
        Spec {
            id: "k_6a7b8c9d0e1f",
            name: "openai-batch",
            service: "ml",
            env: Some("staging"),
            hint: "ak_Op5N…",
            expires: Some(-30),
            ..BASE
        },
        Spec {
            id: "k_e1d2c3b4a596",
            name: "auth-service-token",
            service: "auth",
            kind: KeyKind::Jwt,
            hint: "eyJ…Q2rT",
            expires: Some(29),
            claims: &[("aud_team", "identity")],
            ..BASE
        },
        Spec {
            id: "k_b0a9f8e7d6c5",
            name: "billing-webhook",
            service: "payments",
            hint: "ak_Wh7B…",
            expires: Some(80),
            rate: Some(50),
            ..BASE
        },
    ]
}

/// The ids of the fixture's keys.
pub fn ids() -> Vec<String> {
    specs().iter().map(|s| s.id.to_owned()).collect()
}

fn build(spec: &Spec) -> KeyEntry {
    let created = days(spec.created);
    let mut versions = Vec::new();
    for v in 1..=spec.versions {
        let issued = created + Duration::days(i64::from(v - 1) * 60);
        let last = v == spec.versions;
        versions.push(KeyVersion {
            version: v,
            hash: KeyHash::of(&format!("fixture {} v{v}", spec.id)),
            hint: spec.hint.to_owned(),
            created_at: issued,
            retired_at: (!last).then(|| issued + Duration::days(60)),
            grace_until: (v + 1 == spec.versions)
                .then(|| spec.grace.map(days))
                .flatten(),
            signing_secret: (spec.kind == KeyKind::Jwt && last).then(SigningSecret::generate),
        });
    }
    KeyEntry {
        id: KeyId::parse(spec.id).unwrap(),
        kind: spec.kind,
        name: spec.name.into(),
        service: spec.service.into(),
        env: spec.env.map(Into::into),
        scopes: spec.scopes.iter().map(|s| s.to_string()).collect(),
        prefix: "ak".into(),
        versions,
        created_at: created,
        expires_at: spec.expires.map(days),
        expiry_days: spec.expires.map(|_| 90),
        revoked_at: spec.revoked.map(|(d, _)| days(d)),
        revocation_reason: spec.revoked.and_then(|(_, r)| r).map(Into::into),
        rate_limit: spec.rate,
        claims: spec
            .claims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        imported: spec.imported,
    }
}

/// An event-log record by a fixed user on a fixed host.
fn record(
    time: DateTime<Utc>,
    kind: EventKind,
    key: Option<&str>,
    outcome: &str,
    (user, host): (&str, &str),
) -> apiauth_core::Event {
    apiauth_core::Event {
        time,
        kind,
        key_id: key.map(Into::into),
        outcome: outcome.into(),
        user: user.into(),
        host: host.into(),
        detail: String::new(),
    }
}

/// Puts the fixture's keys in `store`, each with its `generate` record, then the uses and
/// alerts a gateway's verifies would leave.
pub(super) fn fill(store: &Store) {
    store
        .update(|keystore| {
            for spec in specs() {
                let entry = build(&spec);
                keystore.insert(&entry);
                keystore.record(record(
                    entry.created_at,
                    EventKind::Generate,
                    Some(spec.id),
                    "ok",
                    ("ops", "admin-1"),
                ));
            }
            Ok(())
        })
        .unwrap();
    // Uses and alerts, as a gateway's verifies would leave them.
    let log = store.log().unwrap().expect("the store has a key");
    let uses = [
        (now() - Duration::days(1), "k_7c8d9e0f1a2b", "revoked"),
        (now() - Duration::hours(3), "k_1c9d3e5f7a2b", "expired"),
        (now() - Duration::hours(2), "k_3f2a9c1b0d4e", "valid"),
        (now() - Duration::minutes(30), "k_3f2a9c1b0d4e", "valid"),
    ];
    let ids = ids();
    for (at, id, outcome) in uses {
        let key = KeyId::parse(id).unwrap();
        let usage = apiauth_core::Use {
            entry: ids.iter().position(|i| i == id).unwrap(),
            id: &key,
            at,
        };
        let event = record(
            at,
            EventKind::Verify,
            Some(id),
            outcome,
            ("svc-gateway", "gw-1"),
        );
        log.append_use(&event, usage).unwrap();
    }
}
