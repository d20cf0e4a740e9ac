//! Configuration files: an error naming the key, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = antenne::config::Config::from_toml_str(text, "fuzz.toml");
});
