//! Contract type and working time from the source's field or, failing that, the description.

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
    ]
    .into_iter()
    .map(|(label, re)| (label, Regex::new(re).expect("valid contract pattern")))
    .collect()
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
        CONTRACTS
            .iter()
            .find(|(_, re)| re.is_match(text))
            .map(|(label, _)| (*label).to_owned())
    };
    let from_field = field_folded.as_deref().and_then(find);
    let contract = from_field.or_else(|| {
        let head: String = description.chars().take(4000).collect();
        find(&deunicode::deunicode(&head).to_lowercase())
    });
    (contract, hours)
}

#[cfg(test)]
mod tests {
    use super::contract;

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
