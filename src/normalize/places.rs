//! Places: départements and régions (table in `departements.csv`, INSEE COG 2024) and the
//! reading of a location from postcodes, names and free text.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Location, RawLocation};

/// One département of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departement {
    /// INSEE code: « 33 », « 2A », « 974 ».
    pub code: &'static str,
    /// Name: « Gironde ».
    pub name: &'static str,
    /// Région name, post-2016.
    pub region: &'static str,
}

struct Table {
    all: Vec<Departement>,
    by_code: HashMap<&'static str, usize>,
    by_name: HashMap<String, usize>,
    regions: HashMap<String, &'static str>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut all = Vec::new();
    for line in include_str!("departements.csv").lines().skip(1) {
        let cols: Vec<&'static str> = line.split(',').collect();
        if let [code, name, _region_code, region] = cols[..] {
            all.push(Departement { code, name, region });
        }
    }
    let by_code = all.iter().enumerate().map(|(i, d)| (d.code, i)).collect();
    let by_name = all
        .iter()
        .enumerate()
        .map(|(i, d)| (fold(d.name), i))
        .collect();
    let mut regions: HashMap<String, &'static str> =
        all.iter().map(|d| (fold(d.region), d.region)).collect();
    // Names of the régions merged in 2016, still seen in ads and older boards.
    for (old, new) in [
        ("aquitaine", "Nouvelle-Aquitaine"),
        ("limousin", "Nouvelle-Aquitaine"),
        ("poitou charentes", "Nouvelle-Aquitaine"),
        ("midi pyrenees", "Occitanie"),
        ("languedoc roussillon", "Occitanie"),
        ("rhone alpes", "Auvergne-Rhône-Alpes"),
        ("auvergne", "Auvergne-Rhône-Alpes"),
        ("alsace", "Grand Est"),
        ("lorraine", "Grand Est"),
        ("champagne ardenne", "Grand Est"),
        ("bourgogne", "Bourgogne-Franche-Comté"),
        ("franche comte", "Bourgogne-Franche-Comté"),
        ("basse normandie", "Normandie"),
        ("haute normandie", "Normandie"),
        ("nord pas de calais", "Hauts-de-France"),
        ("picardie", "Hauts-de-France"),
        ("centre", "Centre-Val de Loire"),
        ("paca", "Provence-Alpes-Côte d'Azur"),
        ("reunion", "La Réunion"),
    ] {
        regions.entry(old.to_owned()).or_insert(new);
    }
    Table {
        all,
        by_code,
        by_name,
        regions,
    }
});

static POSTCODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d{5})\b").expect("valid"));
/// Belgian places: provinces, regions and the usual words of Walloon job ads.
const BELGIAN: &[&str] = &[
    "belgique",
    "wallonie",
    "bruxelles",
    "brabant wallon",
    "hainaut",
    "province de liege",
    "province de namur",
    "province de luxembourg",
    "namur",
    "liege",
    "mons",
    "charleroi",
    "arlon",
    "bastogne",
    "dinant",
    "spa",
    "forem",
    "maison du tourisme",
    "federation touristique",
];
static CODE_IN_PARENS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\((\d{2,3}|2[AaBb])\)").expect("valid"));
static LEADING_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{2,3}|2[AaBb])\s*[-–—:]\s*(.+)$").expect("valid"));

/// Lower case, accents removed, punctuation as single spaces: « Côtes-d'Armor » → « cotes d armor ».
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every département, in code order.
pub fn departements() -> &'static [Departement] {
    &TABLE.all
}

/// A département by code (« 33 », « 2a », « 1 ») or name (« gironde », « Côtes d'Armor »).
pub fn departement(query: &str) -> Option<&'static Departement> {
    let q = query.trim();
    let code = if q.len() == 1 && q.chars().all(|c| c.is_ascii_digit()) {
        format!("0{q}")
    } else {
        q.to_ascii_uppercase()
    };
    let t = &*TABLE;
    t.by_code
        .get(code.as_str())
        .or_else(|| t.by_name.get(&fold(q)))
        .map(|&i| &t.all[i])
}

