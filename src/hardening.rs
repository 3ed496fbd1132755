//! Keeping secrets out of core dumps and debuggers.
//!
//! Every apiauth process may hold a plaintext key, the master key or a decrypted keystore, so
//! each one, first thing, forbids core files (`RLIMIT_CORE` 0, soft and hard) and, on Linux,
//! marks itself not dumpable (`PR_SET_DUMPABLE` 0), which also keeps other processes of the same
//! user from attaching a debugger or reading its memory through `/proc`. Both go through
//! rustix's safe wrappers.

/// Applies both protections; returns what could not be applied (nothing, on Linux).
pub fn protect_process() -> Vec<String> {
    let mut failures = Vec::new();
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            failures.push(format!("core files could not be disabled: {e}"));
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Err(e) =
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
    {
        failures.push(format!("the process could not be made non-dumpable: {e}"));
    }
    failures
}

/// Makes a write past the file-size limit (`ulimit -f`) an error instead of a kill: by default
/// `SIGXFSZ` ends the process at once, with nothing said and the change half made; handled, the
/// write fails with `EFBIG`, which is reported (exit 3) and rolled back like a full disk.
/// The handler only sets a flag nobody reads; it does not outlive an `exec`.
pub fn catch_file_size_signal() -> Result<(), String> {
    #[cfg(unix)]
    {
        let hit = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        signal_hook::flag::register(signal_hook::consts::SIGXFSZ, hit)
            .map(|_| ())
            .map_err(|e| format!("SIGXFSZ could not be handled: {e}"))
    }
    #[cfg(not(unix))]
    Ok(())
}

/// Whether the protections are in place for this process.
pub fn is_protected() -> bool {
    #[cfg(unix)]
    let no_core = rustix::process::getrlimit(rustix::process::Resource::Core).current == Some(0);
    #[cfg(not(unix))]
    let no_core = false;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let not_dumpable = matches!(
        rustix::process::dumpable_behavior(),
        Ok(rustix::process::DumpableBehavior::NotDumpable)
    );
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let not_dumpable = true;
    no_core && not_dumpable
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_process_is_protected_after_the_call() {
        let failures = super::protect_process();
        assert!(failures.is_empty(), "{failures:?}");
        assert!(super::is_protected());
    }
}
