//! What visitors type in the search box, read and run on a real (empty) index.
#![no_main]

use std::sync::OnceLock;

use antenne::index::{SearchIndex, SearchQuery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    let index = INDEX.get_or_init(|| SearchIndex::in_memory().expect("an index in memory"));
    let _ = antenne::index::query::interpret(text);
    let q = SearchQuery { text: text.to_owned(), all: true, limit: 5, ..SearchQuery::default() };
    let _ = index.search(&q);
});
