//! De-duplication at scale: 10 000, then 100 000 generated postings of which 20 % are
//! near-duplicates of earlier ones (reworded title, employer in capitals, one sentence changed).
//!
//! `cargo bench --bench dedup` prints, per size: time, postings per second, growth against the
//! smaller size (near-linear means about 10x for 10x the postings), merges found among the
//! near-duplicates (recall), wrong merges among the originals, and peak memory.

mod common;
use common::{Lcg, peak_rss_mib};

use std::time::Instant;

use antenne::dedup::near::{NearIndex, NearMatch, fingerprint};
use antenne::model::{Location, Posting};

fn generate(n: usize, sentences: &[String]) -> (Vec<Posting>, Vec<Option<usize>>) {
    let mut rng = Lcg(7);
    let mut postings: Vec<Posting> = Vec::with_capacity(n);
    let mut original_of: Vec<Option<usize>> = Vec::with_capacity(n);
    for i in 0..n {
        if i > 100 && rng.next(5) == 0 {
            let j = rng.next(i);
            let src = original_of[j].map_or(j, |o| o);
            let mut p = postings[src].clone();
            p.id = format!("p{i}");
            p.title = p.title.to_uppercase();
            p.employer = p.employer.map(|e| e.to_uppercase());
            let mut parts: Vec<&str> = p.description.split_inclusive('.').collect();
            let k = rng.next(parts.len());
            let replacement = sentences[rng.next(sentences.len())].clone();
            parts[k] = &replacement;
            p.description = parts.concat();
            postings.push(p);
            original_of.push(Some(src));
        } else {
            let count = 8 + rng.next(10);
            let description: String = (0..count)
                .map(|_| sentences[rng.next(sentences.len())].as_str())
                .collect();
            postings.push(Posting {
                id: format!("p{i}"),
                title: format!("Animateur numérique de territoire {}", rng.next(500)),
                employer: Some(format!("Office de tourisme n° {}", rng.next(2000))),
                location: Location {
                    department_code: Some(format!("{:02}", 1 + rng.next(95))),
                    ..Location::default()
                },
                description,
                ..Posting::default()
            });
            original_of.push(None);
        }
    }
    (postings, original_of)
}

fn run(n: usize, sentences: &[String]) -> f64 {
    let (postings, original_of) = generate(n, sentences);
    let t = Instant::now();
    let mut index = NearIndex::default();
    let (mut found, mut wrong, mut dups, mut grey) = (0, 0, 0, 0);
    let mut assigned: Vec<String> = Vec::with_capacity(n);
    for (i, p) in postings.iter().enumerate() {
        let fp = fingerprint(p);
        let id = match index.best(&fp, &p.id) {
            NearMatch::Same(id, _) => id,
            NearMatch::Uncertain(..) => {
                grey += usize::from(original_of[i].is_some());
                p.id.clone()
            }
            NearMatch::New => p.id.clone(),
        };
        match original_of[i] {
            Some(o) => {
                dups += 1;
                found += usize::from(id == assigned[o]);
            }
            None => wrong += usize::from(id != p.id),
        }
        if id == p.id {
            index.insert(&id, fp);
        }
        assigned.push(id);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{n:>7} postings: {secs:>7.2} s, {:>7.0} postings/s, near-duplicates merged {found}/{dups} ({:.1} %), sent to staff {grey}, wrong merges {wrong}, peak RSS {:.0} MiB",
        n as f64 / secs,
        100.0 * found as f64 / dups.max(1) as f64,
        peak_rss_mib()
    );
    secs
}

fn main() {
    let (_, sentences) = common::fixture_text();
    let small = run(10_000, &sentences);
    let large = run(100_000, &sentences);
    println!(
        "growth 10k -> 100k: {:.1}x the time for 10x the postings",
        large / small
    );
}
