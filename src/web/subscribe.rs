//! Subscriptions: `POST /abonnement` from the search page, confirmation, the management page
//! reached by a signed link, and one-click unsubscribe (RFC 8058) needing no login.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::Utc;
use serde::Deserialize;

use super::{AppState, WebError};
use crate::digest::links::{Purpose, Signer};
use crate::digest::search::SavedSearch;
use crate::digest::{self, Mail};
use crate::normalize::places;
use crate::store::Subscription;

/// Unconfirmed subscriptions one address may hold; past this, no more confirmation requests.
pub const MAX_PENDING_PER_ADDRESS: i64 = 5;
/// Least time between two confirmation requests for one subscription.
pub const CONFIRM_RESEND_AFTER: chrono::Duration = chrono::Duration::minutes(10);

struct FormView {
    action: String,
    token: String,
    button: &'static str,
    button_id: &'static str,
}

struct ManageView {
    token: String,
    email: String,
    search: String,
    confirmed: bool,
    paused: bool,
    q: String,
    region: String,
    department: String,
}

#[derive(Template)]
#[template(path = "subscription.html")]
struct Page {
    title: &'static str,
    paragraphs: Vec<String>,
    form: Option<FormView>,
    manage: Option<ManageView>,
    regions: Vec<&'static str>,
}

impl Page {
    fn message(title: &'static str, paragraphs: Vec<String>) -> Self {
        Self {
            title,
            paragraphs,
            form: None,
            manage: None,
            regions: Vec::new(),
        }
    }

    fn html(&self) -> Result<Html<String>, WebError> {
        self.render().map(Html).map_err(WebError::internal)
    }
}

fn mail(state: &AppState) -> Result<&Mail, WebError> {
    state.mail.as_deref().ok_or_else(|| {
        WebError::Unavailable(
            "Les abonnements par courriel ne sont pas activés sur ce site.".into(),
        )
    })
}

/// The subscription form of the search page.
#[derive(Debug, Deserialize)]
pub(super) struct SubscribeForm {
    email: String,
    #[serde(default)]
    q: String,
    region: Option<String>,
    department: Option<String>,
    contract: Option<String>,
    employer_type: Option<String>,
}

fn check_address(raw: &str) -> Result<String, WebError> {
    let email = raw.trim().to_lowercase();
    let bad = || {
        WebError::BadRequest(format!(
            "Adresse électronique invalide : « {} ».",
            raw.trim()
        ))
    };
    if email.len() > 254 || !email.contains('@') {
        return Err(bad());
    }
    email.parse::<lettre::Address>().map_err(|_| bad())?;
    Ok(email)
}

pub(super) async fn subscribe(
    State(state): State<AppState>,
    Form(f): Form<SubscribeForm>,
) -> Result<Html<String>, WebError> {
    let mail = mail(&state)?;
    let email = check_address(&f.email)?;
    let search = SavedSearch::from_fields(
        &f.q,
        f.region.as_deref(),
        f.department.as_deref(),
        f.contract.as_deref(),
        f.employer_type.as_deref(),
    )
    .map_err(WebError::BadRequest)?;
    let now = Utc::now();
    let (q, filters, address) = (search.q.clone(), search.filters_json(), email.clone());
    // Adding the subscription and claiming its confirmation e-mail are one store call; the
    // claim is one statement, so parallel posts cannot send more than the cap.
    let (sub, send) = state
        .store
        .run(
            move |s| -> Result<(Subscription, bool), crate::store::StoreError> {
                let sub = s.add_subscription(&address, &q, &filters, now)?;
                let send = s.claim_confirmation(
                    sub.id,
                    now,
                    now - CONFIRM_RESEND_AFTER,
                    MAX_PENDING_PER_ADDRESS,
                )?;
                Ok((sub, send))
            },
        )
        .await
        .map_err(WebError::internal)?;
    // The page says the same whatever the address's state, so that it reveals nothing.
    let done = Page::message(
        "Vérifiez votre messagerie",
        vec![
            format!(
                "Si l'adresse {email} est valide, un courriel vient de lui être envoyé avec un \
                 lien pour confirmer l'abonnement à la recherche {}.",
                search.describe()
            ),
            "Rien ne sera envoyé tant que l'abonnement n'est pas confirmé.".to_owned(),
        ],
    );
    if !send {
        return done.html();
    }
    match digest::send_confirmation(mail, &sub, now)
        .await
        .map_err(WebError::internal)?
    {
        Ok(()) => done.html(),
        Err(e) => {
            tracing::warn!(
                subscription = sub.id,
                "confirmation email not sent: {}",
                e.message()
            );
            let (id, before) = (sub.id, sub.confirm_sent_at);
            state
                .store
                .run(move |s| s.unclaim_confirmation(id, before))
                .await
                .map_err(WebError::internal)?;
            Err(WebError::Unavailable(
                "Le courriel de confirmation n'a pas pu partir. Réessayez dans quelques minutes."
                    .into(),
            ))
        }
    }
}

