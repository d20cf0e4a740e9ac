//! The pages every public site owes its visitors and robots: the legal notice (who publishes,
//! who hosts, what is kept about subscribers and for how long), `robots.txt`, the favicon.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use super::{AppState, WebError};

#[derive(Template)]
#[template(path = "legal.html")]
struct LegalPage {
    editor: String,
    contact: String,
    host: String,
    unconfirmed_days: i64,
}

/// `/mentions-legales`.
pub(super) async fn legal(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let site = &state.site;
    let unset = "non renseigné par l'exploitant du site";
    let page = LegalPage {
        editor: site.editor.clone().unwrap_or_else(|| unset.into()),
        contact: site.contact.clone().unwrap_or_else(|| unset.into()),
        host: site.host.clone().unwrap_or_else(|| unset.into()),
        unconfirmed_days: crate::digest::UNCONFIRMED_KEPT.num_days(),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

/// `/robots.txt`: the public pages are open to robots; the review space and the API are not.
pub(super) async fn robots() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nAllow: /\nDisallow: /revue\nDisallow: /connexion\nDisallow: /api/\nDisallow: /abonnement\n",
    )
}

const FAVICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#00507a"/><path d="M16 6v20M9 11l7-5 7 5M11 26h10" stroke="#fff" stroke-width="2.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>"##;

/// The favicon (an antenna), at `/favicon.svg` and `/favicon.ico`.
pub(super) async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}