/// The canonical name of a région given by today's or a pre-2016 name, any case or accents.
pub fn region(query: &str) -> Option<&'static str> {
    TABLE.regions.get(&fold(query)).copied()
}

/// A région and a département as typed in a search form: blank means no filter; a known
/// one comes back canonical (région name, département code); an unknown one is an error in
/// French, for the page.
pub fn form_filters(
    region: Option<&str>,
    department: Option<&str>,
) -> Result<(Option<&'static str>, Option<&'static str>), String> {
    let region = match region.map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => Some(self::region(r).ok_or_else(|| format!("Région inconnue : « {r} »."))?),
        None => None,
    };
    let department = match department.map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Some(
            departement(d)
                .ok_or_else(|| format!("Département inconnu : « {d} »."))?
                .code,
        ),
        None => None,
    };
    Ok((region, department))
}

/// The département of a French postcode (Corsica split at 20200, overseas on three digits).
pub fn departement_of_postcode(postcode: &str) -> Option<&'static Departement> {
    let pc = postcode.trim();
    if pc.len() != 5 || !pc.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let code = match &pc[..2] {
        "97" | "98" => pc[..3].to_owned(),
        "20" => if pc < "20200" { "2A" } else { "2B" }.to_owned(),
        two => two.to_owned(),
    };
    departement(&code)
}

/// A Belgian location: a Belgian place name, or a 4-digit postcode with a Belgian word.
fn belgian(raw: &RawLocation) -> Option<Location> {
    let all = [
        &raw.text,
        &raw.city,
        &raw.region,
        &raw.department,
        &raw.postcode,
    ]
    .iter()
    .filter_map(|v| v.as_deref())
    .collect::<Vec<_>>()
    .join(" ");
    let folded = format!(" {} ", fold(&all));
    let named = BELGIAN.iter().any(|b| folded.contains(&format!(" {b} ")));
    if !named || POSTCODE.is_match(&all) {
        return None;
    }
    let region = if folded.contains(" bruxelles ") {
        "Bruxelles-Capitale"
    } else {
        "Wallonie"
    };
    let city = raw.city.clone().or_else(|| {
        let head = raw.text.as_deref()?.split(['(', ',']).next()?.trim();
        let head = head.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
        (!head.is_empty()).then(|| head.to_owned())
    });
    let postcode = raw.postcode.clone().or_else(|| {
        let re = Regex::new(r"\b(\d{4})\b").expect("valid");
        re.captures(&all).map(|c| c[1].to_owned())
    });
    Some(Location {
        city,
        postcode,
        department: None,
        department_code: None,
        region: Some(region.into()),
        country: Some("BE".into()),
    })
}

/// Reads a location from its parts and free text.
pub fn locate(raw: &RawLocation) -> Location {
    if let Some(be) = belgian(raw) {
        return be;
    }
    let mut city = raw
        .city
        .clone()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let mut postcode = raw.postcode.clone().map(|p| p.trim().to_owned());
    let text = raw.text.as_deref().unwrap_or("");
    if postcode.is_none() {
        postcode = POSTCODE.captures(text).map(|c| c[1].to_owned());
    }
    let mut dept = postcode.as_deref().and_then(departement_of_postcode);
    if dept.is_none() {
        dept = raw.department.as_deref().and_then(departement);
    }
    if let Some(c) = LEADING_CODE.captures(text) {
        // « 33 - Bordeaux » (France Travail style), « 22 – Le Mené – Côtes d'Armor »
        dept = dept.or_else(|| departement(&c[1]));
        let rest = c[2].split(['–', '—']).next().unwrap_or("").trim();
        let rest = rest.rsplit_once(" - ").map_or(rest, |(head, tail)| {
            if departement(tail).is_some() {
                head
            } else {
                rest
            }
        });
        city = city.or_else(|| Some(rest.trim().to_owned()).filter(|c| !c.is_empty()));
    }
    if dept.is_none() {
        // « Orthez (64) »
        dept = CODE_IN_PARENS
            .captures(text)
            .and_then(|c| departement(&c[1]));
    }
    if dept.is_none() {
        dept = name_in_text(text);
    }
    if city.is_none() && !text.is_empty() {
        // « Floirac (Gironde) » or « Floirac, Gironde »: the commune comes first.
        let head = text.split(['(', ',']).next().unwrap_or("").trim();
        let head = POSTCODE.replace(head, "").trim().to_owned();
        if !head.is_empty() && departement(&head).is_none() && region(&head).is_none() {
            city = Some(head);
        }
    }
    let region = dept
        .map(|d| d.region)
        .or_else(|| raw.region.as_deref().and_then(region));
    Location {
        city,
        postcode: postcode.filter(|p| !p.is_empty()),
        department: dept.map(|d| d.name.to_owned()),
        department_code: dept.map(|d| d.code.to_owned()),
        region: region.map(str::to_owned),
        country: Some("FR".into()).filter(|_| dept.is_some() || region.is_some()),
    }
}

