//! `/revue/resume`: the weekly digest seen by staff: this week's outbox, subscriptions, and a
//! button that plans and sends the week's digest now (the scheduler does it on Mondays).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::Staff;
use crate::digest::{self, Week, compose::week_span};
use crate::web::{AppState, WebError};

pub(super) struct Line {
    recipient: String,
    kind: &'static str,
    ads: i64,
    status: &'static str,
    attempts: i64,
    error: String,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct DigestPage {
    staff: String,
    csrf: String,
    week: String,
    span: String,
    lines: Vec<Line>,
    active: i64,
    unconfirmed: i64,
    paused: i64,
    enabled: bool,
}

fn status_fr(s: &str) -> &'static str {
    match s {
        "sent" => "envoyé",
        "failed" => "refusé",
        "sending" => "en cours d'envoi",
        _ => "en attente",
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, WebError> {
    let week = Week::of(Utc::now());
    let w = week.to_string();
    let (rows, subs) = state
        .store
        .run(move |s| -> Result<_, crate::store::StoreError> {
            Ok((s.outbox(&w)?, s.subscription_counts()?))
        })
        .await
        .map_err(WebError::internal)?;
    let page = DigestPage {
        staff: staff.email.clone(),
        csrf: staff.csrf.clone(),
        week: week.to_string(),
        span: week_span(week),
        lines: rows
            .into_iter()
            .map(|r| Line {
                recipient: r.recipient,
                kind: if r.kind == "staff" {
                    "équipe"
                } else {
                    "abonné·e"
                },
                ads: r.ads,
                status: status_fr(&r.status),
                attempts: r.attempts,
                error: r.error.unwrap_or_default(),
            })
            .collect(),
        active: subs.active,
        unconfirmed: subs.unconfirmed,
        paused: subs.paused,
        enabled: state.mail.is_some(),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

#[derive(Debug, Deserialize)]
pub(super) struct SendNow {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn send(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<SendNow>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let mail = state
        .mail
        .as_deref()
        .ok_or_else(|| WebError::Unavailable("L'envoi de courriels n'est pas configuré.".into()))?;
    let now = Utc::now();
    let report = digest::run_week(&state.store, mail, Week::of(now), now, false)
        .await
        .map_err(WebError::internal)?;
    tracing::info!(
        by = %staff.email,
        planned = report.planned.iter().filter(|p| !p.already).count(),
        sent = report.delivery.sent.len(),
        "weekly digest run from the review space"
    );
    Ok(Redirect::to("/revue/resume").into_response())
}
