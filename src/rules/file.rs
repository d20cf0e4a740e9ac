//! The on-disk rule format (`rules/*.toml`) and its validation at load.

use std::collections::BTreeMap;

use serde::Deserialize;

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

/// Thresholds turning category scores into a verdict.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decision {
    /// Facilitation score from which an ad is an ANT ad.
    pub(crate) min_facilitation: f64,
    /// Profile score (webmaster, CM, database) from which a profile can win.
    pub(crate) min_profile: f64,
    /// A profile wins when its score exceeds facilitation × this ratio.
    pub(crate) profile_ratio: f64,
    /// Other-job score from which a weakly facilitating ad is another job.
    pub(crate) min_other_job: f64,
    /// Front-desk score above facilitation × this ratio makes facilitation a minor share.
    pub(crate) front_desk_ratio: f64,
    /// Evidence that facilitation gets a small stated share of time, from which an ad that
    /// would otherwise be ANT is `low_facilitation`.
    pub(crate) min_low_share: f64,
    /// Tourism-context evidence below which an ad is another job (the framework is about the
    /// territory's tourism professionals).
    pub(crate) min_tourism: f64,
    /// Factor of matches before the first section heading, when the ad has headings (the
    /// employer's presentation usually comes first).
    pub(crate) lead_weight: f64,
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
