//! `GET /` (the search page) and `GET /api/v1/search`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};

use super::views::{AdSummary, date_fr};
use super::{AppState, WebError};
use crate::index::query::Interpreted;
use crate::index::{Facets, IndexError, SearchQuery, SortOrder};
use crate::model::{Location, PostingRecord};
use crate::normalize::{employer, places};

/// Results per page.
pub const PER_PAGE: usize = 20;
/// Contract labels offered as filters.
const CONTRACTS: &[&str] = &[
    "CDI",
    "CDD",
    "Titulaire",
    "Contrat de projet",
    "Alternance",
    "Stage",
    "Saisonnier",
];

/// Search parameters, as in the URL.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Params {
    #[serde(default)]
    pub(super) q: String,
    region: Option<String>,
    department: Option<String>,
    contract: Option<String>,
    page: Option<usize>,
    all: Option<String>,
    employer_type: Option<String>,
    /// Published within so many days (7, 30, 90).
    since: Option<u32>,
    /// `date` for newest first.
    sort: Option<String>,
    /// `0` to read every word as a word, none as a place.
    lieu: Option<String>,
    /// A verdict code (with `all`).
    verdict: Option<String>,
}

impl Params {
    pub(super) fn to_query(&self) -> Result<SearchQuery, WebError> {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (region, department) =
            places::form_filters(self.region.as_deref(), self.department.as_deref())
                .map_err(WebError::BadRequest)?;
        let page = self.page.unwrap_or(1).clamp(1, 500);
        Ok(SearchQuery {
            text: self.q.clone(),
            region: region.map(str::to_owned),
            department: department.map(str::to_owned),
            contract: nonempty(&self.contract),
            all: self
                .all
                .as_deref()
                .is_some_and(|a| !a.is_empty() && a != "0"),
            limit: PER_PAGE,
            offset: (page - 1) * PER_PAGE,
            employer_type: nonempty(&self.employer_type),
            within_days: self.since.filter(|d| (1..=366).contains(d)),
            sort: if self.sort.as_deref() == Some("date") {
                SortOrder::Date
            } else {
                SortOrder::Relevance
            },
            facets: true,
            matched_terms: false,
            words_only: self.lieu.as_deref() == Some("0"),
            verdict: nonempty(&self.verdict),
        })
    }
}

/// Runs the search and loads the hits' records from the store, in rank order.
/// A page of results with their records.
pub(super) struct Found {
    pub(super) total: usize,
    pub(super) hits: Vec<(PostingRecord, String)>,
    pub(super) facets: Facets,
    pub(super) interpreted: Interpreted,
    /// The words searched instead of misspelt ones, when those found nothing.
    pub(super) corrected: Option<String>,
}

pub(super) async fn run(state: &AppState, query: SearchQuery) -> Result<Found, WebError> {
    let index = state.index.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(WebError::internal)?
        .map_err(|e| match e {
            IndexError::BadQuery(m) => WebError::BadRequest(m),
            other => WebError::internal(other),
        })?;
    let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    let mut records = state
        .store
        .run(move |s| s.postings_by_ids(&ids))
        .await
        .map_err(WebError::internal)?;
    let mut out = Vec::with_capacity(results.hits.len());
    for hit in results.hits {
        if let Some(pos) = records.iter().position(|r| r.posting.id == hit.id) {
            out.push((records.swap_remove(pos), hit.snippet));
        }
    }
    Ok(Found {
        total: results.total,
        hits: out,
        facets: results.facets,
        interpreted: results.interpreted,
        corrected: results.corrected,
    })
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    pub(super) q: String,
    region: String,
    department: String,
    contract: String,
    all: bool,
    page: usize,
    pages: usize,
    total: usize,
    results: Vec<AdSummary>,
    regions: Vec<&'static str>,
    contracts: &'static [&'static str],
    prev_url: Option<String>,
    next_url: Option<String>,
    error: Option<String>,
    facets: Vec<FacetGroup>,
    /// A place read from the words, shown so that the reader knows why results narrowed.
    place: Option<String>,
    /// Other places those words may name: label and the search there.
    place_choices: Vec<(String, String)>,
    /// The words read as a place, and the search reading them as words.
    word_choice: Option<(String, String)>,
    sort_date: bool,
    sort_relevance_url: String,
    sort_date_url: String,
    employer_type: String,
    /// Offer the weekly email of this search.
    subscribe: bool,
    /// Asked for a page beyond the last: how many pages there are, and the last one's URL.
    beyond: Option<(usize, String)>,
    /// This search as an Atom feed.
    feed_url: String,
    /// The words searched instead of misspelt ones.
    corrected: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let mut regions: Vec<&'static str> = places::departements().iter().map(|d| d.region).collect();
    regions.sort_unstable();
    regions.dedup();
    let mut view = SearchPage {
        q: params.q.clone(),
        region: params.region.clone().unwrap_or_default(),
        department: params.department.clone().unwrap_or_default(),
        contract: params.contract.clone().unwrap_or_default(),
        all: params
            .all
            .as_deref()
            .is_some_and(|a| !a.is_empty() && a != "0"),
        page: params.page.unwrap_or(1).max(1),
        pages: 0,
        total: 0,
        results: Vec::new(),
        regions,
        contracts: CONTRACTS,
        prev_url: None,
        next_url: None,
        error: None,
        facets: Vec::new(),
        place: None,
        place_choices: Vec::new(),
        word_choice: None,
        sort_date: false,
        sort_relevance_url: String::new(),
        sort_date_url: String::new(),
        employer_type: params.employer_type.clone().unwrap_or_default(),
        subscribe: false,
        beyond: None,
        feed_url: params.with("page", None).replacen("/?", "/flux.atom?", 1),
        corrected: None,
    };
    let outcome = match params.to_query() {
        Ok(query) => run(&state, query).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(found) => {
            let Found {
                total,
                hits,
                facets,
                interpreted,
                corrected,
            } = found;
            view.total = total;
            view.corrected = corrected;
            view.subscribe = state.mail.is_some() && !view.all;
            view.pages = total.div_ceil(PER_PAGE);
            view.facets = facet_groups(&params, &facets);
            view.place = interpreted
                .department
                .as_deref()
                .and_then(places::departement)
                .map(|d| format!("{} ({})", d.name, d.code))
                .or(interpreted.region.clone())
                .filter(|_| params.region.is_none() && params.department.is_none());
            if view.place.is_some() {
                (view.place_choices, view.word_choice) = place_choices(&params, &interpreted);
            }
            view.sort_date = params.sort.as_deref() == Some("date");
            view.sort_relevance_url = params.with("sort", None);
            view.sort_date_url = params.with("sort", Some("date"));
            view.results = hits
                .into_iter()
                .map(|(r, snippet)| AdSummary::new(&r, snippet))
                .collect();
            let url = |page: usize| page_url(&params, page);
            view.prev_url = (view.page > 1 && view.page <= view.pages).then(|| url(view.page - 1));
            view.next_url = (view.page < view.pages).then(|| url(view.page + 1));
            if total > 0 && view.page > view.pages {
                view.beyond = Some((view.pages, url(view.pages)));
            }
        }
        Err(WebError::BadRequest(m)) => view.error = Some(m),
        Err(e) => return Err(e),
    }
    let status = if view.error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Html(view.render().map_err(WebError::internal)?)).into_response())
}

