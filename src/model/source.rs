//! Sources: a job board as configured, plain data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a source publishes its ads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// RSS, Atom or JSON Feed.
    Feed,
    /// Listing pages whose ad pages carry schema.org JobPosting JSON-LD.
    Jsonld,
    /// Listing pages plus CSS selectors for the ad page's fields.
    Html,
    /// The France Travail « Offres d'emploi v2 » API.
    FranceTravail,
}

impl SourceKind {
    /// The kind as written in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Jsonld => "jsonld",
            Self::Html => "html",
            Self::FranceTravail => "france_travail",
        }
    }
}

/// One job board to watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Unique name, shown to staff.
    pub name: String,
    /// Format.
    pub kind: SourceKind,
    /// Entry URL (feed, first listing page, API base).
    pub url: String,
    /// Cron expression, seconds first.
    pub schedule: String,
    /// Also fetch each item's own page.
    pub follow_links: bool,
    /// CSS selector of ad links on a listing page.
    pub links: Option<String>,
    /// CSS selector of the next listing page.
    pub next: Option<String>,
    /// CSS selectors of the ad page's fields (`html` kind).
    pub fields: BTreeMap<String, String>,
    /// The board's name as job seekers know it (« France Travail »); the name if absent.
    pub display_name: Option<String>,
    /// A note on the board's terms of use, for the operator.
    pub terms: Option<String>,
}

impl Source {
    /// The name shown to job seekers.
    pub fn shown_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }
}
