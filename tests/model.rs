//! Model test: random sequences of generate / import / rotate (with and without grace) /
//! revoke / verify / clock advances, run against the real keystore and against a plain
//! in-memory model of what each key's status and each value's verify answer should be. After
//! every step the keystore is reopened from disk and must agree with the model on every key and
//! every value ever issued.
//!
//! `PROPTEST_CASES=N` sets the number of sequences (default 48, each up to 40 steps).

use apiauth_core::model::{Expiry, Status};
use apiauth_core::ops::{self, Clock, Context, Labels, NewKind, Verdict};
use apiauth_core::{Config, Error, SecretString, Store};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Generate {
        jwt: bool,
        days: Option<u32>,
    },
    Import {
        days: u32,
        already_expired: bool,
    },
    Rotate {
        key: usize,
        grace_secs: Option<i64>,
        days: Option<u32>,
    },
    Revoke {
        key: usize,
    },
    Verify {
        value: usize,
    },
    Advance {
        secs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), proptest::option::of(1u32..20)).prop_map(|(jwt, days)| Op::Generate { jwt, days }),
        1 => (1u32..20, any::<bool>()).prop_map(|(days, already_expired)| Op::Import { days, already_expired }),
        3 => (any::<usize>(), proptest::option::of(60i64..5 * 86_400), proptest::option::of(1u32..20))
            .prop_map(|(key, grace_secs, days)| Op::Rotate { key, grace_secs, days }),
        1 => any::<usize>().prop_map(|key| Op::Revoke { key }),
        2 => any::<usize>().prop_map(|value| Op::Verify { value }),
        3 => prop_oneof![1i64..120, 3_000i64..90_000, 86_400i64..30 * 86_400].prop_map(|secs| Op::Advance { secs }),
    ]
}

/// One value a model key has had.
struct MVersion {
    value: SecretString,
    grace_until: Option<DateTime<Utc>>,
    /// A JWT's own `exp`: the key's expiry when the token was issued.
    token_exp: Option<DateTime<Utc>>,
}

/// What the model knows of a key.
struct MKey {
    id: String,
    versions: Vec<MVersion>,
    expires_at: Option<DateTime<Utc>>,
    /// The lifetime rotation applies again when no new expiry is given.
    policy_days: Option<u32>,
    revoked: bool,
}

impl MKey {
    fn status(&self, now: DateTime<Utc>) -> Status {
        if self.revoked {
            Status::Revoked
        } else {
            match self.expires_at {
                Some(at) if at <= now => Status::Expired,
                Some(at) if at - now <= Duration::days(7) => Status::Expiring,
                _ => Status::Healthy,
            }
        }
    }

    /// DESIGN.md §3: revoked > superseded (an old value past its grace) > expired (the key, or
    /// a token's own `exp`, which grace does not extend) > valid.
    fn verdict(&self, position: usize, now: DateTime<Utc>) -> Verdict {
        let current = position + 1 == self.versions.len();
        let version = &self.versions[position];
        if self.revoked {
            Verdict::Revoked
        } else if !current && version.grace_until.is_none_or(|g| now >= g) {
            Verdict::Superseded
        } else if self.expires_at.is_some_and(|at| at <= now)
            || version.token_exp.is_some_and(|exp| exp <= now)
        {
            Verdict::Expired
        } else {
            Verdict::Valid
        }
    }
}

struct World {
    dir: tempfile::TempDir,
    now: DateTime<Utc>,
    keys: Vec<MKey>,
    serial: usize,
}

impl World {
    /// A fresh context over the directory: everything is read back from disk.
    fn ctx(&self) -> Context {
        let mut ctx = Context::new(Store::in_dir(self.dir.path(), None), Config::default());
        ctx.clock = Clock::Fixed(self.now);
        ctx
    }

    fn labels(&mut self) -> Labels {
        self.serial += 1;
        Labels {
            name: format!("key {}", self.serial),
            service: "model".into(),
            ..Labels::default()
        }
    }

