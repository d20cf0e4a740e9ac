//! Validation throughput, side by side with its practical limit and a Python peer.
//!
//! `cargo bench --bench validate [-- ADS]` (default 100 000 ads) generates ads by mixing the
//! sentences of the fixture ads (deterministic), then measures in one run:
//! 1. `RuleSet::evaluate` on every ad (folding, sections, negation, scoring, explanations);
//! 2. a bare aho-corasick scan of the same folded bytes for the literal words of the rules'
//!    patterns: the practical limit of any matcher that must read every byte;
//! 3. Python's `re` running the same patterns over the same folded text
//!    (`benches/peers/validate_re.py`, on the first 10 000 ads).
//!
//! It prints MB/s and ads/s for each, the ratios, and the peak resident memory, and warns when
//! the rules fall below 50 MB/s (a Unicode `\b` slipping into a pattern does that).

mod common;
use common::{Lcg, peak_rss_mib};

use std::io::Write;
use std::time::Instant;

use aho_corasick::AhoCorasick;
use antenne::model::Posting;
use antenne::rules::RuleSet;

const DEFAULT_ADS: usize = 100_000;
const PYTHON_ADS: usize = 10_000;
const GUARD_MB_S: f64 = 50.0;

fn generate(n: usize) -> Vec<Posting> {
    let (titles, sentences) = common::fixture_text();
    let mut rng = Lcg(42);
    (0..n)
        .map(|i| {
            let count = 12 + rng.next(20);
            let description: String = (0..count)
                .map(|_| sentences[rng.next(sentences.len())].as_str())
                .collect();
            Posting {
                id: format!("g{i}"),
                title: titles[rng.next(titles.len())].clone(),
                description,
                ..Posting::default()
            }
        })
        .collect()
}

/// Literal words of the rule patterns (runs of 4+ letters), for the aho-corasick baseline.
fn literals() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut words = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(format!("{root}/rules")).expect("rules folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("rule file");
        let value: toml::Value = toml::from_str(&text).expect("valid rules");
        for signal in value
            .get("signal")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
        {
            for p in signal["patterns"].as_array().into_iter().flatten() {
                for w in p
                    .as_str()
                    .unwrap_or_default()
                    .split(|c: char| !c.is_ascii_lowercase())
                {
                    if w.len() >= 4 {
                        words.insert(w.to_owned());
                    }
                }
            }
        }
    }
    words.into_iter().collect()
}

fn fold(text: &str) -> String {
    // The same folding as the rules (lower case, accents off, punctuation as spaces); the
    // exact map is not needed for a throughput baseline.
    deunicode::deunicode(text).to_lowercase()
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(DEFAULT_ADS);
    let rules = RuleSet::builtin().expect("built-in rules");
    let ads = generate(n);
    let bytes: usize = ads
        .iter()
        .map(|a| a.title.len() + a.description.len())
        .sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "{n} generated ads, {mb:.1} MB of text, rules version {}",
        rules.version()
    );

    let t = Instant::now();
    let mut flagged = 0usize;
    for ad in &ads {
        flagged += usize::from(rules.evaluate(ad).flagged);
    }
    let rules_s = t.elapsed().as_secs_f64();

    let folded: Vec<String> = ads
        .iter()
        .map(|a| fold(&format!("{}\n{}", a.title, a.description)))
        .collect();
    let words = literals();
    let ac = AhoCorasick::new(&words).expect("automaton");
    let t = Instant::now();
    let mut hits = 0usize;
    for text in &folded {
        hits += ac.find_iter(text).count();
    }
    let ac_s = t.elapsed().as_secs_f64();

    let corpus = std::env::temp_dir().join(format!("antenne-bench-{}.txt", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&corpus).expect("temp file"));
        for text in folded.iter().take(PYTHON_ADS) {
            writeln!(f, "{}", text.replace('\n', " \u{1f} ")).expect("write");
        }
    }
    let peer = format!(
        "{}/benches/peers/validate_re.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let python = std::process::Command::new("python3")
        .args([
            peer.as_str(),
            corpus.to_str().expect("utf-8 path"),
            &format!("{}/rules", env!("CARGO_MANIFEST_DIR")),
        ])
        .output();
    let _ = std::fs::remove_file(&corpus);
    let python_mb_s = python.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout).lines().find_map(|l| {
            l.strip_prefix("MB/s ")
                .and_then(|v| v.trim().parse::<f64>().ok())
        })
    });

    let rules_mb_s = mb / rules_s;
    let ac_mb_s = mb / ac_s;
    println!("{:<34} {:>10} {:>12}", "", "MB/s", "ads/s");
    println!(
        "{:<34} {:>10.1} {:>12.0}",
        "antenne rules (evaluate)",
        rules_mb_s,
        n as f64 / rules_s
    );
    println!(
        "{:<34} {:>10.1} {:>12.0}",
        format!("aho-corasick scan ({} literals)", words.len()),
        ac_mb_s,
        n as f64 / ac_s
    );
    match python_mb_s {
        Some(p) => println!(
            "{:<34} {:>10.1} {:>12}",
            "python re (same patterns)", p, "-"
        ),
        None => println!("python re: not run (python3 missing or failed)"),
    }
    println!(
        "ratio aho-corasick / rules: {:.2}x (goal: within 2x)",
        ac_mb_s / rules_mb_s
    );
    if let Some(p) = python_mb_s {
        println!(
            "ratio rules / python re: {:.1}x (goal: at least 20x)",
            rules_mb_s / p
        );
    }
    println!(
        "flagged {flagged}, literal hits {hits}; peak RSS {:.0} MiB",
        peak_rss_mib()
    );
    if rules_mb_s < GUARD_MB_S {
        println!(
            "WARNING: rules run at {rules_mb_s:.1} MB/s, under the {GUARD_MB_S} MB/s guard: look for a Unicode \\b or a slow pattern"
        );
    }
}
