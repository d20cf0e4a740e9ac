//! The search index: tantivy, derived from the store and always rebuildable from it.
//!
//! Holds ids and searchable text; pages load details from the store. Each commit carries the
//! store generation it reflects, so a stale or damaged index is detected at open and rebuilt.
//! User text never reaches tantivy's query parser: queries are built from analysed tokens.

pub mod query;
mod schema;
mod spelling;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use std::ops::Bound;

use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};
use thiserror::Error;

use crate::model::{PostingRecord, PostingStatus, VerdictCode};
use schema::{FR, FR_WORDS, Fields, SCHEMA_VERSION};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most words a query may hold.
pub const MAX_QUERY_TERMS: usize = 24;
/// Memory budget of the index writer, in bytes.
const WRITER_HEAP_BYTES: usize = 32_000_000;
/// How much of a field is scanned for the words that matched.
const MATCHED_TERMS_SCAN_CHARS: usize = 20_000;

/// Index failures.
#[derive(Debug, Error)]
pub enum IndexError {
    /// tantivy failed.
    #[error("search index {dir}: {source}")]
    Tantivy {
        /// The index folder.
        dir: String,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// The folder could not be prepared.
    #[error("search index {dir}: {source}")]
    Io {
        /// The index folder.
        dir: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The query cannot be run.
    #[error("{0}")]
    BadQuery(String),
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Best match first (newest first when there are no words).
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words typed by the user.
    pub text: String,
    /// Région, canonical name.
    pub region: Option<String>,
    /// Département code.
    pub department: Option<String>,
    /// Contract label.
    pub contract: Option<String>,
    /// Employer type code.
    pub employer_type: Option<String>,
    /// Only ads published in the last so many days.
    pub within_days: Option<u32>,
    /// Read every word of the text as a word, none as a place (« loire » the word).
    pub words_only: bool,
    /// Only ads of this verdict code, as the public sees it (with `all`).
    pub verdict: Option<String>,
    /// Order.
    pub sort: SortOrder,
    /// Count matches per facet value (the search page and API do; feeds and the CLI need not).
    pub facets: bool,
    /// Include expired/gone ads and every verdict.
    pub all: bool,
    /// List, per hit, the words of the title and description that matched (the digest's
    /// « pourquoi cette annonce »).
    pub matched_terms: bool,
    /// Page size.
    pub limit: usize,
    /// Results skipped.
    pub offset: usize,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Posting id.
    pub id: String,
    /// Relevance (0 when sorted by date).
    pub score: f32,
    /// Highlighted excerpt of the description, HTML-escaped with `<b>` marks.
    pub snippet: String,
    /// Words of the ad that matched, as written there, first occurrence first, each once
    /// (only with [`SearchQuery::matched_terms`]).
    pub matched: Vec<String>,
}

/// Counts of the matching ads per value of a facet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    /// By région.
    pub region: Vec<(String, u64)>,
    /// By département code.
    pub department: Vec<(String, u64)>,
    /// By contract (lower case).
    pub contract: Vec<(String, u64)>,
    /// By employer type code.
    pub employer_type: Vec<(String, u64)>,
    /// Published within 7, 30 and 90 days.
    pub published: Vec<(u32, u64)>,
    /// By verdict as the public sees it (a lifted flag counts as `ant`; `none` if not judged).
    pub verdict: Vec<(String, u64)>,
}

/// A page of results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    /// Total matches.
    pub total: usize,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Counts per facet value, over all matches.
    pub facets: Facets,
    /// How the text was read (places taken as filters).
    pub interpreted: query::Interpreted,
    /// When the words as typed found nothing and near spellings did: the words searched
    /// instead (« animatrice numerique » for « animatrise numerik »).
    pub corrected: Option<String>,
}

