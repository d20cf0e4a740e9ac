//! The web layer through the router: pages in French, the API, escaping, headers.

use antenne::index::SearchIndex;
use antenne::model::{Location, Posting};
use antenne::rules::RuleSet;
use antenne::store::Store;
use antenne::web::{AppState, router};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use tower::ServiceExt;

pub(crate) async fn state_with(postings: &[Posting]) -> AppState {
    let store = Store::open_in_memory().unwrap();
    let rules = RuleSet::builtin().unwrap();
    for p in postings {
        store
            .upsert_posting(
                "board",
                &format!("http://127.0.0.1/{}", p.id),
                p,
                &rules.evaluate(p),
                Utc::now(),
            )
            .unwrap();
    }
    let index = SearchIndex::in_memory().unwrap();
    index
        .rebuild(&store.postings().unwrap(), store.generation().unwrap())
        .unwrap();
    AppState {
        store,
        index: std::sync::Arc::new(index),
        base_url: "https://antenne.example.org".into(),
        api_limit: (10, 30),
        cache: std::sync::Arc::default(),
        mail: None,
        site: std::sync::Arc::default(),
        rules: std::sync::Arc::new(rules),
        network: std::sync::Arc::default(),
    }
}

pub(crate) fn ant(id: &str, title: &str) -> Posting {
    Posting {
        id: id.into(),
        title: title.into(),
        description: "Vous animez des ateliers collectifs pour les prestataires, réalisez le diagnostic numérique des hébergeurs \
                      et assurez des rendez-vous individuels chez les restaurateurs. Accompagner les prestataires dans leur présence en ligne."
            .into(),
        employer: Some("Office de tourisme du Bassin".into()),
        location: Location {
            city: Some("Arcachon".into()),
            department: Some("Gironde".into()),
            department_code: Some("33".into()),
            region: Some("Nouvelle-Aquitaine".into()),
            ..Location::default()
        },
        published: chrono::NaiveDate::from_ymd_opt(2026, 3, 3),
        ..Posting::default()
    }
}

