//! RSS 0.9x/1.0/2.0, Atom and JSON Feed through feed-rs: one raw posting per item.

use super::{Document, ExtractError, MAX_NESTING, charset::decode_text, repair};
use crate::model::RawPosting;
use crate::normalize::dates::parse_datetime;
use crate::normalize::nesting_depth;

/// A feed's items, the reasons for those left out, and what had to be repaired for it to parse.
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) postings: Vec<RawPosting>,
    pub(super) skipped: Vec<String>,
    pub(super) repaired: Option<String>,
}

/// The feed's items, and the reasons for those left out.
pub(super) fn parse(doc: Document<'_>) -> Result<Parsed, ExtractError> {
    // feed-rs wants raw bytes (it honours the XML prolog's encoding). A non-UTF-8 body without
    // a prolog fails there, so it gets a second chance decoded to UTF-8 first.
    // The XML reader under feed-rs panics on some malformed input (a second XML declaration
    // naming another encoding): board content must never be able to crash us, so its panics
    // stop at this boundary as a parse fault of this document.
    // A feed strict parsing refuses gets one repaired second chance (see `repair`), and a
    // truncated one is cut after its last complete item: what was mended is reported.
    let body = without_late_declarations(doc.body);
    let guarded = std::panic::catch_unwind(|| match parser().parse(&body[..]) {
        Ok(feed) => Ok((feed, None)),
        Err(first) => {
            let text = declared_utf8(&decode_text(&body, doc.content_type));
            if let Ok(feed) = parser().parse(text.as_bytes()) {
                return Ok((feed, None));
            }
            let (text, mut mended) = match repair::repair(&text) {
                Some((repaired, done)) => (repaired, done),
                None => (text, Vec::new()),
            };
            if !mended.is_empty()
                && let Ok(feed) = parser().parse(text.as_bytes())
            {
                return Ok((feed, Some(mended.join(", "))));
            }
            match complete_items(&text) {
                Some(cut) => parser().parse(cut.as_bytes()).map(|feed| {
                    mended.push("truncated document closed after its last complete item");
                    (feed, Some(mended.join(", ")))
                }),
                None => Err(first),
            }
            .map_err(|e| e.to_string())
        }
    });
    let (feed, repaired) = guarded
        .unwrap_or_else(|_| Err("the feed parser failed on this document".into()))
        .map_err(|message| ExtractError::Feed {
            url: doc.url.to_owned(),
            message,
        })?;
    let base = url::Url::parse(doc.url).ok();
    let items: Vec<RawPosting> = feed
        .entries
        .into_iter()
        .map(|entry| {
            let url = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| entry.links.first())
                .map(|l| absolute(base.as_ref(), &l.href));
            let description = entry
                .content
                .and_then(|c| c.body)
                .or_else(|| entry.summary.map(|s| s.content));
            RawPosting {
                source_ref: Some(entry.id).filter(|id| !id.is_empty()),
                url,
                title: entry.title.map(|t| t.content),
                description,
                employer: entry
                    .authors
                    .first()
                    .and_then(|a| a.name.clone())
                    .filter(|n| !n.is_empty()),
                published: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
                ..RawPosting::default()
            }
        })
        .collect();
    let mut skipped = Vec::new();
    let kept = items
        .into_iter()
        .filter(|item| {
            let depth = item.description.as_deref().map_or(0, nesting_depth);
            if depth > MAX_NESTING {
                let name = item.url.as_deref().or(item.source_ref.as_deref());
                skipped.push(
                    ExtractError::TooDeep {
                        url: format!("{} (item {})", doc.url, name.unwrap_or("without link")),
                        depth,
                    }
                    .to_string(),
                );
            }
            depth <= MAX_NESTING
        })
        .collect();
    Ok(Parsed {
        postings: kept,
        skipped,
        repaired,
    })
}

/// Decoded text whose XML declaration still names the bytes' old encoding says UTF-8 instead,
/// so that the parser does not decode it a second time (« numérique » → « numÃ©rique »).
fn declared_utf8(text: &str) -> String {
    static ENCODING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\A(\s*<\?xml[^>]*?encoding\s*=\s*)(?:"[^"]*"|'[^']*')"#)
            .expect("valid")
    });
    ENCODING.replace(text, r#"${1}"UTF-8""#).into_owned()
}

