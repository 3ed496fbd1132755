//! Builds large keystores for the benchmarks, in one write through the library, with a
//! `generate` record per key in the event log as the CLI would leave.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

use apiauth_core::model::{self, KeyEntry, KeyId, KeyKind, KeyVersion};
use apiauth_core::testing::generate_api_key;
use apiauth_core::{Event, EventKind, KeyHash, SecretString, Store};
use chrono::{Duration, Utc};

/// The release binary under measurement.
pub const BIN: &str = env!("CARGO_BIN_EXE_apiauth");

/// `apiauth --key-dir DIR ARGS…` with no master key from the environment, no user config and
/// every standard stream discarded: what the whole-process benchmarks run.
pub fn apiauth(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--key-dir")
        .arg(dir)
        .args(args)
        .env_remove("APIAUTH_MASTER_KEY")
        .env("APIAUTH_CONFIG", dir.join("no-config.toml"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// The median of `samples` (which it sorts).
pub fn median(samples: &mut [std::time::Duration]) -> std::time::Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A duration in milliseconds, two decimals.
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

const SERVICES: [&str; 12] = [
    "stripe",
    "sendgrid",
    "twilio",
    "aws",
    "openai",
    "github",
    "datadog",
    "pagerduty",
    "auth",
    "payments",
    "search",
    "analytics",
];
const ENVS: [&str; 3] = ["prod", "staging", "dev"];

/// Fills `dir` with `n` API keys (a spread of services, environments and expiries) and returns
/// three of their plaintext values (the first, the middle and the last key written, each valid
/// for 90 days).
pub fn populate(dir: &Path, n: usize) -> Vec<SecretString> {
    let store = Store::in_dir(dir, None);
    let now = Utc::now();
    let mut samples = Vec::new();
    store
        .update(|keystore| {
            samples.clear();
            for i in 0..n {
                let secret = generate_api_key("ak");
                let sample = i == 0 || i == n / 2 || i + 1 == n;
                let expiry_offset = if sample { 90 } else { (i % 120) as i64 - 10 };
                let entry = KeyEntry {
                    id: KeyId::random(),
                    kind: KeyKind::ApiKey,
                    name: format!("{} key {i:06}", SERVICES[i % SERVICES.len()]),
                    service: SERVICES[i % SERVICES.len()].to_owned(),
                    env: Some(ENVS[i % ENVS.len()].to_owned()),
                    scopes: vec!["read".into(), "write".into()],
                    prefix: "ak".into(),
                    versions: vec![KeyVersion {
                        version: 1,
                        hash: KeyHash::of(secret.expose()),
                        hint: model::hint_for(secret.expose()),
                        created_at: now - Duration::days((i % 400) as i64),
                        retired_at: None,
                        grace_until: None,
                        signing_secret: None,
                    }],
                    created_at: now - Duration::days((i % 400) as i64),
                    expires_at: Some(now + Duration::days(expiry_offset)),
                    expiry_days: Some(90),
                    revoked_at: None,
                    revocation_reason: None,
                    rate_limit: Some(100),
                    claims: Default::default(),
                    imported: false,
                };
                if keystore.contains_id(&entry.id)? {
                    continue;
                }
                keystore.insert(&entry);
                keystore.record(Event::new(
                    now,
                    EventKind::Generate,
                    Some(entry.id.to_string()),
                    "ok",
                    "api_key v1",
                ));
                if sample {
                    samples.push(secret);
                }
            }
            Ok(())
        })
        .expect("the benchmark store is written");
    samples
}
