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
    /// Hash of the rule files that produced it.
    pub rules_version: String,
}
