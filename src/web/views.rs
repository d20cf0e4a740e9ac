//! View models for the pages: plain strings ready to print, French dates, labels.

use crate::model::{Evidence, Finding, PostingRecord, ReviewState, Severity, VerdictCode};

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
    /// Staff lifted its flag: « vérifiée par l'équipe ».
    pub(crate) verified: bool,
    pub(crate) salary: String,
    pub(crate) deadline: String,
    /// Published within the last seven days.
    pub(crate) fresh: bool,
    /// Escaped HTML from the index with `<b>` marks.
    pub(crate) snippet: String,
}

pub(crate) fn place(r: &PostingRecord) -> String {
    r.posting.location.label(true)
}

impl AdSummary {
    pub(crate) fn new(r: &PostingRecord, snippet: String) -> Self {
        let p = &r.posting;
        let verified = r.review_state() == ReviewState::Lifted;
        let (code, label, flagged) = match (r.public_verdict(), &r.verdict) {
            (Some(code), Some(v)) => (
                code.as_str().to_owned(),
                code.label_fr().to_owned(),
                v.flagged && !verified,
            ),
            _ => ("none".to_owned(), "Non évaluée".to_owned(), false),
        };
        let today = chrono::Utc::now().date_naive();
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
            verified,
            salary: p
                .salary_range
                .as_ref()
                .map(|s| {
                    s.label_fr(
                        p.salary
                            .as_deref()
                            .is_some_and(|t| t.to_lowercase().contains("brut")),
                    )
                })
                .unwrap_or_default(),
            deadline: p.valid_through.map(date_fr).unwrap_or_default(),
            fresh: p.published.is_some_and(|d| (today - d).num_days() < 7),
            snippet,
        }
    }
}

/// What a job seeker reads of an ad's check: one sentence, the decisive extracts, the share of
/// facilitation, the staff's decision, and the details for those who want them. No rule ids,
/// scores or hashes: those are for staff.
pub(crate) struct PublicCheck {
    /// CSS class.
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) sentence: String,
    /// The staff's decision, if one holds for this revision.
    pub(crate) team: String,
    pub(crate) flagged: bool,
    pub(crate) extracts: Vec<String>,
    pub(crate) share: String,
    /// Message and extracts of each finding.
    pub(crate) details: Vec<(String, Vec<String>)>,
}

/// What the job really is, in the words of the sentence « … ses missions décrivent surtout … ».
fn job_words(code: VerdictCode) -> &'static str {
    match code {
        VerdictCode::Webmaster => "la gestion du site web de la structure",
        VerdictCode::CommunityManager => {
            "l'animation des réseaux sociaux et des contenus de la structure"
        }
        VerdictCode::DatabaseOperator => "la saisie et la mise à jour de données touristiques",
        VerdictCode::LowFacilitation => {
            "d'autres tâches (accueil, gestion…), l'accompagnement des professionnels n'y étant qu'une petite part"
        }
        VerdictCode::Ant => "l'accompagnement des professionnels du tourisme",
        VerdictCode::NotAnt => "un autre métier",
    }
}

/// The check's verdict in one sentence for people.
pub(crate) fn sentence(code: VerdictCode, claims_ant: bool) -> String {
    crate::model::fr::spaces(&raw_sentence(code, claims_ant))
}

fn raw_sentence(code: VerdictCode, claims_ant: bool) -> String {
    if code == VerdictCode::Ant {
        "Les missions décrivent l'accompagnement des professionnels du tourisme du territoire dans leurs usages numériques : le cœur du métier d'animateur·rice numérique de territoire.".to_owned()
    } else if code == VerdictCode::NotAnt {
        "Ce poste relève d'un autre métier que celui d'animateur·rice numérique de territoire."
            .to_owned()
    } else if claims_ant {
        format!(
            "Cette offre se présente comme un poste d'animateur·rice numérique de territoire, mais ses missions décrivent surtout {}.",
            job_words(code)
        )
    } else {
        format!(
            "Les missions de ce poste décrivent surtout {}.",
            job_words(code)
        )
    }
}

impl PublicCheck {
    pub(crate) fn of(r: &PostingRecord) -> Option<Self> {
        let v = r.verdict.as_ref()?;
        let code = r.public_verdict()?;
        let decision = r.decision();
        let when = |d: &crate::model::StaffReview| date_fr(d.at.date_naive());
        let lifted = decision.filter(|d| d.state == ReviewState::Lifted);
        let flagged = v.flagged && lifted.is_none();
        let sentence = if lifted.is_some() {
            "L'équipe de la fédération a relu cette offre : elle décrit bien le métier d'animateur·rice numérique de territoire.".to_owned()
        } else {
            sentence(code, v.claims_ant)
        };
        let team = match decision {
            Some(d) if d.state == ReviewState::Lifted => {
                format!("Vérifiée par l'équipe de la fédération le {}.", when(d))
            }
            Some(d) if d.state == ReviewState::Confirmed => {
                format!(
                    "Signalement confirmé par l'équipe de la fédération le {}.",
                    when(d)
                )
            }
            _ if flagged => "Elle est signalée à l'équipe de la fédération, qui la relira.".into(),
            _ => String::new(),
        };
        let weighs = |f: &Finding| f.contributions.get(&code).copied().unwrap_or(0.0);
        let mut decisive: Vec<&Finding> = v
            .findings
            .iter()
            .filter(|f| !f.evidence.is_empty() && weighs(f) > 0.0)
            .collect();
        decisive.sort_by(|a, b| weighs(b).total_cmp(&weighs(a)));
        let extracts = decisive
            .iter()
            .filter_map(|f| f.evidence.first().map(|e| e.text.clone()))
            .take(3)
            .collect();
        let details = v
            .findings
            .iter()
            .filter(|f| !f.rule.starts_with("verdict.") || lifted.is_none())
            .map(|f| {
                (
                    crate::model::fr::spaces(&f.message),
                    f.evidence.iter().map(|e| e.text.clone()).collect(),
                )
            })
            .collect();
        Some(Self {
            code: code.as_str(),
            label: code.label_fr(),
            sentence,
            team,
            flagged,
            extracts,
            share: v
                .facilitation_share
                .as_ref()
                .and_then(|s| s.value.map(|_| s.line_fr()))
                .unwrap_or_default(),
            details,
        })
    }
}

/// One block of an ad's text as the board structured it.
pub(crate) enum Block {
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
}

/// An ad's plain text back into headings, paragraphs and lists (the text keeps one paragraph or
/// list item per line, list items marked).
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(start) = crate::rules::list_item(line) {
            let item = line[start..].to_owned();
            match out.last_mut() {
                Some(Block::List(items)) => items.push(item),
                _ => out.push(Block::List(vec![item])),
            }
            continue;
        }
        let short = line.chars().count() <= 60 && line.split_whitespace().count() <= 8;
        let ends = line.ends_with(['.', ';', ',']);
        let next_is_text = lines.get(i + 1).is_some();
        if short && !ends && next_is_text {
            out.push(Block::Heading(line.trim_end_matches(':').trim().to_owned()));
        } else {
            out.push(Block::Paragraph((*line).to_owned()));
        }
    }
    out
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
            message: crate::model::fr::spaces(&f.message),
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
