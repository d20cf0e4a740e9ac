//! Verdicts: what the validator says of one ad, with the evidence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The verdict codes of the interface contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictCode {
    /// Matches the framework.
    Ant,
    /// Really runs a website.
    Webmaster,
    /// Really runs social accounts.
    CommunityManager,
    /// Really enters data in a tourism database.
    DatabaseOperator,
    /// Presented as ANT, but facilitation is a minor share.
    LowFacilitation,
    /// Another job altogether.
    NotAnt,
}

impl VerdictCode {
    /// Every code, in display order.
    pub const ALL: [Self; 6] = [
        Self::Ant,
        Self::Webmaster,
        Self::CommunityManager,
        Self::DatabaseOperator,
        Self::LowFacilitation,
        Self::NotAnt,
    ];

    /// The code as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ant => "ant",
            Self::Webmaster => "webmaster",
            Self::CommunityManager => "community_manager",
            Self::DatabaseOperator => "database_operator",
            Self::LowFacilitation => "low_facilitation",
            Self::NotAnt => "not_ant",
        }
    }

    /// Parses a code as in JSON.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A French label for people.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Ant => "Conforme au référentiel ANT",
            Self::Webmaster => "Poste de webmaster",
            Self::CommunityManager => "Poste de community manager",
            Self::DatabaseOperator => "Poste d'opérateur·rice de base de données",
            Self::LowFacilitation => "Animation des professionnels minoritaire",
            Self::NotAnt => "Autre métier",
        }
    }

    /// A short French name, as in « verdict incertain : webmaster ou ANT ».
    pub fn short_fr(self) -> &'static str {
        match self {
            Self::Ant => "ANT",
            Self::Webmaster => "webmaster",
            Self::CommunityManager => "community manager",
            Self::DatabaseOperator => "opérateur·rice de base de données",
            Self::LowFacilitation => "animation minoritaire",
            Self::NotAnt => "autre métier",
        }
    }

    /// Whether an ad that claims to be ANT with this verdict is flagged for review.
    pub fn is_disguise(self) -> bool {
        matches!(
            self,
            Self::Webmaster
                | Self::CommunityManager
                | Self::DatabaseOperator
                | Self::LowFacilitation
        )
    }
}

fn certain() -> f64 {
    1.0
}

/// A share as people say it: « ~20 % » (to the nearest 5).
pub fn percent_fr(v: f64) -> String {
    format!("~{}\u{a0}%", ((v * 20.0).round() * 5.0) as i64)
}

impl FacilitationShare {
    /// « Part estimée de l'accompagnement des professionnels : ~20 % (« une journée par
    /// semaine ») ».
    pub fn line_fr(&self) -> String {
        super::fr::spaces(&self.raw_line_fr())
    }

    fn raw_line_fr(&self) -> String {
        match self.value {
            None => "Part estimée de l'accompagnement des professionnels : non estimable (aucune mission lue)".into(),
            Some(v) => {
                let said: Vec<String> = self
                    .evidence
                    .iter()
                    .map(|e| format!("«\u{a0}{}\u{a0}»", e.text))
                    .collect();
                format!(
                    "Part estimée de l'accompagnement des professionnels : {}{}",
                    percent_fr(v),
                    if said.is_empty() {
                        " (d'après la répartition des missions)".to_owned()
                    } else {
                        format!(" ({})", said.join(", "))
                    }
                )
            }
        }
    }
}

impl Finding {
    /// What the finding weighs for a verdict, in French: « pèse pour webmaster +1,8 ».
    pub fn weighs_fr(&self, verdict: VerdictCode) -> Option<String> {
        let c = *self.contributions.get(&verdict)?;
        let v = format!("{:.1}", c.abs()).replace('.', ",");
        Some(if c >= 0.0 {
            format!("pèse pour {} +{v}", verdict.short_fr())
        } else {
            format!("pèse contre {} \u{2212}{v}", verdict.short_fr())
        })
    }
}

/// How much a finding weighs for a reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Metadata or positive signal.
    Info,
    /// Likely mis-specified.
    Warn,
    /// Not an ANT post: flag for review.
    Block,
}

/// A span of a field's text that supports a finding. Offsets are bytes into the field as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// `title`, `description` or `employer`.
    pub field: String,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The text at `start..end`.
    pub text: String,
}

/// One thing the validator noticed, explained in French.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, `family.name`.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// French explanation.
    pub message: String,
    /// The framework clause this rests on.
    pub reference: String,
    /// Spans of the ad that support it.
    pub evidence: Vec<Evidence>,
    /// How much the finding weighs for each verdict (learned weight × what was read; the
    /// weights of one feature sum to zero over the verdicts). Empty for findings that only
    /// explain.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub contributions: BTreeMap<VerdictCode, f64>,
}

/// The kinds of work a mission item can describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionKind {
    /// Accompanying the territory's professionals.
    Facilitation,
    /// The structure's own website.
    Web,
    /// The structure's own social accounts and content.
    Social,
    /// Entering tourism-offer data.
    Data,
    /// Front desk and the office's other duties (tax, management, guiding, events, print).
    Duties,
    /// Another trade's work.
    Other,
}

impl MissionKind {
    /// Every kind, in a fixed order.
    pub const ALL: [Self; 6] = [
        Self::Facilitation,
        Self::Web,
        Self::Social,
        Self::Data,
        Self::Duties,
        Self::Other,
    ];

    /// Position in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// French name for people.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Facilitation => "accompagnement des professionnels",
            Self::Web => "site web de la structure",
            Self::Social => "réseaux sociaux et contenus de la structure",
            Self::Data => "saisie de données",
            Self::Duties => "accueil et autres missions de la structure",
            Self::Other => "autre métier",
        }
    }
}

/// One item of the ad's mission list as the validator read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissionItem {
    /// Byte offset in the description.
    pub start: usize,
    /// Byte offset one past the end.
    pub end: usize,
    /// The item's text.
    pub text: String,
    /// The kind of work its words describe, if any.
    pub kind: Option<MissionKind>,
}

/// The estimated share of the job spent facilitating the territory's tourism professionals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilitationShare {
    /// Between 0 and 1; `None` when the ad says nothing that allows an estimate.
    pub value: Option<f64>,
    /// Whether the ad states time shares (« 70 % », « un jour par semaine »), rather than the
    /// estimate coming from the proportion of mission items of each kind.
    #[serde(default)]
    pub stated: bool,
    /// The statements read (time shares), if any.
    pub evidence: Vec<Evidence>,
}

/// The validator's verdict on one ad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The ad's id.
    pub id: String,
    /// The verdict code.
    pub verdict: VerdictCode,
    /// The title or presentation says ANT.
    pub claims_ant: bool,
    /// `claims_ant` and a disguise verdict.
    pub flagged: bool,
    /// Score per category.
    pub scores: BTreeMap<String, f64>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// The mission items read, each with its kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missions: Vec<MissionItem>,
    /// The estimated share of facilitation in the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitation_share: Option<FacilitationShare>,
    /// Probability of the verdict minus that of the next best one, in [0, 1]: small means
    /// uncertain.
    #[serde(default = "certain")]
    pub margin: f64,
    /// The next best verdict, when the margin is small enough for it to matter to a reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<VerdictCode>,
    /// Hash of the rule files that produced it.
    pub rules_version: String,
}
