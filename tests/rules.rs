//! The validator: load-time checks, evidence offsets, and the development corpus as a floor.

use antenne::model::{Location, Posting, VerdictCode};
use antenne::rules::RuleSet;

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

/// A floor: later rule changes must not score lower on the development corpus.
#[test]
fn development_corpus_floor() {
    let rules = RuleSet::builtin().unwrap();
    let (mut right, mut tp, mut fp, mut fn_) = (0, 0, 0, 0);
    let ads = corpus();
    for ad in &ads {
        let v = rules.evaluate(&posting_of(ad));
        let label = VerdictCode::parse(ad["label"].as_str().unwrap()).unwrap();
        let should_flag = ad["claims_ant"] == true && label.is_disguise();
        right += usize::from(v.verdict == label);
        match (v.flagged, should_flag) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            _ => {}
        }
    }
    let accuracy = right as f64 / ads.len() as f64;
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    assert!(accuracy >= 0.93, "verdict accuracy {accuracy:.3}");
    assert!(
        f1 >= 0.90,
        "flag F1 {f1:.3} (precision {precision:.2}, recall {recall:.2})"
    );
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
