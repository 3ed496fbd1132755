//! The one place where errors become words, hints and exit codes, for every face: the
//! command line prints them, the terminal UI shows them in its banner and its forms.
//!
//! Exit codes (DESIGN.md §4): 0 success / key valid, 1 a check failed, 2 usage error, 3
//! keystore cannot be opened, decrypted or locked, 4 no such key id. An invalid input is named
//! by the flag it is given with on the command line, which is also what the TUI shows when the
//! input has no field of its own in the form.

use apiauth_core::sanitize::display;
use apiauth_core::{Error, Field, KeySourceKind, LineProblem};

/// Exit code: success, or the key is valid.
pub const OK: u8 = 0;
/// Exit code: a check failed (verify not valid, an audit gate tripped).
pub const CHECK_FAILED: u8 = 1;
/// Exit code: usage error.
pub const USAGE: u8 = 2;
/// Exit code: the keystore cannot be opened, decrypted, locked or written.
pub const KEYSTORE: u8 = 3;
/// Exit code: no such key id.
pub const NO_SUCH_KEY: u8 = 4;

/// The exit code for an error.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Invalid { .. }
        | Error::Config { .. }
        | Error::AmbiguousId { .. }
        | Error::Refused(_)
        | Error::Duplicate { .. }
        | Error::ImportRejected { .. } => USAGE,
        Error::KeyNotFound { .. } => NO_SUCH_KEY,
        _ => KEYSTORE,
    }
}

/// The command-line flag (or argument, or environment variable) that gives `field`.
pub fn flag(field: Field) -> &'static str {
    match field {
        Field::Value => "value",
        Field::Name => "--name",
        Field::Service => "--service",
        Field::Env => "--env",
        Field::Scope => "--scope",
        Field::Expiry => "--expires-at",
        Field::Grace => "--grace",
        Field::Prefix => "--prefix",
        Field::Claim => "--claim",
        Field::RateLimit => "--rate-limit",
        Field::Reason => "--reason",
        Field::Window => "--within",
        Field::ImportFile => "--from-file",
        Field::KeyDir => "--key-dir",
        Field::LockTimeout => "APIAUTH_LOCK_TIMEOUT",
        Field::KeyBindings => "config.toml [keys]",
        Field::ValueSource => "VALUE",
    }
}

/// What went wrong, in words safe to print on a terminal; an invalid input is named by its
/// [`flag`].
pub fn message(error: &Error) -> String {
    let text = match error {
        Error::Invalid { field, message } => format!("{}: {message}", flag(*field)),
        other => other.to_string(),
    };
    display(&text).into_owned()
}

/// The error and what to do about it on one line (`message — hint`), safe to print on a
/// terminal: for a banner or a notice.
pub fn one_line(error: &Error) -> String {
    let mut text = message(error);
    if let Some(hint) = hint(error) {
        text.push_str(" — ");
        text.push_str(&display(&hint));
    }
    text
}

