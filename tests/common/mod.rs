//! Shared helpers for the black-box tests: a throwaway key directory, a way to run the real
//! `apiauth` binary against it with a clean environment, and byte snapshots of the directory
//! for "nothing was written" checks.
//!
//! Every test file uses a different subset of these helpers, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_apiauth");

/// Environment variables of the user's shell that would change what apiauth does.
const SCRUBBED: &[&str] = &[
    "APIAUTH_MASTER_KEY",
    "APIAUTH_HOME",
    "APIAUTH_CONFIG",
    "APIAUTH_LOCK_TIMEOUT",
    "NO_COLOR",
];

/// A temp directory holding a key directory (`keys/`, created by apiauth on its first write)
/// and an `APIAUTH_CONFIG` path that does not exist, so no user config leaks in.
pub struct Sandbox {
    tmp: tempfile::TempDir,
    /// The key directory passed with `--key-dir`.
    pub dir: PathBuf,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A fresh sandbox; the key directory does not exist yet.
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("create a temp dir");
        let dir = tmp.path().join("keys");
        Sandbox { tmp, dir }
    }

    /// The temp directory around the key directory (for scratch files).
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the key directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The binary with a scrubbed environment and no `--key-dir`.
    pub fn bare(&self) -> Call {
        let mut cmd = Command::new(BIN);
        for var in SCRUBBED {
            cmd.env_remove(var);
        }
        cmd.env("APIAUTH_CONFIG", self.root().join("no-such-config.toml"))
            .env("HOME", self.root())
            .env("XDG_DATA_HOME", self.root().join("xdg-data"))
            .env("XDG_CONFIG_HOME", self.root().join("xdg-config"));
        Call {
            cmd,
            stdin: None,
            shown: Vec::new(),
        }
    }

    /// `apiauth --key-dir DIR ARGS…`.
    pub fn cmd<I, S>(&self, args: I) -> Call
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.bare().arg("--key-dir").arg(&self.dir).args(args)
    }

    /// Runs `apiauth --key-dir DIR ARGS…` and returns what happened.
    pub fn run(&self, args: &[&str]) -> Out {
        self.cmd(args).run()
    }

    /// Runs a command that must succeed and print JSON; returns the JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        self.cmd(args).run().ok().json()
    }

    /// `generate api-key -n NAME -s SERVICE EXTRA… -j`; returns the issued key.
    pub fn api_key(&self, name: &str, service: &str, extra: &[&str]) -> Issued {
        let mut args = vec!["generate", "api-key", "-n", name, "-s", service, "-j"];
        args.extend_from_slice(extra);
        let json = self.json(&args);
        Issued::from_json(json, "key")
    }

    /// `generate jwt -n NAME -s SERVICE EXTRA… -j`; returns the issued token.
    pub fn jwt(&self, name: &str, service: &str, extra: &[&str]) -> Issued {
        let mut args = vec!["generate", "jwt", "-n", name, "-s", service, "-j"];
        args.extend_from_slice(extra);
        let json = self.json(&args);
        Issued::from_json(json, "token")
    }

    /// `verify -j` with the value on stdin; returns the JSON and the exit code.
    pub fn verify(&self, value: &str, extra: &[&str]) -> (Value, i32) {
        let mut args = vec!["verify", "-j"];
        args.extend_from_slice(extra);
        let out = self.cmd(&args).stdin(format!("{value}\n")).run();
        let code = out.code;
        (out.json(), code)
    }

    /// The `status` field of `verify -j`.
    pub fn verdict(&self, value: &str) -> String {
        let (json, code) = self.verify(value, &[]);
        let status = json["status"]
            .as_str()
            .expect("status is a string")
            .to_owned();
        assert_eq!(
            code,
            if status == "valid" { 0 } else { 1 },
            "verify exit code for {status}"
        );
        status
    }

    /// Every file of the key directory with its bytes.
    pub fn snapshot(&self) -> Snapshot {
        snapshot(&self.dir)
    }

    /// The ids `list -j` shows, in order.
    pub fn ids(&self) -> Vec<String> {
        self.json(&["list", "-j"])
            .as_array()
            .expect("list -j is an array")
            .iter()
            .map(|e| e["id"].as_str().expect("id").to_owned())
            .collect()
    }
}

/// File name → bytes, for every file under a directory (recursively).
pub type Snapshot = BTreeMap<String, Vec<u8>>;

/// Reads every file under `dir` except the event log's (`events.*`), which records failed
/// attempts too and is covered by its own tests; an absent directory is an empty snapshot.
pub fn snapshot(dir: &Path) -> Snapshot {
    let mut all = snapshot_all(dir);
    all.retain(|name, _| !name.starts_with("events."));
    all
}

