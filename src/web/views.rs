//! View models for the pages: plain strings ready to print, French dates, labels.

use crate::model::{Evidence, Finding, PostingRecord, Severity, VerdictCode};

pub(crate) use crate::model::date_fr;

/// A posting as listed in results.
pub(crate) struct AdSummary {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) employer: String,
    pub(crate) place: String,
    pub(crate) contract: String,
    pub(crate) published: String,
    pub(crate) verdict_code: String,
    pub(crate) verdict_label: String,
    pub(crate) flagged: bool,
    /// Escaped HTML from the index with `<b>` marks.
    pub(crate) snippet: String,
}

pub(crate) fn place(r: &PostingRecord) -> String {
    r.posting.location.label(true)
}

impl AdSummary {
    pub(crate) fn new(r: &PostingRecord, snippet: String) -> Self {
        let p = &r.posting;
        let (code, label, flagged) = r.verdict.as_ref().map_or(
            ("none".to_owned(), "Non évaluée".to_owned(), false),
            |v| {
                (
                    v.verdict.as_str().to_owned(),
                    v.verdict.label_fr().to_owned(),
                    v.flagged,
                )
            },
        );
        let snippet = if snippet.is_empty() {
            let mut s: String = p.description.chars().take(220).collect();
            if p.description.chars().count() > 220 {
                s.push('…');
            }
            askama::filters::escape(&s, askama::filters::Html)
                .map(|e| e.to_string())
                .unwrap_or_default()
        } else {
            snippet
        };
        Self {
            id: p.id.clone(),
            title: p.title.clone(),
            employer: p.employer.clone().unwrap_or_default(),
            place: place(r),
            contract: p.contract.clone().unwrap_or_default(),
            published: p.published.map(date_fr).unwrap_or_default(),
            verdict_code: code,
            verdict_label: label,
            flagged,
            snippet,
        }
    }
}

/// A finding ready to print.
pub(crate) struct FindingView {
    pub(crate) rule: String,
    pub(crate) severity: &'static str,
    pub(crate) message: String,
    pub(crate) reference: String,
    pub(crate) evidence: Vec<String>,
    /// « pèse pour webmaster +1,8 », for the verdict given; empty for explanations.
    pub(crate) weighs: String,
}

impl FindingView {
    /// A finding of a verdict, with what it weighs for that verdict.
    pub(crate) fn new(f: &Finding, verdict: VerdictCode) -> Self {
        Self {
            weighs: f.weighs_fr(verdict).unwrap_or_default(),
            rule: f.rule.clone(),
            severity: match f.severity {
                Severity::Block => "bloquant",
                Severity::Warn => "à vérifier",
                Severity::Info => "information",
            },
            message: f.message.clone(),
            reference: f.reference.clone(),
            evidence: f
                .evidence
                .iter()
                .map(|e: &Evidence| e.text.clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn french_dates() {
        assert_eq!(
            date_fr(NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
            "3 mars 2026"
        );
        assert_eq!(
            date_fr(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()),
            "1er août 2026"
        );
    }
}
