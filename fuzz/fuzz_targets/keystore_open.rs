//! Fuzz target: see `checks::keystore_open`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::keystore_open(data));
