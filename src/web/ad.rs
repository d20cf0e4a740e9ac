//! `GET /annonces/{id}` (the ad page with its verdict explained) and `GET /api/v1/ads/{id}`.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;

use super::views::{Block, PublicCheck, blocks, date_fr, place};
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
    open: bool,
    /// Where to apply, and the board's name.
    apply: Option<(String, String)>,
    blocks: Vec<Block>,
    sources: Vec<SourceView>,
    check: Option<PublicCheck>,
    json_ld: String,
    /// Open Graph description: the ad's first words.
    og_description: String,
    og_url: String,
}

/// « CDD de 12 mois », « CDI ».
fn contract_fr(p: &crate::model::Posting) -> String {
    let c = p.contract.clone().unwrap_or_default();
    match p.contract_months {
        Some(m) if !c.contains("mois") && !c.is_empty() => format!("{c} de {m}\u{a0}mois"),
        _ => c,
    }
}

/// The salary as people read it: the parsed range when there is one, else the board's words.
fn salary_fr(p: &crate::model::Posting) -> String {
    let raw = p.salary.clone().unwrap_or_default();
    match &p.salary_range {
        Some(r) => r.label_fr(raw.to_lowercase().contains("brut")),
        None => raw,
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let r = load(&state, id).await?;
    let p = &r.posting;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let shown = |name: &str| {
        state
            .site
            .display_names
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    };
    // Apply where the ad was seen most recently (a board that still carries it).
    let apply = r
        .sources
        .iter()
        .max_by_key(|s| s.last_seen)
        .map(|s| (s.url.clone(), shown(&s.name)))
        .or_else(|| {
            p.url
                .clone()
                .map(|u| (u, "le site de l'employeur".to_owned()))
        });
    let page = AdPage {
        title: p.title.clone(),
        employer: opt(&p.employer),
        place: place(&r),
        contract: contract_fr(p),
        hours: opt(&p.hours),
        salary: salary_fr(p),
        published: p.published.map(date_fr).unwrap_or_default(),
        deadline: p.valid_through.map(date_fr).unwrap_or_default(),
        status: match r.status.as_str() {
            "open" => "ouverte",
            "expired" => "date limite dépassée",
            _ => "retirée",
        },
        open: r.status.as_str() == "open",
        apply,
        blocks: blocks(&p.description),
        sources: r
            .sources
            .iter()
            .map(|s| SourceView {
                name: shown(&s.name),
                url: s.url.clone(),
                first_seen: date_fr(s.first_seen.date_naive()),
                last_seen: date_fr(s.last_seen.date_naive()),
            })
            .collect(),
        check: PublicCheck::of(&r),
        json_ld: job_posting_json_ld(&r),
        og_description: {
            let mut d: String = p.description.chars().take(200).collect();
            if p.description.chars().count() > 200 {
                d.push('…');
            }
            d.replace('\n', " ")
        },
        og_url: format!("{}/annonces/{}", state.base_url, p.id),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

/// schema.org employment types, with the French contract kept beside them (« CDI »).
fn employment_type(p: &crate::model::Posting) -> Vec<String> {
    let contract = p.contract.clone().unwrap_or_default();
    let folded = contract.to_lowercase();
    let mut types = Vec::new();
    if folded.contains("cdd")
        || folded.contains("saisonnier")
        || folded.contains("projet")
        || folded.contains("contractuel")
        || p.contract_months.is_some()
    {
        types.push("TEMPORARY".to_owned());
    }
    if folded.contains("stage") || folded.contains("alternance") || folded.contains("apprenti") {
        types.push("INTERN".to_owned());
    }
    match p.full_time {
        Some(true) => types.push("FULL_TIME".to_owned()),
        Some(false) => types.push("PART_TIME".to_owned()),
        None if folded.contains("cdi") || folded.contains("titulaire") => {
            types.push("FULL_TIME".to_owned());
        }
        None => {}
    }
    if !contract.is_empty() {
        types.push(contract);
    }
    types
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
        "identifier": {"@type": "PropertyValue", "name": "antenne", "value": p.id},
        "directApply": false,
        "employmentType": employment_type(p),
        "baseSalary": p.salary_range.as_ref().map(|s| serde_json::json!({
            "@type": "MonetaryAmount",
            "currency": s.currency,
            "value": {
                "@type": "QuantitativeValue",
                "minValue": s.min,
                "maxValue": s.max,
                "unitText": match s.period.as_str() {
                    "hour" => "HOUR",
                    "day" => "DAY",
                    "week" => "WEEK",
                    "year" => "YEAR",
                    _ => "MONTH",
                },
            },
        })),
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
