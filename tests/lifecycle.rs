//! The life cycle of a posting: gone after three complete runs without it (never after a failed
//! fetch), expired after its deadline, back as a repost; neither gone nor expired ads are
//! searched, both stay in the export.

use crate::util::{antenne, simulator, stdout};

fn item(n: usize, extra: &str) -> String {
    format!(
        "<item><title>Animatrice numérique de territoire {n}</title><link>http://127.0.0.1/ads/{n}</link><guid>{n}</guid>\
         <description>L'office de tourisme recrute. Vous animez des ateliers collectifs pour les prestataires, réalisez le \
         diagnostic numérique des hébergeurs numéro {n} et assurez des rendez-vous individuels. {extra}</description></item>"
    )
}

fn feed(items: &[String], revision: usize) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t{revision}</title>{}</channel></rss>",
        items.concat()
    )
}

fn statuses(out: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|p| {
            (
                p["title"].as_str().unwrap().to_owned(),
                p["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_expired_and_reposted() {
    let boards = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(boards.path().join("b")).unwrap();
    let path = boards.path().join("b/feed.rss");
    let expired = item(3, "Date limite de candidature : 15/01/2026.");
    std::fs::write(&path, feed(&[item(1, ""), item(2, ""), expired.clone()], 0)).unwrap();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(
        dir.join("antenne.toml"),
        format!("[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\nmax_retries = 0\n\n[[sources]]\nname = \"b\"\nkind = \"feed\"\nurl = \"{}/b/feed.rss\"\n", sim.base_url()),
    )
    .unwrap();
    assert!(antenne(dir, &["crawl"]).await.status.success());
    let t = |n: usize| format!("Animatrice numérique de territoire {n}");
    assert_eq!(
        statuses(&stdout(&antenne(dir, &["export"]).await)),
        vec![
            (t(1), "open".into()),
            (t(2), "open".into()),
            (t(3), "expired".into())
        ]
    );
    let found = stdout(&antenne(dir, &["search", "animatrice", "--json"]).await);
    assert_eq!(
        found.lines().count(),
        2,
        "expired ads are not searched: {found}"
    );

    // Ad 2 leaves the feed. Two complete runs without it: still open.
    for revision in 1..=2 {
        std::fs::write(&path, feed(&[item(1, ""), expired.clone()], revision)).unwrap();
        assert!(antenne(dir, &["crawl"]).await.status.success());
    }
    // A failed fetch in between counts for nothing.
    std::fs::write(&path, "<rss><channel><item><title>cas").unwrap();
    assert!(stdout(&antenne(dir, &["crawl"]).await).contains("erreur (parse)"));
    assert_eq!(
        statuses(&stdout(&antenne(dir, &["export"]).await))[1].1,
        "open"
    );
    // The third complete run without it: gone.
    std::fs::write(&path, feed(&[item(1, ""), expired.clone()], 3)).unwrap();
    assert!(antenne(dir, &["crawl"]).await.status.success());
    assert_eq!(
        statuses(&stdout(&antenne(dir, &["export"]).await))[1],
        (t(2), "gone".into())
    );
    let found = stdout(&antenne(dir, &["search", "animatrice", "--json"]).await);
    assert_eq!(
        found.lines().count(),
        1,
        "gone ads are not searched: {found}"
    );
    let all = stdout(&antenne(dir, &["search", "animatrice", "--json", "--all"]).await);
    assert_eq!(all.lines().count(), 3, "--all shows them: {all}");

    // Republished: a repost, open again.
    std::fs::write(&path, feed(&[item(1, ""), item(2, ""), expired], 4)).unwrap();
    assert!(antenne(dir, &["crawl"]).await.status.success());
    assert_eq!(
        statuses(&stdout(&antenne(dir, &["export"]).await))[1],
        (t(2), "open".into())
    );
    let db = rusqlite::Connection::open(dir.join("data/antenne.db")).unwrap();
    let reposts: i64 = db
        .query_row("SELECT MAX(reposts) FROM postings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reposts, 1);
}
