//! Crash safety: writers (generate, rotate, revoke) killed with SIGKILL at random moments. After
//! every kill the keystore opens, its generation never goes back, every change that returned
//! success is there (its key present; its newest acknowledged value still verifies, within the
//! grace window if a killed rotate got through, or answers superseded if two killed rotates
//! did), `log --check` passes, and no file in the key directory — temp files left by the kill
//! included — holds a plaintext value.
//!
//! `APIAUTH_CRASH_KILLS=N` sets how many kills to reach (default 60; run with 300+ locally).
//! The seed is printed; `APIAUTH_CRASH_SEED=S` replays a run.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::Sandbox;

/// A small deterministic generator, so a failing run can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the test knows was acknowledged for one key.
struct Known {
    /// Every value whose generate or rotate returned success.
    values: Vec<String>,
    /// A revoke of this key returned success.
    revoked: bool,
    /// A revoke was killed: the key may or may not be revoked now.
    maybe_revoked: bool,
    /// Rotates killed since the newest acknowledged value: each may have got through. One
    /// leaves that value in its grace window; a second ends the window (a rotation ends the
    /// grace of every version before the one it retires).
    killed_rotates: usize,
}

fn generation(sb: &Sandbox) -> u64 {
    let bytes = std::fs::read(sb.file("keystore.enc")).expect("keystore.enc exists");
    u64::from_le_bytes(bytes[56..64].try_into().expect("a whole header"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("JSON output")
}

#[test]
fn killed_writers_never_lose_an_acknowledged_change() {
    let target: usize = std::env::var("APIAUTH_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("APIAUTH_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("a clock after 1970")
                .as_nanos() as u64
                | 1
        });
    println!("crash test: seed {seed}, aiming for {target} kills");
    let mut rng = Rng(seed);
    let sb = Sandbox::new();
    let mut known: BTreeMap<String, Known> = BTreeMap::new();
    let mut last_generation = 0;
    let (mut kills, mut completed, mut serial) = (0usize, 0usize, 0usize);
    let started = Instant::now();

    while kills < target {
        serial += 1;
        let live: Vec<String> = known
            .iter()
            .filter(|(_, k)| !k.revoked && !k.maybe_revoked)
            .map(|(id, _)| id.clone())
            .collect();
        let choice = rng.below(100);
        let (args, target_id): (Vec<String>, Option<String>) = if live.is_empty() || choice < 45 {
            let name = format!("crash {serial}");
            (
                ["generate", "api-key", "-n", &name, "-s", "crash", "-j"]
                    .map(String::from)
                    .to_vec(),
                None,
            )
        } else {
            let id = live[rng.below(live.len() as u64) as usize].clone();
            if choice < 85 {
                (
                    ["rotate", &id, "--grace", "1h", "-j"]
                        .map(String::from)
                        .to_vec(),
                    Some(id),
                )
            } else {
                (["revoke", &id, "-j"].map(String::from).to_vec(), Some(id))
            }
        };
        let mut child = sb.cmd(&args).spawn();
        std::thread::sleep(Duration::from_micros(rng.below(25_000)));
        let finished = child.try_wait().expect("wait on the writer").is_some();
        if !finished {
            child.kill().expect("SIGKILL the writer");
            let _ = child.wait();
            kills += 1;
            if let Some(id) = target_id.as_deref() {
                let known = known.get_mut(id).expect("known key");
                if args[0] == "revoke" {
                    known.maybe_revoked = true;
                } else {
                    known.killed_rotates += 1;
                }
            }
            check(&sb, &known, &mut last_generation, &mut rng);
            continue;
        }
        let out = child.wait_with_output().expect("writer output");
        assert!(
            out.status.success(),
            "{args:?} failed without being killed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        completed += 1;
        let reply = json(&String::from_utf8_lossy(&out.stdout));
        let id = reply["id"].as_str().expect("an id").to_owned();
        match args[0].as_str() {
            "generate" | "rotate" => {
                let value = reply["key"].as_str().expect("the new key").to_owned();
                let known = known.entry(id).or_insert(Known {
                    values: Vec::new(),
                    revoked: false,
                    maybe_revoked: false,
                    killed_rotates: 0,
                });
                known.values.push(value);
                known.killed_rotates = 0;
            }
            _ => known.get_mut(&id).expect("known key").revoked = true,
        }
    }
    check(&sb, &known, &mut last_generation, &mut rng);
    for known in known.values() {
        for value in &known.values {
            assert_no_file_holds(&sb, value);
        }
    }
    println!(
        "crash test: {kills} kills, {completed} completed writes, {} keys, {:.1} s",
        known.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The keystore after a kill: opens, has not gone back, holds every acknowledged change, and
/// its event log verifies.
fn check(sb: &Sandbox, known: &BTreeMap<String, Known>, last_generation: &mut u64, rng: &mut Rng) {
    let listed = sb.cmd(["list", "-j"]).run();
    assert_eq!(listed.code, 0, "the keystore opens: {}", listed.stderr);
    if known.is_empty() && !sb.file("keystore.enc").exists() {
        return;
    }
    let now = generation(sb);
    assert!(
        now >= *last_generation,
        "generation went back from {last_generation} to {now}"
    );
    *last_generation = now;
    let entries = json(&listed.stdout);
    let by_id: BTreeMap<&str, &serde_json::Value> = entries
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| (e["id"].as_str().expect("id"), e))
        .collect();
    for (id, known) in known {
        let entry = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("acknowledged key {id} is present"));
        if known.revoked {
            assert_eq!(entry["status"], "revoked", "{id} stays revoked");
        }
    }
    // A sample of acknowledged values. A key's newest acknowledged value verifies: it is either
    // current or, if a killed rotate got through after it, in the hour of grace that rotate
    // gave it. An older value is in grace or superseded (a rotation ends the grace of every
    // version before the one it retires).
    let values: Vec<(&String, &Known, &String, bool)> = known
        .iter()
        .flat_map(|(id, k)| {
            let newest = k.values.len() - 1;
            k.values
                .iter()
                .enumerate()
                .map(move |(i, v)| (id, k, v, i == newest))
        })
        .collect();
    for _ in 0..3.min(values.len()) {
        let (id, k, value, newest) = values[rng.below(values.len() as u64) as usize];
        let out = sb.cmd(["verify", "-j"]).stdin(value.as_str()).run();
        let status = json(&out.stdout)["status"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let mut allowed = if k.revoked {
            vec!["revoked"]
        } else if newest && k.killed_rotates < 2 {
            vec!["valid"]
        } else {
            vec!["valid", "superseded"]
        };
        if k.maybe_revoked {
            allowed.push("revoked");
        }
        assert!(
            allowed.contains(&status.as_str()),
            "{id}: {status}, expected one of {allowed:?} (newest acknowledged value: {newest})"
        );
    }
    let log = sb.cmd(["log", "--check"]).run();
    assert_eq!(
        log.code, 0,
        "the event log verifies after a kill: {}",
        log.stdout
    );
}

fn assert_no_file_holds(sb: &Sandbox, value: &str) {
    for entry in std::fs::read_dir(&sb.dir).expect("key dir").flatten() {
        let bytes = std::fs::read(entry.path()).expect("readable");
        assert!(
            !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
            "{} holds a plaintext value",
            entry.file_name().to_string_lossy()
        );
    }
}
