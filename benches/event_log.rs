//! Verify's cost must not grow with the event log: the whole-process time of `apiauth verify`
//! against a 1,000-key store whose log holds only the keys' 1,000 generate records, then after
//! 1,000,000 more records. Also times `log --check` over the whole log (it reads and checks
//! every record).
//!
//! Run with `cargo bench --bench event_log`. Figures are medians of repeated runs of the
//! release binary, timed from spawn to exit.

mod support;

use support::{median, ms};

use std::path::Path;
use std::time::{Duration, Instant};

use apiauth_core::{Event, EventKind, Store};
use chrono::Utc;

const RECORDS: usize = 1_000_000;

fn time(dir: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = support::apiauth(dir, args)
        .status()
        .expect("the apiauth binary runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "apiauth {args:?} failed: {status}");
    elapsed
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runs: usize = std::env::var("APIAUTH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let short_dir = tempfile::tempdir().expect("temp dir");
    let samples = support::populate(short_dir.path(), 1_000);
    let key = samples[0].expose().to_owned();
    let empty_size = std::fs::metadata(short_dir.path().join("events.log"))
        .expect("log written")
        .len();

    // The same store twice: one keeps its short log, the other gets a million more records.
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(short_dir.path())
        .expect("store dir")
        .flatten()
    {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copied");
    }
    let store = Store::in_dir(dir.path(), None);
    let log = store
        .log()
        .expect("the log opens")
        .expect("the store has a master key");
    let started = Instant::now();
    let batch: Vec<Event> = (0..10_000)
        .map(|i| {
            Event::new(
                Utc::now(),
                EventKind::Verify,
                Some(format!("k_{:012x}", i)),
                "valid",
                "presented v1 of v1",
            )
        })
        .collect();
    for _ in 0..RECORDS / batch.len() {
        log.append(&batch).expect("records appended");
    }
    let filled_in = started.elapsed();
    let size = std::fs::metadata(dir.path().join("events.log"))
        .expect("log written")
        .len();

    // Runs alternate between the two stores, so a machine that speeds up or slows down during
    // the benchmark weighs on both sides alike.
    for _ in 0..5 {
        time(short_dir.path(), &["verify", &key, "--json-output"]);
        time(dir.path(), &["verify", &key, "--json-output"]);
    }
    let (mut short_runs, mut long_runs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        short_runs.push(time(short_dir.path(), &["verify", &key, "--json-output"]));
        long_runs.push(time(dir.path(), &["verify", &key, "--json-output"]));
    }
    let (empty, full) = (median(&mut short_runs), median(&mut long_runs));
    let mut checks: Vec<Duration> = (0..3)
        .map(|_| time(dir.path(), &["log", "--check"]))
        .collect();
    let check = median(&mut checks);

    println!(
        "apiauth event-log benchmark on {} CPU(s), 1,000 keys\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("| log | size | verify median |");
    println!("|---|---:|---:|");
    println!(
        "| 1,000 records | {:.1} MiB | {} |",
        empty_size as f64 / (1024.0 * 1024.0),
        ms(empty)
    );
    println!(
        "| {} records | {:.0} MiB | {} |",
        RECORDS + 1_000,
        size as f64 / (1024.0 * 1024.0),
        ms(full)
    );
    println!(
        "\nverify with the long log: {:+.1}% against the short one (target: within 10%)",
        (full.as_secs_f64() / empty.as_secs_f64() - 1.0) * 100.0
    );
    println!(
        "log --check over {} records: {} (median of 3); appending the million took {:.1} s",
        RECORDS + 1_000,
        ms(check),
        filled_in.as_secs_f64()
    );
}
