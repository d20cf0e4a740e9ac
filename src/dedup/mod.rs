//! De-duplication: one posting per real job.
//!
//! Pure: no I/O. Two steps: `posting_id`, the exact key (a hash of the canonical URL, tracking
//! parameters and fragments stripped; without a URL, employer, title and place), then
//! `near::NearIndex`, which finds the same job under another URL (MinHash + LSH).

pub mod near;

use sha2::{Digest, Sha256};

use crate::model::{Posting, hex16};

/// Query parameters that only track the visitor and never select the ad.
pub const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "xtor", "ref", "source", "origin",
];

/// The canonical form of an ad URL: lower-case scheme and host, no fragment, no tracking
/// parameters (`utm_*` and [`TRACKING_PARAMS`]), remaining parameters sorted, no trailing slash.
pub fn canonical_url(text: &str) -> Option<String> {
    let mut url = url::Url::parse(text.trim()).ok()?;
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let mut s = url.to_string();
    if s.ends_with('/') && url.path() != "/" {
        s.pop();
    }
    Some(s)
}

/// The stable id of a posting: 16 hex digits.
pub fn posting_id(posting: &Posting) -> String {
    let basis = posting
        .url
        .as_deref()
        .and_then(canonical_url)
        .unwrap_or_else(|| {
            let fold = |s: &str| deunicode::deunicode(s).to_lowercase();
            format!(
                "{}|{}|{}",
                fold(posting.employer.as_deref().unwrap_or("")),
                fold(&posting.title),
                fold(posting.location.city.as_deref().unwrap_or(""))
            )
        });
    hex16(&Sha256::digest(basis.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_parameters_and_fragments_do_not_change_the_key() {
        let a = canonical_url("https://Board.example/offres/42?utm_source=x&id=7#top").unwrap();
        let b = canonical_url("https://board.example/offres/42?id=7&fbclid=abc").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "https://board.example/offres/42?id=7");
    }

    #[test]
    fn ads_without_url_key_on_content() {
        let p = |title: &str| Posting {
            title: title.into(),
            employer: Some("OT".into()),
            ..Posting::default()
        };
        assert_eq!(posting_id(&p("Animatrice")), posting_id(&p("animatrice")));
        assert_ne!(posting_id(&p("Animatrice")), posting_id(&p("Webmaster")));
        assert_eq!(posting_id(&p("x")).len(), 16);
    }
}
