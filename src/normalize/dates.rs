//! Dates as job boards write them: RFC 3339, RFC 2822 (English or French names), ISO dates,
//! dd/mm/yyyy and « 3 mars 2026 ».

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;

const MONTHS_FR: [(&str, u32); 14] = [
    ("janvier", 1),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("decembre", 12),
    ("fev", 2),
    ("dec", 12),
];
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses a timestamp; dates without a time are taken at midnight UTC.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    timestamp(text.trim()).or_else(|| {
        date_only(text.trim()).map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
    })
}

/// The timestamp forms only (RFC 3339, RFC 2822 in English or French, ISO without zone).
fn timestamp(t: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Some(english) = french_rfc2822(t)
        && let Ok(d) = DateTime::parse_from_rfc2822(&english)
    {
        return Some(d.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|d| d.and_utc())
}

/// Parses a date from any of the supported forms, ignoring a leading « publiée le ».
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.contains(',')
        && t.len() > 16
        && let Some(d) = timestamp(t)
    {
        return Some(d.date_naive());
    }
    date_only(t)
}

/// The date forms (ISO, dd/mm/yyyy, « 3 mars 2026 »), never calling back into timestamps.
fn date_only(t: &str) -> Option<NaiveDate> {
    if let Some(prefix) = t.get(..10)
        && let Ok(d) = NaiveDate::parse_from_str(prefix, "%Y-%m-%d")
    {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.date_naive());
    }
    let folded = deunicode::deunicode(t).to_lowercase();
    numeric_date(&folded).or_else(|| french_date(&folded))
}

/// dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy anywhere in the text.
fn numeric_date(t: &str) -> Option<NaiveDate> {
    let c = NUMERIC_DATE.captures(t)?;
    NaiveDate::from_ymd_opt(c[3].parse().ok()?, c[2].parse().ok()?, c[1].parse().ok()?)
}

/// « 3 mars 2026 », « 1er avril 2026 » anywhere in the (folded) text.
fn french_date(t: &str) -> Option<NaiveDate> {
    FRENCH_DATE.captures_iter(t).find_map(|c| {
        let month = MONTHS_FR.iter().find(|(name, _)| *name == &c[2])?.1;
        NaiveDate::from_ymd_opt(c[3].parse().ok()?, month, c[1].parse().ok()?)
    })
}

/// « lun., 03 mars 2025 10:00:00 +0100 » → « 03 Mar 2025 10:00:00 +0100 ».
fn french_rfc2822(t: &str) -> Option<String> {
    let rest = t.split_once(',').map_or(t, |(_, r)| r).trim();
    let mut parts = rest.split_whitespace();
    let day = parts.next()?;
    let month_fr = deunicode::deunicode(parts.next()?).to_lowercase();
    let month_fr = month_fr.trim_end_matches('.');
    let month = MONTHS_FR
        .iter()
        .find(|(name, _)| *name == month_fr || (month_fr.len() >= 3 && name.starts_with(month_fr)))?
        .1;
    let tail: Vec<&str> = parts.collect();
    Some(format!(
        "{day} {} {}",
        EN_MONTHS[month as usize - 1],
        tail.join(" ")
    ))
}

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bil y a (\d{1,3}|un|une) (heure|jour|semaine|mois)s?\b").expect("valid pattern")
});
static DEADLINE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(date limite( de (candidature|depot|reception)s?)?|candidatures? (a adresser |a envoyer )?(avant|jusqu ?au)|a pourvoir avant|avant le|jusqu ?au|cloture des candidatures)",
    )
    .expect("valid pattern")
});

