//! The kind of employer, inferred from its name and, failing that, the ad's first lines.

/// Employer types, most specific first: (code, folded patterns).
const TYPES: &[(&str, &[&str])] = &[
    (
        "cdt_adt",
        &[
            "comite departemental du tourisme",
            "agence departementale du tourisme",
            "agence d attractivite",
            "agence de developpement touristique",
            " adt ",
            " cdt ",
        ],
    ),
    ("crt", &["comite regional du tourisme", " crt "]),
    ("cci", &["chambre de commerce", " cci "]),
    ("parc_naturel", &["parc naturel", "parc national"]),
    ("petr", &["petr", "pole d equilibre territorial"]),
    ("pays", &["pays touristique", "syndicat mixte du pays"]),
    ("spl", &[" spl ", "societe publique locale"]),
    ("epic", &["epic", "etablissement public industriel"]),
    (
        "office_de_tourisme",
        &[
            "office de tourisme",
            "office du tourisme",
            "office intercommunal de tourisme",
            " oti ",
            " ot ",
        ],
    ),
    (
        "communaute_d_agglomeration",
        &["communaute d agglomeration", "agglomeration"],
    ),
    (
        "communaute_de_communes",
        &["communaute de communes", " cc "],
    ),
    ("syndicat_mixte", &["syndicat mixte"]),
    (
        "departement",
        &["conseil departemental", "departement de", "departement du"],
    ),
    ("region", &["conseil regional", "region "]),
    (
        "commune",
        &["mairie", "ville de", "ville d ", "commune de", "commune d "],
    ),
    ("association", &["association", "loi 1901"]),
];

/// French labels of the codes, for pages.
pub fn label(code: &str) -> &'static str {
    match code {
        "cdt_adt" => "Agence ou comité départemental du tourisme",
        "crt" => "Comité régional du tourisme",
        "cci" => "Chambre de commerce et d'industrie",
        "parc_naturel" => "Parc naturel",
        "petr" => "PETR",
        "pays" => "Pays touristique",
        "spl" => "Société publique locale",
        "epic" => "EPIC",
        "office_de_tourisme" => "Office de tourisme",
        "communaute_d_agglomeration" => "Communauté d'agglomération",
        "communaute_de_communes" => "Communauté de communes",
        "syndicat_mixte" => "Syndicat mixte",
        "departement" => "Département",
        "region" => "Région",
        "commune" => "Commune",
        "association" => "Association",
        _ => "Autre",
    }
}

fn fold(text: &str) -> String {
    let words: Vec<String> = deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    format!(" {} ", words.join(" "))
}

fn find(text: &str) -> Option<&'static str> {
    let t = fold(text);
    TYPES
        .iter()
        .find(|(_, pats)| pats.iter().any(|p| t.contains(p)))
        .map(|(code, _)| *code)
}

/// The employer type code, from the employer's name, else the first 400 characters of the ad.
pub(super) fn employer_type(employer: Option<&str>, description: &str) -> Option<String> {
    employer
        .and_then(find)
        .or_else(|| find(&description.chars().take(400).collect::<String>()))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        let rows = [
            ("Office de Tourisme Cœur de Béarn", "office_de_tourisme"),
            ("OFFICE DE TOURISME PAYS DE RETZ", "office_de_tourisme"),
            ("OT du Val de Saire", "office_de_tourisme"),
            ("Office de Tourisme intercommunal (EPIC) des Monts", "epic"),
            ("EPIC Office de Tourisme de Chamonix", "epic"),
            ("SPL Destination Sud Ardèche", "spl"),
            ("Société Publique Locale Tourisme Vosges", "spl"),
            (
                "Association Office de Tourisme (loi 1901)",
                "office_de_tourisme",
            ),
            ("Association des gîtes de la vallée", "association"),
            (
                "Communauté de communes Des Causses à l'Aubrac",
                "communaute_de_communes",
            ),
            (
                "Communauté d'agglomération du Grand Dax",
                "communaute_d_agglomeration",
            ),
            ("PETR du Pays de la Déodatie", "petr"),
            ("Pôle d'équilibre territorial et rural Sud Lozère", "petr"),
            ("Agence d'attractivité de la Manche", "cdt_adt"),
            ("ADT des Landes", "cdt_adt"),
            ("Comité Régional du Tourisme Bretagne", "crt"),
            ("CCI Hautes-Pyrénées", "cci"),
            ("Chambre de Commerce et d'Industrie de la Drôme", "cci"),
            ("Parc naturel régional du Vercors", "parc_naturel"),
            ("Mairie de Lacanau", "commune"),
            ("Ville de Cambrai", "commune"),
            ("Conseil départemental de l'Aveyron", "departement"),
            ("Syndicat mixte du Pays Basque", "pays"),
        ];
        for (employer, want) in rows {
            assert_eq!(
                employer_type(Some(employer), "").as_deref(),
                Some(want),
                "{employer}"
            );
        }
        assert_eq!(
            employer_type(None, "L'office de tourisme du Lac recrute…").as_deref(),
            Some("office_de_tourisme")
        );
        assert_eq!(
            employer_type(Some("Les Jardins du Lac"), "Restaurant au bord du lac."),
            None
        );
        assert_eq!(label("petr"), "PETR");
    }
}