/// A commune written as French ads write it before its postcode: capitalised words, joined by
/// hyphens, spaces or the small words of place names (« Fougères (35300) », « Saint-Pierre-
/// sur-Dives (14170) », « Bagnoles de l'Orne (61140) »).
static TOWN_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\p{Lu}[\p{L}'’]*(?:[- ](?:\p{Lu}[\p{L}'’]*|sur|sous|en|et|le|la|les|de|du|des|d'\p{Lu}[\p{L}'’]*|l'\p{Lu}[\p{L}'’]*|aux?)){0,5})\s*\((\d{5})\)",
    )
    .expect("valid")
});

/// Words that open an employer's name, not a commune's (« Mairie de Fougères »).
const NOT_TOWN: &[&str] = &[
    "Mairie",
    "Ville",
    "Commune",
    "Office",
    "Communauté",
    "Agglomération",
    "Syndicat",
    "Département",
    "Région",
    "Pays",
    "Parc",
    "Maison",
    "Agence",
    "Comité",
];

/// The commune named just before `postcode` in `text`, if it is written « Commune (postcode) ».
fn town_before(text: &str, postcode: &str) -> Option<String> {
    let caps = TOWN_POSTCODE
        .captures_iter(text)
        .find(|c| &c[2] == postcode)?;
    let mut town = caps[1].trim();
    if NOT_TOWN.iter().any(|w| town.split(' ').next() == Some(*w)) {
        // « Office de Tourisme de Vannes » → « Vannes »: what follows the employer's last
        // « de » or « du ».
        town = [" de ", " du "]
            .iter()
            .filter_map(|sep| town.rfind(sep).map(|i| i + sep.len()))
            .max()
            .map(|i| &town[i..])?;
    }
    // Paris is a commune and a département of one name.
    Some(town.to_owned())
        .filter(|t| t == "Paris" || (departement(t).is_none() && region(t).is_none()))
}

/// The place of an ad that gives none in its fields, from a postcode in its first lines
/// (« Guerlédan (22530) – Côtes-d'Armor »): the postcode's département and région, and the
/// commune when it is written just before the postcode in parentheses.
pub fn from_opening(description: &str) -> Option<Location> {
    let head: String = description.chars().take(300).collect();
    let postcode = POSTCODE.captures(&head)?[1].to_owned();
    let dept = departement_of_postcode(&postcode)?;
    Some(Location {
        city: town_before(&head, &postcode),
        postcode: Some(postcode),
        department: Some(dept.name.to_owned()),
        department_code: Some(dept.code.to_owned()),
        region: Some(dept.region.to_owned()),
        country: Some("FR".into()),
    })
}

