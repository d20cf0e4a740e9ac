//! « Vérifier une annonce »: an employer pastes a draft ad (`/verifier`, or `POST
//! /api/v1/validate`) and reads the verdict, each finding with a suggestion from the framework,
//! and the checklist of a conforming ANT ad. Nothing is stored; size and rate are limited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::{Form, Json};
use serde::Deserialize;

use super::views::{date_fr, sentence};
use super::{AppState, WebError};
use crate::model::{RawPosting, Verdict};
use crate::rules::advice::{self, CheckItem};

/// Longest draft text accepted, in characters (a long ad is about 6 000).
pub const MAX_CHECK_CHARS: usize = 20_000;
/// Longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// The form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Draft {
    #[serde(default)]
    titre: String,
    #[serde(default)]
    texte: String,
}

/// The API's body.
#[derive(Debug, Deserialize)]
pub(super) struct ApiDraft {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: String,
}

/// A finding as an employer reads it.
struct Point {
    message: String,
    extracts: Vec<String>,
    suggestion: String,
}

struct Outcome {
    code: &'static str,
    label: &'static str,
    sentence: String,
    share: String,
    points: Vec<Point>,
    checklist: Vec<CheckItem>,
    ticked: usize,
}

#[derive(Template)]
#[template(path = "check.html")]
struct Page {
    titre: String,
    texte: String,
    max_chars: usize,
    max_label: String,
    max_title: usize,
    error: String,
    outcome: Option<Outcome>,
    today: String,
}

impl Page {
    fn new(draft: Draft) -> Self {
        Self {
            titre: draft.titre,
            texte: draft.texte,
            max_chars: MAX_CHECK_CHARS,
            max_label: crate::model::fr::number(MAX_CHECK_CHARS as f64),
            max_title: MAX_TITLE_CHARS,
            error: String::new(),
            outcome: None,
            today: date_fr(chrono::Utc::now().date_naive()),
        }
    }

    fn render_html(&self) -> Result<Html<String>, WebError> {
        Ok(Html(self.render().map_err(WebError::internal)?))
    }
}

/// `GET /verifier`: the empty form.
pub(super) async fn form() -> Result<Html<String>, WebError> {
    Page::new(Draft::default()).render_html()
}

/// `POST /verifier`: the form again, with the verdict and the advice below it (or the refusal,
/// with status 400, and the text kept).
pub(super) async fn page(
    State(state): State<AppState>,
    Form(draft): Form<Draft>,
) -> Result<(StatusCode, Html<String>), WebError> {
    let judged = judge(&state, &draft.titre, &draft.texte).await;
    let mut page = Page::new(draft);
    let status = match judged {
        Ok(v) => {
            page.outcome = Some(outcome(&v));
            StatusCode::OK
        }
        Err(WebError::BadRequest(message)) => {
            page.error = crate::model::fr::spaces(&message);
            StatusCode::BAD_REQUEST
        }
        Err(e) => return Err(e),
    };
    Ok((status, page.render_html()?))
}

/// `POST /api/v1/validate`: the verdict, each finding with its suggestion, and the checklist.
pub(super) async fn api(
    State(state): State<AppState>,
    body: Result<Json<ApiDraft>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, WebError> {
    let Json(draft) = body.map_err(|e| {
        WebError::BadRequest(format!(
            "Le corps de la demande doit être un objet JSON avec « description » (et « title » si vous le souhaitez) : {}",
            e.body_text()
        ))
        .api()
    })?;
    let v = judge(
        &state,
        draft.title.as_deref().unwrap_or_default(),
        &draft.description,
    )
    .await
    .map_err(WebError::api)?;
    let findings: Vec<serde_json::Value> = v
        .findings
        .iter()
        .map(|f| {
            let mut value = serde_json::to_value(f).unwrap_or_default();
            if let Some(o) = value.as_object_mut() {
                o.insert("suggestion".into(), advice::suggestion(&f.rule, &v).into());
            }
            value
        })
        .collect();
    Ok(Json(serde_json::json!({
        "verdict": v.verdict,
        "label": v.verdict.label_fr(),
        "sentence": sentence(v.verdict, v.claims_ant),
        "claims_ant": v.claims_ant,
        "flagged": v.flagged,
        "margin": v.margin,
        "runner_up": v.runner_up,
        "facilitation_share": v.facilitation_share,
        "findings": findings,
        "checklist": advice::checklist(&v),
        "rules_version": v.rules_version,
        "stored": false,
    })))
}

/// Validates a draft; a refusal is a `BadRequest` in French.
async fn judge(state: &AppState, title: &str, text: &str) -> Result<Verdict, WebError> {
    if text.trim().is_empty() {
        return Err(WebError::BadRequest(
            "Collez le texte de l'annonce (ses missions surtout) pour la vérifier.".into(),
        ));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(WebError::BadRequest(format!(
            "L'intitulé compte plus de {MAX_TITLE_CHARS} caractères : gardez le nom du poste."
        )));
    }
    // Counted as the form counts them: a line break is one character, whatever the browser
    // sends.
    let chars = text.chars().count() - text.matches("\r\n").count();
    if chars > MAX_CHECK_CHARS {
        return Err(WebError::BadRequest(format!(
            "Le texte compte {} caractères : la vérification en accepte {} au plus. Gardez l'essentiel : l'intitulé, la présentation du poste et ses missions.",
            crate::model::fr::number(chars as f64),
            crate::model::fr::number(MAX_CHECK_CHARS as f64),
        )));
    }
    let raw = RawPosting {
        title: Some(title.to_owned()),
        description: Some(text.to_owned()),
        ..RawPosting::default()
    };
    let rules = state.rules.clone();
    tokio::task::spawn_blocking(move || {
        let posting = crate::normalize::draft("brouillon".into(), raw)
            .map_err(|e| WebError::BadRequest(format!("L'annonce ne peut pas être lue : {e}")))?;
        Ok(rules.evaluate(&posting))
    })
    .await
    .map_err(WebError::internal)?
}

fn outcome(v: &Verdict) -> Outcome {
    let points = v
        .findings
        .iter()
        .filter(|f| f.rule != "verdict.incertain")
        .map(|f| Point {
            message: crate::model::fr::spaces(&f.message),
            extracts: f.evidence.iter().map(|e| e.text.clone()).take(3).collect(),
            suggestion: crate::model::fr::spaces(
                advice::suggestion(&f.rule, v).unwrap_or_default(),
            ),
        })
        .collect();
    let checklist = advice::checklist(v);
    Outcome {
        code: v.verdict.as_str(),
        label: v.verdict.label_fr(),
        sentence: sentence(v.verdict, v.claims_ant),
        share: v
            .facilitation_share
            .as_ref()
            .and_then(|s| s.value.map(|_| s.line_fr()))
            .unwrap_or_default(),
        ticked: checklist.iter().filter(|i| i.ok).count(),
        checklist,
        points,
    }
}
