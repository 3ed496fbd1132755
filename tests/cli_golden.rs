//! Golden files for the CLI's output: every command's success output (human, and JSON with `-j`)
//! and its main errors, with the shapes of DESIGN.md §4 pinned line by line (words, field order,
//! symbols ✓ ⚠ ✗ ⊘, column alignment, which stream, exit code), run against the real binary
//! with `trycmd`.
//!
//! # Where the cases are
//!
//! - `tests/cmd/<command>/<case>.toml`: one command (`args`, optional `stdin`), its expected
//!   `stdout` and `stderr`, each checked on its own, and its exit `status` (success when absent).
//!   It runs in an empty sandbox directory of its own (`fs.sandbox = true`; an `<case>.in/`
//!   directory, when there is one, is copied in first, e.g. a `.env` file to import).
//! - `tests/cmd/<command>/<case>.md`: a console transcript of several commands sharing one
//!   keystore, as a reviewer would type them (` ```console ` blocks, `$ ` lines, `? N` for a
//!   non-zero exit). stderr is merged into stdout, in the order written, as on a terminal. The
//!   empty `<case>.out/` directory beside it is what makes trycmd run it in a sandbox.
//! - `tests/cmd/prepared/<setup>/<case>.toml`: one command against a key directory that
//!   [`prepare`] below built for it, for states no command can produce: a held lock, a wrong,
//!   missing or readable master key, a damaged event log, an older keystore put back. Each case
//!   gets a fresh directory.
//!
//! # What every case runs with
//!
//! The key directory is `keys` inside the sandbox (`APIAUTH_HOME=keys`; a prepared one is
//! absolute and shown as `[KEYS]`), the master key is [`MASTER_KEY`] from
//! `APIAUTH_MASTER_KEY` (no `master.key` is written), `config.toml` in the sandbox is the config
//! (absent unless a case ships one), `USER=ci`, `NO_COLOR=1` and stdout is a pipe, so no colour.
//! A setting made here cannot be changed by a case (trycmd's rule), which is why the master-key
//! errors are prepared cases.
//!
//! # What varies from run to run, and how it is matched
//!
//! Ids (`k_` + 12 hex), generated values, their hints and hashes, and times vary per run: the
//! goldens match them with `[..]` (any text within one line) and `...` (any lines, alone on a
//! line). Everything else is literal, so the wildcards stay narrow: `k_[..]`, `ak_[..]`,
//! `[..] (in 90d)` for an expiry made with `-e 90`. Imported values are fixed, so their hashes
//! and hints are pinned too. Past and far-future dates (`2001-01-01`, `2099-12-31`) are fixed;
//! only their distance from today (`(26y ago)`) is `[..]`. The machine's name appears in the
//! event log's WHO column, replaced by `[WHO]` (`ci@<host>`); a prepared case's id is `[ID]`.
//! An id is 14 characters wide where a golden shows `k_[..]` (6), so a table row reads 8
//! columns short of its header; the padding after it is literal all the same. trycmd shows a
//! backslash in output as `/`.
//!
//! # Updating and reviewing
//!
//! After a deliberate change of output, rewrite the goldens from the real output:
//!
//! ```console
//! $ TRYCMD=overwrite cargo test --test cli_golden
//! $ git diff tests/cmd
//! ```
//!
//! The overwrite keeps `[..]` and `...` on lines that still match and writes any other changed
//! line literally, so check the diff for values that vary per run (an id, a time) and put the
//! wildcard back, then run the test twice. One case or one command only:
//! `cargo test --test cli_golden -- cli_golden trycmd=rotate` (`cli_golden_prepared` for the
//! prepared ones). `TRYCMD=dump` writes what each case printed to `dump/` without touching the
//! goldens.

mod common;

use std::fs::{self, File};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use common::{BIN, Sandbox};

/// The master key of every case (base64 of the bytes 0 to 31).
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A key that does not open a keystore made with [`MASTER_KEY`] (32 bytes of 0xff).
const OTHER_MASTER_KEY: &str = "//////////////////////////////////////////8=";

/// The directory of the golden files.
fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd")
}

/// A trycmd run with the environment every case shares.
fn suite(who: &str) -> trycmd::TestCases {
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("apiauth", Path::new(BIN))
        .env("NO_COLOR", "1")
        .env("USER", "ci")
        .env("LOGNAME", "ci")
        .env("COLUMNS", "100")
        .env("APIAUTH_CONFIG", "config.toml");
    cases
        .insert_var("[WHO]", who.to_owned())
        .expect("a valid placeholder");
    cases
}

