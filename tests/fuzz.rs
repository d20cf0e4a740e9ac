//! The fuzz targets of `fuzz/` as deterministic generators: everything a board, a visitor or an
//! operator can send goes through the parsers without a panic, an abort or unbounded work.
//! Each target is seeded with the fixtures and mutated; the seed of the generator is fixed so
//! that a failure reproduces. `cargo fuzz` runs the same entry points coverage-guided.

use antenne::extract::{Document, Expect, extract};
use antenne::model::RawPosting;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use crate::util::root;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x0061_6e74_656e_6e65),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Fixture files, as seeds for mutation.
fn seeds(dir: &str, ext: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(std::fs::read(p).unwrap());
            }
        }
    }
    assert!(!out.is_empty(), "no .{ext} under {dir}");
    out
}

/// A seed with a few bytes replaced, cut, or a chunk repeated: the shapes real faults take.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        0..seeds.len(),
        prop::collection::vec((any::<u32>(), any::<u8>()), 0..16),
        any::<u32>(),
        any::<u16>(),
        0u8..4,
    )
        .prop_map(move |(i, edits, cut, repeat, how)| {
            let mut bytes = seeds[i].clone();
            if bytes.is_empty() {
                return bytes;
            }
            for (at, b) in edits {
                let at = at as usize % bytes.len();
                bytes[at] = b;
            }
            match how {
                1 => bytes.truncate(cut as usize % bytes.len()),
                2 => {
                    let at = cut as usize % bytes.len();
                    let chunk: Vec<u8> = bytes[at..].iter().take(64).copied().collect();
                    for _ in 0..repeat % 200 {
                        bytes.splice(at..at, chunk.iter().copied());
                    }
                }
                _ => {}
            }
            bytes
        })
}

fn rules() -> &'static antenne::rules::RuleSet {
    static RULES: std::sync::OnceLock<antenne::rules::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| antenne::rules::RuleSet::builtin().unwrap())
}

fn doc(body: &[u8]) -> Document<'_> {
    Document {
        url: "http://127.0.0.1:9/fuzz",
        content_type: None,
        body,
    }
}

/// Markup-heavy text: tags, entities, nesting and the characters French ads use.
fn markup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("<div>".to_owned()),
            Just("</div>".to_owned()),
            Just("<p>".to_owned()),
            Just("<li>".to_owned()),
            Just("<script>".to_owned()),
            Just("</script>".to_owned()),
            Just("<!--".to_owned()),
            Just("-->".to_owned()),
            Just("&eacute;".to_owned()),
            Just("&#x1F600;".to_owned()),
            Just("&".to_owned()),
            Just("<".to_owned()),
            Just("<![CDATA[".to_owned()),
            "[a-zA-Zéèàç0-9 %:;,./()«»·\n-]{0,12}",
        ],
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn feeds(body in mutated(seeds("fixtures/boards", "rss").into_iter()
        .chain(seeds("fixtures/boards", "atom")).collect())) {
        let _ = extract(doc(&body), Expect::Feed);
    }

    #[test]
    fn ad_pages_and_json_ld(body in mutated(seeds("fixtures/boards", "html"))) {
        let _ = extract(doc(&body), Expect::AdPage);
        let _ = extract(doc(&body), Expect::Listing { links: "a", next: Some("a[rel=next]") });
    }

    #[test]
    fn api_answers(body in mutated(seeds("fixtures/boards/france-travail", "json"))) {
        let _ = extract(doc(&body), Expect::FranceTravail);
    }

    #[test]
    fn html_to_text(text in markup()) {
        let plain = antenne::normalize::html_to_text(&text);
        prop_assert!(plain.len() <= text.len() * 4 + 16);
    }

    #[test]
    fn normalise_and_validate(
        title in "[a-zA-Zéèàç·()/ -]{0,40}",
        description in markup(),
        place in "[a-zA-Zéè0-9 ()-]{0,30}",
        contract in "[a-zA-Z0-9 /éè%-]{0,30}",
        salary in "[0-9 ,.€a-zA-Zà-]{0,30}",
        date in "[0-9 /:a-zéû-]{0,20}",
    ) {
        let raw = RawPosting {
            title: Some(title),
            description: Some(description),
            location: antenne::model::RawLocation { text: Some(place), ..Default::default() },
            contract: Some(contract.clone()),
            hours: Some(contract),
            salary: Some(salary),
            published: Some(date.clone()),
            valid_through: Some(date),
            ..RawPosting::default()
        };
        if let Ok(posting) = antenne::normalize::normalize(raw) {
            let v = rules().evaluate(&posting);
            for f in &v.findings {
                for e in &f.evidence {
                    let field = match e.field.as_str() {
                        "title" => &posting.title,
                        "description" => &posting.description,
                        _ => posting.employer.as_ref().unwrap(),
                    };
                    prop_assert_eq!(&field[e.start..e.end], e.text.as_str());
                }
            }
        }
    }

    #[test]
    fn search_queries(text in "[a-zA-Zéè0-9 \"'()*:~^+-]{0,80}") {
        let _ = antenne::index::query::interpret(&text);
    }

    #[test]
    fn configuration_files(text in mutated(vec![
        std::fs::read(root().join("fixtures/antenne.example.toml")).unwrap(),
    ])) {
        let _ = antenne::config::Config::from_toml_str(&String::from_utf8_lossy(&text), "fuzz.toml");
    }

}

proptest! {
    #![proptest_config(config(12))]

    #[test]
    fn rule_files(text in mutated(seeds("rules", "toml"))) {
        let mut files: Vec<(String, String)> = std::fs::read_dir(root().join("rules"))
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
            })
            .filter(|(n, _)| n != "missions.toml")
            .collect();
        files.push(("missions.toml".into(), String::from_utf8_lossy(&text).into_owned()));
        let _ = antenne::rules::RuleSet::from_files(files);
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// A whole search on a real index: any query answers or says why not.
    #[test]
    fn searches(text in "[a-zA-Zéè0-9 \"'()*:~^+-]{0,60}") {
        use std::sync::OnceLock;
        static INDEX: OnceLock<antenne::index::SearchIndex> = OnceLock::new();
        let index = INDEX.get_or_init(|| antenne::index::SearchIndex::in_memory().unwrap());
        let q = antenne::index::SearchQuery { text, all: true, limit: 5, ..Default::default() };
        let _ = index.search(&q);
    }
}
