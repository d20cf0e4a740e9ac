//! The on-disk rule format (`rules/*.toml`) and its validation at load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Severity, VerdictCode};

/// Score categories a signal may feed.
pub(crate) const CATEGORIES: &[&str] = &[
    "claims_ant",
    "facilitation",
    "webmaster",
    "community_manager",
    "database_operator",
    "front_desk",
    "other_job",
    "low_share",
    "tourism",
    "digital",
];
/// Fields a signal may read.
pub(crate) const FIELDS: &[&str] = &["title", "description", "employer"];

/// One rule file: a family of signals, and optionally the decision thresholds and the verdict
/// explanations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    /// Family name, prefix of every rule id in the file.
    pub(crate) family: String,
    /// Signals.
    #[serde(default)]
    pub(crate) signal: Vec<SignalDef>,
    /// Decision thresholds (exactly one file holds them).
    pub(crate) decision: Option<Decision>,
    /// How each verdict is explained.
    #[serde(default)]
    pub(crate) verdict: Vec<VerdictDef>,
    /// Sections of an ad and how much a match inside each weighs.
    #[serde(default)]
    pub(crate) section: Vec<SectionDef>,
    /// Words that, just before a match in the same sentence, cancel it.
    pub(crate) negation: Option<NegationDef>,
    /// The learned decision weights (written by `antenne rules fit`).
    pub(crate) model: Option<ModelDef>,
    /// The learned vocabulary and its weights (written by `antenne rules fit`, beside the model).
    pub(crate) lexicon: Option<LexiconDef>,
}

/// The vocabulary of the learned decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LexiconDef {
    /// Length of an ad's word vector.
    pub(crate) scale: f64,
    /// Each word: the word, its inverse document frequency, its weight per verdict.
    #[serde(default)]
    pub(crate) words: Vec<WordRow>,
}

/// A section of an ad's description, recognised by its heading line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionDef {
    /// Name, for messages.
    pub(crate) name: String,
    /// Pattern matched against a short folded line.
    pub(crate) heading: String,
    /// Factor applied to matches inside the section.
    pub(crate) weight: f64,
    /// Categories whose matches do not count inside the section (a credential asked in the
    /// profile does not make the post claim to be ANT).
    #[serde(default)]
    pub(crate) ignore: Vec<String>,
    /// The section presents the employer or the post (not the profile, not the conditions):
    /// time shares stated in it count, and a list under an unknown heading in it is missions.
    #[serde(default)]
    pub(crate) context: bool,
}

/// Negation cues.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegationDef {
    /// Folded-text patterns of negation cues.
    pub(crate) cues: Vec<String>,
    /// How far before a match (in folded bytes, within its sentence) a cue cancels it.
    pub(crate) window: usize,
}

/// A signal: patterns that, when found, add weight to a category and explain why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignalDef {
    /// Id within the family.
    pub(crate) id: String,
    /// Score category.
    pub(crate) category: String,
    /// Fields read; default: the description.
    #[serde(default = "default_fields")]
    pub(crate) fields: Vec<String>,
    /// Regular expressions over folded text (lower case, no accents, punctuation as spaces).
    pub(crate) patterns: Vec<String>,
    /// Weight of one match.
    #[serde(default = "one")]
    pub(crate) weight: f64,
    /// Most matches counted.
    #[serde(default = "three")]
    pub(crate) max_count: usize,
    /// The signal names the form of the work (ateliers, rendez-vous, « administrer le site de
    /// l'office », « à leur place »), not only its topic: in a mission item, frames decide the
    /// item's kind before topic words do.
    #[serde(default)]
    pub(crate) frame: bool,
    /// Severity of the finding.
    #[serde(default = "info")]
    pub(crate) severity: Severity,
    /// French explanation shown to reviewers.
    pub(crate) message: String,
    /// Framework clause.
    pub(crate) reference: String,
    /// Texts that must fire the signal.
    #[serde(default)]
    pub(crate) fire: Vec<String>,
    /// Texts that must not fire it.
    #[serde(default)]
    pub(crate) quiet: Vec<String>,
}

