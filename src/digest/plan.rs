//! What each recipient's digest holds: new matching ads for subscribers, the week's flags,
//! pending reviews and failing sources for staff.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::DigestError;
use super::compose::{AdItem, Group, Section, SourceTrouble, StaffDigest, SubscriberDigest};
use super::links::Links;
use super::search::SavedSearch;
use super::week::Week;
use crate::index::SearchIndex;
use crate::model::{PostingRecord, PostingStatus, date_fr};
use crate::store::{SourceHealth, Subscription};

/// A first digest covers the ads of the week before it.
pub const FIRST_WINDOW: Duration = Duration::days(7);
/// However long since the last digest, no ad older than this is "new".
pub const LONGEST_WINDOW: Duration = Duration::days(28);
/// Most ads one search lists in one email.
pub const MAX_ADS_PER_SEARCH: usize = 100;
/// Pending reviews listed by name in the staff digest.
pub const PENDING_LISTED: usize = 10;

/// The ads a subscriber has not had yet: first seen in `(start, end]`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Exclusive start.
    pub start: DateTime<Utc>,
    /// Inclusive end.
    pub end: DateTime<Utc>,
}

impl Window {
    /// The window after the last digest (`None`: the first one) up to `end`.
    pub fn after(last: Option<DateTime<Utc>>, end: DateTime<Utc>) -> Self {
        let start = last.unwrap_or(end - FIRST_WINDOW).max(end - LONGEST_WINDOW);
        Self { start, end }
    }

    fn contains(&self, t: DateTime<Utc>) -> bool {
        t > self.start && t <= self.end
    }

    /// The window's days, Paris time, in French.
    pub fn span_fr(&self) -> String {
        let day = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::Paris).date_naive();
        super::compose::span(day(self.start), day(self.end))
    }
}

/// An in-memory index of the open ads with verdict `ant` first seen since `since`: each
/// subscriber's search runs on it, exactly as on the site.
pub fn candidates_index(
    records: &[PostingRecord],
    since: DateTime<Utc>,
) -> Result<SearchIndex, DigestError> {
    let fresh: Vec<PostingRecord> = records
        .iter()
        .filter(|r| r.first_seen > since && r.status == PostingStatus::Open)
        .cloned()
        .collect();
    let index = SearchIndex::in_memory()?;
    index.rebuild(&fresh, 0)?;
    Ok(index)
}

