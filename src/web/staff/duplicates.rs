//! `/revue/doublons`: pairs of ads that may be one job (issue of the near-duplicate check's grey
//! band), for staff to merge or keep apart.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Staff;
use crate::model::PostingRecord;
use crate::web::views::place;
use crate::web::{AppState, WebError};

pub(super) struct Side {
    id: String,
    title: String,
    employer: String,
    place: String,
    sources: String,
}

pub(super) struct Pair {
    a: Side,
    b: Side,
    score: String,
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    staff: String,
    csrf: String,
    pairs: Vec<Pair>,
}

fn side(r: &PostingRecord) -> Side {
    Side {
        id: r.posting.id.clone(),
        title: r.posting.title.clone(),
        employer: r.posting.employer.clone().unwrap_or_default(),
        place: place(r),
        sources: r
            .sources
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, WebError> {
    let pairs = state
        .store
        .run(|s| -> Result<Vec<Pair>, crate::store::StoreError> {
            let mut out = Vec::new();
            for c in s
                .duplicate_candidates()?
                .into_iter()
                .filter(|c| c.status == "pending")
            {
                if let (Some(a), Some(b)) = (s.posting(&c.a)?, s.posting(&c.b)?) {
                    out.push(Pair {
                        a: side(&a),
                        b: side(&b),
                        score: format!("{:.0} %", c.score * 100.0),
                    });
                }
            }
            Ok(out)
        })
        .await
        .map_err(WebError::internal)?;
    let page = DuplicatesPage {
        staff: staff.email,
        csrf: staff.csrf,
        pairs,
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

#[derive(Debug, Deserialize)]
pub(super) struct Decision {
    a: String,
    b: String,
    action: String,
    #[serde(default)]
    csrf: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Form(d): Form<Decision>,
) -> Result<Response, WebError> {
    staff.check_csrf(&d.csrf)?;
    match d.action.as_str() {
        "distinct" => {
            let (a, b) = (d.a.clone(), d.b.clone());
            state
                .store
                .run(move |s| s.set_candidate_status(&a, &b, "distinct"))
                .await
                .map_err(WebError::internal)?;
        }
        "merge" => {
            let index = state.index.clone();
            let (a, b) = (d.a.clone(), d.b.clone());
            state
                .store
                .run(move |s| -> Result<(), String> {
                    let first_seen = |id: &str| s.posting(id).map(|r| r.map(|r| r.first_seen));
                    let (fa, fb) = (
                        first_seen(&a).map_err(|e| e.to_string())?,
                        first_seen(&b).map_err(|e| e.to_string())?,
                    );
                    // The posting seen first keeps its id and text.
                    let (keep, gone) = if fb < fa { (b, a) } else { (a, b) };
                    if s.merge_postings(&keep, &gone).map_err(|e| e.to_string())? {
                        let generation = s.generation().map_err(|e| e.to_string())?;
                        index.delete(&gone, generation).map_err(|e| e.to_string())?;
                        index
                            .upsert(
                                &s.postings_by_ids(std::slice::from_ref(&keep))
                                    .map_err(|e| e.to_string())?,
                                generation,
                            )
                            .map_err(|e| e.to_string())?;
                    }
                    Ok(())
                })
                .await
                .map_err(WebError::internal)?;
        }
        _ => return Err(WebError::BadRequest("Action inconnue.".into())),
    }
    Ok(Redirect::to("/revue/doublons").into_response())
}