#[test]
fn cli_golden() {
    let who = who();
    for dir in subdirs(&cases_dir()) {
        if dir.file_name().is_some_and(|name| name == "prepared") {
            continue;
        }
        for case in files(&dir) {
            assert_sandboxed(&case);
        }
    }
    let cases = suite(&who);
    cases
        .env("APIAUTH_HOME", "keys")
        .env("APIAUTH_MASTER_KEY", MASTER_KEY)
        .env("APIAUTH_LOCK_TIMEOUT", "5")
        .case("tests/cmd/*/*.toml")
        .case("tests/cmd/*/*.md");
    cases.run();
}

#[test]
fn cli_golden_prepared() {
    let who = who();
    let mut failed = Vec::new();
    for setup_dir in subdirs(&cases_dir().join("prepared")) {
        let setup = setup_dir
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a setup directory name in UTF-8")
            .to_owned();
        for case in files(&setup_dir) {
            assert_sandboxed(&case);
            // A fresh directory per case: a case may change what it was given.
            let prepared = prepare(&setup);
            let cases = suite(&who);
            cases
                .env(
                    "APIAUTH_HOME",
                    prepared.sb.dir.to_str().expect("a UTF-8 temp path"),
                )
                .env("APIAUTH_LOCK_TIMEOUT", prepared.lock_timeout);
            if let Some(key) = prepared.master_key {
                cases.env("APIAUTH_MASTER_KEY", key);
            }
            cases
                .insert_var("[KEYS]", prepared.sb.dir.display().to_string())
                .expect("a valid placeholder");
            cases
                .insert_var("[ID]", prepared.id.clone())
                .expect("a valid placeholder");
            cases.case(&case);
            // trycmd reports a failed case by panicking; run the others before failing.
            if catch_unwind(AssertUnwindSafe(|| cases.run())).is_err() {
                failed.push(case.display().to_string());
            }
            drop(prepared);
        }
    }
    assert!(failed.is_empty(), "failed: {}", failed.join(", "));
}

/// A case that ran outside a sandbox would create `keys/` in the checkout.
fn assert_sandboxed(case: &Path) {
    match case.extension().and_then(|e| e.to_str()) {
        Some("toml") => {
            let text = fs::read_to_string(case).expect("read the case");
            assert!(
                text.contains("sandbox = true"),
                "{} must run in a sandbox: add `fs.sandbox = true`",
                case.display()
            );
        }
        Some("md") => assert!(
            case.with_extension("out").is_dir(),
            "{} must run in a sandbox: add an empty {} directory (with a .keep file)",
            case.display(),
            case.with_extension("out").display()
        ),
        _ => {}
    }
}

