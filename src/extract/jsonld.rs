//! schema.org `JobPosting` in JSON-LD: as an object, in an array, or inside `@graph`.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::model::{RawLocation, RawPosting};

/// Every JobPosting of every JSON-LD block on the page, in order. A malformed block is skipped
/// and the others are still read.
pub(super) fn job_postings(html: &Html) -> Vec<RawPosting> {
    let sel = Selector::parse(r#"script[type="application/ld+json"]"#).expect("valid selector");
    html.select(&sel)
        .filter_map(|script| parse_lenient(&script.text().collect::<String>()))
        .flat_map(|value| from_value(&value))
        .collect()
}

/// Every JobPosting inside one JSON-LD value.
pub(super) fn from_value(value: &Value) -> Vec<RawPosting> {
    let mut found = Vec::new();
    collect(value, &mut found);
    found.iter().map(|v| to_raw(v)).collect()
}

/// Parses a JSON-LD block, tolerating the HTML comment or CDATA wrappers some sites add.
pub(crate) fn parse_lenient(text: &str) -> Option<Value> {
    let mut t = text.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("<![CDATA[", "]]>"),
        ("//<![CDATA[", "//]]>"),
    ] {
        if let Some(inner) = t.strip_prefix(open) {
            t = inner.trim().strip_suffix(close).unwrap_or(inner).trim();
        }
    }
    serde_json::from_str(t).ok().or_else(|| {
        // Raw newlines inside strings are a common fault: JSON forbids them, spaces are safe.
        serde_json::from_str(&t.replace(['\n', '\r'], " ")).ok()
    })
}

fn collect<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => {
            if is_job_posting(value) {
                out.push(value);
            } else if let Some(graph) = map.get("@graph") {
                collect(graph, out);
            }
        }
        _ => {}
    }
}

fn is_job_posting(value: &Value) -> bool {
    match value.get("@type") {
        Some(Value::String(t)) => t == "JobPosting" || t.ends_with("/JobPosting"),
        Some(Value::Array(ts)) => ts.iter().any(|t| {
            t.as_str()
                .is_some_and(|t| t == "JobPosting" || t.ends_with("/JobPosting"))
        }),
        _ => false,
    }
}

fn to_raw(v: &Value) -> RawPosting {
    RawPosting {
        source_ref: text(v.get("identifier")),
        url: text(v.get("url")),
        title: text(v.get("title")),
        description: all_text(v.get("description")),
        employer: text(v.get("hiringOrganization")),
        location: location(v.get("jobLocation")),
        contract: list_text(v.get("employmentType")),
        hours: text(v.get("workHours")),
        salary: v.get("baseSalary").and_then(salary),
        published: text(v.get("datePosted")),
        valid_through: text(v.get("validThrough")),
        fetched_at: None,
    }
}

/// A string, or the `name` / `value` of an object, or the first of a list.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => text(map.get("@value"))
            .or_else(|| text(map.get("name")))
            .or_else(|| text(map.get("value"))),
        Value::Array(items) => items.iter().find_map(|i| text(Some(i))),
        _ => None,
    }
}

/// As `text`, but every part of a list, one paragraph each (a description given in parts).
fn all_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|i| text(Some(i))).collect();
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        }
        other => text(Some(other)),
    }
}

fn list_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|i| text(Some(i))).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        other => text(Some(other)),
    }
}

fn location(v: Option<&Value>) -> RawLocation {
    let Some(v) = v else {
        return RawLocation::default();
    };
    if let Value::Array(items) = v {
        return items
            .first()
            .map_or_else(RawLocation::default, |i| location(Some(i)));
    }
    if let Value::String(s) = v {
        return RawLocation {
            text: Some(s.clone()),
            ..RawLocation::default()
        };
    }
    match v.get("address") {
        Some(Value::String(s)) => RawLocation {
            text: Some(s.clone()),
            ..RawLocation::default()
        },
        Some(addr) => RawLocation {
            text: text(v.get("name")),
            city: text(addr.get("addressLocality")),
            postcode: text(addr.get("postalCode")),
            department: None,
            region: text(addr.get("addressRegion")),
        },
        None => RawLocation {
            text: text(v.get("name")),
            ..RawLocation::default()
        },
    }
}

