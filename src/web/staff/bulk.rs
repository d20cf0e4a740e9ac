//! `POST /revue/lot`: one decision on several ads of the queue, after a confirmation that
//! states how many ads it will touch.

use askama::Template;
use axum::extract::{RawForm, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Staff;
use crate::store::ReviewEntry;
use crate::web::{AppState, WebError};

#[derive(Template)]
#[template(path = "bulk_confirm.html")]
struct ConfirmPage {
    staff: String,
    csrf: String,
    ids: Vec<String>,
    action: String,
    action_label: &'static str,
    reason: String,
}

fn label(action: &str) -> Option<&'static str> {
    match action {
        "confirm" => Some("confirmer le signalement"),
        "lift" => Some("lever le signalement"),
        "follow" => Some("marquer à suivre"),
        _ => None,
    }
}

pub(super) async fn apply(
    State(state): State<AppState>,
    staff: Staff,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let mut ids = Vec::new();
    let (mut action, mut reason, mut csrf, mut confirmed) =
        (String::new(), String::new(), String::new(), false);
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "ids" if v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric()) => {
                ids.push(v.into_owned())
            }
            "action" => action = v.into_owned(),
            "reason" => reason = v.trim().to_owned(),
            "csrf" => csrf = v.into_owned(),
            "confirmed" => confirmed = v == "1",
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    ids.sort();
    ids.dedup();
    let action_label =
        label(&action).ok_or_else(|| WebError::BadRequest("Action inconnue.".into()))?;
    if ids.is_empty() {
        return Err(WebError::BadRequest("Cochez au moins une annonce.".into()));
    }
    if action == "lift" && reason.is_empty() {
        return Err(WebError::BadRequest(
            "Indiquez pourquoi vous levez ces signalements.".into(),
        ));
    }
    if !confirmed {
        let page = ConfirmPage {
            staff: staff.email,
            csrf: staff.csrf,
            ids,
            action,
            action_label,
            reason,
        };
        return Ok(Html(page.render().map_err(WebError::internal)?).into_response());
    }
    let status = match action.as_str() {
        "confirm" => "confirmed",
        "lift" => "lifted",
        _ => "follow",
    };
    let decided = ids.clone();
    let reviewer = staff.email.clone();
    state
        .store
        .run(move |s| -> Result<(), crate::store::StoreError> {
            let now = chrono::Utc::now();
            for r in s.postings_by_ids(&ids)? {
                s.add_review(
                    &ReviewEntry {
                        id: 0,
                        posting_id: r.posting.id.clone(),
                        action: action.clone(),
                        status: status.into(),
                        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
                        note: None,
                        reviewer: reviewer.clone(),
                        rules_version: r.verdict.as_ref().map(|v| v.rules_version.clone()),
                        revision: Some(r.revision),
                        created_at: String::new(),
                    },
                    now,
                )?;
            }
            Ok(())
        })
        .await
        .map_err(WebError::internal)?;
    super::refresh_index(&state, decided).await?;
    Ok(Redirect::to("/revue").into_response())
}
