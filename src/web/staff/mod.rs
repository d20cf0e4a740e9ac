//! The staff pages under `/revue`, behind a login at `/connexion`: the review queue, the review
//! page of an ad with its decisions, and the audit log. Every route here refuses anonymous
//! requests, and every form carries the session's anti-CSRF token.

mod auth;
mod bulk;
mod charts;
mod digest;
mod duplicates;
mod health;
mod queue;
mod review;
mod rules;

use axum::Router;
use axum::routing::{get, post};

use super::{AppState, WebError};

pub use auth::{SESSION_COOKIE, Staff, hash_password};

/// Every staff route with its method: the anonymous-access test walks this list.
pub const STAFF_ROUTES: &[(&str, &str)] = &[
    ("GET", "/revue"),
    ("GET", "/revue/journal"),
    ("GET", "/revue/regles"),
    ("GET", "/revue/sources"),
    ("GET", "/revue/doublons"),
    ("POST", "/revue/doublons/decision"),
    ("GET", "/revue/statistiques"),
    ("GET", "/revue/decisions.jsonl"),
    ("GET", "/revue/decisions.csv"),
    ("GET", "/revue/file.csv"),
    ("GET", "/revue/annonces/0000000000000000"),
    ("POST", "/revue/annonces/0000000000000000/decision"),
    ("POST", "/revue/lot"),
    ("POST", "/deconnexion"),
];

/// The staff routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connexion", get(auth::login_page).post(auth::login))
        .route("/deconnexion", post(auth::logout))
        .route("/revue", get(queue::page))
        .route("/revue/journal", get(queue::journal))
        .route("/revue/lot", post(bulk::apply))
        .route("/revue/regles", get(rules::precision))
        .route("/revue/sources", get(health::sources))
        .route("/revue/doublons", get(duplicates::page))
        .route("/revue/resume", get(digest::page).post(digest::send))
        .route("/revue/doublons/decision", post(duplicates::decide))
        .route("/revue/statistiques", get(health::statistics))
        .route("/revue/decisions.jsonl", get(rules::decisions_jsonl))
        .route("/revue/decisions.csv", get(rules::decisions_csv))
        .route("/revue/file.csv", get(rules::queue_csv))
        .route("/revue/annonces/{id}", get(review::page))
        .route("/revue/annonces/{id}/decision", post(review::decide))
}

/// After staff decisions: the decided postings, as the public now sees them, in the index.
pub(super) async fn refresh_index(state: &AppState, ids: Vec<String>) -> Result<(), WebError> {
    let index = state.index.clone();
    state
        .store
        .run(move |s| -> Result<(), String> {
            let records = s.postings_by_ids(&ids).map_err(|e| e.to_string())?;
            let generation = s.generation().map_err(|e| e.to_string())?;
            index
                .upsert(&records, generation)
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(WebError::internal)
}
