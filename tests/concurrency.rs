//! Concurrent writers never lose an acknowledged change: 4 workers × 25 `generate` processes
//! started together against one key directory all succeed, and every key they were given is in
//! the store afterwards and verifies. The same holds while another thread keeps deleting
//! `keystore.lock` and `events.lock` under writers and verifiers: no write fails, no key is
//! lost, and the event log stays one chain.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::{Issued, Sandbox};

const WORKERS: usize = 4;
const PER_WORKER: usize = 25;

#[test]
fn four_processes_times_25_generates_lose_nothing() {
    let sb = Arc::new(Sandbox::new());
    // The directory does not exist yet: the race includes creating it and master.key.
    let barrier = Arc::new(Barrier::new(WORKERS));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let sb = Arc::clone(&sb);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                (0..PER_WORKER)
                    .map(|i| {
                        let name = format!("w{w}-k{i}");
                        // Half API keys, half JWTs, so both write paths race.
                        if i % 2 == 0 {
                            sb.api_key(&name, &format!("svc{w}"), &[])
                        } else {
                            sb.jwt(&name, &format!("svc{w}"), &[])
                        }
                    })
                    .collect::<Vec<Issued>>()
            })
        })
        .collect();
    let issued: Vec<Issued> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a worker panicked (a generate failed)"))
        .collect();
    assert_eq!(issued.len(), WORKERS * PER_WORKER);

    let listed = sb.json(&["list", "-j"]);
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), WORKERS * PER_WORKER, "keys were lost");
    let listed_ids: BTreeSet<&str> = listed
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed_ids.len(), WORKERS * PER_WORKER, "ids are distinct");
    let issued_ids: BTreeSet<&str> = issued.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(
        listed_ids, issued_ids,
        "the store holds exactly the keys handed out"
    );
    let names: BTreeSet<&str> = listed
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.len(), WORKERS * PER_WORKER);

    let stats = sb.json(&["stats", "-j"]);
    assert_eq!(stats["total"], WORKERS * PER_WORKER);

    // Every value handed out verifies, checked by 4 readers in parallel.
    let issued = Arc::new(issued);
    let checkers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let sb = Arc::clone(&sb);
            let issued = Arc::clone(&issued);
            thread::spawn(move || {
                for key in issued.iter().skip(w).step_by(WORKERS) {
                    let (json, code) = sb.verify(&key.value, &[]);
                    assert_eq!(code, 0, "{}: {json}", key.id);
                    assert_eq!(json["status"], "valid");
                    assert_eq!(json["id"], key.id.as_str());
                }
            })
        })
        .collect();
    for checker in checkers {
        checker.join().expect("a key did not verify");
    }
}

#[test]
fn deleted_lock_files_lose_no_key_and_fork_no_chain() {
    const WRITERS: usize = 4;
    const PER_WRITER: usize = 15;
    const VERIFIERS: usize = 2;
    const PER_VERIFIER: usize = 40;
    let sb = Arc::new(Sandbox::new());
    let first = sb.api_key("first", "svc", &[]);
    let done = Arc::new(AtomicBool::new(false));
    let deleter = {
        let sb = Arc::clone(&sb);
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let mut deleted = 0usize;
            while !done.load(Ordering::Relaxed) {
                for name in ["keystore.lock", "events.lock"] {
                    if std::fs::remove_file(sb.file(name)).is_ok() {
                        deleted += 1;
                    }
                }
                thread::sleep(Duration::from_micros(300));
            }
            deleted
        })
    };
    let barrier = Arc::new(Barrier::new(WRITERS + VERIFIERS));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let sb = Arc::clone(&sb);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                (0..PER_WRITER)
                    .map(|i| {
                        let name = format!("w{w}-k{i}");
                        let out = sb
                            .cmd(["generate", "api-key", "-n", &name, "-s", "svc", "-j"])
                            .run();
                        assert_eq!(out.code, 0, "generate {name} failed: {}", out.stderr);
                        Issued::from_json(out.json(), "key")
                    })
                    .collect::<Vec<Issued>>()
            })
        })
        .collect();
    let verifiers: Vec<_> = (0..VERIFIERS)
        .map(|_| {
            let sb = Arc::clone(&sb);
            let barrier = Arc::clone(&barrier);
            let value = first.value.clone();
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..PER_VERIFIER {
                    let (json, code) = sb.verify(&value, &[]);
                    assert_eq!(code, 0, "{json}");
                }
            })
        })
        .collect();
    let issued: Vec<Issued> = writers
        .into_iter()
        .flat_map(|w| w.join().expect("a generate failed"))
        .collect();
    for verifier in verifiers {
        verifier.join().expect("a verify failed");
    }
    done.store(true, Ordering::Relaxed);
    let deleted = deleter.join().expect("the deleter");
    assert!(deleted > 0, "the lock files were deleted during the run");

    let listed: BTreeSet<String> = sb.ids().into_iter().collect();
    for key in issued.iter().chain([&first]) {
        assert!(
            listed.contains(&key.id),
            "acknowledged key {} is missing",
            key.id
        );
        assert_eq!(sb.verdict(&key.value), "valid", "{}", key.id);
    }
    assert_eq!(listed.len(), WRITERS * PER_WRITER + 1);
    let check = sb.run(&["log", "--check", "-j"]);
    assert_eq!(check.code, 0, "the chain is intact: {}", check.stdout);
    let leftovers: Vec<String> = std::fs::read_dir(&sb.dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temp files left behind: {leftovers:?}"
    );
}
