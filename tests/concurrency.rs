//! Concurrent writers never lose an acknowledged change: 4 workers × 25 `generate` processes
//! started together against one key directory all succeed, and every key they were given is in
//! the store afterwards and verifies.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;

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
