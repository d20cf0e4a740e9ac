//! `/revue`: the queue of flagged ads, with filters and counts; `/revue/journal`: the audit log.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::Staff;
use crate::model::{PostingRecord, VerdictCode};
use crate::web::views::{date_fr, place};
use crate::web::{AppState, WebError};

/// French labels of review states.
pub(super) fn status_label(status: &str) -> &'static str {
    match status {
        "confirmed" => "confirmé",
        "lifted" => "levé",
        "follow" => "à suivre",
        _ => "à traiter",
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    verdict: Option<String>,
    region: Option<String>,
    source: Option<String>,
    statut: Option<String>,
}

pub(super) struct Row {
    id: String,
    title: String,
    employer: String,
    place: String,
    verdict: String,
    /// « verdict incertain : webmaster ou ANT » when the two best verdicts are close.
    uncertain: String,
    status: &'static str,
    published: String,
    sources: String,
}

/// The margin of an uncertain verdict, for ordering; `None` when the verdict is clear.
fn uncertainty(r: &PostingRecord) -> Option<f64> {
    r.verdict
        .as_ref()
        .filter(|v| v.margin < crate::rules::UNCERTAIN_MARGIN && v.runner_up.is_some())
        .map(|v| v.margin)
}

pub(super) struct Facet {
    name: &'static str,
    values: Vec<(String, String, usize, bool)>,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    staff: String,
    csrf: String,
    notice: Option<String>,
    rows: Vec<Row>,
    facets: Vec<Facet>,
    total: usize,
}

