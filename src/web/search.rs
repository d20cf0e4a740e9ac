//! `GET /` (the search page) and `GET /api/v1/search`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};

use super::views::{AdSummary, date_fr};
use super::{AppState, WebError};
use crate::index::{IndexError, SearchQuery};
use crate::model::{Location, PostingRecord};
use crate::normalize::places;

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
#[derive(Debug, Default, Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    q: String,
    region: Option<String>,
    department: Option<String>,
    contract: Option<String>,
    page: Option<usize>,
    all: Option<String>,
}

impl Params {
    fn to_query(&self) -> Result<SearchQuery, WebError> {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let region = match nonempty(&self.region) {
            Some(r) => Some(
                places::region(&r)
                    .ok_or_else(|| WebError::BadRequest(format!("Région inconnue : « {r} ».")))?
                    .to_owned(),
            ),
            None => None,
        };
        let department = match nonempty(&self.department) {
            Some(d) => Some(
                places::departement(&d)
                    .ok_or_else(|| WebError::BadRequest(format!("Département inconnu : « {d} ».")))?
                    .code
                    .to_owned(),
            ),
            None => None,
        };
        let page = self.page.unwrap_or(1).clamp(1, 500);
        Ok(SearchQuery {
            text: self.q.clone(),
            region,
            department,
            contract: nonempty(&self.contract),
            all: self
                .all
                .as_deref()
                .is_some_and(|a| !a.is_empty() && a != "0"),
            limit: PER_PAGE,
            offset: (page - 1) * PER_PAGE,
        })
    }
}

/// Runs the search and loads the hits' records from the store, in rank order.
async fn run(
    state: &AppState,
    query: SearchQuery,
) -> Result<(usize, Vec<(PostingRecord, String)>), WebError> {
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
    Ok((results.total, out))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
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
}

pub(super) async fn page(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Html<String>, WebError> {
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
    };
    let outcome = match params.to_query() {
        Ok(query) => run(&state, query).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok((total, hits)) => {
            view.total = total;
            view.pages = total.div_ceil(PER_PAGE);
            view.results = hits
                .into_iter()
                .map(|(r, snippet)| AdSummary::new(&r, snippet))
                .collect();
            let url = |page: usize| page_url(&params, page);
            view.prev_url = (view.page > 1).then(|| url(view.page - 1));
            view.next_url = (view.page < view.pages).then(|| url(view.page + 1));
        }
        Err(WebError::BadRequest(m)) => view.error = Some(m),
        Err(e) => return Err(e),
    }
    Ok(Html(view.render().map_err(WebError::internal)?))
}

fn page_url(p: &Params, page: usize) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("q", &p.q);
    for (k, v) in [
        ("region", &p.region),
        ("department", &p.department),
        ("contract", &p.contract),
        ("all", &p.all),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/?{}", s.finish())
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
}

/// The API answer.
#[derive(Debug, Serialize)]
pub(super) struct ApiResults {
    query: String,
    total: usize,
    page: usize,
    per_page: usize,
    results: Vec<ApiHit>,
}

pub(super) async fn api(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Json<ApiResults>, WebError> {
    let query = params.to_query().map_err(WebError::api)?;
    let page = query.offset / PER_PAGE + 1;
    let (total, hits) = run(&state, query).await.map_err(WebError::api)?;
    let results = hits
        .into_iter()
        .map(|(r, snippet)| {
            let p = r.posting;
            ApiHit {
                claims_ant: r.verdict.as_ref().is_some_and(|v| v.claims_ant),
                flagged: r.verdict.as_ref().is_some_and(|v| v.flagged),
                verdict: r.verdict.map(|v| v.verdict.as_str().to_owned()),
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
    Ok(Json(ApiResults {
        query: params.q,
        total,
        page,
        per_page: PER_PAGE,
        results,
    }))
}