/// A signed link's token.
#[derive(Debug, Deserialize)]
pub(super) struct TokenParam {
    #[serde(default)]
    t: String,
}

async fn checked(
    state: &AppState,
    purpose: Purpose,
    token: &str,
) -> Result<Subscription, WebError> {
    let mail = mail(state)?;
    let invalid =
        || WebError::BadRequest("Ce lien n'est pas valide, ou l'abonnement a été supprimé.".into());
    let id = Signer::token_id(token).ok_or_else(invalid)?;
    let sub = state
        .store
        .run(move |s| s.subscription(id))
        .await
        .map_err(WebError::internal)?
        .ok_or_else(invalid)?;
    if !mail
        .links
        .signer()
        .check_subscription(purpose, sub.id, &sub.nonce, token)
    {
        return Err(invalid());
    }
    Ok(sub)
}

pub(super) async fn confirm_page(
    State(state): State<AppState>,
    Query(p): Query<TokenParam>,
) -> Result<Html<String>, WebError> {
    let sub = checked(&state, Purpose::Confirm, &p.t).await?;
    let search = SavedSearch::from_stored(&sub.query, &sub.filters);
    let mut page = Page::message(
        "Confirmer l'abonnement",
        vec![format!(
            "Recevoir chaque lundi, à l'adresse {}, les nouvelles offres de la recherche {} ?",
            sub.email,
            search.describe()
        )],
    );
    page.form = Some(FormView {
        action: "/abonnement/confirmer".to_owned(),
        token: p.t,
        button: "Confirmer mon abonnement",
        button_id: "confirm",
    });
    page.html()
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    Form(p): Form<TokenParam>,
) -> Result<Html<String>, WebError> {
    let sub = checked(&state, Purpose::Confirm, &p.t).await?;
    let id = sub.id;
    state
        .store
        .run(move |s| s.confirm_subscription(id, Utc::now()))
        .await
        .map_err(WebError::internal)?;
    let manage = mail(&state)?.links.manage(sub.id, &sub.nonce);
    Page::message(
        "Abonnement confirmé",
        vec![
            "Vous recevrez chaque lundi les nouvelles offres qui correspondent à votre recherche, \
             s'il y en a."
                .to_owned(),
            format!("Pour la modifier, la suspendre ou la supprimer : {manage}"),
        ],
    )
    .html()
}

fn manage_page(
    state: &AppState,
    sub: &Subscription,
    note: Option<String>,
) -> Result<Html<String>, WebError> {
    let search = SavedSearch::from_stored(&sub.query, &sub.filters);
    let token = mail(state)?
        .links
        .signer()
        .subscription_token(Purpose::Manage, sub.id, &sub.nonce);
    let mut regions: Vec<&'static str> = places::departements().iter().map(|d| d.region).collect();
    regions.sort_unstable();
    regions.dedup();
    let mut page = Page::message("Gérer mon abonnement", note.into_iter().collect());
    page.regions = regions;
    page.manage = Some(ManageView {
        token,
        email: sub.email.clone(),
        search: search.describe(),
        confirmed: sub.confirmed_at.is_some(),
        paused: sub.paused_at.is_some(),
        q: search.q.clone(),
        region: search.region.clone().unwrap_or_default(),
        department: search.department.unwrap_or_default(),
    });
    page.html()
}

pub(super) async fn manage(
    State(state): State<AppState>,
    Query(p): Query<TokenParam>,
) -> Result<Html<String>, WebError> {
    let sub = checked(&state, Purpose::Manage, &p.t).await?;
    manage_page(&state, &sub, None)
}