/// The index and its single writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    label: String,
    version: std::sync::atomic::AtomicU64,
    /// The ads' words for spelling corrections, with the index version they were read at.
    known: Mutex<Option<(u64, std::sync::Arc<Vec<spelling::Known>>)>>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if absent or of another schema version. An index
    /// that cannot be opened or read (a damaged segment, a lost file) is derived data: it is
    /// moved aside to `index.broken-<time>` with a warning saying why, and a new one is
    /// created, to be rebuilt from the store. Check [`SearchIndex::generation`] against the
    /// store afterwards.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let label = dir.display().to_string();
        let io = |source| IndexError::Io {
            dir: label.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        // A damaged file can make tantivy panic rather than fail: that is damage too.
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Self::open_existing(dir, &label)
        }))
        .unwrap_or_else(|_| Err("reading it panicked".into()));
        match opened {
            Ok(Some(index)) => return Ok(index),
            Ok(None) => std::fs::remove_dir_all(dir).map_err(io)?,
            Err(reason) => {
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
                let aside = dir.with_file_name(format!("index.broken-{stamp}"));
                std::fs::rename(dir, &aside).map_err(io)?;
                tracing::warn!(
                    "search index {label} is damaged ({reason}): moved to {} and rebuilt from the store",
                    aside.display()
                );
            }
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, _) = schema::build();
        let index = Index::create_in_dir(dir, schema).map_err(|source| IndexError::Tantivy {
            dir: label.clone(),
            source,
        })?;
        Self::from_index(index, label)
    }

    /// The index in `dir` if it is there, current and readable; `Ok(None)` if absent or of
    /// another schema version; the fault if damaged.
    fn open_existing(dir: &Path, label: &str) -> Result<Option<Self>, String> {
        if !dir.join("meta.json").exists() {
            return Ok(None);
        }
        let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
        let (schema, _) = schema::build();
        if index.schema() != schema || payload_version(&index) != Some(SCHEMA_VERSION) {
            return Ok(None);
        }
        let opened = Self::from_index(index, label.to_owned()).map_err(|e| e.to_string())?;
        opened.verify().map_err(|e| e.to_string())?;
        Ok(Some(opened))
    }

    /// Opens every segment's files (terms, postings, positions, stored documents) without
    /// reading them whole: a truncated or missing file fails here rather than in a search.
    fn verify(&self) -> tantivy::Result<()> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        for segment in searcher.segment_readers() {
            let (basic, full) = (
                tantivy::schema::IndexRecordOption::Basic,
                tantivy::schema::IndexRecordOption::WithFreqsAndPositions,
            );
            for (field, option) in [
                (f.id, basic),
                (f.title, full),
                (f.description, full),
                (f.employer, full),
                (f.place, full),
                (f.words, basic),
            ] {
                let inverted = segment.inverted_index(field)?;
                let mut terms = inverted.terms().stream()?;
                if terms.advance() {
                    let info = terms.value().clone();
                    inverted.read_postings_from_terminfo(&info, option)?;
                }
            }
            let store = segment.get_store_reader(1)?;
            if let Some(doc) = segment.doc_ids_alive().next() {
                store.get::<TantivyDocument>(doc)?;
            }
            segment.fast_fields();
        }
        Ok(())
    }

    /// The ids of every indexed posting (a full read: for `antenne check`).
    pub fn ids(&self) -> Result<std::collections::HashSet<String>, IndexError> {
        let searcher = self.reader.searcher();
        let docs = searcher
            .search(&AllQuery, &tantivy::collector::DocSetCollector)
            .map_err(|e| self.err(e))?;
        let mut ids = std::collections::HashSet::with_capacity(docs.len());
        for address in docs {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.err(e))?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                ids.insert(id.to_owned());
            }
        }
        Ok(ids)
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<Self, IndexError> {
        let (schema, _) = schema::build();
        Self::from_index(Index::create_in_ram(schema), "<memory>".into())
    }

    fn from_index(index: Index, label: String) -> Result<Self, IndexError> {
        let err = |source| IndexError::Tantivy {
            dir: label.clone(),
            source,
        };
        index.tokenizers().register(FR, schema::french_analyzer());
        index
            .tokenizers()
            .register(FR_WORDS, schema::words_analyzer());
        let (_, fields) = schema::build();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .map_err(err)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            label,
            version: std::sync::atomic::AtomicU64::new(0),
            known: Mutex::new(None),
        })
    }

    fn err(&self, source: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            dir: self.label.clone(),
            source,
        }
    }

    /// The store generation the last commit reflects (`None` for a new index).
    pub fn generation(&self) -> Option<i64> {
        let payload = self.index.load_metas().ok()?.payload?;
        payload.split_once(':')?.1.parse().ok()
    }

    /// Adds or replaces these postings, then commits recording `generation`.
    pub fn upsert(&self, records: &[PostingRecord], generation: i64) -> Result<(), IndexError> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for r in records {
            writer.delete_term(Term::from_field_text(self.fields.id, &r.posting.id));
            writer
                .add_document(self.document(r))
                .map_err(|e| self.err(e))?;
        }
        self.commit(&mut writer, generation)
    }

    /// Removes a posting (merged into another), then commits recording `generation`.
    pub fn delete(&self, id: &str, generation: i64) -> Result<(), IndexError> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        self.commit(&mut writer, generation)
    }

    /// Replaces the whole index with these postings.
    pub fn rebuild(&self, records: &[PostingRecord], generation: i64) -> Result<(), IndexError> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer.delete_all_documents().map_err(|e| self.err(e))?;
        for r in records {
            writer
                .add_document(self.document(r))
                .map_err(|e| self.err(e))?;
        }
        self.commit(&mut writer, generation)
    }

    fn commit(&self, writer: &mut IndexWriter, generation: i64) -> Result<(), IndexError> {
        let mut prepared = writer.prepare_commit().map_err(|e| self.err(e))?;
        prepared.set_payload(&format!("{SCHEMA_VERSION}:{generation}"));
        prepared.commit().map_err(|e| self.err(e))?;
        self.reader.reload().map_err(|e| self.err(e))?;
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Grows at every commit: answers computed at an older version may be stale.
    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::Acquire)
    }

    fn document(&self, r: &PostingRecord) -> TantivyDocument {
        let f = &self.fields;
        let p = &r.posting;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &p.id);
        doc.add_text(f.title, &p.title);
        doc.add_text(f.description, &p.description);
        doc.add_text(f.words, &p.title);
        doc.add_text(f.words, &p.description);
        if let Some(e) = &p.employer {
            doc.add_text(f.employer, e);
            doc.add_text(f.words, e);
        }
        let l = &p.location;
        let place: Vec<&str> = [&l.city, &l.department, &l.region, &l.department_code]
            .into_iter()
            .filter_map(|v| v.as_deref())
            .collect();
        let place = place.join(" ");
        doc.add_text(f.words, &place);
        doc.add_text(f.place, place);
        if let Some(region) = &l.region {
            doc.add_text(f.region, region);
        }
        if let Some(code) = &l.department_code {
            doc.add_text(f.department, code);
        }
        if let Some(c) = &p.contract {
            doc.add_text(f.contract, c.to_lowercase());
        }
        if let Some(t) = &p.employer_type {
            doc.add_text(f.employer_type, t);
        }
        // What the public sees: a flag staff lifted makes the ad conform.
        let verdict = r.public_verdict().map_or("none", |v| v.as_str());
        doc.add_text(f.verdict, verdict);
        doc.add_text(f.status, r.status.as_str());
        if let Some(d) = p.published.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            doc.add_date(
                f.published,
                tantivy::DateTime::from_timestamp_secs(d.and_utc().timestamp()),
            );
        }
        doc
    }

    /// Runs a search.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, IndexError> {
        if q.text.chars().count() > MAX_QUERY_CHARS {
            return Err(IndexError::BadQuery(format!(
                "La recherche est trop longue : {MAX_QUERY_CHARS} caractères au plus."
            )));
        }
        let interpreted = query::interpret_with(&q.text, !q.words_only);
        if interpreted.words.len() + interpreted.phrases.len() > MAX_QUERY_TERMS {
            return Err(IndexError::BadQuery(format!(
                "La recherche compte trop de mots : {MAX_QUERY_TERMS} au plus."
            )));
        }
        // Exact words first. When they find nothing: each word no ad contains is replaced by
        // the closest word the ads do contain; then, failing that, near stems. Both only then,
        // since looking one or two edits away costs most of a search's time.
        let exact = self.run(q, interpreted.clone(), false)?;
        if exact.total > 0 || !interpreted.words.iter().any(|w| query::fuzzy_eligible(w)) {
            return Ok(exact);
        }
        if let Some(corrected) = self.corrected(&interpreted)? {
            let mut results = self.run(q, corrected.clone(), false)?;
            if results.total > 0 {
                results.corrected = Some(corrected.words.join(" "));
                results.interpreted = interpreted;
                return Ok(results);
            }
        }
        self.run(q, interpreted, true)
    }

    /// The words with each one no ad contains replaced by its closest spelling in the ads;
    /// `None` if no word changed. At most `MAX_CORRECTED` words are looked at, so that a long
    /// query of nonsense costs no more than a short one.
    fn corrected(
        &self,
        interpreted: &query::Interpreted,
    ) -> Result<Option<query::Interpreted>, IndexError> {
        const MAX_CORRECTED: usize = 4;
        let err = |source| IndexError::Tantivy {
            dir: self.label.clone(),
            source,
        };
        let searcher = self.reader.searcher();
        let mut analyzer = schema::words_analyzer();
        let mut out = interpreted.clone();
        let mut changed = false;
        let mut looked = 0;
        for word in &mut out.words {
            let Some(token) = query::analyze(&mut analyzer, word).into_iter().next() else {
                continue;
            };
            if !spelling::correctable(&token) {
                continue;
            }
            let term = Term::from_field_text(self.fields.words, &token);
            if searcher.doc_freq(&term).map_err(err)? > 0 {
                continue;
            }
            looked += 1;
            if looked > MAX_CORRECTED {
                break;
            }
            if let Some(better) = spelling::closest(&token, &self.known_words(&searcher)?) {
                *word = better;
                changed = true;
            }
        }
        Ok(changed.then_some(out))
    }

    /// Every whole word of the ads, with the number of ads holding it; read from the term
    /// dictionary once per index version.
    fn known_words(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<std::sync::Arc<Vec<spelling::Known>>, IndexError> {
        let version = self.version();
        if let Some((at, words)) = &*self.known.lock().unwrap_or_else(|e| e.into_inner())
            && *at == version
        {
            return Ok(words.clone());
        }
        let err = |source| IndexError::Tantivy {
            dir: self.label.clone(),
            source,
        };
        let mut counts = std::collections::HashMap::<String, u64>::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.words).map_err(err)?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(|e| err(tantivy::TantivyError::from(e)))?;
            while terms.advance() {
                if let Ok(w) = std::str::from_utf8(terms.key()) {
                    *counts.entry(w.to_owned()).or_default() += u64::from(terms.value().doc_freq);
                }
            }
        }
        let words = std::sync::Arc::new(
            counts
                .into_iter()
                .map(|(w, n)| spelling::Known::new(w, n))
                .collect::<Vec<_>>(),
        );
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) = Some((version, words.clone()));
        Ok(words)
    }

    fn run(
        &self,
        q: &SearchQuery,
        interpreted: query::Interpreted,
        fuzzy: bool,
    ) -> Result<SearchResults, IndexError> {
        let f = self.fields;
        let mut analyzer = schema::french_analyzer();
        let words = query::build(&f, &mut analyzer, &interpreted, fuzzy);
        let has_words = words.is_some();
        let mut must: Vec<(Occur, Box<dyn Query>)> =
            words.into_iter().map(|w| (Occur::Must, w)).collect();
        let exact = |field, value: &str| -> (Occur, Box<dyn Query>) {
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
            )
        };
        // A place typed in the words applies unless a filter already says where.
        let (region, department) = match (&q.region, &q.department) {
            (None, None) => (interpreted.region.clone(), interpreted.department.clone()),
            (r, d) => (r.clone(), d.clone()),
        };
        if let Some(r) = &region {
            must.push(exact(f.region, r));
        }
        if let Some(d) = &department {
            must.push(exact(f.department, d));
        }
        if let Some(c) = &q.contract {
            must.push(exact(f.contract, &c.to_lowercase()));
        }
        if let Some(t) = &q.employer_type {
            must.push(exact(f.employer_type, t));
        }
        if let Some(days) = q.within_days {
            let since = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
            let from = Term::from_field_date_for_search(
                f.published,
                tantivy::DateTime::from_timestamp_secs(since.timestamp()),
            );
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Included(from), Bound::Unbounded)),
            ));
        }
        if !q.all {
            must.push(exact(f.status, PostingStatus::Open.as_str()));
            must.push(exact(f.verdict, VerdictCode::Ant.as_str()));
        } else if let Some(v) = &q.verdict {
            must.push(exact(f.verdict, v));
        }
        let query: Box<dyn Query> = if must.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        };
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(q.offset);
        let aggs = q.facets.then(|| {
            AggregationCollector::from_aggs(
                facet_request(),
                AggContextParams::new(Default::default(), self.index.tokenizers().clone()),
            )
        });
        let by_date = !has_words || q.sort == SortOrder::Date;
        let (addresses, total, aggregated): (Vec<(f32, tantivy::DocAddress)>, usize, _) = if by_date
        {
            let (docs, total, aggregated) = searcher
                .search(
                    &query,
                    &(
                        top.order_by_fast_field::<tantivy::DateTime>("published", Order::Desc),
                        Count,
                        aggs,
                    ),
                )
                .map_err(|e| self.err(e))?;
            (
                docs.into_iter().map(|(_, a)| (0.0, a)).collect(),
                total,
                aggregated,
            )
        } else {
            searcher
                .search(&query, &(top.order_by_score(), Count, aggs))
                .map_err(|e| self.err(e))?
        };
        let snippets = if has_words {
            let mut g = SnippetGenerator::create(&searcher, &*query, f.description)
                .map_err(|e| self.err(e))?;
            g.set_max_num_chars(240);
            Some(g)
        } else {
            None
        };
        let highlighters = if has_words && q.matched_terms {
            let whole = |field| -> Result<SnippetGenerator, IndexError> {
                let mut g =
                    SnippetGenerator::create(&searcher, &*query, field).map_err(|e| self.err(e))?;
                g.set_max_num_chars(MATCHED_TERMS_SCAN_CHARS);
                Ok(g)
            };
            vec![whole(f.title)?, whole(f.description)?]
        } else {
            Vec::new()
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, addr) in addresses {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| self.err(e))?;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let snippet = snippets
                .as_ref()
                .map(|g| g.snippet_from_doc(&doc).to_html())
                .unwrap_or_default();
            let mut matched: Vec<String> = Vec::new();
            for g in &highlighters {
                let found = g.snippet_from_doc(&doc);
                for range in found.highlighted() {
                    let word = found.fragment().get(range.clone()).unwrap_or_default();
                    if !matched
                        .iter()
                        .any(|m| m.to_lowercase() == word.to_lowercase())
                    {
                        matched.push(word.to_owned());
                    }
                }
            }
            hits.push(SearchHit {
                id,
                score,
                snippet,
                matched,
            });
        }
        let facets = aggregated
            .map(|a| facets_of(&serde_json::to_value(&a).unwrap_or_default()))
            .unwrap_or_default();
        Ok(SearchResults {
            total,
            hits,
            facets,
            interpreted,
            corrected: None,
        })
    }

    /// Where the index lives.
    pub fn location(&self) -> PathBuf {
        PathBuf::from(&self.label)
    }
}