/// The first département named in a text (« Floirac (Gironde) »).
fn name_in_text(text: &str) -> Option<&'static Departement> {
    let folded = format!(" {} ", fold(text));
    TABLE
        .all
        .iter()
        .filter(|d| folded.contains(&format!(" {} ", fold(d.name))))
        .max_by_key(|d| d.name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(text: &str) -> Location {
        locate(&RawLocation {
            text: Some(text.into()),
            ..RawLocation::default()
        })
    }

    #[test]
    fn table_is_complete() {
        assert_eq!(departements().len(), 101);
        assert_eq!(departement("2a").unwrap().name, "Corse-du-Sud");
        assert_eq!(departement("1").unwrap().name, "Ain");
        assert_eq!(departement("cotes d'armor").unwrap().code, "22");
        assert_eq!(region("aquitaine"), Some("Nouvelle-Aquitaine"));
    }

    #[test]
    fn free_text_forms() {
        let rows = [
            (
                "Floirac (Gironde)",
                Some("Floirac"),
                "33",
                "Nouvelle-Aquitaine",
            ),
            (
                "33 - Bordeaux",
                Some("Bordeaux"),
                "33",
                "Nouvelle-Aquitaine",
            ),
            ("Quimper, 29000", Some("Quimper"), "29", "Bretagne"),
            ("20200 Bastia", None, "2B", "Corse"),
            ("97400 Saint-Denis", None, "974", "La Réunion"),
            (
                "Annecy (Haute-Savoie)",
                Some("Annecy"),
                "74",
                "Auvergne-Rhône-Alpes",
            ),
        ];
        for (text, city, code, region) in rows {
            let l = loc(text);
            assert_eq!(l.department_code.as_deref(), Some(code), "{text}");
            assert_eq!(l.region.as_deref(), Some(region), "{text}");
            if city.is_some() {
                assert_eq!(l.city.as_deref(), city, "{text}");
            }
        }
    }

    /// (text, city, postcode, département code, région, country)
    type Row = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
    );

    #[test]
    fn many_real_looking_forms() {
        // (text, city, postcode, department code, région, country)
        let rows: [Row; 26] = [
            (
                "22 – Le Mené – Côtes d'Armor",
                Some("Le Mené"),
                None,
                Some("22"),
                Some("Bretagne"),
                "FR",
            ),
            (
                "29 - QUIMPER",
                Some("QUIMPER"),
                None,
                Some("29"),
                Some("Bretagne"),
                "FR",
            ),
            (
                "2A - Ajaccio",
                Some("Ajaccio"),
                None,
                Some("2A"),
                Some("Corse"),
                "FR",
            ),
            (
                "974 - Saint-Pierre",
                Some("Saint-Pierre"),
                None,
                Some("974"),
                Some("La Réunion"),
                "FR",
            ),
            (
                "971 - Pointe-à-Pitre",
                Some("Pointe-à-Pitre"),
                None,
                Some("971"),
                Some("Guadeloupe"),
                "FR",
            ),
            (
                "976 - Mamoudzou",
                Some("Mamoudzou"),
                None,
                Some("976"),
                Some("Mayotte"),
                "FR",
            ),
            (
                "Chamonix-Mont-Blanc, 74400",
                Some("Chamonix-Mont-Blanc"),
                Some("74400"),
                Some("74"),
                Some("Auvergne-Rhône-Alpes"),
                "FR",
            ),
            (
                "17 – La Rochelle",
                Some("La Rochelle"),
                None,
                Some("17"),
                Some("Nouvelle-Aquitaine"),
                "FR",
            ),
            (
                "Montignac-Lascaux (Dordogne)",
                Some("Montignac-Lascaux"),
                None,
                Some("24"),
                Some("Nouvelle-Aquitaine"),
                "FR",
            ),
            (
                "64300 Orthez",
                None,
                Some("64300"),
                Some("64"),
                Some("Nouvelle-Aquitaine"),
                "FR",
            ),
            (
                "Orthez (64)",
                Some("Orthez"),
                None,
                Some("64"),
                Some("Nouvelle-Aquitaine"),
                "FR",
            ),
            (
                "20090 Ajaccio",
                None,
                Some("20090"),
                Some("2A"),
                Some("Corse"),
                "FR",
            ),
            (
                "20600 Bastia",
                None,
                Some("20600"),
                Some("2B"),
                Some("Corse"),
                "FR",
            ),
            (
                "97200 Fort-de-France",
                None,
                Some("97200"),
                Some("972"),
                Some("Martinique"),
                "FR",
            ),
            (
                "97300 Cayenne",
                None,
                Some("97300"),
                Some("973"),
                Some("Guyane"),
                "FR",
            ),
            (
                "Saint-Malo (35)",
                Some("Saint-Malo"),
                None,
                Some("35"),
                Some("Bretagne"),
                "FR",
            ),
            (
                "Vallon-Pont-d'Arc, Ardèche",
                Some("Vallon-Pont-d'Arc"),
                None,
                Some("07"),
                Some("Auvergne-Rhône-Alpes"),
                "FR",
            ),
            (
                "Lessay (Manche)",
                Some("Lessay"),
                None,
                Some("50"),
                Some("Normandie"),
                "FR",
            ),
            (
                "Territoire de Belfort",
                None,
                None,
                Some("90"),
                Some("Bourgogne-Franche-Comté"),
                "FR",
            ),
            (
                "Seine-Saint-Denis",
                None,
                None,
                Some("93"),
                Some("Île-de-France"),
                "FR",
            ),
            (
                "Fougères (Ille-et-Vilaine)",
                Some("Fougères"),
                None,
                Some("35"),
                Some("Bretagne"),
                "FR",
            ),
            (
                "Le Croisic, Loire-Atlantique",
                Some("Le Croisic"),
                None,
                Some("44"),
                Some("Pays de la Loire"),
                "FR",
            ),
            (
                "5000 Namur (Belgique)",
                Some("Namur"),
                Some("5000"),
                None,
                Some("Wallonie"),
                "BE",
            ),
            (
                "Maison du Tourisme du Pays de Herve, 4650 Herve",
                Some("Maison du Tourisme du Pays de Herve"),
                Some("4650"),
                None,
                Some("Wallonie"),
                "BE",
            ),
            (
                "Bruxelles",
                Some("Bruxelles"),
                None,
                None,
                Some("Bruxelles-Capitale"),
                "BE",
            ),
            (
                "Arlon, province de Luxembourg",
                Some("Arlon"),
                None,
                None,
                Some("Wallonie"),
                "BE",
            ),
        ];
        for (text, city, postcode, code, region, country) in rows {
            let l = loc(text);
            assert_eq!(l.department_code.as_deref(), code, "{text}: {l:?}");
            assert_eq!(l.region.as_deref(), region, "{text}: {l:?}");
            if code.is_some() || region.is_some() {
                assert_eq!(l.country.as_deref(), Some(country), "{text}: {l:?}");
            }
            if city.is_some() {
                assert_eq!(l.city.as_deref(), city, "{text}: {l:?}");
            }
            if postcode.is_some() {
                assert_eq!(l.postcode.as_deref(), postcode, "{text}: {l:?}");
            }
        }
        // Structured parts (JSON-LD, France Travail) and pre-2016 région names.
        let parts = RawLocation {
            city: Some("Gujan-Mestras".into()),
            postcode: Some("33470".into()),
            region: Some("Aquitaine".into()),
            ..RawLocation::default()
        };
        let l = locate(&parts);
        assert_eq!(
            (l.department_code.as_deref(), l.region.as_deref()),
            (Some("33"), Some("Nouvelle-Aquitaine"))
        );
        let opening = from_opening(
            "Office de Tourisme du Lac – Guerlédan (22530) – Côtes-d'Armor, Bretagne – CDI.",
        )
        .unwrap();
        assert_eq!(
            (opening.department_code.as_deref(), opening.city.as_deref()),
            (Some("22"), Some("Guerlédan"))
        );
        for (text, town) in [
            (
                "Poste basé à Fougères (35300), Ille-et-Vilaine.",
                Some("Fougères"),
            ),
            ("Mairie de Fougères (35300) recrute", Some("Fougères")),
            ("Office de Tourisme de Vannes (56000)", Some("Vannes")),
            ("Poste basé à Paris (75011)", Some("Paris")),
            (
                "Lieu : Saint-Pierre-sur-Dives (14170)",
                Some("Saint-Pierre-sur-Dives"),
            ),
            (
                "Bagnoles de l'Orne (61140) – CDD",
                Some("Bagnoles de l'Orne"),
            ),
            ("Le poste (35300) est basé en Bretagne", None),
            ("Ille-et-Vilaine (35300)", None),
        ] {
            assert_eq!(from_opening(text).unwrap().city.as_deref(), town, "{text}");
        }
        assert!(from_opening("Un poste sans code postal au début.").is_none());
        let old = RawLocation {
            region: Some("Midi-Pyrénées".into()),
            ..RawLocation::default()
        };
        assert_eq!(locate(&old).region.as_deref(), Some("Occitanie"));
    }
}
