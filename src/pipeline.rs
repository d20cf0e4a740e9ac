//! The one orchestrator: crawl → extract → normalize → dedup → validate → store → index, for one
//! source, top to bottom.
//!
//! A failing source never fails the run: its error is recorded in the store and reported, and
//! what was stored before stays as it was.

use chrono::Utc;
use tokio::task::JoinSet;

use crate::app::App;
use crate::crawl::{Conditional, CrawlError, Fetched};
use crate::extract::{self, Document, Expect, ExtractError};
use crate::model::{RawPosting, Source, SourceKind};
use crate::store::{Change, RunRecord, Validators};
use crate::{dedup, normalize};

/// Runs every given source concurrently; returns one record per source, in the given order.
pub async fn run_sources(app: &App, sources: &[Source]) -> Vec<RunRecord> {
    let mut set = JoinSet::new();
    for (i, source) in sources.iter().cloned().enumerate() {
        let app = app.clone();
        set.spawn(async move { (i, run_source(&app, &source).await) });
    }
    let mut out: Vec<(usize, RunRecord)> = set.join_all().await;
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Runs one source once and records the run.
pub async fn run_source(app: &App, source: &Source) -> RunRecord {
    let mut run = RunRecord {
        source: source.name.clone(),
        started_at: Utc::now(),
        ..RunRecord::default()
    };
    let mut seen_ids = Vec::new();
    if let Err(fault) = crawl_source(app, source, &mut run, &mut seen_ids).await {
        tracing::warn!(source = %source.name, kind = fault.kind, "source failed: {}", fault.message);
        run.errors += 1;
        run.error_kind = Some(fault.kind.to_owned());
        run.error = Some(fault.message);
    }
    run.finished_at = Utc::now();
    let next = crate::scheduler::next_run(&source.schedule, run.finished_at);
    let record = run.clone();
    let app2 = app.clone();
    let stored = app
        .store
        .run(move |store| -> Result<(), String> {
            store.record_run(&record, next).map_err(|e| e.to_string())?;
            if !seen_ids.is_empty() {
                let generation = store.generation().map_err(|e| e.to_string())?;
                let records = store
                    .postings_by_ids(&seen_ids)
                    .map_err(|e| e.to_string())?;
                app2.index
                    .upsert(&records, generation)
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        tracing::error!(source = %source.name, "cannot record the run: {e}");
        run.errors += 1;
        run.error_kind.get_or_insert_with(|| "store".into());
        run.error.get_or_insert(e);
    }
    tracing::info!(
        source = %source.name,
        fetched = run.fetched, new = run.new, updated = run.updated, unchanged = run.unchanged,
        errors = run.errors, flagged = run.flagged,
        duration_ms = (run.finished_at - run.started_at).num_milliseconds(),
        "crawled {}", source.name
    );
    run
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

async fn crawl_source(
    app: &App,
    source: &Source,
    run: &mut RunRecord,
    seen: &mut Vec<String>,
) -> Result<(), Fault> {
    if source.kind != SourceKind::Feed {
        return Err(Fault {
            kind: "unsupported",
            message: format!(
                "{}: the source kind {:?} is not crawled yet",
                source.name,
                source.kind.as_str()
            ),
        });
    }
    let url = source.url.clone();
    let validators = app
        .store
        .run(move |s| s.validators(&url))
        .await
        .map_err(|e| Fault {
            kind: "store",
            message: e.to_string(),
        })?;
    let cond = Conditional {
        etag: validators.etag,
        last_modified: validators.last_modified,
    };
    let feed = app.fetcher.fetch(&source.url, &cond).await?;
    if feed.not_modified {
        run.not_modified += 1;
        return Ok(());
    }
    run.fetched += 1;
    let items = parse(feed.clone(), Expect::Feed).await?;
    let max = app.config.crawl.max_items_per_source;
    if items.len() > max {
        tracing::warn!(source = %source.name, "{} items, only the first {max} are taken", items.len());
    }
    for item in items.into_iter().take(max) {
        let raw = if source.follow_links {
            follow(app, source, item, run).await
        } else {
            item
        };
        let item_url = raw.url.clone().unwrap_or_else(|| source.url.clone());
        let mut posting = match normalize::normalize(raw) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(source = %source.name, "skipped an ad: {e}");
                run.errors += 1;
                continue;
            }
        };
        posting.id = dedup::posting_id(&posting);
        let verdict = app.rules.evaluate(&posting);
        let flagged = verdict.flagged;
        let (name, id, now) = (source.name.clone(), posting.id.clone(), Utc::now());
        let change = app
            .store
            .run(move |s| s.upsert_posting(&name, &item_url, &posting, &verdict, now))
            .await
            .map_err(|e| Fault {
                kind: "store",
                message: e.to_string(),
            })?;
        match change {
            Change::New => run.new += 1,
            Change::Updated => run.updated += 1,
            Change::Unchanged => run.unchanged += 1,
        }
        if flagged && change != Change::Unchanged {
            run.flagged += 1;
        }
        seen.push(id);
    }
    // Validators are saved only once the content they vouch for is stored.
    let (url, v) = (source.url.clone(), feed.validators.clone());
    app.store
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
        .map_err(|e| Fault {
            kind: "store",
            message: e.to_string(),
        })?;
    Ok(())
}

/// Completes a feed item with its own page; on failure the item is kept as the feed gave it.
async fn follow(app: &App, source: &Source, item: RawPosting, run: &mut RunRecord) -> RawPosting {
    let Some(link) = item.url.clone() else {
        return item;
    };
    let page = match app.fetcher.fetch(&link, &Conditional::default()).await {
        Ok(page) => page,
        Err(e) => {
            tracing::warn!(source = %source.name, "ad page not fetched, feed text kept: {e}");
            run.errors += 1;
            return item;
        }
    };
    run.fetched += 1;
    match parse(page, Expect::AdPage).await {
        Ok(mut found) if !found.is_empty() => {
            let mut from_page = found.swap_remove(0);
            // The feed's link identifies the ad on this source; keep it.
            from_page.url = Some(link);
            from_page.or(item)
        }
        Ok(_) => item,
        Err(e) => {
            tracing::warn!(source = %source.name, "ad page unreadable, feed text kept: {e}");
            run.errors += 1;
            item
        }
    }
}

/// Parsing is CPU work: it runs on the blocking pool, never on the async workers.
async fn parse(doc: Fetched, expect: Expect) -> Result<Vec<RawPosting>, ExtractError> {
    tokio::task::spawn_blocking(move || {
        extract::extract(
            Document {
                url: &doc.url,
                content_type: doc.content_type.as_deref(),
                body: &doc.body,
            },
            expect,
        )
        .map(|e| e.postings)
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}
