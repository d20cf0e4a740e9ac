//! The application context: configuration, store, index, rules and HTTP client, built once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::config::Config;
use crate::crawl::{CrawlError, Fetcher};
use crate::index::{IndexError, SearchIndex};
use crate::rules::{RuleLoadError, RuleSet};
use crate::store::{Store, StoreError};

/// Why the application could not start.
#[derive(Debug, Error)]
pub enum AppError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The rules failed to load.
    #[error(transparent)]
    Rules(#[from] RuleLoadError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Crawl(#[from] CrawlError),
    /// The mail settings are unusable.
    #[error(transparent)]
    Mail(#[from] crate::digest::DigestError),
}

/// A stored verdict that the rules in use would change.
#[derive(Debug, Clone)]
pub struct VerdictChange {
    /// Posting id.
    pub id: String,
    /// Posting title.
    pub title: String,
    /// Stored verdict.
    pub before: crate::model::Verdict,
    /// Verdict under the rules in use.
    pub after: crate::model::Verdict,
}

/// Everything a command needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    /// Validated configuration.
    pub config: Arc<Config>,
    /// The store.
    pub store: Store,
    /// The search index.
    pub index: Arc<SearchIndex>,
    /// The rules.
    pub rules: Arc<RuleSet>,
    /// The HTTP client.
    pub fetcher: Fetcher,
    /// The data directory.
    pub data_dir: PathBuf,
    /// OAuth2 tokens of API sources, kept across runs until they expire.
    pub tokens: Arc<crate::crawl::france_travail::TokenCache>,
    /// Fingerprints of stored postings, to find a job posted again under another URL. Held
    /// across the check and the store of one ad, so two boards cannot both add the same job.
    pub near: Arc<std::sync::Mutex<crate::dedup::near::NearIndex>>,
    /// Mail: subscriptions and the weekly digest.
    pub mail: Option<Arc<crate::digest::Mail>>,
}

impl App {
    /// Opens the store (taking the data-directory lock), opens the index and rebuilds it if it
    /// lags behind the store. With `revalidate`, verdicts made by other rules are redone first.
    pub async fn open(
        config: Config,
        data_dir: &Path,
        rules: RuleSet,
        revalidate: bool,
    ) -> Result<Self, AppError> {
        let dir = data_dir.to_owned();
        let store = tokio::task::spawn_blocking(move || Store::open(&dir))
            .await
            .expect("store open does not panic")?;
        store.sync_sources(&config.sources)?;
        let index_dir = data_dir.join("index");
        let index = tokio::task::spawn_blocking(move || SearchIndex::open(&index_dir))
            .await
            .expect("index open does not panic")?;
        let fetcher = Fetcher::new(&config.crawl, &config.web.base_url)?;
        let mail = crate::digest::Mail::open(&config, &store, data_dir).await?;
        let app = Self {
            config: Arc::new(config),
            store,
            index: Arc::new(index),
            rules: Arc::new(rules),
            fetcher,
            data_dir: data_dir.to_owned(),
            tokens: Arc::default(),
            near: Arc::default(),
            mail: Some(Arc::new(mail)),
        };
        let near = app
            .store
            .run(|store| -> Result<_, StoreError> {
                store.expire_passed(chrono::Utc::now().date_naive())?;
                let mut index = crate::dedup::near::NearIndex::default();
                for r in store.postings()? {
                    index.insert(&r.posting.id, crate::dedup::near::fingerprint(&r.posting));
                }
                Ok(index)
            })
            .await?;
        *app.near
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = near;
        if revalidate {
            app.revalidate().await?;
        }
        app.sync_index(false).await?;
        Ok(app)
    }

    /// What the rules in use would change in the stored verdicts, without changing anything.
    pub async fn rules_diff(&self) -> Result<Vec<VerdictChange>, AppError> {
        let rules = self.rules.clone();
        self.store
            .run(move |store| {
                let records = store.postings()?;
                Ok(records
                    .into_iter()
                    .filter_map(|r| {
                        let new = rules.evaluate(&r.posting);
                        let old = r.verdict?;
                        (old.verdict != new.verdict || old.flagged != new.flagged).then(|| {
                            VerdictChange {
                                id: r.posting.id.clone(),
                                title: r.posting.title.clone(),
                                before: old,
                                after: new,
                            }
                        })
                    })
                    .collect())
            })
            .await
    }

    /// Re-validates every posting whose verdict was made by other rules (or is missing), stores
    /// the new verdicts and brings the index up to date. Returns how many were re-validated.
    pub async fn revalidate(&self) -> Result<usize, AppError> {
        let rules = self.rules.clone();
        let n = self
            .store
            .run(move |store| -> Result<usize, AppError> {
                let verdicts: Vec<_> = store
                    .postings()?
                    .iter()
                    .filter(|r| {
                        r.verdict
                            .as_ref()
                            .is_none_or(|v| v.rules_version != rules.version())
                    })
                    .map(|r| rules.evaluate(&r.posting))
                    .collect();
                Ok(store.replace_verdicts(&verdicts, chrono::Utc::now())?)
            })
            .await?;
        if n > 0 {
            tracing::info!(
                postings = n,
                rules_version = self.rules.version(),
                "re-validated under new rules"
            );
            self.sync_index(false).await?;
        }
        Ok(n)
    }

    /// Rebuilds the index from the store when it lags behind (or always, with `force`).
    /// Returns the number of postings indexed, or `None` if the index was current.
    pub async fn sync_index(&self, force: bool) -> Result<Option<usize>, AppError> {
        let app = self.clone();
        self.store
            .run(move |store| {
                let generation = store.generation()?;
                if !force && app.index.generation() == Some(generation) {
                    return Ok(None);
                }
                let records = store.postings()?;
                app.index.rebuild(&records, generation)?;
                tracing::info!(
                    postings = records.len(),
                    generation,
                    "search index rebuilt from the store"
                );
                Ok(Some(records.len()))
            })
            .await
    }
}
