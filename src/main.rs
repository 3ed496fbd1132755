//! The `apiauth` binary: installs the panic and error report hooks, then hands over to the
//! command line, which opens the TUI or runs a headless command.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Before anything can hold a secret: no core files, not dumpable. A platform without one of
    // these (no prctl on macOS) still runs apiauth, with the protections it does have.
    let _ = apiauth::hardening::protect_process();
    // A file-size limit must be an error that rolls the change back, not a silent kill.
    let _ = apiauth::hardening::catch_file_size_signal();
    // Errors the program expects are reported by `apiauth::cli` with their exit codes; this
    // hook is for the unexpected ones (panics), which must never carry a secret: no secret type
    // can be formatted, so none can reach a panic message.
    let _ = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .install();
    apiauth::cli::main()
}
