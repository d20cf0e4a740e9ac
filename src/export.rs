//! The export shape of a stored posting, shared by `antenne export` and `GET /api/v1/ads/{id}`.

use serde::Serialize;

use crate::model::{Location, PostingRecord, SalaryRange, Sighting, Verdict};

/// One posting as exported: the ad fields, its sources, status, verdict and review.
#[derive(Debug, Serialize)]
pub struct ExportRecord<'a> {
    /// Our id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Plain-text description.
    pub description: &'a str,
    /// Employer.
    pub employer: Option<&'a str>,
    /// Location object.
    pub location: &'a Location,
    /// Contract label.
    pub contract: Option<&'a str>,
    /// Working time.
    pub hours: Option<&'a str>,
    /// Salary as written.
    pub salary: Option<&'a str>,
    /// Salary as figures.
    pub salary_range: Option<&'a SalaryRange>,
    /// Contract duration in months.
    pub contract_months: Option<u32>,
    /// Full or part time.
    pub full_time: Option<bool>,
    /// Weekly hours.
    pub weekly_hours: Option<f64>,
    /// Employer type code.
    pub employer_type: Option<&'a str>,
    /// Publication date, ISO.
    pub published: Option<String>,
    /// Application deadline, ISO.
    pub valid_through: Option<String>,
    /// Canonical URL.
    pub url: Option<&'a str>,
    /// Every source that carries it.
    pub sources: &'a [Sighting],
    /// `open`, `expired` or `gone`.
    pub status: &'static str,
    /// The verdict object.
    pub verdict: Option<&'a Verdict>,
    /// The staff decision that holds for this revision: `{"state", "at"}`, or null.
    pub review: Option<ReviewView>,
}

/// A staff decision as exported and answered by the API.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReviewView {
    /// `confirmed`, `lifted` or `following`.
    pub state: &'static str,
    /// When it was decided (RFC 3339).
    pub at: String,
}

impl<'a> From<&'a PostingRecord> for ExportRecord<'a> {
    fn from(r: &'a PostingRecord) -> Self {
        let p = &r.posting;
        Self {
            id: &p.id,
            title: &p.title,
            description: &p.description,
            employer: p.employer.as_deref(),
            location: &p.location,
            contract: p.contract.as_deref(),
            hours: p.hours.as_deref(),
            salary: p.salary.as_deref(),
            salary_range: p.salary_range.as_ref(),
            contract_months: p.contract_months,
            full_time: p.full_time,
            weekly_hours: p.weekly_hours,
            employer_type: p.employer_type.as_deref(),
            published: p.published.map(|d| d.to_string()),
            valid_through: p.valid_through.map(|d| d.to_string()),
            url: p.url.as_deref(),
            sources: &r.sources,
            status: r.status.as_str(),
            verdict: r.verdict.as_ref(),
            review: r.decision().map(|d| ReviewView {
                state: d.state.api_name(),
                at: d.at.to_rfc3339(),
            }),
        }
    }
}

/// Writes records as CSV (one row per posting; sources joined by spaces, verdict as its code).
pub fn write_csv<W: std::io::Write>(out: W, records: &[PostingRecord]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "title",
        "employer",
        "city",
        "postcode",
        "department",
        "department_code",
        "region",
        "contract",
        "contract_months",
        "hours",
        "full_time",
        "weekly_hours",
        "salary",
        "salary_min",
        "salary_max",
        "salary_period",
        "employer_type",
        "country",
        "published",
        "valid_through",
        "url",
        "sources",
        "status",
        "verdict",
        "claims_ant",
        "flagged",
        "review",
    ])?;
    for r in records {
        let p = &r.posting;
        let l = &p.location;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let sources: Vec<String> = r
            .sources
            .iter()
            .map(|s| format!("{}={}", s.name, s.url))
            .collect();
        w.write_record([
            p.id.clone(),
            p.title.clone(),
            opt(&p.employer),
            opt(&l.city),
            opt(&l.postcode),
            opt(&l.department),
            opt(&l.department_code),
            opt(&l.region),
            opt(&p.contract),
            p.contract_months.map(|m| m.to_string()).unwrap_or_default(),
            opt(&p.hours),
            p.full_time.map(|f| f.to_string()).unwrap_or_default(),
            p.weekly_hours.map(|h| h.to_string()).unwrap_or_default(),
            opt(&p.salary),
            p.salary_range
                .as_ref()
                .map(|s| s.min.to_string())
                .unwrap_or_default(),
            p.salary_range
                .as_ref()
                .map(|s| s.max.to_string())
                .unwrap_or_default(),
            p.salary_range
                .as_ref()
                .map(|s| s.period.clone())
                .unwrap_or_default(),
            opt(&p.employer_type),
            opt(&l.country),
            p.published.map(|d| d.to_string()).unwrap_or_default(),
            p.valid_through.map(|d| d.to_string()).unwrap_or_default(),
            opt(&p.url),
            sources.join(" "),
            r.status.as_str().to_owned(),
            r.verdict
                .as_ref()
                .map(|v| v.verdict.as_str().to_owned())
                .unwrap_or_default(),
            r.verdict
                .as_ref()
                .map(|v| v.claims_ant.to_string())
                .unwrap_or_default(),
            r.verdict
                .as_ref()
                .map(|v| v.flagged.to_string())
                .unwrap_or_default(),
            r.decision()
                .map(|d| d.state.api_name().to_owned())
                .unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
