//! The whole path through the binary: a fixture feed and its ad pages served on 127.0.0.1,
//! crawled, validated, stored, indexed, then found through search and export.

use crate::util::{antenne, copy_boards, simulator, stderr, stdout, write_config};

fn export_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_search_export_and_recrawl() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    write_config(work.path(), &sim);
    let dir = work.path();

    let first = antenne(dir, &["crawl"]).await;
    assert!(first.status.success(), "{}", stderr(&first));
    let summary = stdout(&first);
    assert!(
        summary.contains("board-rss : 13 récupérés, 0 non modifiés, 12 nouvelles"),
        "{summary}"
    );
    assert!(summary.contains("6 signalées"), "{summary}");

    // Accent folding: « numerique » finds ads that say « numérique ».
    let found = antenne(dir, &["search", "numerique", "--json"]).await;
    assert!(found.status.success(), "{}", stderr(&found));
    let hits = export_lines(&stdout(&found));
    assert!(!hits.is_empty());
    for h in &hits {
        assert_eq!(
            h["verdict"]["verdict"], "ant",
            "default search shows only ANT ads: {h}"
        );
        assert_eq!(h["status"], "open");
    }
    let all = export_lines(&stdout(
        &antenne(dir, &["search", "numerique", "--json", "--all"]).await,
    ));
    assert!(all.len() > hits.len(), "--all also shows the flagged ads");

    let gironde = export_lines(&stdout(
        &antenne(
            dir,
            &["search", "animatrice", "--json", "--department", "gironde"],
        )
        .await,
    ));
    assert!(!gironde.is_empty());
    assert!(
        gironde
            .iter()
            .all(|h| h["location"]["department_code"] == "33")
    );

    let export = antenne(dir, &["export", "--format", "jsonl"]).await;
    assert!(export.status.success(), "{}", stderr(&export));
    let postings = export_lines(&stdout(&export));
    assert_eq!(postings.len(), 12);
    for p in &postings {
        assert_eq!(p["sources"][0]["name"], "board-rss");
        assert!(
            p["sources"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        assert!(p["verdict"]["verdict"].is_string());
        assert!(p["verdict"]["rules_version"].is_string());
        assert!(p["location"].is_object());
        assert!(p["published"].as_str().unwrap().starts_with("2026-"));
        assert_eq!(p["status"], "open");
    }
    let flagged: Vec<_> = postings
        .iter()
        .filter(|p| p["verdict"]["flagged"] == true)
        .collect();
    assert_eq!(flagged.len(), 6);

    // A second crawl is answered by a 304 and changes nothing.
    let second = antenne(dir, &["crawl"]).await;
    assert!(
        stdout(&second).contains("0 récupérés, 1 non modifiés, 0 nouvelles"),
        "{}",
        stdout(&second)
    );
    let again = export_lines(&stdout(&antenne(dir, &["export"]).await));
    assert_eq!(again, postings);

    // A changed ad page (feed changed too) updates that posting only.
    let feed = boards.path().join("board-rss/offres.rss");
    let text = std::fs::read_to_string(&feed).unwrap();
    std::fs::write(
        &feed,
        text.replacen("<channel>", "<channel>\n<!-- republished -->", 1),
    )
    .unwrap();
    let page = boards.path().join("board-rss/annonces/ant-arcachon.html");
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, html.replace("Gujan-Mestras", "La Teste-de-Buch")).unwrap();
    let third = antenne(dir, &["crawl"]).await;
    assert!(
        stdout(&third).contains("1 mises à jour, 11 inchangées"),
        "{}",
        stdout(&third)
    );

    // The CSV export has a header and one row per posting.
    let csv = stdout(&antenne(dir, &["export", "--format", "csv"]).await);
    assert_eq!(csv.lines().count(), 13);
    assert!(csv.starts_with("id,title,employer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_feed_leaves_stored_ads_untouched() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    write_config(work.path(), &sim);
    let dir = work.path();
    assert!(antenne(dir, &["crawl"]).await.status.success());
    let before = stdout(&antenne(dir, &["export"]).await);

    std::fs::write(
        boards.path().join("board-rss/offres.rss"),
        "<rss><channel><item><title>cut",
    )
    .unwrap();
    let broken = antenne(dir, &["crawl"]).await;
    assert!(
        broken.status.success(),
        "a failing source does not fail the run"
    );
    let out = stdout(&broken);
    assert!(out.contains("erreur (parse)"), "{out}");
    assert!(
        out.contains("/board-rss/offres.rss"),
        "the message names the URL: {out}"
    );

    let after = stdout(&antenne(dir, &["export"]).await);
    assert_eq!(before, after);
    assert_eq!(after.lines().count(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_source_is_reported_and_others_go_on() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let config = format!(
        "[crawl]\nallow_private_addresses = true\nconnect_timeout_secs = 2\nmin_interval_ms = 0\n\n\
         [[sources]]\nname = \"dead\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:{dead_port}/feed.rss\"\n\n\
         [[sources]]\nname = \"board-rss\"\nkind = \"feed\"\nurl = \"{}/board-rss/offres.rss\"\n",
        sim.base_url()
    );
    std::fs::write(work.path().join("antenne.toml"), config).unwrap();
    let run = antenne(work.path(), &["crawl"]).await;
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        out.contains("dead : 0 récupérés") && out.contains("erreur (connect)"),
        "{out}"
    );
    assert!(
        out.contains("board-rss : 1 récupérés, 0 non modifiés, 12 nouvelles"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_by_default() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[[sources]]\nname = \"local\"\nkind = \"feed\"\nurl = \"{}/board-rss/offres.rss\"\n",
        sim.base_url()
    );
    std::fs::write(work.path().join("antenne.toml"), config).unwrap();
    let out = stdout(&antenne(work.path(), &["crawl"]).await);
    assert!(
        out.contains("erreur (refused)") && out.contains("allow_private_addresses"),
        "{out}"
    );
}
