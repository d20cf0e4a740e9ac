//! RSS 0.9x/1.0/2.0, Atom and JSON Feed through feed-rs: one raw posting per item.

use super::{Document, ExtractError, charset::decode_text};
use crate::model::RawPosting;
use crate::normalize::dates::parse_datetime;

pub(super) fn parse(doc: Document<'_>) -> Result<Vec<RawPosting>, ExtractError> {
    // feed-rs wants raw bytes (it honours the XML prolog's encoding). A non-UTF-8 body without
    // a prolog fails there, so it gets a second chance decoded to UTF-8 first.
    let feed = match parser().parse(doc.body) {
        Ok(feed) => feed,
        Err(first) => {
            let text = decode_text(doc.body, doc.content_type);
            parser()
                .parse(text.as_bytes())
                .map_err(|_| ExtractError::Feed {
                    url: doc.url.to_owned(),
                    message: first.to_string(),
                })?
        }
    };
    let base = url::Url::parse(doc.url).ok();
    Ok(feed
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
        .collect())
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
