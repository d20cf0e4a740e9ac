//! Domain types of antenne: postings as extracted and as normalised, and verdicts.
//!
//! Plain data only: this module performs no I/O and imports no framework
//! (no axum, reqwest, rusqlite, tantivy or lettre).

mod posting;
mod source;
mod verdict;

pub(crate) use posting::hex16;
pub use posting::{
    Location, Posting, PostingRecord, PostingStatus, RawLocation, RawPosting, SalaryRange, Sighting,
};
pub use source::{Source, SourceKind};
pub use verdict::{Evidence, Finding, Severity, Verdict, VerdictCode};
