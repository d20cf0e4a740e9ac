//! The board simulator: serves fixture job boards on loopback for the demo and the tests.
//!
//! Files come from the `fixtures/boards/` folder built into the binary, or from a folder on
//! disk (tests that change a board between crawls). The text `{{base}}` in a file is replaced
//! by the simulator's own `http://127.0.0.1:PORT`, so feeds can link to their ad pages. Every
//! answer carries an `ETag`, and `If-None-Match` gets a 304.

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

    /// The demo's sources: one per board the simulator serves.
    pub fn demo_sources(&self) -> Vec<Source> {
        vec![Source {
            name: "board-rss".into(),
            kind: SourceKind::Feed,
            url: format!("{}/board-rss/offres.rss", self.base_url()),
            schedule: "0 */30 * * * *".into(),
            follow_links: true,
            links: None,
            next: None,
            fields: Default::default(),
        }]
    }
}

async fn serve_file(
    State(state): State<SimState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    if path.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let bytes = match &state.boards {
        Boards::Builtin => BOARDS.get_file(&path).map(|f| f.contents().to_vec()),
        Boards::Dir(dir) => tokio::fs::read(dir.join(&path)).await.ok(),
    };
    let Some(mut bytes) = bytes else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("{{base}}")
    {
        bytes = text.replace("{{base}}", &state.base).into_bytes();
    }
    let etag = format!("\"{}\"", crate::model::hex16(&Sha256::digest(&bytes)));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let content_type = match path.rsplit('.').next() {
        Some("rss" | "xml") => "application/rss+xml; charset=utf-8",
        Some("atom") => "application/atom+xml; charset=utf-8",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
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