/// The document without XML declarations after its start: only one may open a document, and
/// the XML reader panics on a later one that names another encoding.
fn without_late_declarations(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        .unwrap_or(0);
    let first_end = if body[start..].starts_with(b"<?xml") {
        start + 5
    } else {
        start
    };
    let late = |from: usize| {
        body[from..]
            .windows(5)
            .position(|w| w.eq_ignore_ascii_case(b"<?xml"))
            .map(|i| from + i)
    };
    if late(first_end).is_none() {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut at = 0;
    let mut from = first_end;
    while let Some(i) = late(from) {
        out.extend_from_slice(&body[at..i]);
        let end = body[i..]
            .windows(2)
            .position(|w| w == b"?>")
            .map_or(body.len(), |e| i + e + 2);
        at = end;
        from = end;
    }
    out.extend_from_slice(&body[at..]);
    std::borrow::Cow::Owned(out)
}

/// A truncated feed cut after its last complete item and closed again, so that the items
/// before the cut are kept. `None` when there is no complete item.
fn complete_items(text: &str) -> Option<String> {
    let (end_tag, closing) = if text.contains("<entry") {
        ("</entry>", "</feed>")
    } else {
        ("</item>", "</channel></rss>")
    };
    let cut = text.rfind(end_tag)? + end_tag.len();
    let closing = if text.contains("<rdf:RDF") {
        "</rdf:RDF>"
    } else {
        closing
    };
    Some(format!("{}{closing}", &text[..cut]))
}

fn parser() -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .timestamp_parser(parse_datetime)
        .build()
}

pub(super) fn absolute(base: Option<&url::Url>, href: &str) -> String {
    base.and_then(|b| b.join(href.trim()).ok())
        .map_or_else(|| href.trim().to_owned(), |u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &[u8]) -> Document<'_> {
        Document {
            url: "http://127.0.0.1:9/f.rss",
            content_type: None,
            body,
        }
    }

    #[test]
    fn a_latin_1_feed_needing_repair_keeps_its_accents() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>t</title>\
             <item><title>Animatrice numérique & cie</title><link>http://127.0.0.1:9/1</link></item></channel></rss>",
        );
        let parsed = parse(doc(&bytes)).unwrap();
        assert_eq!(
            parsed.postings[0].title.as_deref(),
            Some("Animatrice numérique & cie")
        );
        assert!(parsed.repaired.unwrap().contains("bare"));
    }

    #[test]
    fn a_truncated_feed_keeps_its_complete_items() {
        let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
            <item><title>Un</title><link>http://127.0.0.1:9/1</link><description>a</description></item>\
            <item><title>Deux</title><link>http://127.0.0.1:9/2</link><description>b</description></item>\
            <item><title>Trois</title><link>http://127.0.0.1:9/3</li";
        let parsed = parse(doc(feed.as_bytes())).unwrap();
        assert!(parsed.repaired.unwrap().contains("truncated"));
        let titles: Vec<_> = parsed
            .postings
            .iter()
            .map(|i| i.title.clone().unwrap())
            .collect();
        assert_eq!(titles, ["Un", "Deux"]);
        assert!(parse(doc(b"<html><body>Maintenance</body></html>")).is_err());
        assert!(parse(doc(b"")).is_err());
    }

    #[test]
    fn a_second_declaration_changing_the_encoding_is_a_fault_not_a_crash() {
        // Found by `cargo fuzz run feed`: quick-xml panicked on it.
        let feed = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>t</title>\n\
                    <?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
                    <title>x</title></feed>";
        // Refused as a parse fault, without the XML reader panicking (the panic guard's message
        // would say « failed on this document »), also on the second chance after decoding.
        let broken = feed.replace("<title>t</title>", "<title>t & co</title>");
        for body in [feed, broken.as_str()] {
            let err = parse(doc(body.as_bytes())).unwrap_err().to_string();
            assert!(!err.contains("failed on this document"), "{err}");
        }
        assert_eq!(
            &without_late_declarations(b" <?xml version=\"1.0\"?><a><?xml x?>b</a>")[..],
            b" <?xml version=\"1.0\"?><a>b</a>"
        );
    }

    #[test]
    fn windows_1252_without_prolog_and_french_dates() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>Animatrice numérique – cœur</title>\
             <pubDate>mar., 03 mars 2026 10:00:00 +0100</pubDate><description>été</description></item></channel></rss>",
        );
        let items = parse(doc(&bytes)).unwrap().postings;
        assert_eq!(
            items[0].title.as_deref(),
            Some("Animatrice numérique – cœur")
        );
        assert_eq!(
            items[0].published.as_deref(),
            Some("2026-03-03T09:00:00+00:00")
        );
    }
}