/// `baseSalary` in its shapes: a number, a string, or a MonetaryAmount whose `value` is a
/// number or a QuantitativeValue with `value` or `minValue`/`maxValue` and `unitText`.
fn salary(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => {
            let currency = map.get("currency").and_then(Value::as_str).unwrap_or("EUR");
            let inner = map.get("value")?;
            let (amount, unit) = match inner {
                Value::Object(q) => {
                    let unit = q.get("unitText").and_then(Value::as_str);
                    let amount = match (
                        num(q.get("minValue")),
                        num(q.get("maxValue")),
                        num(q.get("value")),
                    ) {
                        (Some(lo), Some(hi), _) => format!("{lo} – {hi}"),
                        (_, _, Some(x)) | (Some(x), None, None) | (None, Some(x), None) => x,
                        _ => return None,
                    };
                    (amount, unit)
                }
                other => (
                    num(Some(other))?,
                    map.get("unitText").and_then(Value::as_str),
                ),
            };
            let unit = match unit.map(str::to_ascii_uppercase).as_deref() {
                Some("HOUR") => " par heure",
                Some("DAY") => " par jour",
                Some("WEEK") => " par semaine",
                Some("MONTH") => " par mois",
                Some("YEAR") => " par an",
                _ => "",
            };
            Some(format!("{amount} {currency}{unit}"))
        }
        _ => None,
    }
}

fn num(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> Html {
        Html::parse_document(&format!(
            r#"<html><head><script type="application/ld+json">{{"broken": </script>
            <script type="application/ld+json">{json}</script></head><body></body></html>"#
        ))
    }

    #[test]
    fn finds_postings_in_object_array_and_graph_despite_a_broken_block() {
        let object = r#"{"@type":"JobPosting","title":"A","hiringOrganization":"OT A"}"#;
        let array = r#"[{"@type":"Organization","name":"x"},{"@type":["JobPosting"],"title":"B"}]"#;
        let graph = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"JobPosting","title":"C","hiringOrganization":{"@type":"Organization","name":"OT C"}}]}"#;
        let titles: Vec<_> = [object, array, graph]
            .iter()
            .flat_map(|j| job_postings(&page(j)))
            .map(|p| (p.title.unwrap(), p.employer))
            .collect();
        assert_eq!(
            titles,
            vec![
                ("A".into(), Some("OT A".into())),
                ("B".into(), None),
                ("C".into(), Some("OT C".into()))
            ]
        );
    }

    #[test]
    fn language_tagged_values_and_descriptions_in_parts() {
        let v: Value = serde_json::from_str(
            r#"{"@type":"JobPosting","title":{"@value":"Animatrice numérique","@language":"fr"},
                "description":["<p>Ateliers pour les hébergeurs.</p>",{"@value":"Rendez-vous individuels."}]}"#,
        )
        .unwrap();
        let p = &from_value(&v)[0];
        assert_eq!(p.title.as_deref(), Some("Animatrice numérique"));
        assert_eq!(
            p.description.as_deref(),
            Some("<p>Ateliers pour les hébergeurs.</p>\n\nRendez-vous individuels.")
        );
    }

    #[test]
    fn salary_shapes() {
        let v: Value = serde_json::from_str(
            r#"{"@type":"MonetaryAmount","currency":"EUR","value":{"@type":"QuantitativeValue","minValue":1900,"maxValue":2300,"unitText":"MONTH"}}"#,
        )
        .unwrap();
        assert_eq!(salary(&v).as_deref(), Some("1900 – 2300 EUR par mois"));
        assert_eq!(salary(&Value::from(2100)).as_deref(), Some("2100"));
    }

    #[test]
    fn lenient_about_comments_and_raw_newlines() {
        assert!(parse_lenient("<!-- {\"@type\":\"JobPosting\"} -->").is_some());
        assert!(parse_lenient("{\"title\":\"a\nb\"}").is_some());
    }
}
