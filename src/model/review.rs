//! Staff decisions on flagged ads: the states a review can be in, the actions that lead there,
//! and which decision still holds for the text as it is now.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where the review of an ad stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Not decided yet.
    Pending,
    /// Staff confirmed the flag.
    Confirmed,
    /// Staff lifted the flag: the ad conforms.
    Lifted,
    /// Staff keep an eye on it.
    Following,
}

impl ReviewState {
    /// The state as stored in SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Lifted => "lifted",
            Self::Following => "follow",
        }
    }

    /// Parses a stored state.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "confirmed" => Self::Confirmed,
            "lifted" => Self::Lifted,
            "follow" | "following" => Self::Following,
            _ => return None,
        })
    }

    /// The state as the public API names it.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Following => "following",
            other => other.as_str(),
        }
    }

    /// French, for staff pages.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Pending => "à traiter",
            Self::Confirmed => "signalement confirmé",
            Self::Lifted => "signalement levé",
            Self::Following => "à suivre",
        }
    }
}

/// What a reviewer does to an ad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// Confirm the flag.
    Confirm,
    /// Lift the flag (a reason is required).
    Lift,
    /// Keep an eye on it.
    Follow,
    /// Add a note (no change of state).
    Note,
    /// Undo the last decision.
    Undo,
}

impl ReviewAction {
    /// The action as stored in SQL and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Lift => "lift",
            Self::Follow => "follow",
            Self::Note => "note",
            Self::Undo => "undo",
        }
    }

    /// Parses an action.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "confirm" => Self::Confirm,
            "lift" => Self::Lift,
            "follow" => Self::Follow,
            "note" => Self::Note,
            "undo" => Self::Undo,
            _ => return None,
        })
    }

    /// The state a decision leads to (`None` for a note or an undo, whose state depends on the
    /// log).
    pub fn decided_state(self) -> Option<ReviewState> {
        match self {
            Self::Confirm => Some(ReviewState::Confirmed),
            Self::Lift => Some(ReviewState::Lifted),
            Self::Follow => Some(ReviewState::Following),
            Self::Note | Self::Undo => None,
        }
    }

    /// French, for the log (« signalement confirmé »).
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Confirm => "signalement confirmé",
            Self::Lift => "signalement levé",
            Self::Follow => "à suivre",
            Self::Note => "note",
            Self::Undo => "annulation",
        }
    }
}

/// The latest review of an ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReview {
    /// Its state.
    pub state: ReviewState,
    /// When it was decided.
    pub at: DateTime<Utc>,
    /// The revision of the ad's text it was decided on (`None` for decisions older than
    /// revisions).
    pub revision: Option<i64>,
}

impl StaffReview {
    /// Whether the decision still holds for revision `current` of the text: a new revision
    /// reopens it.
    pub fn holds_for(&self, current: i64) -> bool {
        self.revision.is_none_or(|r| r >= current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_a_new_revision_reopens() {
        for s in [
            ReviewState::Pending,
            ReviewState::Confirmed,
            ReviewState::Lifted,
            ReviewState::Following,
        ] {
            assert_eq!(ReviewState::parse(s.as_str()), Some(s));
            assert_eq!(ReviewState::parse(s.api_name()), Some(s));
        }
        let r = StaffReview {
            state: ReviewState::Lifted,
            at: Utc::now(),
            revision: Some(2),
        };
        assert!(r.holds_for(2) && !r.holds_for(3));
    }
}