/// What to do about an error, when there is something to say.
pub fn hint(error: &Error) -> Option<String> {
    Some(match error {
        Error::NotRecorded(cause) => {
            return Some(hint(cause).unwrap_or_else(|| {
                "the keystore was not changed; run apiauth log --check".to_owned()
            }));
        }
        Error::Io { source, .. }
            if source.kind() == std::io::ErrorKind::StorageFull
                || source.kind() == std::io::ErrorKind::QuotaExceeded =>
        {
            "the disk is full; free some space and run the command again. The keystore was not changed.".into()
        }
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge => {
            "a file size limit was reached (see ulimit -f); raise it and run the command again. The keystore was not changed.".into()
        }
        Error::Io {
            source,
            path,
            action,
        } if source.kind() == std::io::ErrorKind::PermissionDenied => {
            if action.starts_with("read") {
                format!(
                    "check the permissions of {} (it must be readable by you)",
                    path.display()
                )
            } else {
                format!(
                    "check the permissions of {} (it must be writable by you); the keystore was not changed",
                    path.display()
                )
            }
        }
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
            "the key directory is on a read-only file system; use a writable --key-dir. The keystore was not changed.".into()
        }
        Error::NotADirectory { .. } => {
            "--key-dir / APIAUTH_HOME must name a directory (it is created if missing)".into()
        }
        Error::MasterKeyMissing { key, .. } => format!(
            "restore {} from your backup, or set APIAUTH_MASTER_KEY to the base64 of the key. \
             apiauth never makes a new key for an existing keystore.",
            key.display()
        ),
        Error::MasterKeyPermissions { path, .. } => {
            format!("run: chmod 600 {}", path.display())
        }
        Error::MasterKeyMalformed { path, .. } => format!(
            "{} was damaged or replaced; restore it from your backup",
            path.display()
        ),
        Error::EnvKeyMalformed { .. } => {
            "set APIAUTH_MASTER_KEY to the output of: base64 < master.key".into()
        }
        Error::Decrypt {
            path,
            key_source,
            backup_opens: true,
        } => format!(
            "the same key opens {path}.bak, so {path} itself is damaged or was modified. \
             To go back one write: cp {path}.bak {path} ({source} is correct)",
            path = path.display(),
            source = match key_source {
                KeySourceKind::Env => "APIAUTH_MASTER_KEY",
                KeySourceKind::File => "master.key",
            }
        ),
        Error::Decrypt {
            key_source: KeySourceKind::Env,
            ..
        } => "APIAUTH_MASTER_KEY does not open this keystore: check that it is the key of this key directory, \
              or that the file was not modified"
            .into(),
        Error::Decrypt { .. } => "master.key does not open this keystore: it is the wrong key, \
                                  or the file was modified. Restore the matching master.key or keystore.enc from backup"
            .into(),
        Error::Format { path, .. } => {
            let backup = path.with_extension("enc.bak");
            if backup.exists() {
                format!(
                    "the file was damaged or replaced; {} holds the previous generation: cp {0} {}",
                    backup.display(),
                    path.display()
                )
            } else {
                format!(
                    "the file was damaged or replaced; restore {} from your backup",
                    path.display()
                )
            }
        }
        Error::Payload { .. } => {
            "this keystore was written by an incompatible apiauth build; use the build that wrote it".into()
        }
        Error::KeystoreMissing { path, backup } => format!(
            "restore it with: cp {} {}. apiauth will not start an empty keystore over a backup.",
            backup.display(),
            path.display()
        ),
        Error::Locked { path, .. } => format!(
            "another apiauth command is writing. If none is running, a process still holds {} \
             (find it with: fuser {0}); the lock is released when that process exits. \
             APIAUTH_LOCK_TIMEOUT sets how many seconds to wait.",
            path.display()
        ),
        Error::NotShown { id, .. } => format!(
            "the value is lost (apiauth never stores it): run apiauth rotate {id} with its output \
             going somewhere that can take it, to issue a new one"
        ),
        Error::Output { .. } => "the command itself ran, but its output is incomplete; send \
             it somewhere with room (a file on a full disk is cut short) and run it again"
            .into(),
        Error::KeyNotFound { .. } => "run 'apiauth list' to see the ids".into(),
        Error::AmbiguousId {
            candidates, count, ..
        } => {
            let mut listed = candidates
                .iter()
                .map(|c| display(c).into_owned())
                .collect::<Vec<_>>()
                .join("\n  ");
            if *count > candidates.len() {
                listed.push_str(&format!("\n  … and {} more", count - candidates.len()));
            }
            format!("type more characters of the id. Candidates:\n  {listed}")
        }
        Error::ImportRejected { problems } => format!(
            "fix these lines and run the import again:\n  {}",
            problems
                .iter()
                .map(|p| display(&line_problem(p)).into_owned())
                .collect::<Vec<_>>()
                .join("\n  ")
        ),
        Error::Duplicate { id, .. } => format!("see it with: apiauth show {id}"),
        Error::Config { .. } => {
            "see the documented settings in assets/config.toml of the apiauth sources".into()
        }
        Error::NotAFile { path, kind } => not_a_file(path, *kind),
        Error::KeyDirWritable { path, .. } => format!(
            "anyone who can write it can put back an old keystore or plant a link; run: chmod 700 {}",
            path.display()
        ),
        Error::KeyDirNotOwned { path, .. } => format!(
            "use a key directory of your own (--key-dir or APIAUTH_HOME), or make this one yours: sudo chown -R $(id -un) {}",
            path.display()
        ),
        Error::PythonStore { path } => format!(
            "nothing was written to it. To bring its keys into apiauth, run: apiauth migrate --from {}",
            path.display()
        ),
        Error::Rollback { rollback, dir } => rollback_hint(rollback, dir),
        Error::TooLarge { path, .. } => format!(
            "{} was damaged or replaced: move it aside and restore it from your backup",
            path.display()
        ),
        _ => return None,
    })
}

/// One bad line of an imported file: `line N (NAME): --flag: what`, the name and the flag when
/// there are.
fn line_problem(problem: &LineProblem) -> String {
    let mut text = format!("line {}", problem.line);
    if let Some(name) = &problem.name {
        text.push_str(&format!(" ({name})"));
    }
    text.push_str(": ");
    if let Some(field) = problem.field {
        text.push_str(flag(field));
        text.push_str(": ");
    }
    text.push_str(&problem.message);
    text
}

