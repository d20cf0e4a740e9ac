//! Evaluation of one posting: match every signal, weigh each match by its section, drop negated
//! matches, score the categories, decide, explain.

use std::collections::BTreeMap;

use super::RuleSet;
use super::decide::decide;
use super::file::CATEGORIES;
use super::fold::Folded;
use crate::model::{Evidence, Finding, Posting, Severity, Verdict, VerdictCode};

/// Most evidence spans kept per finding.
const MAX_EVIDENCE: usize = 5;
/// Matches read per counted match: enough to find the best-weighted ones (a match in the
/// profile weighs less than one in the missions) without reading every one of a common word.
const MATCHES_PER_COUNT: usize = 4;

/// The matches of one signal: the factor of each, and evidence of the counted ones.
#[derive(Default)]
struct Hits {
    factors: Vec<f64>,
    evidence: Vec<Evidence>,
}

impl RuleSet {
    /// Validates one posting.
    pub fn evaluate(&self, posting: &Posting) -> Verdict {
        let mut hits: BTreeMap<usize, Hits> = BTreeMap::new();
        for (field, text) in [
            ("title", posting.title.as_str()),
            ("description", posting.description.as_str()),
            ("employer", posting.employer.as_deref().unwrap_or("")),
        ] {
            let Some(fs) = self.fields.get(field) else {
                continue;
            };
            if text.is_empty() {
                continue;
            }
            let folded = Folded::new(text);
            let sections = (field == "description").then(|| self.context.sections(&folded.text));
            for &si in &fs.owners {
                let max = self.signals[si].def.max_count * MATCHES_PER_COUNT;
                let mut matches = self.signals[si]
                    .regex
                    .find_iter(folded.text.as_bytes())
                    .take(max)
                    .peekable();
                if matches.peek().is_none() {
                    continue;
                }
                let entry = hits.entry(si).or_default();
                for m in matches {
                    if m.start() == m.end() || self.context.negated(&folded.text, m.start()) {
                        continue;
                    }
                    let category = self.signals[si].def.category.as_str();
                    let factor = sections
                        .as_ref()
                        .map_or(1.0, |s| s.factor_at(m.start(), category));
                    entry.factors.push(factor);
                    let (start, end) = folded.original_range(m.start(), m.end());
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
        let mut scores: BTreeMap<String, f64> =
            CATEGORIES.iter().map(|c| ((*c).to_owned(), 0.0)).collect();
        let mut findings = Vec::new();
        for (si, mut h) in hits {
            if h.factors.is_empty() {
                continue;
            }
            let s = &self.signals[si];
            h.factors.sort_by(|a, b| b.total_cmp(a));
            let counted: f64 = h.factors.iter().take(s.def.max_count).sum();
            *scores.entry(s.def.category.clone()).or_default() += s.def.weight * counted;
            if !h.evidence.is_empty() {
                findings.push(Finding {
                    rule: s.id.clone(),
                    severity: s.def.severity,
                    message: s.def.message.clone(),
                    reference: s.def.reference.clone(),
                    evidence: h.evidence,
                });
            }
        }
        for v in scores.values_mut() {
            *v = (*v * 100.0).round() / 100.0;
        }
        let code = decide(&self.decision, &scores);
        let claims_ant = scores.get("claims_ant").copied().unwrap_or(0.0) > 0.0;
        let flagged = claims_ant && code.is_disguise();
        let explanation = &self.explanations[&code];
        findings.push(Finding {
            rule: format!("verdict.{}", code.as_str()),
            severity: if flagged {
                Severity::Block
            } else if code == VerdictCode::Ant {
                Severity::Info
            } else {
                Severity::Warn
            },
            message: explanation.message.clone(),
            reference: explanation.reference.clone(),
            evidence: Vec::new(),
        });
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        Verdict {
            id: posting.id.clone(),
            verdict: code,
            claims_ant,
            flagged,
            scores,
            findings,
            rules_version: self.version.clone(),
        }
    }
}