impl Params {
    pub(super) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("q", self.q.clone())];
        for (k, val) in [
            ("region", &self.region),
            ("department", &self.department),
            ("contract", &self.contract),
            ("employer_type", &self.employer_type),
            ("sort", &self.sort),
            ("all", &self.all),
            ("lieu", &self.lieu),
            ("verdict", &self.verdict),
        ] {
            if let Some(val) = val.as_deref().filter(|v| !v.is_empty()) {
                v.push((k, val.to_owned()));
            }
        }
        if let Some(d) = self.since {
            v.push(("since", d.to_string()));
        }
        v
    }

    /// This search's URL with `key` set to `value` (or removed), back on page 1.
    fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != key)
            .collect();
        if let Some(v) = value {
            pairs.push((key, v.to_owned()));
        }
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, &v);
        }
        format!("/?{}", s.finish())
    }
}

/// A label and the URL it links to.
type Labelled = (String, String);

/// When the words name a place: the other départements they may name (the search without
/// those words, filtered there), and the search reading them as words.
fn place_choices(params: &Params, interpreted: &Interpreted) -> (Vec<Labelled>, Option<Labelled>) {
    let Some(named) = interpreted.place_words.clone() else {
        return (Vec::new(), None);
    };
    let mut rest: Vec<String> = interpreted.words.clone();
    rest.extend(interpreted.phrases.iter().map(|p| format!("\"{p}\"")));
    let without = Params {
        q: rest.join(" "),
        ..params.clone()
    };
    let choices = interpreted
        .other_places
        .iter()
        .filter_map(|code| places::departement(code))
        .map(|d| {
            (
                format!("{} ({})", d.name, d.code),
                without.with("department", Some(d.code)),
            )
        })
        .collect();
    (choices, Some((named, params.with("lieu", Some("0")))))
}

fn page_url(p: &Params, page: usize) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in p.pairs() {
        s.append_pair(k, &v);
    }
    s.append_pair("page", &page.to_string());
    format!("/?{}", s.finish())
}

/// One value of a facet, ready to print.
struct FacetOption {
    label: String,
    count: u64,
    url: String,
    active: bool,
}

/// A facet group.
struct FacetGroup {
    title: &'static str,
    options: Vec<FacetOption>,
}

