//! antenne watches French job boards for *animateur / animatrice numérique de territoire* (ANT)
//! job ads, gathers them into one searchable index, and checks each ad against the national
//! reference framework of the role.
//!
//! ```text
//! antenne.toml ─► scheduler ─► crawl ─► extract ─► normalize ─► dedup ─► rules ─► store ─► index
//!                  (cron)     (HTTP)   (feeds,     (text,       (our    (verdict  (SQLite, (tantivy,
//!                                       JSON-LD)    places,      key)    with      source   derived)
//!                                                   dates)               evidence) of truth)
//!                                                                                    │
//!                                                              web (search, ad pages, API) ◄┤
//!                                                  digest (weekly email: outbox, SMTP) ◄┘
//! ```
//!
//! `pipeline::run_source` is the one orchestrator that wires the stages for a source. Stages
//! that are pure (extract, normalize, dedup, rules) do no I/O; domain types in `model` import
//! no framework.

#![deny(missing_docs)]

/// The application context.
pub mod app;
/// The command line.
pub mod cli;
/// Configuration: `antenne.toml`, parsed strictly and validated.
pub mod config;
/// Fetching: the shared HTTP client with its limits.
pub mod crawl;
/// De-duplication: our stable posting key.
pub mod dedup;
/// The weekly digest email and subscription mail.
pub mod digest;
/// The export shape shared by the CLI and the API.
pub mod export;
/// Extraction: feeds and JobPosting JSON-LD into raw postings.
pub mod extract;
/// The search index: tantivy, derived from the store.
pub mod index;
/// Domain types: raw and normalised postings, sources, verdicts.
pub mod model;
/// Normalisation: raw postings into postings (text, dates, places, contracts).
pub mod normalize;
/// The orchestrator of one source's run.
pub mod pipeline;
/// The validator: rules as data, explained verdicts.
pub mod rules;
/// The cron scheduler.
pub mod scheduler;
/// The built-in board simulator (demo, tests).
pub mod simulator;
/// The store: SQLite, the source of truth.
pub mod store;
/// The web server: pages and API.
pub mod web;
