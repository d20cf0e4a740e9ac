//! Salaries from free text: minimum, maximum, period and currency. Grid references
//! (« selon grille », « statutaire ») give no figures; the text is kept as written.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::SalaryRange;

/// An amount: digits with spaces, dots or narrow spaces as thousands separators, a decimal
/// comma, and an optional « k ».
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{1,3}(?:[ .\u{a0}\u{202f}]\d{3})+|\d+)(?:,(\d{1,2}))?\s?(k)?\s?(?:€|eur|euros?)?",
    )
    .expect("valid pattern")
});

/// Period words: hour, day, year, month (in that group order).
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bheure\b|\bhoraire|/ ?h\b)|(\bpar jour\b|/ ?jour\b|\bjournalier)|(\bpar an\b|\bannuel|/ ?an\b|\d ?k\b)|(\bmois\b|\bmensuel)")
        .expect("valid pattern")
});

fn fold(text: &str) -> String {
    text.to_lowercase()
        .replace(['é', 'è'], "e")
        .replace("k€", "k €")
}

fn amounts(text: &str) -> Vec<f64> {
    AMOUNT
        .captures_iter(text)
        .filter_map(|c| {
            let whole: String = c[1].chars().filter(char::is_ascii_digit).collect();
            let mut v: f64 = whole.parse().ok()?;
            if let Some(cents) = c.get(2) {
                v += cents.as_str().parse::<f64>().ok()? / 100.0;
            }
            if c.get(3).is_some() {
                v *= 1000.0;
            }
            Some(v)
        })
        // Grid steps, hours and years are not salaries: keep plausible amounts only.
        .filter(|v| *v >= 8.0 && *v <= 200_000.0)
        .collect()
}

/// Reads a salary; `None` for grid references or text without figures.
pub(super) fn salary(text: &str) -> Option<SalaryRange> {
    let t = fold(text);
    let has_currency =
        t.contains('€') || t.contains("eur") || t.contains("brut") || t.contains("net");
    let found: Vec<f64> = amounts(&t)
        .into_iter()
        .filter(|v| has_currency || *v >= 1000.0)
        .collect();
    let (&first, rest) = found.split_first()?;
    let second = rest
        .first()
        .copied()
        .filter(|v| *v >= first && *v <= first * 3.0);
    let max = second.unwrap_or(first);
    let period = if let Some(c) = PERIOD.captures(&t) {
        if c.get(1).is_some() {
            "hour"
        } else if c.get(2).is_some() {
            "day"
        } else if c.get(3).is_some() {
            "year"
        } else {
            "month"
        }
    } else if first >= 12_000.0 {
        "year"
    } else if first >= 500.0 {
        "month"
    } else {
        "hour"
    };
    Some(SalaryRange {
        min: first,
        max,
        period: period.into(),
        currency: "EUR".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(min: f64, max: f64, period: &str) -> Option<SalaryRange> {
        Some(SalaryRange {
            min,
            max,
            period: period.into(),
            currency: "EUR".into(),
        })
    }

    #[test]
    fn forms() {
        let rows = [
            ("2 150 € bruts mensuels", s(2150.0, 2150.0, "month")),
            ("1900 – 2300 EUR par mois", s(1900.0, 2300.0, "month")),
            ("De 24 000 à 28 000 € par an", s(24000.0, 28000.0, "year")),
            ("24 000 - 28 000 € brut annuel", s(24000.0, 28000.0, "year")),
            ("28k€ - 32k€ / an", s(28000.0, 32000.0, "year")),
            ("30 k€ annuels", s(30000.0, 30000.0, "year")),
            (
                "2 050 à 2 250 € bruts par mois selon expérience",
                s(2050.0, 2250.0, "month"),
            ),
            ("1 850,50 € brut mensuel", s(1850.5, 1850.5, "month")),
            ("11,88 € brut de l'heure", s(11.88, 11.88, "hour")),
            ("Salaire : 1900.00 EUR", s(1900.0, 1900.0, "month")),
            (
                "Mensuel de 2100.00 Euros à 2400.00 Euros sur 12 mois",
                s(2100.0, 2400.0, "month"),
            ),
            (
                "Annuel de 26000.00 Euros à 30000.00 Euros",
                s(26000.0, 30000.0, "year"),
            ),
            (
                "2 200 € brut + tickets restaurant",
                s(2200.0, 2200.0, "month"),
            ),
            (
                "25 000 € brut annuel + 13e mois",
                s(25000.0, 25000.0, "year"),
            ),
            ("Rémunération statutaire + RIFSEEP", None),
            (
                "Selon grille de la CCN des organismes de tourisme (échelon 2.1)",
                None,
            ),
            ("Selon profil et expérience", None),
            (
                "Rémunération selon la grille indiciaire de la fonction publique territoriale",
                None,
            ),
            ("", None),
            ("Catégorie B, 35 h", None),
        ];
        for (text, want) in rows {
            assert_eq!(salary(text), want, "{text}");
        }
    }
}
