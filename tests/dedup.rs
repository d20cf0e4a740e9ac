//! One posting per real job: the same ads on two loopback boards under other URLs, reworded
//! titles and employers written differently; uncertain pairs recorded, not merged; the
//! posting set stable under re-fetch and item order.

use std::collections::{BTreeSet, HashMap};

use antenne::dedup::near::NearIndex;
use antenne::model::{Posting, RawPosting};
use antenne::pipeline::keep_posting;
use antenne::rules::RuleSet;
use antenne::store::Store;
use proptest::prelude::*;

use crate::util::{antenne, simulator, stderr, stdout};

const PROSE: [&str; 4] = [
    "L'office de tourisme du Pays des Abers recrute son animateur numérique de territoire. Vous accompagnez les hébergeurs, restaurateurs et prestataires d'activités dans leurs usages numériques. Vous réalisez leur diagnostic numérique, animez des ateliers collectifs de novembre à mars et assurez des rendez-vous individuels dans leurs établissements. Vous partagez une veille e-touristique avec les professionnels et suivez leurs avis clients. Poste basé à Lannilis, déplacements sur les vingt communes du territoire.",
    "La communauté de communes du Val d'Aulnoy cherche un chargé de mission pour le site internet de l'office. Vous administrez le site sous WordPress, assurez le référencement naturel, intégrez les pages en HTML et CSS et suivez les statistiques d'audience. Vous pilotez la refonte prévue l'an prochain avec l'agence retenue et rédigez les cahiers des charges.",
    "Le PETR du Lunévillois recrute une animatrice numérique de territoire à temps complet. Elle rencontre les socio-professionnels du tourisme, dresse un état des lieux numérique des prestataires, organise des ateliers thématiques sur la réservation en ligne, la fiche Google et les réseaux sociaux de leurs établissements, et propose un accompagnement individuel sur rendez-vous. Une veille numérique est partagée chaque mois avec les partenaires.",
    "Le Syndicat d'initiative de Lagrasse recrute un conseiller en séjour pour la saison. Accueil des visiteurs au comptoir, billetterie des visites guidées, boutique, tenue des statistiques de fréquentation et mise à jour de la documentation touristique. Travail le week-end et les jours fériés de juin à septembre.",
];

