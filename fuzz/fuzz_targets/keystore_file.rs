//! Fuzz target: see `checks::keystore_file`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::keystore_file(data));
