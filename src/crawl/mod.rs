//! Fetching bytes from job boards, politely and within limits.
//!
//! Knows HTTP (timeouts, redirects, conditional GET, body caps, address guard), never formats:
//! it hands raw bytes to `extract`. Entry point: `Fetcher::fetch`.

mod client;
pub mod france_travail;
mod guard;
mod polite;
mod robots;

pub use client::{Conditional, Fetched, Fetcher, MAX_REDIRECTS, USER_AGENT_PRODUCT};
pub use polite::{BACKOFF_BASE, BACKOFF_CAP, Crawler, MAX_RETRY_AFTER};

use thiserror::Error;

/// Why a fetch failed. Every variant names the URL.
#[derive(Debug, Clone, Error)]
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
        /// The server's `Retry-After`, if it gave one.
        retry_after: Option<std::time::Duration>,
    },
    /// robots.txt forbids the URL.
    #[error("{url}: {reason}")]
    Robots {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A redirect was refused (loop, too many, non-HTTP or private target).
    #[error("{url}: redirect refused: {message}")]
    Redirect {
        /// The URL.
        url: String,
        /// Cause.
        message: String,
    },
    /// A credential the configuration names is missing from the environment.
    #[error("source {source_name}: environment variable {variable} is not set")]
    Credentials {
        /// The source.
        source_name: String,
        /// The variable.
        variable: String,
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
            Self::Robots { .. } => "robots",
            Self::Redirect { .. } => "redirect",
            Self::TooLarge { .. } => "too_large",
            Self::Credentials { .. } => "credentials",
            Self::Http { .. } => "http",
        }
    }

    /// Whether trying again later may succeed: timeouts, broken connections, 429 and 5xx
    /// (but 501, which will not change).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connect { .. } | Self::Http { .. } => true,
            Self::Status { status, .. } => *status == 429 || (*status >= 500 && *status != 501),
            _ => false,
        }
    }

    /// The wait the server asked for, if any.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}
