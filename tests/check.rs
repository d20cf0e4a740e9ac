//! « Vérifier une annonce »: the page and `POST /api/v1/validate` judge a pasted draft, give
//! advice from the framework, refuse empty or huge texts in French, are rate limited, and
//! store nothing.

use antenne::web::{AppState, router};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

const ANT_TITLE: &str = "Animatrice numérique de territoire";
const ANT_TEXT: &str = "L'office de tourisme intercommunal recrute son animateur·rice numérique de territoire.\n\
Missions :\n\
- réaliser le diagnostic numérique des hébergeurs, restaurateurs et sites de visite du territoire ;\n\
- animer des ateliers collectifs et des rendez-vous individuels pour les prestataires touristiques ;\n\
- assurer une veille sur les usages numériques des visiteurs et la partager avec les professionnels ;\n\
- accompagner les socioprofessionnels dans leur présence en ligne et la gestion de leurs avis.\n\
L'accompagnement des prestataires représente 70 % du temps de travail.";

pub(crate) const WEB_TEXT: &str = "Rattaché·e à la direction de l'office, vous assurez :\n\
- la mise à jour quotidienne du site internet de l'office (WordPress) et de ses pages ;\n\
- le référencement naturel du site, le suivi des statistiques de fréquentation ;\n\
- l'intégration des contenus, des photos et des vidéos, la maintenance des extensions ;\n\
- la refonte de l'arborescence du site et le lien avec le prestataire d'hébergement.\n\
Maîtrise de WordPress, HTML et CSS exigée.";

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 10 << 20)
        .await
        .unwrap();
    let text = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("&#39;", "'");
    (status, headers, text)
}

fn form(titre: &str, texte: &str) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("titre", titre)
        .append_pair("texte", texte)
        .finish();
    Request::post("/verifier")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

