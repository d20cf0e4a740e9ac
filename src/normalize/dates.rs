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
    let t = text.trim();
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
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S") {
        return Some(d.and_utc());
    }
    parse_date(t).map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

/// Parses a date from any of the supported forms, ignoring a leading « publiée le ».
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Some(prefix) = t.get(..10)
        && let Ok(d) = NaiveDate::parse_from_str(prefix, "%Y-%m-%d")
    {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.date_naive());
    }
    if t.contains(',')
        && t.len() > 16
        && let Some(d) = parse_datetime(t)
    {
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
            ("31/02/2026", None),
        ];
        for (text, want) in rows {
            assert_eq!(parse_date(text), want, "{text}");
        }
    }

    #[test]
    fn french_rfc2822_timestamp() {
        let t = parse_datetime("lun., 03 mars 2025 10:00:00 +0100").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-03T09:00:00+00:00");
    }
}
