//! Files that are not what they should be: a symbolic link, a FIFO, a device or a directory in
//! place of any file apiauth opens in the key directory (and `config.toml`), and files far too
//! large (`/dev/zero`, sparse 2 GB files). Nothing hangs, nothing is written through a link,
//! memory stays small, and the error names the file and what it is.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Out, Sandbox};

/// Every command here must finish well within this, FIFO or not.
const LIMIT: Duration = Duration::from_secs(20);
/// An address-space cap far below the 2 GB files used here.
const MEMORY: u64 = 1 << 30;

/// Every file apiauth opens in the key directory, and `config.toml` kept there.
const FILES: [&str; 10] = [
    "master.key",
    "keystore.enc",
    "keystore.enc.bak",
    "keystore.lock",
    "events.log",
    "events.head",
    "events.lock",
    "events.pending",
    "events.lastused",
    "config.toml",
];

/// A store with two keys (so the backup exists), a verify (so `events.lastused` exists) and a
/// valid key to verify.
fn store() -> (Sandbox, String) {
    let sb = Sandbox::new();
    let key = sb.api_key("one", "svc", &[]);
    sb.api_key("two", "svc", &[]);
    assert_eq!(sb.verdict(&key.value), "valid");
    for name in FILES {
        if name != "events.pending" && name != "config.toml" {
            assert!(sb.file(name).exists(), "{name} exists");
        }
    }
    (sb, key.value)
}

/// Runs `args` with the key directory's own `config.toml` in effect (no `APIAUTH_CONFIG`),
/// under the time and memory limits.
fn run(sb: &Sandbox, args: &[&str], stdin: Option<&str>) -> Out {
    let mut call = sb
        .cmd(args)
        .env_remove("APIAUTH_CONFIG")
        .memory_limit(MEMORY);
    if let Some(input) = stdin {
        call = call.stdin(format!("{input}\n"));
    }
    call.run_within(LIMIT)
}

/// The commands each case runs: between them they open every file.
fn every_command(sb: &Sandbox, value: &str) -> Vec<(String, Out)> {
    let commands: [&[&str]; 5] = [
        &["list"],
        &["verify", "-j"],
        &["generate", "api-key", "-n", "new", "-s", "svc"],
        &["log"],
        &["audit"],
    ];
    commands
        .iter()
        .map(|args| {
            let stdin = (args[0] == "verify").then_some(value);
            (args.join(" "), run(sb, args, stdin))
        })
        .collect()
}

/// The command that must refuse a bad `name`, its exit code, and whether it refuses at all
/// (files apiauth replaces by rename, or rebuilds, are put right instead).
fn refused_by(name: &str) -> Option<(&'static str, i32)> {
    match name {
        "master.key" | "keystore.enc" => Some(("list", 3)),
        "config.toml" => Some(("list", 2)),
        "keystore.lock" | "events.lock" | "events.log" | "events.head" | "events.pending" => {
            Some(("generate api-key -n new -s svc", 3))
        }
        _ => None,
    }
}

fn assert_refused(name: &str, outs: &[(String, Out)], what: &str) {
    for (args, out) in outs {
        assert!(
            [0, 1, 2, 3].contains(&out.code),
            "{name} as {what}: `{args}` exited {}: {}",
            out.code,
            out.stderr
        );
    }
    let Some((command, code)) = refused_by(name) else {
        return;
    };
    let (_, out) = outs
        .iter()
        .find(|(args, _)| args == command)
        .expect("the refusing command ran");
    assert_eq!(
        out.code, code,
        "{name} as {what}: `{command}`\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(name) && out.stderr.contains(what),
        "{name} as {what}: `{command}` names the file and what it is:\n{}",
        out.stderr
    );
}

/// Moves `name` out of the key directory (or makes a stand-in for a file that may be absent)
/// and returns where it now is, with its bytes.
fn move_out(sb: &Sandbox, name: &str) -> (PathBuf, Vec<u8>) {
    let target = sb.root().join(format!("real-{name}"));
    let path = sb.file(name);
    if path.exists() {
        std::fs::rename(&path, &target).expect("move the file out");
    } else {
        let stand_in: &[u8] = match name {
            "config.toml" => b"theme = \"mono\"\n",
            _ => b"1700000000000000\tann\thost\ta note\n",
        };
        std::fs::write(&target, stand_in).expect("stand-in");
    }
    let bytes = std::fs::read(&target).expect("read the target");
    (target, bytes)
}

#[test]
fn a_symbolic_link_at_any_file_is_refused_and_nothing_is_written_through_it() {
    for name in FILES {
        let (sb, value) = store();
        let (target, bytes) = move_out(&sb, name);
        std::os::unix::fs::symlink(&target, sb.file(name)).expect("symlink");

        let outs = every_command(&sb, &value);
        assert_refused(name, &outs, "a symbolic link");
        assert!(
            std::fs::read(&target).expect("target") == bytes,
            "{name}: the file the link points at was written through it"
        );
        if refused_by(name).is_none() {
            let meta = std::fs::symlink_metadata(sb.file(name)).expect("stat");
            assert!(
                meta.is_file(),
                "{name}: the link was replaced by a file of apiauth's own"
            );
        }
    }
}