/// How the reading of an ad is weighed before the learned model decides.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decision {
    /// Factor of matches before the first section heading, when the ad has headings (the
    /// employer's presentation usually comes first).
    pub(crate) lead_weight: f64,
}

/// Learned decision weights and how they were obtained.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelDef {
    /// Day of the fit.
    pub(crate) fitted: String,
    /// Labelled files, each with its number of ads.
    pub(crate) data: Vec<String>,
    /// Ads used.
    pub(crate) ads: usize,
    /// L2 penalty chosen by cross-validation.
    pub(crate) l2: f64,
    /// Folds of the cross-validation.
    pub(crate) folds: usize,
    /// Cross-validated verdict accuracy.
    pub(crate) cv_accuracy: f64,
    /// Cross-validated F1 of `flagged`.
    pub(crate) cv_flag_f1: f64,
    /// Intercept per verdict.
    pub(crate) bias: PerVerdict,
    /// One row per feature.
    #[serde(default)]
    pub(crate) weight: Vec<WeightDef>,
}

/// One word of the vocabulary: the word, its inverse document frequency, its weight per verdict
/// (in `VerdictCode::ALL` order).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WordRow(pub(crate) String, pub(crate) f64, pub(crate) [f64; 6]);

/// One number per verdict code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PerVerdict {
    pub(crate) ant: f64,
    pub(crate) webmaster: f64,
    pub(crate) community_manager: f64,
    pub(crate) database_operator: f64,
    pub(crate) low_facilitation: f64,
    pub(crate) not_ant: f64,
}

impl PerVerdict {
    /// In `VerdictCode::ALL` order.
    pub(crate) fn to_array(self) -> [f64; 6] {
        [
            self.ant,
            self.webmaster,
            self.community_manager,
            self.database_operator,
            self.low_facilitation,
            self.not_ant,
        ]
    }

    /// From `VerdictCode::ALL` order.
    pub(crate) fn from_array(a: [f64; 6]) -> Self {
        Self {
            ant: a[0],
            webmaster: a[1],
            community_manager: a[2],
            database_operator: a[3],
            low_facilitation: a[4],
            not_ant: a[5],
        }
    }
}

/// The weights of one feature.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WeightDef {
    /// Feature name: a rule id, or a `part.*` / `accompagnement.*` reading.
    pub(crate) feature: String,
    #[serde(default)]
    pub(crate) ant: f64,
    #[serde(default)]
    pub(crate) webmaster: f64,
    #[serde(default)]
    pub(crate) community_manager: f64,
    #[serde(default)]
    pub(crate) database_operator: f64,
    #[serde(default)]
    pub(crate) low_facilitation: f64,
    #[serde(default)]
    pub(crate) not_ant: f64,
}

impl WeightDef {
    /// A row from a feature name and weights in `VerdictCode::ALL` order.
    pub(crate) fn new(feature: String, w: [f64; 6]) -> Self {
        Self {
            feature,
            ant: w[0],
            webmaster: w[1],
            community_manager: w[2],
            database_operator: w[3],
            low_facilitation: w[4],
            not_ant: w[5],
        }
    }

    /// Weights in `VerdictCode::ALL` order.
    pub(crate) fn to_array(&self) -> [f64; 6] {
        [
            self.ant,
            self.webmaster,
            self.community_manager,
            self.database_operator,
            self.low_facilitation,
            self.not_ant,
        ]
    }
}

/// The explanation of one verdict.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerdictDef {
    /// The verdict code.
    pub(crate) code: VerdictCode,
    /// French message.
    pub(crate) message: String,
    /// Framework clause.
    pub(crate) reference: String,
}

fn default_fields() -> Vec<String> {
    vec!["description".into()]
}
fn one() -> f64 {
    1.0
}
fn three() -> usize {
    3
}
fn info() -> Severity {
    Severity::Info
}

/// Verdict explanations by code.
pub(crate) type Explanations = BTreeMap<VerdictCode, VerdictDef>;
