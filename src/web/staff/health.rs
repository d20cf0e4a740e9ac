//! `/revue/sources`: each source's health; `/revue/statistiques`: ads per week, per région and
//! the share flagged per category over time, as server-drawn SVG.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::Datelike;

use super::Staff;
use super::charts::{bars, sparkline};
use crate::model::VerdictCode;
use crate::web::{AppState, WebError};

pub(super) struct SourceRow {
    name: String,
    last_success: String,
    failures: i64,
    last_error: String,
    last_item_fault: String,
    last_repair: String,
    not_modified: String,
    ads_per_run: String,
    spark: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    staff: String,
    csrf: String,
    rows: Vec<SourceRow>,
}

pub(super) async fn sources(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, WebError> {
    let (health, sparks) = state
        .store
        .run(|s| -> Result<_, crate::store::StoreError> {
            let health = s.source_health()?;
            let sparks = health
                .iter()
                .map(|h| s.recent_ads_per_run(&h.state.name, 20))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((health, sparks))
        })
        .await
        .map_err(WebError::internal)?;
    let rows = health
        .into_iter()
        .zip(sparks)
        .map(|(h, spark)| SourceRow {
            spark: sparkline(
                &spark,
                &format!("annonces par exécution de {}", h.state.name),
            ),
            last_success: h
                .state
                .last_success_at
                .clone()
                .map(|t| crate::model::fr::moment_of(&t))
                .unwrap_or_else(|| "jamais".into()),
            failures: h.state.consecutive_failures,
            last_error: match (&h.state.last_error_kind, &h.state.last_error) {
                (Some(k), Some(m)) => format!("{k}\u{202f}: {m}"),
                _ => "aucune".into(),
            },
            last_item_fault: dated(h.state.last_item_fault.as_ref(), "aucune"),
            last_repair: dated(h.state.last_repair.as_ref(), "jamais"),
            not_modified: format!(
                "{}\u{a0}%",
                crate::model::fr::number((h.not_modified_share() * 100.0).round())
            ),
            ads_per_run: crate::model::fr::number((h.ads_per_run() * 10.0).round() / 10.0),
            name: h.state.name,
        })
        .collect();
    let page = SourcesPage {
        staff: staff.email,
        csrf: staff.csrf,
        rows,
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

/// Ads of one week, and of them the flagged ones per verdict.
type Week = (usize, BTreeMap<VerdictCode, usize>);

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    staff: String,
    csrf: String,
    per_week: String,
    per_region: String,
    flagged_share: String,
}

pub(super) async fn statistics(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, WebError> {
    let records = state
        .store
        .run(|s| s.postings())
        .await
        .map_err(WebError::internal)?;
    let mut weeks: BTreeMap<String, Week> = BTreeMap::new();
    let mut regions: BTreeMap<String, usize> = BTreeMap::new();
    for r in &records {
        let day = r
            .posting
            .published
            .unwrap_or_else(|| r.first_seen.date_naive());
        let w = day.iso_week();
        let entry = weeks
            .entry(format!("{}-S{:02}", w.year(), w.week()))
            .or_default();
        entry.0 += 1;
        if let Some(v) = r.verdict.as_ref().filter(|v| v.flagged) {
            *entry.1.entry(v.verdict).or_default() += 1;
        }
        *regions
            .entry(
                r.posting
                    .location
                    .region
                    .clone()
                    .unwrap_or_else(|| "non précisée".into()),
            )
            .or_default() += 1;
    }
    let recent: Vec<(&String, &Week)> = weeks
        .iter()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let per_week: Vec<(String, f64)> = recent
        .iter()
        .map(|(w, (n, _))| ((*w).clone(), *n as f64))
        .collect();
    let mut flagged = Vec::new();
    for (w, (n, by)) in &recent {
        for (code, k) in by {
            flagged.push((format!("{w} · {}", code.label_fr()), *k as f64 / *n as f64));
        }
    }
    let mut by_region: Vec<(String, f64)> =
        regions.into_iter().map(|(r, n)| (r, n as f64)).collect();
    by_region.sort_by(|a, b| b.1.total_cmp(&a.1));
    let page = StatisticsPage {
        staff: staff.email,
        csrf: staff.csrf,
        per_week: bars(&per_week, "Annonces par semaine de publication", &|v| {
            format!("{v:.0}")
        }),
        per_region: bars(&by_region, "Annonces par région", &|v| format!("{v:.0}")),
        flagged_share: bars(
            &flagged,
            "Part signalée par catégorie et par semaine",
            &|v| format!("{:.0} %", v * 100.0),
        ),
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}

/// « time : message », or `none`.
fn dated(fault: Option<&(String, String)>, none: &str) -> String {
    fault.map_or_else(
        || none.to_owned(),
        |(m, at)| format!("{}\u{202f}: {m}", crate::model::fr::moment_of(at)),
    )
}
