//! Learning the decision weights from labelled ads: multinomial logistic regression with an L2
//! penalty over the features a rule set reads, the penalty chosen by k-fold cross-validation,
//! and the cross-validated figures reported beside the in-sample ones. Pure: no I/O.

use linfa::Dataset;
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::RuleSet;
use super::eval::{EvalReport, Labelled, report};
use super::file::{LexiconDef, ModelDef, PerVerdict, WeightDef, WordRow};
use super::lexicon::{Lexicon, Words};
use super::model::{add_words, decide, logits};
use crate::model::VerdictCode;

/// How to fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Folds of the cross-validation.
    pub folds: usize,
    /// L2 penalties tried; the best cross-validated one is kept.
    pub penalties: Vec<f64>,
    /// Length of an ad's word vector: how much the vocabulary weighs beside the signals (10
    /// cross-validated best of 3, 5 and 10 on the corpora; 0 leaves words out).
    pub lexicon_scale: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            folds: 5,
            penalties: vec![0.3, 1.0, 3.0, 10.0],
            lexicon_scale: 10.0,
        }
    }
}

/// Why no weights could be learned.
#[derive(Debug, Error)]
pub enum FitError {
    /// Too few ads of some verdict to cross-validate.
    #[error("too few labelled ads: {0}")]
    TooFew(String),
    /// The solver failed.
    #[error("the logistic regression failed: {0}")]
    Solver(String),
}

/// The cross-validated figures of one penalty.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Trial {
    /// L2 penalty.
    pub l2: f64,
    /// Cross-validated accuracy.
    pub accuracy: f64,
    /// Cross-validated F1 of `flagged`.
    pub flag_f1: f64,
}

/// A fit: the weights and what they are worth.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fitted {
    /// Every penalty tried.
    pub trials: Vec<Trial>,
    /// The penalty kept.
    pub l2: f64,
    /// Figures of the kept penalty's cross-validation (each ad judged by weights that never saw
    /// it).
    pub cross_validated: EvalReport,
    /// Figures of the final weights on the ads they were learned from (optimistic).
    pub in_sample: EvalReport,
    #[serde(skip)]
    def: ModelDef,
    #[serde(skip)]
    lexicon: LexiconDef,
}

impl Fitted {
    /// Cross-validated accuracy.
    pub fn cv_accuracy(&self) -> f64 {
        self.cross_validated.accuracy
    }

    /// Cross-validated flag F1.
    pub fn cv_flag_f1(&self) -> f64 {
        self.cross_validated.flagged.f1
    }

    /// The weights as a rule file.
    pub fn to_rule_file(&self) -> String {
        #[derive(serde::Serialize)]
        struct File<'a> {
            family: &'static str,
            model: &'a ModelDef,
        }
        let body = toml::to_string(&File {
            family: "poids",
            model: &self.def,
        })
        .expect("weights serialise");
        // The vocabulary, one word a line, so that a refit reads as a diff.
        let mut words = String::new();
        for w in &self.lexicon.words {
            let row = toml::to_string(&std::collections::BTreeMap::from([("w", w)]))
                .expect("a word serialises");
            words.push_str("  ");
            words.push_str(row.trim_start_matches("w = ").trim_end());
            words.push_str(",\n");
        }
        format!(
            "# Decision weights learned by `antenne rules fit` (multinomial logistic regression, L2,\n\
             # penalty chosen by {}-fold cross-validation). Written by the command: refit rather than edit.\n\
             # Each row weighs one feature (a rule id, or a reading of the mission list and time shares)\n\
             # for each verdict; the weights of a row sum to zero.\n{body}\n\
             # The vocabulary: [word, inverse document frequency, [weight per verdict in the order\n\
             # ant, webmaster, community_manager, database_operator, low_facilitation, not_ant]].\n\
             [lexicon]\nscale = {:?}\nwords = [\n{words}]\n",
            self.def.folds, self.lexicon.scale
        )
    }
}

/// What the rules read of each ad, once: features, words, claim, label.
struct Table {
    x: Vec<Vec<f64>>,
    words: Vec<Words>,
    claims: Vec<bool>,
    labels: Vec<usize>,
}

fn label_index(code: VerdictCode) -> usize {
    VerdictCode::ALL
        .iter()
        .position(|c| *c == code)
        .expect("every code is in ALL")
}