/// Terms counts per facet field, and publication-date ranges.
fn facet_request() -> Aggregations {
    let now = chrono::Utc::now();
    // Date ranges are given in nanoseconds since the epoch.
    let ago = |days: i64| {
        (now - chrono::Duration::days(days))
            .timestamp_nanos_opt()
            .unwrap_or(0)
    };
    let terms = |field: &str| serde_json::json!({ "terms": { "field": field, "size": 120 } });
    serde_json::from_value(serde_json::json!({
        "region": terms("region"),
        "department": terms("department"),
        "contract": terms("contract"),
        "employer_type": terms("employer_type"),
        "verdict": terms("verdict"),
        "published": { "range": { "field": "published", "ranges": [
            // Disjoint ranges (tantivy needs them so); `facets_of` adds them up.
            { "key": "90", "from": ago(90), "to": ago(30) },
            { "key": "30", "from": ago(30), "to": ago(7) },
            { "key": "7", "from": ago(7) }
        ] } }
    }))
    .expect("the facet request is valid")
}

fn facets_of(results: &serde_json::Value) -> Facets {
    let terms = |name: &str| -> Vec<(String, u64)> {
        results[name]["buckets"]
            .as_array()
            .map(|b| {
                b.iter()
                    .filter_map(|e| Some((e["key"].as_str()?.to_owned(), e["doc_count"].as_u64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut published: Vec<(u32, u64)> = results["published"]["buckets"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter_map(|e| Some((e["key"].as_str()?.parse().ok()?, e["doc_count"].as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    // Within 7 days, within 30 (7 + 7..30), within 90 (all three).
    published.sort_unstable();
    let mut running = 0;
    for (_, n) in &mut published {
        running += *n;
        *n = running;
    }
    Facets {
        region: terms("region"),
        department: terms("department"),
        contract: terms("contract"),
        employer_type: terms("employer_type"),
        verdict: terms("verdict"),
        published,
    }
}

fn payload_version(index: &Index) -> Option<u32> {
    let payload = index.load_metas().ok()?.payload?;
    payload.split_once(':')?.0.parse().ok()
}