fn atom(entries: &[(String, String, String, String)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2026-11-20T09:00:00Z</updated>"#,
    );
    for (title, employer, url, text) in entries {
        s.push_str(&format!(
            r#"<entry><title>{title}</title><id>{url}</id><updated>2026-11-20T09:00:00Z</updated><link rel="alternate" href="{url}"/><author><name>{employer}</name></author><content type="text">{text}</content></entry>"#
        ));
    }
    s + "</feed>"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_jobs_on_two_boards_are_stored_once() {
    let boards = tempfile::tempdir().unwrap();
    let e = |t: &str, emp: &str, url: &str, text: &str| {
        (
            t.to_owned(),
            emp.to_owned(),
            url.to_owned(),
            text.replace('&', "&amp;").replace('\'', "&apos;"),
        )
    };
    let a = atom(&[
        e(
            "Animateur numérique de territoire (H/F)",
            "Office de Tourisme du Pays des Abers",
            "https://abers.example/emploi/ant",
            PROSE[0],
        ),
        e(
            "Chargé(e) du site internet",
            "Communauté de communes du Val d'Aulnoy",
            "https://aulnoy.example/emploi/web",
            PROSE[1],
        ),
        e(
            "Animatrice numérique de territoire",
            "PETR du Lunévillois",
            "https://lunevillois.example/offres/12",
            PROSE[2],
        ),
    ]);
    let half = format!(
        "{} Le poste comprend aussi la gestion de la boutique, la tenue de la caisse, l'inventaire et la préparation des commandes de fin de saison pour les partenaires.",
        &PROSE[2][..PROSE[2].len() / 2]
    );
    let b = atom(&[
        // Reworded title, employer in capitals, another URL with tracking parameters.
        e(
            "ANIMATEUR / ANIMATRICE NUMERIQUE DE TERRITOIRE - ABERS",
            "OFFICE DE TOURISME PAYS DES ABERS",
            "https://emplois-bretagne.example/o/9931?utm_source=rss&amp;ref=flux",
            &PROSE[0].replace(
                "Poste basé à Lannilis, déplacements",
                "Poste à Lannilis ; déplacements",
            ),
        ),
        e(
            "Chargé de mission site internet (F/H)",
            "CC du Val d'Aulnoy",
            "https://emplois-bretagne.example/o/9932",
            PROSE[1],
        ),
        e(
            "Conseiller en séjour saisonnier",
            "SI de Lagrasse",
            "https://emplois-bretagne.example/o/9933",
            PROSE[3],
        ),
        // Half the same text: perhaps the same job, for staff to decide.
        e(
            "Animatrice numérique de territoire",
            "PETR du Lunévillois",
            "https://emplois-bretagne.example/o/9934",
            &half,
        ),
    ]);
    std::fs::create_dir_all(boards.path().join("a")).unwrap();
    std::fs::create_dir_all(boards.path().join("b")).unwrap();
    std::fs::write(boards.path().join("a/feed.atom"), a).unwrap();
    std::fs::write(boards.path().join("b/feed.atom"), b).unwrap();
    let sim = simulator(boards.path()).await;
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("antenne.toml"),
        format!(
            "[crawl]\nallow_private_addresses = true\nmin_interval_ms = 0\n\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"{0}/a/feed.atom\"\n\n\
             [[sources]]\nname = \"b\"\nkind = \"feed\"\nurl = \"{0}/b/feed.atom\"\n",
            sim.base_url()
        ),
    )
    .unwrap();
    // Board a first, then b, so that the order is known.
    assert!(
        antenne(work.path(), &["crawl", "--source", "a"])
            .await
            .status
            .success()
    );
    let out = antenne(work.path(), &["crawl", "--source", "b"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let export: Vec<serde_json::Value> = stdout(&antenne(work.path(), &["export"]).await)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(export.len(), 5, "3 jobs on a, 2 merged + 2 more on b");
    let sources = |url_part: &str| -> Vec<String> {
        let p = export
            .iter()
            .find(|p| {
                p["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["url"].as_str().unwrap().contains(url_part))
            })
            .unwrap();
        let mut v: Vec<String> = p["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(sources("abers.example"), ["a", "b"]);
    assert_eq!(sources("aulnoy.example"), ["a", "b"]);
    assert_eq!(sources("o/9933"), ["b"]);
    assert_eq!(sources("o/9934"), ["b"], "an uncertain pair is not merged");
    // The posting keeps the text of the board that first carried it.
    let abers = export
        .iter()
        .find(|p| p["url"].as_str().unwrap().contains("abers.example"))
        .unwrap();
    assert_eq!(abers["title"], "Animateur numérique de territoire (H/F)");

    let db = rusqlite::Connection::open(work.path().join("data/antenne.db")).unwrap();
    let pairs: Vec<(f64, String)> = db
        .prepare("SELECT score, status FROM duplicate_candidates")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert!(
        pairs[0].0 >= 0.55 && pairs[0].0 < 0.80 && pairs[0].1 == "pending",
        "{pairs:?}"
    );

    // Re-fetching changes nothing.
    std::fs::write(
        boards.path().join("a/feed.atom"),
        std::fs::read_to_string(boards.path().join("a/feed.atom")).unwrap() + "\n",
    )
    .unwrap();
    let again = stdout(&antenne(work.path(), &["crawl"]).await);
    assert!(
        again
            .contains("a : 1 récupérés, 0 non modifiés, 0 nouvelles, 0 mises à jour, 3 inchangées"),
        "{again}"
    );
}

/// Ads from the held-out fixtures, several of them carried twice under tracking URLs.
fn sightings() -> Vec<(String, String, Posting)> {
    let text =
        std::fs::read_to_string(crate::util::root().join("fixtures/ads/heldout.jsonl")).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().take(12).enumerate() {
        let ad: serde_json::Value = serde_json::from_str(line).unwrap();
        let raw = RawPosting {
            title: ad["title"].as_str().map(str::to_owned),
            description: ad["description"].as_str().map(str::to_owned),
            employer: ad["employer"].as_str().map(str::to_owned),
            url: Some(format!("https://board.example/ads/{i}")),
            ..RawPosting::default()
        };
        let p = antenne::normalize::normalize(raw).unwrap();
        out.push((
            "board".to_owned(),
            format!("https://board.example/ads/{i}"),
            p.clone(),
        ));
        if i % 3 == 0 {
            let mut again = p.clone();
            again.url = Some(format!("https://board.example/ads/{i}?utm_source=x"));
            out.push((
                "aggregator".to_owned(),
                format!("https://agg.example/{i}"),
                again,
            ));
        }
    }
    out
}

/// The partition of sighting URLs into postings, whatever the ids.
fn partition(
    order: &[usize],
    items: &[(String, String, Posting)],
    rules: &RuleSet,
) -> BTreeSet<BTreeSet<String>> {
    let store = Store::open_in_memory().unwrap();
    let mut index = NearIndex::default();
    let now = chrono::Utc::now();
    for round in 0..2 {
        for &i in order {
            let (source, url, p) = &items[i];
            let kept =
                keep_posting(&store, &mut index, rules, source, url, p.clone(), now).unwrap();
            if round == 1 {
                assert_eq!(
                    kept.change,
                    antenne::store::Change::Unchanged,
                    "a re-fetch changes nothing"
                );
            }
        }
    }
    let mut groups: HashMap<String, BTreeSet<String>> = HashMap::new();
    for r in store.postings().unwrap() {
        for s in r.sources {
            groups
                .entry(r.posting.id.clone())
                .or_default()
                .insert(s.url);
        }
    }
    groups.into_values().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_posting_set_is_stable_under_item_order(seed in any::<u64>()) {
        let items = sightings();
        let rules = RuleSet::builtin().unwrap();
        let natural: Vec<usize> = (0..items.len()).collect();
        let mut shuffled = natural.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = partition(&natural, &items, &rules);
        let b = partition(&shuffled, &items, &rules);
        prop_assert_eq!(a.len(), 12);
        prop_assert_eq!(a, b);
    }
}
