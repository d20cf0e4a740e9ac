//! French typography for what people read: figures with narrow no-break spaces (« 2 100 »),
//! decimal commas, amounts (« 2 100 à 2 300 € bruts par mois »), no-break spaces where a line
//! must not break.

/// Narrow no-break space (thousands, before « ; : ! ? », inside « guillemets »).
pub const NNBSP: char = '\u{202f}';
/// No-break space (before €, between a figure and its unit).
pub const NBSP: char = '\u{a0}';

/// French spacing in a sentence built from parts: the plain space before « ; : ! ? » and « »
/// », and after « «, becomes a narrow no-break space, so that no sign wraps alone onto a line.
pub fn spaces(text: &str) -> String {
    static BEFORE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r" +([:;!?»])").expect("valid"));
    static AFTER: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"« +").expect("valid"));
    let text = BEFORE.replace_all(text, format!("{NNBSP}${{1}}").as_str());
    AFTER
        .replace_all(&text, format!("«{NNBSP}").as_str())
        .into_owned()
}

/// A moment as a person in France reads it, in Paris time: « lundi 1er décembre 2026, 8 h 05 ».
pub fn moment(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    const DAYS: [&str; 7] = [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ];
    let local = t.with_timezone(&chrono_tz::Europe::Paris);
    format!(
        "{} {},{NBSP}{}{NBSP}h{NBSP}{:02}",
        DAYS[local.weekday().num_days_from_monday() as usize],
        super::date_fr(local.date_naive()),
        local.hour(),
        local.minute()
    )
}

/// [`moment`] of a stored RFC 3339 time; the text itself if it is not one.
pub fn moment_of(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored)
        .map(|t| moment(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| stored.to_owned())
}

/// A number as French writes it: « 2 100 », « 11,65 », « 0,5 ».
pub fn number(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    let whole = rounded.trunc() as i64;
    let cents = ((rounded - whole as f64).abs() * 100.0).round() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(NNBSP);
        }
        grouped.push(c);
    }
    let sign = if whole < 0 { "-" } else { "" };
    match cents {
        0 => format!("{sign}{grouped}"),
        c if c % 10 == 0 => format!("{sign}{grouped},{}", c / 10),
        c => format!("{sign}{grouped},{c:02}"),
    }
}

impl super::SalaryRange {
    /// « 2 100 à 2 300 € bruts par mois »; `gross` when the ad says the amounts are gross.
    pub fn label_fr(&self, gross: bool) -> String {
        let unit = if self.currency == "EUR" {
            "€".to_owned()
        } else {
            self.currency.clone()
        };
        let amount = if (self.max - self.min).abs() < 0.005 {
            number(self.min)
        } else {
            format!("{} à {}", number(self.min), number(self.max))
        };
        let period = match self.period.as_str() {
            "hour" => "de l'heure",
            "day" => "par jour",
            "week" => "par semaine",
            "year" => "par an",
            _ => "par mois",
        };
        let gross = if gross {
            if (self.max - self.min).abs() < 0.005 {
                " brut"
            } else {
                " bruts"
            }
        } else {
            ""
        };
        format!("{amount}{NBSP}{unit}{gross} {period}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_in_paris_time() {
        let winter = chrono::DateTime::parse_from_rfc3339("2026-12-01T07:05:00Z").unwrap();
        assert_eq!(
            moment(winter.with_timezone(&chrono::Utc)),
            "mardi 1er décembre 2026,\u{a0}8\u{a0}h\u{a0}05"
        );
        assert_eq!(
            moment_of("2026-07-06T06:00:00.000Z"),
            "lundi 6 juillet 2026,\u{a0}8\u{a0}h\u{a0}00"
        );
        assert_eq!(moment_of("jamais"), "jamais");
    }

    #[test]
    fn signs_keep_to_their_word() {
        assert_eq!(
            spaces("mots trouvés : « Animatrice » ; région : Bretagne ? oui !"),
            "mots trouvés\u{202f}: «\u{202f}Animatrice\u{202f}»\u{202f}; région\u{202f}: Bretagne\u{202f}? oui\u{202f}!"
        );
        assert_eq!(
            spaces("https://a.example/x?y=1 et 10:30"),
            "https://a.example/x?y=1 et 10:30"
        );
    }

    #[test]
    fn figures_and_amounts() {
        assert_eq!(number(2100.0), "2\u{202f}100");
        assert_eq!(number(11.65), "11,65");
        assert_eq!(number(0.5), "0,5");
        assert_eq!(number(1_234_567.0), "1\u{202f}234\u{202f}567");
        let r = super::super::SalaryRange {
            min: 2100.0,
            max: 2300.0,
            period: "month".into(),
            currency: "EUR".into(),
        };
        assert_eq!(
            r.label_fr(true),
            "2\u{202f}100 à 2\u{202f}300\u{a0}€ bruts par mois"
        );
    }
}
