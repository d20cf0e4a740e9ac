//! The polite crawler: robots.txt, per-host concurrency and minimum interval, retries of
//! transient failures with capped exponential backoff and jitter, `Retry-After` honoured.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OnceCell, Semaphore};

use super::CrawlError;
use super::client::{Conditional, Fetched, Fetcher};
use super::robots::Robots;
use crate::config::CrawlConfig;

/// Longest wait a server's `Retry-After` may impose before we give up on the request.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// First backoff delay; doubled at each retry.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest backoff delay.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// The robots token we answer to.
const ROBOTS_AGENT: &str = "antenne";

struct Host {
    permits: Semaphore,
    limiter: Option<DefaultDirectRateLimiter>,
    robots: Robots,
}

/// A host's state, set by its first request: its rules and limits, or why it cannot be reached.
type HostCell = OnceCell<Result<Arc<Host>, CrawlError>>;

/// A crawler for one run: robots.txt is read once per host per run.
pub struct Crawler {
    fetcher: Fetcher,
    hosts: Mutex<HashMap<String, Arc<HostCell>>>,
    min_interval: Duration,
    per_host: usize,
    max_retries: u32,
}

impl Crawler {
    /// A crawler for one run over the shared client.
    pub fn new(fetcher: Fetcher, limits: &CrawlConfig) -> Self {
        Self {
            fetcher,
            hosts: Mutex::new(HashMap::new()),
            min_interval: limits.min_interval,
            per_host: limits.per_host_concurrency.max(1),
            max_retries: limits.max_retries,
        }
    }

    /// The shared low-level client (for requests that are not page fetches, like OAuth).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Fetches `url` politely: robots.txt, per-host limits, retries.
    pub async fn get(&self, url: &str, cond: &Conditional) -> Result<Fetched, CrawlError> {
        self.polite(url, cond, None).await
    }

    /// As `get`, with a bearer token (APIs).
    pub async fn get_authorized(&self, url: &str, bearer: &str) -> Result<Fetched, CrawlError> {
        self.polite(url, &Conditional::default(), Some(bearer))
            .await
    }

    async fn polite(
        &self,
        url: &str,
        cond: &Conditional,
        bearer: Option<&str>,
    ) -> Result<Fetched, CrawlError> {
        let host = self.host(url).await?;
        if !host.robots.allowed(url) {
            return Err(CrawlError::Robots {
                url: url.to_owned(),
                reason: host.robots.reason(),
            });
        }
        let _permit = host
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let mut attempt = 0;
        loop {
            if let Some(limiter) = &host.limiter {
                limiter.until_ready().await;
            }
            let result = match bearer {
                Some(token) => self.fetcher.fetch_authorized(url, token).await,
                None => self.fetcher.fetch(url, cond).await,
            };
            match result {
                Ok(f) => return Ok(f),
                Err(e) if attempt < self.max_retries && e.is_transient() => {
                    let wait = match e.retry_after() {
                        Some(after) if after > MAX_RETRY_AFTER => return Err(e),
                        Some(after) => after,
                        None => backoff(attempt),
                    };
                    tracing::debug!(
                        url,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying: {e}"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn host(&self, url: &str) -> Result<Arc<Host>, CrawlError> {
        let parsed = url::Url::parse(url).map_err(|e| CrawlError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        let origin = parsed.origin().ascii_serialization();
        let cell = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            hosts.entry(origin.clone()).or_default().clone()
        };
        // The first request to a host reads its robots.txt; the outcome, an unreachable host
        // included, holds for the rest of the run.
        let host = cell
            .get_or_init(|| async {
                let robots = self.robots(&origin).await?;
                let interval = robots.delay().unwrap_or_default().max(self.min_interval);
                let limiter = Quota::with_period(interval)
                    .map(|q| RateLimiter::direct(q.allow_burst(NonZeroU32::MIN)));
                Ok(Arc::new(Host {
                    permits: Semaphore::new(self.per_host),
                    limiter,
                    robots,
                }))
            })
            .await;
        host.clone()
    }

    /// RFC 9309: a 4xx means no rules; a 5xx means keep off this run; a host that cannot be
    /// reached (or is refused) fails the request with that cause.
    async fn robots(&self, origin: &str) -> Result<Robots, CrawlError> {
        let url = format!("{origin}/robots.txt");
        match self.fetcher.fetch(&url, &Conditional::default()).await {
            Ok(f) => Ok(Robots::parse(ROBOTS_AGENT, &f.body)),
            Err(CrawlError::Status { status, .. }) if (400..500).contains(&status) => {
                Ok(Robots::AllowAll)
            }
            Err(CrawlError::Status { status, .. }) => {
                tracing::warn!(
                    origin,
                    status,
                    "robots.txt answers an error: host skipped for this run"
                );
                Ok(Robots::DisallowAll(format!("HTTP status {status}")))
            }
            Err(e) => Err(e),
        }
    }
}

/// Capped exponential backoff with up to 50 % jitter.
fn backoff(attempt: u32) -> Duration {
    use std::hash::BuildHasher;
    let base = BACKOFF_BASE
        .saturating_mul(1 << attempt.min(16))
        .min(BACKOFF_CAP);
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    let jitter = base.mul_f64((random % 1000) as f64 / 2000.0);
    base + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) >= BACKOFF_BASE && backoff(0) <= BACKOFF_BASE.mul_f64(1.5));
        assert!(backoff(2) >= BACKOFF_BASE * 4);
        assert!(backoff(30) <= BACKOFF_CAP.mul_f64(1.5));
    }
}
