//! From category scores to a verdict code (the thresholds come from the rule files).

use std::collections::BTreeMap;

use super::file::Decision;
use crate::model::VerdictCode;

/// Decides the verdict from the scores.
pub(crate) fn decide(d: &Decision, scores: &BTreeMap<String, f64>) -> VerdictCode {
    let s = |k: &str| scores.get(k).copied().unwrap_or(0.0);
    let facilitation = s("facilitation");
    let claims = s("claims_ant") > 0.0;
    let (profile, profile_score) = [
        (VerdictCode::Webmaster, s("webmaster")),
        (VerdictCode::CommunityManager, s("community_manager")),
        (VerdictCode::DatabaseOperator, s("database_operator")),
    ]
    .into_iter()
    .fold((VerdictCode::Webmaster, f64::MIN), |best, cur| {
        if cur.1 > best.1 { cur } else { best }
    });

    if s("tourism") < d.min_tourism {
        return VerdictCode::NotAnt;
    }
    if s("other_job") >= d.min_other_job && facilitation < d.min_facilitation {
        return VerdictCode::NotAnt;
    }
    if profile_score >= d.min_profile && profile_score > facilitation * d.profile_ratio {
        return profile;
    }
    if facilitation >= d.min_facilitation {
        if s("front_desk") > facilitation * d.front_desk_ratio || s("low_share") >= d.min_low_share
        {
            return VerdictCode::LowFacilitation;
        }
        return VerdictCode::Ant;
    }
    if claims {
        VerdictCode::LowFacilitation
    } else {
        VerdictCode::NotAnt
    }
}
