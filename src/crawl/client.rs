//! The shared HTTP client: User-Agent, timeouts, redirect policy, body cap, conditional GET.

use std::net::IpAddr;
use std::sync::Arc;

use reqwest::header::{self, HeaderMap};
use reqwest::redirect::Policy;

use super::CrawlError;
use super::guard::{GuardedResolver, is_private};
use crate::config::CrawlConfig;

/// Product token of our User-Agent; the full header adds a contact URL.
pub const USER_AGENT_PRODUCT: &str = concat!("antenne/", env!("CARGO_PKG_VERSION"));
/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Validators remembered from a previous fetch of the same URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// `ETag` header.
    pub etag: Option<String>,
    /// `Last-Modified` header.
    pub last_modified: Option<String>,
}

/// A fetched document.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// HTTP status (200, 206, 304...).
    pub status: u16,
    /// `Content-Range` header (paged APIs).
    pub content_range: Option<String>,
    /// The URL after redirects.
    pub url: String,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// Decoded body (empty when not modified).
    pub body: Vec<u8>,
    /// The server answered 304 to our validators.
    pub not_modified: bool,
    /// Validators for the next fetch.
    pub validators: Conditional,
}

/// The one HTTP client of a process; cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow_private: bool,
    max_body_bytes: u64,
}

impl Fetcher {
    /// Builds the client from the crawl limits; `contact` is the URL put in the User-Agent.
    pub fn new(limits: &CrawlConfig, contact: &str) -> Result<Self, CrawlError> {
        // Exactly one rustls provider (ring) is compiled in; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let allow_private = limits.allow_private_addresses;
        let policy = Policy::custom(move |attempt| {
            // `previous` holds the first URL too: five redirects make six URLs.
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            let url = attempt.url();
            if !matches!(url.scheme(), "http" | "https") {
                let msg = format!("redirect to a non-HTTP URL {url}");
                return attempt.error(msg);
            }
            if !allow_private && literal_ip(url).is_some_and(is_private) {
                let msg = format!("redirect to a private address {url}");
                return attempt.error(msg);
            }
            attempt.follow()
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(format!("{USER_AGENT_PRODUCT} (+{contact})"))
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            .redirect(policy);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = builder.build().map_err(|e| CrawlError::Http {
            url: String::new(),
            message: format!("cannot build the HTTP client: {e}"),
        })?;
        Ok(Self {
            client,
            allow_private,
            max_body_bytes: limits.max_body_bytes,
        })
    }

    /// Fetches one URL with conditional GET; a 304 is a success with an empty body.
    pub async fn fetch(&self, url: &str, cond: &Conditional) -> Result<Fetched, CrawlError> {
        self.request(url, cond, None, None).await
    }

    /// GET with a bearer token (APIs).
    pub async fn fetch_authorized(&self, url: &str, bearer: &str) -> Result<Fetched, CrawlError> {
        self.request(url, &Conditional::default(), Some(bearer), None)
            .await
    }

    /// POST of a form (OAuth2 token requests).
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<Fetched, CrawlError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.request(url, &Conditional::default(), None, Some(body))
            .await
    }

    async fn request(
        &self,
        url: &str,
        cond: &Conditional,
        bearer: Option<&str>,
        form: Option<String>,
    ) -> Result<Fetched, CrawlError> {
        let parsed = url::Url::parse(url).map_err(|e| CrawlError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(CrawlError::InvalidUrl {
                url: url.to_owned(),
                reason: "only http and https are fetched".into(),
            });
        }
        if !self.allow_private && literal_ip(&parsed).is_some_and(is_private) {
            return Err(CrawlError::Refused {
                url: url.to_owned(),
                reason: "loopback or private address (set crawl.allow_private_addresses to allow)"
                    .into(),
            });
        }
        let mut request = match form {
            Some(body) => self
                .client
                .post(parsed)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body),
            None => self.client.get(parsed),
        };
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(etag) = &cond.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &cond.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, lm);
        }
        let mut response = request.send().await.map_err(|e| map_error(url, &e))?;
        let final_url = response.url().to_string();
        let status = response.status();
        let validators = validators(response.headers());
        let content_range = response
            .headers()
            .get(header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched {
                status: 304,
                content_range,
                url: final_url,
                content_type: None,
                body: Vec::new(),
                not_modified: true,
                validators: cond.clone(),
            });
        }
        if !status.is_success() {
            return Err(CrawlError::Status {
                url: final_url,
                status: status.as_u16(),
                retry_after: retry_after(response.headers()),
            });
        }
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        // Counted on decoded bytes: gzip and brotli are decoded before chunks reach us.
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| map_error(&final_url, &e))?
        {
            if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                return Err(CrawlError::TooLarge {
                    url: final_url,
                    cap: self.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status: status.as_u16(),
            content_range,
            url: final_url,
            content_type,
            body,
            not_modified: false,
            validators,
        })
    }
}

fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<std::time::Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
        .or(Some(std::time::Duration::ZERO))
}

fn validators(headers: &HeaderMap) -> Conditional {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    Conditional {
        etag: get(header::ETAG),
        last_modified: get(header::LAST_MODIFIED),
    }
}

fn map_error(url: &str, e: &reqwest::Error) -> CrawlError {
    let url = url.to_owned();
    if e.is_timeout() {
        CrawlError::Timeout { url }
    } else if e.is_redirect() {
        CrawlError::Redirect {
            url,
            message: error_chain(e),
        }
    } else if e.is_connect() {
        CrawlError::Connect {
            url,
            message: error_chain(e),
        }
    } else {
        CrawlError::Http {
            url,
            message: error_chain(e),
        }
    }
}

/// The error and its causes on one line: reqwest's top-level message alone says little.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
