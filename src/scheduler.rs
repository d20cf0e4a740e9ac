//! The scheduler: runs each source on its cron schedule, and the weekly digest on
//! `[digest] schedule` (Paris time), until shutdown.
//!
//! Next run times live in the store, so a restart neither skips a run (a time that passed while
//! stopped runs at once, once) nor doubles one. A source that keeps failing backs off.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::app::App;
use crate::pipeline;

/// Delay after a source's first failure; doubled at each further failure in a row.
pub const FAILURE_BACKOFF_BASE: Duration = Duration::from_secs(5 * 60);
/// Longest delay after repeated failures.
pub const FAILURE_BACKOFF_CAP: Duration = Duration::from_secs(24 * 3600);

/// The first time `schedule` fires strictly after `after` (`None` for an invalid expression,
/// which configuration validation rules out).
pub fn next_run(schedule: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron::Schedule::from_str(schedule)
        .ok()?
        .after(&after)
        .next()
}

/// When a source runs next: its schedule, pushed back after `failures` failures in a row.
pub fn next_after_failures(
    schedule: &str,
    after: DateTime<Utc>,
    failures: u32,
) -> Option<DateTime<Utc>> {
    let scheduled = next_run(schedule, after)?;
    if failures == 0 {
        return Some(scheduled);
    }
    let backoff = FAILURE_BACKOFF_BASE
        .saturating_mul(1 << (failures - 1).min(16))
        .min(FAILURE_BACKOFF_CAP);
    let earliest = after + chrono::Duration::from_std(backoff).unwrap_or_default();
    Some(scheduled.max(earliest))
}

/// Runs sources when due until `shutdown` turns true. Sources due at the same moment run
/// together; a run in progress finishes before the loop stops.
pub async fn run(app: App, shutdown: watch::Receiver<bool>) {
    let digest = tokio::spawn(digest_loop(app.clone(), shutdown.clone()));
    run_sources_loop(app, shutdown).await;
    let _ = digest.await;
}

/// Wait after a failed delivery run before the next.
const DIGEST_ERROR_PAUSE: Duration = Duration::from_secs(60);

/// Key of the digest's next planned run in the store's `meta` table.
const DIGEST_NEXT_RUN: &str = "digest_next_run";

/// Plans and sends the week's digest at each tick of the schedule, and retries deferred
/// messages when they are due. The next tick is kept in the store (with the schedule it came
/// from), so a tick missed while stopped runs once at start.
pub async fn digest_loop(app: App, mut shutdown: watch::Receiver<bool>) {
    let Some(mail) = app.mail.clone() else {
        return;
    };
    let schedule = app.config.digest.schedule.clone();
    loop {
        let stored = app
            .store
            .run(|s| s.meta(DIGEST_NEXT_RUN))
            .await
            .ok()
            .flatten();
        let tick = stored
            .as_deref()
            .and_then(|v| v.split_once('|'))
            .filter(|(sched, _)| *sched == schedule)
            .and_then(|(_, t)| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let Some(tick) = tick.or_else(|| crate::digest::week::next_tick(&schedule, Utc::now()))
        else {
            return;
        };
        if stored.as_deref() != Some(tick_value(&schedule, tick).as_str()) {
            save_tick(&app, &schedule, tick).await;
        }
        let retry = app.store.run(|s| s.next_retry()).await.ok().flatten();
        let when = retry.map_or(tick, |r| r.min(tick));
        let wait = (when - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        let now = Utc::now();
        if now >= tick {
            let week = crate::digest::Week::of(now);
            match crate::digest::run_week(&app.store, &mail, week, now, false).await {
                Ok(r) => tracing::info!(
                    week = %week,
                    sent = r.delivery.sent.len(),
                    failed = r.delivery.failed.len(),
                    deferred = r.delivery.deferred.len(),
                    "weekly digest"
                ),
                Err(e) => {
                    // The tick stays due: try again shortly (a week already planned is not
                    // planned twice, so a retry only sends what is left).
                    tracing::error!(week = %week, "weekly digest failed, retrying: {e}");
                    tokio::select! {
                        () = tokio::time::sleep(DIGEST_ERROR_PAUSE) => {}
                        _ = shutdown.changed() => return,
                    }
                    continue;
                }
            }
            if let Some(next) = crate::digest::week::next_tick(&schedule, now.max(tick)) {
                save_tick(&app, &schedule, next).await;
            }
        } else if let Err(e) = crate::digest::deliver(&app.store, &mail, now).await {
            // Deferred rows stay due: pause, or the loop would spin on the same error.
            tracing::error!("digest delivery failed: {e}");
            tokio::select! {
                () = tokio::time::sleep(DIGEST_ERROR_PAUSE) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// The stored form of the digest's next tick: the schedule it came from, then the time.
fn tick_value(schedule: &str, tick: DateTime<Utc>) -> String {
    format!("{schedule}|{}", tick.to_rfc3339())
}

async fn save_tick(app: &App, schedule: &str, tick: DateTime<Utc>) {
    let value = tick_value(schedule, tick);
    let _ = app
        .store
        .run(move |s| s.set_meta(DIGEST_NEXT_RUN, &value))
        .await;
}

async fn run_sources_loop(app: App, mut shutdown: watch::Receiver<bool>) {
    let states = app
        .store
        .run(|s| s.source_states())
        .await
        .unwrap_or_default();
    let now = Utc::now();
    let mut due: Vec<(DateTime<Utc>, usize)> = app
        .config
        .sources
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let stored = states
                .iter()
                .find(|st| st.name == s.name)
                .and_then(|st| st.next_run_at.as_deref())
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            // A run planned before the restart keeps its time; one missed while stopped runs now.
            stored
                .map(|t| t.max(now))
                .or_else(|| next_run(&s.schedule, now))
                .map(|t| (t, i))
        })
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
        let runs = pipeline::run_sources(&app, &sources).await;
        let states = app
            .store
            .run(|s| s.source_states())
            .await
            .unwrap_or_default();
        for (&i, run) in ready.iter().zip(&runs) {
            let source = &app.config.sources[i];
            let failures = states
                .iter()
                .find(|st| st.name == source.name)
                .map_or(0, |st| u32::try_from(st.consecutive_failures).unwrap_or(0));
            // Strictly after the tick that just ran, so that a fast run never repeats it.
            let after = run.finished_at.max(when);
            if let Some(next) = next_after_failures(&source.schedule, after, failures) {
                if failures > 0 {
                    let name = source.name.clone();
                    let _ = app.store.run(move |s| s.set_next_run(&name, next)).await;
                }
                if let Some(entry) = due.iter_mut().find(|(_, j)| *j == i) {
                    entry.0 = next;
                }
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

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn next_run_follows_the_cron_expression() {
        let next = next_run("0 0 */2 * * *", at("2026-11-28T10:15:00Z")).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-28T12:00:00+00:00");
    }

    #[test]
    fn repeated_failures_back_off() {
        let t = at("2026-11-28T10:00:30Z");
        let every_minute = "0 * * * * *";
        assert_eq!(
            next_after_failures(every_minute, t, 0).unwrap(),
            at("2026-11-28T10:01:00Z")
        );
        assert_eq!(
            next_after_failures(every_minute, t, 1).unwrap(),
            at("2026-11-28T10:05:30Z")
        );
        assert_eq!(
            next_after_failures(every_minute, t, 3).unwrap(),
            at("2026-11-28T10:20:30Z")
        );
        assert_eq!(
            next_after_failures(every_minute, t, 30).unwrap(),
            at("2026-11-29T10:00:30Z")
        );
    }
}
