//! Login, logout, sessions and the `Staff` extractor.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use crate::store::LoginLimits;
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::web::{AppState, WebError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "antenne_session";
/// Name of the cookie holding the login form's anti-CSRF token.
const LOGIN_CSRF_COOKIE: &str = "antenne_connexion";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins tolerated within `THROTTLE_MINUTES`: five from one client; an account is
/// locked only after twenty from at least three clients, so that nobody can lock a colleague
/// out from one machine.
pub const LOGIN_LIMITS: LoginLimits = LoginLimits {
    per_client: 5,
    per_account: 20,
    account_clients: 3,
};
/// The window of the login throttle.
pub const THROTTLE_MINUTES: i64 = 15;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A hash verified when the account does not exist, so that an unknown address costs the same
/// time as a wrong password (no telling which accounts exist).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password").expect("argon2 hashes"))
}

fn verify(password: &str, stored: &str) -> bool {
    stored.parse::<PasswordHash>().is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// 32 random bytes in hex.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A logged-in staff member: routes that take it refuse everyone else. A page asked for
/// without a session redirects to the login page; an action is refused with 401.
#[derive(Debug, Clone)]
pub struct Staff {
    /// E-mail address.
    pub email: String,
    /// The session's anti-CSRF token, to put in forms and check on posts.
    pub csrf: String,
    /// A notice to show once (failed attempts on the account since the last login).
    pub notice: Option<String>,
    token_hash: String,
}

impl Staff {
    /// The hash of the session's token.
    pub(crate) fn token_hash(&self) -> &str {
        &self.token_hash
    }

    /// Refuses a form whose token is not the session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if sent.is_empty() || sent != self.csrf {
            return Err(WebError::Forbidden(
                "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page.".into(),
            ));
        }
        Ok(())
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let refuse = || {
            if parts.method == axum::http::Method::GET {
                let next = url::form_urlencoded::byte_serialize(parts.uri.path().as_bytes())
                    .collect::<String>();
                Redirect::to(&format!("/connexion?suite={next}")).into_response()
            } else {
                WebError::Unauthorized.into_response()
            }
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(refuse());
        };
        let hash = token_hash(&token);
        let lookup = hash.clone();
        let session = state
            .store
            .run(move |s| s.session(&lookup, Utc::now()))
            .await
            .map_err(|e| WebError::internal(e).into_response())?;
        match session {
            Some(s) => Ok(Staff {
                email: s.email,
                csrf: s.csrf,
                notice: s.notice,
                token_hash: hash,
            }),
            None => Err(refuse()),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    suite: String,
    error: Option<String>,
    email: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LoginQuery {
    #[serde(default)]
    suite: String,
}

fn safe_next(next: &str) -> String {
    // Only our own staff pages: never an open redirect.
    if next.starts_with("/revue") && !next.starts_with("//") {
        next.to_owned()
    } else {
        "/revue".to_owned()
    }
}

fn login_form(
    status: StatusCode,
    suite: &str,
    email: &str,
    error: Option<String>,
    secure: bool,
) -> Result<Response, WebError> {
    let csrf = random_token();
    let page = LoginPage {
        csrf: csrf.clone(),
        suite: safe_next(suite),
        error,
        email: email.to_owned(),
    };
    let html = page.render().map_err(WebError::internal)?;
    Ok((
        status,
        [(
            header::SET_COOKIE,
            set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure),
        )],
        Html(html),
    )
        .into_response())
}

pub(super) async fn login_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Result<Response, WebError> {
    login_form(
        StatusCode::OK,
        &q.suite,
        "",
        None,
        state.base_url.starts_with("https://"),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    suite: String,
}

pub(super) async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<crate::web::network::ClientIp>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let secure = state.base_url.starts_with("https://");
    if form.csrf.is_empty()
        || cookie(&headers, LOGIN_CSRF_COOKIE).as_deref() != Some(form.csrf.as_str())
    {
        return Err(WebError::Forbidden(
            "Le formulaire a expiré : rechargez la page de connexion.".into(),
        ));
    }
    let email = form.email.trim().to_lowercase();
    let peer = peer.map_or_else(
        || "local".to_owned(),
        |p| crate::web::network::ClientIp::budget_key(p.0.ip).to_string(),
    );
    let (e, p) = (email.clone(), peer.clone());
    let now = Utc::now();
    let since = now - chrono::Duration::minutes(THROTTLE_MINUTES);
    // The attempt is counted before the password is checked, in one statement: parallel
    // requests cannot all slip under the limit.
    let claim = state
        .store
        .run(move |s| s.claim_login_attempt(&e, &p, now, since, LOGIN_LIMITS))
        .await
        .map_err(WebError::internal)?;
    let Some(claim) = claim else {
        tracing::warn!(peer = %peer, "login throttled");
        return login_form(
            StatusCode::TOO_MANY_REQUESTS,
            &form.suite,
            &email,
            Some(format!(
                "Trop de tentatives : réessayez dans {THROTTLE_MINUTES} minutes."
            )),
            secure,
        );
    };
    let e = email.clone();
    let account = state
        .store
        .run(move |s| s.user_hash(&e))
        .await
        .map_err(WebError::internal)?;
    let password = form.password;
    // Hashing is slow on purpose: off the async workers. An unknown address is checked
    // against a dummy hash, at the same cost.
    let user = tokio::task::spawn_blocking(move || match account {
        Some((id, hash)) => verify(&password, &hash).then_some(id),
        None => {
            verify(&password, dummy_hash());
            None
        }
    })
    .await
    .map_err(WebError::internal)?;
    let Some(user_id) = user else {
        return login_form(
            StatusCode::UNAUTHORIZED,
            &form.suite,
            &email,
            Some("Adresse ou mot de passe incorrect.".into()),
            secure,
        );
    };
    let (token, csrf) = (random_token(), random_token());
    let hash = token_hash(&token);
    let e = email.clone();
    state
        .store
        .run(move |s| -> Result<(), crate::store::StoreError> {
            s.release_login_attempt(claim)?;
            let failed = s.record_login(user_id, &e, now)?;
            s.create_session(
                &hash,
                user_id,
                &csrf,
                now,
                now + chrono::Duration::hours(SESSION_HOURS),
            )?;
            if failed > 0 {
                s.set_session_notice(
                    &hash,
                    &format!(
                        "{failed} tentative{} de connexion échouée{} sur votre compte depuis votre dernière connexion.",
                        if failed > 1 { "s" } else { "" },
                        if failed > 1 { "s" } else { "" }
                    ),
                )?;
            }
            Ok(())
        })
        .await
        .map_err(WebError::internal)?;
    let mut res = Redirect::to(&safe_next(&form.suite)).into_response();
    let headers = res.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, SESSION_HOURS * 3600, secure)
            .parse()
            .expect("valid cookie"),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure)
            .parse()
            .expect("valid cookie"),
    );
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&form.csrf)?;
    let hash = staff.token_hash.clone();
    state
        .store
        .run(move |s| s.delete_session(&hash))
        .await
        .map_err(WebError::internal)?;
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            "",
            0,
            state.base_url.starts_with("https://"),
        )
        .parse()
        .expect("valid cookie"),
    );
    Ok(res)
}
