//! Concurrent appenders form one chain: 4 threads × 100 `verify` processes (each thread running
//! them one after another, all threads started together) against one key leave exactly 400
//! verify records with consecutive sequence numbers, `log --check` passes, `log --limit` (which
//! reads the log backwards) agrees with the full listing, and the key's last use is the latest
//! verify.

mod common;
mod event_log_support;

use std::sync::{Arc, Barrier};
use std::thread;

use common::Sandbox;
use event_log_support::{check, records, seqs, time, triple, triples};

const WORKERS: usize = 4;
const PER_WORKER: usize = 100;

#[test]
fn four_processes_times_100_verifies_form_one_chain() {
    let sb = Arc::new(Sandbox::new());
    let key = sb.api_key("busy", "gateway", &[]);
    let barrier = Arc::new(Barrier::new(WORKERS));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let sb = Arc::clone(&sb);
            let barrier = Arc::clone(&barrier);
            let value = key.value.clone();
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..PER_WORKER {
                    let out = sb.cmd(["verify", "-j"]).stdin(format!("{value}\n")).run();
                    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
                    assert_eq!(out.json()["status"], "valid");
                    assert!(
                        out.stderr.is_empty(),
                        "the verify was recorded without a warning: {}",
                        out.stderr
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a verify failed");
    }

    let all = records(&sb, &[]);
    let total = 2 + WORKERS * PER_WORKER;
    assert_eq!(all.len(), total, "log_started, generate and every verify");
    let expected_seqs: Vec<u64> = (1..=total as u64).collect();
    assert_eq!(seqs(&all), expected_seqs, "consecutive sequence numbers");
    let kinds = triples(&all);
    assert_eq!(kinds[0], triple("log_started", None, "ok"));
    assert_eq!(kinds[1], triple("generate", Some(&key.id), "ok"));
    let verify = triple("verify", Some(&key.id), "valid");
    assert_eq!(
        kinds.iter().filter(|k| **k == verify).count(),
        WORKERS * PER_WORKER,
        "exactly one verify record per call"
    );

    let check = check(&sb);
    assert_eq!(check.code, 0, "{}", check.text.stdout);
    assert_eq!(check.json["intact"], true);
    assert_eq!(check.json["records"], total);

    // Reading backwards across many 16 KiB chunks gives the same records.
    let tail = records(&sb, &["--limit", "300"]);
    assert_eq!(tail[..], all[total - 300..]);
    let keyed = records(&sb, &["--key", &key.id, "--limit", "350"]);
    assert_eq!(keyed[..], all[total - 350..]);

    // The last use is the latest verify, from the slot and from a rebuild alike.
    let latest = all[2..]
        .iter()
        .map(|r| time(&r["time"]))
        .max()
        .expect("verifies");
    let last_used = || {
        let listed = sb.json(&["list", "-j"]);
        time(&listed[0]["last_used_at"])
    };
    assert_eq!(last_used(), latest);
    std::fs::remove_file(sb.file("events.lastused")).expect("remove");
    assert_eq!(last_used(), latest);
}
