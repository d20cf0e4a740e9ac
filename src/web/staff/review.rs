//! `/revue/annonces/{id}`: one flagged ad with its evidence highlighted, and the decisions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Staff;
use super::queue::{LogRow, log_rows, status_label};
use crate::model::{Evidence, PostingRecord};
use crate::store::ReviewEntry;
use crate::web::views::{FindingView, date_fr, place};
use crate::web::{AppState, WebError};

/// A stretch of the description, highlighted when some finding's evidence covers it.
pub(super) struct Segment {
    text: String,
    marked: bool,
}

/// Splits `text` into plain and highlighted stretches from evidence byte ranges.
fn segments(text: &str, evidence: &[&Evidence]) -> Vec<Segment> {
    let mut ranges: Vec<(usize, usize)> = evidence
        .iter()
        .filter(|e| {
            e.end <= text.len()
                && text.is_char_boundary(e.start)
                && text.is_char_boundary(e.end)
                && e.start < e.end
        })
        .map(|e| (e.start, e.end))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in merged {
        if s > at {
            out.push(Segment {
                text: text[at..s].to_owned(),
                marked: false,
            });
        }
        out.push(Segment {
            text: text[s..e].to_owned(),
            marked: true,
        });
        at = e;
    }
    if at < text.len() {
        out.push(Segment {
            text: text[at..].to_owned(),
            marked: false,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    staff: String,
    csrf: String,
    id: String,
    title: String,
    employer: String,
    place: String,
    published: String,
    verdict: String,
    flagged: bool,
    status: &'static str,
    revision: i64,
    changed_since_review: bool,
    findings: Vec<FindingView>,
    /// The estimated facilitation share, in words.
    share: String,
    scores: Vec<(String, f64)>,
    text: Vec<Segment>,
    sources: Vec<(String, String)>,
    log: Vec<LogRow>,
    error: Option<String>,
}

fn render(
    staff: &Staff,
    r: &PostingRecord,
    log: Vec<ReviewEntry>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let p = &r.posting;
    let evidence: Vec<&Evidence> = r
        .verdict
        .iter()
        .flat_map(|v| v.findings.iter())
        .flat_map(|f| f.evidence.iter())
        .filter(|e| e.field == "description")
        .collect();
    let reviewed_revision = log
        .iter()
        .find(|e| e.action != "note")
        .and_then(|e| e.revision);
    let page = ReviewPage {
        staff: staff.email.clone(),
        csrf: staff.csrf.clone(),
        id: p.id.clone(),
        title: p.title.clone(),
        employer: p.employer.clone().unwrap_or_default(),
        place: place(r),
        published: p.published.map(date_fr).unwrap_or_default(),
        verdict: r
            .verdict
            .as_ref()
            .map_or("non évaluée", |v| v.verdict.label_fr())
            .to_owned(),
        flagged: r.verdict.as_ref().is_some_and(|v| v.flagged),
        status: status_label(r.review_state().as_str()),
        revision: r.revision,
        changed_since_review: reviewed_revision.is_some_and(|rev| rev < r.revision),
        findings: r
            .verdict
            .iter()
            .flat_map(|v| v.findings.iter().map(|f| FindingView::new(f, v.verdict)))
            .collect(),
        share: r
            .verdict
            .as_ref()
            .and_then(|v| v.facilitation_share.as_ref())
            .map(crate::model::FacilitationShare::line_fr)
            .unwrap_or_default(),
        scores: r
            .verdict
            .iter()
            .flat_map(|v| v.scores.iter())
            .filter(|(_, s)| **s > 0.0)
            .map(|(k, s)| (k.clone(), *s))
            .collect(),
        text: segments(&p.description, &evidence),
        sources: r
            .sources
            .iter()
            .map(|s| (s.name.clone(), s.url.clone()))
            .collect(),
        log: log_rows(log),
        error,
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (record, log) = fetch(&state, &id).await?;
    render(&staff, &record, log, None)
}

async fn fetch(state: &AppState, id: &str) -> Result<(PostingRecord, Vec<ReviewEntry>), WebError> {
    if id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(WebError::NotFound);
    }
    let id = id.to_owned();
    let (record, log) = state
        .store
        .run(move |s| -> Result<_, crate::store::StoreError> {
            Ok((s.posting(&id)?, s.review_log(Some(&id), 200)?))
        })
        .await
        .map_err(WebError::internal)?;
    Ok((record.ok_or(WebError::NotFound)?, log))
}

#[derive(Debug, Deserialize)]
pub(super) struct Decision {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    csrf: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<Decision>,
) -> Result<Response, WebError> {
    staff.check_csrf(&form.csrf)?;
    let (record, log) = fetch(&state, &id).await?;
    let current = record.review_state().as_str().to_owned();
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let note = Some(form.note.trim().to_owned()).filter(|n| !n.is_empty());
    let status = match form.action.as_str() {
        "confirm" => "confirmed".to_owned(),
        "lift" if reason.is_none() => {
            let page = render(
                &staff,
                &record,
                log,
                Some("Indiquez pourquoi vous levez ce signalement.".into()),
            )?;
            return Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response());
        }
        "lift" => "lifted".to_owned(),
        "follow" => "follow".to_owned(),
        "note" if note.is_none() => return Err(WebError::BadRequest("La note est vide.".into())),
        "note" => current,
        "undo" => {
            // Back to the state before the last decision (notes change no state).
            let decisions: Vec<&ReviewEntry> = log.iter().filter(|e| e.action != "note").collect();
            match decisions.first() {
                None => return Err(WebError::BadRequest("Aucune décision à annuler.".into())),
                Some(_) => decisions
                    .get(1)
                    .map_or_else(|| "pending".to_owned(), |e| e.status.clone()),
            }
        }
        _ => return Err(WebError::BadRequest("Action inconnue.".into())),
    };
    let entry = ReviewEntry {
        id: 0,
        posting_id: record.posting.id.clone(),
        action: form.action.clone(),
        status,
        reason,
        note,
        reviewer: staff.email.clone(),
        rules_version: record.verdict.as_ref().map(|v| v.rules_version.clone()),
        revision: Some(record.revision),
        created_at: String::new(),
    };
    state
        .store
        .run(move |s| s.add_review(&entry, chrono::Utc::now()))
        .await
        .map_err(WebError::internal)?;
    super::refresh_index(&state, vec![record.posting.id.clone()]).await?;
    Ok(Redirect::to(&format!("/revue/annonces/{}", record.posting.id)).into_response())
}
