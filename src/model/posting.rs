//! Postings: `RawPosting` as a source gives it, `Posting` once normalised.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A location as a source gives it: free text and/or structured parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawLocation {
    /// Free text such as « Floirac (Gironde) » or « 33 - Bordeaux ».
    pub text: Option<String>,
    /// Commune.
    pub city: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Département, by name or code.
    pub department: Option<String>,
    /// Région name.
    pub region: Option<String>,
}

/// One ad as extracted from a source, before normalisation. Text fields may hold HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawPosting {
    /// The identifier the source gives (guid, `identifier`, offer number), if any.
    pub source_ref: Option<String>,
    /// The ad's own page.
    pub url: Option<String>,
    /// Title as shown.
    pub title: Option<String>,
    /// Description, HTML or plain text.
    pub description: Option<String>,
    /// Employer name.
    pub employer: Option<String>,
    /// Where the job is.
    pub location: RawLocation,
    /// Contract as written (CDI, CDD 12 mois, FULL_TIME...).
    pub contract: Option<String>,
    /// Working time as written.
    pub hours: Option<String>,
    /// Salary as written.
    pub salary: Option<String>,
    /// Publication date as written (ISO, RFC 3339, French...).
    pub published: Option<String>,
    /// Application deadline as written.
    pub valid_through: Option<String>,
    /// When it was fetched, for relative dates (« il y a 2 jours »).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
}

/// A normalised location.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Commune.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postcode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// Département name (« Gironde »).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Département code (« 33 », « 2A », « 974 »).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_code: Option<String>,
    /// Région name, post-2016 (« Nouvelle-Aquitaine »), or the Belgian region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ISO country code: `FR`, or `BE` for Belgian ads (another framework).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Location {
    /// The place for people: « Arcachon, Gironde (33) », then « , Nouvelle-Aquitaine » with
    /// `region`; empty when nothing is known.
    pub fn label(&self, region: bool) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = &self.city {
            parts.push(c.clone());
        }
        match (&self.department, &self.department_code) {
            (Some(d), Some(code)) => parts.push(format!("{d} ({code})")),
            (Some(d), None) => parts.push(d.clone()),
            _ => {}
        }
        if let Some(r) = self.region.as_ref().filter(|_| region) {
            parts.push(r.clone());
        }
        parts.join(", ")
    }
}

/// A salary read from free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalaryRange {
    /// Lowest amount.
    pub min: f64,
    /// Highest amount (equal to `min` for a single figure).
    pub max: f64,
    /// `hour`, `day`, `month` or `year`.
    pub period: String,
    /// ISO currency code.
    pub currency: String,
}

/// A normalised posting: plain text, parsed dates, structured location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Posting {
    /// Our stable key (see `dedup`), never a feed library's id.
    pub id: String,
    /// Title, plain text.
    pub title: String,
    /// Description, plain text with paragraph breaks.
    pub description: String,
    /// Employer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
    /// Location.
    pub location: Location,
    /// Contract as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// Working time as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// Salary as written (kept as text when it reads « selon grille »).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary: Option<String>,
    /// Salary as figures, when the text gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary_range: Option<SalaryRange>,
    /// Contract duration in months (CDD, contrat de projet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_months: Option<u32>,
    /// Full time (`true`) or part time (`false`), when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_time: Option<bool>,
    /// Weekly hours, when stated (« 28/35e », « 80 % », « 17 h 30 »).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours: Option<f64>,
    /// Employer type code (`office_de_tourisme`, `epic`, `petr`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_type: Option<String>,
    /// Publication date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    /// Application deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_through: Option<NaiveDate>,
    /// Canonical URL of the ad.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Posting {
    /// A hash of the content (every field but the id), to tell a changed ad from a re-crawl.
    pub fn content_hash(&self) -> String {
        let mut copy = self.clone();
        copy.id.clear();
        let bytes = serde_json::to_vec(&copy).unwrap_or_default();
        hex16(&Sha256::digest(&bytes))
    }
}

/// Where a posting is open: `open` while current, `expired` after its deadline,
/// `gone` once its sources stopped carrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostingStatus {
    /// Current.
    Open,
    /// Its application deadline has passed.
    Expired,
    /// No source carries it any more.
    Gone,
}

impl PostingStatus {
    /// The code stored and shown in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Expired => "expired",
            Self::Gone => "gone",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "expired" => Some(Self::Expired),
            "gone" => Some(Self::Gone),
            _ => None,
        }
    }
}

/// One sighting of a posting on a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    /// Source name from the configuration.
    pub name: String,
    /// URL of the ad on that source.
    pub url: String,
    /// First time the source carried it.
    pub first_seen: DateTime<Utc>,
    /// Last time the source carried it.
    pub last_seen: DateTime<Utc>,
}

/// First 16 hex digits of a digest: enough to tell contents apart, short enough to read.
pub(crate) fn hex16(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A stored posting with its provenance, state and verdict: what pages, exports and the index read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostingRecord {
    /// The posting.
    pub posting: Posting,
    /// Every source that carries or carried it.
    pub sources: Vec<Sighting>,
    /// Open, expired or gone.
    pub status: PostingStatus,
    /// The latest verdict, if validated.
    pub verdict: Option<crate::model::Verdict>,
    /// The latest staff review, if any.
    pub review: Option<crate::model::StaffReview>,
    /// First time any source carried it.
    pub first_seen: DateTime<Utc>,
    /// Last time its content changed.
    pub updated_at: DateTime<Utc>,
    /// Content revision, from 1.
    pub revision: i64,
}

impl PostingRecord {
    /// The staff decision that holds for the text as it is now: a new revision reopens it.
    pub fn decision(&self) -> Option<&crate::model::StaffReview> {
        self.review
            .as_ref()
            .filter(|r| r.state != crate::model::ReviewState::Pending && r.holds_for(self.revision))
    }

    /// Where the review stands for the text as it is now.
    pub fn review_state(&self) -> crate::model::ReviewState {
        self.decision()
            .map_or(crate::model::ReviewState::Pending, |r| r.state)
    }

    /// The verdict the public sees: staff lifting a flag makes the ad conform, whatever the
    /// rules say of that revision.
    pub fn public_verdict(&self) -> Option<crate::model::VerdictCode> {
        match self.review_state() {
            crate::model::ReviewState::Lifted => Some(crate::model::VerdictCode::Ant),
            _ => self.verdict.as_ref().map(|v| v.verdict),
        }
    }
}

impl RawPosting {
    /// Fills every field missing here from `fallback` (an ad page completed by its feed item).
    pub fn or(self, fallback: RawPosting) -> RawPosting {
        let loc = self.location;
        let floc = fallback.location;
        RawPosting {
            source_ref: self.source_ref.or(fallback.source_ref),
            url: self.url.or(fallback.url),
            title: self.title.or(fallback.title),
            description: self.description.or(fallback.description),
            employer: self.employer.or(fallback.employer),
            location: RawLocation {
                text: loc.text.or(floc.text),
                city: loc.city.or(floc.city),
                postcode: loc.postcode.or(floc.postcode),
                department: loc.department.or(floc.department),
                region: loc.region.or(floc.region),
            },
            contract: self.contract.or(fallback.contract),
            hours: self.hours.or(fallback.hours),
            salary: self.salary.or(fallback.salary),
            published: self.published.or(fallback.published),
            valid_through: self.valid_through.or(fallback.valid_through),
            fetched_at: self.fetched_at.or(fallback.fetched_at),
        }
    }
}
