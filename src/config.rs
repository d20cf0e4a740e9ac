//! Configuration: `antenne.toml` read strictly into raw structs, then validated into `Config`.
//!
//! Unknown keys and bad values are errors that name the file and the key. This module reads the
//! one file it is given and nothing else; it never touches the network or the store.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use thiserror::Error;

use crate::model::{Source, SourceKind};

/// The ad fields an `html` source may read with CSS selectors.
pub const FIELD_NAMES: &[&str] = &[
    "title",
    "description",
    "employer",
    "location",
    "contract",
    "hours",
    "salary",
    "published",
    "valid_through",
];

/// Default crawl schedule: every two hours, on the hour.
pub const DEFAULT_SCHEDULE: &str = "0 0 */2 * * *";
/// Default address of the web server.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Default total time for one HTTP request, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// Default time to establish a connection, in seconds.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// Default cap on one response body, counted after decompression.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;
/// Default cap on the ads taken from one source in one run.
pub const DEFAULT_MAX_ITEMS: usize = 2_000;
/// Default least time between two requests to the same host, in milliseconds (a robots.txt
/// `Crawl-delay` may ask for more).
pub const DEFAULT_MIN_INTERVAL_MS: u64 = 1_000;
/// Default most requests in flight to one host.
pub const DEFAULT_PER_HOST_CONCURRENCY: usize = 2;
/// Default retries of a transient failure (timeout, reset, 429, 5xx).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default API requests per second per client, after the burst.
pub const DEFAULT_API_REQUESTS_PER_SECOND: u32 = 10;
/// Default API burst per client.
pub const DEFAULT_API_BURST: u32 = 30;
/// Default weekly digest schedule (Europe/Paris).
pub const DEFAULT_DIGEST_SCHEDULE: &str = "0 0 8 * * Mon";

/// A configuration that cannot be used. Every variant names the file and, where known, the key.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML for antenne (syntax, unknown key, wrong type).
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What toml said, which names the key and line.
        message: String,
    },
    /// A value parsed but is not acceptable.
    #[error("{path}: {key}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The key at fault, e.g. `sources[1].schedule`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    crawl: RawCrawl,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    web: RawWeb,
    smtp: Option<RawSmtp>,
    #[serde(default)]
    digest: RawDigest,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrawl {
    allow_private_addresses: Option<bool>,
    timeout_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
    max_body_bytes: Option<u64>,
    max_items_per_source: Option<usize>,
    min_interval_ms: Option<u64>,
    per_host_concurrency: Option<usize>,
    max_retries: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    kind: SourceKind,
    url: String,
    schedule: Option<String>,
    follow_links: Option<bool>,
    links: Option<String>,
    next: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    token_url: Option<String>,
    client_id_env: Option<String>,
    client_secret_env: Option<String>,
    keywords: Option<String>,
    page_size: Option<usize>,
    display_name: Option<String>,
    terms: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeb {
    addr: Option<String>,
    base_url: Option<String>,
    api_requests_per_second: Option<u32>,
    api_burst: Option<u32>,
    editor: Option<String>,
    contact: Option<String>,
    host: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    metrics_token_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: String,
    port: Option<u16>,
    tls: Option<String>,
    username_env: Option<String>,
    password_env: Option<String>,
    from: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDigest {
    schedule: Option<String>,
    #[serde(default)]
    staff: Vec<String>,
    outbox: Option<PathBuf>,
}

/// Crawl limits and permissions.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Allow loopback and private addresses (demo and tests only).
    pub allow_private_addresses: bool,
    /// Total time for one request.
    pub timeout: std::time::Duration,
    /// Time to connect.
    pub connect_timeout: std::time::Duration,
    /// Cap on one decoded body.
    pub max_body_bytes: u64,
    /// Cap on ads per source per run.
    pub max_items_per_source: usize,
    /// Least time between two requests to one host.
    pub min_interval: std::time::Duration,
    /// Most requests in flight to one host.
    pub per_host_concurrency: usize,
    /// Retries of a transient failure.
    pub max_retries: u32,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            timeout: std::time::Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            connect_timeout: std::time::Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_items_per_source: DEFAULT_MAX_ITEMS,
            min_interval: std::time::Duration::from_millis(DEFAULT_MIN_INTERVAL_MS),
            per_host_concurrency: DEFAULT_PER_HOST_CONCURRENCY,
            max_retries: DEFAULT_MAX_RETRIES,
        }
    }
}

