//! Every source kind together, as the demo runs them: federation, robots.txt, charsets,
//! cross-posted ads stored once with all their sources, a broken board, 304s on the next crawl.

use crate::util::{
    FT_ENV, antenne, antenne_env, copy_boards, simulator, stderr, stdout, write_federation_config,
};

fn lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_kinds_federate_and_recrawl_mostly_by_304() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    write_federation_config(work.path(), &sim);
    let dir = work.path();

    let first = antenne_env(dir, &["crawl"], &FT_ENV).await;
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    for want in [
        "board-atom : 1 récupérés, 0 non modifiés, 5 nouvelles",
        "board-jsonld : 8 récupérés",
        "board-html : 6 récupérés, 0 non modifiés, 4 nouvelles",
        "france-travail : 2 récupérés",
        "board-panne : 0 récupérés",
        "erreur (status)",
    ] {
        assert!(out.contains(want), "{want:?} in {out}");
    }

    let postings = lines(&stdout(&antenne(dir, &["export"]).await));
    // 32 ads on six boards, two of them cross-posts of board-rss ads.
    assert_eq!(
        postings.len(),
        30,
        "{}",
        postings
            .iter()
            .map(|p| p["title"].to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let sources_of = |needle: &str| -> Vec<String> {
        let p = postings
            .iter()
            .find(|p| p["employer"].as_str().is_some_and(|e| e.contains(needle)))
            .unwrap_or_else(|| panic!("no posting from {needle}"));
        let mut names: Vec<String> = p["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(sources_of("Prés Salés"), ["board-jsonld", "board-rss"]);
    assert_eq!(sources_of("Libournais"), ["board-rss", "france-travail"]);

    // robots.txt forbids /board-jsonld/prive/: its draft is never stored.
    assert!(
        !postings
            .iter()
            .any(|p| p["title"].as_str().unwrap().contains("Brouillon"))
    );
    // windows-1252 (Atom) and ISO-8859-1 (HTML) come out with their accents.
    let all = serde_json::to_string(&postings).unwrap();
    assert!(
        !all.contains('\u{fffd}') && !all.contains("Ã©") && !all.contains("â€"),
        "mojibake"
    );
    let atom: Vec<_> = postings
        .iter()
        .filter(|p| p["sources"][0]["name"] == "board-atom")
        .collect();
    assert_eq!(atom.len(), 5);
    assert!(
        atom.iter()
            .any(|p| p["description"].as_str().unwrap().contains('’'))
    );
    let chamonix = postings
        .iter()
        .find(|p| {
            p["location"]["department_code"] == "74" && p["sources"][0]["name"] == "board-html"
        })
        .unwrap();
    assert!(chamonix["description"].as_str().unwrap().contains('é'));
    // html fields: contract and date from their selectors; France Travail « 33 - Libourne » places.
    let html: Vec<_> = postings
        .iter()
        .filter(|p| p["sources"][0]["name"] == "board-html")
        .collect();
    assert!(
        html.iter()
            .all(|p| p["published"].as_str().is_some() && p["contract"].as_str().is_some())
    );
    let ft: Vec<_> = postings
        .iter()
        .filter(|p| {
            p["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == "france-travail")
        })
        .collect();
    assert_eq!(ft.len(), 5);
    assert!(
        ft.iter()
            .all(|p| p["location"]["department_code"].is_string())
    );

    // The next crawl is answered mostly by 304s and changes nothing.
    let second = stdout(&antenne_env(dir, &["crawl"], &FT_ENV).await);
    let total = |word: &str| -> u32 {
        second
            .lines()
            .filter_map(|l| {
                l.split(", ").find(|p| p.ends_with(word)).or_else(|| {
                    l.split(" : ")
                        .nth(1)?
                        .split(", ")
                        .find(|p| p.ends_with(word))
                })
            })
            .filter_map(|p| p.split_whitespace().next()?.parse::<u32>().ok())
            .sum()
    };
    let (fetched, not_modified) = (total("récupérés"), total("non modifiés"));
    assert!(not_modified > fetched, "{second}");
    assert_eq!(total("nouvelles") + total("mises à jour"), 0, "{second}");

    // Health per source, in French.
    let health = stdout(&antenne(dir, &["sources"]).await);
    assert!(
        health.contains("board-panne") && health.contains("échecs consécutifs\u{202f}: 2"),
        "{health}"
    );
    assert!(health.contains("part de 304"), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_api_credentials_are_named() {
    let boards = copy_boards();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    write_federation_config(work.path(), &sim);
    let out = antenne(work.path(), &["crawl", "--source", "france-travail"]).await;
    let text = stdout(&out);
    assert!(
        text.contains("erreur (credentials)") && text.contains("FT_TEST_ID is not set"),
        "{text}"
    );
    let wrong = antenne_env(
        work.path(),
        &["crawl", "--source", "france-travail"],
        &[("FT_TEST_ID", "x"), ("FT_TEST_SECRET", "y")],
    )
    .await;
    assert!(
        stdout(&wrong).contains("HTTP status 401"),
        "{}",
        stdout(&wrong)
    );
    assert!(
        !stdout(&wrong).contains("\"y\"") && !stderr(&wrong).contains("secret=y"),
        "secrets are never printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_returning_fewer_offers_than_asked_yields_every_offer() {
    let boards = copy_boards();
    // The API answers at most 2 offers per call, whatever range is asked (3 here).
    std::fs::write(boards.path().join("france-travail/page-cap"), "2").unwrap();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    write_federation_config(work.path(), &sim);
    let out = antenne_env(
        work.path(),
        &["crawl", "--source", "france-travail"],
        &FT_ENV,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("france-travail : 3 récupérés"),
        "three calls of 2, 2 and 1: {text}"
    );
    let export = stdout(&antenne(work.path(), &["export"]).await);
    let ft = export
        .lines()
        .filter(|l| l.contains("\"france-travail\""))
        .count();
    assert_eq!(ft, 5, "every offer: {export}");
}
