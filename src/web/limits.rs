//! Limits that keep the server up under load and abuse: a rate limit per client address on the
//! API (429 with `Retry-After`), a cap on request bodies, a time limit per request, and (in
//! `serve`) a timeout on reading request headers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_governor::GovernorError;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest time a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time a client may take to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Keys the rate limit on the client's address (behind trusted proxies, the forwarded one);
/// requests without one (in-process tests) share one key.
#[derive(Debug, Clone, Copy)]
pub(super) struct PeerIp;

impl KeyExtractor for PeerIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let client = req
            .extensions()
            .get::<super::network::ClientIp>()
            .map(|c| c.ip);
        Ok(super::network::ClientIp::budget_key(
            client
                .or_else(|| {
                    req.extensions()
                        .get::<ConnectInfo<SocketAddr>>()
                        .map(|c| c.0.ip())
                })
                .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ))
    }
}

/// The API rate limit, answering in JSON with `Retry-After`.
pub(super) fn api_rate_limit(per_second: u32, burst: u32) -> Limit {
    let config = GovernorConfigBuilder::default()
        .per_millisecond((1000 / u64::from(per_second.max(1))).max(1))
        .burst_size(burst.max(1))
        .key_extractor(PeerIp)
        .finish()
        .expect("a valid rate limit");
    tower_governor::GovernorLayer::new(config).error_handler(too_many)
}

/// Subscription requests a client may send at once, then one per `SUBSCRIBE_INTERVAL_MS`: each
/// may send a confirmation email, so the form must not become a way to mail strangers.
pub const SUBSCRIBE_BURST: u32 = 5;
/// See [`SUBSCRIBE_BURST`].
pub const SUBSCRIBE_INTERVAL_MS: u64 = 12_000;

/// Checks of a draft ad a client may ask at once, then one per `CHECK_INTERVAL_MS`: each costs
/// a validation, and the checker must not become a free computing service.
pub const CHECK_BURST: u32 = 20;
/// See [`CHECK_BURST`].
pub const CHECK_INTERVAL_MS: u64 = 3_000;

type Limit = tower_governor::GovernorLayer<
    PeerIp,
    governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
    axum::body::Body,
>;

/// The rate limit of the subscription form, answering with a French page and `Retry-After`.
pub(super) fn subscribe_rate_limit() -> Limit {
    page_rate_limit(
        SUBSCRIBE_INTERVAL_MS,
        SUBSCRIBE_BURST,
        "Trop de demandes d'abonnement",
    )
}

/// The rate limit of the ad checker: a French page on `/verifier`, JSON on the API.
pub(super) fn check_rate_limit(api: bool) -> Limit {
    if api {
        let config = GovernorConfigBuilder::default()
            .per_millisecond(CHECK_INTERVAL_MS)
            .burst_size(CHECK_BURST)
            .key_extractor(PeerIp)
            .finish()
            .expect("a valid rate limit");
        tower_governor::GovernorLayer::new(config).error_handler(too_many)
    } else {
        page_rate_limit(CHECK_INTERVAL_MS, CHECK_BURST, "Trop de vérifications")
    }
}

fn page_rate_limit(interval_ms: u64, burst: u32, what: &'static str) -> Limit {
    let config = GovernorConfigBuilder::default()
        .per_millisecond(interval_ms)
        .burst_size(burst)
        .key_extractor(PeerIp)
        .finish()
        .expect("a valid rate limit");
    tower_governor::GovernorLayer::new(config).error_handler(move |error| {
        let wait = match error {
            GovernorError::TooManyRequests { wait_time, .. } => wait_time,
            _ => 1,
        };
        let mut res = super::WebError::TooManyRequests(format!(
            "{what} depuis votre connexion : réessayez dans {}\u{a0}s.",
            wait.max(1)
        ))
        .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, wait.max(1).into());
        res
    })
}

fn too_many(error: GovernorError) -> Response {
    let (wait, mut headers) = match error {
        GovernorError::TooManyRequests { wait_time, headers } => {
            (wait_time, headers.unwrap_or_default())
        }
        other => {
            tracing::error!("rate limiter failed: {other:?}");
            (1, Default::default())
        }
    };
    headers.insert(header::RETRY_AFTER, wait.max(1).into());
    let body = serde_json::json!({ "error": { "code": "too_many_requests",
        "message": format!("Trop de requêtes : réessayez dans {} s.", wait.max(1)) } });
    (StatusCode::TOO_MANY_REQUESTS, headers, axum::Json(body)).into_response()
}
