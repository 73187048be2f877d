//! `checks::smev_transform` under libFuzzer (fuzz/checks.rs says what it checks).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::smev_transform(data));
