//! The learned decision: per verdict, an intercept plus a weight per feature; the verdict with
//! the highest probability wins. `low_facilitation` needs an ad presented as ANT (DESIGN.md), so
//! it is never chosen for one that is not.

use super::file::{LexiconDef, ModelDef};
use super::lexicon::Lexicon;
use crate::model::VerdictCode;

/// Weights aligned with a rule set's features.
pub(crate) struct Model {
    /// As read from (or written to) the rule file.
    pub(crate) def: ModelDef,
    /// Intercept per verdict, in `VerdictCode::ALL` order.
    pub(crate) bias: [f64; 6],
    /// Per feature (in `RuleSet::feature_names` order), weight per verdict.
    pub(crate) weights: Vec<[f64; 6]>,
    /// The vocabulary.
    pub(crate) lexicon: Lexicon,
    /// Per word of the vocabulary, weight per verdict.
    pub(crate) word_weights: Vec<[f64; 6]>,
}

/// What the weights decided for one ad.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decided {
    pub(crate) code: VerdictCode,
    /// Per verdict, in `VerdictCode::ALL` order.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) probabilities: [f64; 6],
    pub(crate) runner_up: VerdictCode,
    pub(crate) margin: f64,
}

const LOW: usize = 4;

impl Model {
    /// Aligns a model's rows with the feature names; a row naming an unknown feature is an
    /// error (the rules changed since the fit), a feature without a row weighs nothing.
    pub(crate) fn new(
        def: ModelDef,
        lexicon: LexiconDef,
        names: &[String],
    ) -> Result<Self, String> {
        let mut weights = vec![[0.0; 6]; names.len()];
        for row in &def.weight {
            let i = names
                .iter()
                .position(|n| *n == row.feature)
                .ok_or_else(|| {
                    format!(
                        "the weights name {:?}, which no rule defines: run `antenne rules fit`",
                        row.feature
                    )
                })?;
            weights[i] = row.to_array();
        }
        let word_weights: Vec<[f64; 6]> = lexicon.words.iter().map(|w| w.2).collect();
        if weights
            .iter()
            .chain(&word_weights)
            .flatten()
            .any(|w| !w.is_finite())
            || lexicon.words.iter().any(|w| !w.1.is_finite())
            || !lexicon.scale.is_finite()
        {
            return Err("a weight is not a finite number".into());
        }
        let lexicon = Lexicon::new(
            lexicon.words.into_iter().map(|w| (w.0, w.1)).collect(),
            lexicon.scale,
        );
        Ok(Self {
            bias: def.bias.to_array(),
            def,
            weights,
            lexicon,
            word_weights,
        })
    }

    /// No weights at all (before the first fit).
    pub(crate) fn zero(features: usize) -> Self {
        Self {
            def: ModelDef::default(),
            bias: [0.0; 6],
            weights: vec![[0.0; 6]; features],
            lexicon: Lexicon::default(),
            word_weights: Vec::new(),
        }
    }

    /// Intercept plus weighted features and words, per verdict.
    pub(crate) fn logits(&self, x: &[f64], words: &[(usize, f64)]) -> [f64; 6] {
        let mut z = logits(&self.bias, &self.weights, x);
        add_words(&mut z, &self.word_weights, words);
        z
    }
}

/// Adds the weighted words of a sparse vector to logits.
pub(crate) fn add_words(z: &mut [f64; 6], weights: &[[f64; 6]], words: &[(usize, f64)]) {
    for &(i, v) in words {
        for (zi, wi) in z.iter_mut().zip(weights[i]) {
            *zi += wi * v;
        }
    }
}

/// Intercept plus weighted features, per verdict.
pub(crate) fn logits(bias: &[f64; 6], weights: &[[f64; 6]], x: &[f64]) -> [f64; 6] {
    let mut z = *bias;
    for (w, v) in weights.iter().zip(x) {
        if *v != 0.0 {
            for (zi, wi) in z.iter_mut().zip(w) {
                *zi += wi * v;
            }
        }
    }
    z
}

/// The verdict of the logits: softmax, with `low_facilitation` ruled out unless the ad claims ANT.
pub(crate) fn decide(z: [f64; 6], claims_ant: bool) -> Decided {
    let allowed = |i: usize| i != LOW || claims_ant;
    let max = (0..6)
        .filter(|&i| allowed(i))
        .map(|i| z[i])
        .fold(f64::NEG_INFINITY, f64::max);
    let mut p = [0.0; 6];
    for i in (0..6).filter(|&i| allowed(i)) {
        p[i] = (z[i] - max).exp();
    }
    let sum: f64 = p.iter().sum();
    for v in &mut p {
        *v /= sum;
    }
    let mut order: Vec<usize> = (0..6).collect();
    order.sort_by(|a, b| p[*b].total_cmp(&p[*a]).then(a.cmp(b)));
    Decided {
        code: VerdictCode::ALL[order[0]],
        probabilities: p,
        runner_up: VerdictCode::ALL[order[1]],
        margin: p[order[0]] - p[order[1]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_facilitation_needs_a_claim() {
        let z = [0.0, 0.0, 0.0, 0.0, 5.0, 1.0];
        assert_eq!(decide(z, true).code, VerdictCode::LowFacilitation);
        let d = decide(z, false);
        assert_eq!(d.code, VerdictCode::NotAnt);
        assert_eq!(d.probabilities[LOW], 0.0);
        assert!((d.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn margin_between_the_two_best() {
        let d = decide([1.0, 1.0, -9.0, -9.0, -9.0, -9.0], true);
        assert_eq!(d.code, VerdictCode::Ant);
        assert_eq!(d.runner_up, VerdictCode::Webmaster);
        assert!(d.margin < 1e-6);
    }
}
