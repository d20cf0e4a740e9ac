//! Extraction throughput per kind, side by side with Python's feedparser (feeds) and
//! BeautifulSoup with lxml, lxml alone and selectolax (pages) on the same files, in one run.
//!
//! `cargo bench --bench extract [-- SCALE]` writes a generated corpus (RSS and Atom feeds of
//! 50 items, ad pages with JobPosting JSON-LD, ad pages read with CSS selectors; SCALE × 100
//! of each, default SCALE 10) to a temporary folder, times `antenne::extract::extract` on it,
//! then runs `benches/peers/extract_py.py` on the same folder. Python peers that are not
//! installed are reported as such (`pip install feedparser beautifulsoup4 lxml selectolax`).

mod common;
use common::peak_rss_mib;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use antenne::extract::{Document, Expect, extract};

struct Ad {
    title: String,
    employer: String,
    city: String,
    description: String,
}

fn ads() -> Vec<Ad> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/corpus/dev.jsonl"
    ))
    .expect("corpus");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            Ad {
                title: s("title"),
                employer: s("employer"),
                city: v["location"]["city"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                description: s("description"),
            }
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_desc(d: &str) -> String {
    d.split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{}</p>", esc(l)))
        .collect()
}

fn rss(ads: &[Ad], n: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Offres</title><link>http://127.0.0.1/</link><description>d</description>"#,
    );
    for i in 0..50 {
        let ad = &ads[(n * 50 + i) % ads.len()];
        s.push_str(&format!(
            "<item><title>{}</title><link>http://127.0.0.1/offres/{n}-{i}.html</link><guid>{n}-{i}</guid><pubDate>Mon, 02 Nov 2026 09:30:00 +0100</pubDate><author>{}</author><description><![CDATA[{}]]></description></item>",
            esc(&ad.title), esc(&ad.employer), html_desc(&ad.description)
        ));
    }
    s + "</channel></rss>"
}

fn atom(ads: &[Ad], n: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Offres</title><id>urn:x</id><updated>2026-11-02T09:30:00+01:00</updated>"#,
    );
    for i in 0..50 {
        let ad = &ads[(n * 50 + i + 7) % ads.len()];
        s.push_str(&format!(
            r#"<entry><title>{}</title><id>urn:{n}:{i}</id><updated>2026-11-02T09:30:00+01:00</updated><link rel="alternate" href="http://127.0.0.1/a/{n}-{i}.html"/><author><name>{}</name></author><content type="html">{}</content></entry>"#,
            esc(&ad.title), esc(&ad.employer), esc(&html_desc(&ad.description))
        ));
    }
    s + "</feed>"
}

fn page_shell(head: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Offre</title><link rel="stylesheet" href="/s.css">{head}</head><body><header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/offres">Offres</a></li></ul></nav></header><main>{body}</main><footer><p>Mentions légales</p></footer></body></html>"#
    )
}

fn jsonld_page(ad: &Ad, n: usize) -> String {
    let ld = serde_json::json!({
        "@context": "https://schema.org", "@type": "JobPosting", "title": ad.title,
        "description": html_desc(&ad.description), "datePosted": "2026-11-02", "validThrough": "2027-01-15",
        "employmentType": "FULL_TIME", "identifier": {"@type": "PropertyValue", "value": n.to_string()},
        "hiringOrganization": {"@type": "Organization", "name": ad.employer},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": ad.city, "addressCountry": "FR"}}
    });
    page_shell(
        &format!(
            r#"<script type="application/ld+json">{}</script>"#,
            ld.to_string().replace("</", "<\\/")
        ),
        &format!(
            "<h1>{}</h1><div class=\"descriptif\">{}</div>",
            esc(&ad.title),
            html_desc(&ad.description)
        ),
    )
}

fn html_page(ad: &Ad) -> String {
    page_shell(
        "",
        &format!(
            r#"<h1>{}</h1><p class="employeur">{}</p><p class="lieu">{}</p><p class="contrat">CDI</p><p class="publication">Publiée le <time datetime="2026-11-02">2 novembre 2026</time></p><div class="descriptif">{}</div>"#,
            esc(&ad.title),
            esc(&ad.employer),
            esc(&ad.city),
            html_desc(&ad.description)
        ),
    )
}

fn write_corpus(dir: &Path, scale: usize) -> std::io::Result<()> {
    let ads = ads();
    for kind in ["rss", "atom", "jsonld", "html"] {
        std::fs::create_dir_all(dir.join(kind))?;
    }
    for n in 0..scale * 100 {
        std::fs::write(dir.join(format!("rss/{n}.xml")), rss(&ads, n))?;
        std::fs::write(dir.join(format!("atom/{n}.xml")), atom(&ads, n))?;
        std::fs::write(
            dir.join(format!("jsonld/{n}.html")),
            jsonld_page(&ads[n % ads.len()], n),
        )?;
        std::fs::write(
            dir.join(format!("html/{n}.html")),
            html_page(&ads[(n * 3) % ads.len()]),
        )?;
    }
    Ok(())
}

fn main() {
    let scale: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("antenne-extract-bench-{}", std::process::id()));
    write_corpus(&dir, scale).expect("corpus written");
    let fields: BTreeMap<String, String> = [
        ("title", "h1"),
        ("description", ".descriptif"),
        ("employer", ".employeur"),
        ("location", ".lieu"),
        ("contract", ".contrat"),
        ("published", "time@datetime"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    println!(
        "{:<10} {:>8} {:>10} {:>10}   (antenne::extract, one core)",
        "kind", "MB", "MB/s", "ads/s"
    );
    let mut rust = BTreeMap::new();
    for kind in ["rss", "atom", "jsonld", "html"] {
        let files: Vec<Vec<u8>> = std::fs::read_dir(dir.join(kind))
            .expect("dir")
            .map(|e| std::fs::read(e.expect("entry").path()).expect("file"))
            .collect();
        let bytes: usize = files.iter().map(Vec::len).sum();
        let t = Instant::now();
        let mut ads = 0;
        for body in &files {
            let doc = Document {
                url: "http://127.0.0.1/offres/1.html",
                content_type: None,
                body,
            };
            let expect = match kind {
                "rss" | "atom" => Expect::Feed,
                "jsonld" => Expect::AdPage,
                _ => Expect::Fields(&fields),
            };
            ads += extract(doc, expect).expect("extracts").postings.len();
        }
        let secs = t.elapsed().as_secs_f64();
        let mb_s = bytes as f64 / 1e6 / secs;
        rust.insert(kind, mb_s);
        println!(
            "{kind:<10} {:>8.1} {mb_s:>10.1} {:>10.0}",
            bytes as f64 / 1e6,
            ads as f64 / secs
        );
    }
    println!("peak RSS (Rust process) {:.0} MiB", peak_rss_mib());
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers/extract_py.py");
    match std::process::Command::new("python3")
        .arg(peer)
        .arg(&dir)
        .output()
    {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            print!("{text}");
            for line in text.lines() {
                let cols: Vec<&str> = line.split_whitespace().collect();
                if let [peer, kind, _, mb_s, ..] = cols[..]
                    && let (Some(ours), Ok(theirs)) = (rust.get(kind), mb_s.parse::<f64>())
                {
                    println!("ratio antenne / {peer} on {kind}: {:.1}x", ours / theirs);
                }
            }
        }
        Ok(o) => println!(
            "python peers failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => println!("python peers not run: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
