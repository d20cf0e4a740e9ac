//! A small cache of API answers: the same search asked again, while the index has not changed,
//! is answered from memory. Job seekers' searches repeat a lot (« animatrice numérique »), and
//! a busy day's load then costs one search per distinct query per index commit.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// Answers kept; the cache is emptied when it would grow past this.
pub const CACHE_ENTRIES: usize = 2_048;

/// Answers by request, each with the index version it was computed at.
#[derive(Default)]
pub struct AnswerCache {
    entries: Mutex<HashMap<String, (u64, Bytes)>>,
}

impl AnswerCache {
    /// The answer to `key` computed at index `version`, if kept.
    pub fn get(&self, key: &str, version: u64) -> Option<Bytes> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, b)| b.clone())
    }

    /// Keeps an answer.
    pub fn put(&self, key: String, version: u64, body: Bytes) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (version, body));
    }
}
