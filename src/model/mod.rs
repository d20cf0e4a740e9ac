//! Domain types of antenne: postings as extracted and as normalised, and verdicts.
//!
//! Plain data only: this module performs no I/O and imports no framework
//! (no axum, reqwest, rusqlite, tantivy or lettre).

pub mod fr;
mod posting;
mod review;
mod source;
pub mod verdict;

pub(crate) use posting::hex16;
pub use posting::{
    Location, Posting, PostingRecord, PostingStatus, RawLocation, RawPosting, SalaryRange, Sighting,
};
pub use review::{ReviewAction, ReviewState, StaffReview};
pub use source::{Source, SourceKind};
pub use verdict::{
    Evidence, FacilitationShare, Finding, MissionItem, MissionKind, Severity, Verdict, VerdictCode,
};

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// « 3 mars 2026 ».
pub fn date_fr(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let day = if d.day() == 1 {
        "1er".to_owned()
    } else {
        d.day().to_string()
    };
    format!("{day} {} {}", MONTHS[d.month0() as usize], d.year())
}