/// France Travail API credentials and query (kind `france_travail`).
#[derive(Debug, Clone)]
pub struct FranceTravailConfig {
    /// OAuth2 token endpoint.
    pub token_url: String,
    /// Environment variable holding the client id.
    pub client_id_env: String,
    /// Environment variable holding the client secret.
    pub client_secret_env: String,
    /// Search keywords.
    pub keywords: String,
    /// Offers asked per call (the API allows at most 150).
    pub page_size: usize,
    /// Credentials given directly (the demo's simulated API); `None` reads the environment.
    pub credentials: Option<(String, String)>,
}

/// Web server settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Listening address.
    pub addr: SocketAddr,
    /// Public URL, used in emails and feeds.
    pub base_url: String,
    /// API requests per second per client address, after the burst; 0 turns the limit off.
    pub api_requests_per_second: u32,
    /// API requests a client may send at once.
    pub api_burst: u32,
    /// Who publishes the site, for the legal notice.
    pub editor: Option<String>,
    /// Contact about personal data, for the legal notice.
    pub contact: Option<String>,
    /// The hosting provider, for the legal notice.
    pub host: Option<String>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` / `Forwarded`
    /// headers name the client, for the rate limits and the login throttle.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Environment variable holding a bearer token that opens `/metrics` beyond loopback.
    pub metrics_token_env: Option<String>,
}

/// How to reach the mail server.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host name or IP.
    pub host: String,
    /// Port.
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub tls: String,
    /// Environment variable holding the user name.
    pub username_env: Option<String>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
    /// Sender.
    pub from: String,
}

/// Weekly digest settings.
#[derive(Debug, Clone)]
pub struct DigestConfig {
    /// Cron expression, Europe/Paris.
    pub schedule: String,
    /// Staff recipients.
    pub staff: Vec<String>,
    /// Folder of `.eml` files when no SMTP server is configured.
    pub outbox: Option<PathBuf>,
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Crawl limits.
    pub crawl: CrawlConfig,
    /// Sources, names unique.
    pub sources: Vec<Source>,
    /// API settings of `france_travail` sources, by source name.
    pub france_travail: BTreeMap<String, FranceTravailConfig>,
    /// Web server.
    pub web: WebConfig,
    /// Mail server, if any.
    pub smtp: Option<SmtpConfig>,
    /// Digest.
    pub digest: DigestConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self::from_toml_str("", "<built-in defaults>").expect("the empty configuration is valid")
    }
}

impl Config {
    /// Reads and validates a configuration file. Relative paths in it (`digest.outbox`) are
    /// read from the file's folder, not from wherever the service was started.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut config = Self::from_toml_str(&text, &path.display().to_string())?;
        let folder = path.parent().unwrap_or(Path::new(""));
        if let Some(outbox) = config.digest.outbox.as_mut()
            && outbox.is_relative()
        {
            *outbox = folder.join(&*outbox);
        }
        Ok(config)
    }

    /// Parses and validates configuration text; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        Validator { origin }.config(raw)
    }
}

struct Validator<'a> {
    origin: &'a str,
}

impl Validator<'_> {
    fn invalid(&self, key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.origin.to_owned(),
            key: key.into(),
            message: message.into(),
        }
    }

    fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let crawl = self.crawl(&raw.crawl)?;
        let mut names = HashSet::new();
        let mut sources = Vec::new();
        let mut france_travail = BTreeMap::new();
        for (i, rs) in raw.sources.into_iter().enumerate() {
            let key = format!("sources[{i}]");
            if !names.insert(rs.name.clone()) {
                return Err(self.invalid(
                    format!("{key}.name"),
                    format!("duplicate source name {:?}", rs.name),
                ));
            }
            let (source, ft) = self.source(&key, rs)?;
            if let Some(ft) = ft {
                france_travail.insert(source.name.clone(), ft);
            }
            sources.push(source);
        }
        let web = self.web(raw.web)?;
        let smtp = raw.smtp.map(|s| self.smtp(s)).transpose()?;
        let schedule = raw
            .digest
            .schedule
            .unwrap_or_else(|| DEFAULT_DIGEST_SCHEDULE.to_owned());
        self.cron("digest.schedule", &schedule)?;
        for (i, address) in raw.digest.staff.iter().enumerate() {
            address.parse::<lettre::Address>().map_err(|e| {
                self.invalid(
                    format!("digest.staff[{i}]"),
                    format!("{address:?} is not an email address: {e}"),
                )
            })?;
        }
        Ok(Config {
            crawl,
            sources,
            france_travail,
            web,
            smtp,
            digest: DigestConfig {
                schedule,
                staff: raw.digest.staff,
                outbox: raw.digest.outbox,
            },
        })
    }

    fn crawl(&self, raw: &RawCrawl) -> Result<CrawlConfig, ConfigError> {
        let d = CrawlConfig::default();
        let secs = |key: &str, v: Option<u64>, default: std::time::Duration| match v {
            None => Ok(default),
            Some(0) => Err(self.invalid(format!("crawl.{key}"), "must be at least 1 second")),
            Some(n) if n > 600 => {
                Err(self.invalid(format!("crawl.{key}"), "must be at most 600 seconds"))
            }
            Some(n) => Ok(std::time::Duration::from_secs(n)),
        };
        let max_body_bytes = raw.max_body_bytes.unwrap_or(d.max_body_bytes);
        if max_body_bytes < 1024 {
            return Err(self.invalid("crawl.max_body_bytes", "must be at least 1024"));
        }
        let max_items_per_source = raw.max_items_per_source.unwrap_or(d.max_items_per_source);
        if max_items_per_source == 0 {
            return Err(self.invalid("crawl.max_items_per_source", "must be at least 1"));
        }
        let min_interval_ms = raw.min_interval_ms.unwrap_or(DEFAULT_MIN_INTERVAL_MS);
        if min_interval_ms > 60_000 {
            return Err(self.invalid("crawl.min_interval_ms", "must be at most 60000"));
        }
        let per_host_concurrency = raw
            .per_host_concurrency
            .unwrap_or(DEFAULT_PER_HOST_CONCURRENCY);
        if !(1..=16).contains(&per_host_concurrency) {
            return Err(self.invalid("crawl.per_host_concurrency", "must be between 1 and 16"));
        }
        let max_retries = raw.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
        if max_retries > 10 {
            return Err(self.invalid("crawl.max_retries", "must be at most 10"));
        }
        Ok(CrawlConfig {
            min_interval: std::time::Duration::from_millis(min_interval_ms),
            per_host_concurrency,
            max_retries,
            allow_private_addresses: raw.allow_private_addresses.unwrap_or(false),
            timeout: secs("timeout_secs", raw.timeout_secs, d.timeout)?,
            connect_timeout: secs(
                "connect_timeout_secs",
                raw.connect_timeout_secs,
                d.connect_timeout,
            )?,
            max_body_bytes,
            max_items_per_source,
        })
    }

    fn source(
        &self,
        key: &str,
        raw: RawSource,
    ) -> Result<(Source, Option<FranceTravailConfig>), ConfigError> {
        if raw.name.trim().is_empty() {
            return Err(self.invalid(format!("{key}.name"), "must not be empty"));
        }
        self.http_url(&format!("{key}.url"), &raw.url)?;
        let schedule = raw.schedule.unwrap_or_else(|| DEFAULT_SCHEDULE.to_owned());
        self.cron(&format!("{key}.schedule"), &schedule)?;
        for (field, sel) in raw
            .links
            .iter()
            .map(|s| ("links", s))
            .chain(raw.next.iter().map(|s| ("next", s)))
        {
            self.selector(&format!("{key}.{field}"), sel)?;
        }
        for (field, sel) in &raw.fields {
            let at = format!("{key}.fields.{field}");
            if !FIELD_NAMES.contains(&field.as_str()) {
                return Err(self.invalid(
                    at,
                    format!(
                        "unknown field {field:?} (known: {})",
                        FIELD_NAMES.join(", ")
                    ),
                ));
            }
            let (css, attr) = match sel.split_once('@') {
                Some((css, attr)) => (css, Some(attr)),
                None => (sel.as_str(), None),
            };
            if let Some(attr) = attr {
                let valid = attr
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && attr
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
                if !valid {
                    return Err(self.invalid(
                        at,
                        format!(
                            "{sel:?}: after \"@\" comes an attribute name, like \"time@datetime\""
                        ),
                    ));
                }
            }
            self.selector(&at, css)?;
        }
        // Keys that belong to another kind of source are mistakes, not options.
        let present = |v: bool, name: &str| v.then(|| name.to_owned());
        let foreign: Vec<String> = match raw.kind {
            SourceKind::Feed => [
                present(raw.links.is_some(), "links"),
                present(raw.next.is_some(), "next"),
                present(!raw.fields.is_empty(), "fields"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            SourceKind::Jsonld | SourceKind::Html | SourceKind::FranceTravail => [
                present(raw.follow_links.is_some(), "follow_links"),
                present(
                    raw.kind != SourceKind::Html && !raw.fields.is_empty(),
                    "fields",
                ),
                present(
                    raw.kind == SourceKind::FranceTravail && raw.links.is_some(),
                    "links",
                ),
                present(
                    raw.kind == SourceKind::FranceTravail && raw.next.is_some(),
                    "next",
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        let ft_keys = [
            present(raw.token_url.is_some(), "token_url"),
            present(raw.client_id_env.is_some(), "client_id_env"),
            present(raw.client_secret_env.is_some(), "client_secret_env"),
            present(raw.keywords.is_some(), "keywords"),
            present(raw.page_size.is_some(), "page_size"),
        ];
        let foreign: Vec<String> = foreign
            .into_iter()
            .chain(
                ft_keys
                    .into_iter()
                    .flatten()
                    .filter(|_| raw.kind != SourceKind::FranceTravail),
            )
            .collect();
        if let Some(k) = foreign.first() {
            return Err(self.invalid(
                format!("{key}.{k}"),
                format!("not a key of kind {:?}", raw.kind.as_str()),
            ));
        }
        let needs_links = matches!(raw.kind, SourceKind::Jsonld | SourceKind::Html);
        if needs_links && raw.links.is_none() {
            return Err(self.invalid(
                format!("{key}.links"),
                format!(
                    "kind {:?} needs a CSS selector of ad links",
                    raw.kind.as_str()
                ),
            ));
        }
        let ft = if raw.kind == SourceKind::FranceTravail {
            let need = |field: &str, v: Option<String>| {
                v.ok_or_else(|| {
                    self.invalid(
                        format!("{key}.{field}"),
                        "required for kind \"france_travail\"",
                    )
                })
            };
            let token_url = need("token_url", raw.token_url)?;
            self.http_url(&format!("{key}.token_url"), &token_url)?;
            Some(FranceTravailConfig {
                token_url,
                client_id_env: need("client_id_env", raw.client_id_env)?,
                client_secret_env: need("client_secret_env", raw.client_secret_env)?,
                keywords: raw
                    .keywords
                    .unwrap_or_else(|| "animateur numérique".to_owned()),
                page_size: match raw.page_size {
                    None => 150,
                    Some(n @ 1..=150) => n,
                    Some(_) => {
                        return Err(
                            self.invalid(format!("{key}.page_size"), "must be between 1 and 150")
                        );
                    }
                },
                credentials: None,
            })
        } else {
            None
        };
        let source = Source {
            name: raw.name,
            kind: raw.kind,
            url: raw.url,
            schedule,
            follow_links: raw.follow_links.unwrap_or(false),
            links: raw.links,
            next: raw.next,
            fields: raw.fields,
            display_name: raw.display_name.filter(|d| !d.trim().is_empty()),
            terms: raw.terms,
        };
        Ok((source, ft))
    }

    fn web(&self, raw: RawWeb) -> Result<WebConfig, ConfigError> {
        let addr_text = raw.addr.unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr = addr_text.parse().map_err(|_| {
            self.invalid(
                "web.addr",
                format!("{addr_text:?} is not an IP address with a port"),
            )
        })?;
        let base_url = raw.base_url.unwrap_or_else(|| format!("http://{addr}"));
        self.http_url("web.base_url", &base_url)?;
        let api_burst = raw.api_burst.unwrap_or(DEFAULT_API_BURST);
        if api_burst == 0 {
            return Err(self.invalid("web.api_burst", "must be at least 1"));
        }
        Ok(WebConfig {
            addr,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_requests_per_second: raw
                .api_requests_per_second
                .unwrap_or(DEFAULT_API_REQUESTS_PER_SECOND),
            api_burst,
            editor: raw.editor.filter(|s| !s.trim().is_empty()),
            contact: raw.contact.filter(|s| !s.trim().is_empty()),
            host: raw.host.filter(|s| !s.trim().is_empty()),
            trusted_proxies: raw
                .trusted_proxies
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let p = p.trim();
                    p.parse::<ipnet::IpNet>()
                        .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            self.invalid(
                                format!("web.trusted_proxies[{i}]"),
                                format!("{p:?} is not an IP address or a CIDR block"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
            metrics_token_env: raw.metrics_token_env.filter(|s| !s.trim().is_empty()),
        })
    }

    fn smtp(&self, raw: RawSmtp) -> Result<SmtpConfig, ConfigError> {
        let tls = raw.tls.unwrap_or_else(|| "starttls".to_owned());
        if !matches!(tls.as_str(), "none" | "starttls" | "tls") {
            return Err(self.invalid(
                "smtp.tls",
                format!("{tls:?} is not one of none, starttls, tls"),
            ));
        }
        if raw.host.trim().is_empty() {
            return Err(self.invalid("smtp.host", "must not be empty"));
        }
        raw.from.parse::<lettre::message::Mailbox>().map_err(|e| {
            self.invalid(
                "smtp.from",
                format!(
                    "{:?} is not a sender like \"antenne <veille@example.org>\": {e}",
                    raw.from
                ),
            )
        })?;
        if raw.port == Some(0) {
            return Err(self.invalid("smtp.port", "must be between 1 and 65535"));
        }
        Ok(SmtpConfig {
            port: raw.port.unwrap_or(if tls == "tls" { 465 } else { 587 }),
            host: raw.host,
            tls,
            username_env: raw.username_env,
            password_env: raw.password_env,
            from: raw.from,
        })
    }

    fn http_url(&self, key: &str, text: &str) -> Result<(), ConfigError> {
        let url = url::Url::parse(text)
            .map_err(|e| self.invalid(key, format!("{text:?} is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(self.invalid(
                key,
                format!("{text:?}: only http and https URLs are allowed"),
            ));
        }
        if url.host_str().is_none() {
            return Err(self.invalid(key, format!("{text:?} has no host")));
        }
        Ok(())
    }

    fn cron(&self, key: &str, text: &str) -> Result<(), ConfigError> {
        let schedule = cron::Schedule::from_str(text).map_err(|e| {
            self.invalid(
                key,
                format!(
                    "{text:?} is not a valid cron expression ({e}); use 6 fields, seconds first, \
                     e.g. \"0 0 */2 * * *\""
                ),
            )
        })?;
        if schedule.upcoming(chrono::Utc).next().is_none() {
            return Err(self.invalid(
                key,
                format!("{text:?} never fires (no date to come matches it)"),
            ));
        }
        Ok(())
    }

    fn selector(&self, key: &str, css: &str) -> Result<(), ConfigError> {
        scraper::Selector::parse(css)
            .map(|_| ())
            .map_err(|e| self.invalid(key, format!("{css:?} is not a valid CSS selector: {e}")))
    }
}
