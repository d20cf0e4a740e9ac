//! `GET /annonces/{id}` (the ad page with its verdict explained) and `GET /api/v1/ads/{id}`.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;

use super::views::{FindingView, date_fr, place};
use super::{AppState, WebError};
use crate::export::ExportRecord;
use crate::model::PostingRecord;

async fn load(state: &AppState, id: String) -> Result<PostingRecord, WebError> {
    if id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(WebError::NotFound);
    }
    state
        .store
        .run(move |s| s.posting(&id))
        .await
        .map_err(WebError::internal)?
        .ok_or(WebError::NotFound)
}

struct SourceView {
    name: String,
    url: String,
    first_seen: String,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "ad.html")]
struct AdPage {
    title: String,
    employer: String,
    place: String,
    contract: String,
    hours: String,
    salary: String,
    published: String,
    deadline: String,
    status: &'static str,
    paragraphs: Vec<String>,
    sources: Vec<SourceView>,
    verdict_code: String,
    verdict_label: String,
    claims_ant: bool,
    flagged: bool,
    findings: Vec<FindingView>,
    rules_version: String,
    json_ld: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let r = load(&state, id).await?;
    let p = &r.posting;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let (verdict_code, verdict_label, claims_ant, flagged, findings, rules_version) =
        match &r.verdict {
            Some(v) => (
                v.verdict.as_str().to_owned(),
                v.verdict.label_fr().to_owned(),
                v.claims_ant,
                v.flagged,
                v.findings
                    .iter()
                    .map(|f| FindingView::new(f, v.verdict))
                    .collect(),
                v.rules_version.clone(),
            ),
            None => (
                "none".into(),
                "Non évaluée".into(),
                false,
                false,
                Vec::new(),
                String::new(),
            ),
        };
    let page = AdPage {
        title: p.title.clone(),
        employer: opt(&p.employer),
        place: place(&r),
        contract: opt(&p.contract),
        hours: opt(&p.hours),
        salary: opt(&p.salary),
        published: p.published.map(date_fr).unwrap_or_default(),
        deadline: p.valid_through.map(date_fr).unwrap_or_default(),
        status: match r.status.as_str() {
            "open" => "ouverte",
            "expired" => "date limite dépassée",
            _ => "retirée",
        },
        paragraphs: p
            .description
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        sources: r
            .sources
            .iter()
            .map(|s| SourceView {
                name: s.name.clone(),
                url: s.url.clone(),
                first_seen: date_fr(s.first_seen.date_naive()),
                last_seen: date_fr(s.last_seen.date_naive()),
            })
            .collect(),
        verdict_code,
        verdict_label,
        claims_ant,
        flagged,
        findings,
        rules_version,
        json_ld: job_posting_json_ld(&r),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

/// schema.org JobPosting for the ad, safe to embed in a `<script>` element.
fn job_posting_json_ld(r: &PostingRecord) -> String {
    let p = &r.posting;
    let l = &p.location;
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": p.title,
        "description": p.description,
        "datePosted": p.published.map(|d| d.to_string()),
        "validThrough": p.valid_through.map(|d| d.to_string()),
        "hiringOrganization": p.employer.as_ref().map(|e| serde_json::json!({"@type": "Organization", "name": e})),
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": l.city,
                "postalCode": l.postcode,
                "addressRegion": l.region,
                "addressCountry": "FR"
            }
        },
        "url": p.url,
    });
    // `<` escaped so that no text can close the script element.
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub(super) async fn api(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let r = load(&state, id).await.map_err(WebError::api)?;
    let value =
        serde_json::to_value(ExportRecord::from(&r)).map_err(|e| WebError::internal(e).api())?;
    Ok(Json(value))
}