fn api(body: &Value) -> Request<Body> {
    Request::post("/api/v1/validate")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The store's generation and number of postings: what a check must leave as it was.
fn footprint(state: &AppState) -> (i64, usize) {
    (
        state.store.generation().unwrap(),
        state.store.postings().unwrap().len(),
    )
}

#[tokio::test]
async fn the_page_judges_a_pasted_ad_gives_advice_and_stores_nothing() {
    let state = crate::web::state_with(&[crate::web::ant("aaaa1111", ANT_TITLE)]).await;
    let before = footprint(&state);

    let (status, _, page) = crate::web::get(&state, "/verifier").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<textarea id=\"texte\" name=\"texte\""),
        "{page}"
    );
    assert!(page.contains("Rien n'est enregistré"));

    let (status, _, page) = send(&state, form(ANT_TITLE, ANT_TEXT)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Conforme au référentiel ANT"), "{page}");
    assert!(page.contains("Ce que contient une annonce d'ANT conforme"));
    assert!(page.contains("(présent)"));
    // The draft is kept in the form, escaped.
    assert!(page.contains("animer des ateliers collectifs"));

    let (status, _, page) = send(&state, form(ANT_TITLE, WEB_TEXT)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Poste de webmaster"), "{page}");
    assert!(
        page.contains("se présente comme un poste d'animateur·rice numérique de territoire"),
        "{page}"
    );
    assert!(page.contains("class=\"suggestion\""));
    assert!(page.contains("(absent)"));
    // Staff vocabulary stays out of the employer's page.
    assert!(!page.contains("verdict.webmaster"));
    assert!(!page.contains("bloquant"));

    assert_eq!(footprint(&state), before, "a check stores nothing");
    let (_, _, found) = crate::web::get(&state, "/api/v1/search?q=webmaster&all=1").await;
    let found: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(found["total"], 0, "the draft is not searchable");
}

#[tokio::test]
async fn the_api_answers_the_verdict_suggestions_and_checklist_as_documented() {
    let state = crate::web::state_with(&[]).await;
    let before = footprint(&state);
    let (status, _, body) = send(
        &state,
        api(&serde_json::json!({"title": ANT_TITLE, "description": WEB_TEXT})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["verdict"], "webmaster");
    assert_eq!(v["claims_ant"], true);
    assert_eq!(v["flagged"], true);
    assert_eq!(v["stored"], false);
    let webmaster = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "verdict.webmaster")
        .expect("the verdict's finding");
    assert!(
        webmaster["suggestion"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{webmaster}"
    );
    let checklist = v["checklist"].as_array().unwrap();
    assert_eq!(checklist.len(), 8);
    let ticked = |key: &str| checklist.iter().find(|i| i["key"] == key).unwrap()["ok"].clone();
    assert_eq!(ticked("intitule"), true);
    assert_eq!(ticked("diagnostic"), false);

    let (_, _, ok) = send(&state, api(&serde_json::json!({"description": ANT_TEXT}))).await;
    let ok: Value = serde_json::from_str(&ok).unwrap();
    assert_eq!(ok["verdict"], "ant", "{ok}");
    let ticked = |key: &str| {
        ok["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap()["ok"]
            .clone()
    };
    assert_eq!(ticked("diagnostic"), true);
    assert_eq!(ticked("formats"), true);

    let (_, _, doc) = crate::web::get(&state, "/api/v1/openapi.json").await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let schema = &doc["paths"]["/api/v1/validate"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    crate::openapi::check(&doc, schema, &v, "$").unwrap();
    crate::openapi::check(&doc, schema, &ok, "$").unwrap();
    assert_eq!(footprint(&state), before);
}

#[tokio::test]
async fn empty_huge_or_malformed_drafts_are_refused_in_french() {
    let state = crate::web::state_with(&[]).await;
    let (_, _, doc) = crate::web::get(&state, "/api/v1/openapi.json").await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let error = &doc["paths"]["/api/v1/validate"]["post"]["responses"]["400"]["content"]["application/json"]
        ["schema"];

    let (status, _, page) = send(&state, form(&"Animatrice ".repeat(40), ANT_TEXT)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("L'intitulé compte plus de 300 caractères"),
        "{page}"
    );
    // Line breaks count once, as the form counts them.
    let lines = "Animer des ateliers.\r\n".repeat(900);
    let (status, _, _) = send(&state, form(ANT_TITLE, &lines)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} characters as typed",
        lines.len() - 900
    );

    let (status, _, page) = send(&state, form(ANT_TITLE, "   ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Collez le texte de l'annonce"), "{page}");

    let huge = "Animer des ateliers pour les prestataires. ".repeat(600);
    let (status, _, page) = send(&state, form(ANT_TITLE, &huge)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("en accepte 20\u{202f}000 au plus"), "{page}");

    for body in [
        serde_json::json!({"description": ""}).to_string(),
        serde_json::json!({"description": huge}).to_string(),
        "{\"description\": ".to_owned(),
        "[1, 2]".to_owned(),
    ] {
        let req = Request::post("/api/v1/validate")
            .header("content-type", "application/json")
            .body(Body::from(body.clone()))
            .unwrap();
        let (status, headers, answer) = send(&state, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{body}"
        );
        let v: Value = serde_json::from_str(&answer).unwrap();
        crate::openapi::check(&doc, error, &v, "$").unwrap();
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(char::is_uppercase), "{message}");
    }
}

#[tokio::test]
async fn checks_are_rate_limited_per_client() {
    let state = crate::web::state_with(&[]).await;
    let app = router(state.clone());
    let mut refused = None;
    for n in 0..=antenne::web::limits::CHECK_BURST {
        let res = app
            .clone()
            .oneshot(form(ANT_TITLE, ANT_TEXT))
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((n, res));
            break;
        }
    }
    let (n, res) = refused.expect("the checker refuses a burst");
    assert_eq!(n, antenne::web::limits::CHECK_BURST);
    assert!(res.headers().contains_key("retry-after"));
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert!(body.contains("Trop de"), "{body}");

    let app = router(state);
    let mut status = StatusCode::OK;
    for _ in 0..=antenne::web::limits::CHECK_BURST {
        let res = app
            .clone()
            .oneshot(api(&serde_json::json!({"description": ANT_TEXT})))
            .await
            .unwrap();
        status = res.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert!(v["error"]["message"].is_string(), "{v}");
            break;
        }
    }
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
