//! Subscriptions to a search, the secret that signs their links, and the digest outbox.
//!
//! The outbox holds one row per (week, recipient) with the rendered message and its state:
//! `pending` (to send, perhaps after `next_attempt_at`), `sending` (claimed: a crash leaves it
//! here and the next delivery sends it again), `sent`, or `failed` (permanently refused).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, ts};

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A subscription to a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Id.
    pub id: i64,
    /// Address, lower case.
    pub email: String,
    /// Words of the search.
    pub query: String,
    /// Filters of the search, as JSON.
    pub filters: String,
    /// Random value signed into the subscription's links.
    pub nonce: String,
    /// When the address owner confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the owner paused it.
    pub paused_at: Option<DateTime<Utc>>,
    /// When the last confirmation request was sent.
    pub confirm_sent_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl Subscription {
    /// Confirmed and not paused.
    pub fn is_active(&self) -> bool {
        self.confirmed_at.is_some() && self.paused_at.is_none()
    }
}

/// How many subscriptions are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubscriptionCounts {
    /// Confirmed and not paused.
    pub active: i64,
    /// Confirmed and paused.
    pub paused: i64,
    /// Not confirmed yet.
    pub unconfirmed: i64,
}

/// A digest to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewDigest {
    /// ISO week, `2026-W48`.
    pub week: String,
    /// Address.
    pub recipient: String,
    /// `subscriber` or `staff`.
    pub kind: String,
    /// The Message-ID, with angle brackets.
    pub message_id: String,
    /// The whole rendered message.
    pub message: Vec<u8>,
    /// Ads it lists.
    pub ads: i64,
    /// Ads new up to this time are in it.
    pub window_end: DateTime<Utc>,
}

/// A row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Id.
    pub id: i64,
    /// ISO week.
    pub week: String,
    /// Address.
    pub recipient: String,
    /// `subscriber` or `staff`.
    pub kind: String,
    /// The Message-ID.
    pub message_id: String,
    /// The rendered message.
    pub message: Vec<u8>,
    /// Ads listed.
    pub ads: i64,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Last error.
    pub error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

const SUBSCRIPTION_COLUMNS: &str =
    "id, email, query, filters, token, confirmed_at, paused_at, confirm_sent_at, created_at";
const OUTBOX_COLUMNS: &str =
    "id, week, recipient, kind, message_id, message, ads, status, attempts, error, sent_at";

fn subscription_row(r: &Row<'_>) -> rusqlite::Result<Subscription> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(r.get::<_, Option<String>>(i)?.as_deref().and_then(parse_ts))
    };
    Ok(Subscription {
        id: r.get(0)?,
        email: r.get(1)?,
        query: r.get(2)?,
        filters: r.get(3)?,
        nonce: r.get(4)?,
        confirmed_at: time(5)?,
        paused_at: time(6)?,
        confirm_sent_at: time(7)?,
        created_at: time(8)?.unwrap_or_default(),
    })
}