/// Reads every file under `dir`, the event log's included.
pub fn snapshot_all(dir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    fn walk(base: &Path, dir: &Path, out: &mut Snapshot) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("read a directory entry");
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let name = path
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, std::fs::read(&path).expect("read a file"));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// Asserts two snapshots are equal, naming the files that differ (never printing contents).
pub fn assert_unchanged(before: &Snapshot, after: &Snapshot, what: &str) {
    let names = |s: &Snapshot| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(before),
        names(after),
        "{what}: the set of files in the key directory changed"
    );
    for (name, bytes) in before {
        assert!(
            after[name] == *bytes,
            "{what}: {name} was modified ({} bytes before, {} after)",
            bytes.len(),
            after[name].len()
        );
    }
}

/// A resource limit for the child.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// `RLIMIT_AS`.
    AddressSpace,
    /// `RLIMIT_FSIZE`, with `SIGXFSZ` ignored or left to its default.
    FileSize { ignore_signal: bool },
}

/// Every command that opens the key directory, the keystore or the event log. The ids are
/// prefixes no key needs to match: these commands are to be refused before they look.
pub const OPENING_COMMANDS: &[&[&str]] = &[
    &["list"],
    &["show", "k_0"],
    &["verify", "-j"],
    &["generate", "api-key", "-n", "new", "-s", "svc"],
    &["generate", "jwt", "-n", "new", "-s", "svc"],
    &["import", "-n", "imported", "-s", "svc"],
    &["rotate", "k_0"],
    &["revoke", "k_0"],
    &["audit", "--exit-on-alert"],
    &["export"],
    &["stats"],
    &["log"],
    &["log", "--check"],
];

/// Runs each of `commands` (with `stdin`) and asserts that every one exits 3 with `words` on
/// stderr and nothing on stdout, and that no file of the key directory, the event log's
/// included, changed.
pub fn assert_all_refused(sb: &Sandbox, commands: &[&[&str]], stdin: &str, words: &[&str]) {
    let before = snapshot_all(&sb.dir);
    for args in commands {
        let out = sb
            .cmd(*args)
            .stdin(format!("{stdin}\n"))
            .run()
            .fails(3, words);
        assert!(
            out.stdout.is_empty(),
            "`{}` printed {}",
            out.args,
            out.stdout
        );
    }
    assert_unchanged(&before, &snapshot_all(&sb.dir), "refused commands");
}

/// A command being built.
pub struct Call {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    shown: Vec<String>,
}

impl Call {
    /// Adds an argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(arg.as_ref().to_string_lossy().into_owned());
        self.cmd.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    /// Sets an environment variable of the child.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.cmd.env_remove(key);
        self
    }

    /// Caps the child's address space (`ulimit -v`), so that an attempt to read a huge file
    /// into memory fails instead of succeeding slowly.
    pub fn memory_limit(self, bytes: u64) -> Self {
        self.limit(Limit::AddressSpace, bytes)
    }

    /// Limits the size of any file the child writes (`ulimit -f`) and leaves `SIGXFSZ` as the
    /// shell would: a process that does not handle it is killed by a write past the limit.
    pub fn file_size_limit_with_signal(self, bytes: u64) -> Self {
        self.limit(
            Limit::FileSize {
                ignore_signal: false,
            },
            bytes,
        )
    }

    /// Limits the size of any file the child writes (`ulimit -f`), with `SIGXFSZ` ignored so
    /// that a write past the limit fails with `EFBIG` instead of killing the process: a write
    /// error injected by the kernel, for machines where a full file system cannot be mounted.
    pub fn file_size_limit(self, bytes: u64) -> Self {
        self.limit(
            Limit::FileSize {
                ignore_signal: true,
            },
            bytes,
        )
    }

    fn limit(mut self, limit: Limit, bytes: u64) -> Self {
        use std::os::unix::process::CommandExt as _;
        // SAFETY: the closure runs in the child between fork and exec and calls only
        // async-signal-safe functions (signal, setrlimit).
        unsafe {
            self.cmd.pre_exec(move || {
                let resource = match limit {
                    Limit::AddressSpace => libc::RLIMIT_AS,
                    Limit::FileSize { ignore_signal } => {
                        let action = if ignore_signal {
                            libc::SIG_IGN
                        } else {
                            libc::SIG_DFL
                        };
                        if libc::signal(libc::SIGXFSZ, action) == libc::SIG_ERR {
                            return Err(std::io::Error::last_os_error());
                        }
                        libc::RLIMIT_FSIZE
                    }
                };
                let limit = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                if libc::setrlimit(resource, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        self
    }

    /// Feeds `input` on stdin (otherwise stdin is empty and not a terminal).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// Starts the child without waiting for it.
    pub fn spawn(mut self) -> std::process::Child {
        self.cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.cmd.spawn().expect("start apiauth")
    }

    /// Runs to completion, but kills the child and fails the test if it is still running
    /// after `limit`: a command that hangs (on a FIFO, say) fails its test instead of hanging
    /// the suite.
    pub fn run_within(mut self, limit: std::time::Duration) -> Out {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("start apiauth");
        let input = self.stdin.take();
        let mut pipe = child.stdin.take();
        let feeder = std::thread::spawn(move || {
            if let (Some(input), Some(pipe)) = (input, pipe.as_mut()) {
                let _ = pipe.write_all(&input);
            }
        });
        let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut text);
                }
                String::from_utf8(text).expect("output is UTF-8")
            })
        };
        let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("poll apiauth") {
                break status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`apiauth {}` was still running after {limit:?}: it hangs",
                    self.shown.join(" ")
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let _ = feeder.join();
        Out {
            code: status.code().expect("apiauth exited, not killed"),
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
            args: self.shown.join(" "),
        }
    }

    /// Runs to completion.
    pub fn run(mut self) -> Out {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("start apiauth");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // The child may exit before reading everything (a usage error); that is fine.
            let _ = pipe.write_all(&input);
        }
        let output = child.wait_with_output().expect("wait for apiauth");
        Out {
            code: output.status.code().expect("apiauth exited, not killed"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
            args: self.shown.join(" "),
        }
    }
}