/// The directories in `dir`, sorted.
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The case files (`.toml`, `.md`) in `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext == "toml" || ext == "md")
        })
        .collect();
    files.sort();
    files
}

/// `user@host` as apiauth records it on this machine (the log's WHO column), read from the
/// log of a throwaway keystore.
fn who() -> String {
    let sb = Sandbox::new();
    let setup = Setup {
        sb: &sb,
        master_key: Some(MASTER_KEY),
    };
    setup.run(&[
        "import",
        "who_probe_value_0001",
        "-n",
        "probe",
        "-s",
        "probe",
    ]);
    let log = setup.run(&["log", "--limit", "1"]);
    let row = log.lines().nth(1).expect("a record after the header");
    row.split_whitespace()
        .nth(5)
        .expect("the WHO column")
        .to_owned()
}

/// A key directory built for a prepared case, and how the case is to run against it.
struct Prepared {
    /// The temp directory holding the key directory (`sb.dir`, `APIAUTH_HOME` of the case).
    sb: Sandbox,
    /// `APIAUTH_MASTER_KEY` for the case, if any.
    master_key: Option<&'static str>,
    /// `APIAUTH_LOCK_TIMEOUT` for the case.
    lock_timeout: &'static str,
    /// The id of the key the setup made, shown as `[ID]`.
    id: String,
    /// A lock held on the writers' lock file until the case has run.
    _lock: Option<File>,
}

/// Runs the binary against a key directory while a setup builds it, as the user `ci`.
struct Setup<'a> {
    sb: &'a Sandbox,
    master_key: Option<&'static str>,
}

impl Setup<'_> {
    /// `apiauth ARGS…`, which must succeed; returns its stdout.
    fn run(&self, args: &[&str]) -> String {
        let call = self.sb.cmd(args).env("USER", "ci").env("LOGNAME", "ci");
        let call = match self.master_key {
            Some(key) => call.env("APIAUTH_MASTER_KEY", key),
            None => call,
        };
        call.run().ok().stdout
    }

    /// `apiauth import VALUE -n Payments -s payments EXTRA…`; returns the new key's id.
    fn import(&self, value: &str, extra: &[&str]) -> String {
        let mut args = vec!["import", value, "-n", "Payments", "-s", "payments"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        out.lines()
            .find_map(|line| line.trim_start().strip_prefix("ID:"))
            .map(|id| id.trim().to_owned())
            .unwrap_or_else(|| panic!("no ID line in the import output:\n{out}"))
    }
}

/// Builds the key directory `setup` names (the directory under `tests/cmd/prepared/`).
fn prepare(setup: &str) -> Prepared {
    let sb = Sandbox::new();
    let keys = sb.dir.clone();
    let with_env_key = Setup {
        sb: &sb,
        master_key: Some(MASTER_KEY),
    };
    let with_key_file = Setup {
        sb: &sb,
        master_key: None,
    };
    const VALUE: &str = "sk_golden_prepared_0001";
    let mut master_key = Some(MASTER_KEY);
    let mut lock_timeout = "5";
    let mut lock = None;
    let id = match setup {
        // One key, expiring in 90 days.
        "one-key" => with_env_key.import(VALUE, &["--env", "prod", "-e", "90"]),
        // One key imported already expired.
        "expired-key" => with_env_key.import(VALUE, &["--expires-at", "2001-01-01"]),
        // One key; another process holds the writers' lock, and writers wait 1 s for it.
        "locked" => {
            let id = with_env_key.import(VALUE, &[]);
            let file = File::options()
                .read(true)
                .write(true)
                .open(keys.join("keystore.lock"))
                .expect("open keystore.lock");
            file.lock().expect("lock keystore.lock");
            lock = Some(file);
            lock_timeout = "1";
            id
        }
        // A keystore made under MASTER_KEY, opened with APIAUTH_MASTER_KEY set to another key.
        "wrong-master-key" => {
            master_key = Some(OTHER_MASTER_KEY);
            with_env_key.import(VALUE, &[])
        }
        // A keystore made with a master.key file that was then replaced by another key.
        "wrong-master-key-file" => {
            master_key = None;
            let id = with_key_file.import(VALUE, &[]);
            fs::write(keys.join("master.key"), [0xff; 32]).expect("replace master.key");
            id
        }
        // A keystore made under APIAUTH_MASTER_KEY, opened without it (and no master.key).
        "missing-master-key" => {
            master_key = None;
            with_env_key.import(VALUE, &[])
        }
        // A master.key that group and others can read.
        "readable-master-key" => {
            master_key = None;
            let id = with_key_file.import(VALUE, &[]);
            set_mode(&keys.join("master.key"), 0o644);
            id
        }
        // Records: 1 log_started, 2 import, 3 revoke; record 3 edited.
        "damaged-log" => {
            let id = with_env_key.import(VALUE, &[]);
            with_env_key.run(&["revoke", "k_", "--reason", "leaked"]);
            damage_record(&keys.join("events.log"), 3);
            id
        }
        // A key revoked, then the keystore of before the revoke put back (its backup).
        "rollback" => {
            let id = with_env_key.import(VALUE, &[]);
            with_env_key.run(&["revoke", "k_"]);
            fs::rename(keys.join("keystore.enc.bak"), keys.join("keystore.enc"))
                .expect("put the backup in place");
            id
        }
        other => panic!(
            "tests/cmd/prepared/{other}/ names no setup: add it to prepare() in tests/cli_golden.rs"
        ),
    };
    Prepared {
        sb,
        master_key,
        lock_timeout,
        id,
        _lock: lock,
    }
}

/// Changes one character in the sealed body of record `seq` of the event log (one record per
/// line: sequence number, sealed body, MAC), so that the record no longer decrypts.
fn damage_record(log: &Path, seq: usize) {
    let text = fs::read_to_string(log).expect("read events.log");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = &mut lines[seq - 1];
    let body_start = line.find(' ').expect("a sequence number") + 1;
    let at = body_start + 10;
    let replacement = if &line[at..=at] == "A" { "B" } else { "A" };
    line.replace_range(at..=at, replacement);
    let mut damaged = lines.join("\n");
    if text.ends_with('\n') {
        damaged.push('\n');
    }
    fs::write(log, damaged).expect("write events.log");
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}
