//! A hostile environment gets a clear error, the documented exit code, and an intact keystore:
//! a full disk, a read-only key directory, a key directory path that is a file, and a lock held
//! by a stopped process.
//!
//! The disk and read-only cases mount a small tmpfs where the tests may mount (root or
//! CAP_SYS_ADMIN). Elsewhere the full disk becomes a file-size limit on the child (`ulimit -f 0`,
//! a real `EFBIG` from the kernel) and the read-only directory a `chmod 500`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Sandbox, assert_unchanged};

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
    _holder: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let holder = tempfile::tempdir().expect("mount point");
        let path = holder.path().join("fs");
        std::fs::create_dir(&path).expect("mount point dir");
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("cannot mount a tmpfs here (not root?): using the unprivileged fallback");
            return None;
        }
        Some(Tmpfs {
            path,
            _holder: holder,
        })
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.path)
            .status()
            .expect("mount runs");
        assert!(status.success(), "remount read-only");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// A sandbox whose key directory is `dir` (on the mounted file system).
fn sandbox_in(dir: &Path) -> Sandbox {
    let mut sb = Sandbox::new();
    sb.dir = dir.to_owned();
    sb
}

fn fill(dir: &Path) -> PathBuf {
    let filler = dir.join("filler");
    let mut file = std::fs::File::create(&filler).expect("filler");
    let block = vec![0xA5u8; 4096];
    while std::io::Write::write_all(&mut file, &block).is_ok() {}
    let _ = file.sync_all();
    filler
}

/// The disk the full-disk test writes to.
enum NoSpace {
    /// A small tmpfs filled to its last block (unmounted when this is dropped).
    Filled { _fs: Tmpfs, filler: PathBuf },
    /// No mount allowed: the child runs under `ulimit -f 0`, so every write that grows a file
    /// fails with `EFBIG`, the same path through the code as `ENOSPC`.
    SizeLimit,
}

impl NoSpace {
    /// The command, run where its writes fail.
    fn apply(&self, call: common::Call) -> common::Call {
        match self {
            NoSpace::Filled { .. } => call,
            NoSpace::SizeLimit => call.file_size_limit(0),
        }
    }

    /// What the error must say: the cause, and what to do.
    fn says(&self, stderr: &str) -> bool {
        match self {
            NoSpace::Filled { .. } => {
                stderr.contains("No space left") && stderr.contains("disk is full")
            }
            NoSpace::SizeLimit => stderr.contains("File too large") && stderr.contains("ulimit -f"),
        }
    }

    /// Makes room again (the tmpfs stays mounted until `self` is dropped; commands run
    /// without [`NoSpace::apply`] have no size limit).
    fn make_room(&self) {
        if let NoSpace::Filled { filler, .. } = self {
            std::fs::remove_file(filler).expect("space freed");
        }
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let fs = Tmpfs::mount("512k");
    let sb = match &fs {
        Some(fs) => sandbox_in(&fs.path.join("keys")),
        None => Sandbox::new(),
    };
    let first = sb.api_key("first", "svc", &[]);
    sb.api_key("second", "svc", &[]);
    let disk = match fs {
        Some(fs) => {
            let filler = fill(&fs.path);
            NoSpace::Filled { _fs: fs, filler }
        }
        None => NoSpace::SizeLimit,
    };
    let before = sb.snapshot();

    for args in [
        vec!["generate", "api-key", "-n", "third", "-s", "svc"],
        vec!["rotate", first.id.as_str()],
        vec!["revoke", first.id.as_str()],
    ] {
        let out = disk.apply(sb.cmd(&args)).run();
        assert_eq!(out.code, 3, "{args:?} on a full disk: {}", out.stderr);
        assert!(
            disk.says(&out.stderr),
            "{args:?} says what happened and what to do: {}",
            out.stderr
        );
        assert_unchanged(&before, &sb.snapshot(), "full disk");
    }
    // Reads still work, and verify still answers (its record may or may not fit).
    assert_eq!(sb.ids().len(), 2);
    let out = disk
        .apply(sb.cmd(["verify", "-j"]))
        .stdin(first.value.as_str())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["status"], "valid");