/// A change from the management page.
#[derive(Debug, Deserialize)]
pub(super) struct ManageForm {
    #[serde(default)]
    t: String,
    action: String,
    #[serde(default)]
    q: String,
    region: Option<String>,
    department: Option<String>,
}

pub(super) async fn manage_action(
    State(state): State<AppState>,
    Form(f): Form<ManageForm>,
) -> Result<Html<String>, WebError> {
    let sub = checked(&state, Purpose::Manage, &f.t).await?;
    let id = sub.id;
    let now = Utc::now();
    let note = match f.action.as_str() {
        "pause" | "resume" => {
            let paused = f.action == "pause";
            state
                .store
                .run(move |s| s.pause_subscription(id, paused, now))
                .await
                .map_err(WebError::internal)?;
            if paused {
                "Les envois sont en pause."
            } else {
                "Les envois reprennent."
            }
        }
        "change" => {
            let old = SavedSearch::from_stored(&sub.query, &sub.filters);
            let new = SavedSearch::from_fields(
                &f.q,
                f.region.as_deref(),
                f.department.as_deref(),
                old.contract.as_deref(),
                old.employer_type.as_deref(),
            )
            .map_err(WebError::BadRequest)?;
            let (q, filters) = (new.q.clone(), new.filters_json());
            state
                .store
                .run(move |s| s.change_subscription(id, &q, &filters))
                .await
                .map_err(WebError::internal)?;
            "La recherche est enregistrée."
        }
        "delete" => {
            state
                .store
                .run(move |s| s.delete_subscription(id))
                .await
                .map_err(WebError::internal)?;
            return Page::message(
                "Abonnement supprimé",
                vec!["Cet abonnement et l'adresse qui lui était associée sont effacés.".to_owned()],
            )
            .html();
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "Action inconnue : « {other} »."
            )));
        }
    };
    let sub = state
        .store
        .run(move |s| s.subscription(id))
        .await
        .map_err(WebError::internal)?
        .ok_or(WebError::NotFound)?;
    manage_page(&state, &sub, Some(note.to_owned()))
}

/// The one-click unsubscribe link: the address and its signature.
#[derive(Debug, Deserialize)]
pub(super) struct UnsubscribeParams {
    #[serde(default)]
    e: String,
    #[serde(default)]
    t: String,
}

fn check_unsubscribe(state: &AppState, p: &UnsubscribeParams) -> Result<(), WebError> {
    if mail(state)?.links.signer().check_unsubscribe(&p.e, &p.t) {
        Ok(())
    } else {
        Err(WebError::BadRequest(
            "Ce lien de désabonnement n'est pas valide.".into(),
        ))
    }
}

pub(super) async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(p): Query<UnsubscribeParams>,
) -> Result<Html<String>, WebError> {
    check_unsubscribe(&state, &p)?;
    let mut page = Page::message(
        "Se désabonner",
        vec![format!(
            "Ne plus recevoir aucun courriel d'antenne à l'adresse {} ?",
            p.e
        )],
    );
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("e", &p.e), ("t", &p.t)])
        .finish();
    page.form = Some(FormView {
        action: format!("/abonnement/desinscrire?{query}"),
        token: p.t,
        button: "Me désabonner",
        button_id: "unsubscribe",
    });
    page.html()
}

/// RFC 8058: a POST to the `List-Unsubscribe` URL (body `List-Unsubscribe=One-Click`, sent by
/// the mail client) unsubscribes at once, with no login and no cookie. Idempotent.
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Query(p): Query<UnsubscribeParams>,
) -> Result<Html<String>, WebError> {
    check_unsubscribe(&state, &p)?;
    let email = p.e.clone();
    let n = state
        .store
        .run(move |s| s.unsubscribe_address(&email))
        .await
        .map_err(WebError::internal)?;
    tracing::info!(subscriptions = n, "address unsubscribed");
    Page::message(
        "Vous êtes désabonné·e",
        vec![format!(
            "L'adresse {} ne recevra plus aucun courriel d'antenne ; ses abonnements sont effacés.",
            p.e
        )],
    )
    .html()
}
