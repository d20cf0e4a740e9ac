//! Ad pages (JobPosting JSON-LD first, else the page text) and listing pages.
#![no_main]

use antenne::extract::{Document, Expect, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let doc = Document { url: "http://127.0.0.1:9/page", content_type: None, body };
    let _ = extract(doc, Expect::AdPage);
    let _ = extract(doc, Expect::Listing { links: "a.offre", next: Some("a[rel=next]") });
});