    fn apply(&mut self, op: &Op) {
        let ctx = self.ctx();
        match *op {
            Op::Generate { jwt, days } => {
                let kind = if jwt {
                    NewKind::Jwt {
                        claims: Default::default(),
                    }
                } else {
                    NewKind::ApiKey { prefix: None }
                };
                let request = ops::GenerateRequest {
                    labels: self.labels(),
                    kind,
                    expiry: days.map(Expiry::Days),
                };
                let issued = ops::generate(&ctx, request).expect("generate succeeds");
                let policy_days = days.or(jwt.then_some(30));
                let expires_at = policy_days.map(|d| {
                    let at = self.now + Duration::days(i64::from(d));
                    if jwt { whole_seconds(at) } else { at }
                });
                assert_eq!(issued.entry.expires_at, expires_at, "generate expiry");
                self.keys.push(MKey {
                    id: issued.entry.id.to_string(),
                    versions: vec![MVersion {
                        value: issued.secret,
                        grace_until: None,
                        token_exp: expires_at.filter(|_| jwt),
                    }],
                    expires_at,
                    policy_days,
                    revoked: false,
                });
            }
            Op::Import {
                days,
                already_expired,
            } => {
                self.serial += 1;
                let value = format!("sk_model_{:08}_{}", self.serial, "x".repeat(24));
                let (expiry, expires_at, policy_days) = if already_expired {
                    // A date already past says nothing of the key's lifetime: a rotation
                    // uses the configured default, or 90 days when none is set (none here).
                    let at = self.now - Duration::days(i64::from(days));
                    (Expiry::At(at), at, None)
                } else {
                    (
                        Expiry::Days(days),
                        self.now + Duration::days(i64::from(days)),
                        Some(days),
                    )
                };
                let request = ops::ImportRequest {
                    value: SecretString::new(value.clone()),
                    labels: self.labels(),
                    expiry: Some(expiry),
                };
                let entry = ops::import(&ctx, request).expect("import succeeds");
                self.keys.push(MKey {
                    id: entry.id.to_string(),
                    versions: vec![MVersion {
                        value: SecretString::new(value),
                        grace_until: None,
                        token_exp: None,
                    }],
                    expires_at: Some(expires_at),
                    policy_days,
                    revoked: false,
                });
            }
            Op::Rotate {
                key,
                grace_secs,
                days,
            } => {
                if self.keys.is_empty() {
                    return;
                }
                let k = key % self.keys.len();
                let request = ops::RotateRequest {
                    expiry: days.map(Expiry::Days),
                    grace: grace_secs.map(Duration::seconds),
                };
                let result = ops::rotate(&ctx, &self.keys[k].id, request);
                let now = self.now;
                let model = &mut self.keys[k];
                if model.revoked {
                    assert!(
                        matches!(result, Err(Error::Refused(_))),
                        "rotating a revoked key is refused: {result:?}"
                    );
                    return;
                }
                let issued = result.expect("rotate succeeds");
                let jwt = issued.secret.expose().starts_with("eyJ");
                // The retired value's grace never outlasts the expiry it was issued with, and
                // only the value just retired may be in grace: earlier ones stop now.
                let old_expiry = model.expires_at;
                for older in &mut model.versions {
                    if older.grace_until.is_some_and(|g| g > now) {
                        older.grace_until = Some(now);
                    }
                }
                if let Some(d) = days {
                    model.policy_days = Some(d);
                } else if model.policy_days.is_none() && model.expires_at.is_some() {
                    // Imported already expired: never rotated into a key that never expires.
                    model.policy_days = Some(90);
                }
                model.expires_at = model.policy_days.map(|d| {
                    let at = now + Duration::days(i64::from(d));
                    if jwt { whole_seconds(at) } else { at }
                });
                model
                    .versions
                    .last_mut()
                    .expect("a key has a version")
                    .grace_until = grace_secs
                    .map(|s| now + Duration::seconds(s))
                    .map(|until| old_expiry.map_or(until, |at| until.min(at)))
                    .filter(|until| *until > now);
                model.versions.push(MVersion {
                    value: issued.secret,
                    grace_until: None,
                    token_exp: model.expires_at.filter(|_| jwt),
                });
                assert_eq!(issued.entry.version() as usize, model.versions.len());
            }
            Op::Revoke { key } => {
                if self.keys.is_empty() {
                    return;
                }
                let k = key % self.keys.len();
                let revoked = ops::revoke(&ctx, &self.keys[k].id, None).expect("revoke succeeds");
                assert_eq!(revoked.already, self.keys[k].revoked);
                self.keys[k].revoked = true;
            }
            Op::Verify { value } => {
                let all: Vec<(usize, usize)> = self
                    .keys
                    .iter()
                    .enumerate()
                    .flat_map(|(k, key)| (0..key.versions.len()).map(move |v| (k, v)))
                    .collect();
                if let Some(&(k, v)) = all.get(value % all.len().max(1)) {
                    let got = ops::verify(
                        &ctx,
                        self.keys[k].versions[v].value.expose(),
                        &Default::default(),
                    )
                    .expect("verify answers");
                    assert_eq!(got.verdict, self.keys[k].verdict(v, self.now));
                }
            }
            Op::Advance { secs } => self.now += Duration::seconds(secs),
        }
    }

    /// The keystore, reopened from disk, agrees with the model on every key and value.
    fn check(&self) {
        let ctx = self.ctx();
        let listed = ops::list(&ctx, &Default::default()).expect("list");
        assert_eq!(listed.len(), self.keys.len(), "number of keys");
        for (view, model) in listed.iter().zip(&self.keys) {
            assert_eq!(view.entry.id.as_str(), model.id);
            assert_eq!(
                view.status,
                model.status(self.now),
                "status of {}",
                model.id
            );
            assert_eq!(view.entry.versions.len(), model.versions.len());
            assert_eq!(
                view.entry.expires_at, model.expires_at,
                "expiry of {}",
                model.id
            );
        }
        for model in &self.keys {
            for (position, version) in model.versions.iter().enumerate() {
                let got = ops::verify(&ctx, version.value.expose(), &Default::default())
                    .expect("verify answers");
                assert_eq!(
                    got.verdict,
                    model.verdict(position, self.now),
                    "verify of v{} of {} at {}",
                    position + 1,
                    model.id,
                    self.now
                );
                assert_eq!(got.presented_version, Some(position as u32 + 1));
            }
        }
        assert!(
            ops::verify(&ctx, "ak_never_issued_value", &Default::default())
                .expect("verify answers")
                .verdict
                == Verdict::NotFound
        );
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).expect("in range")
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T12:00:00.123456Z")
        .expect("a valid time")
        .with_timezone(&Utc)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_keystore_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let mut world = World {
            dir: tempfile::tempdir().expect("temp dir"),
            now: start(),
            keys: Vec::new(),
            serial: 0,
        };
        for op in &ops {
            world.apply(op);
            world.check();
        }
    }
}
