//! Normalisation: a `RawPosting` becomes a `Posting` (plain text, dates, place, contract).
//!
//! Pure and synchronous: no I/O. Entry point: `normalize`. The date parser is shared with
//! `extract` (feed timestamps), the place table with the search filters.

mod contract;
pub mod dates;
pub mod employer;
pub mod places;
mod salary;
mod text;

use thiserror::Error;

use crate::model::{Posting, RawPosting};

pub use text::{html_to_text, nesting_depth};

/// Longest title kept, in bytes; longer titles are cut at a character boundary.
pub const MAX_TITLE_BYTES: usize = 300;
/// Longest description kept, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 100_000;

/// Why a raw posting cannot become a posting.
#[derive(Debug, Error)]
pub enum NormalizeError {
    /// No usable title.
    #[error("{where_}: the ad has no title")]
    NoTitle {
        /// URL or source reference of the ad.
        where_: String,
    },
    /// No usable description.
    #[error("{where_}: the ad has no description")]
    NoDescription {
        /// URL or source reference of the ad.
        where_: String,
    },
}

/// A posting to judge that may have no title (an employer's draft, a line of `antenne
/// validate`): normalised as any ad, the title left empty when none was given.
pub fn draft(id: String, mut raw: RawPosting) -> Result<Posting, NormalizeError> {
    let had_title = raw.title.as_deref().is_some_and(|t| !t.trim().is_empty());
    if !had_title {
        raw.title = Some("-".into());
    }
    let mut posting = normalize(raw)?;
    if !had_title {
        posting.title.clear();
    }
    posting.id = id;
    Ok(posting)
}

/// Normalises one raw posting. The posting's `id` is left empty: `dedup` assigns it.
pub fn normalize(raw: RawPosting) -> Result<Posting, NormalizeError> {
    let where_ = raw
        .url
        .clone()
        .or_else(|| raw.source_ref.clone())
        .unwrap_or_else(|| "<ad without URL>".into());
    // Plain text is kept exactly as given, so that evidence offsets index the text the source
    // (or the `validate` caller) gave; HTML becomes text with one paragraph per line.
    let title = raw
        .title
        .as_deref()
        .map(|t| {
            let plain = !text::looks_html(t) && !t.contains('\n') && t.trim() == t;
            cut(
                if plain {
                    t.to_owned()
                } else {
                    text::one_line(&html_to_text(t))
                },
                MAX_TITLE_BYTES,
            )
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| NormalizeError::NoTitle {
            where_: where_.clone(),
        })?;
    let description = raw
        .description
        .as_deref()
        .map(|d| {
            cut(
                if text::looks_html(d) {
                    html_to_text(d)
                } else {
                    d.to_owned()
                },
                MAX_DESCRIPTION_BYTES,
            )
        })
        .filter(|d| !d.trim().is_empty())
        .ok_or(NormalizeError::NoDescription { where_ })?;
    let (contract, hours_from_contract) = contract::contract(raw.contract.as_deref(), &description);
    let clean = |v: Option<String>| {
        v.map(|s| text::one_line(&html_to_text(&s)))
            .filter(|s| !s.is_empty())
    };
    let employer = clean(raw.employer);
    let hours = clean(raw.hours).or(hours_from_contract);
    let salary = clean(raw.salary);
    let (full_time, weekly_hours) = contract::working_time(
        &[hours.as_deref(), raw.contract.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    );
    let valid_through = raw
        .valid_through
        .as_deref()
        .and_then(dates::parse_date)
        .or_else(|| dates::deadline_in(&description));
    let mut location = places::locate(&raw.location);
    if location.country.is_none()
        && let Some(found) = places::from_opening(&description)
    {
        location = found;
    }
    Ok(Posting {
        id: String::new(),
        location,
        employer_type: employer::employer_type(employer.as_deref(), &description),
        contract_months: contract::months(raw.contract.as_deref(), &description),
        salary_range: salary.as_deref().and_then(salary::salary),
        employer,
        contract,
        full_time,
        weekly_hours,
        hours,
        salary,
        published: raw
            .published
            .as_deref()
            .and_then(|p| dates::parse_date_at(p, raw.fetched_at)),
        valid_through,
        url: raw.url.map(|u| u.trim().to_owned()),
        title,
        description,
    })
}

fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
    s
}
