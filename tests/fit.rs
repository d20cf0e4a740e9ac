//! `antenne rules fit`: cross-validated figures beside in-sample ones, floors, and the refusal to
//! write weights that cross-validate worse than those in use.

use crate::util::{antenne, root, stderr, stdout};

/// A copy of the rule folder the test may rewrite.
fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(root().join("rules")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    dir
}

#[tokio::test]
async fn fit_reports_cross_validated_figures_and_guards_the_weights() {
    let rules = rules_copy();
    let dir = rules.path().to_str().unwrap().to_owned();
    let dev = root().join("fixtures/corpus/dev.jsonl");
    let dev = dev.to_str().unwrap();
    let weights = rules.path().join("poids.toml");
    let before = std::fs::read_to_string(&weights).unwrap();

    // Measure only: figures side by side, nothing written.
    let dry = antenne(
        rules.path(),
        &["--rules", &dir, "rules", "fit", "--dry-run", dev],
    )
    .await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    let report = stdout(&dry);
    for want in [
        "validation croisée",
        "annonces d'apprentissage",
        "Pénalité L2",
        "Matrice de confusion",
        "92 annonces",
    ] {
        assert!(report.contains(want), "{want}: {report}");
    }
    assert_eq!(std::fs::read_to_string(&weights).unwrap(), before);

    // A floor no fit reaches fails the command.
    let floor = antenne(
        rules.path(),
        &[
            "--rules",
            &dir,
            "rules",
            "fit",
            "--dry-run",
            "--min-accuracy",
            "1.01",
            dev,
        ],
    )
    .await;
    assert!(!floor.status.success());
    assert!(
        stderr(&floor).contains("below the floor"),
        "{}",
        stderr(&floor)
    );

    // Weights in use said to cross-validate better: the new ones are refused...
    let better: String = before
        .lines()
        .map(|l| {
            if l.starts_with("cv_accuracy = ") {
                "cv_accuracy = 0.999\n".to_owned()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&weights, &better).unwrap();
    let refused = antenne(rules.path(), &["--rules", &dir, "rules", "fit", dev]).await;
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("cross-validate worse"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read_to_string(&weights).unwrap(), better);

    // ...unless forced; what is written loads and records how it was learned.
    let forced = antenne(
        rules.path(),
        &["--rules", &dir, "rules", "fit", "--force", dev],
    )
    .await;
    assert!(forced.status.success(), "{}", stderr(&forced));
    let written = std::fs::read_to_string(&weights).unwrap();
    assert!(written.contains("ads = 92"), "{written}");
    assert!(written.contains("dev.jsonl (92 annonces)"), "{written}");
    assert!(!written.contains("cv_accuracy = 0.999"));
    let check = antenne(rules.path(), &["rules", "check", &dir]).await;
    assert!(check.status.success(), "{}", stderr(&check));
}

#[tokio::test]
async fn validate_shows_the_estimated_share() {
    let dir = tempfile::tempdir().unwrap();
    let ad = serde_json::json!({
        "id": "x1",
        "title": "Animateur numérique de territoire",
        "description": "Vos missions\n- accueil des visiteurs au comptoir et vente de la billetterie (quatre jours par semaine) ;\n- animation numérique auprès des hébergeurs, une journée par semaine : rendez-vous et ateliers.",
    });
    std::fs::write(dir.path().join("ad.json"), ad.to_string()).unwrap();
    let out = antenne(dir.path(), &["validate", "ad.json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Part estimée de l'accompagnement des professionnels\u{202f}: ~20\u{a0}% («\u{a0}une journée par semaine\u{a0}»)"),
        "{text}"
    );
    assert!(
        text.contains("Pèse pour") || text.contains("Pèse contre"),
        "{text}"
    );
    let json = antenne(dir.path(), &["validate", "--json", "ad.json"]).await;
    let v: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    assert_eq!(v["facilitation_share"]["value"], 0.2, "{v}");
    assert!(v["margin"].as_f64().is_some(), "{v}");
}
