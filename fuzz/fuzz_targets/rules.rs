//! Rule files: loaded and checked, or refused naming the file and rule.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = antenne::rules::RuleSet::from_files(vec![("fuzz.toml".to_owned(), text.to_owned())]);
});
