//! Evaluation of one posting: read it, weigh what was read with the learned weights, explain the
//! verdict with findings that each carry their evidence and their contribution.

use std::collections::BTreeMap;

use super::RuleSet;
use super::features::STRUCTURAL;
use super::file::CATEGORIES;
use super::items::{KINDS, Kind};
use super::model::{self, Decided};
use super::read::Reading;
use crate::model::verdict::percent_fr;
use crate::model::{
    Evidence, FacilitationShare, Finding, MissionItem, Posting, Severity, Verdict, VerdictCode,
};

/// Below this margin a reviewer is told the verdict is uncertain, and between which two.
pub const UNCERTAIN_MARGIN: f64 = 0.25;
/// Below this margin the next best verdict is kept in the verdict.
const RUNNER_UP_MARGIN: f64 = 0.5;

/// Signals whose absence says the ad describes no facilitation format.
const FORMATS: [&str; 3] = [
    "animation.ateliers",
    "animation.rendez_vous",
    "animation.diagnostic",
];

impl RuleSet {
    /// Validates one posting.
    pub fn evaluate(&self, posting: &Posting) -> Verdict {
        let reading = self.read(posting);
        let x = self.features(&reading);
        let words = self.model.lexicon.vector(&reading.words);
        let decided = model::decide(self.model.logits(&x, &words), reading.claims_ant);
        let mut verdict = self.explain(posting, &reading, &x, decided);
        if let Some(f) = self.vocabulary_finding(posting, &reading, &words, decided.code) {
            verdict.findings.push(f);
            verdict
                .findings
                .sort_by_key(|f| std::cmp::Reverse(f.severity));
        }
        verdict
    }

