//! Faults of real web servers, each from a server on 127.0.0.1: a failing source is reported
//! with its kind and never stops the others.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::util::{antenne, stderr, stdout};

const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>Animatrice numérique de territoire</title><link>http://127.0.0.1/a/1</link><guid>1</guid>
<description>Ateliers collectifs pour les prestataires de l'office de tourisme.</description></item></channel></rss>"#;

/// Request times seen by the fault server, per path.
type Seen = Arc<Mutex<Vec<(String, Instant)>>>;

async fn fault_server() -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let retry_count = Arc::new(Mutex::new(0));
    // Compressed once, before any request: compressing 64 MB in a test build takes longer than
    // the crawl's timeout when the machine is busy.
    let bomb = tokio::task::spawn_blocking(|| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![b' '; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&block).unwrap();
        }
        gz.finish().unwrap()
    })
    .await
    .unwrap();
    let app = Router::new()
        .route(
            "/hang.rss",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                FEED
            }),
        )
        .route(
            "/bomb.rss",
            get(move || async move {
                (
                    [
                        (header::CONTENT_ENCODING, "gzip"),
                        (header::CONTENT_TYPE, "application/rss+xml"),
                    ],
                    bomb,
                )
            }),
        )
        .route(
            "/retry.rss",
            get(move || {
                let count = retry_count.clone();
                async move {
                    let mut n = count.lock().unwrap();
                    *n += 1;
                    if *n == 1 {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            [(header::RETRY_AFTER, "1")],
                            "plus tard",
                        )
                            .into_response()
                    } else {
                        FEED.into_response()
                    }
                }
            }),
        )
        .route(
            "/hop/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    if n == 0 {
                        // Another ad than /ok.rss's, so that both count as new.
                        FEED.replace("/a/1", "/a/hop")
                            .replace("<guid>1</guid>", "<guid>hop</guid>")
                            .replace(
                                "Animatrice numérique de territoire",
                                "Chargé de mission e-tourisme",
                            )
                            .replace("Ateliers collectifs", "Diagnostics numériques")
                            .into_response()
                    } else {
                        (
                            StatusCode::FOUND,
                            [(header::LOCATION, format!("/hop/{}", n - 1))],
                        )
                            .into_response()
                    }
                },
            ),
        )
        .route(
            "/loop",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }),
        )
        .route(
            "/ftp",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "ftp://127.0.0.1/f.rss")],
                )
            }),
        )
        .route(
            "/garbage.rss",
            get(|| async { vec![0xff_u8, 0xfe, 0x00, 0x13, 0x37, b'<', 0x80] }),
        )
        .route(
            "/html.rss",
            get(|| async { "<html><body>Maintenance en cours</body></html>" }),
        )
        .route("/private.rss", get(|| async { StatusCode::UNAUTHORIZED }))
        .route("/ok.rss", get(|| async { FEED }))
        .route("/interdit/feed.rss", get(|| async { FEED }))
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /interdit/\n" }),
        )
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let log = log.clone();
                async move {
                    log.lock()
                        .unwrap()
                        .push((req.uri().path().to_owned(), Instant::now()));
                    next.run(req).await
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

/// A server that accepts connections and drops them at once (connection reset).
async fn resetting_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    addr
}

async fn crawl(extra: &str, sources: &[(&str, String)]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let retries = if extra.contains("max_retries") {
        ""
    } else {
        "max_retries = 0\n"
    };
    let mut config =
        format!("[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\n{retries}{extra}\n");
    for (name, url) in sources {
        config.push_str(&format!(
            "[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n\n"
        ));
    }
    std::fs::write(dir.path().join("antenne.toml"), config).unwrap();
    let out = antenne(dir.path(), &["crawl"]).await;
    assert!(
        out.status.success(),
        "a failing source never fails the run: {}",
        stderr(&out)
    );
    (stdout(&out), stderr(&out))
}

