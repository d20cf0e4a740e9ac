//! Listing pages (ad links, next page) and ad pages read with per-field CSS selectors.

use std::collections::BTreeMap;

use scraper::Selector;

use super::{Document, ExtractError, Extracted, charset::decode_text, feed::absolute, parse_html};
use crate::model::{RawLocation, RawPosting};

fn selector(css: &str) -> Option<Selector> {
    // Selectors were validated with the configuration; a bad one here just selects nothing.
    Selector::parse(css).ok()
}

/// Ad links and the next page of a listing.
pub(super) fn parse(
    doc: Document<'_>,
    links: &str,
    next: Option<&str>,
) -> Result<Extracted, ExtractError> {
    let html = parse_html(doc.url, &decode_text(doc.body, doc.content_type))?;
    let base = url::Url::parse(doc.url).ok();
    let mut found: Vec<String> = Vec::new();
    if let Some(sel) = selector(links) {
        for el in html.select(&sel) {
            if let Some(href) = el
                .value()
                .attr("href")
                .filter(|h| !h.trim().is_empty() && !h.starts_with('#'))
            {
                let url = absolute(base.as_ref(), href);
                if !found.contains(&url) {
                    found.push(url);
                }
            }
        }
    }
    let next = next
        .and_then(selector)
        .and_then(|sel| {
            html.select(&sel)
                .find_map(|el| el.value().attr("href").map(|h| absolute(base.as_ref(), h)))
        })
        .filter(|n| n != doc.url);
    Ok(Extracted {
        links: found,
        next,
        ..Extracted::default()
    })
}

/// One ad read with a selector per field; `css@attr` reads the attribute of the first match.
pub(super) fn fields(
    doc: Document<'_>,
    fields: &BTreeMap<String, String>,
) -> Result<RawPosting, ExtractError> {
    let html = parse_html(doc.url, &decode_text(doc.body, doc.content_type))?;
    let get = |name: &str, as_html: bool| -> Option<String> {
        let spec = fields.get(name)?;
        let (css, attr) = match spec.split_once('@') {
            Some((css, attr)) => (css, Some(attr)),
            None => (spec.as_str(), None),
        };
        let el = html.select(&selector(css)?).next()?;
        let value = match attr {
            Some(a) => el.value().attr(a)?.to_owned(),
            None if as_html => el.inner_html(),
            None => el.text().collect::<String>(),
        };
        let value = value.trim().to_owned();
        (!value.is_empty()).then_some(value)
    };
    let canonical = html
        .select(&selector("link[rel=canonical]").expect("valid selector"))
        .next()
        .and_then(|el| el.value().attr("href"))
        .map(|href| super::feed::absolute(url::Url::parse(doc.url).ok().as_ref(), href));
    let posting = RawPosting {
        source_ref: None,
        url: canonical.or_else(|| Some(doc.url.to_owned())),
        title: get("title", false),
        description: get("description", true),
        employer: get("employer", false),
        location: RawLocation {
            text: get("location", false),
            ..RawLocation::default()
        },
        contract: get("contract", false),
        hours: get("hours", false),
        salary: get("salary", false),
        published: get("published", false),
        valid_through: get("valid_through", false),
        fetched_at: None,
    };
    if posting.title.is_none() || posting.description.is_none() {
        return Err(ExtractError::NoAd {
            url: doc.url.to_owned(),
        });
    }
    Ok(posting)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Document<'_> {
        Document {
            url: "http://127.0.0.1:9/emplois/index.html",
            content_type: None,
            body: body.as_bytes(),
        }
    }

    #[test]
    fn links_and_next() {
        let page = r#"<ul><li class="job"><a href="offre-1.html">1</a></li><li class="job"><a href="/emplois/offre-2.html">2</a></li>
            <li class="job"><a href="offre-1.html">again</a></li></ul><a class="suivant" href="page-2.html">suite</a>"#;
        let e = parse(doc(page), "li.job a", Some("a.suivant")).unwrap();
        assert_eq!(
            e.links,
            vec![
                "http://127.0.0.1:9/emplois/offre-1.html",
                "http://127.0.0.1:9/emplois/offre-2.html"
            ]
        );
        assert_eq!(
            e.next.as_deref(),
            Some("http://127.0.0.1:9/emplois/page-2.html")
        );
    }

    #[test]
    fn fields_with_attributes() {
        let page = r#"<h1>Animatrice</h1><div class="d"><p>Ateliers</p></div><p class="lieu">Floirac (Gironde)</p>
            <time datetime="2026-11-12">12 novembre</time>"#;
        let f: BTreeMap<String, String> = [
            ("title", "h1"),
            ("description", ".d"),
            ("location", ".lieu"),
            ("published", "time@datetime"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let p = fields(doc(page), &f).unwrap();
        assert_eq!(p.title.as_deref(), Some("Animatrice"));
        assert_eq!(p.description.as_deref(), Some("<p>Ateliers</p>"));
        assert_eq!(p.location.text.as_deref(), Some("Floirac (Gironde)"));
        assert_eq!(p.published.as_deref(), Some("2026-11-12"));
        let with_canonical = format!(r#"<link rel="canonical" href="/offres/12?ref=x">{page}"#);
        let p = fields(doc(&with_canonical), &f).unwrap();
        assert_eq!(p.url.as_deref(), Some("http://127.0.0.1:9/offres/12?ref=x"));
        let missing = BTreeMap::from([("title".to_owned(), "h2".to_owned())]);
        assert!(fields(doc(page), &missing).is_err());
    }

    #[test]
    fn deep_pages_are_refused_before_a_tree_is_built() {
        let deep = format!(
            "{}<a class=\"x\" href=\"o.html\">o</a>",
            "<div>".repeat(100_000)
        );
        let err = parse(doc(&deep), "a.x", None).unwrap_err();
        assert!(
            err.to_string()
                .contains("index.html: HTML nested 100001 levels deep"),
            "{err}"
        );
    }
}
