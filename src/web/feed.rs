//! `GET /flux.atom?q=...`: any search as an Atom feed, for feed readers.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;

use super::search::{Params, run};
use super::views::place;
use super::{AppState, WebError};

/// Entries in one feed.
const FEED_ENTRIES: usize = 50;

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) async fn atom(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<impl IntoResponse, WebError> {
    let mut query = params.to_query()?;
    query.limit = FEED_ENTRIES;
    query.offset = 0;
    query.sort = crate::index::SortOrder::Date;
    query.facets = false;
    let found = run(&state, query).await?;
    let mut qs = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.pairs() {
        qs.append_pair(k, &v);
    }
    let qs = qs.finish();
    let base = &state.base_url;
    let updated = found
        .hits
        .iter()
        .map(|(r, _)| r.updated_at)
        .max()
        .unwrap_or(chrono::DateTime::UNIX_EPOCH)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let title = if params.q.trim().is_empty() {
        "toutes les offres".to_owned()
    } else {
        format!("« {} »", params.q.trim())
    };
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n\
         <title>antenne : {}</title>\n<id>{}</id>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
         <author><name>antenne</name></author>\n",
        esc(&title),
        esc(&format!("{base}/flux.atom?{qs}")),
        esc(&format!("{base}/flux.atom?{qs}")),
        esc(&format!("{base}/?{qs}")),
    );
    for (r, _) in &found.hits {
        let p = &r.posting;
        let link = format!("{base}/annonces/{}", p.id);
        let published = p.published.map_or_else(
            || {
                r.first_seen
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            },
            |d| format!("{d}T00:00:00Z"),
        );
        let summary: Vec<String> = [
            p.employer.clone(),
            Some(place(r)).filter(|s| !s.is_empty()),
            p.contract.clone(),
            r.decision().map(|d| match d.state {
                crate::model::ReviewState::Lifted => "vérifiée par l'équipe".to_owned(),
                crate::model::ReviewState::Confirmed => {
                    "signalement confirmé par l'équipe".to_owned()
                }
                _ => "suivie par l'équipe".to_owned(),
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        xml.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <published>{published}</published>\n<updated>{}</updated>\n<summary>{}</summary>\n<content type=\"text\">{}</content>\n</entry>\n",
            esc(&p.title),
            esc(&link),
            esc(&link),
            r.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            esc(&summary.join(" · ")),
            esc(&p.description),
        ));
    }
    xml.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    ))
}