fn outbox_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        week: r.get(1)?,
        recipient: r.get(2)?,
        kind: r.get(3)?,
        message_id: r.get(4)?,
        message: r.get(5)?,
        ads: r.get(6)?,
        status: r.get(7)?,
        attempts: r.get(8)?,
        error: r.get(9)?,
        sent_at: r
            .get::<_, Option<String>>(10)?
            .as_deref()
            .and_then(parse_ts),
    })
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the system has a random source");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// The key that signs subscription links, made on first use and kept in the store.
    pub fn mail_secret(&self) -> Result<String, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('mail_secret', ?1)",
            [random_hex(32)],
        )
        .map_err(|e| self.sql_err(e))?;
        conn.query_row(
            "SELECT value FROM meta WHERE key = 'mail_secret'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| self.sql_err(e))
    }

    /// A value kept in the store's `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Sets a value of the `meta` table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Records a subscription, or returns the one this address already has for the same
    /// search (so that asking twice does not make two).
    pub fn add_subscription(
        &self,
        email: &str,
        query: &str,
        filters: &str,
        now: DateTime<Utc>,
    ) -> Result<Subscription, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO subscriptions (email, query, filters, token, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS \
             (SELECT 1 FROM subscriptions WHERE email = ?1 AND query = ?2 AND filters = ?3)",
            params![email, query, filters, random_hex(16), ts(now)],
        )
        .map_err(|e| self.sql_err(e))?;
        conn.query_row(
            &format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions \
                 WHERE email = ?1 AND query = ?2 AND filters = ?3"
            ),
            params![email, query, filters],
            subscription_row,
        )
        .map_err(|e| self.sql_err(e))
    }

    /// One subscription.
    pub fn subscription(&self, id: i64) -> Result<Option<Subscription>, StoreError> {
        self.conn()
            .query_row(
                &format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = ?1"),
                [id],
                subscription_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Every subscription, oldest first.
    pub fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY id"
            ))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], subscription_row)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e))
    }

    /// Subscriptions per state.
    pub fn subscription_counts(&self) -> Result<SubscriptionCounts, StoreError> {
        self.conn()
            .query_row(
                "SELECT \
                 COUNT(*) FILTER (WHERE confirmed_at IS NOT NULL AND paused_at IS NULL), \
                 COUNT(*) FILTER (WHERE confirmed_at IS NOT NULL AND paused_at IS NOT NULL), \
                 COUNT(*) FILTER (WHERE confirmed_at IS NULL) \
                 FROM subscriptions",
                [],
                |r| {
                    Ok(SubscriptionCounts {
                        active: r.get(0)?,
                        paused: r.get(1)?,
                        unconfirmed: r.get(2)?,
                    })
                },
            )
            .map_err(|e| self.sql_err(e))
    }

    /// Claims the sending of a confirmation request, in one statement: only for an unconfirmed
    /// subscription not asked for since `resend_before`, and while fewer than `cap` other
    /// unconfirmed subscriptions of the same address were sent one. Parallel requests cannot
    /// all pass. Returns whether to send.
    pub fn claim_confirmation(
        &self,
        id: i64,
        now: DateTime<Utc>,
        resend_before: DateTime<Utc>,
        cap: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE subscriptions SET confirm_sent_at = ?2 WHERE id = ?1 AND confirmed_at IS NULL \
                 AND (confirm_sent_at IS NULL OR confirm_sent_at < ?3) \
                 AND (SELECT COUNT(*) FROM subscriptions o WHERE o.email = subscriptions.email \
                      AND o.id != ?1 AND o.confirmed_at IS NULL AND o.confirm_sent_at IS NOT NULL) < ?4",
                params![id, ts(now), ts(resend_before), cap],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(changed == 1)
    }

    /// Gives back a claimed confirmation that could not be sent.
    pub fn unclaim_confirmation(
        &self,
        id: i64,
        before: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE subscriptions SET confirm_sent_at = ?2 WHERE id = ?1",
                params![id, before.map(ts)],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Confirms a subscription (idempotent). Returns whether it exists.
    pub fn confirm_subscription(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.update_subscription(
            "UPDATE subscriptions SET confirmed_at = COALESCE(confirmed_at, ?2) WHERE id = ?1",
            id,
            &ts(now),
        )?;
        Ok(self.subscription(id)?.is_some())
    }

    /// Pauses (`true`) or resumes a subscription.
    pub fn pause_subscription(
        &self,
        id: i64,
        paused: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = if paused {
            "UPDATE subscriptions SET paused_at = COALESCE(paused_at, ?2) WHERE id = ?1"
        } else {
            "UPDATE subscriptions SET paused_at = NULL WHERE id = ?1 AND ?2 IS NOT NULL"
        };
        self.update_subscription(sql, id, &ts(now))
    }

    /// Changes the search of a subscription.
    pub fn change_subscription(
        &self,
        id: i64,
        query: &str,
        filters: &str,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE subscriptions SET query = ?2, filters = ?3 WHERE id = ?1",
                params![id, query, filters],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Deletes one subscription.
    pub fn delete_subscription(&self, id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM subscriptions WHERE id = ?1", [id])
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Deletes every subscription of an address; returns how many there were.
    pub fn unsubscribe_address(&self, email: &str) -> Result<usize, StoreError> {
        self.conn()
            .execute("DELETE FROM subscriptions WHERE email = ?1", [email])
            .map_err(|e| self.sql_err(e))
    }

    /// Deletes subscriptions never confirmed and created before `before`.
    pub fn purge_unconfirmed(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.conn()
            .execute(
                "DELETE FROM subscriptions WHERE confirmed_at IS NULL AND created_at < ?1",
                [ts(before)],
            )
            .map_err(|e| self.sql_err(e))
    }

    fn update_subscription(&self, sql: &str, id: i64, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(sql, params![id, value])
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// For every recipient with a digest, the end of the window of the last one planned.
    pub fn last_digest_windows(
        &self,
    ) -> Result<std::collections::HashMap<String, DateTime<Utc>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT recipient, MAX(window_end) FROM digests GROUP BY recipient")
            .map_err(|e| self.sql_err(e))?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(who, end)| Some((who, parse_ts(&end)?)))
            .collect())
    }

    /// Puts a digest in the outbox, unless one exists for its (week, recipient). Returns
    /// whether it was added.
    pub fn plan_digest(&self, d: &NewDigest, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.conn()
            .execute(
                "INSERT OR IGNORE INTO digests \
                 (week, recipient, kind, message_id, message, ads, window_end, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    d.week,
                    d.recipient,
                    d.kind,
                    d.message_id,
                    d.message,
                    d.ads,
                    ts(d.window_end),
                    ts(now)
                ],
            )
            .map(|n| n == 1)
            .map_err(|e| self.sql_err(e))
    }

    /// The outbox rows of a week, in planning order.
    pub fn outbox(&self, week: &str) -> Result<Vec<OutboxRow>, StoreError> {
        self.outbox_where("week = ?1", week)
    }

    /// Rows to send now: pending ones that are due and any left `sending` by a crash.
    pub fn deliverable(&self, now: DateTime<Utc>) -> Result<Vec<OutboxRow>, StoreError> {
        self.outbox_where(
            "status = 'sending' OR (status = 'pending' AND \
             (next_attempt_at IS NULL OR next_attempt_at <= ?1))",
            &ts(now),
        )
    }

    /// When the next deferred row becomes due.
    pub fn next_retry(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next: Option<String> = self
            .conn()
            .query_row(
                "SELECT MIN(next_attempt_at) FROM digests WHERE status = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(next.as_deref().and_then(parse_ts))
    }

    fn outbox_where(&self, condition: &str, value: &str) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {OUTBOX_COLUMNS} FROM digests WHERE {condition} ORDER BY id"
            ))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([value], outbox_row)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e))
    }

    /// Empties the stored message of rows settled (sent or failed) before `before`; the rows
    /// stay, as the record of what was sent and where each reader's next window starts.
    pub fn prune_digest_bodies(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.conn()
            .execute(
                "UPDATE digests SET message = x'' WHERE status IN ('sent', 'failed') \
                 AND created_at < ?1 AND length(message) > 0",
                [ts(before)],
            )
            .map_err(|e| self.sql_err(e))
    }

    /// Outbox rows by status, every week.
    pub fn outbox_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT status, COUNT(*) FROM digests GROUP BY status ORDER BY status")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e))
    }

    /// Marks a row as being sent (committed before the first byte goes out).
    pub fn claim_digest(&self, id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE digests SET status = 'sending', attempts = attempts + 1 WHERE id = ?1",
                [id],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Records the outcome of an attempt: `sent`, `failed` (permanent), or `pending` again
    /// with the time of the next attempt.
    pub fn finish_digest(
        &self,
        id: i64,
        status: &str,
        error: Option<&str>,
        next_attempt: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE digests SET status = ?2, error = ?3, next_attempt_at = ?4, \
                 sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END WHERE id = ?1",
                params![id, status, error, next_attempt.map(ts), ts(now)],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }
}
