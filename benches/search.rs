//! Query latency of the search index, side by side with SQLite FTS5 on the same ads and queries.
//!
//! `cargo bench --bench search [-- SIZES...]` (default 100000 1000000) generates that many ads
//! from the fixture sentences, builds the tantivy index (`SearchIndex::rebuild`, one commit) and
//! an FTS5 table (unicode61, diacritics removed) in temporary folders, then runs 40 queries 5
//! times each on both. It prints build time and size, and p50 / p99 latency. Our search is timed
//! as the search page runs it (top 20, total count, snippets, facet counts) and with results only
//! (as the feed and the CLI run it); FTS5 gives top 20 by rank with a snippet and the count.

mod common;
use common::Lcg;

use std::time::{Duration, Instant};

use antenne::index::{SearchIndex, SearchQuery};
use antenne::model::{Location, Posting, PostingRecord, PostingStatus, Verdict, VerdictCode};

const QUERIES: [&str; 40] = [
    "numerique",
    "animatrice",
    "ateliers",
    "prestataires",
    "webmaster",
    "diagnostic",
    "hebergeurs",
    "reseaux sociaux",
    "animatrice numerique",
    "ateliers collectifs",
    "site internet",
    "office tourisme",
    "accompagnement prestataires",
    "rendez-vous individuels",
    "veille touristique",
    "community manager",
    "base donnees",
    "apidae",
    "saisie fiches",
    "temps complet",
    "animateur numerique territoire",
    "e-reputation",
    "avis clients",
    "formation",
    "restaurateurs",
    "conseiller sejour",
    "accueil",
    "billetterie",
    "wordpress",
    "referencement",
    "instagram",
    "facebook",
    "newsletter",
    "strategie numerique",
    "plan action",
    "territoire",
    "tourisme",
    "CDI",
    "saisonnier",
    "reservation en ligne",
];
const REGIONS: [(&str, &str); 6] = [
    ("33", "Nouvelle-Aquitaine"),
    ("29", "Bretagne"),
    ("74", "Auvergne-Rhône-Alpes"),
    ("34", "Occitanie"),
    ("14", "Normandie"),
    ("67", "Grand Est"),
];

fn generate(n: usize) -> Vec<PostingRecord> {
    let (titles, sentences) = common::fixture_text();
    let mut rng = Lcg(11);
    let now = chrono::Utc::now();
    (0..n)
        .map(|i| {
            let (code, region) = REGIONS[rng.next(REGIONS.len())];
            let description: String = (0..3 + rng.next(4))
                .map(|_| sentences[rng.next(sentences.len())].as_str())
                .collect();
            let verdict = if rng.next(5) == 0 {
                VerdictCode::Webmaster
            } else {
                VerdictCode::Ant
            };
            PostingRecord {
                posting: Posting {
                    id: format!("{i:016x}"),
                    title: titles[rng.next(titles.len())].clone(),
                    description,
                    location: Location {
                        department_code: Some(code.into()),
                        region: Some(region.into()),
                        ..Location::default()
                    },
                    contract: Some(if rng.next(2) == 0 { "CDI" } else { "CDD" }.into()),
                    published: chrono::NaiveDate::from_ymd_opt(
                        2026,
                        1 + rng.next(11) as u32,
                        1 + rng.next(28) as u32,
                    ),
                    ..Posting::default()
                },
                sources: Vec::new(),
                status: PostingStatus::Open,
                verdict: Some(Verdict {
                    id: String::new(),
                    verdict,
                    claims_ant: true,
                    flagged: false,
                    scores: Default::default(),
                    findings: Vec::new(),
                    missions: Vec::new(),
                    facilitation_share: None,
                    margin: 1.0,
                    runner_up: None,
                    rules_version: String::new(),
                }),
                review: None,
                first_seen: now,
                updated_at: now,
                revision: 1,
            }
        })
        .collect()
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| {
                    e.metadata().map_or(0, |m| {
                        if m.is_dir() {
                            dir_size(&e.path())
                        } else {
                            m.len()
                        }
                    })
                })
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort_unstable();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "  {name:<28} p50 {:>8.3} ms   p99 {:>8.3} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    (p50, p99)
}

