//! The staff pages under `/revue`, behind a login at `/connexion`: the review queue, the review
//! page of an ad with its decisions, and the audit log. Every route here refuses anonymous
//! requests, and every form carries the session's anti-CSRF token.

mod auth;
mod queue;
mod review;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

pub use auth::{SESSION_COOKIE, Staff, hash_password};

/// Every staff route with its method: the anonymous-access test walks this list.
pub const STAFF_ROUTES: &[(&str, &str)] = &[
    ("GET", "/revue"),
    ("GET", "/revue/journal"),
    ("GET", "/revue/annonces/0000000000000000"),
    ("POST", "/revue/annonces/0000000000000000/decision"),
    ("POST", "/deconnexion"),
];

/// The staff routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connexion", get(auth::login_page).post(auth::login))
        .route("/deconnexion", post(auth::logout))
        .route("/revue", get(queue::page))
        .route("/revue/journal", get(queue::journal))
        .route("/revue/annonces/{id}", get(review::page))
        .route("/revue/annonces/{id}/decision", post(review::decide))
}
