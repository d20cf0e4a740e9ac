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

/// The total announced by `Content-Range: offres 0-149/1234`.
pub fn total(answer: &Fetched) -> Option<usize> {
    answer
        .content_range
        .as_deref()?
        .rsplit('/')
        .next()?
        .trim()
        .parse()
        .ok()
}
