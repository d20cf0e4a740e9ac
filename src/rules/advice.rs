//! Advice to an employer on a draft ad: what the framework expects of an ANT ad, ticked or not,
//! and a concrete suggestion for each finding that asks for a change.
//!
//! Built from a verdict alone (the findings name the signals read), so it says nothing the
//! validator did not see.

use crate::model::{Verdict, VerdictCode};

/// Share of the job above which facilitation counts as the main mission.
const MAIN_MISSION_SHARE: f64 = 0.5;

/// One element of a framework-conforming ANT ad.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckItem {
    /// Stable key, for programs.
    pub key: &'static str,
    /// What the ad should contain, in French.
    pub label: &'static str,
    /// Whether the draft contains it.
    pub ok: bool,
    /// What to write when it does not.
    pub suggestion: &'static str,
}

/// The checklist of a framework-conforming ANT ad, each element ticked from the verdict.
pub fn checklist(v: &Verdict) -> Vec<CheckItem> {
    let fired = |rule: &str| v.findings.iter().any(|f| f.rule == rule);
    let share = v.facilitation_share.as_ref();
    let item = |key, label, ok, suggestion| CheckItem {
        key,
        label,
        ok,
        suggestion,
    };
    vec![
        item(
            "intitule",
            "Un intitulé qui nomme le métier",
            v.claims_ant,
            "Si l'accompagnement des professionnels est le cœur du poste, intitulez-le « animateur·rice numérique de territoire » : c'est le nom que cherchent les candidat·es formé·es.",
        ),
        item(
            "public",
            "Le public accompagné : les professionnels du tourisme du territoire",
            fired("animation.public_professionnel"),
            "Nommez les professionnels accompagnés : hébergeurs, restaurateurs, prestataires d'activités, socioprofessionnels du territoire.",
        ),
        item(
            "formats",
            "Des formats d'accompagnement : ateliers, rendez-vous individuels",
            fired("animation.ateliers") || fired("animation.rendez_vous"),
            "Décrivez comment le poste accompagne : ateliers collectifs, rendez-vous individuels, permanences, visites chez les prestataires.",
        ),
        item(
            "diagnostic",
            "Un diagnostic numérique du territoire ou des prestataires",
            fired("animation.diagnostic"),
            "Prévoyez un diagnostic numérique (état des lieux des usages des prestataires) : c'est le point de départ de l'accompagnement.",
        ),
        item(
            "veille",
            "Une veille numérique partagée avec les professionnels",
            fired("animation.veille"),
            "Mentionnez la veille e-touristique que le poste partage avec les professionnels (évolution des usages, e-réputation).",
        ),
        item(
            "temps",
            "Le temps consacré à l'accompagnement, précisé",
            share.is_some_and(|s| s.stated),
            "Précisez le temps consacré à l'accompagnement des prestataires, par exemple un nombre de jours par semaine ou une part du poste en pourcentage.",
        ),
        item(
            "principal",
            "L'accompagnement des professionnels comme mission principale",
            share
                .and_then(|s| s.value)
                .is_some_and(|x| x >= MAIN_MISSION_SHARE),
            "Faites de l'accompagnement la mission principale : le site web, les réseaux sociaux ou la base de données de la structure, et l'accueil, ne doivent pas en occuper l'essentiel.",
        ),
        item(
            "tourisme",
            "Un contexte touristique : la structure et sa destination",
            fired("contexte.tourisme"),
            "Situez le poste : la structure touristique qui recrute (office de tourisme, agence départementale…) et la destination dont les professionnels sont accompagnés.",
        ),
    ]
}

