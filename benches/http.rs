//! The search API over HTTP under load, side by side with nginx serving a static JSON file of the
//! same size, both measured by wrk from Debian (`apt-get install wrk nginx`).
//!
//! `cargo bench --bench http [-- ADS]` (default 100 000) stores that many generated ads, serves
//! the API on 127.0.0.1 with the rate limit off, runs `wrk -t2 -c32 -d10s` on one search, then
//! on nginx serving that search's answer as a file, and prints requests per second, latency and
//! errors of both. Goal: at least half of nginx's requests per second, with zero errors.

mod common;
use common::Lcg;

use std::process::Command;
use std::sync::Arc;

use antenne::index::SearchIndex;
use antenne::model::{Location, Posting};
use antenne::rules::RuleSet;
use antenne::store::Store;
use antenne::web::{AppState, serve};

const QUERY: &str = "/api/v1/search?q=animatrice+numerique";

fn ads(n: usize) -> Vec<Posting> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/corpus/dev.jsonl"
    ))
    .expect("corpus");
    let fixtures: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let mut rng = Lcg(5);
    (0..n)
        .map(|i| {
            let ad = &fixtures[rng.next(fixtures.len())];
            Posting {
                id: format!("{i:016x}"),
                title: ad["title"].as_str().unwrap_or("").to_owned(),
                description: ad["description"].as_str().unwrap_or("").to_owned(),
                employer: ad["employer"].as_str().map(str::to_owned),
                location: Location {
                    department_code: Some("33".into()),
                    region: Some("Nouvelle-Aquitaine".into()),
                    ..Location::default()
                },
                published: chrono::NaiveDate::from_ymd_opt(
                    2026,
                    1 + rng.next(11) as u32,
                    1 + rng.next(28) as u32,
                ),
                valid_through: chrono::NaiveDate::from_ymd_opt(2030, 1, 1),
                ..Posting::default()
            }
        })
        .collect()
}

/// Runs wrk and returns its summary lines.
fn wrk(url: &str) -> Option<String> {
    let out = Command::new("wrk")
        .args(["-t2", "-c32", "-d10s", "--latency", url])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn requests_per_second(report: &str) -> f64 {
    report
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn errors(report: &str) -> String {
    report
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&tmp.path().join("data")).expect("store");
    let rules = RuleSet::builtin().expect("rules");
    let now = chrono::Utc::now();
    for p in ads(n) {
        let verdict = rules.evaluate(&p);
        store
            .upsert_posting(
                "board",
                &format!("https://board.example/{}", p.id),
                &p,
                &verdict,
                now,
            )
            .expect("store");
    }
    let index = SearchIndex::open(&tmp.path().join("index")).expect("index");
    index
        .rebuild(
            &store.postings().expect("postings"),
            store.generation().expect("generation"),
        )
        .expect("rebuild");
    let state = AppState {
        store,
        index: Arc::new(index),
        base_url: "http://127.0.0.1".into(),
        api_limit: (0, 1),
        cache: Arc::default(),
        mail: None,
        site: std::sync::Arc::default(),
        rules: Arc::new(rules),
        network: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(serve(state, listener, std::future::pending()));
    let url = format!("http://{addr}{QUERY}");
    let body = tokio::task::spawn_blocking({
        let url = url.clone();
        move || {
            Command::new("curl")
                .args(["-s", &url])
                .output()
                .map(|o| o.stdout)
                .unwrap_or_default()
        }
    })
    .await
    .expect("curl");
    println!("{n} ads; answer of {QUERY}: {} bytes", body.len());

    let ours = tokio::task::spawn_blocking(move || wrk(&url))
        .await
        .expect("wrk");
    let Some(ours) = ours else {
        println!("wrk is not installed: apt-get install wrk nginx");
        return;
    };
    std::fs::write(tmp.path().join("answer.json"), &body).expect("file");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let conf = tmp.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto; daemon off; pid {0}/nginx.pid; error_log {0}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; client_body_temp_path {0}; proxy_temp_path {0}; fastcgi_temp_path {0}; uwsgi_temp_path {0}; scgi_temp_path {0};\n\
             server {{ listen 127.0.0.1:{port}; location / {{ root {0}; default_type application/json; }} }} }}\n",
            tmp.path().display()
        ),
    )
    .expect("nginx.conf");
    let nginx = Command::new("nginx")
        .args([
            "-c",
            conf.to_str().expect("path"),
            "-p",
            tmp.path().to_str().expect("path"),
        ])
        .spawn();
    let Ok(mut nginx) = nginx else {
        println!("nginx is not installed: apt-get install nginx");
        return;
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let theirs = wrk(&format!("http://127.0.0.1:{port}/answer.json")).unwrap_or_default();
    let _ = nginx.kill();
    let _ = nginx.wait();
    let (a, b) = (requests_per_second(&ours), requests_per_second(&theirs));
    println!("antenne API : {a:>10.0} requests/s  {}", errors(&ours));
    println!("nginx file  : {b:>10.0} requests/s  {}", errors(&theirs));
    println!(
        "ratio antenne / nginx: {:.2} (goal: at least 0.5)",
        a / b.max(1.0)
    );
    for (name, report) in [("antenne", &ours), ("nginx", &theirs)] {
        let lat: Vec<&str> = report
            .lines()
            .filter(|l| l.trim_start().starts_with("50%") || l.trim_start().starts_with("99%"))
            .collect();
        println!(
            "{name} latency: {}",
            lat.iter().map(|l| l.trim()).collect::<Vec<_>>().join(", ")
        );
    }
}
