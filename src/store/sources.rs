//! Sources' crawl state: HTTP validators per URL, runs, health.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, ts};
use crate::model::Source;

/// HTTP validators remembered for one URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

/// The outcome of one run of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunRecord {
    /// Source name.
    pub source: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: DateTime<Utc>,
    /// Documents fetched with a body.
    pub fetched: u32,
    /// Documents answered 304.
    pub not_modified: u32,
    /// New postings.
    pub new: u32,
    /// Changed postings.
    pub updated: u32,
    /// Postings seen again unchanged.
    pub unchanged: u32,
    /// Errors (the run may still have stored postings).
    pub errors: u32,
    /// Postings flagged among new and updated.
    pub flagged: u32,
    /// Kind of the error that stopped the source, if any.
    pub error_kind: Option<String>,
    /// Message of that error.
    pub error: Option<String>,
    /// The last fault that cost one ad only (the run went on), naming the ad.
    pub item_fault: Option<String>,
    /// What a document of the source needed repaired to be read (« bare « & » escaped »),
    /// naming the document.
    pub repaired: Option<String>,
}

/// A source's health as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    /// Name.
    pub name: String,
    /// Last run.
    pub last_run_at: Option<String>,
    /// Next planned run.
    pub next_run_at: Option<String>,
    /// Last run without a fatal error.
    pub last_success_at: Option<String>,
    /// Kind of the last fatal error.
    pub last_error_kind: Option<String>,
    /// The last fault that cost one ad only (message, time); kept until another replaces it.
    pub last_item_fault: Option<(String, String)>,
    /// The last repair a document of the source needed (message, time).
    pub last_repair: Option<(String, String)>,
    /// Message of the last fatal error.
    pub last_error: Option<String>,
    /// Failed runs in a row.
    pub consecutive_failures: i64,
}

impl Store {
    /// Records the configured sources (name, kind, URL), keeping their state.
    pub fn sync_sources(&self, sources: &[Source]) -> Result<(), StoreError> {
        let conn = self.conn();
        for s in sources {
            conn.execute(
                "INSERT INTO sources (name, kind, url) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url",
                params![s.name, s.kind.as_str(), s.url],
            )
            .map_err(|e| self.sql_err(e))?;
        }
        Ok(())
    }

    /// Validators remembered for a URL.
    pub fn validators(&self, url: &str) -> Result<Validators, StoreError> {
        self.conn()
            .query_row(
                "SELECT etag, last_modified FROM http_cache WHERE url = ?1",
                [url],
                |r| {
                    Ok(Validators {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.sql_err(e))
    }

    /// Remembers validators for a URL (call only once its content is stored).
    pub fn save_validators(
        &self,
        url: &str,
        v: &Validators,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO http_cache (url, etag, last_modified, fetched_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, \
                 fetched_at = excluded.fetched_at",
                params![url, v.etag, v.last_modified, ts(now)],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Records a run and updates the source's health.
    pub fn record_run(
        &self,
        run: &RunRecord,
        next_run_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT INTO crawl_runs (source, started_at, finished_at, fetched, not_modified, new, updated, \
             unchanged, errors, flagged, error_kind, error, item_fault, repaired) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                run.source,
                ts(run.started_at),
                ts(run.finished_at),
                run.fetched,
                run.not_modified,
                run.new,
                run.updated,
                run.unchanged,
                run.errors,
                run.flagged,
                run.error_kind,
                run.error,
                run.item_fault,
                run.repaired
            ],
        )
        .map_err(sql)?;
        if run.repaired.is_some() {
            tx.execute(
                "UPDATE sources SET last_repair = ?2, last_repair_at = ?3 WHERE name = ?1",
                params![run.source, run.repaired, ts(run.finished_at)],
            )
            .map_err(sql)?;
        }
        if run.item_fault.is_some() {
            tx.execute(
                "UPDATE sources SET last_item_fault = ?2, last_item_fault_at = ?3 WHERE name = ?1",
                params![run.source, run.item_fault, ts(run.finished_at)],
            )
            .map_err(sql)?;
        }
        let next = next_run_at.map(ts);
        if run.error_kind.is_some() {
            tx.execute(
                "UPDATE sources SET last_run_at = ?2, next_run_at = ?3, last_error_kind = ?4, last_error = ?5, \
                 consecutive_failures = consecutive_failures + 1 WHERE name = ?1",
                params![run.source, ts(run.finished_at), next, run.error_kind, run.error],
            )
        } else {
            tx.execute(
                "UPDATE sources SET last_run_at = ?2, next_run_at = ?3, last_success_at = ?2, \
                 consecutive_failures = 0 WHERE name = ?1",
                params![run.source, ts(run.finished_at), next],
            )
        }
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// Every source's health.
    pub fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT name, last_run_at, next_run_at, last_success_at, last_error_kind, last_error, \
                 consecutive_failures, last_item_fault, last_item_fault_at, last_repair, last_repair_at \
                 FROM sources ORDER BY name",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceState {
                    name: r.get(0)?,
                    last_run_at: r.get(1)?,
                    next_run_at: r.get(2)?,
                    last_success_at: r.get(3)?,
                    last_error_kind: r.get(4)?,
                    last_error: r.get(5)?,
                    consecutive_failures: r.get(6)?,
                    last_item_fault: match (r.get(7)?, r.get(8)?) {
                        (Some(m), Some(at)) => Some((m, at)),
                        _ => None,
                    },
                    last_repair: match (r.get(9)?, r.get(10)?) {
                        (Some(m), Some(at)) => Some((m, at)),
                        _ => None,
                    },
                })
            })
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql_err(e))
    }
}

