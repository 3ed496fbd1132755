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
//!
//! # What every case runs with
//!
//! The key directory is `keys` inside the sandbox (`APIAUTH_HOME=keys`), the master key is
//! [`MASTER_KEY`] from `APIAUTH_MASTER_KEY` (no `master.key` is written), `config.toml` in the
//! sandbox is the config (absent unless a case ships one), `USER=ci`, `NO_COLOR=1` and stdout
//! is a pipe, so no colour.
//! A setting made here cannot be changed by a case (trycmd's rule).
//!
//! # What varies from run to run, and how it is matched
//!
//! Ids (`k_` + 12 hex), generated values, their hints and hashes, and times vary per run: the
//! goldens match them with `[..]` (any text within one line) and `...` (any lines, alone on a
//! line). Everything else is literal, so the wildcards stay narrow: `k_[..]`, `ak_[..]`,
//! `[..] (in 90d)` for an expiry made with `-e 90`. Imported values are fixed, so their hashes
//! and hints are pinned too. Past and far-future dates (`2001-01-01`, `2099-12-31`) are fixed;
//! only their distance from today (`(26y ago)`) is `[..]`. The machine's name appears in the
//! event log's WHO column, replaced by `[WHO]` (`ci@<host>`).
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
//! `cargo test --test cli_golden -- cli_golden trycmd=rotate`. `TRYCMD=dump` writes what each
//! case printed to `dump/` without touching the goldens.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{BIN, Sandbox};

/// The master key of every case (base64 of the bytes 0 to 31).
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

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
}