fn run(n: usize) -> Duration {
    println!("{n} ads");
    let records = generate(n);
    let tmp = tempfile::tempdir().expect("temp dir");

    let t = Instant::now();
    let index = SearchIndex::open(&tmp.path().join("tantivy")).expect("index");
    index.rebuild(&records, 1).expect("rebuild");
    println!(
        "  tantivy build {:>7.1} s, {:>6.0} MB",
        t.elapsed().as_secs_f64(),
        dir_size(&tmp.path().join("tantivy")) as f64 / 1e6
    );

    let t = Instant::now();
    let db = rusqlite::Connection::open(tmp.path().join("fts.db")).expect("sqlite");
    db.execute_batch("PRAGMA journal_mode = WAL; CREATE VIRTUAL TABLE ads USING fts5(title, description, tokenize = 'unicode61 remove_diacritics 2');").expect("fts5");
    {
        let tx = db.unchecked_transaction().expect("tx");
        let mut insert = tx
            .prepare("INSERT INTO ads (title, description) VALUES (?1, ?2)")
            .expect("insert");
        for r in &records {
            insert
                .execute((&r.posting.title, &r.posting.description))
                .expect("row");
        }
        drop(insert);
        tx.commit().expect("commit");
    }
    db.execute_batch("INSERT INTO ads(ads) VALUES('optimize');")
        .expect("optimize");
    println!(
        "  fts5 build    {:>7.1} s, {:>6.0} MB",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(tmp.path().join("fts.db")).map_or(0, |m| m.len()) as f64 / 1e6
    );
    drop(records);

    let mut ours = Vec::new();
    let mut bare = Vec::new();
    let mut theirs = Vec::new();
    let mut top = db
        .prepare("SELECT rowid, snippet(ads, 1, '<b>', '</b>', '…', 20) FROM ads WHERE ads MATCH ?1 ORDER BY rank LIMIT 20")
        .expect("query");
    let mut count = db
        .prepare("SELECT count(*) FROM ads WHERE ads MATCH ?1")
        .expect("count");
    for _ in 0..5 {
        for q in QUERIES {
            let t = Instant::now();
            let r = index
                .search(&SearchQuery {
                    text: q.into(),
                    limit: 20,
                    all: true,
                    facets: true,
                    ..SearchQuery::default()
                })
                .expect("search");
            ours.push(t.elapsed());
            std::hint::black_box(r);
            let t = Instant::now();
            let r = index
                .search(&SearchQuery {
                    text: q.into(),
                    limit: 20,
                    all: true,
                    ..SearchQuery::default()
                })
                .expect("search");
            bare.push(t.elapsed());
            std::hint::black_box(r);
            // FTS5 syntax: every word required, each as a quoted string (no operators).
            let fts = q
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ");
            let t = Instant::now();
            let rows: Vec<(i64, String)> = top
                .query_map([&fts], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("rows")
                .filter_map(Result::ok)
                .collect();
            let total: i64 = count.query_row([&fts], |r| r.get(0)).expect("count");
            theirs.push(t.elapsed());
            std::hint::black_box((rows, total));
        }
    }
    let (_, ours99) = report("antenne, with facet counts", ours);
    let (_, bare99) = report("antenne, results only", bare);
    let (_, fts99) = report("SQLite FTS5", theirs);
    println!(
        "  p99 ratio antenne / FTS5: {:.3} with facets, {:.3} results only (goal: at most 0.1)",
        ours99.as_secs_f64() / fts99.as_secs_f64(),
        bare99.as_secs_f64() / fts99.as_secs_f64()
    );
    bare99
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100_000, 1_000_000]
    } else {
        sizes
    };
    let p99s: Vec<Duration> = sizes.iter().map(|&n| run(n)).collect();
    if let [small, .., large] = p99s[..] {
        println!(
            "p99 growth {} -> {}: {:.1}x (goal: under 10x)",
            sizes[0],
            sizes[sizes.len() - 1],
            large.as_secs_f64() / small.as_secs_f64()
        );
    }
}