    /// The ad's words that weigh most for and against the verdict, as one finding whose
    /// evidence is each word's first occurrence.
    fn vocabulary_finding(
        &self,
        posting: &Posting,
        r: &Reading,
        words: &[(usize, f64)],
        code: VerdictCode,
    ) -> Option<Finding> {
        if words.is_empty() {
            return None;
        }
        let v = VerdictCode::ALL.iter().position(|c| *c == code)?;
        let mut total = [0.0; 6];
        model::add_words(&mut total, &self.model.word_weights, words);
        let mut weighed: Vec<(f64, &str)> = words
            .iter()
            .map(|&(i, x)| {
                (
                    self.model.word_weights[i][v] * x,
                    self.model.lexicon.words[i].as_str(),
                )
            })
            .filter(|(c, _)| c.abs() >= 0.05)
            .collect();
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Each word as the ad writes it (« référencement », not the folded « referencement »).
        let as_written = |w: &str| -> String {
            r.words
                .get(w)
                .map(|(_, (field, start, end))| {
                    let text = if *field == "title" {
                        &posting.title
                    } else {
                        &posting.description
                    };
                    text[*start..*end].to_owned()
                })
                .unwrap_or_else(|| w.to_owned())
        };
        let quote = |ws: &[&str]| {
            ws.iter()
                .map(|w| format!("«\u{a0}{}\u{a0}»", as_written(w)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let pros: Vec<&str> = weighed
            .iter()
            .filter(|(c, _)| *c > 0.0)
            .take(5)
            .map(|(_, w)| *w)
            .collect();
        let cons: Vec<&str> = weighed
            .iter()
            .rev()
            .filter(|(c, _)| *c < 0.0)
            .take(3)
            .map(|(_, w)| *w)
            .collect();
        if pros.is_empty() && cons.is_empty() {
            return None;
        }
        let mut message = String::from("Vocabulaire de l'annonce");
        if !pros.is_empty() {
            message.push_str(&format!(" qui oriente vers ce verdict : {}", quote(&pros)));
        }
        if !cons.is_empty() {
            message.push_str(&format!(
                "{} qui s'en écarte : {}",
                if pros.is_empty() { "" } else { " ;" },
                quote(&cons)
            ));
        }
        message.push('.');
        let evidence = pros
            .iter()
            .filter_map(|w| r.words.get(*w))
            .map(|(_, (field, start, end))| {
                let text = if *field == "title" {
                    &posting.title
                } else {
                    &posting.description
                };
                Evidence {
                    field: (*field).to_owned(),
                    start: *start,
                    end: *end,
                    text: text[*start..*end].to_owned(),
                }
            })
            .collect();
        Some(Finding {
            rule: "lexique.vocabulaire".into(),
            severity: Severity::Info,
            message,
            reference: "Poids des mots appris sur les annonces étiquetées (antenne rules fit)"
                .into(),
            evidence,
            contributions: VerdictCode::ALL
                .into_iter()
                .zip(total)
                .map(|(c, x)| (c, (x * 100.0).round() / 100.0))
                .filter(|(_, x)| x.abs() >= 0.05)
                .collect(),
        })
    }

    fn contributions(&self, features: &[usize], x: &[f64]) -> BTreeMap<VerdictCode, f64> {
        let mut c = [0.0; 6];
        for &f in features {
            for (ci, w) in c.iter_mut().zip(self.model.weights[f]) {
                *ci += w * x[f];
            }
        }
        VerdictCode::ALL
            .into_iter()
            .zip(c)
            .map(|(code, v)| (code, (v * 100.0).round() / 100.0))
            .filter(|(_, v)| v.abs() >= 0.05)
            .collect()
    }

    fn explain(&self, posting: &Posting, r: &Reading, x: &[f64], d: Decided) -> Verdict {
        let mut scores: BTreeMap<String, f64> =
            CATEGORIES.iter().map(|c| ((*c).to_owned(), 0.0)).collect();
        let mut findings = Vec::new();
        for (&si, h) in &r.hits {
            let s = &self.signals[si];
            *scores.entry(s.def.category.clone()).or_default() += s.def.weight * x[si];
            if h.evidence.is_empty() {
                continue;
            }
            findings.push(Finding {
                rule: s.id.clone(),
                severity: s.def.severity,
                message: s.def.message.clone(),
                reference: s.def.reference.clone(),
                evidence: h.evidence.clone(),
                contributions: self.contributions(&[si], x),
            });
        }
        scores.remove("digital");
        for v in scores.values_mut() {
            *v = (*v * 100.0).round() / 100.0;
        }
        let structure: Vec<usize> =
            (self.signals.len()..self.signals.len() + STRUCTURAL.len()).collect();
        let share = facilitation_share(posting, r);
        findings.push(Finding {
            rule: "lecture.repartition".into(),
            severity: Severity::Info,
            message: structure_message(r),
            reference: "Doctrine du réseau : l'animation numérique demande du temps dégagé ; titre CPE, bloc métier 2 (animation et accompagnement)".into(),
            evidence: share.evidence.clone(),
            contributions: self.contributions(&structure, x),
        });
        if r.claims_ant && !r.share.stated {
            findings.push(Finding {
                rule: "cadre.temps_non_precise".into(),
                severity: Severity::Info,
                message: "Aucun temps d'animation n'est précisé : l'annonce ne dit pas quelle part du poste va à l'accompagnement des professionnels.".into(),
                reference: "Doctrine du réseau : l'animation « ne peut pas se faire le vendredi de 17h24 à 17h28 » ; elle demande une réorganisation de la structure (etourisme.info, 2011)".into(),
                evidence: Vec::new(),
                contributions: BTreeMap::new(),
            });
        }
        let formats = self
            .signals
            .iter()
            .enumerate()
            .filter(|(_, s)| FORMATS.contains(&s.id.as_str()))
            .any(|(si, _)| x[si] > 0.0);
        if !formats {
            findings.push(Finding {
                rule: "cadre.sans_format".into(),
                severity: Severity::Info,
                message: "Aucun atelier, rendez-vous individuel ni diagnostic auprès des professionnels n'est décrit.".into(),
                reference: "Titre CPE, bloc de compétences 3 « Sensibiliser et accompagner les acteurs touristiques du territoire »".into(),
                evidence: Vec::new(),
                contributions: BTreeMap::new(),
            });
        }
        let code = d.code;
        let flagged = r.claims_ant && code.is_disguise();
        if d.margin < UNCERTAIN_MARGIN {
            findings.push(Finding {
                rule: "verdict.incertain".into(),
                severity: Severity::Warn,
                message: format!(
                    "Verdict incertain : {} ou {} (écart de {} points).",
                    code.short_fr(),
                    d.runner_up.short_fr(),
                    (d.margin * 100.0).round()
                ),
                reference: "Poids appris sur les annonces étiquetées (antenne rules fit)".into(),
                evidence: Vec::new(),
                contributions: BTreeMap::new(),
            });
        }
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
            contributions: BTreeMap::new(),
        });
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        Verdict {
            id: posting.id.clone(),
            verdict: code,
            claims_ant: r.claims_ant,
            flagged,
            scores,
            findings,
            missions: r
                .units
                .iter()
                .filter(|u| !u.header && u.mission)
                .map(|u| MissionItem {
                    start: u.start,
                    end: u.end,
                    text: posting.description[u.start..u.end].to_owned(),
                    kind: u.kind,
                })
                .collect(),
            facilitation_share: Some(share),
            margin: (d.margin * 1000.0).round() / 1000.0,
            runner_up: (d.margin < RUNNER_UP_MARGIN).then_some(d.runner_up),
            rules_version: self.version.clone(),
        }
    }
}

fn facilitation_share(posting: &Posting, r: &Reading) -> FacilitationShare {
    let own: Vec<_> = r
        .share
        .statements
        .iter()
        .filter(|(_, _, k)| *k == Kind::Facilitation)
        .collect();
    let used = if own.is_empty() {
        r.share.statements.iter().collect()
    } else {
        own
    };
    let text = &posting.description;
    FacilitationShare {
        value: r.share.facilitation().map(|v| (v * 100.0).round() / 100.0),
        stated: r.share.stated,
        evidence: used
            .into_iter()
            .map(|&(start, end, _)| Evidence {
                field: "description".into(),
                start,
                end,
                text: text[start..end].to_owned(),
            })
            .collect(),
    }
}

fn structure_message(r: &Reading) -> String {
    let items: usize = r.share.items.iter().sum();
    let breakdown = KINDS
        .iter()
        .filter(|k| r.share.items[k.index()] > 0)
        .map(|k| format!("{} : {}", k.label_fr(), r.share.items[k.index()]))
        .collect::<Vec<_>>()
        .join(" ; ");
    match r.share.facilitation() {
        None => {
            "Aucune mission lue ne permet d'estimer la part de l'accompagnement des professionnels."
                .into()
        }
        Some(v) if r.share.stated => format!(
            "Part estimée de l'accompagnement des professionnels : {}, d'après les temps indiqués par l'annonce{}.",
            percent_fr(v),
            if items > 0 {
                format!(" (missions lues : {breakdown})")
            } else {
                String::new()
            }
        ),
        Some(v) => format!(
            "Part estimée de l'accompagnement des professionnels : {}, d'après la répartition des {items} missions lues ({breakdown}).",
            percent_fr(v)
        ),
    }
}
