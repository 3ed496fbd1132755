//! The `apiauth` binary: installs the panic and error report hooks, then hands over to the
//! command line, which opens the TUI or runs a headless command.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Errors the program expects are reported by `apiauth::cli` with their exit codes; this
    // hook is for the unexpected ones (panics), which must never carry a secret: no secret type
    // can be formatted, so none can reach a panic message.
    let _ = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .install();
    apiauth::cli::main()
}
