//! Turning fetched bytes into raw postings: feeds, schema.org JobPosting JSON-LD, ad pages.
//!
//! Pure and synchronous: no I/O, no HTTP, no store. Entry point: `extract`.
//! Text stays as the source wrote it (HTML included); `normalize` cleans it.

mod charset;
mod feed;
mod france_travail;
mod jsonld;
mod listing;
mod page;
mod repair;

use std::collections::BTreeMap;

use thiserror::Error;

use crate::model::RawPosting;

pub use charset::decode_text;

/// Deepest element nesting read from a board. Real pages nest a few dozen levels; a tree
/// builder's cost grows with depth squared, so deeper documents and items are refused, with a
/// fault naming them, before any tree is built.
pub const MAX_NESTING: usize = 512;

/// Every schema.org JobPosting inside a JSON-LD value (object, array or `@graph`), for input
/// that is already JSON (`antenne validate`).
pub fn job_postings_in_json(value: &serde_json::Value) -> Vec<RawPosting> {
    jsonld::from_value(value)
}

/// A fetched document handed to the extractor.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// URL after redirects (base for relative links; named in errors).
    pub url: &'a str,
    /// `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// Raw body bytes.
    pub body: &'a [u8],
}

/// What the document is expected to be.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// An RSS, Atom or JSON feed: one raw posting per item.
    Feed,
    /// One ad's own page: JobPosting JSON-LD first, else the page's main text.
    AdPage,
    /// A listing page: ad links and the next page, by CSS selectors.
    Listing {
        /// Selector of ad links.
        links: &'a str,
        /// Selector of the next-page link.
        next: Option<&'a str>,
    },
    /// An ad page read with one CSS selector per field (`sel@attr` reads an attribute).
    Fields(&'a BTreeMap<String, String>),
    /// A France Travail « Offres d'emploi v2 » search response.
    FranceTravail,
}

/// What a document yielded.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// Postings found, in document order.
    pub postings: Vec<RawPosting>,
    /// Ad links found on a listing page, absolute, without duplicates, in page order.
    pub links: Vec<String>,
    /// The next listing page, absolute.
    pub next: Option<String>,
    /// Items left out, each with the reason (naming the item): the rest of the document is kept.
    pub skipped: Vec<String>,
    /// What had to be repaired for the document to parse (« bare « & » escaped »), if anything.
    pub repaired: Option<String>,
}

/// Why a document yielded nothing usable. Every variant names the URL.
#[derive(Debug, Error)]
pub enum ExtractError {
    /// The body is not a feed feed-rs can read.
    #[error("{url}: not a valid RSS, Atom or JSON feed: {message}")]
    Feed {
        /// The document.
        url: String,
        /// What the parser said.
        message: String,
    },
    /// The page holds neither a JobPosting nor readable text.
    #[error("{url}: no job ad found on the page")]
    NoAd {
        /// The document.
        url: String,
    },
    /// Markup nested deeper than `MAX_NESTING`: refused before any tree is built.
    #[error("{url}: HTML nested {depth} levels deep (limit {MAX_NESTING}): refused")]
    TooDeep {
        /// The document or item.
        url: String,
        /// How deep it nests.
        depth: usize,
    },
    /// A JSON API answer that is not what the API documents.
    #[error("{url}: unexpected API answer: {message}")]
    Api {
        /// The document.
        url: String,
        /// What is wrong.
        message: String,
    },
}

/// Parses a whole HTML document into a tree, unless it nests deeper than `MAX_NESTING`.
fn parse_html(url: &str, text: &str) -> Result<scraper::Html, ExtractError> {
    match crate::normalize::nesting_depth(text) {
        depth if depth > MAX_NESTING => Err(ExtractError::TooDeep {
            url: url.to_owned(),
            depth,
        }),
        _ => Ok(scraper::Html::parse_document(text)),
    }
}

/// Extracts raw postings from one document.
pub fn extract(doc: Document<'_>, expect: Expect<'_>) -> Result<Extracted, ExtractError> {
    Ok(match expect {
        Expect::Feed => {
            let parsed = feed::parse(doc)?;
            Extracted {
                postings: parsed.postings,
                skipped: parsed.skipped,
                repaired: parsed.repaired,
                ..Extracted::default()
            }
        }
        Expect::AdPage => Extracted {
            postings: vec![page::parse(doc)?],
            ..Extracted::default()
        },
        Expect::Listing { links, next } => listing::parse(doc, links, next)?,
        Expect::Fields(fields) => Extracted {
            postings: vec![listing::fields(doc, fields)?],
            ..Extracted::default()
        },
        Expect::FranceTravail => Extracted {
            postings: france_travail::parse(doc)?,
            ..Extracted::default()
        },
    })
}