    disk.make_room();
    let out = sb
        .cmd(["generate", "api-key", "-n", "third", "-s", "svc"])
        .run();
    assert_eq!(
        out.code, 0,
        "writes work again once there is room: {}",
        out.stderr
    );
    assert_eq!(sb.ids().len(), 3);
    let check = sb.cmd(["log", "--check"]).run();
    assert_eq!(check.code, 0, "{}", check.stdout);
}

/// How the key directory was made read-only: a read-only remount where mounting is allowed,
/// otherwise `chmod 500` (which binds every user but root).
enum ReadOnly {
    Remounted,
    Chmod,
}

#[test]
fn a_read_only_key_directory_refuses_writes_and_still_reads() {
    let fs = Tmpfs::mount("1m");
    let sb = match &fs {
        Some(fs) => sandbox_in(&fs.path.join("keys")),
        None => Sandbox::new(),
    };
    let key = sb.api_key("kept", "svc", &[]);
    let before = sb.snapshot();
    let how = match &fs {
        Some(fs) => {
            fs.remount_read_only();
            ReadOnly::Remounted
        }
        None => {
            use std::os::unix::fs::PermissionsExt as _;
            let set = |mode| {
                std::fs::set_permissions(&sb.dir, std::fs::Permissions::from_mode(mode))
                    .expect("chmod the key directory");
            };
            set(0o500);
            if std::fs::File::create(sb.file("probe")).is_ok() {
                // Root without CAP_SYS_ADMIN: permissions do not bind and nothing can mount.
                let _ = std::fs::remove_file(sb.file("probe"));
                set(0o700);
                eprintln!(
                    "cannot make a read-only directory here (root without mount): not checked"
                );
                return;
            }
            ReadOnly::Chmod
        }
    };

    let out = sb
        .cmd(["generate", "api-key", "-n", "new", "-s", "svc"])
        .run();
    assert_eq!(out.code, 3, "{}", out.stderr);
    let says = match how {
        ReadOnly::Remounted => {
            out.stderr.contains("Read-only file system") && out.stderr.contains("read-only")
        }
        ReadOnly::Chmod => {
            out.stderr.contains("Permission denied")
                && out.stderr.contains("check the permissions of")
        }
    };
    assert!(says, "names the cause and the fix: {}", out.stderr);
    assert_unchanged(&before, &sb.snapshot(), "read-only");
    assert_eq!(sb.ids(), vec![key.id.clone()]);
    assert_eq!(sb.verdict(&key.value), "valid");
    if let ReadOnly::Chmod = how {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&sb.dir, std::fs::Permissions::from_mode(0o700))
            .expect("chmod back so the temp dir can be removed");
    }
}

#[test]
fn a_key_directory_that_is_a_file_is_a_clear_error() {
    let sb = Sandbox::new();
    let file = sb.root().join("not-a-dir");
    std::fs::write(&file, b"just a file").expect("file");
    let sb = sandbox_in(&file);
    for args in [
        vec!["list"],
        vec!["generate", "api-key", "-n", "x", "-s", "y"],
        vec!["verify", "ak_anything"],
    ] {
        let out = sb.cmd(&args).run();
        assert_eq!(out.code, 3, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("is not a directory"), "{}", out.stderr);
        assert!(
            out.stderr.contains("--key-dir"),
            "says what to do: {}",
            out.stderr
        );
    }
    assert_eq!(std::fs::read(&file).expect("still a file"), b"just a file");
}

/// `flock` holding `lock` while it runs `sleep`, stopped with SIGSTOP once it has the lock;
/// resumed and killed when dropped.
struct StoppedHolder(std::process::Child);