fn review_status(r: &PostingRecord) -> &'static str {
    r.review_state().as_str()
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(f): Query<Filters>,
) -> Result<Html<String>, WebError> {
    let records = state
        .store
        .run(|s| s.postings())
        .await
        .map_err(WebError::internal)?;
    // The queue: ads flagged by the rules, and any ad staff already reviewed.
    let mut queue: Vec<PostingRecord> = records
        .into_iter()
        .filter(|r| r.verdict.as_ref().is_some_and(|v| v.flagged) || r.review.is_some())
        .collect();
    let keep = |r: &PostingRecord, skip: &str| {
        (skip == "verdict"
            || f.verdict
                .as_deref()
                .is_none_or(|v| r.verdict.as_ref().is_some_and(|x| x.verdict.as_str() == v)))
            && (skip == "region"
                || f.region
                    .as_deref()
                    .is_none_or(|v| r.posting.location.region.as_deref() == Some(v)))
            && (skip == "source"
                || f.source
                    .as_deref()
                    .is_none_or(|v| r.sources.iter().any(|s| s.name == v)))
            && (skip == "statut" || f.statut.as_deref().is_none_or(|v| review_status(r) == v))
    };
    let count =
        |skip: &'static str, key: fn(&PostingRecord) -> Vec<String>| -> BTreeMap<String, usize> {
            let mut m = BTreeMap::new();
            for r in queue.iter().filter(|r| keep(r, skip)) {
                for k in key(r) {
                    *m.entry(k).or_default() += 1;
                }
            }
            m
        };
    let link = |key: &str, value: &str| -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("verdict", &f.verdict),
            ("region", &f.region),
            ("source", &f.source),
            ("statut", &f.statut),
        ] {
            if k != key
                && let Some(v) = v
            {
                s.append_pair(k, v);
            }
        }
        s.append_pair(key, value);
        format!("/revue?{}", s.finish())
    };
    let facet = |name,
                 key: &'static str,
                 counts: BTreeMap<String, usize>,
                 current: &Option<String>,
                 label: &dyn Fn(&str) -> String| Facet {
        name,
        values: counts
            .into_iter()
            .map(|(v, n)| {
                (
                    label(&v),
                    link(key, &v),
                    n,
                    current.as_deref() == Some(v.as_str()),
                )
            })
            .collect(),
    };
    let facets = vec![
        facet(
            "État",
            "statut",
            count("statut", |r| vec![review_status(r).to_owned()]),
            &f.statut,
            &|s| status_label(s).to_owned(),
        ),
        facet(
            "Verdict",
            "verdict",
            count("verdict", |r| {
                r.verdict
                    .iter()
                    .map(|v| v.verdict.as_str().to_owned())
                    .collect()
            }),
            &f.verdict,
            &|v| VerdictCode::parse(v).map_or(v.to_owned(), |c| c.label_fr().to_owned()),
        ),
        facet(
            "Région",
            "region",
            count("region", |r| {
                r.posting.location.region.iter().cloned().collect()
            }),
            &f.region,
            &|r| r.to_owned(),
        ),
        facet(
            "Source",
            "source",
            count("source", |r| {
                r.sources.iter().map(|s| s.name.clone()).collect()
            }),
            &f.source,
            &|s| s.to_owned(),
        ),
    ];
    queue.retain(|r| keep(r, ""));
    // Flagged and not yet decided first; among them, the least certain verdicts (closest
    // margins) first; then by date.
    queue.sort_by(|a, b| {
        let rank = |r: &PostingRecord| match review_status(r) {
            "pending" => 0,
            "follow" => 1,
            _ => 2,
        };
        let margin = |r: &PostingRecord| uncertainty(r).unwrap_or(f64::INFINITY);
        rank(a)
            .cmp(&rank(b))
            .then(margin(a).total_cmp(&margin(b)))
            .then(b.posting.published.cmp(&a.posting.published))
    });
    let rows = queue
        .iter()
        .map(|r| Row {
            id: r.posting.id.clone(),
            title: r.posting.title.clone(),
            employer: r.posting.employer.clone().unwrap_or_default(),
            place: place(r),
            verdict: r
                .verdict
                .as_ref()
                .map_or("non évaluée", |v| v.verdict.label_fr())
                .to_owned(),
            uncertain: match (uncertainty(r), r.verdict.as_ref().and_then(|v| v.runner_up)) {
                (Some(_), Some(other)) => format!(
                    "verdict incertain : {} ou {}",
                    r.verdict.as_ref().map_or("", |v| v.verdict.short_fr()),
                    other.short_fr()
                ),
                _ => String::new(),
            },
            status: status_label(review_status(r)),
            published: r.posting.published.map(date_fr).unwrap_or_default(),
            sources: r
                .sources
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect::<Vec<_>>();
    if staff.notice.is_some() {
        let session = staff.token_hash().to_owned();
        state
            .store
            .run(move |s| s.clear_session_notice(&session))
            .await
            .map_err(WebError::internal)?;
    }
    let page = QueuePage {
        staff: staff.email,
        csrf: staff.csrf,
        notice: staff.notice,
        total: rows.len(),
        rows,
        facets,
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

pub(super) struct LogRow {
    pub(super) when: String,
    pub(super) who: String,
    pub(super) action: &'static str,
    pub(super) reason: String,
    pub(super) posting_id: String,
    pub(super) rules_version: String,
    pub(super) revision: String,
}

pub(super) fn log_rows(entries: Vec<crate::store::ReviewEntry>) -> Vec<LogRow> {
    entries
        .into_iter()
        .map(|e| LogRow {
            when: crate::model::fr::moment_of(&e.created_at),
            who: e.reviewer,
            action: match e.action.as_str() {
                "confirm" => "signalement confirmé",
                "lift" => "signalement levé",
                "follow" => "à suivre",
                "undo" => "annulation",
                _ => "note",
            },
            reason: [e.reason, e.note]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
            posting_id: e.posting_id,
            rules_version: e.rules_version.unwrap_or_default(),
            revision: e.revision.map(|r| r.to_string()).unwrap_or_default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPage {
    staff: String,
    csrf: String,
    rows: Vec<LogRow>,
}

pub(super) async fn journal(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, WebError> {
    let entries = state
        .store
        .run(|s| s.review_log(None, 500))
        .await
        .map_err(WebError::internal)?;
    let page = JournalPage {
        staff: staff.email,
        csrf: staff.csrf,
        rows: log_rows(entries),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}