/// Stratified folds, the same for the same ads: within each label, ads ordered by a hash of
/// their id, dealt round-robin.
fn folds(ads: &[Labelled], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ads.len()).collect();
    let key = |i: usize| {
        let h = Sha256::digest(ads[i].posting.id.as_bytes());
        (label_index(ads[i].label), h.to_vec())
    };
    order.sort_by_cached_key(|&i| key(i));
    let mut fold = vec![0; ads.len()];
    let mut seen = [0usize; 6];
    for i in order {
        let l = label_index(ads[i].label);
        fold[i] = seen[l] % k;
        seen[l] += 1;
    }
    fold
}

/// Weights on the original scale, centred per feature, with the vocabulary they were learned
/// with.
struct Trained {
    bias: [f64; 6],
    weights: Vec<[f64; 6]>,
    lexicon: Lexicon,
    word_weights: Vec<[f64; 6]>,
}

/// A feature's weights sum to zero over the verdicts: the same decisions, and each weight then
/// reads as « for » or « against » a verdict. Verdicts absent from training stay out.
fn centre(w: &mut [f64; 6]) {
    let finite: Vec<f64> = w.iter().copied().filter(|v| *v > -1e2).collect();
    let mean = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
    for v in w.iter_mut().filter(|v| **v > -1e2) {
        *v -= mean;
    }
}

/// Fits weights on the rows of `t` selected by `keep`; the vocabulary comes from those rows
/// only.
fn train(t: &Table, keep: &[bool], l2: f64, lexicon_scale: f64) -> Result<Trained, FitError> {
    let d = t.x.first().map_or(0, Vec::len);
    let rows: Vec<usize> = (0..t.x.len()).filter(|&i| keep[i]).collect();
    let lexicon = if lexicon_scale > 0.0 {
        Lexicon::learn(rows.iter().map(|&i| &t.words[i]), lexicon_scale)
    } else {
        Lexicon::default()
    };
    let v = lexicon.len();
    // The readings on one scale, so that one penalty treats them alike; the word vectors have
    // their own fixed length.
    let mut scale = vec![0.0; d];
    for &i in &rows {
        for (s, x) in scale.iter_mut().zip(&t.x[i]) {
            *s += x * x;
        }
    }
    for s in &mut scale {
        *s = (*s / rows.len().max(1) as f64).sqrt();
        if *s < 1e-9 {
            *s = 1.0;
        }
    }
    let mut x = Array2::<f64>::zeros((rows.len(), d + v));
    for (r, &i) in rows.iter().enumerate() {
        for (f, value) in t.x[i].iter().enumerate() {
            x[[r, f]] = value / scale[f];
        }
        for (j, value) in lexicon.vector(&t.words[i]) {
            x[[r, d + j]] = value;
        }
    }
    let y = Array1::from_vec(rows.iter().map(|&i| t.labels[i]).collect());
    let fitted = MultiLogisticRegression::default()
        .alpha(l2)
        .max_iterations(400)
        .fit(&Dataset::new(x, y))
        .map_err(|e| FitError::Solver(e.to_string()))?;
    let mut bias = [-1e3; 6];
    let mut weights = vec![[0.0; 6]; d];
    let mut word_weights = vec![[0.0; 6]; v];
    for (j, &class) in fitted.classes().iter().enumerate() {
        bias[class] = fitted.intercept()[j];
        for (f, w) in weights.iter_mut().enumerate() {
            w[class] = fitted.params()[[f, j]] / scale[f];
        }
        for (k, w) in word_weights.iter_mut().enumerate() {
            w[class] = fitted.params()[[d + k, j]];
        }
    }
    centre(&mut bias);
    for w in weights.iter_mut().chain(word_weights.iter_mut()) {
        centre(w);
    }
    Ok(Trained {
        bias,
        weights,
        lexicon,
        word_weights,
    })
}

fn predict(t: &Trained, x: &[f64], words: &Words, claims: bool) -> (VerdictCode, bool) {
    let mut z = logits(&t.bias, &t.weights, x);
    add_words(&mut z, &t.word_weights, &t.lexicon.vector(words));
    (decide(z, claims).code, claims)
}