#[test]
fn verify_never_writes_a_last_used_slot_through_a_link() {
    let (sb, value) = store();
    // Another file of the user's, which a planted link would have verify overwrite.
    let victim = sb.root().join("victim");
    std::fs::write(&victim, vec![b'A'; 4096]).expect("victim");
    std::fs::remove_file(sb.file("events.lastused")).expect("remove");
    std::os::unix::fs::symlink(&victim, sb.file("events.lastused")).expect("symlink");
    for _ in 0..3 {
        let out = run(&sb, &["verify", "-j"], Some(&value));
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    assert_eq!(
        std::fs::read(&victim).expect("victim"),
        vec![b'A'; 4096],
        "verify wrote through the link"
    );
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_at_any_file_never_hangs_a_command() {
    for name in FILES {
        let (sb, value) = store();
        let _ = std::fs::remove_file(sb.file(name));
        mkfifo(&sb.file(name));
        let outs = every_command(&sb, &value);
        assert_refused(name, &outs, "a FIFO");
    }
}

#[test]
fn a_config_outside_the_key_directory_must_be_a_regular_file_too() {
    let (sb, _) = store();
    let fifo = sb.root().join("config.fifo");
    mkfifo(&fifo);
    for (config, what) in [
        (Path::new("/dev/zero"), "a character device"),
        (fifo.as_path(), "a FIFO"),
        (sb.root(), "a directory"),
    ] {
        let out = sb
            .cmd(["list"])
            .env("APIAUTH_CONFIG", config)
            .memory_limit(MEMORY)
            .run_within(LIMIT)
            .fails(2, &[what, "not a regular file"]);
        assert!(out.stdout.is_empty());
    }
    // A link outside the key directory is followed, to a regular file.
    let real = sb.root().join("real.toml");
    std::fs::write(&real, "theme = \"mono\"\n").expect("config");
    let link = sb.root().join("linked.toml");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    sb.cmd(["list"]).env("APIAUTH_CONFIG", &link).run().ok();
}

/// A sparse file of 2 GiB: costs no disk, and would cost 2 GiB of memory to read whole.
fn sparse(path: &Path, head: &[u8]) {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .expect("create");
    std::io::Write::write_all(&mut &file, head).expect("write the start");
    file.set_len(2 << 30).expect("make it 2 GiB");
}

#[test]
fn a_huge_config_is_refused_without_reading_it() {
    let (sb, _) = store();
    let config = sb.root().join("huge.toml");
    sparse(&config, b"theme = \"mono\"\n");
    sb.cmd(["list"])
        .env("APIAUTH_CONFIG", &config)
        .memory_limit(MEMORY)
        .run_within(LIMIT)
        .fails(2, &["huge.toml", "2147483648 bytes"]);
}

#[test]
fn a_sparse_last_used_file_is_rebuilt_without_being_read() {
    let sb = Sandbox::new();
    let value = sb.api_key("one", "svc", &[]).value;
    let other = sb.api_key("two", "svc", &[]).value;
    // Every key used, so that every slot authenticates.
    for key in [&value, &other] {
        assert_eq!(sb.verdict(key), "valid");
    }
    let path = sb.file("events.lastused");
    let start = std::fs::read(&path).expect("read");
    assert_eq!(start.len(), 16 + 2 * 24, "a header and two slots");
    // The valid slots stay at the start; the file just becomes 2 GiB long. Once without a
    // memory cap (it must be repaired, not kept), once with one (it must not be read whole).
    for cap in [None, Some(MEMORY)] {
        sparse(&path, &start);
        let mut call = sb.cmd(["list", "-j"]);
        if let Some(bytes) = cap {
            call = call.memory_limit(bytes);
        }
        let listed = call.run_within(LIMIT).ok().json();
        assert_eq!(listed.as_array().expect("array").len(), 2);
        assert!(listed[0]["last_used_at"].is_string(), "{listed}");
        assert!(listed[1]["last_used_at"].is_string(), "{listed}");
        let len = std::fs::metadata(&path).expect("stat").len();
        assert!(len < 4096, "events.lastused was rebuilt: {len} bytes");
        assert_eq!(run(&sb, &["verify", "-j"], Some(&value)).code, 0);
    }
}

#[test]
fn a_sparse_keystore_is_refused_without_being_read() {
    let (sb, value) = store();
    let path = sb.file("keystore.enc");
    let start = std::fs::read(&path).expect("read");
    sparse(&path, &start);
    for args in [&["list"][..], &["verify", "-j"]] {
        let out = run(&sb, args, Some(&value));
        assert_eq!(out.code, 3, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("keystore.enc") && out.stderr.contains("unexpected bytes"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_master_key_that_is_a_directory_or_a_link_to_a_device_says_so() {
    let (sb, _) = store();
    std::fs::rename(sb.file("master.key"), sb.root().join("master.key")).expect("move");
    std::fs::create_dir(sb.file("master.key")).expect("mkdir");
    let out = run(&sb, &["list"], None).fails(3, &["master.key", "is a directory"]);
    assert!(!out.stderr.contains("bytes"), "{}", out.stderr);
    std::fs::remove_dir(sb.file("master.key")).expect("rmdir");

    std::os::unix::fs::symlink("/dev/null", sb.file("master.key")).expect("symlink");
    let out = run(&sb, &["list"], None).fails(3, &["master.key", "a symbolic link"]);
    assert!(
        !out.stderr.contains("chmod") && !out.stderr.contains("/dev/null"),
        "the hint fits: {}",
        out.stderr
    );
}
