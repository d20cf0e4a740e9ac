//! Reading one ad: every signal matched in its fields, each match weighed by its section and
//! dropped when negated; the description cut into mission items; the time shares it states.
//! What is read here is what the learned weights decide on and what the findings show.

use std::collections::BTreeMap;

use super::RuleSet;
use super::fold::Folded;
use super::items::{self, Unit};
use super::lexicon::{self, Words};
use super::share::{self, Share};
use crate::model::{Evidence, Posting};

/// Most evidence spans kept per finding.
const MAX_EVIDENCE: usize = 5;
/// Matches read per counted match: enough to find the best-weighted ones (a match in the
/// profile weighs less than one in the missions) without reading every one of a common word.
const MATCHES_PER_COUNT: usize = 4;

/// The matches of one signal: the factor of each, and evidence of the counted ones.
#[derive(Default)]
pub(crate) struct Hits {
    pub(crate) factors: Vec<f64>,
    pub(crate) evidence: Vec<Evidence>,
}

impl Hits {
    /// The section-weighted count: the best `max_count` factors, summed.
    pub(crate) fn count(&self, max_count: usize) -> f64 {
        let mut f = self.factors.clone();
        f.sort_by(|a, b| b.total_cmp(a));
        f.iter().take(max_count).sum()
    }
}

/// A match in the description, in original byte offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Match {
    /// Signal index.
    pub(crate) signal: usize,
    /// Original byte offset of its start.
    pub(crate) start: usize,
}

/// Everything read from one ad.
pub(crate) struct Reading {
    /// Per signal index.
    pub(crate) hits: BTreeMap<usize, Hits>,
    /// The title or presentation says ANT.
    pub(crate) claims_ant: bool,
    /// The description's units (items and group headings), in order.
    pub(crate) units: Vec<Unit>,
    /// The time shares, stated or estimated.
    pub(crate) share: Share,
    /// The ad's words (title and description).
    pub(crate) words: Words,
}

impl RuleSet {
    /// Reads one posting.
    pub(crate) fn read(&self, posting: &Posting) -> Reading {
        let mut hits: BTreeMap<usize, Hits> = BTreeMap::new();
        let mut matches = Vec::new();
        let mut description = None;
        let mut folded_title = None;
        for (field, text) in [
            ("title", posting.title.as_str()),
            ("description", posting.description.as_str()),
            ("employer", posting.employer.as_deref().unwrap_or("")),
        ] {
            if text.is_empty() {
                continue;
            }
            let folded = Folded::new(text);
            let sections = (field == "description").then(|| self.context.sections(text, &folded));
            if let Some(fs) = self.fields.get(field) {
                for &si in &fs.owners {
                    let signal = &self.signals[si];
                    let max = signal.def.max_count * MATCHES_PER_COUNT;
                    for m in signal.regex.find_iter(folded.text.as_bytes()).take(max) {
                        if m.start() == m.end() || self.context.negated(&folded.text, m.start()) {
                            continue;
                        }
                        let category = signal.def.category.as_str();
                        let factor = sections
                            .as_ref()
                            .map_or(1.0, |s| s.factor_at(m.start(), category));
                        let (start, end) = folded.original_range(m.start(), m.end());
                        if field == "description" {
                            matches.push(Match { signal: si, start });
                        }
                        let entry = hits.entry(si).or_default();
                        entry.factors.push(factor);
                        let overlaps = entry
                            .evidence
                            .iter()
                            .any(|e| e.field == field && e.start < end && start < e.end);
                        if factor > 0.0 && entry.evidence.len() < MAX_EVIDENCE && !overlaps {
                            entry.evidence.push(Evidence {
                                field: field.to_owned(),
                                start,
                                end,
                                text: text[start..end].to_owned(),
                            });
                        }
                    }
                }
            }
            if let Some(sections) = sections {
                description = Some((folded, sections));
            } else if field == "title" {
                folded_title = Some(folded);
            }
        }
        hits.retain(|_, h| !h.factors.is_empty());
        let claims_ant = hits.iter().any(|(si, h)| {
            self.signals[*si].def.category == "claims_ant" && h.factors.iter().any(|f| *f > 0.0)
        });
        matches.sort_by_key(|m| m.start);
        let units = match &description {
            Some((folded, sections)) => items::units(
                &posting.description,
                folded,
                sections,
                &matches,
                &self.signals,
            ),
            None => Vec::new(),
        };
        let share = share::estimate(
            &self.share_reader,
            &posting.description,
            &units,
            posting.weekly_hours,
        );
        let mut fields: Vec<(&'static str, &Folded)> = Vec::new();
        if let Some(t) = &folded_title {
            fields.push(("title", t));
        }
        if let Some((d, _)) = &description {
            fields.push(("description", d));
        }
        let words = lexicon::words(&fields);
        Reading {
            hits,
            claims_ant,
            units,
            share,
            words,
        }
    }
}
