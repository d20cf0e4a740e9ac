//! `GET /metrics`: crawl health per source, the posting counts, subscriptions and the digest
//! outbox, in Prometheus text format.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::{AppState, WebError};

/// Escapes a label value for the Prometheus text format.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Only for loopback (a collector on the host) or a request with the configured bearer token:
/// the counters tell how the service is run.
pub(super) async fn metrics(
    State(state): State<AppState>,
    client: Option<axum::Extension<super::network::ClientIp>>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, WebError> {
    if !state
        .network
        .may_read_metrics(client.map(|c| c.0), &headers)
    {
        return Err(WebError::Forbidden(
            "Les métriques ne sont lisibles que depuis la machine elle-même, ou avec le jeton configuré.".into(),
        ));
    }
    let (health, counts, outbox, subscriptions) = state
        .store
        .run(|s| {
            Ok::<_, crate::store::StoreError>((
                s.source_health()?,
                s.posting_counts()?,
                s.outbox_counts()?,
                s.subscription_counts()?,
            ))
        })
        .await
        .map_err(WebError::internal)?;
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, f64)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in rows {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    };
    let per_source = |f: &dyn Fn(&crate::store::SourceHealth) -> f64| -> Vec<(String, f64)> {
        health
            .iter()
            .map(|h| (format!("source=\"{}\"", label(&h.state.name)), f(h)))
            .collect()
    };
    family(
        "antenne_source_runs_total",
        "counter",
        "Crawl runs per source.",
        per_source(&|h| h.runs as f64),
    );
    family(
        "antenne_source_fetched_total",
        "counter",
        "Documents fetched with a body.",
        per_source(&|h| h.fetched as f64),
    );
    family(
        "antenne_source_not_modified_total",
        "counter",
        "Documents answered 304 Not Modified.",
        per_source(&|h| h.not_modified as f64),
    );
    family(
        "antenne_source_errors_total",
        "counter",
        "Errors while crawling.",
        per_source(&|h| h.errors as f64),
    );
    family(
        "antenne_source_ads_total",
        "counter",
        "Ads seen (new, updated or unchanged).",
        per_source(&|h| h.ads as f64),
    );
    family(
        "antenne_source_run_duration_seconds_sum",
        "counter",
        "Total crawl time.",
        per_source(&|h| h.duration_ms as f64 / 1000.0),
    );
    family(
        "antenne_source_run_duration_seconds_count",
        "counter",
        "Runs timed.",
        per_source(&|h| h.runs as f64),
    );
    family(
        "antenne_source_last_run_duration_seconds",
        "gauge",
        "Duration of the last run.",
        per_source(&|h| h.last_duration_ms as f64 / 1000.0),
    );
    family(
        "antenne_source_consecutive_failures",
        "gauge",
        "Failed runs in a row.",
        per_source(&|h| h.state.consecutive_failures as f64),
    );
    family(
        "antenne_postings",
        "gauge",
        "Stored postings by status and verdict.",
        counts
            .into_iter()
            .map(|(status, verdict, n)| {
                (
                    format!(
                        "status=\"{}\",verdict=\"{}\"",
                        label(&status),
                        label(&verdict)
                    ),
                    n as f64,
                )
            })
            .collect(),
    );
    family(
        "antenne_digest_messages",
        "gauge",
        "Digest outbox rows by state (pending, sending, sent, failed), all weeks.",
        outbox
            .into_iter()
            .map(|(status, n)| (format!("status=\"{}\"", label(&status)), n as f64))
            .collect(),
    );
    family(
        "antenne_subscriptions",
        "gauge",
        "Subscriptions by state.",
        [
            ("active", subscriptions.active),
            ("paused", subscriptions.paused),
            ("unconfirmed", subscriptions.unconfirmed),
        ]
        .into_iter()
        .map(|(st, n)| (format!("state=\"{st}\""), n as f64))
        .collect(),
    );
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    ))
}