pub(crate) async fn get(
    state: &AppState,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn search_page_and_api_find_the_ad() {
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    let (status, headers, html) = get(&state, "/?q=numerique").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("1 offre"), "{html}");
    assert!(html.contains("href=\"/annonces/aaaa1111\""));
    assert!(html.contains("publiée le 3 mars 2026"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let (status, _, json) = get(
        &state,
        "/api/v1/search?q=numerique&region=nouvelle-aquitaine",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["results"][0]["id"], "aaaa1111");
    assert_eq!(v["results"][0]["verdict"], "ant");

    let (status, _, json) = get(&state, "/api/v1/search?q=numerique&region=Atlantide").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["error"]["code"], "bad_request");
}

#[tokio::test]
async fn ad_page_explains_the_verdict() {
    let mut wm = ant("bbbb2222", "Animateur numérique de territoire");
    wm.description = "Administrer le site internet de l'office sous WordPress, référencement naturel (SEO), intégration HTML et CSS, \
                      statistiques Google Analytics, refonte du site web."
        .into();
    let state = state_with(&[wm]).await;
    let (status, _, html) = get(&state, "/annonces/bbbb2222").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Poste de webmaster"), "{html}");
    assert!(html.contains("mais ses missions décrivent surtout la gestion du site web"));
    assert!(html.contains("Elle est signalée"));
    assert!(
        html.contains("Dans l'annonce&#8239;: ") && html.contains("<mark>"),
        "{html}"
    );
    assert!(html.contains("Détail de la vérification"));
    assert!(html.contains("application/ld+json"));
    // Public pages show no rule ids, scores or rule hashes.
    for internal in [
        "profil.",
        "verdict.",
        "Règles version",
        "Scores",
        "bloquant",
    ] {
        assert!(!html.contains(internal), "{internal} on the public page");
    }

    let (status, _, json) = get(&state, "/api/v1/ads/bbbb2222").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["verdict"]["verdict"], "webmaster");
    assert_eq!(v["sources"][0]["name"], "board");

    assert_eq!(get(&state, "/annonces/nope").await.0, StatusCode::NOT_FOUND);
    let (status, _, json) = get(&state, "/api/v1/ads/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(json.contains("not_found"));
    assert_eq!(get(&state, "/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn script_in_an_ad_is_escaped() {
    let mut evil = ant("cccc3333", "Animatrice numérique <script>alert(1)</script>");
    evil.description
        .push_str(" <img src=x onerror=alert(2)> </script><script>alert(3)</script>");
    let state = state_with(&[evil]).await;
    let (_, _, page) = get(&state, "/annonces/cccc3333").await;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<img src=x"));
    assert!(
        page.contains("&#60;script&#62;alert(1)") || page.contains("&lt;script&gt;alert(1)"),
        "{page}"
    );
    let (_, _, list) = get(&state, "/?q=animatrice&all=1").await;
    assert!(!list.contains("<script>alert"));
}

#[tokio::test]
async fn metrics_in_prometheus_text() {
    let state = state_with(&[ant("dddd4444", "Animatrice numérique de territoire")]).await;
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
    let now = Utc::now();
    let run = antenne::store::RunRecord {
        source: "board-a".into(),
        started_at: now,
        finished_at: now + chrono::Duration::milliseconds(1500),
        fetched: 3,
        not_modified: 9,
        new: 1,
        ..Default::default()
    };
    state.store.record_run(&run, None).unwrap();
    let sub = state
        .store
        .add_subscription("lea@example.org", "animatrice", "{}", now)
        .unwrap();
    state.store.confirm_subscription(sub.id, now).unwrap();
    state
        .store
        .add_subscription("yann@example.org", "animateur", "{}", now)
        .unwrap();
    let digest = antenne::store::NewDigest {
        week: "2026-W48".into(),
        recipient: "lea@example.org".into(),
        kind: "subscriber".into(),
        message_id: "<m@example.org>".into(),
        message: b"Subject: x\r\n\r\nx".to_vec(),
        ads: 1,
        window_end: now,
    };
    state.store.plan_digest(&digest, now).unwrap();
    let (status, headers, text) = get(&state, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for line in [
        "antenne_source_runs_total{source=\"board-a\"} 1",
        "antenne_source_not_modified_total{source=\"board-a\"} 9",
        "antenne_source_last_run_duration_seconds{source=\"board-a\"} 1.5",
        "antenne_postings{status=\"open\",verdict=\"ant\"} 1",
        "# TYPE antenne_source_fetched_total counter",
        "antenne_digest_messages{status=\"pending\"} 1",
        "antenne_subscriptions{state=\"active\"} 1",
        "antenne_subscriptions{state=\"unconfirmed\"} 1",
        "antenne_subscriptions{state=\"paused\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
}

#[tokio::test]
async fn facets_and_places_on_the_search_page() {
    let mut brest = ant("eeee5555", "Animatrice numérique de territoire");
    brest.location = Location {
        city: Some("Brest".into()),
        department: Some("Finistère".into()),
        department_code: Some("29".into()),
        region: Some("Bretagne".into()),
        ..Location::default()
    };
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire"), brest]).await;
    let (_, _, html) = get(&state, "/?q=animatrice").await;
    assert!(html.contains("Affiner"), "{html}");
    assert!(
        html.contains(">Bretagne</a> <span class=\"n\">(1)</span>"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/?q=animatrice&#38;region=Bretagne\""),
        "{html}"
    );
    let (_, _, narrowed) = get(&state, "/?q=animatrice+finistere").await;
    assert!(
        narrowed.contains("Lieu reconnu dans la recherche&#8239;: <strong>Finistère (29)</strong>"),
        "{narrowed}"
    );
    assert!(narrowed.contains("1 offre"), "{narrowed}");
    let (_, _, json) = get(&state, "/api/v1/search?q=animatrice").await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["facets"]["region"]["Bretagne"], 1);
}

#[tokio::test]
async fn atom_feed_of_a_search_is_read_by_a_feed_reader() {
    let mut evil = ant("ffff6666", "Animatrice numérique <b>&</b> \"territoire\"");
    evil.description.push('\u{1}');
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire"), evil]).await;
    let (status, headers, xml) = get(&state, "/flux.atom?q=animatrice").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("valid Atom");
    let (_, _, json) = get(&state, "/api/v1/search?q=animatrice").await;
    let api: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut from_feed: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.links[0].href.rsplit('/').next().unwrap().to_owned())
        .collect();
    let mut from_api: Vec<String> = api["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    from_feed.sort();
    from_api.sort();
    assert_eq!(
        from_feed, from_api,
        "the feed and the API return the same ads"
    );
    assert!(feed.entries.iter().any(
        |e| e.title.as_ref().unwrap().content == "Animatrice numérique <b>&</b> \"territoire\""
    ));
    assert!(
        feed.entries[0].links[0]
            .href
            .starts_with("https://antenne.example.org/annonces/")
    );
}

#[tokio::test]
async fn the_api_is_rate_limited_per_client_with_retry_after() {
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    let app = router(state);
    let mut limited = None;
    for i in 0..60 {
        let res = app
            .clone()
            .oneshot(
                Request::get("/api/v1/search?q=animatrice")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, res));
            break;
        }
        assert_eq!(res.status(), StatusCode::OK);
    }
    let (i, res) = limited.expect("60 requests at once are limited");
    assert!(i >= 29, "limited after {i} requests");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "too_many_requests");
    // Pages are not rate limited.
    let page = app
        .clone()
        .oneshot(Request::get("/?q=animatrice").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_api_searches_come_from_the_cache_until_the_index_changes() {
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    let (_, _, first) = get(&state, "/api/v1/search?q=animatrice").await;
    let (_, _, again) = get(&state, "/api/v1/search?q=animatrice").await;
    assert_eq!(first, again);
    // A new ad is indexed: the next answer is computed anew and shows it.
    let mut other = ant("bbbb2222", "Animatrice numérique du littoral");
    other.url = Some("https://board.example/2".into());
    let rules = RuleSet::builtin().unwrap();
    state
        .store
        .upsert_posting(
            "board",
            "https://board.example/2",
            &other,
            &rules.evaluate(&other),
            Utc::now(),
        )
        .unwrap();
    let records = state
        .store
        .postings_by_ids(&["bbbb2222".to_owned()])
        .unwrap();
    state
        .index
        .upsert(&records, state.store.generation().unwrap())
        .unwrap();
    let (_, _, fresh) = get(&state, "/api/v1/search?q=animatrice").await;
    let v: serde_json::Value = serde_json::from_str(&fresh).unwrap();
    assert_eq!(v["total"], 2, "{fresh}");
}

/// A body over the limit is answered in French (a page, or JSON under /api/), not axum's
/// English plain text.
#[tokio::test]
async fn oversized_bodies_are_refused_in_french() {
    let state = state_with(&[]).await;
    let big = format!(
        "email=x%40example.org&q={}",
        "a".repeat(antenne::web::limits::MAX_BODY_BYTES)
    );
    let res = router(state.clone())
        .oneshot(
            Request::post("/abonnement")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(big))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Demande trop volumineuse"));
}

/// The ad's structure (headings, paragraphs, lists) survives on its page, and it links to where
/// to apply under the board's own name.
#[tokio::test]
async fn the_ad_page_keeps_lists_and_offers_to_apply() {
    let mut p = ant("dddd4444", "Animatrice numérique de territoire");
    p.description = "L'office recrute.\nVos missions\n- ateliers pour les hébergeurs ;\n- rendez-vous individuels.\nProfil\nPédagogue.".into();
    let mut state = state_with(&[p]).await;
    state.site = std::sync::Arc::new(antenne::web::Site {
        display_names: [("board".to_owned(), "Le tableau des offres".to_owned())].into(),
        ..Default::default()
    });
    let (_, _, html) = get(&state, "/annonces/dddd4444").await;
    assert!(html.contains("<h3>Vos missions</h3>"), "{html}");
    assert!(
        html.contains(
            "<ul><li>ateliers pour les hébergeurs ;</li><li>rendez-vous individuels.</li></ul>"
        ),
        "{html}"
    );
    assert!(
        html.contains("Postuler sur Le tableau des offres"),
        "{html}"
    );
}

/// A flag staff lifted is the truth on every public surface: the ad is in the default search,
/// « vérifiée par l'équipe » on its card, its page, in the API and the feed.
#[tokio::test]
async fn a_lifted_flag_reaches_the_public() {
    let mut wm = ant("eeee5555", "Animateur numérique de territoire");
    wm.description = "Administrer le site internet de l'office sous WordPress, référencement naturel (SEO), intégration HTML et CSS, \
                      statistiques Google Analytics, refonte du site web."
        .into();
    let state = state_with(&[wm]).await;
    let (_, _, before) = get(&state, "/?q=animateur").await;
    assert!(
        !before.contains("eeee5555"),
        "flagged ads stay out of the default search"
    );
    let record = state.store.posting("eeee5555").unwrap().unwrap();
    state
        .store
        .add_review(
            &antenne::store::ReviewEntry {
                id: 0,
                posting_id: "eeee5555".into(),
                action: "lift".into(),
                status: "lifted".into(),
                reason: Some("missions d'accompagnement confirmées par téléphone".into()),
                note: None,
                reviewer: "revue@example.org".into(),
                rules_version: None,
                revision: Some(record.revision),
                created_at: String::new(),
            },
            chrono::Utc::now(),
        )
        .unwrap();
    let records = state.store.postings().unwrap();
    state
        .index
        .upsert(&records, state.store.generation().unwrap())
        .unwrap();
    let (_, _, after) = get(&state, "/?q=animateur").await;
    assert!(
        after.contains("eeee5555") && after.contains("Vérifiée par l'équipe"),
        "{after}"
    );
    let (_, _, page) = get(&state, "/annonces/eeee5555").await;
    let page = page.replace("&#39;", "'");
    assert!(
        page.contains("Vérifiée par l'équipe de la fédération le"),
        "{page}"
    );
    assert!(!page.contains("Elle est signalée"), "{page}");
    let (_, _, api) = get(&state, "/api/v1/ads/eeee5555").await;
    let v: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(v["review"]["state"], "lifted", "{v}");
    let (_, _, search) = get(&state, "/api/v1/search?q=animateur").await;
    let v: serde_json::Value = serde_json::from_str(&search).unwrap();
    assert_eq!(v["results"][0]["verdict"], "ant", "{v}");
    assert_eq!(v["results"][0]["flagged"], false, "{v}");
    let (_, _, feed) = get(&state, "/flux.atom?q=animateur").await;
    let feed = feed.replace("&apos;", "'").replace("&#39;", "'");
    assert!(feed.contains("vérifiée par l'équipe"), "{feed}");

    // A new revision of the text reopens the decision.
    let mut changed = record.posting.clone();
    changed
        .description
        .push_str(" Gestion des réseaux sociaux de l'office.");
    let rules = antenne::rules::RuleSet::builtin().unwrap();
    state
        .store
        .upsert_posting(
            "board",
            "http://127.0.0.1/eeee5555",
            &changed,
            &rules.evaluate(&changed),
            chrono::Utc::now(),
        )
        .unwrap();
    let reopened = state.store.posting("eeee5555").unwrap().unwrap();
    assert!(reopened.revision > record.revision);
    assert_eq!(
        reopened.review_state(),
        antenne::model::ReviewState::Pending
    );
}

/// Errors a person can read: a malformed parameter is a French page (JSON on the API), a page
/// beyond the last says so, a too-long query says the limit; robots, favicon, legal notice.
#[tokio::test]
async fn errors_and_basics_in_french() {
    let state = state_with(&[ant("ffff6666", "Animatrice numérique de territoire")]).await;
    let (status, headers, html) = get(&state, "/?page=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains("paramètre invalide"), "{html}");
    let (status, _, json) = get(&state, "/api/v1/search?page=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["error"]["code"], "bad_request");

    let (status, _, html) = get(&state, "/?q=animatrice&page=9").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Cette page n&#39;existe pas") || html.contains("Cette page n'existe pas"),
        "{html}"
    );
    assert!(html.contains("Aller à la dernière page"));

    let long = "a".repeat(600);
    let (status, _, html) = get(&state, &format!("/?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("La recherche est trop longue : 500 caractères au plus."),
        "{html}"
    );

    let (_, _, robots) = get(&state, "/robots.txt").await;
    assert!(robots.contains("Disallow: /revue") && robots.contains("Disallow: /api/"));
    let (status, headers, _) = get(&state, "/favicon.ico").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    let (status, _, legal) = get(&state, "/mentions-legales").await;
    assert_eq!(status, StatusCode::OK);
    assert!(legal.contains("effacée au bout de 7 jours"), "{legal}");
    let (_, _, search) = get(&state, "/?q=animatrice").await;
    assert!(
        search.contains(r#"<link rel="alternate" type="application/atom+xml""#),
        "{search}"
    );
}

/// The ad page's JobPosting JSON-LD carries the recommended fields the store knows, and reads
/// back as the same ad.
#[tokio::test]
async fn the_ad_page_job_posting_has_the_recommended_fields() {
    let mut p = ant("abcd1234", "Animatrice numérique de territoire");
    p.contract = Some("CDD".into());
    p.contract_months = Some(12);
    p.full_time = Some(true);
    p.salary_range = Some(antenne::model::SalaryRange {
        min: 2100.0,
        max: 2300.0,
        period: "month".into(),
        currency: "EUR".into(),
    });
    p.valid_through = chrono::NaiveDate::from_ymd_opt(2026, 12, 20);
    let state = state_with(&[p]).await;
    let (_, _, html) = get(&state, "/annonces/abcd1234").await;
    let start = html.find(r#"<script type="application/ld+json">"#).unwrap() + 35;
    let end = start + html[start..].find("</script>").unwrap();
    let v: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(v["@type"], "JobPosting");
    assert_eq!(v["directApply"], false);
    assert_eq!(v["identifier"]["value"], "abcd1234");
    assert_eq!(v["validThrough"], "2026-12-20");
    assert_eq!(v["baseSalary"]["value"]["minValue"], 2100.0);
    assert_eq!(v["baseSalary"]["value"]["unitText"], "MONTH");
    let types = v["employmentType"].as_array().unwrap();
    assert!(
        types.contains(&"TEMPORARY".into())
            && types.contains(&"FULL_TIME".into())
            && types.contains(&"CDD".into()),
        "{types:?}"
    );
    // Our own extractor reads the page back.
    let doc = antenne::extract::Document {
        url: "http://127.0.0.1/annonces/abcd1234",
        content_type: None,
        body: html.as_bytes(),
    };
    let read = antenne::extract::extract(doc, antenne::extract::Expect::AdPage).unwrap();
    assert_eq!(
        read.postings[0].title.as_deref(),
        Some("Animatrice numérique de territoire")
    );
    assert!(
        html.contains(r#"<meta property="og:title" content="Animatrice numérique de territoire">"#),
        "{html}"
    );
}

#[tokio::test]
async fn a_misspelt_search_says_which_words_it_searched() {
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    let (status, _, page) = get(&state, "/?q=animatrise+numerik").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("1 offre"), "{page}");
    assert!(
        page.contains("résultats pour «&#8239;<strong>animatrice numerique</strong>"),
        "{page}"
    );
    let (_, _, api) = get(&state, "/api/v1/search?q=animatrise+numerik").await;
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["corrected"], "animatrice numerique");
    assert_eq!(api["total"], 1);
}

/// The URL of the first link whose text holds `text`, unescaped.
fn link_to(page: &str, text: &str) -> String {
    page.replace("&amp;", "&")
        .replace("&#38;", "&")
        .split("href=\"")
        .find(|l| l.split("</a>").next().unwrap().contains(text))
        .map(|l| l.split('"').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no link « {text} » in {page}"))
}

#[tokio::test]
async fn a_place_name_shared_by_several_departements_offers_each_and_the_word() {
    let mut charente = ant("aaaa1111", "Animatrice numérique de territoire");
    charente.location = Location {
        department: Some("Charente".into()),
        department_code: Some("16".into()),
        region: Some("Nouvelle-Aquitaine".into()),
        ..Location::default()
    };
    let mut maritime = ant("bbbb2222", "Animateur numérique de territoire");
    maritime.location = Location {
        department: Some("Charente-Maritime".into()),
        department_code: Some("17".into()),
        region: Some("Nouvelle-Aquitaine".into()),
        ..Location::default()
    };
    maritime
        .description
        .push_str(" Vous accompagnez les prestataires des bords de Loire.");
    let state = state_with(&[charente, maritime]).await;

    let (_, _, page) = get(&state, "/?q=animatrice+charente").await;
    assert!(page.contains("<strong>Charente (16)</strong>"), "{page}");
    let other = link_to(&page, "Charente-Maritime (17)");
    assert!(other.contains("department=17"), "{other}");
    let (_, _, there) = get(&state, &other).await;
    assert!(there.contains("1 offre"), "{other} {there}");
    assert!(there.contains("/annonces/bbbb2222"), "{there}");

    // « loire » is read as the Loire (42), where there is nothing; the word is one click away.
    let (_, _, page) = get(&state, "/?q=numerique+loire").await;
    assert!(page.contains("Aucune offre"), "{page}");
    let word = link_to(&page, "Chercher le mot");
    let (_, _, found) = get(&state, &word).await;
    assert!(found.contains("1 offre"), "{found}");
    assert!(found.contains("/annonces/bbbb2222"));
    assert!(!found.contains("Lieu reconnu"), "{found}");
}

#[tokio::test]
async fn with_every_ad_shown_a_verdict_facet_narrows_them() {
    let mut web = ant("bbbb2222", "Animateur numérique de territoire");
    web.description = crate::check::WEB_TEXT.into();
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire"), web]).await;

    let (_, _, default) = get(&state, "/?q=").await;
    assert!(
        !default.contains("<h3>Verdict</h3>") && !default.contains(">Verdict<"),
        "only with every ad shown"
    );

    let (_, _, all) = get(&state, "/?q=&all=1").await;
    assert!(all.contains("2 offres"), "{all}");
    let all = all.replace("&amp;", "&").replace("&#38;", "&");
    let link = all
        .split("href=\"")
        .find(|l| {
            l.split("</a>")
                .next()
                .unwrap()
                .contains("Poste de webmaster")
        })
        .map(|l| l.split('"').next().unwrap().to_owned())
        .expect("a verdict facet");
    assert!(link.contains("verdict=webmaster"), "{link}");
    let (_, _, narrowed) = get(&state, &link).await;
    assert!(narrowed.contains("1 offre"), "{narrowed}");
    assert!(narrowed.contains("/annonces/bbbb2222"));

    let (_, _, api) = get(&state, "/api/v1/search?q=&all=1").await;
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["facets"]["verdict"]["webmaster"], 1, "{api}");
    assert_eq!(api["facets"]["verdict"]["ant"], 1);
}

/// The text of a page with its tags removed.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn pages_keep_french_signs_to_their_words() {
    let state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    for uri in [
        "/?q=animatrice",
        "/?q=animatrice+charente",
        "/?q=zzzzzz",
        "/annonces/aaaa1111",
        "/verifier",
        "/mentions-legales",
    ] {
        let (_, _, html) = get(&state, uri).await;
        let text = visible(&html);
        for bad in [" :", " ;", " ?", " !", "« ", " »"] {
            let at = text.find(bad);
            assert!(
                at.is_none(),
                "{uri}: « {bad} » with a breaking space in …{}…",
                at.map(|i| text
                    .chars()
                    .skip(text[..i].chars().count().saturating_sub(40))
                    .take(60)
                    .collect::<String>())
                    .unwrap_or_default()
            );
        }
    }
}

/// Serves `state` on a loopback port; returns its base URL.
async fn on_loopback(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(antenne::web::serve(state, listener, std::future::pending()));
    base
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_key_on_the_forwarded_client_and_metrics_stay_private() {
    let mut state = state_with(&[ant("aaaa1111", "Animatrice numérique de territoire")]).await;
    state.api_limit = (1, 2);
    let proxied = AppState {
        network: std::sync::Arc::new(antenne::web::network::Network {
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            metrics_token: Some("jeton-de-collecte".into()),
        }),
        ..state.clone()
    };
    let client = crate::subscribe::http_client();
    let status = |base: String, xff: &'static str| {
        let client = client.clone();
        async move {
            client
                .get(format!("{base}/api/v1/search?q=animatrice"))
                .header("x-forwarded-for", xff)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };

    // Behind the proxy, each visitor has a budget of their own.
    let base = on_loopback(proxied).await;
    for _ in 0..2 {
        assert_eq!(status(base.clone(), "203.0.113.5").await, 200);
    }
    assert_eq!(status(base.clone(), "203.0.113.5").await, 429);
    assert_eq!(
        status(base.clone(), "198.51.100.8").await,
        200,
        "another visitor"
    );
    // /metrics: the machine itself yes, a visitor through the proxy no, unless with the token.
    let metrics = |xff: Option<&'static str>, token: Option<&'static str>| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let mut req = client.get(format!("{base}/metrics"));
            if let Some(x) = xff {
                req = req.header("x-forwarded-for", x);
            }
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(metrics(None, None).await, 200);
    assert_eq!(metrics(Some("203.0.113.5"), None).await, 403);
    assert_eq!(
        metrics(Some("203.0.113.5"), Some("jeton-de-collecte")).await,
        200
    );
    assert_eq!(metrics(Some("203.0.113.5"), Some("autre")).await, 403);

    // Without trusted proxies the header is the client's word, not believed: one budget.
    let base = on_loopback(state).await;
    for _ in 0..2 {
        assert_eq!(status(base.clone(), "203.0.113.5").await, 200);
    }
    assert_eq!(
        status(base.clone(), "198.51.100.8").await,
        429,
        "the header is ignored"
    );
}
