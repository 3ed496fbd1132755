//! How fast the terminal UI is with 10 and with 100,000 keys.
//!
//! Run with `cargo bench --bench tui`. It reports medians (and the 95th percentile) of:
//!
//! - start to first frame, black-box: the release binary is spawned in a pseudo-terminal and
//!   timed until the table's header and first row are on the (emulated) screen; the child's
//!   peak memory (`VmHWM`) is read before it is told to quit;
//! - keypress to redraw, in-process: one key event handled by the app plus one full draw into a
//!   `TestBackend` at 120×40, for moving through the table and for typing (and deleting) a filter
//!   over all 100,000 keys; and the load of the store itself, with the memory it takes.
//!
//! The stores are built through the library in one `Store::update` (`support::populate`).
//! `APIAUTH_BENCH_RUNS=N` sets the number of process starts per store size.

mod support;

use support::{median, ms};

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use apiauth::tui::keys::{Key, Keymap};
use apiauth::tui::{App, ClipboardKind, Loading, Settings};
use apiauth_core::ops::Context;
use apiauth_core::{Config, Store};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn p95(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[(samples.len() * 95 / 100).min(samples.len() - 1)]
}

/// A line of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
fn proc_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Spawns the binary in a 120×40 pseudo-terminal and times it until the table's header and
/// a row are drawn; returns that time and the child's peak memory then, in KiB.
fn start_to_first_frame(dir: &Path) -> (Duration, u64) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(support::BIN);
    cmd.env_clear();
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", dir);
    cmd.env("APIAUTH_HOME", dir);
    cmd.env("APIAUTH_CONFIG", dir.join("no-config.toml"));
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let size = |n| std::num::NonZeroU16::new(n).unwrap();
    let parser = Arc::new(Mutex::new(vt100::Parser::new(size(40), size(120), 0)));
    let shared = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            shared.lock().unwrap().process(&buf[..n]);
        }
    });
    let elapsed = loop {
        let text = parser.lock().unwrap().screen().contents();
        if text.contains("NAME") && text.contains("\n›k_") {
            break start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no first frame:\n{text}"
        );
        std::thread::sleep(Duration::from_micros(200));
    };
    let pid = child.process_id().unwrap().to_string();
    let peak = proc_kib(&pid, "VmHWM:");
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    child.wait().unwrap();
    (elapsed, peak)
}

fn startup(label: &str, dir: &Path, runs: usize) {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let (t, p) = start_to_first_frame(dir);
        times.push(t);
        peak = peak.max(p);
    }
    println!(
        "{label}: start to first frame median {} (p95 {}, {runs} runs), peak memory {:.1} MiB",
        ms(median(&mut times)),
        ms(p95(&mut times)),
        peak as f64 / 1024.0
    );
}

fn key_event(text: &str) -> Event {
    let (code, mods) = Key::parse(text).unwrap().parts();
    Event::Key(KeyEvent::new(code, mods))
}

/// Handles `event` and draws a frame; returns the time both took.
fn press(app: &mut App, terminal: &mut Terminal<TestBackend>, event: Event) -> Duration {
    let start = Instant::now();
    app.handle_event(event);
    terminal
        .draw(|frame| frame.render_widget(&*app, frame.area()))
        .unwrap();
    start.elapsed()
}

fn report(label: &str, samples: &mut [Duration]) {
    let max = *samples.iter().max().unwrap();
    println!(
        "{label}: median {}, p95 {}, max {} over {} presses",
        ms(median(samples)),
        ms(p95(samples)),
        ms(max),
        samples.len()
    );
}

fn in_process(dir: &Path) {
    let self_pid = std::process::id().to_string();
    let before = proc_kib(&self_pid, "VmRSS:");
    let ctx = Context::new(Store::in_dir(dir, None), Config::default());
    let mut app = App::new(
        ctx,
        Settings {
            keymap: Keymap::default(),
            color: true,
            clipboard: ClipboardKind::Osc52,
            loading: Loading::Inline,
        },
    );
    let start = Instant::now();
    app.reload();
    let load = start.elapsed();
    let after = proc_kib(&self_pid, "VmRSS:");
    let start = Instant::now();
    let listed = apiauth_core::ops::list(app.context(), &Default::default()).unwrap();
    let list = start.elapsed();
    drop(listed);
    println!(
        "100k in-process: load and index {} (of which ops::list {}); resident memory +{:.1} MiB \
         for the loaded store",
        ms(load),
        ms(list),
        after.saturating_sub(before) as f64 / 1024.0
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.handle_event(Event::Resize(120, 40));
    press(&mut app, &mut terminal, key_event("home"));

    let mut moves = Vec::new();
    for i in 0..3000 {
        let key = if (i / 500) % 2 == 0 { "j" } else { "k" };
        moves.push(press(&mut app, &mut terminal, key_event(key)));
    }
    for key in ["pgdn", "pgdn", "end", "pgup", "home"] {
        moves.push(press(&mut app, &mut terminal, key_event(key)));
    }
    report("100k table movement (key + redraw)", &mut moves);

    let mut typing = Vec::new();
    let mut erasing = Vec::new();
    press(&mut app, &mut terminal, key_event("/"));
    for _ in 0..20 {
        for c in "stripe key 0420".chars() {
            let event = Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            typing.push(press(&mut app, &mut terminal, event));
        }
        for _ in 0.."stripe key 0420".len() {
            erasing.push(press(&mut app, &mut terminal, key_event("backspace")));
        }
    }
    report("100k filter typing (key + refilter + redraw)", &mut typing);
    report(
        "100k filter backspace (key + full search + redraw)",
        &mut erasing,
    );
    press(&mut app, &mut terminal, key_event("esc"));

    let mut sorts = Vec::new();
    for _ in 0..20 {
        sorts.push(press(&mut app, &mut terminal, key_event("s")));
        sorts.push(press(&mut app, &mut terminal, key_event("S")));
    }
    report("100k sort change / reverse (key + redraw)", &mut sorts);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runs: usize = std::env::var("APIAUTH_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = proc_kib("self", "VmRSS:");
    let total = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    println!("machine: {cores} cores, {total}; bench process resident {mem} KiB");

    let small = tempfile::tempdir().unwrap();
    support::populate(small.path(), 10);
    startup("10 keys", small.path(), runs);

    let large = tempfile::tempdir().unwrap();
    let start = Instant::now();
    support::populate(large.path(), 100_000);
    println!("(100k store written in {})", ms(start.elapsed()));
    startup("100,000 keys", large.path(), runs);
    in_process(large.path());
}