/// A date, relative ones (« aujourd'hui », « hier », « il y a 2 jours ») counted back from
/// `fetched`.
pub fn parse_date_at(text: &str, fetched: Option<DateTime<Utc>>) -> Option<NaiveDate> {
    if let Some(d) = parse_date(text) {
        return Some(d);
    }
    let day = fetched?.date_naive();
    let t = deunicode::deunicode(text).to_lowercase().replace('\'', " ");
    if t.contains("aujourd hui") {
        return Some(day);
    }
    if t.contains("avant hier") {
        return day.checked_sub_days(chrono::Days::new(2));
    }
    if t.contains("hier") {
        return day.pred_opt();
    }
    let c = RELATIVE.captures(&t)?;
    let n: u64 = match &c[1] {
        "un" | "une" => 1,
        n => n.parse().ok()?,
    };
    match &c[2] {
        "heure" => Some(day),
        "jour" => day.checked_sub_days(chrono::Days::new(n)),
        "semaine" => day.checked_sub_days(chrono::Days::new(7 * n)),
        _ => day.checked_sub_months(chrono::Months::new(u32::try_from(n).ok()?)),
    }
}

/// The application deadline stated in an ad's text (« date limite de candidature : 15/01/2027 »,
/// « candidatures avant le 1er décembre 2026 »).
pub fn deadline_in(text: &str) -> Option<NaiveDate> {
    let t = deunicode::deunicode(text).to_lowercase().replace('\'', " ");
    DEADLINE_CUE.find_iter(&t).find_map(|m| {
        let window: String = t[m.end()..].chars().take(40).collect();
        parse_date(
            window
                .trim_start_matches([' ', ':', '-'])
                .trim_start_matches("le "),
        )
    })
}

static NUMERIC_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})").expect("valid pattern"));
static FRENCH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})").expect("valid pattern")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let rows = [
            ("2026-03-03", d(2026, 3, 3)),
            ("2026-03-03T10:00:00+01:00", d(2026, 3, 3)),
            ("Tue, 03 Mar 2026 10:00:00 +0100", d(2026, 3, 3)),
            ("mar., 03 mars 2026 10:00:00 +0100", d(2026, 3, 3)),
            ("03/03/2026", d(2026, 3, 3)),
            ("Publiée le 30/09/2025", d(2025, 9, 30)),
            ("publiée le 3 mars 2026", d(2026, 3, 3)),
            ("1er août 2026", d(2026, 8, 1)),
            ("17 Décembre 2026", d(2026, 12, 17)),
            ("bientôt", None),
            // Regression: a long text with a comma and no date once recursed without end.
            ("lundi, quelque chose de long sans aucune date dedans", None),
            ("31/02/2026", None),
        ];
        for (text, want) in rows {
            assert_eq!(parse_date(text), want, "{text}");
        }
    }

    #[test]
    fn relative_dates_and_deadlines() {
        let fetched = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let rows = [
            ("Publiée aujourd'hui", d(2026, 11, 28)),
            ("publiée hier", d(2026, 11, 27)),
            ("Il y a 2 jours", d(2026, 11, 26)),
            ("il y a une semaine", d(2026, 11, 21)),
            ("il y a 3 heures", d(2026, 11, 28)),
            ("Il y a 1 mois", d(2026, 10, 28)),
            ("Publiée le 3 mars 2025", d(2025, 3, 3)),
            ("récemment", None),
        ];
        for (text, want) in rows {
            assert_eq!(parse_date_at(text, Some(fetched)), want, "{text}");
        }
        assert_eq!(parse_date_at("il y a 2 jours", None), None);
        let deadlines = [
            ("Date limite de candidature : 15/01/2027.", d(2027, 1, 15)),
            (
                "Candidatures avant le 1er décembre 2026 à l'adresse…",
                d(2026, 12, 1),
            ),
            (
                "Merci d'envoyer votre candidature jusqu'au 7 mars 2025.",
                d(2025, 3, 7),
            ),
            (
                "Date limite : 7 mars 2025. Candidature à Monsieur le Président.",
                d(2025, 3, 7),
            ),
            ("Poste à pourvoir le 1er février 2027.", None),
            ("Clôture des candidatures le 20/12/2026", d(2026, 12, 20)),
        ];
        for (text, want) in deadlines {
            assert_eq!(deadline_in(text), want, "{text}");
        }
    }

    #[test]
    fn french_rfc2822_timestamp() {
        let t = parse_datetime("lun., 03 mars 2025 10:00:00 +0100").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-03T09:00:00+00:00");
    }
}