impl StoppedHolder {
    fn hold(lock: &Path) -> StoppedHolder {
        let holder = Command::new("flock")
            .arg("-o")
            .arg(lock)
            .args(["sleep", "60"])
            .spawn()
            .expect("flock (util-linux) is installed");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let probe = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(lock)
                .expect("lock file");
            match fs4::FileExt::try_lock(&probe) {
                Err(fs4::TryLockError::WouldBlock) => break,
                _ => {
                    assert!(std::time::Instant::now() < deadline, "flock took the lock");
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        }
        let holder = StoppedHolder(holder);
        holder.signal("-STOP");
        holder
    }

    fn signal(&self, signal: &str) {
        Command::new("kill")
            .args([signal, &self.0.id().to_string()])
            .status()
            .expect("kill runs");
    }
}

impl Drop for StoppedHolder {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_lock_held_by_a_stopped_process_times_out_clearly() {
    let sb = Sandbox::new();
    let key = sb.api_key("kept", "svc", &[]);
    let before = sb.snapshot();
    for (lock, guards) in [
        ("keystore.lock", "the keystore is locked"),
        ("events.lock", "the event log is locked"),
    ] {
        let holder = StoppedHolder::hold(&sb.file(lock));
        let out = sb
            .cmd(["generate", "api-key", "-n", "blocked", "-s", "svc"])
            .env("APIAUTH_LOCK_TIMEOUT", "0.5")
            .run();
        drop(holder);
        assert_eq!(out.code, 3, "{}", out.stderr);
        assert!(
            out.stderr.contains(guards)
                && out.stderr.contains(lock)
                && out.stderr.contains("held for more than 0.5s")
                && out.stderr.contains("APIAUTH_LOCK_TIMEOUT"),
            "{}",
            out.stderr
        );
        assert_unchanged(&before, &sb.snapshot(), "locked");
    }
    assert_eq!(sb.verdict(&key.value), "valid", "readers are not blocked");
    let again = sb
        .cmd(["generate", "api-key", "-n", "after", "-s", "svc"])
        .run();
    assert_eq!(
        again.code, 0,
        "the lock is free once its holder is gone: {}",
        again.stderr
    );
}

#[test]
fn a_record_cut_short_by_a_full_disk_is_taken_back() {
    let sb = Sandbox::new();
    sb.api_key("first", "svc", &[]);
    let log = sb.file("events.log");
    let size = || std::fs::metadata(&log).expect("events.log").len();
    let before = size();
    // Room for a third of a record: the append stops mid-line.
    let out = sb
        .cmd(["generate", "api-key", "-n", "second", "-s", "svc"])
        .file_size_limit(before + 100)
        .run();
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(size(), before, "the partial record is cut back off");
    assert_eq!(sb.ids().len(), 1);

    // Once there is room, the next change appends to an intact chain.
    let out = sb
        .cmd(["generate", "api-key", "-n", "second", "-s", "svc"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let check = sb.cmd(["log", "--check"]).run();
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn a_file_size_limit_is_an_error_and_leaves_no_record_of_the_change() {
    let sb = Sandbox::new();
    // A token with large claims makes the keystore much larger than one more record.
    let big = "x".repeat(1000);
    let claims: Vec<String> = (0..4).map(|n| format!("c{n}={big}")).collect();
    let mut args = vec!["generate", "jwt", "-n", "big", "-s", "svc", "-j"];
    for claim in &claims {
        args.extend(["-c", claim.as_str()]);
    }
    sb.json(&args);
    let log = |sb: &Sandbox| std::fs::read(sb.file("events.log")).expect("events.log");
    let log_before = log(&sb);
    let keystore = std::fs::metadata(sb.file("keystore.enc"))
        .expect("stat")
        .len();
    let limit = log_before.len() as u64 + 2000;
    assert!(
        keystore > limit,
        "the keystore ({keystore} bytes) cannot be written"
    );
    let before = sb.snapshot();

    // As a shell's `ulimit -f` leaves it: SIGXFSZ not ignored.
    let out = sb
        .cmd(["generate", "api-key", "-n", "second", "-s", "svc"])
        .file_size_limit_with_signal(limit)
        .run();
    assert_eq!(out.code, 3, "an error, not a kill: {}", out.stderr);
    assert!(
        out.stderr.contains("File too large") && out.stderr.contains("ulimit -f"),
        "{}",
        out.stderr
    );
    assert_unchanged(&before, &sb.snapshot(), "a write past the size limit");
    assert_eq!(
        log(&sb),
        log_before,
        "the record of the change that did not happen was taken back"
    );
    let check = sb.cmd(["log", "--check"]).run();
    assert_eq!(check.code, 0, "{}", check.stdout);
    sb.cmd(["generate", "api-key", "-n", "second", "-s", "svc"])
        .run()
        .ok();
    assert_eq!(sb.ids().len(), 2);
}
