//! France Travail API access: OAuth2 client-credentials tokens, cached until shortly before
//! they expire, and the paged search request. Secrets are never logged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{CrawlError, Crawler, Fetched};
use crate::config::FranceTravailConfig;

/// A token is renewed this long before its announced expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// Scope of the offers API.
const SCOPE: &str = "api_offresdemploiv2 o2dsoffre";

/// Tokens by token URL and client id, shared across runs.
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl TokenCache {
    /// A valid token, from the cache or freshly requested.
    pub async fn token(
        &self,
        crawler: &Crawler,
        source: &str,
        cfg: &FranceTravailConfig,
    ) -> Result<String, CrawlError> {
        let (id, secret) = credentials(source, cfg)?;
        let key = format!("{}\u{0}{id}", cfg.token_url);
        if let Some((token, until)) = self.lock().get(&key).cloned()
            && Instant::now() + EXPIRY_MARGIN < until
        {
            return Ok(token);
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", SCOPE),
        ];
        let answer = crawler.fetcher().post_form(&cfg.token_url, &form).await?;
        let json: serde_json::Value =
            serde_json::from_slice(&answer.body).map_err(|e| CrawlError::Http {
                url: cfg.token_url.clone(),
                message: format!("token answer is not JSON: {e}"),
            })?;
        let token = json["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| CrawlError::Http {
                url: cfg.token_url.clone(),
                message: "token answer has no access_token".into(),
            })?;
        let lifetime = Duration::from_secs(json["expires_in"].as_u64().unwrap_or(600));
        self.lock()
            .insert(key, (token.to_owned(), Instant::now() + lifetime));
        Ok(token.to_owned())
    }

    /// Forgets a token the API refused.
    pub fn forget(&self, cfg: &FranceTravailConfig) {
        self.lock()
            .retain(|k, _| !k.starts_with(&format!("{}\u{0}", cfg.token_url)));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Instant)>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn credentials(source: &str, cfg: &FranceTravailConfig) -> Result<(String, String), CrawlError> {
    if let Some(c) = &cfg.credentials {
        return Ok(c.clone());
    }
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CrawlError::Credentials {
                source_name: source.to_owned(),
                variable: name.to_owned(),
            })
    };
    Ok((var(&cfg.client_id_env)?, var(&cfg.client_secret_env)?))
}

/// The search URL for offers `start..=end`.
pub fn search_url(api: &str, cfg: &FranceTravailConfig, start: usize, end: usize) -> String {
    let mut url = format!("{}/offres/search?", api.trim_end_matches('/'));
    url.push_str(
        &url::form_urlencoded::Serializer::new(String::new())
            .append_pair("motsCles", &cfg.keywords)
            .append_pair("range", &format!("{start}-{end}"))
            .finish(),
    );
    url
}

/// The API's limits: the first index asked may not pass this...
pub const MAX_FIRST_INDEX: usize = 3000;
/// ...nor the last this.
pub const MAX_LAST_INDEX: usize = 3149;

/// What `Content-Range: offres 0-149/1234` says: the range returned (first, last) and the
/// total, each when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Returned {
    /// First and last index of the offers in this answer.
    pub range: Option<(usize, usize)>,
    /// Offers matching the search.
    pub total: Option<usize>,
}

/// Reads the answer's `Content-Range`.
pub fn returned(answer: &Fetched) -> Returned {
    let header = answer.content_range.as_deref().unwrap_or_default();
    let spec = header.split_whitespace().last().unwrap_or_default();
    let (range, total) = spec.split_once('/').unwrap_or((spec, ""));
    Returned {
        range: range
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?))),
        total: total.trim().parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(range: Option<&str>) -> Fetched {
        Fetched {
            content_range: range.map(str::to_owned),
            ..Fetched::default()
        }
    }

    #[test]
    fn content_range_is_read_whole() {
        assert_eq!(
            returned(&answer(Some("offres 0-3/10"))),
            Returned {
                range: Some((0, 3)),
                total: Some(10)
            }
        );
        assert_eq!(
            returned(&answer(Some("offres 150-299/*"))),
            Returned {
                range: Some((150, 299)),
                total: None
            }
        );
        assert_eq!(
            returned(&answer(None)),
            Returned {
                range: None,
                total: None
            }
        );
    }
}
