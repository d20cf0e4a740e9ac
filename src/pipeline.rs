//! The one orchestrator: crawl → extract → normalize → dedup → validate → store → index, for one
//! source, top to bottom.
//!
//! A failing source never fails the run: its error is recorded in the store and reported, and
//! what was stored before stays as it was. A failing ad page costs that ad only.

use chrono::Utc;
use tokio::task::JoinSet;

use crate::app::App;
use crate::crawl::{Conditional, CrawlError, Crawler, Fetched, france_travail};
use crate::dedup::{self, near, near::NearMatch};
use crate::extract::{self, Document, Expect, ExtractError};
use crate::model::{RawPosting, Source, SourceKind};
use crate::normalize;
use crate::store::{Change, RunRecord, Validators};

/// Most listing pages followed for one source in one run.
pub const MAX_LISTING_PAGES: usize = 50;
/// Longest the CPU work on one ad (text, verdict) may take before the ad is skipped.
pub const ITEM_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);
/// Complete, successful runs in a row a source must omit an ad before it counts as gone.
pub const GONE_AFTER_RUNS: u32 = 3;

/// Called as a source's run progresses, with its counters so far (progress bars).
pub type Progress = std::sync::Arc<dyn Fn(&RunRecord) + Send + Sync>;

/// Runs every given source concurrently with one crawler (robots.txt read once per host);
/// returns one record per source, in the given order.
pub async fn run_sources(app: &App, sources: &[Source]) -> Vec<RunRecord> {
    run_sources_with(app, sources, None).await
}