fn facet_groups(p: &Params, f: &Facets) -> Vec<FacetGroup> {
    let group = |title,
                 key: &str,
                 values: &[(String, u64)],
                 current: &Option<String>,
                 label: &dyn Fn(&str) -> String| FacetGroup {
        title,
        options: values
            .iter()
            .map(|(v, n)| {
                let active = current
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(v));
                FacetOption {
                    label: label(v),
                    count: *n,
                    url: p.with(key, if active { None } else { Some(v) }),
                    active,
                }
            })
            .collect(),
    };
    let dept_label = |code: &str| {
        places::departement(code)
            .map_or_else(|| code.to_owned(), |d| format!("{} ({code})", d.name))
    };
    let contract_label = |c: &str| {
        let mut s = c.to_owned();
        if let Some(first) = s.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        if s.len() <= 3 { s.to_uppercase() } else { s }
    };
    let since = p.since.map(|d| d.to_string());
    let mut groups = vec![
        group("Région", "region", &f.region, &p.region, &|r: &str| {
            r.to_owned()
        }),
        group(
            "Département",
            "department",
            &f.department,
            &p.department,
            &dept_label,
        ),
        group(
            "Contrat",
            "contract",
            &f.contract,
            &p.contract,
            &contract_label,
        ),
        group(
            "Employeur",
            "employer_type",
            &f.employer_type,
            &p.employer_type,
            &|t: &str| employer::label(t).to_owned(),
        ),
    ];
    let published: Vec<(String, u64)> = f
        .published
        .iter()
        .map(|(d, n)| (d.to_string(), *n))
        .collect();
    groups.push(group(
        "Publication",
        "since",
        &published,
        &since,
        &|d: &str| format!("depuis {d} jours"),
    ));
    if p.all.as_deref().is_some_and(|a| !a.is_empty() && a != "0") {
        groups.push(group(
            "Verdict",
            "verdict",
            &f.verdict,
            &p.verdict,
            &|v: &str| {
                crate::model::VerdictCode::parse(v)
                    .map_or("Pas encore vérifiée", |c| c.label_fr())
                    .to_owned()
            },
        ));
    }
    groups.retain(|g| !g.options.is_empty());
    groups
}

/// One API result.
#[derive(Debug, Serialize)]
pub(super) struct ApiHit {
    id: String,
    title: String,
    employer: Option<String>,
    location: Location,
    contract: Option<String>,
    published: Option<String>,
    published_fr: Option<String>,
    url: Option<String>,
    verdict: Option<String>,
    claims_ant: bool,
    flagged: bool,
    status: &'static str,
    snippet: String,
    /// The staff decision that holds for this revision.
    review: Option<crate::export::ReviewView>,
}

/// The API answer.
#[derive(Debug, Serialize)]
pub(super) struct ApiResults {
    query: String,
    total: usize,
    page: usize,
    per_page: usize,
    results: Vec<ApiHit>,
    /// Counts per value: `{"region": {"Bretagne": 3}, ...}`.
    facets: serde_json::Value,
    /// The words searched instead, when the words as typed found nothing.
    corrected: Option<String>,
}

pub(super) async fn api(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let mut key = params.pairs();
    key.sort();
    key.push(("page", params.page.unwrap_or(1).to_string()));
    let key = format!("{key:?}");
    let version = state.index.version();
    if let Some(body) = state.cache.get(&key, version) {
        return Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response());
    }
    let query = params.to_query().map_err(WebError::api)?;
    let page = query.offset / PER_PAGE + 1;
    let Found {
        total,
        hits,
        facets,
        corrected,
        ..
    } = run(&state, query).await.map_err(WebError::api)?;
    let results = hits
        .into_iter()
        .map(|(r, snippet)| {
            let review = crate::export::ExportRecord::from(&r).review;
            let lifted = r.review_state() == crate::model::ReviewState::Lifted;
            let verdict = r.public_verdict().map(|v| v.as_str().to_owned());
            let p = r.posting;
            ApiHit {
                claims_ant: r.verdict.as_ref().is_some_and(|v| v.claims_ant),
                flagged: r.verdict.as_ref().is_some_and(|v| v.flagged) && !lifted,
                verdict,
                review,
                status: r.status.as_str(),
                id: p.id,
                title: p.title,
                employer: p.employer,
                location: p.location,
                contract: p.contract,
                published: p.published.map(|d| d.to_string()),
                published_fr: p.published.map(date_fr),
                url: p.url,
                snippet,
            }
        })
        .collect();
    let answer = ApiResults {
        query: params.q,
        total,
        page,
        per_page: PER_PAGE,
        results,
        facets: facets_json(&facets),
        corrected,
    };
    let body = axum::body::Bytes::from(
        serde_json::to_vec(&answer).map_err(|e| WebError::internal(e).api())?,
    );
    state.cache.put(key, version, body.clone());
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn facets_json(f: &Facets) -> serde_json::Value {
    let map = |v: &[(String, u64)]| {
        v.iter()
            .map(|(k, n)| (k.clone(), serde_json::json!(n)))
            .collect::<serde_json::Map<_, _>>()
    };
    let published: serde_json::Map<_, _> = f
        .published
        .iter()
        .map(|(d, n)| (d.to_string(), serde_json::json!(n)))
        .collect();
    serde_json::json!({
        "region": map(&f.region),
        "department": map(&f.department),
        "contract": map(&f.contract),
        "employer_type": map(&f.employer_type),
        "verdict": map(&f.verdict),
        "published_within_days": published,
    })
}
