//! The real binary in a pseudo-terminal, driven by keystrokes and read back through a
//! terminal emulator (vt100): filter, generate through the form, reveal, copy (OSC 52, as there
//! is no display), dismiss, verify the new key with the CLI, rotate, revoke with the typed id,
//! a mouse click, help, and quit with the terminal restored; signals, and the terminal closed
//! under the TUI.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use apiauth::tui::testing::flip_in_place;
use base64::Engine as _;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_apiauth");
const ROWS: u16 = 24;
const COLS: u16 = 80;

/// The environment of every run: only what apiauth needs, and no display, so copying goes
/// through OSC 52.
fn env(tmp: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("HOME", tmp.display().to_string()),
        ("TERM", "xterm-256color".into()),
        ("APIAUTH_HOME", tmp.join("keys").display().to_string()),
        (
            "APIAUTH_CONFIG",
            tmp.join("config.toml").display().to_string(),
        ),
    ]
}

/// Runs the CLI with `stdin`; returns stdout.
fn cli(tmp: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env(tmp))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn verify(tmp: &Path, value: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&cli(tmp, &["verify", "-", "-j"], value)).unwrap();
    json["status"].as_str().unwrap().to_owned()
}

struct Tui {
    /// Dropped by `hang_up` (portable-pty's writer sends a newline and EOF as it goes).
    writer: Option<Box<dyn std::io::Write + Send>>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<(vt100::Parser, Vec<u8>)>>,
    /// Tells the thread that reads the screen to stop, so that the master can be closed.
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    master: Option<Box<dyn MasterPty + Send>>,
}

impl Tui {
    fn start(tmp: &Path) -> Tui {
        Tui::spawn(tmp, CommandBuilder::new(BIN))
    }

    /// Runs `cmd` (the binary, or a shell around it) in a new pseudo-terminal.
    fn spawn(tmp: &Path, mut cmd: CommandBuilder) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        cmd.env_clear();
        for (k, v) in env(tmp) {
            cmd.env(k, v);
        }
        cmd.cwd(tmp);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let fd = pair.master.as_raw_fd().expect("a unix pty");
        let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
        let parser = vt100::Parser::new(size(ROWS), size(COLS), 0);
        let screen = Arc::new(Mutex::new((parser, Vec::new())));
        let shared = screen.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stopped.load(Ordering::SeqCst) {
                let mut ready = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: polls the master's descriptor, which is closed only after this
                // thread has been joined (`stop_reading`).
                if unsafe { libc::poll(&mut ready, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut s = shared.lock().unwrap();
                        s.0.process(&buf[..n]);
                        s.1.extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        Tui {
            writer: Some(writer),
            child,
            screen,
            stop,
            reader: Some(reader),
            master: Some(pair.master),
        }
    }

    fn stop_reading(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }

    /// Closes the terminal under the TUI, as closing its window, `tmux kill-session` or a lost
    /// SSH connection do: every descriptor of the master side is closed.
    fn hang_up(&mut self) {
        self.stop_reading();
        self.writer = None;
        self.master = None;
    }

    fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
        // A lone ESC is told from the start of a sequence by the pause after it.
        std::thread::sleep(Duration::from_millis(if keys.ends_with('\x1b') {
            150
        } else {
            30
        }));
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().0.screen().contents()
    }

    fn raw(&self) -> Vec<u8> {
        self.screen.lock().unwrap().1.clone()
    }

    /// Waits until the screen satisfies `ok`; fails with the screen shown otherwise.
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if ok(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait(needle, |t| t.contains(needle))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        // The master's descriptor must outlive the reader's polls of it.
        self.stop_reading();
    }
}

/// The first `ak_` + 43 base64url characters on the screen.
fn api_key_on(screen: &str) -> Option<String> {
    screen.match_indices("ak_").find_map(|(at, _)| {
        let value: String = screen[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .collect();
        (value.len() == 46).then_some(value)
    })
}

fn id_to_confirm(screen: &str) -> String {
    let at = screen
        .find("Type k_")
        .expect("the revoke form names the id")
        + 5;
    screen[at..at + 14].to_owned()
}

#[test]
fn the_tui_end_to_end_in_a_pseudo_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    cli(
        tmp,
        &["generate", "api-key", "-n", "billing-api", "-s", "billing"],
        "",
    );
    cli(
        tmp,
        &["generate", "api-key", "-n", "search-reader", "-s", "search"],
        "",
    );

    let mut tui = Tui::start(tmp);
    tui.wait("the table", |t| {
        t.contains("NAME") && t.contains("search-reader")
    });

    // Filter as you type; Enter keeps it; Esc clears it.
    tui.send("/bill");
    let screen = tui.wait_for("1 of 2 match");
    assert!(!screen.contains("search-reader"));
    tui.send("\r");
    tui.wait_for("filter: bill");
    tui.send("\x1b");
    tui.wait("the filter cleared", |t| {
        t.contains("search-reader") && !t.contains("filter:")
    });

    // Generate through the form: the value is masked until v.
    tui.send("n");
    tui.wait_for("Generate an API key");
    tui.send("e2e-key\te2e\tprod\r");
    let screen = tui.wait_for("(v reveals)");
    assert_eq!(api_key_on(&screen), None, "masked");
    tui.send("v");
    let value = api_key_on(&tui.wait("the revealed value", |t| api_key_on(t).is_some())).unwrap();

    // Copy: no display in this environment, so OSC 52 to the terminal, never cleared.
    tui.send("c");
    tui.wait_for("OSC 52");
    let osc52 = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(&value)
    );
    let raw = tui.raw();
    assert!(
        raw.windows(osc52.len()).any(|w| w == osc52.as_bytes()),
        "the OSC 52 sequence carries the value"
    );

