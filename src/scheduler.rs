//! The scheduler: runs each source on its cron schedule until shutdown.
//!
//! Next run times are computed from the schedule and recorded in the store with each run.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::app::App;
use crate::pipeline;

/// The first time `schedule` fires strictly after `after` (`None` for an invalid expression,
/// which configuration validation rules out).
pub fn next_run(schedule: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron::Schedule::from_str(schedule)
        .ok()?
        .after(&after)
        .next()
}

/// Runs sources when due until `shutdown` turns true. Sources due at the same moment run
/// together; a run in progress finishes before the loop stops.
pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut due: Vec<(DateTime<Utc>, usize)> = app
        .config
        .sources
        .iter()
        .enumerate()
        .filter_map(|(i, s)| next_run(&s.schedule, Utc::now()).map(|t| (t, i)))
        .collect();
    loop {
        let Some(&(when, _)) = due.iter().min_by_key(|(t, _)| *t) else {
            tracing::info!("no scheduled sources");
            let _ = shutdown.changed().await;
            return;
        };
        let wait = (when - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        let now = Utc::now();
        let ready: Vec<usize> = due
            .iter()
            .filter(|(t, _)| *t <= now)
            .map(|(_, i)| *i)
            .collect();
        let sources: Vec<_> = ready
            .iter()
            .map(|&i| app.config.sources[i].clone())
            .collect();
        pipeline::run_sources(&app, &sources).await;
        for entry in &mut due {
            if ready.contains(&entry.1)
                && let Some(next) = next_run(&app.config.sources[entry.1].schedule, Utc::now())
            {
                entry.0 = next;
            }
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_run_follows_the_cron_expression() {
        let t = DateTime::parse_from_rfc3339("2026-11-28T10:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let next = next_run("0 0 */2 * * *", t).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-28T12:00:00+00:00");
    }
}
