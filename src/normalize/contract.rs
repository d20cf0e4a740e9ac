//! Contract type, duration and working time, from the source's fields or, failing that, the
//! description.

use std::sync::LazyLock;

use regex::Regex;

/// Contract labels we normalise to, with the folded patterns that recognise them, most
/// specific first.
static CONTRACTS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Contrat de projet", r"\bcontrat de projet\b"),
        (
            "Alternance",
            r"\b(alternance|apprentissage|apprenti|contrat de professionnalisation)\b",
        ),
        ("Stage", r"\b(stage|stagiaire|intern)\b"),
        ("Saisonnier", r"\b(saisonnier|saisonniere|cdd saisonnier)\b"),
        ("CDI", r"\b(cdi|duree indeterminee)\b"),
        ("CDD", r"\b(cdd|duree determinee|temporary|contractor)\b"),
        (
            "Titulaire",
            r"\b(titulaires?|mutation|detachement|statutaires?)\b",
        ),
        ("Intérim", r"\b(interim|interimaire)\b"),
        ("Vacation", r"\b(vacataire|vacation)\b"),
    ]
    .into_iter()
    .map(|(label, re)| (label, Regex::new(re).expect("valid contract pattern")))
    .collect()
});

/// A contract named as a prospect, not as the contract offered: « CDD de 18 mois évolutif en
/// CDI », « possibilité de titularisation », « pouvant déboucher sur un CDI ».
static PROSPECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(evolutif|evolutive|evoluer|evoluant|possibilite|pouvant (?:deboucher|aboutir|evoluer)|susceptible d.evoluer|en vue d.une?|transformable|perennisable|a terme)\b[^.;,\n]{0,30}?\b(cdi|duree indeterminee|titularisation|stagiairisation)\b",
    )
    .expect("valid pattern")
});

/// The contract label and, for schema.org `FULL_TIME`/`PART_TIME`, the working time it implies.
pub(super) fn contract(field: Option<&str>, description: &str) -> (Option<String>, Option<String>) {
    let field_folded = field.map(|f| deunicode::deunicode(f).to_lowercase().replace('_', " "));
    let hours = field_folded.as_deref().and_then(|f| {
        if f.contains("part time") {
            Some("Temps partiel".to_owned())
        } else if f.contains("full time") {
            Some("Temps complet".to_owned())
        } else {
            None
        }
    });
    let find = |text: &str| {
        let text = PROSPECT.replace_all(text, " ");
        CONTRACTS
            .iter()
            .find(|(_, re)| re.is_match(&text))
            .map(|(label, _)| (*label).to_owned())
    };
    let from_field = field_folded.as_deref().and_then(find);
    let contract = from_field.or_else(|| {
        let head: String = description.chars().take(4000).collect();
        find(&deunicode::deunicode(&head).to_lowercase())
    });
    (contract, hours)
}

static MONTHS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(cdd|contrat de projet|duree determinee|mission|contrat)\b[^.\n]{0,40}?\b(\d{1,2}|un|une|deux|trois|six|douze|dix huit|dix-huit|vingt quatre)\s*(mois|ans?|annees?)\b")
        .expect("valid pattern")
});
static SHARE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{2})\s?%").expect("valid pattern"));
static FRACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2}(?:[.,]\d{1,2})?)\s?(?:h\s?)?/\s?35(?:e|eme|h|\b)")
        .expect("valid pattern")
});
static HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})\s?(?:h|heures?)\s?(\d{2})?\b(?:\s*(?:hebdo|par semaine|/ ?semaine|hebdomadaires?))?")
        .expect("valid pattern")
});

fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "un" | "une" => 1,
        "deux" => 2,
        "trois" => 3,
        "six" => 6,
        "douze" => 12,
        "dix huit" | "dix-huit" => 18,
        "vingt quatre" => 24,
        n => n.parse().ok()?,
    })
}

fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// The duration in months of a fixed-term contract (« CDD 12 mois », « contrat de projet de 3 ans »).
pub(super) fn months(field: Option<&str>, description: &str) -> Option<u32> {
    let find = |text: &str| {
        MONTHS.captures(&fold(text)).and_then(|c| {
            let n = number_word(&c[2])?;
            let months = if c[3].starts_with('m') { n } else { n * 12 };
            (1..=72).contains(&months).then_some(months)
        })
    };
    field
        .and_then(find)
        .or_else(|| find(&description.chars().take(4000).collect::<String>()))
}

/// Full or part time, and weekly hours, from the hours field, the contract field and the text.
pub(super) fn working_time(texts: &[&str]) -> (Option<bool>, Option<f64>) {
    let mut full = None;
    let mut hours = None;
    for text in texts {
        let t = fold(text);
        if full.is_none() {
            if t.contains("temps non complet")
                || t.contains("temps partiel")
                || t.contains("part time")
                || t.contains("mi-temps")
                || t.contains("mi temps")
            {
                full = Some(false);
            } else if t.contains("temps complet")
                || t.contains("temps plein")
                || t.contains("full time")
            {
                full = Some(true);
            }
        }
        if hours.is_none() {
            hours = FRACTION
                .captures(&t)
                .and_then(|c| c[1].replace(',', ".").parse::<f64>().ok())
                .or_else(|| {
                    SHARE.captures(&t).and_then(|c| {
                        let share: f64 = c[1].parse().ok()?;
                        (t.contains("temps") && (40.0..100.0).contains(&share))
                            .then_some(35.0 * share / 100.0)
                    })
                })
                .or_else(|| {
                    HOURS.captures(&t).and_then(|c| {
                        let h: f64 = c[1].parse().ok()?;
                        let m: f64 = c.get(2).map_or(Some(0.0), |m| m.as_str().parse().ok())?;
                        let v = h + m / 60.0;
                        (5.0..=48.0).contains(&v).then_some(v)
                    })
                })
                .filter(|h| (1.0..=48.0).contains(h));
        }
    }
    if full.is_none() {
        full = hours.map(|h| h >= 35.0);
    }
    (full, hours.map(|h| (h * 100.0).round() / 100.0))
}

