//! Snapshots of what reviewers read: the French explanation of verdicts.

use crate::util::{antenne, root, stdout};

fn one_ad(id: &str) -> String {
    let corpus = std::fs::read_to_string(root().join("fixtures/corpus/dev.jsonl")).unwrap();
    corpus
        .lines()
        .find(|l| l.contains(&format!("\"id\": \"{id}\"")))
        .unwrap()
        .to_owned()
}

async fn report(id: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ad.json"), one_ad(id)).unwrap();
    let out = antenne(dir.path(), &["validate", "ad.json"]).await;
    assert!(out.status.success());
    // The rules version changes with every rule edit; the explanation is what is checked.
    let version = antenne::rules::RuleSet::builtin()
        .unwrap()
        .version()
        .to_owned();
    stdout(&out).replace(&version, "[version]")
}

#[tokio::test]
async fn explanation_of_a_genuine_ant_ad() {
    insta::assert_snapshot!(report("d001").await);
}

#[tokio::test]
async fn explanation_of_a_flagged_ad() {
    let text = report("d003").await;
    assert!(text.contains("signalée : oui"), "{text}");
    insta::assert_snapshot!(text);
}