/// What a finished run printed and returned.
#[derive(Debug, Clone)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The arguments, for failure messages.
    pub args: String,
}

impl Out {
    /// Asserts the exit code, showing the output when it is not the expected one.
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(
            self.code, expected,
            "`apiauth {}` exited {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts success.
    pub fn ok(self) -> Self {
        self.code(0)
    }

    /// Asserts the exit code and that stderr holds a message containing every one of `words`.
    pub fn fails(self, expected: i32, words: &[&str]) -> Self {
        let out = self.code(expected);
        assert!(
            out.stderr.starts_with("error:"),
            "`apiauth {}`: stderr should start with an error message, got:\n{}",
            out.args,
            out.stderr
        );
        for word in words {
            assert!(
                out.stderr.contains(word),
                "`apiauth {}`: stderr should mention {word:?}, got:\n{}",
                out.args,
                out.stderr
            );
        }
        out
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`apiauth {}` did not print JSON ({e}):\n{}",
                self.args, self.stdout
            )
        })
    }
}

/// A value issued by generate or rotate, with the id of its entry.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The entry id.
    pub id: String,
    /// The plaintext key or token.
    pub value: String,
    /// The whole JSON answer.
    pub json: Value,
}

impl Issued {
    /// Reads the id and the `key` / `token` field from generate or rotate JSON.
    pub fn from_json(json: Value, field: &str) -> Self {
        Issued {
            id: json["id"].as_str().expect("id").to_owned(),
            value: json[field]
                .as_str()
                .unwrap_or_else(|| panic!("JSON has a {field} field"))
                .to_owned(),
            json,
        }
    }
}

/// Whether `haystack` contains `needle` as bytes.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Unix permission bits of a path.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// A shell running with the same scrubbed environment as the binary, with `$APIAUTH` set to the
/// binary and `$DIR` to the key directory.
pub fn shell(sandbox: &Sandbox, script: &str) -> Out {
    let mut cmd = Command::new("sh");
    for var in SCRUBBED {
        cmd.env_remove(var);
    }
    cmd.arg("-c")
        .arg(script)
        .env("APIAUTH", BIN)
        .env("DIR", &sandbox.dir)
        .env("APIAUTH_CONFIG", sandbox.root().join("no-such-config.toml"))
        .stdin(Stdio::null());
    let output = cmd.output().expect("run sh");
    Out {
        code: output.status.code().expect("sh exited"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        args: format!("(sh -c) {script}"),
    }
}

/// Parses a time printed by apiauth (RFC 3339, UTC).
pub fn time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a time string, got {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// Asserts `at` lies `days` days after now, give or take a minute.
pub fn about_days_from_now(at: DateTime<Utc>, days: i64) {
    let expected = Utc::now() + chrono::Duration::days(days);
    assert!(
        (at - expected).num_seconds().abs() < 60,
        "expected about {expected}, got {at}"
    );
}

/// Whether a test that needs an outside tool (python-dotenv, nginx, a PostgreSQL server) may
/// run: `true` when `available`. Otherwise it prints one `skipped: …` line and returns `false`,
/// unless `APIAUTH_TEST_REQUIRE_ALL=1` is set (CI sets it), where a missing tool fails the test.
pub fn may_run(available: bool, what: &str) -> bool {
    if available {
        return true;
    }
    assert!(
        std::env::var_os("APIAUTH_TEST_REQUIRE_ALL").is_none_or(|v| v != "1"),
        "APIAUTH_TEST_REQUIRE_ALL=1 but {what}"
    );
    println!("skipped: {what}");
    false
}
