//! The validator: load-time checks, evidence offsets, and the development corpus as a floor.

use antenne::model::{Location, Posting, VerdictCode};
use antenne::rules::RuleSet;
use antenne::rules::eval::{self, Labelled};

use crate::util::{corpus, root};

fn posting_of(ad: &serde_json::Value) -> Posting {
    let s = |k: &str| ad[k].as_str().map(str::to_owned);
    Posting {
        id: s("id").unwrap(),
        title: s("title").unwrap_or_default(),
        description: s("description").unwrap(),
        employer: s("employer"),
        location: Location::default(),
        ..Posting::default()
    }
}

#[test]
fn the_built_in_rules_equal_the_rules_folder() {
    let builtin = RuleSet::builtin().unwrap();
    let disk = RuleSet::load_dir(&root().join("rules")).unwrap();
    assert_eq!(builtin.version(), disk.version());
    assert_eq!(builtin.version().len(), 12);
}

fn labelled(file: &str) -> Vec<Labelled> {
    std::fs::read_to_string(root().join(file))
        .unwrap()
        .lines()
        .map(|l| {
            let ad: serde_json::Value = serde_json::from_str(l).unwrap();
            Labelled {
                posting: posting_of(&ad),
                label: VerdictCode::parse(ad["label"].as_str().unwrap()).unwrap(),
                claims_ant: ad["claims_ant"].as_bool().unwrap(),
            }
        })
        .collect()
}

/// Floors: later rule changes must not score lower than this on the development corpus, nor on
/// the held-out ads (written apart from the rules, never used to tune them).
#[test]
fn evaluation_floors() {
    let rules = RuleSet::builtin().unwrap();
    let dev = eval::evaluate(&rules, &labelled("fixtures/corpus/dev.jsonl"));
    assert_eq!(dev.ads, 92);
    assert!(
        dev.accuracy >= 0.97,
        "dev verdict accuracy {:.3}",
        dev.accuracy
    );
    assert!(dev.flagged.f1 >= 0.97, "dev flag F1 {:.3}", dev.flagged.f1);
    let held = eval::evaluate(&rules, &labelled("fixtures/ads/heldout.jsonl"));
    assert_eq!(held.ads, 48);
    assert!(
        held.accuracy >= 0.87,
        "held-out verdict accuracy {:.3}",
        held.accuracy
    );
    assert!(
        held.flagged.f1 >= 0.95,
        "held-out flag F1 {:.3}",
        held.flagged.f1
    );
    // The confusion matrix accounts for every ad.
    let total: usize = held.confusion.values().flat_map(|r| r.values()).sum();
    assert_eq!(total, 48);
}

/// Every rule fires on at least one fixture ad and stays silent on another.
#[test]
fn every_rule_is_covered_by_fixture_ads() {
    let rules = RuleSet::builtin().unwrap();
    let mut ads = labelled("fixtures/corpus/dev.jsonl");
    for file in [
        "fixtures/corpus/dev2.jsonl",
        "fixtures/corpus/extra-a.jsonl",
        "fixtures/corpus/extra-b.jsonl",
        "fixtures/corpus/extra-c.jsonl",
        "fixtures/ads/heldout.jsonl",
        "fixtures/ads/rules.jsonl",
    ] {
        ads.extend(labelled(file));
    }
    let verdicts: Vec<_> = ads.iter().map(|a| rules.evaluate(&a.posting)).collect();
    for id in rules.rule_ids() {
        let fired = verdicts
            .iter()
            .filter(|v| v.findings.iter().any(|f| f.rule == id))
            .count();
        assert!(fired > 0, "rule {id} fires on no fixture ad");
        assert!(
            fired < verdicts.len(),
            "rule {id} fires on every fixture ad"
        );
    }
}

#[test]
fn evidence_offsets_index_the_field_text() {
    let rules = RuleSet::builtin().unwrap();
    for ad in corpus() {
        let p = posting_of(&ad);
        for f in rules.evaluate(&p).findings {
            for e in f.evidence {
                let field = match e.field.as_str() {
                    "title" => &p.title,
                    "description" => &p.description,
                    _ => p.employer.as_ref().unwrap(),
                };
                assert_eq!(&field[e.start..e.end], e.text, "{} {}", p.id, f.rule);
            }
        }
    }
}

#[test]
fn a_disguised_webmaster_is_flagged_with_its_evidence() {
    let rules = RuleSet::builtin().unwrap();
    let p = Posting {
        id: "t".into(),
        title: "Animateur numérique de territoire (H/F)".into(),
        description: "Missions : administrer le site internet de l'office de tourisme sous WordPress, assurer le référencement naturel (SEO), \
                      intégrer les pages en HTML/CSS, suivre les statistiques Google Analytics, piloter la refonte du site web."
            .into(),
        ..Posting::default()
    };
    let v = rules.evaluate(&p);
    assert_eq!(v.verdict, VerdictCode::Webmaster);
    assert!(v.claims_ant && v.flagged);
    let block = &v.findings[0];
    assert_eq!(block.rule, "verdict.webmaster");
    assert!(block.reference.contains("webmaster"));
    let wm = v
        .findings
        .iter()
        .find(|f| f.rule == "profil.webmaster_technique")
        .unwrap();
    assert!(wm.evidence.iter().any(|e| e.text == "WordPress"));
}

fn load_one(extra: &str) -> String {
    let mut files: Vec<(String, String)> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.push(("extra.toml".into(), extra.into()));
    match RuleSet::from_files(files) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted: {extra}"),
    }
}

#[test]
fn bad_rules_are_errors_naming_file_and_rule() {
    let signal = |body: &str| {
        format!(
            "family = \"x\"\n[[signal]]\nid = \"s\"\nmessage = \"m\"\nreference = \"r\"\n{body}\n"
        )
    };
    let rows = [
        (
            signal("category = \"facilitation\"\npatterns = ['(']\nfire = ['a']"),
            "does not compile",
        ),
        (
            signal("category = \"nope\"\npatterns = ['a']\nfire = ['a']"),
            "unknown category",
        ),
        (
            signal(
                "category = \"facilitation\"\nfields = ['salary']\npatterns = ['a']\nfire = ['a']",
            ),
            "unknown field",
        ),
        (
            signal("category = \"facilitation\"\npatterns = ['Atelier']\nfire = ['atelier']"),
            "upper-case or accented",
        ),
        (
            signal("category = \"facilitation\"\npatterns = ['atelier']\nfire = ['rien']"),
            "should fire",
        ),
        (
            signal(
                "category = \"facilitation\"\npatterns = ['atelier']\nfire = ['atelier']\nquiet = ['un atelier']",
            ),
            "should stay quiet",
        ),
        (
            signal("category = \"facilitation\"\npatterns = ['atelier']"),
            "no `fire` example",
        ),
        (
            signal("category = \"facilitation\"\npatterns = ['a']\nfire = ['a']\nwhatever = 1"),
            "unknown field `whatever`",
        ),
    ];
    for (text, want) in rows {
        let msg = load_one(&text);
        assert!(msg.contains(want), "{msg:?} should contain {want:?}");
        assert!(msg.contains("rules/extra.toml"), "{msg}");
    }
    let dup = load_one(
        "family = \"titre\"\n[[signal]]\nid = \"ant\"\ncategory = \"claims_ant\"\npatterns = ['a']\nmessage = \"m\"\nreference = \"r\"\nfire = ['a']\n",
    );
    assert!(dup.contains(":titre.ant: duplicate rule id"), "{dup}");
}
