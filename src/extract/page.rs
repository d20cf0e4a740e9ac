//! One ad's own page: its JobPosting JSON-LD first, else the text of its main content.

use scraper::{Html, Selector};

use super::{Document, ExtractError, charset::decode_text, jsonld, parse_html};
use crate::model::RawPosting;

pub(super) fn parse(doc: Document<'_>) -> Result<RawPosting, ExtractError> {
    let text = decode_text(doc.body, doc.content_type);
    let html = parse_html(doc.url, &text)?;
    let canonical = select_attr(&html, "link[rel=canonical]", "href");
    let contract = labelled(&html, &["contrat", "type de contrat", "type d emploi"]);
    if let Some(mut posting) = jsonld::job_postings(&html).into_iter().next() {
        posting.url = posting
            .url
            .or(canonical)
            .or_else(|| Some(doc.url.to_owned()));
        // schema.org only knows FULL_TIME/TEMPORARY...; the page's own « Contrat : CDI » says more.
        posting.contract = match (contract, posting.contract) {
            (Some(page), Some(ld)) => Some(format!("{page} ({ld})")),
            (page, ld) => page.or(ld),
        };
        return Ok(posting);
    }
    let title = select_text(&html, "h1").or_else(|| select_text(&html, "title"));
    let body = ["main", "article", "body"]
        .iter()
        .find_map(|css| select_html(&html, css));
    match (title, body) {
        (Some(title), Some(description)) if !description.trim().is_empty() => Ok(RawPosting {
            url: canonical.or_else(|| Some(doc.url.to_owned())),
            title: Some(title),
            description: Some(description),
            contract,
            ..RawPosting::default()
        }),
        _ => Err(ExtractError::NoAd {
            url: doc.url.to_owned(),
        }),
    }
}

/// The value of a labelled line such as `<li><strong>Contrat :</strong> CDI</li>` or
/// `<dt>Type de contrat</dt><dd>CDI</dd>`, for the first label found.
fn labelled(html: &Html, labels: &[&str]) -> Option<String> {
    let fold = |t: &str| crate::normalize::places::fold(t);
    for el in html.select(&selector("li, p, tr, div.field")) {
        let text = el.text().collect::<String>();
        if let Some((label, value)) = text.split_once(':') {
            let value = value.trim();
            if labels.contains(&fold(label).as_str()) && !value.is_empty() && value.len() < 200 {
                return Some(value.to_owned());
            }
        }
    }
    for dt in html.select(&selector("dt")) {
        if labels.contains(&fold(&dt.text().collect::<String>()).as_str()) {
            let dd = dt
                .next_siblings()
                .filter_map(scraper::ElementRef::wrap)
                .find(|e| e.value().name() == "dd")?;
            let value = dd.text().collect::<String>().trim().to_owned();
            return (!value.is_empty()).then_some(value);
        }
    }
    None
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("built-in selectors are valid")
}

fn select_text(html: &Html, css: &str) -> Option<String> {
    let el = html.select(&selector(css)).next()?;
    let text = el.text().collect::<String>().trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn select_html(html: &Html, css: &str) -> Option<String> {
    html.select(&selector(css)).next().map(|el| el.inner_html())
}

fn select_attr(html: &Html, css: &str, attr: &str) -> Option<String> {
    html.select(&selector(css))
        .next()
        .and_then(|el| el.value().attr(attr))
        .map(str::to_owned)
}