/// As `run_sources`, reporting progress.
pub async fn run_sources_with(
    app: &App,
    sources: &[Source],
    progress: Option<Progress>,
) -> Vec<RunRecord> {
    let today = Utc::now().date_naive();
    if let Err(e) = app.store.run(move |s| s.expire_passed(today)).await {
        tracing::error!("cannot expire passed ads: {e}");
    }
    let crawler = std::sync::Arc::new(Crawler::new(app.fetcher.clone(), &app.config.crawl));
    let mut set = JoinSet::new();
    let mut tasks = std::collections::HashMap::new();
    for (i, source) in sources.iter().cloned().enumerate() {
        let (app, crawler, progress) = (app.clone(), crawler.clone(), progress.clone());
        let task = set.spawn(async move { run_source(&app, &crawler, &source, progress).await });
        tasks.insert(task.id(), i);
    }
    let mut out: Vec<Option<RunRecord>> = vec![None; sources.len()];
    while let Some(joined) = set.join_next_with_id().await {
        match joined {
            Ok((id, record)) => out[tasks[&id]] = Some(record),
            // A bug hit by one board's content is that source's fault; the others go on.
            Err(e) => {
                let i = tasks[&e.id()];
                let message = panic_message(e);
                out[i] = Some(record_panic(app, &sources[i], message).await);
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// The message of a task that panicked (or was cancelled).
fn panic_message(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return "the run was cancelled".into();
    }
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Records a source run that panicked, as a failure of that source.
async fn record_panic(app: &App, source: &Source, message: String) -> RunRecord {
    tracing::error!(source = %source.name, "source run panicked: {message}");
    let now = Utc::now();
    let record = RunRecord {
        source: source.name.clone(),
        started_at: now,
        finished_at: now,
        errors: 1,
        error_kind: Some("panic".into()),
        error: Some(format!(
            "{}: internal error while reading this source: {message}",
            source.name
        )),
        ..RunRecord::default()
    };
    let next = crate::scheduler::next_run(&source.schedule, now);
    let saved = record.clone();
    if let Err(e) = app.store.run(move |s| s.record_run(&saved, next)).await {
        tracing::error!(source = %source.name, "cannot record the run: {e}");
    }
    record
}

/// One source's run in progress.
struct Run<'a> {
    app: &'a App,
    crawler: &'a Crawler,
    source: &'a Source,
    record: RunRecord,
    seen: Vec<String>,
    progress: Option<Progress>,
    /// URLs of every ad the source listed in this run.
    listed: Vec<String>,
    /// The source listed all its ads (no fault, no cap): ads it omitted may be gone.
    complete: bool,
}

/// A fault that stops a source for this run.
struct Fault {
    kind: &'static str,
    message: String,
}

impl From<CrawlError> for Fault {
    fn from(e: CrawlError) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<ExtractError> for Fault {
    fn from(e: ExtractError) -> Self {
        Self {
            kind: "parse",
            message: e.to_string(),
        }
    }
}

fn store_fault(e: impl std::fmt::Display) -> Fault {
    Fault {
        kind: "store",
        message: e.to_string(),
    }
}

/// Runs one source once and records the run.
pub async fn run_source(
    app: &App,
    crawler: &Crawler,
    source: &Source,
    progress: Option<Progress>,
) -> RunRecord {
    let record = RunRecord {
        source: source.name.clone(),
        started_at: Utc::now(),
        ..RunRecord::default()
    };
    let mut run = Run {
        app,
        crawler,
        source,
        record,
        seen: Vec::new(),
        progress,
        listed: Vec::new(),
        complete: false,
    };
    let outcome = match source.kind {
        SourceKind::Feed => run.feed().await,
        SourceKind::Jsonld | SourceKind::Html => run.listing().await,
        SourceKind::FranceTravail => run.france_travail().await,
    };
    let Run {
        mut record,
        seen,
        listed,
        complete,
        ..
    } = run;
    // Only a run that listed everything may say what is missing; never a failed one.
    let may_mark_missing = outcome.is_ok() && complete;
    if let Err(fault) = outcome {
        tracing::warn!(source = %source.name, kind = fault.kind, "source failed: {}", fault.message);
        record.errors += 1;
        record.error_kind = Some(fault.kind.to_owned());
        record.error = Some(fault.message);
    }
    record.finished_at = Utc::now();
    let next = crate::scheduler::next_run(&source.schedule, record.finished_at);
    let saved = record.clone();
    let index = app.index.clone();
    let stored = app
        .store
        .run(move |store| -> Result<(), String> {
            store.record_run(&saved, next).map_err(|e| e.to_string())?;
            let mut seen = seen;
            if may_mark_missing {
                let gone = store
                    .mark_missing(&saved.source, &listed, GONE_AFTER_RUNS)
                    .map_err(|e| e.to_string())?;
                if !gone.is_empty() {
                    tracing::info!(source = %saved.source, gone = gone.len(), "ads no longer listed are gone");
                }
                seen.extend(gone);
            }
            if !seen.is_empty() {
                let generation = store.generation().map_err(|e| e.to_string())?;
                let records = store.postings_by_ids(&seen).map_err(|e| e.to_string())?;
                index
                    .upsert(&records, generation)
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        tracing::error!(source = %source.name, "cannot record the run: {e}");
        record.errors += 1;
        record.error_kind.get_or_insert_with(|| "store".into());
        record.error.get_or_insert(e);
    }
    tracing::info!(
        source = %source.name,
        fetched = record.fetched, not_modified = record.not_modified, new = record.new,
        updated = record.updated, unchanged = record.unchanged, errors = record.errors,
        flagged = record.flagged, duration_ms = (record.finished_at - record.started_at).num_milliseconds(),
        "crawled {}", source.name
    );
    record
}

impl Run<'_> {
    /// RSS, Atom or JSON Feed; with `follow_links`, each item is completed by its own page.
    async fn feed(&mut self) -> Result<(), Fault> {
        let Some(feed) = self.fetch_conditional(&self.source.url).await? else {
            return Ok(());
        };
        let found = parse(feed.clone(), |d| extract::extract(d, Expect::Feed)).await?;
        if let Some(what) = found.repaired {
            let message = format!("{}: feed read once repaired ({what})", self.source.url);
            tracing::warn!(source = %self.source.name, "{message}");
            self.record.repaired = Some(message);
        }
        for reason in found.skipped {
            self.item_fault(reason);
        }
        let items = found.postings;
        let whole = items.len() <= self.app.config.crawl.max_items_per_source;
        for item in self.capped(items) {
            if self.source.follow_links
                && let Some(link) = item.url.clone()
            {
                self.ad_page(&link, Some(item)).await;
            } else {
                let at = item.url.clone().unwrap_or_else(|| self.source.url.clone());
                self.listed.push(at.clone());
                self.keep(item, &at).await?;
            }
        }
        self.complete = whole;
        self.save_validators(&feed).await
    }

    /// Listing pages (`links`, `next`), then each ad page.
    async fn listing(&mut self) -> Result<(), Fault> {
        let (links_css, next_css) = (
            self.source.links.clone().unwrap_or_default(),
            self.source.next.clone(),
        );
        let mut page = self.source.url.clone();
        let mut visited = vec![page.clone()];
        let mut links: Vec<String> = Vec::new();
        let mut last_page = false;
        loop {
            let fetched = self.crawler.get(&page, &Conditional::default()).await?;
            self.record.fetched += 1;
            let (l, n) = (links_css.clone(), next_css.clone());
            let found = parse(fetched, move |d| {
                extract::extract(
                    d,
                    Expect::Listing {
                        links: &l,
                        next: n.as_deref(),
                    },
                )
            })
            .await?;
            links.extend(
                found
                    .links
                    .into_iter()
                    .filter(|l| !links.contains(l))
                    .collect::<Vec<_>>(),
            );
            match found.next {
                Some(next) if visited.len() < MAX_LISTING_PAGES && !visited.contains(&next) => {
                    visited.push(next.clone());
                    page = next;
                }
                Some(_) => break,
                None => {
                    last_page = true;
                    break;
                }
            }
        }
        let whole = last_page && links.len() <= self.app.config.crawl.max_items_per_source;
        for link in self.capped(links) {
            self.ad_page(&link, None).await;
        }
        self.complete = whole;
        Ok(())
    }

    /// The France Travail API: a token, then `range` pages until the announced total.
    async fn france_travail(&mut self) -> Result<(), Fault> {
        let cfg = self
            .app
            .config
            .france_travail
            .get(&self.source.name)
            .cloned()
            .ok_or_else(|| Fault {
                kind: "config",
                message: format!("{}: no France Travail settings", self.source.name),
            })?;
        let max = self.app.config.crawl.max_items_per_source;
        let mut start = 0;
        let mut refreshed = false;
        let mut whole = false;
        // Pages advance by what the server says it returned (it may return fewer than asked),
        // up to the announced total and the API's own limits.
        while start < max && start <= france_travail::MAX_FIRST_INDEX {
            let token = self
                .app
                .tokens
                .token(self.crawler, &self.source.name, &cfg)
                .await?;
            let end = (start + cfg.page_size - 1).min(france_travail::MAX_LAST_INDEX);
            let url = france_travail::search_url(&self.source.url, &cfg, start, end);
            let answer = match self.crawler.get_authorized(&url, &token).await {
                Err(CrawlError::Status { status: 401, .. }) if !refreshed => {
                    // An expired or revoked token: ask for a new one once.
                    self.app.tokens.forget(&cfg);
                    refreshed = true;
                    continue;
                }
                other => other?,
            };
            self.record.fetched += 1;
            if answer.status == 204 {
                whole = true;
                break;
            }
            let partial = answer.status == 206;
            let returned = france_travail::returned(&answer);
            let offers = parse(answer, |d| extract::extract(d, Expect::FranceTravail))
                .await?
                .postings;
            let got = offers.len();
            for offer in offers {
                let at = offer.url.clone().unwrap_or_else(|| url.clone());
                self.listed.push(at.clone());
                self.keep(offer, &at).await?;
            }
            // Never beyond what was asked nor beyond what arrived: a range the server
            // overstates must not skip offers.
            let next = match returned.range {
                Some((_, last)) if last >= start => {
                    last.min(end).saturating_add(1).min(start + got)
                }
                _ => start + got,
            };
            if !partial || got == 0 || next <= start || returned.total.is_some_and(|t| next >= t) {
                whole = true;
                break;
            }
            start = next;
        }
        self.complete = whole;
        Ok(())
    }

    /// Fetches and keeps one ad page; a failure costs this ad only. `item` is the feed item the
    /// page completes, kept as it is if the page cannot be read.
    async fn ad_page(&mut self, link: &str, item: Option<RawPosting>) {
        self.listed.push(link.to_owned());
        let outcome = self.try_ad_page(link, item.clone()).await;
        if let Err(fault) = outcome {
            let robots = fault.kind == "robots";
            if robots {
                tracing::info!(source = %self.source.name, "skipped: {}", fault.message);
            } else {
                self.item_fault(fault.message);
            }
            if let Some(item) = item.filter(|_| !robots) {
                let _ = self.keep(item, link).await;
            }
        }
    }

    async fn try_ad_page(&mut self, link: &str, item: Option<RawPosting>) -> Result<(), Fault> {
        let Some(page) = self.fetch_conditional(link).await? else {
            return Ok(());
        };
        let fields = (self.source.kind == SourceKind::Html).then(|| self.source.fields.clone());
        let found = parse(page.clone(), move |d| match &fields {
            Some(f) => extract::extract(d, Expect::Fields(f)),
            None => extract::extract(d, Expect::AdPage),
        })
        .await?;
        let mut raw = found.postings.into_iter().next().ok_or_else(|| Fault {
            kind: "parse",
            message: format!("{link}: no ad"),
        })?;
        // The link identifies the ad on this source; a JSON-LD `url` or canonical link may name
        // the original board instead, and is what de-duplication keys on.
        let sighting = link.to_owned();
        if let Some(item) = item {
            raw = raw.or(item);
        }
        raw.url = raw.url.or_else(|| Some(link.to_owned()));
        self.keep(raw, &sighting).await?;
        self.save_validators(&page).await
    }

    /// Fetches with the validators remembered for the URL. `None` means 304 and the posting from
    /// that URL was marked seen again; a 304 for a URL with no stored posting is fetched anew.
    async fn fetch_conditional(&mut self, url: &str) -> Result<Option<Fetched>, Fault> {
        let owned = url.to_owned();
        let v = self
            .app
            .store
            .run(move |s| s.validators(&owned))
            .await
            .map_err(store_fault)?;
        let cond = Conditional {
            etag: v.etag,
            last_modified: v.last_modified,
        };
        let fetched = self.crawler.get(url, &cond).await?;
        if !fetched.not_modified {
            self.record.fetched += 1;
            return Ok(Some(fetched));
        }
        self.record.not_modified += 1;
        if url == self.source.url {
            return Ok(None);
        }
        let (name, owned, now) = (self.source.name.clone(), url.to_owned(), Utc::now());
        match self
            .app
            .store
            .run(move |s| s.touch_sighting(&name, &owned, now))
            .await
            .map_err(store_fault)?
        {
            Some(id) => {
                self.record.unchanged += 1;
                self.seen.push(id);
                Ok(None)
            }
            None => {
                let fresh = self.crawler.get(url, &Conditional::default()).await?;
                self.record.fetched += 1;
                Ok(Some(fresh))
            }
        }
    }

    /// Counts a fault that cost one item, and keeps its message for the operator.
    fn item_fault(&mut self, message: String) {
        tracing::warn!(source = %self.source.name, "ad skipped: {message}");
        self.record.errors += 1;
        self.record.item_fault = Some(message);
    }

    /// Normalises, keys, validates and stores one ad seen at `at`. The CPU work runs on the
    /// blocking pool within `ITEM_BUDGET`; an ad over budget is skipped with a fault.
    async fn keep(&mut self, mut raw: RawPosting, at: &str) -> Result<(), Fault> {
        raw.fetched_at = raw.fetched_at.or_else(|| Some(Utc::now()));
        let rules = self.app.rules.clone();
        let work = tokio::task::spawn_blocking(move || {
            normalize::normalize(raw).map(|posting| {
                let verdict = rules.evaluate(&posting);
                (posting, verdict)
            })
        });
        let (posting, verdict) = match tokio::time::timeout(ITEM_BUDGET, work).await {
            Ok(Ok(Ok(judged))) => judged,
            Ok(Ok(Err(e))) => {
                self.item_fault(e.to_string());
                return Ok(());
            }
            Ok(Err(join)) => std::panic::resume_unwind(join.into_panic()),
            Err(_) => {
                self.item_fault(format!(
                    "{at}: reading the ad took longer than {} s",
                    ITEM_BUDGET.as_secs()
                ));
                return Ok(());
            }
        };
        let (app, name, at) = (self.app.clone(), self.source.name.clone(), at.to_owned());
        let kept = self
            .app
            .store
            .run(move |s| {
                let mut index = app
                    .near
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                store_judged(s, &mut index, &name, &at, posting, verdict, Utc::now())
            })
            .await
            .map_err(store_fault)?;
        let Kept {
            id,
            change,
            flagged,
        } = kept;
        match change {
            Change::New => self.record.new += 1,
            Change::Updated => self.record.updated += 1,
            Change::Unchanged => self.record.unchanged += 1,
        }
        if flagged && change != Change::Unchanged {
            self.record.flagged += 1;
        }
        self.seen.push(id);
        if let Some(progress) = &self.progress {
            progress(&self.record);
        }
        Ok(())
    }

    /// Remembers a document's validators, once the content they vouch for is stored.
    async fn save_validators(&self, doc: &Fetched) -> Result<(), Fault> {
        let (url, v) = (doc.url.clone(), doc.validators.clone());
        if v.etag.is_none() && v.last_modified.is_none() {
            return Ok(());
        }
        self.app
            .store
            .run(move |s| {
                s.save_validators(
                    &url,
                    &Validators {
                        etag: v.etag,
                        last_modified: v.last_modified,
                    },
                    Utc::now(),
                )
            })
            .await
            .map_err(store_fault)
    }

    fn capped<T>(&self, items: Vec<T>) -> impl Iterator<Item = T> + use<T> {
        let max = self.app.config.crawl.max_items_per_source;
        if items.len() > max {
            tracing::warn!(source = %self.source.name, "{} ads listed, only the first {max} are taken", items.len());
        }
        items.into_iter().take(max)
    }
}

/// What storing one ad did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The posting it belongs to.
    pub id: String,
    /// What changed.
    pub change: Change,
    /// Its verdict flags it.
    pub flagged: bool,
}

/// Stores one normalised ad seen at `url` on `source`, as one posting per real job: the
/// posting this URL was stored under before, else the exact key, else the same job found under
/// another URL (MinHash), else a new posting. An uncertain match is stored apart and recorded
/// for staff. Blocking: call it from the blocking pool, with the near-duplicate index locked
/// for the whole call so that two boards cannot both add the same job.
pub fn keep_posting(
    store: &crate::store::Store,
    index: &mut near::NearIndex,
    rules: &crate::rules::RuleSet,
    source: &str,
    url: &str,
    posting: crate::model::Posting,
    now: chrono::DateTime<Utc>,
) -> Result<Kept, crate::store::StoreError> {
    let verdict = rules.evaluate(&posting);
    store_judged(store, index, source, url, posting, verdict, now)
}

/// As `keep_posting`, with the verdict already made.
fn store_judged(
    store: &crate::store::Store,
    index: &mut near::NearIndex,
    source: &str,
    url: &str,
    mut posting: crate::model::Posting,
    mut verdict: crate::model::Verdict,
    now: chrono::DateTime<Utc>,
) -> Result<Kept, crate::store::StoreError> {
    let exact = dedup::posting_id(&posting);
    let fingerprint = near::fingerprint(&posting);
    let mut uncertain = None;
    posting.id = match store.resolve_posting(source, url, &exact)? {
        Some(id) => id,
        None => match index.best(&fingerprint, &exact) {
            NearMatch::Same(id, score) => {
                tracing::info!(
                    source,
                    "{url} is the same job as posting {id} (similarity {score:.2})"
                );
                id
            }
            NearMatch::Uncertain(id, score) => {
                uncertain = Some((id, score));
                exact
            }
            NearMatch::New => exact,
        },
    };
    verdict.id.clone_from(&posting.id);
    let change = store.upsert_posting(source, url, &posting, &verdict, now)?;
    if let Some((other, score)) = uncertain {
        store.record_candidate(&posting.id, &other, score, now)?;
    }
    if change != Change::Unchanged {
        index.insert(&posting.id, fingerprint);
    }
    Ok(Kept {
        id: posting.id,
        change,
        flagged: verdict.flagged,
    })
}

/// Parsing is CPU work: it runs on the blocking pool, never on the async workers.
async fn parse<F>(doc: Fetched, extract: F) -> Result<extract::Extracted, ExtractError>
where
    F: FnOnce(Document<'_>) -> Result<extract::Extracted, ExtractError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        extract(Document {
            url: &doc.url,
            content_type: doc.content_type.as_deref(),
            body: &doc.body,
        })
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}
