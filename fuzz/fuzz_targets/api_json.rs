//! `checks::api_json` under libFuzzer (fuzz/checks.rs says what it checks).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::api_json(data));
