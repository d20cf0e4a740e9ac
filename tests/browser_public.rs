//! The public side in headless Chromium, at a desk's width (1280 px) and a phone's (390 px):
//! a flag lifted by staff reaches an anonymous search, an employer checks a draft ad, a
//! misspelt search finds the ads, and no page is wider than a phone.

use antenne::app::App;
use antenne::config::Config;
use antenne::model::RawPosting;
use antenne::rules::RuleSet;
use fantoccini::{Client, Locator};

use crate::browser::{Site, arrive, click, log_in, prepare, type_in};

/// The development corpus's ANT ads, a disguised webmaster ad from « Office de tourisme de
/// Quimperlé-Zébrac » and a staff account; returns the webmaster ad's id.
async fn seed(data: &std::path::Path) -> String {
    prepare(data).await;
    let app = App::open(Config::default(), data, RuleSet::builtin().unwrap(), true)
        .await
        .unwrap();
    let url = "https://board.example/ads/val";
    let raw = RawPosting {
        url: Some(url.into()),
        title: Some("Animateur numérique de territoire (H/F)".into()),
        employer: Some("Office de tourisme de Quimperlé-Zébrac".into()),
        description: Some(crate::check::WEB_TEXT.into()),
        valid_through: Some("2030-01-01".into()),
        ..RawPosting::default()
    };
    let p = antenne::normalize::normalize(raw).unwrap();
    let (rules, near) = (app.rules.clone(), app.near.clone());
    let kept = app
        .store
        .run(move |s| {
            let mut index = near.lock().unwrap();
            let kept = antenne::pipeline::keep_posting(
                s,
                &mut index,
                &rules,
                "board",
                url,
                p,
                chrono::Utc::now(),
            )
            .unwrap();
            let hash = antenne::web::staff::hash_password("un mot de passe assez long").unwrap();
            s.create_user("revue@federation.example", &hash, chrono::Utc::now())
                .unwrap();
            kept
        })
        .await;
    app.sync_index(true).await.unwrap();
    kept.id
}

/// Runs `script` in the page and returns its answer.
async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Elements reaching past the right edge of the viewport, as « tag.class » (at most five).
async fn too_wide(c: &Client) -> serde_json::Value {
    js(
        c,
        "const w = document.documentElement.clientWidth; \
         return [...document.querySelectorAll('body *')] \
           .filter(e => e.getBoundingClientRect().right > w + 1) \
           .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className);",
    )
    .await
}

/// Waits for an element and returns its text.
async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_side_at_a_desk_and_on_a_phone() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let id = seed(&data).await;
    let site = Site::serve(work.path(), &data).await;
    let (c, base) = (site.client.clone(), site.base.clone());

    // Flagged, the ad stays out of the default search.
    c.goto(&format!("{base}/?q=zebrac")).await.unwrap();
    assert!(
        text_of(&c, "h2.count").await.starts_with("Aucune offre"),
        "a flagged ad is not listed by default"
    );

    // Staff lift the flag; an anonymous visitor then finds the ad, « vérifiée par l'équipe ».
    c.goto(&format!("{base}/revue")).await.unwrap();
    arrive(&c, "/connexion").await;
    log_in(&c).await;
    c.goto(&format!("{base}/revue/annonces/{id}"))
        .await
        .unwrap();
    type_in(
        &c,
        "#reason",
        "les prestataires sont accompagnés chaque semaine",
    )
    .await;
    click(&c, "#lift").await;
    c.wait()
        .for_element(Locator::XPath(
            "//*[@id='review-status' and normalize-space()='levé']",
        ))
        .await
        .unwrap();
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/?q=zebrac")).await.unwrap();
    assert_eq!(text_of(&c, "h2.count").await, "1 offre");
    assert_eq!(
        text_of(&c, ".badge.verified").await,
        "Vérifiée par l'équipe"
    );

    // An employer checks a draft: the verdict, then the checklist with what is missing.
    c.goto(&format!("{base}/verifier")).await.unwrap();
    type_in(&c, "#titre", "Animatrice numérique de territoire").await;
    type_in(&c, "#texte", crate::check::WEB_TEXT).await;
    click(&c, "form.check button").await;
    assert_eq!(text_of(&c, "#resultat").await, "Poste de webmaster");
    let missing = c
        .find_all(Locator::Css(".checklist li.todo"))
        .await
        .unwrap();
    assert!(missing.len() >= 3, "the checklist says what is missing");
    assert_eq!(
        c.find(Locator::Css("#texte"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
            .lines()
            .count(),
        crate::check::WEB_TEXT.lines().count(),
        "the draft stays in the form"
    );

    // Typed by ear, the search still finds the ads and says what it searched.
    c.goto(&format!("{base}/?q=animatrise+numerik"))
        .await
        .unwrap();
    assert!(
        text_of(&c, ".corrected")
            .await
            .contains("animatrice numerique"),
        "the corrected words are shown"
    );
    assert!(
        !c.find_all(Locator::Css(".results .ad"))
            .await
            .unwrap()
            .is_empty()
    );

    // On a phone: the first result is on the first screen, and nothing is wider than it.
    c.set_window_size(390, 844).await.unwrap();
    let width = js(&c, "return window.innerWidth;").await;
    assert_eq!(width, 390, "the window is a phone's width");
    c.goto(&format!("{base}/?q=animatrice")).await.unwrap();
    let top = js(
        &c,
        "return document.querySelector('.results .ad').getBoundingClientRect().top;",
    )
    .await;
    let height = js(&c, "return window.innerHeight;").await;
    assert!(
        top.as_f64().unwrap() < height.as_f64().unwrap(),
        "the first result starts at {top} px, below the first screen ({height} px)"
    );
    for path in [
        "/",
        "/?q=animatrice".to_owned().as_str(),
        "/?q=animatrice+charente",
        &format!("/annonces/{id}"),
        "/verifier",
        "/mentions-legales",
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        c.wait().for_element(Locator::Css("main h1")).await.unwrap();
        assert_eq!(
            too_wide(&c).await,
            serde_json::json!([]),
            "{path} at 390 px"
        );
    }
    c.close().await.unwrap();
}
