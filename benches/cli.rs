//! Whole-process timings of `apiauth verify` and `apiauth generate` against stores of 1,000,
//! 10,000 and 100,000 keys: the cost an API gateway or a CI job pays per call.
//!
//! Run with `cargo bench --bench cli`. Each figure is the median (and 95th percentile) of
//! repeated runs of the release binary, timed from spawn to exit, with its output discarded.
//! Peak memory is the child's maximum resident set size as reported by `wait4`.
//! With `APIAUTH_BENCH_KEEP=1` a copy of each store (and three valid sample keys in
//! `samples.txt`) is kept for profiling; `APIAUTH_BENCH_RUNS=N` sets the number of runs.

mod support;

use support::ms;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use apiauth_core::SecretString;

struct Sample {
    elapsed: Duration,
    max_rss_kib: i64,
}

/// Runs the binary once and waits for it with `wait4` to read its peak memory.
fn run(dir: &Path, args: &[&str]) -> Sample {
    let start = Instant::now();
    let child = support::apiauth(dir, args)
        .spawn()
        .expect("the apiauth binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is a plain C struct for which all-zero bytes are valid, and `pid` is a
    // child of this process that nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(waited, pid, "wait4 reaps the child");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "apiauth {args:?} failed with status {status}"
    );
    std::mem::forget(child);
    Sample {
        elapsed,
        max_rss_kib: usage.ru_maxrss,
    }
}

struct Summary {
    median: Duration,
    p95: Duration,
    peak_rss_mib: f64,
}

fn summarize(mut samples: Vec<Sample>) -> Summary {
    samples.sort_by_key(|s| s.elapsed);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].elapsed;
    Summary {
        median: at(0.5),
        p95: at(0.95),
        peak_rss_mib: samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy dir created");
    for entry in std::fs::read_dir(from)
        .expect("store dir readable")
        .flatten()
    {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("file copied");
    }
}

/// Builds the store in a child process and returns its sample values: the benchmark process
/// stays small, so the children it forks start small too (a child's peak RSS, as wait4 reports
/// it, counts the pages it shared with this process when it was forked).
fn populate_in_child(dir: &Path, keys: usize) -> Vec<SecretString> {
    let out = Command::new(std::env::current_exe().expect("the benchmark's own path"))
        .arg("--populate")
        .arg(dir)
        .arg(keys.to_string())
        .output()
        .expect("the store is built");
    assert!(out.status.success(), "populating failed");
    String::from_utf8(out.stdout)
        .expect("sample keys are text")
        .lines()
        .map(|l| SecretString::new(l.to_owned()))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if let [_, flag, dir, keys] = args.as_slice()
        && flag == "--populate"
    {
        for sample in support::populate(Path::new(dir), keys.parse().expect("a key count")) {
            println!("{}", sample.expose());
        }
        return;
    }
    let runs = |n: usize| -> usize {
        std::env::var("APIAUTH_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(n)
    };
    println!(
        "apiauth whole-process benchmark on {} CPU(s)\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let floor = summarize(
        (0..runs(200))
            .map(|_| run(Path::new("."), &["--version"]))
            .collect(),
    );
    println!(
        "spawn floor (apiauth --version, no keystore): median {}, p95 {}\n",
        ms(floor.median),
        ms(floor.p95)
    );
    println!(
        "| keys | store size | verify median | verify p95 | verify peak RSS | generate median | generate p95 | generate peak RSS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (keys, verify_runs, generate_runs) in
        [(1_000, 300, 100), (10_000, 200, 60), (100_000, 60, 20)]
    {
        let dir = tempfile::tempdir().expect("temp dir");
        let samples = populate_in_child(dir.path(), keys);
        if std::env::var_os("APIAUTH_BENCH_KEEP").is_some() {
            let kept = dir.path().with_extension("kept");
            copy_dir(dir.path(), &kept);
            let mut listing = String::new();
            for s in &samples {
                listing.push_str(s.expose());
                listing.push('\n');
            }
            std::fs::write(kept.join("samples.txt"), listing).expect("samples written");
            eprintln!("kept a copy of the {keys}-key store in {}", kept.display());
        }
        let values: Vec<&str> = samples.iter().map(|s| s.expose()).collect();
        let size = std::fs::metadata(dir.path().join("keystore.enc"))
            .expect("keystore written")
            .len();

        for value in &values {
            run(dir.path(), &["verify", value, "--json-output"]);
        }
        let verify: Vec<Sample> = (0..runs(verify_runs))
            .map(|i| {
                run(
                    dir.path(),
                    &["verify", values[i % values.len()], "--json-output"],
                )
            })
            .collect();
        let generate: Vec<Sample> = (0..runs(generate_runs))
            .map(|i| {
                let name = format!("bench {i}");
                run(
                    dir.path(),
                    &[
                        "generate", "api-key", "-n", &name, "-s", "bench", "-e", "90", "-j",
                    ],
                )
            })
            .collect();
        let (v, g) = (summarize(verify), summarize(generate));
        println!(
            "| {keys} | {:.1} MiB | {} | {} | {:.1} MiB | {} | {} | {:.1} MiB |",
            size as f64 / (1024.0 * 1024.0),
            ms(v.median),
            ms(v.p95),
            v.peak_rss_mib,
            ms(g.median),
            ms(g.p95),
            g.peak_rss_mib
        );
    }
}
