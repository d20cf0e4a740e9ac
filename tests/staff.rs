//! The staff review space: every staff route refuses anonymous requests; login with
//! throttling; forms refused without the session's CSRF token; decisions and the audit log.

use antenne::web::staff::{STAFF_ROUTES, hash_password};
use antenne::web::{AppState, router};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt;

use crate::web::{ant, state_with};

const EMAIL: &str = "revue@federation.example";
const PASSWORD: &str = "un mot de passe assez long";

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn post(uri: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 15;
    html[at..].split('"').next().unwrap().to_owned()
}

fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

async fn staff_state() -> AppState {
    let mut wm = ant("bbbb2222", "Animateur numérique de territoire");
    wm.description = "Administrer le site internet de l'office de tourisme sous WordPress, référencement naturel (SEO), \
                      intégration HTML et CSS, statistiques Google Analytics, refonte du site web."
        .into();
    let state = state_with(&[wm, ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    let hash = hash_password(PASSWORD).unwrap();
    state
        .store
        .create_user(EMAIL, &hash, chrono::Utc::now())
        .unwrap();
    state
}

/// Logs in and returns the session cookie.
async fn login(state: &AppState) -> String {
    let (status, headers, html) = send(state, get("/connexion", "")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&html, "csrf");
    let pre = set_cookie(&headers, "antenne_connexion").unwrap();
    let pre = pre.split(';').next().unwrap();
    let (status, headers, _) = send(
        state,
        post(
            "/connexion",
            pre,
            &[
                ("email", EMAIL),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("suite", "/revue"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/revue");
    let session = set_cookie(&headers, "antenne_session").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(attr), "{session}");
    }
    session.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn every_staff_route_refuses_anonymous_requests() {
    let state = staff_state().await;
    for (method, path) in STAFF_ROUTES {
        for cookie in ["", "antenne_session=forged"] {
            let req = if *method == "GET" {
                get(path, cookie)
            } else {
                post(path, cookie, &[("csrf", "x"), ("action", "confirm")])
            };
            let (status, headers, _) = send(&state, req).await;
            if *method == "GET" {
                assert_eq!(status, StatusCode::SEE_OTHER, "{method} {path}");
                assert!(
                    headers[header::LOCATION]
                        .to_str()
                        .unwrap()
                        .starts_with("/connexion?suite="),
                    "{path}"
                );
            } else {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
            }
        }
    }
    assert!(
        state.store.review_log(None, 10).unwrap().is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn review_decisions_with_csrf_and_audit() {
    let state = staff_state().await;
    let session = login(&state).await;
    let (status, _, queue) = send(&state, get("/revue", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        queue.contains("/revue/annonces/bbbb2222") && !queue.contains("/revue/annonces/aaaa1111"),
        "only flagged ads: {queue}"
    );
    let (_, _, page) = send(&state, get("/revue/annonces/bbbb2222", &session)).await;
    assert!(page.contains("<mark>WordPress</mark>"), "{page}");
    let csrf = hidden(&page, "csrf");
    let decision = "/revue/annonces/bbbb2222/decision";

    // Forms without the session's token are refused, and write nothing.
    for bad in ["", "not-the-token"] {
        let (status, _, _) = send(
            &state,
            post(decision, &session, &[("action", "confirm"), ("csrf", bad)]),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert!(state.store.review_log(None, 10).unwrap().is_empty());

    let (status, _, _) = send(
        &state,
        post(
            decision,
            &session,
            &[("action", "confirm"), ("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Lifting needs a reason.
    let (status, _, body) = send(
        &state,
        post(decision, &session, &[("action", "lift"), ("csrf", &csrf)]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Indiquez pourquoi"));
    let (status, _, _) = send(
        &state,
        post(
            decision,
            &session,
            &[
                ("action", "lift"),
                ("reason", "les partenaires sont accompagnés"),
                ("csrf", &csrf),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        state
            .store
            .posting("bbbb2222")
            .unwrap()
            .unwrap()
            .review_state()
            .as_str(),
        "lifted"
    );
    // Undo goes back to the confirmed state.
    send(
        &state,
        post(decision, &session, &[("action", "undo"), ("csrf", &csrf)]),
    )
    .await;
    assert_eq!(
        state
            .store
            .posting("bbbb2222")
            .unwrap()
            .unwrap()
            .review_state()
            .as_str(),
        "confirmed"
    );

    let (_, _, journal) = send(&state, get("/revue/journal", &session)).await;
    for want in [
        "signalement confirmé",
        "signalement levé",
        "les partenaires sont accompagnés",
        "annulation",
        EMAIL,
    ] {
        assert!(journal.contains(want), "{want} in {journal}");
    }
    let log = state.store.review_log(Some("bbbb2222"), 10).unwrap();
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .all(|e| e.rules_version.is_some() && e.revision == Some(1))
    );

    // Logging out ends the session.
    let (status, _, _) = send(&state, post("/deconnexion", &session, &[("csrf", &csrf)])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&state, get("/revue", &session)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logins_are_throttled() {
    let state = staff_state().await;
    let (_, headers, html) = send(&state, get("/connexion", "")).await;
    let csrf = hidden(&html, "csrf");
    let pre = set_cookie(&headers, "antenne_connexion")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for _ in 0..5 {
        let (status, _, body) = send(
            &state,
            post(
                "/connexion",
                &pre,
                &[("email", EMAIL), ("password", "faux"), ("csrf", &csrf)],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("Adresse ou mot de passe incorrect"));
    }
    // Even the right password is refused while throttled.
    let (status, _, body) = send(
        &state,
        post(
            "/connexion",
            &pre,
            &[("email", EMAIL), ("password", PASSWORD), ("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Trop de tentatives"));
    // And the login form itself needs its token.
    let (status, _, _) = send(
        &state,
        post(
            "/connexion",
            "",
            &[("email", EMAIL), ("password", PASSWORD), ("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn decisions_measure_the_rules_and_export_as_labelled_ads() {
    let state = staff_state().await;
    let session = login(&state).await;
    let (_, _, page) = send(&state, get("/revue/annonces/bbbb2222", &session)).await;
    let csrf = hidden(&page, "csrf");
    send(
        &state,
        post(
            "/revue/annonces/bbbb2222/decision",
            &session,
            &[("action", "confirm"), ("csrf", &csrf)],
        ),
    )
    .await;
    // Hand-flagged: an ad the rules passed, confirmed by staff.
    send(
        &state,
        post(
            "/revue/annonces/aaaa1111/decision",
            &session,
            &[("action", "confirm"), ("csrf", &csrf)],
        ),
    )
    .await;

    let (status, _, html) = send(&state, get("/revue/regles", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<code>verdict.webmaster</code></td><td>1</td><td>0</td><td>100 %</td>"),
        "{html}"
    );
    assert!(
        html.contains("/revue/annonces/aaaa1111"),
        "the rules missed it: {html}"
    );

    let (_, headers, jsonl) = send(&state, get("/revue/decisions.jsonl", &session)).await;
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/x-ndjson")
    );
    let labels: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(labels.len(), 2);
    assert!(
        labels
            .iter()
            .any(|l| l["id"] == "bbbb2222" && l["label"] == "webmaster" && l["claims_ant"] == true)
    );
    // antenne rules eval reads them.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("decisions.jsonl"), &jsonl).unwrap();
    let out = crate::util::antenne(dir.path(), &["rules", "eval", "decisions.jsonl"]).await;
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    assert!(crate::util::stdout(&out).contains("sur 2 annonces"));

    let (_, _, csv) = send(&state, get("/revue/decisions.csv", &session)).await;
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.starts_with("created_at,posting_id,action"));
    let (_, _, queue) = send(&state, get("/revue/file.csv", &session)).await;
    assert!(
        queue
            .lines()
            .any(|l| l.starts_with("bbbb2222,") && l.contains("confirmed"))
    );
}

#[tokio::test]
async fn sources_and_statistics_pages_draw_svg() {
    let state = staff_state().await;
    state
        .store
        .sync_sources(&[antenne::model::Source {
            name: "board-a".into(),
            kind: antenne::model::SourceKind::Feed,
            url: "http://127.0.0.1:9/f.rss".into(),
            schedule: "0 0 * * * *".into(),
            follow_links: false,
            links: None,
            next: None,
            fields: Default::default(),
            display_name: None,
            terms: None,
        }])
        .unwrap();
    let now = chrono::Utc::now();
    for new in [3, 5, 4] {
        let run = antenne::store::RunRecord {
            source: "board-a".into(),
            started_at: now,
            finished_at: now,
            fetched: 1,
            new,
            ..Default::default()
        };
        state.store.record_run(&run, None).unwrap();
    }
    let session = login(&state).await;
    let (status, _, html) = send(&state, get("/revue/sources", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<td>board-a</td>") && html.contains("<svg class=\"spark\""),
        "{html}"
    );
    assert!(html.contains("<td>4</td>"), "ads per run: {html}");
    let (status, _, html) = send(&state, get("/revue/statistiques", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Annonces par région")
            && html.contains("Nouvelle-Aquitaine")
            && html.matches("<svg class=\"bars\"").count() == 3,
        "{html}"
    );
    assert!(
        html.contains("Poste de webmaster"),
        "the flagged share names the category: {html}"
    );
}

#[tokio::test]
async fn bulk_decisions_ask_to_confirm_the_count_first() {
    let mut cm = ant("cccc3333", "Animatrice numérique de territoire");
    cm.description = "Animer les réseaux sociaux de l'office de tourisme : ligne éditoriale, calendrier de publications, \
                      stories Instagram, influenceurs, newsletter."
        .into();
    let state = staff_state().await;
    let rules = antenne::rules::RuleSet::builtin().unwrap();
    state
        .store
        .upsert_posting(
            "board",
            "https://board.example/c",
            &cm,
            &rules.evaluate(&cm),
            chrono::Utc::now(),
        )
        .unwrap();
    let session = login(&state).await;
    let (_, _, queue) = send(&state, get("/revue", &session)).await;
    let csrf = hidden(&queue, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("action", "confirm"),
        ("ids", "bbbb2222"),
        ("ids", "cccc3333"),
    ];
    let (status, _, confirm) = send(&state, post("/revue/lot", &session, &form)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        confirm.contains("pour <strong>2</strong> annonce(s)"),
        "{confirm}"
    );
    assert!(
        state.store.review_log(None, 10).unwrap().is_empty(),
        "nothing before the confirmation"
    );
    let mut confirmed = form.to_vec();
    confirmed.push(("confirmed", "1"));
    let (status, _, _) = send(&state, post("/revue/lot", &session, &confirmed)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(state.store.review_log(None, 10).unwrap().len(), 2);
    for id in ["bbbb2222", "cccc3333"] {
        assert_eq!(
            state
                .store
                .posting(id)
                .unwrap()
                .unwrap()
                .review_state()
                .as_str(),
            "confirmed"
        );
    }
    // Lifting in bulk needs a reason too; a wrong token is refused.
    let (status, _, _) = send(
        &state,
        post(
            "/revue/lot",
            &session,
            &[
                ("csrf", csrf.as_str()),
                ("action", "lift"),
                ("ids", "bbbb2222"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = send(
        &state,
        post(
            "/revue/lot",
            &session,
            &[
                ("csrf", "faux"),
                ("action", "confirm"),
                ("ids", "bbbb2222"),
                ("confirmed", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_merge_or_separate_possible_duplicates() {
    let state = staff_state().await;
    let mut copy = ant("dddd4444", "Animatrice numérique de territoire (bis)");
    copy.url = Some("https://other.example/9".into());
    let mut third = ant("eeee5555", "Animatrice numérique de territoire (ter)");
    third.url = Some("https://other.example/10".into());
    let rules = antenne::rules::RuleSet::builtin().unwrap();
    let now = chrono::Utc::now();
    state
        .store
        .upsert_posting(
            "autre",
            "https://other.example/9",
            &copy,
            &rules.evaluate(&copy),
            now,
        )
        .unwrap();
    state
        .store
        .upsert_posting(
            "autre",
            "https://other.example/10",
            &third,
            &rules.evaluate(&third),
            now,
        )
        .unwrap();
    state
        .store
        .record_candidate("aaaa1111", "dddd4444", 0.7, now)
        .unwrap();
    state
        .store
        .record_candidate("aaaa1111", "eeee5555", 0.6, now)
        .unwrap();
    let session = login(&state).await;
    let (status, _, html) = send(&state, get("/revue/doublons", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ressemblance 70 %") && html.contains("Ressemblance 60 %"),
        "{html}"
    );
    let csrf = hidden(&html, "csrf");

    let (status, _, _) = send(
        &state,
        post(
            "/revue/doublons/decision",
            &session,
            &[
                ("a", "aaaa1111"),
                ("b", "dddd4444"),
                ("action", "merge"),
                ("csrf", &csrf),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let kept = state.store.posting("aaaa1111").unwrap().unwrap();
    let mut names: Vec<&str> = kept.sources.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["autre", "board"],
        "the merged posting carries both sightings"
    );
    assert!(state.store.posting("dddd4444").unwrap().is_none());
    let found = state
        .index
        .search(&antenne::index::SearchQuery {
            text: "animatrice".into(),
            limit: 10,
            all: true,
            ..Default::default()
        })
        .unwrap();
    assert!(
        found.hits.iter().all(|h| h.id != "dddd4444"),
        "the index forgets the merged posting"
    );

    send(
        &state,
        post(
            "/revue/doublons/decision",
            &session,
            &[
                ("a", "aaaa1111"),
                ("b", "eeee5555"),
                ("action", "distinct"),
                ("csrf", &csrf),
            ],
        ),
    )
    .await;
    let (_, _, html) = send(&state, get("/revue/doublons", &session)).await;
    assert!(html.contains("Aucune paire en attente"), "{html}");
    assert!(state.store.posting("eeee5555").unwrap().is_some());
}

/// Among undecided ads, the least certain verdicts come first, saying between which two.
#[tokio::test]
async fn the_queue_shows_uncertain_verdicts_first() {
    let state = staff_state().await;
    let rules = antenne::rules::RuleSet::builtin().unwrap();
    let mut unsure = ant("dddd4444", "Animatrice numérique de territoire");
    unsure.published = chrono::NaiveDate::from_ymd_opt(2020, 1, 1);
    let mut verdict = rules.evaluate(&unsure);
    verdict.verdict = antenne::model::VerdictCode::Webmaster;
    verdict.flagged = true;
    verdict.margin = 0.04;
    verdict.runner_up = Some(antenne::model::VerdictCode::Ant);
    state
        .store
        .upsert_posting(
            "board",
            "https://board.example/d",
            &unsure,
            &verdict,
            chrono::Utc::now(),
        )
        .unwrap();
    let session = login(&state).await;
    let (status, _, queue) = send(&state, get("/revue", &session)).await;
    assert_eq!(status, StatusCode::OK);
    let first = queue.find("/revue/annonces/").unwrap();
    assert!(
        queue[first..].starts_with("/revue/annonces/dddd4444"),
        "the oldest but least certain ad comes first: {queue}"
    );
    assert!(
        queue.contains("verdict incertain : webmaster ou ANT"),
        "{queue}"
    );
}

/// A login form's token and cookie, as a browser would hold them.
async fn login_token(state: &AppState) -> (String, String) {
    let (_, headers, html) = send(state, get("/connexion", "")).await;
    let csrf = hidden(&html, "csrf");
    let pre = set_cookie(&headers, "antenne_connexion")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (csrf, pre)
}

fn from_client(mut req: Request<Body>, ip: [u8; 4]) -> Request<Body> {
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40000,
        ))));
    req
}

/// 200 wrong passwords posted at once from one client reach the password check at most five
/// times: each attempt is counted before the check, in one statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_logins_cannot_slip_past_the_throttle() {
    let state = staff_state().await;
    let (csrf, pre) = login_token(&state).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (state, csrf, pre) = (state.clone(), csrf.clone(), pre.clone());
        tasks.spawn(async move {
            let req = post(
                "/connexion",
                &pre,
                &[("email", EMAIL), ("password", "faux"), ("csrf", &csrf)],
            );
            send(&state, from_client(req, [10, 0, 0, 7])).await.0
        });
    }
    let statuses = tasks.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + throttled, 200);
    assert!(checked <= 5, "{checked} reached the password check");
}

/// One client cannot lock a colleague out: after five failures from one machine, the account
/// still opens from another, and its owner is told of the failed attempts.
#[tokio::test]
async fn one_client_cannot_lock_an_account_and_staff_are_told() {
    let state = staff_state().await;
    let (csrf, pre) = login_token(&state).await;
    for _ in 0..6 {
        let req = post(
            "/connexion",
            &pre,
            &[("email", EMAIL), ("password", "faux"), ("csrf", &csrf)],
        );
        send(&state, from_client(req, [10, 0, 0, 8])).await;
    }
    let req = post(
        "/connexion",
        &pre,
        &[("email", EMAIL), ("password", PASSWORD), ("csrf", &csrf)],
    );
    let (status, headers, body) = send(&state, from_client(req, [10, 0, 0, 9])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let session = set_cookie(&headers, "antenne_session").unwrap();
    let session = session.split(';').next().unwrap();
    let (_, _, queue) = send(&state, get("/revue", session)).await;
    assert!(
        queue.contains("5 tentatives de connexion échouées sur votre compte"),
        "{queue}"
    );
    // Shown once.
    let (_, _, again) = send(&state, get("/revue", session)).await;
    assert!(!again.contains("tentatives de connexion échouées"));
}