/// What to do when the keystore and the event log disagree.
fn rollback_hint(rollback: &apiauth_core::Rollback, dir: &std::path::Path) -> String {
    use apiauth_core::Rollback;
    const RECOVER: &str = "apiauth recover --accept-rollback";
    match rollback {
        Rollback::KeystoreBehind {
            keystore: 0,
            recorded,
            ..
        } if dir.join(apiauth_core::BACKUP_FILE).exists() => format!(
            "put back keystore.enc (generation {recorded}) from your backup. To accept the \
             generation before it instead (the last change is lost), run: cp {} {} && {RECOVER}",
            dir.join(apiauth_core::BACKUP_FILE).display(),
            dir.join(apiauth_core::KEYSTORE_FILE).display()
        ),
        Rollback::KeystoreBehind {
            keystore: 0,
            recorded,
            ..
        } => format!(
            "put back keystore.enc (generation {recorded}) from your backup. To start again \
             from an empty keystore instead, run: {RECOVER}"
        ),
        Rollback::KeystoreBehind {
            keystore, recorded, ..
        } => format!(
            "if keystore.enc was replaced by mistake, put back the newest one (generation \
             {recorded}). To accept this older keystore (changes made after generation {keystore} \
             are lost, and keys revoked since verify again), run: {RECOVER}"
        ),
        Rollback::LogBehind { log_ends, .. } => format!(
            "put back the newest events.log and events.head. To accept the event log as it is \
             (the records after record {log_ends} are lost), run: {RECOVER}"
        ),
        Rollback::LogMissing { .. } => format!(
            "put back events.log and events.head. To start a new event log instead, run: {RECOVER}"
        ),
        Rollback::HeadUnusable { .. } => format!(
            "restore events.head and events.log from your backup (apiauth log --check shows the \
             damage). To accept the event log as it is, run: {RECOVER}"
        ),
    }
}

/// What to do about a file in the key directory that is not a regular file.
fn not_a_file(path: &std::path::Path, kind: apiauth_core::FileKind) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let made_again = matches!(
        name.as_deref(),
        Some("keystore.lock" | "events.lock" | "events.lastused" | "events.pending")
    );
    let fix = if made_again {
        format!("move {} aside: apiauth makes a new one", path.display())
    } else {
        format!(
            "move {} aside and put the file itself there (from your backup)",
            path.display()
        )
    };
    if kind == apiauth_core::FileKind::Symlink {
        format!("apiauth follows no symbolic link in the key directory; {fix}")
    } else {
        fix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_input_is_named_as_the_command_line_gives_it() {
        let named = |field, text: &str| message(&Error::invalid(field, text));
        assert_eq!(
            named(Field::Expiry, "it is in the past"),
            "--expires-at: it is in the past"
        );
        assert_eq!(named(Field::Scope, "bad"), "--scope: bad");
        assert_eq!(
            named(Field::ValueSource, "stdin is empty"),
            "VALUE: stdin is empty"
        );
        assert_eq!(
            named(Field::Value, "the key value is empty"),
            "value: the key value is empty"
        );
        assert_eq!(
            named(Field::KeyBindings, "unknown action"),
            "config.toml [keys]: unknown action"
        );
        assert_eq!(
            named(Field::Name, "a\u{1b}[2J"),
            "--name: a\u{fffd}[2J",
            "sanitized"
        );
    }

    #[test]
    fn each_bad_line_of_an_import_is_named_with_its_flag() {
        let problem = |line, name: Option<&str>, field, message: &str| LineProblem {
            line,
            name: name.map(str::to_owned),
            field,
            message: message.to_owned(),
        };
        let rejected = Error::ImportRejected {
            problems: vec![
                problem(1, None, Some(Field::Expiry), "too far ahead"),
                problem(3, Some("B\u{1b}"), None, "the key value is empty"),
            ],
        };
        assert_eq!(
            hint(&rejected).unwrap(),
            "fix these lines and run the import again:\n  line 1: --expires-at: too far ahead\n  \
             line 3 (B\u{fffd}): the key value is empty"
        );
    }

    #[test]
    fn a_permission_hint_fits_the_operation() {
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let read = hint(&Error::io("read", "/k/master.key", denied())).unwrap();
        assert!(
            read.contains("/k/master.key") && read.contains("readable by you"),
            "{read}"
        );
        assert!(
            !read.contains("writable") && !read.contains("not changed"),
            "{read}"
        );
        let write = hint(&Error::io("append to", "/k/events.log", denied())).unwrap();
        assert!(write.contains("writable by you"), "{write}");
    }
}
