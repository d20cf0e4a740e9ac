//! The web layer's one error type: logged once, shown as a generic French page or JSON.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A failed request.
#[derive(Debug)]
pub enum WebError {
    /// Nothing at this address.
    NotFound,
    /// The request is wrong; the message is French and safe to show.
    BadRequest(String),
    /// Staff only: nobody is logged in.
    Unauthorized,
    /// Refused (a form without its anti-CSRF token); the message is French.
    Forbidden(String),
    /// Too many requests from one client; the message is French.
    TooManyRequests(String),
    /// A service we depend on (the mail server) is down; the message is French.
    Unavailable(String),
    /// The request body is larger than the site accepts.
    TooLarge,
    /// Our fault; the cause is logged, not shown.
    Internal(String),
    /// As above, answered in JSON for the API.
    Api(Box<WebError>),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl WebError {
    /// Wraps any displayable internal error.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// The same error, answered as JSON.
    pub fn api(self) -> Self {
        Self::Api(Box::new(self))
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Cette page n'existe pas ou l'annonce a été retirée.".into(),
            ),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Connectez-vous pour accéder à cet espace.".into(),
            ),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            Self::TooManyRequests(m) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                m.clone(),
            ),
            Self::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m.clone()),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "La demande est trop volumineuse pour être traitée.".into(),
            ),
            Self::Internal(cause) => {
                tracing::error!("internal error: {cause}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Une erreur interne est survenue ; réessayez dans un instant.".into(),
                )
            }
            Self::Api(inner) => inner.parts(),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        if matches!(self, Self::Api(_)) {
            let body = serde_json::json!({ "error": { "code": code, "message": message } });
            return (status, Json(body)).into_response();
        }
        let title = match status {
            StatusCode::NOT_FOUND => "Page introuvable",
            StatusCode::BAD_REQUEST => "Demande incorrecte",
            StatusCode::UNAUTHORIZED => "Connexion requise",
            StatusCode::FORBIDDEN => "Demande refusée",
            StatusCode::TOO_MANY_REQUESTS => "Trop de demandes",
            StatusCode::SERVICE_UNAVAILABLE => "Service momentanément indisponible",
            StatusCode::PAYLOAD_TOO_LARGE => "Demande trop volumineuse",
            _ => "Erreur",
        };
        let page = ErrorPage {
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        (status, Html(page)).into_response()
    }
}

/// Rejections that axum answers itself in English plain text (a body over the limit) become
/// the site's French page, or JSON under `/api/`.
pub(super) async fn french_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let e = match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE if plain => WebError::TooLarge,
        // A query string or form axum could not read (« page=abc »).
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE
            if plain =>
        {
            WebError::BadRequest(
                "La demande contient un paramètre invalide (par exemple un numéro de page qui n'est pas un nombre).".into(),
            )
        }
        _ => return res,
    };
    if api { e.api() } else { e }.into_response()
}

pub(super) async fn not_found() -> WebError {
    WebError::NotFound
}
