//! The board simulator: serves fixture job boards on loopback for the demo and the tests.
//!
//! Files come from the `fixtures/boards/` folder built into the binary, or from a folder on
//! disk (tests that change a board between crawls). The text `{{base}}` in a file is replaced
//! by the simulator's own `http://127.0.0.1:PORT`, so feeds can link to their ad pages. Every
//! answer carries an `ETag`, and `If-None-Match` gets a 304. Pages are sent without a charset
//! in `Content-Type`, so that each file's own declaration (XML prolog, `<meta>`) is what counts.
//! It also simulates the France Travail API (`/france-travail/token`, `.../offres/search` with
//! `range` paging over `france-travail/resultats-*.json`) and a broken board (`/board-panne/`).

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::model::{Source, SourceKind};

static BOARDS: include_dir::Dir<'_> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/boards");

/// Where the simulator reads its boards.
#[derive(Debug, Clone)]
pub enum Boards {
    /// The fixtures built into the binary.
    Builtin,
    /// A folder on disk, read at each request.
    Dir(PathBuf),
}

#[derive(Clone)]
struct SimState {
    boards: Boards,
    base: String,
}

/// A running simulator; stops when dropped.
pub struct Simulator {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Simulator {
    /// Starts serving on 127.0.0.1 (`port` 0 picks a free one).
    pub async fn start(boards: Boards, port: u16) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let state = SimState {
            boards,
            base: format!("http://{addr}"),
        };
        let app = Router::new()
            .route("/france-travail/token", axum::routing::post(ft_token))
            .route(
                "/france-travail/api/offres/search",
                axum::routing::get(ft_search),
            )
            .route("/board-panne/{*path}", axum::routing::get(broken))
            .route("/{*path}", axum::routing::get(serve_file))
            .with_state(state);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("board simulator stopped: {e}");
            }
        });
        Ok(Self { addr, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The demo's sources: one per board the simulator serves, and the broken one.
    pub fn demo_sources(&self) -> Vec<Source> {
        let base = self.base_url();
        let source = |name: &str, kind, path: &str| Source {
            name: name.into(),
            kind,
            url: format!("{base}{path}"),
            schedule: "0 */30 * * * *".into(),
            follow_links: false,
            links: None,
            next: None,
            fields: Default::default(),
            display_name: Some(format!("{name} (démo)")),
            terms: None,
        };
        let fields = [
            ("title", "h1"),
            ("description", ".descriptif"),
            ("employer", ".employeur"),
            ("location", ".lieu"),
            ("contract", ".contrat"),
            ("published", "time@datetime"),
            ("valid_through", ".limite"),
        ];
        vec![
            Source {
                follow_links: true,
                ..source("board-rss", SourceKind::Feed, "/board-rss/offres.rss")
            },
            source("board-atom", SourceKind::Feed, "/board-atom/offres.atom"),
            Source {
                links: Some("a.offre".into()),
                next: Some("a[rel=next]".into()),
                ..source(
                    "board-jsonld",
                    SourceKind::Jsonld,
                    "/board-jsonld/offres/page-1.html",
                )
            },
            Source {
                links: Some("li.job a".into()),
                next: Some("a.suivant".into()),
                fields: fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                ..source(
                    "board-html",
                    SourceKind::Html,
                    "/board-html/emplois/index.html",
                )
            },
            source(
                "france-travail",
                SourceKind::FranceTravail,
                "/france-travail/api",
            ),
            source("board-panne", SourceKind::Feed, "/board-panne/offres.rss"),
        ]
    }

    /// France Travail settings of the demo's `france-travail` source (credentials « demo »).
    pub fn demo_france_travail(&self) -> crate::config::FranceTravailConfig {
        crate::config::FranceTravailConfig {
            token_url: format!("{}/france-travail/token", self.base_url()),
            client_id_env: "FT_CLIENT_ID".into(),
            client_secret_env: "FT_CLIENT_SECRET".into(),
            keywords: "animateur numérique".into(),
            page_size: 3,
            credentials: Some((DEMO_CLIENT.into(), DEMO_SECRET.into())),
        }
    }
}

/// Credentials the simulated France Travail API accepts.
pub const DEMO_CLIENT: &str = "demo";
/// See `DEMO_CLIENT`.
pub const DEMO_SECRET: &str = "demo-secret";
/// The token the simulated API hands out.
const DEMO_TOKEN: &str = "jeton-de-demonstration";

async fn read(state: &SimState, path: &str) -> Option<Vec<u8>> {
    match &state.boards {
        Boards::Builtin => BOARDS.get_file(path).map(|f| f.contents().to_vec()),
        Boards::Dir(dir) => tokio::fs::read(dir.join(path)).await.ok(),
    }
}

/// Replaces `{{base}}` byte-wise: it is ASCII, so this is safe in any ASCII-compatible charset.
fn with_base(bytes: Vec<u8>, base: &str) -> Vec<u8> {
    const MARK: &[u8] = b"{{base}}";
    if !bytes.windows(MARK.len()).any(|w| w == MARK) {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(MARK) {
            out.extend_from_slice(base.as_bytes());
            i += MARK.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

async fn ft_token(
    axum::extract::Form(form): axum::extract::Form<std::collections::HashMap<String, String>>,
) -> Response {
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").map(String::as_str) == Some(DEMO_CLIENT)
        && form.get("client_secret").map(String::as_str) == Some(DEMO_SECRET);
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    axum::Json(
        serde_json::json!({"access_token": DEMO_TOKEN, "token_type": "Bearer", "expires_in": 1499}),
    )
    .into_response()
}

async fn ft_search(
    State(state): State<SimState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if bearer != Some(&format!("Bearer {DEMO_TOKEN}")) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut offers = Vec::new();
    for file in [
        "france-travail/resultats-0-2.json",
        "france-travail/resultats-3-4.json",
    ] {
        let Some(bytes) = read(&state, file).await else {
            continue;
        };
        let bytes = with_base(bytes, &state.base);
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            offers.extend(v["resultats"].as_array().cloned().unwrap_or_default());
        }
    }
    let (start, end) = q
        .get("range")
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)))
        .unwrap_or((0, 149));
    // The real API's limits: at most 150 offers per call, first index at most 3000, last at
    // most 3149; anything else is a 400.
    if end < start
        || end - start >= 150
        || start > crate::crawl::france_travail::MAX_FIRST_INDEX
        || end > crate::crawl::france_travail::MAX_LAST_INDEX
    {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"codeErreur": "ERR_RANGE", "message": format!("range {start}-{end} invalide")})),
        )
            .into_response();
    }
    if start >= offers.len() {
        return StatusCode::NO_CONTENT.into_response();
    }
    // A board folder may cap the offers per answer (`france-travail/page-cap`), as servers that
    // return fewer than asked do.
    let cap = read(&state, "france-travail/page-cap")
        .await
        .and_then(|b| String::from_utf8(b).ok()?.trim().parse::<usize>().ok())
        .unwrap_or(usize::MAX)
        .max(1);
    let last = end.min(offers.len() - 1).min(start.saturating_add(cap - 1));
    let page: Vec<_> = offers[start..=last].to_vec();
    let status = if start == 0 && last + 1 == offers.len() {
        StatusCode::OK
    } else {
        StatusCode::PARTIAL_CONTENT
    };
    let range = format!("offres {start}-{last}/{}", offers.len());
    (
        status,
        [(header::CONTENT_RANGE, range)],
        axum::Json(serde_json::json!({"resultats": page, "filtresPossibles": []})),
    )
        .into_response()
}

async fn broken() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "panne du serveur de démonstration",
    )
        .into_response()
}

async fn serve_file(
    State(state): State<SimState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    if path.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(bytes) = read(&state, &path).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = with_base(bytes, &state.base);
    let etag = format!("\"{}\"", crate::model::hex16(&Sha256::digest(&bytes)));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let content_type = match path.rsplit('.').next() {
        Some("rss" | "xml") => "application/rss+xml",
        Some("atom") => "application/atom+xml",
        Some("json") => "application/json",
        Some("html") => "text/html",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::ETAG, etag),
        ],
        bytes,
    )
        .into_response()
}