    // Dismiss: asks once, then the value is gone from the screen.
    tui.send("\r");
    tui.wait_for("Saved it?");
    tui.send("y");
    let screen = tui.wait_for("clear it yourself");
    assert!(!screen.contains(&value));
    assert_eq!(
        verify(tmp, &value),
        "valid",
        "the new key verifies through the CLI"
    );

    // Rotate the new key with the defaults.
    tui.send("/e2e-key\r");
    tui.wait_for("filter: e2e-key");
    tui.send("r");
    tui.wait_for("Rotate k_");
    tui.send("\r");
    tui.wait_for("rotated to v2");
    tui.send("v");
    let rotated = api_key_on(&tui.wait("the new value", |t| api_key_on(t).is_some())).unwrap();
    assert_ne!(rotated, value);
    tui.send("\ry");
    tui.wait("the popup closed", |t| !t.contains("rotated to v2"));
    assert_eq!(verify(tmp, &rotated), "valid");
    assert_eq!(verify(tmp, &value), "superseded");

    // Revoke it: a wrong id is refused, the typed id revokes.
    tui.send("x");
    let id = id_to_confirm(&tui.wait_for("to confirm"));
    tui.send("k_0\r");
    tui.wait_for("exactly to confirm");
    tui.send("\x7f\x7f\x7f");
    tui.send(&format!("{id}\tcompromised in a test\r"));
    tui.wait_for("Revoked k_");
    assert_eq!(verify(tmp, &rotated), "revoked");
    let shown: serde_json::Value =
        serde_json::from_str(&cli(tmp, &["show", &id, "-j"], "")).unwrap();
    assert_eq!(shown["revocation_reason"], "compromised in a test");

    // Click a row (SGR mouse report, 1-based): the detail pane follows.
    tui.send("\x1b");
    tui.wait("all keys", |t| {
        t.contains("search-reader") && t.contains("billing-api")
    });
    let screen = tui.text();
    let row = screen
        .lines()
        .position(|l| l.contains("search-reader"))
        .unwrap();
    tui.send(&format!("\x1b[<0;5;{}M\x1b[<0;5;{}m", row + 1, row + 1));
    tui.wait("the clicked key's details", |t| {
        t.lines()
            .any(|l| l.starts_with('╭') && l.contains("search-reader"))
    });

    // Help lists the bindings.
    tui.send("?");
    tui.wait_for("Key bindings");
    tui.send("\x1b");
    tui.wait("help closed", |t| !t.contains("Key bindings"));

    // Quit: the alternate screen is left and the cursor shown again.
    tui.send("q");
    let status = wait_exit(&mut tui, "q");
    assert!(status.success());
    assert_terminal_restored(&tui, "q");
}

/// The terminal as the TUI left it: off the alternate screen (entered before), cursor shown,
/// mouse capture and bracketed paste turned off.
fn assert_terminal_restored(tui: &Tui, what: &str) {
    std::thread::sleep(Duration::from_millis(100));
    let s = tui.screen.lock().unwrap();
    assert!(
        !s.0.screen().alternate_screen(),
        "{what}: the alternate screen was left"
    );
    assert!(!s.0.screen().hide_cursor(), "{what}: the cursor is shown");
    let raw = &s.1;
    let last = |seq: &[u8]| raw.windows(seq.len()).rposition(|w| w == seq);
    let left = last(b"\x1b[?1049l").expect("leaves the alternate screen");
    assert!(last(b"\x1b[?1049h").unwrap() < left, "{what}");
    assert!(
        last(b"\x1b[?1000l").is_some_and(|off| off > last(b"\x1b[?1000h").unwrap()),
        "{what}: mouse capture turned off"
    );
    assert!(
        last(b"\x1b[?2004l").is_some(),
        "{what}: bracketed paste turned off"
    );
}

