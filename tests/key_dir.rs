//! The key directory must be the owner's alone and apiauth's: one writable by group or others,
//! one owned by another user, one holding a Python APIAuth store, and a path that is a file are
//! each refused by every command (exit 3), with the fix, and nothing is written.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use common::{OPENING_COMMANDS, Sandbox, assert_all_refused, snapshot_all};

/// A value to verify or import; never stored.
const VALUE: &str = "ak_dGhpcyB2YWx1ZSBpcyBuZXZlciBzdG9yZWQgYW55d2hlcmU";

/// Every command exits 3 naming `words`, and the directory (event log included) is unchanged.
fn all_refused(sb: &Sandbox, words: &[&str]) {
    assert_all_refused(sb, OPENING_COMMANDS, VALUE, words);
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_key_directory_others_can_write_is_refused() {
    let sb = Sandbox::new();
    let key = sb.api_key("kept", "svc", &[]);
    let dir = sb.dir.display().to_string();
    for mode in [0o777, 0o770, 0o1777] {
        chmod(&sb.dir, mode);
        all_refused(
            &sb,
            &[&dir, "writable by other users", &format!("chmod 700 {dir}")],
        );
    }
    chmod(&sb.dir, 0o750);
    assert_eq!(
        sb.verdict(&key.value),
        "valid",
        "readable by the group is fine"
    );
    chmod(&sb.dir, 0o700);
    assert_eq!(sb.verdict(&key.value), "valid");
}

#[test]
fn a_key_directory_owned_by_another_user_is_refused() {
    let root = euid() == 0;
    let sb = Sandbox::new();
    if root {
        // Root can give the directory away; apiauth, run as root, must still refuse it.
        sb.api_key("theirs", "svc", &[]);
        const NOBODY: u32 = 65534;
        for entry in std::fs::read_dir(&sb.dir).expect("read dir").flatten() {
            std::os::unix::fs::chown(entry.path(), Some(NOBODY), Some(NOBODY)).expect("chown");
        }
        std::os::unix::fs::chown(&sb.dir, Some(NOBODY), Some(NOBODY)).expect("chown");
        all_refused(&sb, &["belongs to another user", "uid 65534", "chown"]);
        return;
    }
    // Without root nothing can be given away; a directory root owns stands in for it.
    let theirs = Path::new("/");
    let meta = std::fs::metadata(theirs).expect("stat /");
    if std::os::unix::fs::MetadataExt::uid(&meta) == euid() {
        println!("skipped: no directory owned by another user to test with");
        return;
    }
    let mut other = Sandbox::new();
    other.dir = theirs.to_owned();
    for args in OPENING_COMMANDS {
        other
            .cmd(*args)
            .stdin(format!("{VALUE}\n"))
            .run()
            .fails(3, &["belongs to another user", "chown"]);
    }
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[test]
fn a_python_apiauth_directory_is_refused_and_left_untouched() {
    let sb = Sandbox::new();
    std::fs::create_dir(&sb.dir).expect("mkdir");
    chmod(&sb.dir, 0o700);
    std::fs::write(sb.file("master.key"), [7u8; 32]).expect("master.key");
    chmod(&sb.file("master.key"), 0o600);
    std::fs::write(sb.file("keys.json"), [1u8; 60]).expect("keys.json");
    let dir = sb.dir.display().to_string();
    all_refused(
        &sb,
        &["Python APIAuth", &format!("apiauth migrate --from {dir}")],
    );
    let names: Vec<String> = snapshot_all(&sb.dir).into_keys().collect();
    assert_eq!(names, ["keys.json", "master.key"], "nothing was added");
}

#[test]
fn a_key_directory_path_that_is_a_file_is_named_as_such_before_any_config() {
    let mut sb = Sandbox::new();
    let file = sb.root().join("not-a-dir");
    std::fs::write(&file, b"a file").expect("write");
    sb.dir = file.clone();
    for args in [
        &["list"][..],
        &["generate", "api-key", "-n", "x", "-s", "y"],
    ] {
        // No APIAUTH_CONFIG: the config would be looked for inside the key directory.
        let out = sb
            .cmd(args)
            .env_remove("APIAUTH_CONFIG")
            .run()
            .fails(3, &["not-a-dir is not a directory", "--key-dir"]);
        assert!(!out.stderr.contains("config.toml"), "{}", out.stderr);
    }
    assert_eq!(std::fs::read(&file).expect("read"), b"a file");
}
