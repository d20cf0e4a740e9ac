//! The web server: French pages for job seekers, the JSON API, health.
//!
//! Depends on the store, the index and the model; nothing depends on it. Entry point: `router`.
//! Pages are askama templates (auto-escaped); every response carries strict security headers.

mod ad;
mod basics;
pub mod cache;
mod check;
mod error;
mod feed;
pub mod limits;
mod metrics;
pub mod network;
mod search;
pub mod staff;
mod subscribe;
mod views;

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
    /// API requests per second per client (0: no limit) and burst.
    pub api_limit: (u32, u32),
    /// Recent API answers.
    pub cache: Arc<cache::AnswerCache>,
    /// Mail (subscriptions, the staff's digest button); `None` turns subscriptions off.
    pub mail: Option<Arc<crate::digest::Mail>>,
    /// What the site says of itself: boards' names, legal notice.
    pub site: Arc<Site>,
    /// The rules in use, for employers' drafts (`/verifier`).
    pub rules: Arc<crate::rules::RuleSet>,
    /// Trusted proxies and who may read `/metrics`.
    pub network: Arc<network::Network>,
}

/// What the site says of itself.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Each source's name as job seekers know it, by source name.
    pub display_names: std::collections::BTreeMap<String, String>,
    /// Who publishes the site (« Fédération … , adresse »), for the legal notice.
    pub editor: Option<String>,
    /// How to reach the publisher about personal data.
    pub contact: Option<String>,
    /// Who hosts it.
    pub host: Option<String>,
}

const CSS: &str = include_str!("antenne.css");
const REVUE_JS: &str = include_str!("revue.js");
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The router of every route.
pub fn router(state: AppState) -> Router {
    let (per_second, burst) = state.api_limit;
    let mut api = Router::new()
        .route("/api/v1/search", get(search::api))
        .route("/api/v1/ads/{id}", get(ad::api))
        .route(
            "/api/v1/validate",
            axum::routing::post(check::api).layer(limits::check_rate_limit(true)),
        );
    if per_second > 0 {
        api = api.layer(limits::api_rate_limit(per_second, burst));
    }
    Router::new()
        .route("/", get(search::page))
        .route("/annonces/{id}", get(ad::page))
        .route(
            "/verifier",
            get(check::form)
                .merge(axum::routing::post(check::page).layer(limits::check_rate_limit(false))),
        )
        .route(
            "/abonnement",
            axum::routing::post(subscribe::subscribe).layer(limits::subscribe_rate_limit()),
        )
        .route(
            "/abonnement/confirmer",
            get(subscribe::confirm_page).post(subscribe::confirm),
        )
        .route(
            "/abonnement/gerer",
            get(subscribe::manage).post(subscribe::manage_action),
        )
        .route(
            "/abonnement/desinscrire",
            get(subscribe::unsubscribe_page).post(subscribe::unsubscribe),
        )
        .merge(api)
        .merge(staff::routes())
        .route("/flux.atom", get(feed::atom))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/mentions-legales", get(basics::legal))
        .route("/robots.txt", get(basics::robots))
        .route("/favicon.svg", get(basics::favicon))
        .route("/favicon.ico", get(basics::favicon))
        .route("/metrics", get(metrics::metrics))
        .route("/static/antenne.css", get(css))
        .route("/static/revue.js", get(revue_js))
        .fallback(error::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(error::french_rejections))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits::REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(security_headers))
        // Outermost: every layer and handler inside sees the client's address.
        .layer(axum::middleware::from_fn_with_state(
            state.network.clone(),
            network::client_address,
        ))
        .with_state(state)
}

/// Serves the router on `listener` until `shutdown` resolves, then lets requests in flight
/// finish. Each connection must send its request headers within `HEADER_READ_TIMEOUT`, so that
/// slow clients cannot hold connections open.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        continue;
                    }
                };
                let service = hyper_util::service::TowerToHyperService::new(
                    app.clone().layer(axum::Extension(axum::extract::ConnectInfo(peer))),
                );
                let mut stopped = stopped.clone();
                connections.spawn(async move {
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits::HEADER_READ_TIMEOUT);
                    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stopped.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
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

/// The OpenAPI document of the JSON API (checked against real answers by the tests).
const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn revue_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        REVUE_JS,
    )
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
