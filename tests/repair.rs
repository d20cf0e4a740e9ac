//! Feeds as the web writes them: a feed with a bare `&`, HTML entities XML does not know and a
//! control character is read whole once repaired, and the repair is recorded for the operator.

use axum::Router;
use axum::routing::get;

use crate::util::{antenne, stderr, stdout};

/// Six items as a careless content system writes them: markup outside CDATA with a bare `&`,
/// `&eacute;`, `&nbsp;`, a control character.
fn broken_feed(base: &str) -> String {
    let titles = [
        "Animateur numérique + & cie",
        "Animatrice num&eacute;rique de territoire",
        "Animateur&nbsp;numérique – Pays de l&rsquo;Orne",
        "Chargé·e d'accompagnement numérique \u{1}des prestataires",
        "Animatrice numérique &amp; e-tourisme",
        "Animateur numérique de territoire (H/F) & co",
    ];
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<item><title>{t}</title><link>{base}/a/{i}</link><guid>{base}/a/{i}</guid>\
                 <description>Ateliers pour les h&eacute;bergeurs & restaurateurs du territoire, \
                 rendez-vous individuels.</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Offres &amp; co</title>{items}</channel></rss>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_with_bare_ampersands_and_html_entities_yields_every_item_and_is_marked_repaired() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let feed = broken_feed(&format!("http://{addr}"));
    let app = Router::new().route("/offres.rss", get(move || async move { feed }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\nmax_retries = 0\n\n\
         [[sources]]\nname = \"cms\"\nkind = \"feed\"\nurl = \"http://{addr}/offres.rss\"\n"
    );
    std::fs::write(dir.path().join("antenne.toml"), config).unwrap();
    let out = antenne(dir.path(), &["crawl"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("6 nouvelles"), "{}", stdout(&out));

    let export = antenne(dir.path(), &["export", "--format", "jsonl"]).await;
    assert!(export.status.success(), "{}", stderr(&export));
    let titles: Vec<String> = stdout(&export)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["title"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(titles.len(), 6, "{titles:?}");
    for expected in [
        "Animateur numérique + & cie",
        "Animatrice numérique de territoire",
        "Animateur\u{a0}numérique – Pays de l\u{2019}Orne",
        "Chargé·e d'accompagnement numérique des prestataires",
        "Animatrice numérique & e-tourisme",
    ] {
        assert!(
            titles.iter().any(|t| t == expected),
            "{expected} in {titles:?}"
        );
    }

    let sources = stdout(&antenne(dir.path(), &["sources"]).await);
    let repaired = sources
        .lines()
        .find(|l| l.contains("dernier flux réparé"))
        .unwrap_or_else(|| panic!("{sources}"));
    for what in [
        "offres.rss",
        "bare « & » escaped",
        "HTML entities decoded",
        "control characters dropped",
    ] {
        assert!(repaired.contains(what), "{what} in {repaired}");
    }
}