/// Learns weights from labelled ads. `sources` names the files the ads came from, with counts.
pub fn fit(
    rules: &RuleSet,
    ads: &[Labelled],
    sources: Vec<String>,
    opts: &FitOptions,
) -> Result<Fitted, FitError> {
    let k = opts.folds.max(2);
    for code in VerdictCode::ALL {
        let n = ads.iter().filter(|a| a.label == code).count();
        if n < k {
            return Err(FitError::TooFew(format!(
                "{n} ads labelled {} for {k} folds",
                code.as_str()
            )));
        }
    }
    let mut table = Table {
        x: Vec::new(),
        words: Vec::new(),
        claims: Vec::new(),
        labels: Vec::new(),
    };
    for ad in ads {
        let reading = rules.read(&ad.posting);
        table.x.push(rules.features(&reading));
        table.claims.push(reading.claims_ant);
        table.labels.push(label_index(ad.label));
        table.words.push(reading.words);
    }
    let fold = folds(ads, k);
    let version = rules.version().to_owned();
    let mut best: Option<(Trial, EvalReport)> = None;
    let mut trials = Vec::new();
    for &l2 in &opts.penalties {
        let mut predicted = vec![(VerdictCode::NotAnt, false); ads.len()];
        for f in 0..k {
            let keep: Vec<bool> = fold.iter().map(|&x| x != f).collect();
            let w = train(&table, &keep, l2, opts.lexicon_scale)?;
            for i in (0..ads.len()).filter(|&i| fold[i] == f) {
                predicted[i] = predict(&w, &table.x[i], &table.words[i], table.claims[i]);
            }
        }
        let r = report(&version, ads, &predicted);
        let trial = Trial {
            l2,
            accuracy: r.accuracy,
            flag_f1: r.flagged.f1,
        };
        trials.push(trial);
        let score = |t: &Trial| t.accuracy + t.flag_f1;
        if best.as_ref().is_none_or(|(b, _)| score(&trial) > score(b)) {
            best = Some((trial, r));
        }
    }
    let (chosen, cross_validated) =
        best.ok_or_else(|| FitError::TooFew("no penalty to try".into()))?;
    let all = vec![true; ads.len()];
    let w = train(&table, &all, chosen.l2, opts.lexicon_scale)?;
    let predicted: Vec<_> = (0..ads.len())
        .map(|i| predict(&w, &table.x[i], &table.words[i], table.claims[i]))
        .collect();
    let in_sample = report(&version, ads, &predicted);
    let round = |v: f64| (v * 10_000.0).round() / 10_000.0;
    let names = rules.feature_names();
    let def = ModelDef {
        fitted: chrono::Utc::now().date_naive().to_string(),
        data: sources,
        ads: ads.len(),
        l2: chosen.l2,
        folds: k,
        cv_accuracy: round(cross_validated.accuracy),
        cv_flag_f1: round(cross_validated.flagged.f1),
        bias: PerVerdict::from_array(w.bias.map(round)),
        weight: names
            .into_iter()
            .zip(&w.weights)
            .filter(|(_, row)| row.iter().any(|v| round(*v) != 0.0))
            .map(|(name, row)| WeightDef::new(name, row.map(round)))
            .collect(),
    };
    // Every word stays, weighed or not: each counts in the length of an ad's vector.
    let lexicon = LexiconDef {
        scale: opts.lexicon_scale,
        words: w
            .word_weights
            .iter()
            .enumerate()
            .map(|(i, row)| {
                WordRow(
                    w.lexicon.words[i].clone(),
                    round(w.lexicon.idf(i)),
                    row.map(round),
                )
            })
            .collect(),
    };
    Ok(Fitted {
        trials,
        l2: chosen.l2,
        cross_validated,
        in_sample,
        def,
        lexicon,
    })
}

/// The features the rules read of each ad (for analysis outside antenne): one JSON object per
/// ad with its id, label, claim and a map of feature name to value (zeros left out).
pub fn feature_table(rules: &RuleSet, ads: &[Labelled]) -> Vec<serde_json::Value> {
    let names = rules.feature_names();
    ads.iter()
        .map(|ad| {
            let reading = rules.read(&ad.posting);
            let x = rules.features(&reading);
            let features: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .zip(x)
                .filter(|(_, v)| *v != 0.0)
                .map(|(n, v)| (n.clone(), serde_json::json!(v)))
                .collect();
            serde_json::json!({
                "id": ad.posting.id,
                "label": ad.label.as_str(),
                "claims_ant": reading.claims_ant,
                "features": features,
            })
        })
        .collect()
}

impl RuleSet {
    /// Cross-validated accuracy and flag F1 recorded with the weights in use, if fitted.
    pub fn fitted_figures(&self) -> Option<(f64, f64)> {
        let d = &self.model.def;
        (!d.fitted.is_empty()).then_some((d.cv_accuracy, d.cv_flag_f1))
    }

    /// The file holding the weights in use, if any.
    pub fn weights_file(&self) -> Option<&str> {
        self.model_file.as_deref()
    }
}
