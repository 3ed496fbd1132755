//! Shared by the TUI tests: a keystore of realistic keys with fixed ids, hashes and dates (so
//! snapshots and screenshots are stable), an app over it on a fixed clock, and a way to draw
//! the app into a `TestBackend`.
//!
//! Each test file uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;

use apiauth::tui::keys::{Key, Keymap};
use apiauth::tui::{App, ClipboardKind, Loading, Settings};
use apiauth_core::model::{KeyEntry, KeyId, KeyKind, KeyVersion, parse_time};
use apiauth_core::ops::{Clock, Context};
use apiauth_core::{Config, EventKind, KeyHash, MasterKey, SigningSecret, Store};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The fixed "now" of every TUI test.
pub fn now() -> DateTime<Utc> {
    parse_time("2026-06-01T09:30:00Z").unwrap()
}

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
pub fn fixture_ids() -> Vec<String> {
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

/// `user@host` as this machine's records name them (the first record of a new log, and the
/// records of keys a test generates), to filter out of snapshots.
pub fn local_who() -> String {
    let probe = apiauth_core::Event::new(now(), EventKind::Audit, None, "", "");
    format!("{}@{}", probe.user, probe.host)
}

/// A key directory in a temp dir, the context over it (fixed clock), and the temp dir guard.
pub fn context(filled: bool) -> (tempfile::TempDir, Context) {
    // Always under /tmp, whatever TMPDIR says: an error that quotes the path wraps at the same
    // column on every machine, so the snapshots that show one stay the same.
    let tmp = tempfile::Builder::new()
        .prefix(".tmp")
        .rand_bytes(6)
        .tempdir_in("/tmp")
        .unwrap();
    let store = Store::in_dir(tmp.path().join("keys"), Some(MasterKey::generate()));
    // An existing, empty key directory: with a master key from the environment and no key
    // directory at all, reading last-use times warns (the event log's lock file cannot be
    // created), which is not what these tests are about.
    std::fs::create_dir(store.key_dir().unwrap().path()).unwrap();
    if filled {
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
        let ids = fixture_ids();
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
    let mut ctx = Context::new(store, Config::default());
    ctx.clock = Clock::Fixed(now());
    (tmp, ctx)
}

/// An app over `ctx` that loads inline and copies through OSC 52 (no system clipboard).
pub fn app(ctx: Context, color: bool, width: u16, height: u16) -> App {
    let mut app = App::new(
        ctx,
        Settings {
            keymap: Keymap::default(),
            color,
            clipboard: ClipboardKind::Osc52,
            loading: Loading::Inline,
        },
    );
    app.reload();
    app.handle_event(Event::Resize(width, height));
    app
}

/// Presses keys written as in `config.toml`.
pub fn press(app: &mut App, keys: &[&str]) {
    for key in keys {
        let (code, mods) = Key::parse(key).unwrap().parts();
        app.handle_event(Event::Key(KeyEvent::new(code, mods)));
    }
}

/// Types text, one key per character.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// Generates an API key through the form: `name`, service `payments`, env `prod`, 90 days.
/// The secret display is open afterwards.
pub fn generate(app: &mut App, name: &str) {
    press(app, &["n"]);
    type_text(app, name);
    for field in ["payments", "prod", "90"] {
        press(app, &["tab"]);
        type_text(app, field);
    }
    press(app, &["enter"]);
}

/// Draws the app as the real terminal would (cursor included) into a test backend.
pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            let area = frame.area();
            frame.render_widget(app, area);
            if let Some(position) = app.cursor(area) {
                frame.set_cursor_position(position);
            }
        })
        .unwrap();
    terminal
}

/// The screen as text, one line per row.
pub fn text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