fn line<'a>(out: &'a str, source: &str) -> &'a str {
    let start = out
        .find(&format!("{source} : "))
        .unwrap_or_else(|| panic!("no line for {source}: {out}"));
    let rest = &out[start..];
    let end = rest[1..].find("\n").map_or(rest.len(), |i| {
        // Include the error line that follows, if any.
        let next = &rest[i + 2..];
        if next.starts_with("  erreur") {
            i + 2 + next.find('\n').unwrap_or(next.len())
        } else {
            i + 1
        }
    });
    &rest[..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_is_reported_with_its_kind_and_others_go_on() {
    let (addr, _) = fault_server().await;
    let reset = resetting_server().await;
    let base = format!("http://{addr}");
    let started = Instant::now();
    let (out, _) = crawl(
        "timeout_secs = 2\nmax_body_bytes = 1048576\n",
        &[
            ("hang", format!("{base}/hang.rss")),
            ("bomb", format!("{base}/bomb.rss")),
            ("loop", format!("{base}/loop")),
            ("ftp", format!("{base}/ftp")),
            ("garbage", format!("{base}/garbage.rss")),
            ("html", format!("{base}/html.rss")),
            ("private", format!("{base}/private.rss")),
            ("reset", format!("http://{reset}/feed.rss")),
            ("robots", format!("{base}/interdit/feed.rss")),
            ("ok", format!("{base}/ok.rss")),
            ("five-hops", format!("{base}/hop/5")),
            ("six-hops", format!("{base}/hop/6")),
        ],
    )
    .await;
    // The hang is bounded by the timeout, not by the server's 30 s.
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
    let expect = [
        ("hang", "erreur (timeout)"),
        ("bomb", "erreur (too_large)"),
        ("loop", "erreur (redirect)"),
        ("ftp", "erreur (redirect)"),
        ("garbage", "erreur (parse)"),
        ("html", "erreur (parse)"),
        ("private", "HTTP status 401"),
        ("robots", "erreur (robots)"),
    ];
    for (source, want) in expect {
        let l = line(&out, source);
        assert!(l.contains(want), "{source}: {l}");
        assert!(l.contains("0 nouvelles"), "{source}: {l}");
    }
    let l = line(&out, "reset");
    assert!(
        l.contains("erreur (connect)") || l.contains("erreur (http)"),
        "{l}"
    );
    assert!(line(&out, "ok").contains("1 nouvelles"), "{out}");
    // The documented five redirects are followed; the sixth is refused.
    assert!(line(&out, "five-hops").contains("1 nouvelles"), "{out}");
    assert!(
        line(&out, "six-hops").contains("erreur (redirect)"),
        "{out}"
    );
    assert!(line(&out, "bomb").contains("1048576 bytes"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_then_the_fetch_succeeds() {
    let (addr, seen) = fault_server().await;
    let (out, _) = crawl(
        "max_retries = 2\n",
        &[("retry", format!("http://{addr}/retry.rss"))],
    )
    .await;
    assert!(
        line(&out, "retry").contains("1 nouvelles, 0 mises à jour"),
        "{out}"
    );
    let times: Vec<Instant> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p == "/retry.rss")
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(times.len(), 2, "one 503, then one success");
    assert!(
        times[1] - times[0] >= Duration::from_millis(950),
        "waited {:?}",
        times[1] - times[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_to_one_host_are_spaced() {
    let boards = crate::util::copy_boards();
    let sim = crate::util::simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    crate::util::write_config(work.path(), &sim);
    let path = work.path().join("antenne.toml");
    let config = std::fs::read_to_string(&path).unwrap().replace(
        "min_interval_ms = 0",
        "min_interval_ms = 100\nper_host_concurrency = 1",
    );
    std::fs::write(&path, config).unwrap();
    let started = Instant::now();
    let out = antenne(work.path(), &["crawl"]).await;
    assert!(stdout(&out).contains("13 récupérés"), "{}", stdout(&out));
    // robots.txt, the feed and 12 pages: 13 gaps of at least 100 ms between 14 requests.
    assert!(
        started.elapsed() >= Duration::from_millis(1300),
        "took {:?}",
        started.elapsed()
    );
}