impl Store {
    /// Sets when a source runs next (after a backoff).
    pub fn set_next_run(&self, name: &str, next: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE sources SET next_run_at = ?2 WHERE name = ?1",
                params![name, ts(next)],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }
}

/// A source's health over its recorded runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceHealth {
    /// State (last run, last error, failures in a row).
    pub state: SourceState,
    /// Runs recorded.
    pub runs: i64,
    /// Documents fetched with a body.
    pub fetched: i64,
    /// Documents answered 304.
    pub not_modified: i64,
    /// Errors.
    pub errors: i64,
    /// Ads seen (new, updated, unchanged).
    pub ads: i64,
    /// Total run time.
    pub duration_ms: i64,
    /// Last run time.
    pub last_duration_ms: i64,
}

impl SourceHealth {
    /// Share of fetches answered 304.
    pub fn not_modified_share(&self) -> f64 {
        let all = self.fetched + self.not_modified;
        if all == 0 {
            0.0
        } else {
            self.not_modified as f64 / all as f64
        }
    }

    /// Ads seen per run, on average.
    pub fn ads_per_run(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.ads as f64 / self.runs as f64
        }
    }
}

impl Store {
    /// Every source's health, by name.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>, StoreError> {
        let states = self.source_states()?;
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT COUNT(*), COALESCE(SUM(fetched), 0), COALESCE(SUM(not_modified), 0), COALESCE(SUM(errors), 0), \
                 COALESCE(SUM(new + updated + unchanged), 0), \
                 COALESCE(SUM((julianday(finished_at) - julianday(started_at)) * 86400000), 0), \
                 COALESCE((SELECT (julianday(finished_at) - julianday(started_at)) * 86400000 FROM crawl_runs r2 \
                           WHERE r2.source = ?1 ORDER BY id DESC LIMIT 1), 0) \
                 FROM crawl_runs WHERE source = ?1",
            )
            .map_err(|e| self.sql_err(e))?;
        states
            .into_iter()
            .map(|state| {
                stmt.query_row([&state.name], |r| {
                    Ok(SourceHealth {
                        runs: r.get(0)?,
                        fetched: r.get(1)?,
                        not_modified: r.get(2)?,
                        errors: r.get(3)?,
                        ads: r.get(4)?,
                        duration_ms: r.get::<_, f64>(5)?.round() as i64,
                        last_duration_ms: r.get::<_, f64>(6)?.round() as i64,
                        state: state.clone(),
                    })
                })
                .map_err(|e| self.sql_err(e))
            })
            .collect()
    }
}

impl Store {
    /// Ads seen in each of a source's last `n` runs, oldest first (sparklines).
    pub fn recent_ads_per_run(&self, source: &str, n: usize) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT new + updated + unchanged FROM crawl_runs WHERE source = ?1 ORDER BY id DESC LIMIT {n}"
            ))
            .map_err(|e| self.sql_err(e))?;
        let mut v: Vec<i64> = stmt
            .query_map([source], |r| r.get(0))
            .map_err(|e| self.sql_err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.sql_err(e))?;
        v.reverse();
        Ok(v)
    }
}
