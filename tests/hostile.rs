//! A hostile board on 127.0.0.1: content built to exhaust a parser (deep nesting in a feed item,
//! an ad page and a listing page). The crawl goes on, other ads and sources are kept, and each
//! fault is recorded against its source where the operator looks.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;

use crate::util::{antenne, stderr, stdout};

/// `<div>` nested `depth` levels around `inner`.
fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "<div>".repeat(depth), "</div>".repeat(depth))
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(title, link, description)| {
            format!(
                "<item><title>{title}</title><link>{link}</link><guid>{link}</guid>\
                 <description><![CDATA[{description}]]></description></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>"#
    )
}

const AD: &str = "<p>Vous animez des ateliers numériques pour les hébergeurs et les restaurateurs \
                  du territoire et les accompagnez en rendez-vous individuels.</p>";

async fn hostile_board() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let deep_items = rss(&[
        (
            "Animatrice numérique de territoire",
            &format!("{base}/a/deep20k"),
            &nested(20_000, "ateliers"),
        ),
        (
            "Animateur numérique de territoire",
            &format!("{base}/a/fine"),
            AD,
        ),
    ]);
    let linked = rss(&[
        (
            "Animatrice numérique de territoire",
            &format!("{base}/page/deep"),
            "voir la page",
        ),
        (
            "Animateur numérique de territoire",
            &format!("{base}/page/fine"),
            "voir la page",
        ),
    ]);
    let deep_page = format!(
        "<html><body><h1>Animatrice numérique de territoire</h1>{}</body></html>",
        nested(100_000, AD)
    );
    let fine_page = format!(
        "<html><body><h1>Animateur numérique de territoire</h1><main>{AD}</main></body></html>"
    );
    let deep_listing = format!(
        "<html><body>{}</body></html>",
        nested(100_000, r#"<a class="offre" href="/page/fine">offre</a>"#)
    );
    let app = Router::new()
        .route("/deep-items.rss", get(move || async move { deep_items }))
        .route("/linked.rss", get(move || async move { linked }))
        .route(
            "/page/deep",
            get(move || async move { axum::response::Html(deep_page) }),
        )
        .route(
            "/page/fine",
            get(move || async move { axum::response::Html(fine_page) }),
        )
        .route(
            "/listing",
            get(move || async move { axum::response::Html(deep_listing) }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_content_costs_its_item_only_and_is_recorded() {
    let addr = hostile_board().await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\nmax_retries = 0\n\n\
         [[sources]]\nname = \"items\"\nkind = \"feed\"\nurl = \"http://{addr}/deep-items.rss\"\n\n\
         [[sources]]\nname = \"pages\"\nkind = \"feed\"\nurl = \"http://{addr}/linked.rss\"\nfollow_links = true\n\n\
         [[sources]]\nname = \"listing\"\nkind = \"jsonld\"\nurl = \"http://{addr}/listing\"\nlinks = \"a.offre\"\n"
    );
    std::fs::write(dir.path().join("antenne.toml"), config).unwrap();
    let out = antenne(dir.path(), &["crawl"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    // The well-formed ad is kept beside the hostile one.
    for (source, new) in [("items", "1 nouvelles"), ("pages", "1 nouvelles")] {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("{source} : ")))
            .unwrap_or_else(|| panic!("{summary}"));
        assert!(line.contains(new) && line.contains("1 erreurs"), "{line}");
    }
    let listing = summary
        .lines()
        .skip_while(|l| !l.starts_with("listing : "))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        listing.contains("erreur (parse)") && listing.contains("HTML nested 100001 levels deep"),
        "{listing}"
    );

    let sources = antenne(dir.path(), &["sources"]).await;
    let text = stdout(&sources);
    let block = |name: &str| {
        text.split("\n\n")
            .flat_map(|b| b.split_inclusive('\n'))
            .skip_while(|l| l.trim_end() != name)
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .collect::<String>()
    };
    let items = block("items");
    assert!(
        items.contains("dernière annonce écartée")
            && items.contains("deep20k")
            && items.contains("20000 levels deep"),
        "{text}"
    );
    let pages = block("pages");
    assert!(
        pages.contains("/page/deep") && pages.contains("levels deep (limit 512)"),
        "{text}"
    );
    // The hostile listing is that source's failure, not the others'.
    assert!(
        block("listing").contains("dernière erreur (parse)"),
        "{text}"
    );
    assert!(
        block("items").contains("dernière erreur\u{202f}: aucune"),
        "{text}"
    );
}

#[tokio::test]
async fn validate_reads_deeply_nested_html() {
    let dir = tempfile::tempdir().unwrap();
    let ad = serde_json::json!({
        "title": "Animatrice numérique de territoire",
        "description": nested(100_000, AD),
    });
    let file = dir.path().join("ad.json");
    std::fs::write(&file, ad.to_string()).unwrap();
    let out = antenne(dir.path(), &["validate", "--json", file.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let verdict: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(verdict["claims_ant"], true, "{verdict}");
}

/// A way to damage one index file.
type Hurt = fn(&std::path::Path);

/// The search index is derived data: a damaged segment file is moved aside and rebuilt from
/// the store at the next start, by any command; `reindex` never needs the old index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_index_is_rebuilt_from_the_store() {
    let boards = crate::util::copy_boards();
    let sim = crate::util::simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    crate::util::write_config(work.path(), &sim);
    let dir = work.path();
    assert!(antenne(dir, &["crawl"]).await.status.success());
    let baseline = stdout(&antenne(dir, &["search", "--all", "numerique"]).await);
    let found = |out: &str| out.lines().next().unwrap_or_default().to_owned();
    assert!(
        found(&baseline).ends_with("offre(s) trouvée(s)") && !found(&baseline).starts_with("0 "),
        "{baseline}"
    );

    let index = dir.join("data/index");
    let damage: [(&str, Hurt); 3] = [
        ("idx", |p| {
            let len = std::fs::metadata(p).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .unwrap()
                .set_len(len / 2)
                .unwrap();
        }),
        ("store", |p| {
            std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .unwrap()
                .set_len(3)
                .unwrap();
        }),
        ("pos", |p| std::fs::remove_file(p).unwrap()),
    ];
    for (ext, hurt) in damage {
        let file = std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap_or_else(|| panic!("no .{ext} file"));
        hurt(&file);
        let out = antenne(dir, &["search", "--all", "numerique"]).await;
        assert!(out.status.success(), ".{ext}: {}", stderr(&out));
        assert_eq!(found(&stdout(&out)), found(&baseline), ".{ext}");
        assert!(
            stderr(&out).contains("is damaged"),
            ".{ext}: {}",
            stderr(&out)
        );
    }
    let aside = std::fs::read_dir(dir.join("data"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("index.broken-")
        })
        .count();
    assert_eq!(aside, 3);

    // reindex rebuilds whatever state the old index is in.
    let file = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "term"))
        .unwrap();
    std::fs::write(&file, b"garbage").unwrap();
    let out = antenne(dir, &["reindex"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Index reconstruit"),
        "{}",
        stdout(&out)
    );
}

/// A few corrupted bytes in one row cost that row only: every command goes on, `export` says
/// what it skipped, `antenne check` names the row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_row_costs_that_row_only() {
    let boards = crate::util::copy_boards();
    let sim = crate::util::simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    crate::util::write_config(work.path(), &sim);
    let dir = work.path();
    assert!(antenne(dir, &["crawl"]).await.status.success());
    let clean = antenne(dir, &["check"]).await;
    assert!(clean.status.success(), "{}", stdout(&clean));
    assert!(
        stdout(&clean).contains("Tout est en ordre"),
        "{}",
        stdout(&clean)
    );
    let before = stdout(&antenne(dir, &["export"]).await).lines().count();

    let db = std::fs::read_dir(dir.join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let victim: String = conn
        .query_row("SELECT id FROM postings ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    conn.execute(
        "UPDATE postings SET data = CAST(X'7B80FF' AS TEXT) WHERE id = ?1",
        [&victim],
    )
    .unwrap();
    drop(conn);

    let export = antenne(dir, &["export"]).await;
    assert!(export.status.success(), "{}", stderr(&export));
    assert_eq!(stdout(&export).lines().count(), before - 1);
    assert!(
        stderr(&export).contains(&format!("1 annonce(s) illisible(s) ignorée(s) : {victim}")),
        "{}",
        stderr(&export)
    );
    let search = antenne(dir, &["search", "--all", "numerique"]).await;
    assert!(search.status.success(), "{}", stderr(&search));
    let check = antenne(dir, &["check"]).await;
    assert!(!check.status.success());
    assert!(
        stdout(&check).contains(&format!("1 illisibles ({victim})")),
        "{}",
        stdout(&check)
    );
}

/// `antenne digest` beside a running service: every write waits its turn (transactions begin
/// IMMEDIATE), so no crawl fails with « database is locked ».
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_beside_run_never_fails_a_crawl() {
    let boards = crate::util::copy_boards();
    let sim = crate::util::simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        work.path().join("antenne.toml"),
        format!(
            "[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\n\n[web]\naddr = \"127.0.0.1:{port}\"\n\n\
             [digest]\nstaff = [\"revue@example.org\"]\noutbox = \"outbox\"\n\n\
             [[sources]]\nname = \"board-rss\"\nkind = \"feed\"\nurl = \"{}/board-rss/offres.rss\"\nfollow_links = true\nschedule = \"* * * * * *\"\n",
            sim.base_url()
        ),
    )
    .unwrap();
    let db = work.path().join("data/antenne.db");
    let runs = |db: &std::path::Path| -> Vec<Option<String>> {
        let Ok(conn) = rusqlite::Connection::open(db) else {
            return Vec::new();
        };
        conn.prepare("SELECT error FROM crawl_runs")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            })
            .unwrap_or_default()
    };
    let mut service = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", "data", "run"])
        .current_dir(work.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    while runs(&db).is_empty() {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for week in 1..=12 {
        let out = antenne(
            work.path(),
            &[
                "--data",
                "data",
                "digest",
                "--week",
                &format!("2026-W{week:02}"),
            ],
        )
        .await;
        assert!(out.status.success(), "digest: {}", stderr(&out));
    }
    let seen = runs(&db);
    service.kill().await.unwrap();
    assert!(seen.len() >= 2, "{seen:?}");
    let failed: Vec<_> = seen.iter().flatten().collect();
    assert!(failed.is_empty(), "crawl runs failed: {failed:?}");
}

/// The issue's « done when »: the long-lived service crawls a board serving 20 000- and
/// 100 000-level nested HTML, keeps serving, and records the faults against that source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_keeps_serving_beside_a_hostile_board() {
    let addr = hostile_board().await;
    let work = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        work.path().join("antenne.toml"),
        format!(
            "[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\nmax_retries = 0\n\n\
             [web]\naddr = \"127.0.0.1:{port}\"\n\n\
             [[sources]]\nname = \"items\"\nkind = \"feed\"\nurl = \"http://{addr}/deep-items.rss\"\nschedule = \"* * * * * *\"\n\n\
             [[sources]]\nname = \"pages\"\nkind = \"feed\"\nurl = \"http://{addr}/linked.rss\"\nfollow_links = true\nschedule = \"* * * * * *\"\n"
        ),
    )
    .unwrap();
    let mut service = tokio::process::Command::new(env!("CARGO_BIN_EXE_antenne"))
        .args(["--data", "data", "run"])
        .current_dir(work.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let db = work.path().join("data/antenne.db");
    let faults = |db: &std::path::Path| -> Vec<(String, String)> {
        let Ok(conn) = rusqlite::Connection::open(db) else {
            return Vec::new();
        };
        conn.prepare("SELECT name, last_item_fault FROM sources WHERE last_item_fault IS NOT NULL")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            })
            .unwrap_or_default()
    };
    // Each source runs every second: wait until both have recorded their fault.
    let mut seen = Vec::new();
    for _ in 0..600 {
        seen = faults(&db);
        if seen.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen.iter().all(|(_, f)| f.contains("levels deep")),
        "{seen:?}"
    );
    let health = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    assert!(
        health.starts_with("HTTP/1.0 200") || health.starts_with("HTTP/1.1 200"),
        "{health}"
    );
    assert!(
        service.try_wait().unwrap().is_none(),
        "the service is still running"
    );
    service.kill().await.unwrap();
}
