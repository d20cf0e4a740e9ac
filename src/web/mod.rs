//! The web server: French pages for job seekers, the JSON API, health.
//!
//! Depends on the store, the index and the model; nothing depends on it. Entry point: `router`.
//! Pages are askama templates (auto-escaped); every response carries strict security headers.

mod ad;
mod error;
mod feed;
mod metrics;
mod search;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::index::SearchIndex;
use crate::store::Store;

pub use error::WebError;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The index.
    pub index: Arc<SearchIndex>,
    /// Public URL of the site, for links in feeds.
    pub base_url: String,
}

const CSS: &str = include_str!("antenne.css");
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The router of every route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(search::page))
        .route("/annonces/{id}", get(ad::page))
        .route("/api/v1/search", get(search::api))
        .route("/api/v1/ads/{id}", get(ad::api))
        .route("/flux.atom", get(feed::atom))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/static/antenne.css", get(css))
        .fallback(error::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Serves the router on `addr` until `shutdown` resolves. Returns the bound address through
/// `bound` as soon as the socket listens.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.run(|s| s.generation()).await {
        Ok(_) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!("health check failed: {e}");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "store unavailable",
            )
        }
    }
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}
