//! Evaluation of the rules on labelled ads: precision, recall and F1 of `flagged`, accuracy and
//! per-verdict figures, the confusion matrix, and the ads the rules get wrong.

use std::collections::BTreeMap;

use serde::Serialize;

use super::RuleSet;
use crate::model::{Posting, VerdictCode};

/// One labelled ad.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The ad.
    pub posting: Posting,
    /// Expected verdict.
    pub label: VerdictCode,
    /// Expected `claims_ant`.
    pub claims_ant: bool,
}

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Share of predicted that are right.
    pub precision: f64,
    /// Share of expected that are found.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
    /// Expected count.
    pub support: usize,
}

impl Figures {
    fn from_counts(tp: usize, fp: usize, fn_: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Self {
            precision,
            recall,
            f1,
            support: tp + fn_,
        }
    }
}

/// A misjudged ad.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// Ad id.
    pub id: String,
    /// Expected verdict.
    pub expected: VerdictCode,
    /// Verdict given.
    pub got: VerdictCode,
    /// Expected flag.
    pub expected_flag: bool,
    /// Flag given.
    pub got_flag: bool,
}

/// The evaluation of a rule set on labelled ads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Rules version.
    pub rules_version: String,
    /// Ads evaluated.
    pub ads: usize,
    /// Figures of `flagged`.
    pub flagged: Figures,
    /// Share of right verdicts.
    pub accuracy: f64,
    /// Share of right `claims_ant`.
    pub claims_accuracy: f64,
    /// Figures per verdict code.
    pub per_verdict: BTreeMap<VerdictCode, Figures>,
    /// `confusion[expected][got]`.
    pub confusion: BTreeMap<VerdictCode, BTreeMap<VerdictCode, usize>>,
    /// Misjudged ads (wrong verdict or wrong flag).
    pub misses: Vec<Miss>,
}

/// Evaluates `rules` on labelled ads.
pub fn evaluate(rules: &RuleSet, ads: &[Labelled]) -> EvalReport {
    let predicted: Vec<(VerdictCode, bool)> = ads
        .iter()
        .map(|ad| {
            let v = rules.evaluate(&ad.posting);
            (v.verdict, v.claims_ant)
        })
        .collect();
    report(rules.version(), ads, &predicted)
}

/// The figures of predictions (verdict, `claims_ant`), one per labelled ad.
pub fn report(version: &str, ads: &[Labelled], predicted: &[(VerdictCode, bool)]) -> EvalReport {
    let mut confusion: BTreeMap<VerdictCode, BTreeMap<VerdictCode, usize>> = BTreeMap::new();
    let (mut tp, mut fp, mut fn_, mut right, mut claims_right) = (0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    for (ad, &(verdict, claims_ant)) in ads.iter().zip(predicted) {
        let flagged = claims_ant && verdict.is_disguise();
        let expected_flag = ad.claims_ant && ad.label.is_disguise();
        match (flagged, expected_flag) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
        right += usize::from(verdict == ad.label);
        claims_right += usize::from(claims_ant == ad.claims_ant);
        *confusion
            .entry(ad.label)
            .or_default()
            .entry(verdict)
            .or_default() += 1;
        if verdict != ad.label || flagged != expected_flag {
            misses.push(Miss {
                id: ad.posting.id.clone(),
                expected: ad.label,
                got: verdict,
                expected_flag,
                got_flag: flagged,
            });
        }
    }
    let per_verdict = VerdictCode::ALL
        .iter()
        .map(|&code| {
            let tp = confusion
                .get(&code)
                .and_then(|r| r.get(&code))
                .copied()
                .unwrap_or(0);
            let predicted: usize = confusion.values().filter_map(|r| r.get(&code)).sum();
            let expected: usize = confusion.get(&code).map_or(0, |r| r.values().sum());
            (
                code,
                Figures::from_counts(tp, predicted - tp, expected - tp),
            )
        })
        .collect();
    let n = ads.len().max(1) as f64;
    EvalReport {
        rules_version: version.to_owned(),
        ads: ads.len(),
        flagged: Figures::from_counts(tp, fp, fn_),
        accuracy: right as f64 / n,
        claims_accuracy: claims_right as f64 / n,
        per_verdict,
        confusion,
        misses,
    }
}
