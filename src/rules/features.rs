//! The numbers the learned weights read: one per signal (its section-weighted count) and the
//! structure of the job (time shares per kind of work, whether they were stated, how digital the
//! facilitation is). Named, so that every weight and every contribution says what it is about.

use super::RuleSet;
use super::items::{KINDS, Kind};
use super::read::Reading;

/// Structural features, after the signals, in this order.
pub(crate) const STRUCTURAL: [&str; 13] = [
    "part.accompagnement",
    "part.site_web",
    "part.reseaux_sociaux",
    "part.donnees",
    "part.accueil",
    "part.autre",
    "part.declaree",
    "part.accompagnement_minoritaire",
    "part.accompagnement_majoritaire",
    "accompagnement.numerique",
    "lecture.revendique",
    "lecture.revendique_x_accompagnement",
    "lecture.revendique_x_accueil",
];

impl RuleSet {
    /// Every feature name, in the order of `features`.
    pub(crate) fn feature_names(&self) -> Vec<String> {
        self.signals
            .iter()
            .map(|s| s.id.clone())
            .chain(STRUCTURAL.iter().map(|s| (*s).to_owned()))
            .collect()
    }

    /// The feature values of a reading.
    pub(crate) fn features(&self, r: &Reading) -> Vec<f64> {
        let mut x: Vec<f64> = self
            .signals
            .iter()
            .enumerate()
            .map(|(si, s)| r.hits.get(&si).map_or(0.0, |h| h.count(s.def.max_count)))
            .collect();
        let share = &r.share;
        x.extend(KINDS.iter().map(|k| share.by_kind[k.index()]));
        x.push(f64::from(u8::from(share.stated)));
        let (minor, major) = match share.facilitation() {
            Some(f) => ((0.5 - f).max(0.0), (f - 0.5).max(0.0)),
            None => (0.0, 0.0),
        };
        x.push(minor);
        x.push(major);
        let facilitating = r
            .units
            .iter()
            .filter(|u| !u.header && u.mission && u.kind == Some(Kind::Facilitation));
        let (n, digital) = facilitating.fold((0usize, 0usize), |(n, d), u| {
            (n + 1, d + usize::from(u.digital))
        });
        x.push(if n == 0 {
            0.0
        } else {
            digital as f64 / n as f64
        });
        // An ad presented as ANT is read against the framework: what its time goes to weighs
        // differently than for an ad that claims nothing.
        let claims = f64::from(u8::from(r.claims_ant));
        x.push(claims);
        x.push(claims * share.by_kind[Kind::Facilitation.index()]);
        x.push(claims * share.by_kind[Kind::Duties.index()]);
        x
    }
}