/// Waits for the child to end. After 10 s it fails, killing the child's process group first
/// (the TUI, and the shell around it if there is one): a TUI that never ends must not outlive
/// the test, spinning.
fn wait_exit(tui: &mut Tui, what: &str) -> portable_pty::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = tui.child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let pid = tui.child.process_id().expect("the child has a pid");
            let group = -libc::pid_t::try_from(pid).unwrap();
            // SAFETY: signals the process group this test started (the child leads it).
            unsafe { libc::kill(group, libc::SIGKILL) };
            panic!("{what}: the TUI did not exit within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A keystore with one key (`billing-api`), and `cmd` running the TUI over it, showing it.
fn tui_over_one_key(tmp: &Path, cmd: CommandBuilder) -> Tui {
    cli(
        tmp,
        &["generate", "api-key", "-n", "billing-api", "-s", "billing"],
        "",
    );
    let tui = Tui::spawn(tmp, cmd);
    tui.wait("the table", |t| t.contains("billing-api"));
    tui
}

/// The TUI over one key, showing a new key's one-time value (a form behind it): the
/// decrypted keystore and a secret are in its memory.
fn tui_with_a_secret_on_show(tmp: &Path, cmd: CommandBuilder) -> Tui {
    let mut tui = tui_over_one_key(tmp, cmd);
    tui.send("n");
    tui.wait_for("Generate an API key");
    tui.send("gone-key\tgone\r");
    tui.wait_for("(v reveals)");
    tui
}

#[test]
fn closing_the_terminal_ends_the_tui_by_the_hang_up() {
    let tmp = tempfile::tempdir().unwrap();
    let mut tui = tui_with_a_secret_on_show(tmp.path(), CommandBuilder::new(BIN));
    // The TUI leads its session: the kernel sends it SIGHUP as it hangs the terminal up, and
    // its input reads as ended from then on.
    tui.hang_up();
    let status = wait_exit(&mut tui, "the terminal closed");
    // Not a panic on the way out (an abort), nor an exit code: SIGHUP, as without the TUI.
    assert_eq!(status.signal(), Some("Hangup"), "{status:?}");
}

#[test]
fn the_tui_ends_when_its_terminal_closes_even_without_a_hang_up_signal() {
    // The TUI runs under a shell that ignores SIGHUP and waits for it: when the terminal
    // closes, nothing signals the TUI; it only finds its input at an end.
    let tmp = tempfile::tempdir().unwrap();
    let mut shell = CommandBuilder::new("sh");
    shell.args(["-c", "trap '' HUP; \"$0\"; exit $?", BIN]);
    let mut tui = tui_with_a_secret_on_show(tmp.path(), shell);
    tui.hang_up();
    let status = wait_exit(&mut tui, "the terminal closed under a shell");
    assert_eq!(
        status.exit_code(),
        128 + 1,
        "the TUI ended as a hang-up ends it: {status:?}"
    );
}

#[test]
fn a_termination_signal_restores_the_terminal_and_ends_the_process() {
    for (signal, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        // A secret on show: the signal must not wait for "saved it?".
        let mut tui = tui_with_a_secret_on_show(tmp.path(), CommandBuilder::new(BIN));
        let pid = tui.child.process_id().expect("the child has a pid");
        let pid = libc::pid_t::try_from(pid).unwrap();
        // SAFETY: sends a signal to the child this test started and still owns.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "{name}");
        let status = wait_exit(&mut tui, name);
        assert!(!status.success(), "{name}: ends by the signal, {status:?}");
        assert_terminal_restored(&tui, name);
    }
}

#[test]
fn ctrl_c_on_a_secret_says_that_it_quits_then_quits() {
    let tmp = tempfile::tempdir().unwrap();
    let mut tui = tui_with_a_secret_on_show(tmp.path(), CommandBuilder::new(BIN));
    tui.send("\x03");
    let screen = tui.wait_for("Quit apiauth?");
    assert!(screen.contains("enter/y quits"), "{screen}");
    assert!(!screen.contains("Saved it?"), "{screen}");
    tui.send("\r");
    let status = wait_exit(&mut tui, "Enter on \"Quit apiauth?\"");
    assert!(status.success(), "{status:?}");
    assert_terminal_restored(&tui, "Enter on \"Quit apiauth?\"");
}

#[test]
fn a_keystore_changed_in_place_under_the_tui_is_noticed_and_the_last_good_read_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let mut tui = tui_over_one_key(tmp, CommandBuilder::new(BIN));
    // One ciphertext byte changed in place: same file, same size, same header generation,
    // the modification time set back.
    let path = tmp.join("keys").join("keystore.enc");
    let len = std::fs::metadata(&path).unwrap().len();
    flip_in_place(&path, len - 1);
    let screen = tui.wait_for("changed and cannot be read");
    assert!(screen.contains("billing-api"), "{screen}");
    tui.send("q");
    assert!(wait_exit(&mut tui, "q").success());
}

#[test]
fn a_bad_key_binding_stops_start_up_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    std::fs::write(tmp.join("config.toml"), "[keys]\ndwn = \"j\"\n").unwrap();
    let mut tui = Tui::start(tmp);
    let screen = tui.wait_for("unknown action 'dwn'");
    assert!(screen.contains("config.toml [keys]"), "{screen}");
    let status = tui.child.wait().unwrap();
    assert_eq!(status.exit_code(), 2, "a usage error");
    let s = tui.screen.lock().unwrap();
    assert!(!s.0.screen().alternate_screen(), "the TUI never opened");
}
