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
}

impl App {
    /// Opens the store (taking the data-directory lock), loads the rules, opens the index and
    /// rebuilds it if it lags behind the store.
    pub async fn open(config: Config, data_dir: &Path, rules: RuleSet) -> Result<Self, AppError> {
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
        let app = Self {
            config: Arc::new(config),
            store,
            index: Arc::new(index),
            rules: Arc::new(rules),
            fetcher,
            data_dir: data_dir.to_owned(),
        };
        app.sync_index(false).await?;
        Ok(app)
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
