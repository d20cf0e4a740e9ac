//! Fetching bytes from job boards, politely and within limits.
//!
//! Knows HTTP (timeouts, redirects, conditional GET, body caps, address guard), never formats:
//! it hands raw bytes to `extract`. Entry point: `Fetcher::fetch`.

mod client;
mod guard;

pub use client::{Conditional, Fetched, Fetcher, USER_AGENT_PRODUCT};

use thiserror::Error;

/// Why a fetch failed. Every variant names the URL.
#[derive(Debug, Error)]
pub enum CrawlError {
    /// The URL cannot be fetched at all (bad syntax, scheme).
    #[error("{url}: invalid URL: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The address is refused by policy (loopback or private network).
    #[error("{url}: refused: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{url}: timed out")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// Connection could not be made or broke.
    #[error("{url}: connection failed: {message}")]
    Connect {
        /// The URL.
        url: String,
        /// Cause.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// Status code.
        status: u16,
    },
    /// The body was larger than the cap.
    #[error("{url}: body larger than {cap} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        cap: u64,
    },
    /// Too many redirects, or another HTTP-level failure.
    #[error("{url}: {message}")]
    Http {
        /// The URL.
        url: String,
        /// Cause.
        message: String,
    },
}

impl CrawlError {
    /// A short kind for summaries and the store (`timeout`, `status`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidUrl { .. } => "invalid_url",
            Self::Refused { .. } => "refused",
            Self::Timeout { .. } => "timeout",
            Self::Connect { .. } => "connect",
            Self::Status { .. } => "status",
            Self::TooLarge { .. } => "too_large",
            Self::Http { .. } => "http",
        }
    }
}
