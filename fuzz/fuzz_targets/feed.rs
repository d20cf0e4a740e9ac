//! RSS, Atom and JSON feeds as boards send them, broken ones included.
#![no_main]

use antenne::extract::{Document, Expect, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let doc = Document { url: "http://127.0.0.1:9/feed", content_type: None, body };
    let _ = extract(doc, Expect::Feed);
    let _ = extract(doc, Expect::FranceTravail);
});
