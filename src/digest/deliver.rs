//! Delivering the outbox: one row at a time, claimed before sending, retried with backoff,
//! one process at a time (a lock file in the data directory).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::mailer::SendFailure;
use super::{DigestError, Mail};
use crate::store::Store;

/// How sending retries.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts of one message within one delivery run.
    pub attempts_per_run: u32,
    /// Wait before the second attempt, doubled for each further one.
    pub first_delay: Duration,
    /// Attempts across runs before a transient failure counts as permanent.
    pub max_attempts: i64,
    /// Delay before the next run retries a deferred message, doubled per attempt.
    pub defer: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts_per_run: 3,
            first_delay: Duration::from_secs(2),
            max_attempts: 10,
            defer: Duration::from_secs(5 * 60),
        }
    }
}

/// File name, in the data directory, of the lock held while delivering.
pub const DELIVERY_LOCK_FILE: &str = "digest.lock";

/// Longest delay before retrying a deferred message.
pub const DEFER_CAP: Duration = Duration::from_secs(6 * 3600);

/// What a delivery run did.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// Sent, by address.
    pub sent: Vec<String>,
    /// Refused for good: address and reason.
    pub failed: Vec<(String, String)>,
    /// Put off to a later run: address and reason.
    pub deferred: Vec<(String, String)>,
}

/// Sends every outbox row that is due, one at a time, oldest first; rows left `sending` by a
/// crash go again. A transient failure is retried with backoff, then put off to a later run;
/// if the server itself is unreachable the run stops there, leaving the rest for later.
pub async fn deliver(
    store: &Store,
    mail: &Mail,
    now: DateTime<Utc>,
) -> Result<Delivery, DigestError> {
    let _one_at_a_time = mail.delivering.lock().await;
    let _one_process = lock_delivery(&mail.lock_file)?;
    let rows = store.run(move |s| s.deliverable(now)).await?;
    let mut report = Delivery::default();
    for row in rows {
        let id = row.id;
        store.run(move |s| s.claim_digest(id)).await?;
        let mut outcome = Ok(());
        for attempt in 0..mail.retry.attempts_per_run.max(1) {
            if attempt > 0 {
                tokio::time::sleep(
                    mail.retry
                        .first_delay
                        .saturating_mul(1 << (attempt - 1).min(8)),
                )
                .await;
            }
            outcome = mail
                .transport
                .send(&mail.from, &row.recipient, &row.message_id, &row.message)
                .await;
            if !matches!(outcome, Err(SendFailure::Transient { .. })) {
                break;
            }
        }
        let attempts = row.attempts + 1;
        let finished = Utc::now();
        let (status, error, next, stop) = match &outcome {
            Ok(()) => {
                tracing::info!(recipient = %masked(&row.recipient), week = %row.week, message_id = %row.message_id, "digest sent");
                report.sent.push(row.recipient.clone());
                ("sent", None, None, false)
            }
            Err(SendFailure::Permanent(m)) => {
                tracing::warn!(recipient = %masked(&row.recipient), week = %row.week, "digest refused: {}", masked_in(m));
                report.failed.push((row.recipient.clone(), m.clone()));
                ("failed", Some(m.clone()), None, false)
            }
            Err(SendFailure::Transient { message, reply }) => {
                if attempts >= mail.retry.max_attempts {
                    let m = format!("{message} (abandon après {attempts} tentatives)");
                    report.failed.push((row.recipient.clone(), m.clone()));
                    ("failed", Some(m), None, false)
                } else {
                    let wait = mail
                        .retry
                        .defer
                        .saturating_mul(1 << (attempts - 1).clamp(0, 16))
                        .min(DEFER_CAP);
                    let next = finished + chrono::Duration::from_std(wait).unwrap_or_default();
                    tracing::warn!(recipient = %masked(&row.recipient), week = %row.week, "digest put off until {next}: {}", masked_in(message));
                    report
                        .deferred
                        .push((row.recipient.clone(), message.clone()));
                    ("pending", Some(message.clone()), Some(next), !reply)
                }
            }
        };
        store
            .run(move |s| s.finish_digest(id, status, error.as_deref(), next, finished))
            .await?;
        if stop {
            tracing::warn!(
                "{} unreachable: the other messages wait for the next run",
                mail.transport.describe()
            );
            break;
        }
    }
    Ok(report)
}

fn lock_delivery(path: &std::path::Path) -> Result<std::fs::File, DigestError> {
    let busy =
        |e: std::io::Error| DigestError::Busy(format!("cannot lock {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(busy)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(busy)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(DigestError::Busy(format!(
            "another antenne process is sending mail ({} is locked); try again later",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(busy(e)),
    }
}

/// A server's reply with every address in it masked (« 550 <j…@x.fr>: rejected »).
pub(crate) fn masked_in(text: &str) -> String {
    static ADDRESS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+").expect("valid")
    });
    ADDRESS
        .replace_all(text, |c: &regex::Captures<'_>| masked(&c[0]))
        .into_owned()
}

/// An address as logs show it: enough to tell rows apart, not enough to read it
/// (« l…@example.org »). Logs are kept longer and wider than the store.
pub(crate) fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_in_server_replies() {
        assert_eq!(masked("lea@example.org"), "l…@example.org");
        assert_eq!(
            masked_in("550 5.1.1 <jean.dupont@x.fr>: Recipient address rejected"),
            "550 5.1.1 <j…@x.fr>: Recipient address rejected"
        );
        assert_eq!(masked_in("421 try later"), "421 try later");
    }
}
