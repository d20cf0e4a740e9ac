//! What decisions say of the rules: precision per rule from confirmed and lifted flags, ads
//! flagged by hand that the rules missed, and the decisions as labelled data for
//! `antenne rules eval`, plus CSV exports of the queue and the decisions.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use super::Staff;
use crate::model::{PostingRecord, ReviewState, VerdictCode};
use crate::web::{AppState, WebError};

/// Per rule: flags confirmed and lifted by staff.
pub(super) struct RuleRow {
    rule: String,
    confirmed: usize,
    lifted: usize,
    precision: String,
}

#[derive(Template)]
#[template(path = "rules_precision.html")]
struct PrecisionPage {
    staff: String,
    csrf: String,
    rows: Vec<RuleRow>,
    missed: Vec<(String, String)>,
    decided: usize,
}

fn decided(records: &[PostingRecord]) -> Vec<&PostingRecord> {
    records
        .iter()
        .filter(|r| {
            matches!(
                r.review_state(),
                ReviewState::Confirmed | ReviewState::Lifted
            )
        })
        .collect()
}

pub(super) async fn precision(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, WebError> {
    let records = state
        .store
        .run(|s| s.postings())
        .await
        .map_err(WebError::internal)?;
    let decided = decided(&records);
    let mut per_rule: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &decided {
        let Some(v) = &r.verdict else { continue };
        if !v.flagged {
            continue;
        }
        let confirmed = r.review_state() == ReviewState::Confirmed;
        for f in &v.findings {
            let entry = per_rule.entry(f.rule.clone()).or_default();
            if confirmed {
                entry.0 += 1
            } else {
                entry.1 += 1
            }
        }
    }
    let rows = per_rule
        .into_iter()
        .map(|(rule, (confirmed, lifted))| RuleRow {
            rule,
            confirmed,
            lifted,
            precision: format!(
                "{:.0} %",
                100.0 * confirmed as f64 / (confirmed + lifted).max(1) as f64
            ),
        })
        .collect();
    // Confirmed by staff although the rules did not flag them: what the rules missed.
    let missed = decided
        .iter()
        .filter(|r| {
            r.review_state() == ReviewState::Confirmed
                && !r.verdict.as_ref().is_some_and(|v| v.flagged)
        })
        .map(|r| (r.posting.id.clone(), r.posting.title.clone()))
        .collect();
    let page = PrecisionPage {
        staff: staff.email,
        csrf: staff.csrf,
        rows,
        missed,
        decided: decided.len(),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

/// Staff decisions as labelled ads (`antenne rules eval` reads them): a confirmed flag keeps
/// the rules' verdict as its label; a lifted flag is labelled `ant`.
pub(super) async fn decisions_jsonl(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<impl IntoResponse, WebError> {
    let records = state
        .store
        .run(|s| s.postings())
        .await
        .map_err(WebError::internal)?;
    let mut out = String::new();
    for r in decided(&records) {
        let Some(v) = &r.verdict else { continue };
        let label = if r.review_state() == ReviewState::Lifted {
            VerdictCode::Ant
        } else {
            v.verdict
        };
        let p = &r.posting;
        let line = serde_json::json!({
            "id": p.id, "title": p.title, "description": p.description, "employer": p.employer,
            "location": p.location, "contract": p.contract, "published": p.published.map(|d| d.to_string()),
            "url": p.url, "label": label.as_str(), "claims_ant": v.claims_ant,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"decisions.jsonl\"",
            ),
        ],
        out,
    ))
}

fn csv_response(name: &str, rows: Vec<Vec<String>>) -> Result<impl IntoResponse + use<>, WebError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row).map_err(WebError::internal)?;
    }
    let body = w.into_inner().map_err(WebError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    ))
}

/// The review log as CSV.
pub(super) async fn decisions_csv(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<impl IntoResponse, WebError> {
    let log = state
        .store
        .run(|s| s.review_log(None, 1_000_000))
        .await
        .map_err(WebError::internal)?;
    let mut rows = vec![
        [
            "created_at",
            "posting_id",
            "action",
            "status",
            "reason",
            "note",
            "reviewer",
            "rules_version",
            "revision",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    rows.extend(log.into_iter().map(|e| {
        vec![
            e.created_at,
            e.posting_id,
            e.action,
            e.status,
            e.reason.unwrap_or_default(),
            e.note.unwrap_or_default(),
            e.reviewer,
            e.rules_version.unwrap_or_default(),
            e.revision.map(|r| r.to_string()).unwrap_or_default(),
        ]
    }));
    csv_response("decisions.csv", rows)
}

/// The queue (flagged or reviewed ads) as CSV.
pub(super) async fn queue_csv(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<impl IntoResponse, WebError> {
    let records = state
        .store
        .run(|s| s.postings())
        .await
        .map_err(WebError::internal)?;
    let mut rows = vec![
        [
            "id", "title", "employer", "region", "verdict", "flagged", "review", "sources",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    rows.extend(
        records
            .iter()
            .filter(|r| r.verdict.as_ref().is_some_and(|v| v.flagged) || r.review.is_some())
            .map(|r| {
                vec![
                    r.posting.id.clone(),
                    r.posting.title.clone(),
                    r.posting.employer.clone().unwrap_or_default(),
                    r.posting.location.region.clone().unwrap_or_default(),
                    r.verdict
                        .as_ref()
                        .map(|v| v.verdict.as_str().to_owned())
                        .unwrap_or_default(),
                    r.verdict.as_ref().is_some_and(|v| v.flagged).to_string(),
                    r.review_state().as_str().to_owned(),
                    r.sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ]
            }),
    );
    csv_response("file-de-revue.csv", rows)
}
