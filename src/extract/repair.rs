//! Feeds as the web writes them: the usual breakages of XML by content systems (a bare `&`,
//! HTML entities XML does not know, control characters) repaired in a feed's text before a
//! second parse, each repair named for the operator.

use std::borrow::Cow;

/// The five entities XML knows by name.
const XML_ENTITIES: [&str; 5] = ["amp", "lt", "gt", "quot", "apos"];

/// The text with its breakages repaired, and what was repaired; `None` if nothing was.
/// CDATA sections are left as they are: everything inside them is already literal text.
pub(super) fn repair(text: &str) -> Option<(String, Vec<&'static str>)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut done: Vec<&'static str> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (outside, cdata, after) = match rest.find("<![CDATA[") {
            Some(start) => {
                let end = rest[start..]
                    .find("]]>")
                    .map_or(rest.len(), |e| start + e + 3);
                (&rest[..start], &rest[start..end], &rest[end..])
            }
            None => (rest, "", ""),
        };
        out.push_str(&repair_markup(outside, &mut done));
        out.push_str(&without_controls(cdata, &mut done));
        rest = after;
    }
    (!done.is_empty()).then_some((out, done))
}

fn note(done: &mut Vec<&'static str>, what: &'static str) {
    if !done.contains(&what) {
        done.push(what);
    }
}

/// Control characters XML forbids (all below U+0020 but tab, line feed, carriage return).
fn without_controls<'a>(text: &'a str, done: &mut Vec<&'static str>) -> Cow<'a, str> {
    let bad = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    if !text.contains(bad) {
        return Cow::Borrowed(text);
    }
    note(done, "control characters dropped");
    Cow::Owned(text.chars().filter(|&c| !bad(c)).collect())
}

/// Markup outside CDATA: bare `&` escaped, HTML named entities replaced by their characters.
fn repair_markup(text: &str, done: &mut Vec<&'static str>) -> String {
    let text = without_controls(text, done);
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split('&');
    out.push_str(parts.next().unwrap_or_default());
    for part in parts {
        let name_len = part
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .unwrap_or(part.len());
        let (name, after) = part.split_at(name_len);
        if let Some(after) = after.strip_prefix(';')
            && !name.is_empty()
        {
            let numeric = name.strip_prefix('#').is_some_and(|n| {
                n.strip_prefix(['x', 'X'])
                    .map_or(n.chars().all(|c| c.is_ascii_digit()), |h| {
                        !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit())
                    })
            });
            if numeric || XML_ENTITIES.contains(&name) {
                out.push('&');
                out.push_str(part);
                continue;
            }
            if let Some(&(first, second)) =
                html5ever::data::NAMED_ENTITIES.get(format!("{name};").as_str())
            {
                note(done, "HTML entities decoded");
                // As characters, escaped again where XML needs it.
                for c in [first, second]
                    .into_iter()
                    .filter(|&c| c != 0)
                    .filter_map(char::from_u32)
                {
                    match c {
                        '&' => out.push_str("&amp;"),
                        '<' => out.push_str("&lt;"),
                        c => out.push(c),
                    }
                }
                out.push_str(after);
                continue;
            }
        }
        note(done, "bare « & » escaped");
        out.push_str("&amp;");
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ampersands_html_entities_and_controls_are_repaired() {
        let (text, done) = repair(
            "<title>Animateur + & cie &eacute;t&eacute;&nbsp;2027 &amp; &#233; &#xE9; &lt;b&gt;\u{1}</title>",
        )
        .unwrap();
        assert_eq!(
            text,
            "<title>Animateur + &amp; cie été\u{a0}2027 &amp; &#233; &#xE9; &lt;b&gt;</title>"
        );
        assert_eq!(
            done,
            [
                "control characters dropped",
                "bare « & » escaped",
                "HTML entities decoded"
            ]
        );
    }

    #[test]
    fn cdata_is_left_alone_and_sound_xml_needs_no_repair() {
        assert_eq!(repair("<a>&amp; &#38; <![CDATA[& &eacute;]]></a>"), None);
        let (text, _) = repair("<a>&</a><![CDATA[a & b]]><b>&unknown;</b>").unwrap();
        assert_eq!(text, "<a>&amp;</a><![CDATA[a & b]]><b>&amp;unknown;</b>");
        // An unclosed CDATA section runs to the end.
        assert_eq!(repair("<a><![CDATA[& x"), None);
    }

    proptest::proptest! {
        /// Any text: no panic, and a repaired text needs no second repair.
        #[test]
        fn repair_is_total_and_idempotent(text in "(&|&[a-z]{1,8};|&#[0-9x]{0,4};|<!\\[CDATA\\[|\\]\\]>|<a>|\u{1}|[a-zé ]{0,6}){0,40}") {
            if let Some((once, _)) = repair(&text) {
                proptest::prop_assert_eq!(repair(&once), None, "{:?} → {:?}", text, once);
            }
        }
    }
}