/// What to change in the ad in view of a finding, when the finding asks for a change.
pub fn suggestion(rule: &str, v: &Verdict) -> Option<&'static str> {
    let verdict = rule.strip_prefix("verdict.").and_then(VerdictCode::parse);
    Some(match (rule, verdict) {
        (_, Some(VerdictCode::Webmaster)) => {
            "Les missions décrivent surtout le site web de la structure. Si vous recrutez un·e ANT, décrivez l'accompagnement des prestataires dans leurs propres outils numériques ; sinon, intitulez le poste « webmestre »."
        }
        (_, Some(VerdictCode::CommunityManager)) => {
            "Les missions décrivent surtout les réseaux sociaux et les contenus de la structure. Si vous recrutez un·e ANT, décrivez comment le poste aide les prestataires à animer leurs propres comptes ; sinon, intitulez le poste « chargé·e de communication numérique »."
        }
        (_, Some(VerdictCode::DatabaseOperator)) => {
            "Les missions décrivent surtout la saisie de données touristiques. Si vous recrutez un·e ANT, décrivez comment le poste forme les prestataires à tenir leurs fiches eux-mêmes ; sinon, intitulez le poste « gestionnaire de l'information touristique »."
        }
        (_, Some(VerdictCode::LowFacilitation)) => {
            "L'accompagnement des professionnels n'est qu'une petite part du poste : dégagez-lui du temps et dites combien, ou choisissez un intitulé qui décrit le poste réel."
        }
        (_, Some(VerdictCode::NotAnt)) if v.claims_ant => {
            "Le texte ne décrit pas le métier d'ANT : décrivez l'accompagnement des professionnels du tourisme du territoire, ou changez l'intitulé."
        }
        ("cadre.temps_non_precise", _) => {
            "Précisez le temps consacré à l'accompagnement des prestataires, par exemple un nombre de jours par semaine."
        }
        ("cadre.sans_format", _) => {
            "Décrivez les formats d'accompagnement : ateliers collectifs, rendez-vous individuels, permanences, visites chez les prestataires."
        }
        ("autres.inclusion_numerique" | "autres.public_habitants", _) if v.claims_ant => {
            "L'accompagnement des habitants au numérique relève du conseiller ou de la conseillère numérique, pas de l'ANT, dont le public est celui des professionnels du tourisme."
        }
        ("temps.part_faible" | "temps.accueil_principal", _) if v.claims_ant => {
            "La part du poste laissée à l'animation paraît faible : le réseau rappelle que l'accompagnement demande du temps dégagé, précisez-le et donnez-lui la première place."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FacilitationShare, Finding, Severity};
    use std::collections::BTreeMap;

    fn verdict(rules: &[&str], share: Option<(f64, bool)>, claims_ant: bool) -> Verdict {
        Verdict {
            id: "x".into(),
            verdict: VerdictCode::Ant,
            claims_ant,
            flagged: false,
            scores: BTreeMap::new(),
            findings: rules
                .iter()
                .map(|r| Finding {
                    rule: (*r).into(),
                    severity: Severity::Info,
                    message: String::new(),
                    reference: String::new(),
                    evidence: Vec::new(),
                    contributions: BTreeMap::new(),
                })
                .collect(),
            missions: Vec::new(),
            facilitation_share: share.map(|(value, stated)| FacilitationShare {
                value: Some(value),
                stated,
                evidence: Vec::new(),
            }),
            margin: 1.0,
            runner_up: None,
            rules_version: String::new(),
        }
    }

    #[test]
    fn ticks_what_the_findings_show() {
        let v = verdict(
            &["animation.ateliers", "contexte.tourisme"],
            Some((0.6, true)),
            true,
        );
        let ticked: Vec<&str> = checklist(&v)
            .iter()
            .filter(|i| i.ok)
            .map(|i| i.key)
            .collect();
        assert_eq!(
            ticked,
            ["intitule", "formats", "temps", "principal", "tourisme"]
        );
        let bare = verdict(&[], Some((0.2, false)), false);
        assert!(checklist(&bare).iter().all(|i| !i.ok));
    }

    #[test]
    fn suggests_only_where_a_change_is_asked() {
        let v = verdict(&[], None, true);
        assert!(
            suggestion("cadre.temps_non_precise", &v)
                .unwrap()
                .contains("jours par semaine")
        );
        assert!(
            suggestion("verdict.webmaster", &v)
                .unwrap()
                .contains("webmestre")
        );
        assert_eq!(suggestion("verdict.ant", &v), None);
        assert_eq!(suggestion("animation.ateliers", &v), None);
        let unclaimed = verdict(&[], None, false);
        assert_eq!(suggestion("verdict.not_ant", &unclaimed), None);
    }
}