fn details(r: &PostingRecord) -> String {
    // No région: the email groups ads by région already.
    let place = r.posting.location.label(false);
    let parts: Vec<&str> = [r.posting.employer.as_deref().unwrap_or_default(), &place]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        "Employeur non précisé".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn facts(r: &PostingRecord) -> String {
    let p = &r.posting;
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = &p.contract {
        // A duration only says something about a fixed-term contract.
        parts.push(match p.contract_months {
            Some(m) if !c.eq_ignore_ascii_case("CDI") => format!("{c} {m} mois"),
            _ => c.clone(),
        });
    }
    match p.published {
        Some(d) => parts.push(format!("publiée le {}", date_fr(d))),
        None => parts.push(format!("repérée le {}", date_fr(r.first_seen.date_naive()))),
    }
    if let Some(d) = p.valid_through {
        parts.push(format!("candidature avant le {}", date_fr(d)));
    }
    parts.join(" · ")
}

fn why(matched: &[String], search: &SavedSearch, place: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !matched.is_empty() {
        let words: Vec<String> = matched.iter().map(|w| format!("« {w} »")).collect();
        parts.push(format!("mots trouvés : {}", words.join(", ")));
    }
    parts.extend(search.filter_labels());
    parts.extend(place.iter().cloned());
    parts.push("conforme au référentiel ANT".to_owned());
    parts.join(" ; ")
}

/// The digest of one subscriber: `None` when none of their searches has anything new.
pub fn subscriber_digest(
    week: Week,
    email: &str,
    subscriptions: &[&Subscription],
    window: Window,
    index: &SearchIndex,
    records: &BTreeMap<&str, &PostingRecord>,
    links: &Links,
) -> Result<Option<SubscriberDigest>, DigestError> {
    let mut seen: Vec<String> = Vec::new();
    let mut sections = Vec::new();
    for sub in subscriptions {
        let search = SavedSearch::from_stored(&sub.query, &sub.filters);
        let found = index.search(&search.to_query(MAX_ADS_PER_SEARCH))?;
        // A place typed among the words (« … bretagne ») filters too: say so.
        let place: Vec<String> = match (&found.interpreted.department, &found.interpreted.region) {
            (Some(code), _) if search.department.is_none() => {
                let name =
                    crate::normalize::places::departement(code).map_or(code.as_str(), |d| d.name);
                vec![format!("département : {name} ({code})")]
            }
            (None, Some(r)) if search.region.is_none() => vec![format!("région : {r}")],
            _ => Vec::new(),
        };
        let mut by_region: BTreeMap<String, Vec<AdItem>> = BTreeMap::new();
        for hit in found.hits {
            let Some(r) = records.get(hit.id.as_str()) else {
                continue;
            };
            if !window.contains(r.first_seen) || seen.contains(&hit.id) {
                continue;
            }
            seen.push(hit.id.clone());
            let region = r
                .posting
                .location
                .region
                .clone()
                .unwrap_or_else(|| "Région non précisée".to_owned());
            by_region.entry(region).or_default().push(AdItem {
                title: r.posting.title.clone(),
                url: links.ad(&r.posting.id),
                details: details(r),
                facts: facts(r),
                why: crate::model::fr::spaces(&why(&hit.matched, &search, &place)),
            });
        }
        if !by_region.is_empty() {
            sections.push(Section {
                label: crate::model::fr::spaces(&search.describe()),
                manage_url: links.manage(sub.id, &sub.nonce),
                groups: by_region
                    .into_iter()
                    .map(|(name, ads)| Group { name, ads })
                    .collect(),
            });
        }
    }
    if sections.is_empty() {
        return Ok(None);
    }
    Ok(Some(SubscriberDigest {
        week,
        span: window.span_fr(),
        recipient: email.to_owned(),
        sections,
        unsubscribe_url: links.unsubscribe(email),
        site_url: format!("{}/", links.base_url()),
    }))
}

fn awaits_decision(r: &PostingRecord) -> bool {
    let flagged = r.verdict.as_ref().is_some_and(|v| v.flagged);
    flagged
        && r.status == PostingStatus::Open
        && r.review_state() == crate::model::ReviewState::Pending
}

/// The staff digest: ads flagged in the window by category, pending decisions, failing
/// sources.
pub fn staff_digest(
    week: Week,
    email: &str,
    window: Window,
    records: &[PostingRecord],
    health: &[SourceHealth],
    links: &Links,
) -> StaffDigest {
    let review_url = |id: &str| format!("{}/revue/annonces/{id}", links.base_url());
    let mut flagged: BTreeMap<&'static str, Vec<AdItem>> = BTreeMap::new();
    for r in records {
        let Some(v) = r.verdict.as_ref().filter(|v| v.flagged) else {
            continue;
        };
        if !window.contains(r.first_seen) {
            continue;
        }
        let finding = v
            .findings
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        flagged
            .entry(v.verdict.label_fr())
            .or_default()
            .push(AdItem {
                title: r.posting.title.clone(),
                url: review_url(&r.posting.id),
                details: details(r),
                facts: facts(r),
                why: finding,
            });
    }
    let mut pending: Vec<&PostingRecord> = records.iter().filter(|r| awaits_decision(r)).collect();
    pending.sort_by_key(|r| r.first_seen);
    let sources = health
        .iter()
        .filter(|h| h.state.consecutive_failures > 0)
        .map(|h| {
            let since = h
                .state
                .last_success_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map_or_else(
                    || "aucun succès enregistré".to_owned(),
                    |t| format!("dernier succès le {}", date_fr(t.date_naive())),
                );
            let n = h.state.consecutive_failures;
            SourceTrouble {
                name: h.state.name.clone(),
                state: format!(
                    "{n} échec{} de suite, {since}",
                    if n > 1 { "s" } else { "" }
                ),
                error: h.state.last_error.clone().unwrap_or_default(),
            }
        })
        .collect();
    StaffDigest {
        week,
        span: window.span_fr(),
        recipient: email.to_owned(),
        flagged: flagged
            .into_iter()
            .map(|(name, ads)| Group {
                name: name.to_owned(),
                ads,
            })
            .collect(),
        pending: pending.len(),
        pending_ads: pending
            .iter()
            .take(PENDING_LISTED)
            .map(|r| AdItem {
                title: r.posting.title.clone(),
                url: review_url(&r.posting.id),
                details: details(r),
                facts: format!("repérée le {}", date_fr(r.first_seen.date_naive())),
                why: String::new(),
            })
            .collect(),
        sources,
        queue_url: format!("{}/revue", links.base_url()),
        sources_url: format!("{}/revue/sources", links.base_url()),
    }
}