#[cfg(test)]
mod tests {
    use super::{contract, months, working_time};

    #[test]
    fn durations() {
        let rows = [
            (Some("CDD 12 mois"), "", Some(12)),
            (Some("CDD de 18 mois"), "", Some(18)),
            (Some("CDD d'un an renouvelable"), "", Some(12)),
            (Some("Contrat de projet (3 ans)"), "", Some(36)),
            (Some("Contrat de projet de 24 mois"), "", Some(24)),
            (Some("CDD 6 mois"), "", Some(6)),
            (Some("CDD – 8 mois (avril à novembre)"), "", Some(8)),
            (Some("CDI"), "", None),
            (None, "Poste en CDD de douze mois, renouvelable.", Some(12)),
            (None, "Contrat à durée déterminée de 2 ans.", Some(24)),
            (
                Some("CDD saisonnier"),
                "Mission de 6 mois d'avril à septembre.",
                Some(6),
            ),
            (Some("Titulaire"), "", None),
        ];
        for (field, desc, want) in rows {
            assert_eq!(months(field, desc), want, "{field:?} {desc}");
        }
    }

    #[test]
    fn working_times() {
        let rows: [(&str, Option<bool>, Option<f64>); 16] = [
            ("35 h hebdomadaires", Some(true), Some(35.0)),
            ("Temps complet", Some(true), None),
            ("Temps non complet 28/35e", Some(false), Some(28.0)),
            ("28/35ème", Some(false), Some(28.0)),
            ("temps partiel 80 %", Some(false), Some(28.0)),
            ("Temps de travail : 80%", Some(false), Some(28.0)),
            ("17h30 par semaine", Some(false), Some(17.5)),
            ("24 heures hebdomadaires", Some(false), Some(24.0)),
            ("Temps plein, 37 h 30", Some(true), Some(37.5)),
            ("mi-temps", Some(false), None),
            ("FULL_TIME", Some(true), None),
            ("PART_TIME", Some(false), None),
            ("39 h avec RTT", Some(true), Some(39.0)),
            ("temps non complet (17,5/35e)", Some(false), Some(17.5)),
            ("Rémunération selon grille", None, None),
            ("", None, None),
        ];
        for (text, full, hours) in rows {
            let text = text.replace('_', " ");
            assert_eq!(working_time(&[&text]), (full, hours), "{text}");
        }
    }

    #[test]
    fn contract_forms() {
        let rows = [
            (Some("CDI"), "", Some("CDI")),
            (Some("CDD 12 mois"), "", Some("CDD")),
            (
                Some("FULL_TIME"),
                "Poste en CDI à temps complet",
                Some("CDI"),
            ),
            (Some("TEMPORARY"), "", Some("CDD")),
            (None, "Contrat à durée déterminée de 18 mois", Some("CDD")),
            (
                None,
                "Poste ouvert aux titulaires et contractuels",
                Some("Titulaire"),
            ),
            (
                Some("Contrat de projet (3 ans)"),
                "",
                Some("Contrat de projet"),
            ),
            (None, "Rien de dit", None),
            // A CDI in prospect leaves the contract a CDD.
            (None, "CDD de 18 mois, évolutif en CDI.", Some("CDD")),
            (
                Some("FULL_TIME"),
                "Contrat : CDD de 12 mois avec possibilité de CDI à terme.",
                Some("CDD"),
            ),
            (
                None,
                "Contrat de projet de 3 ans pouvant déboucher sur une titularisation",
                Some("Contrat de projet"),
            ),
            (
                None,
                "Poste de vacataire, 10 heures par mois",
                Some("Vacation"),
            ),
            (
                None,
                "Recrutement par voie statutaire ou, à défaut, contractuelle",
                Some("Titulaire"),
            ),
            (None, "CDI, après une période d'essai", Some("CDI")),
            // Words that often come near a contract without making it a prospect.
            (
                None,
                "Poste à pourvoir dès que possible, en CDI",
                Some("CDI"),
            ),
            (None, "Télétravail possible, CDI 35 h", Some("CDI")),
            (
                None,
                "Poste pouvant être occupé par un titulaire ou un contractuel",
                Some("Titulaire"),
            ),
        ];
        for (field, desc, want) in rows {
            assert_eq!(contract(field, desc).0.as_deref(), want, "{field:?} {desc}");
        }
        assert_eq!(
            contract(Some("PART_TIME"), "").1.as_deref(),
            Some("Temps partiel")
        );
    }
}
