//! The HTML-to-text walk: linear, never recursive, whatever the nesting.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = antenne::normalize::html_to_text(text);
    let _ = antenne::normalize::nesting_depth(text);
});
