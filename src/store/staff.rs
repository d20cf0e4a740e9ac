//! Staff accounts, sessions, failed logins, and the append-only review log.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, ts};

/// A logged-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// User id.
    pub user_id: i64,
    /// E-mail address.
    pub email: String,
    /// The session's anti-CSRF token.
    pub csrf: String,
}

/// One entry of the review log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewEntry {
    /// Entry id.
    pub id: i64,
    /// The posting.
    pub posting_id: String,
    /// `confirm`, `lift`, `follow`, `note` or `undo`.
    pub action: String,
    /// State after it: `pending`, `confirmed`, `lifted` or `follow`.
    pub status: String,
    /// Why (required to lift).
    pub reason: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Who.
    pub reviewer: String,
    /// Rules version of the verdict reviewed.
    pub rules_version: Option<String>,
    /// Posting revision reviewed.
    pub revision: Option<i64>,
    /// When.
    pub created_at: String,
}

impl Store {
    /// Creates a staff account; an existing address is an error naming it.
    pub fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        let exists: Option<i64> = conn
            .query_row("SELECT id FROM users WHERE email = ?1", [email], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "a staff account {email} already exists"
            )));
        }
        conn.execute(
            "INSERT INTO users (email, password_hash, created_at) VALUES (?1, ?2, ?3)",
            params![email, password_hash, ts(now)],
        )
        .map(|_| ())
        .map_err(|e| self.sql_err(e))
    }

    /// Deletes an account and its sessions (the demo recreates its own at each start).
    pub fn delete_user(&self, email: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM users WHERE email = ?1", [email])
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// An account's id and password hash.
    pub fn user_hash(&self, email: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.conn()
            .query_row(
                "SELECT id, password_hash FROM users WHERE email = ?1",
                [email],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Opens a session (the token is stored hashed).
    pub fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [ts(now)])
            .map_err(|e| self.sql_err(e))?;
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, user_id, csrf, ts(now), ts(expires)],
        )
        .map(|_| ())
        .map_err(|e| self.sql_err(e))
    }

    /// The live session of a token hash.
    pub fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        self.conn()
            .query_row(
                "SELECT s.user_id, u.email, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                params![token_hash, ts(now)],
                |r| Ok(Session { user_id: r.get(0)?, email: r.get(1)?, csrf: r.get(2)? }),
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Ends a session.
    pub fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Records a failed login.
    pub fn record_login_failure(
        &self,
        email: &str,
        peer: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO login_failures (email, peer, at) VALUES (?1, ?2, ?3)",
                params![email, peer, ts(now)],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Failed logins since `since`, for this address or from this peer, whichever is more.
    pub fn login_failures(
        &self,
        email: &str,
        peer: &str,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        let count = |column: &str, value: &str| -> Result<i64, StoreError> {
            conn.query_row(
                &format!("SELECT COUNT(*) FROM login_failures WHERE {column} = ?1 AND at > ?2"),
                params![value, ts(since)],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
        };
        Ok(count("email", email)?.max(count("peer", peer)?))
    }

    /// Appends to the review log.
    pub fn add_review(&self, entry: &ReviewEntry, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO reviews (posting_id, action, status, reason, note, reviewer, rules_version, revision, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    entry.posting_id,
                    entry.action,
                    entry.status,
                    entry.reason,
                    entry.note,
                    entry.reviewer,
                    entry.rules_version,
                    entry.revision,
                    ts(now)
                ],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// The review log of one posting (newest first), or of all postings with `None`.
    pub fn review_log(
        &self,
        posting_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ReviewEntry>, StoreError> {
        let conn = self.conn();
        let filter = if posting_id.is_some() {
            "WHERE posting_id = ?1"
        } else {
            "WHERE ?1 IS NULL"
        };
        let mut stmt = conn
            .prepare(&format!(
                "SELECT id, posting_id, action, status, reason, note, reviewer, rules_version, revision, created_at \
                 FROM reviews {filter} ORDER BY id DESC LIMIT {limit}"
            ))
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([posting_id], |r| {
                Ok(ReviewEntry {
                    id: r.get(0)?,
                    posting_id: r.get(1)?,
                    action: r.get(2)?,
                    status: r.get(3)?,
                    reason: r.get(4)?,
                    note: r.get(5)?,
                    reviewer: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    rules_version: r.get(7)?,
                    revision: r.get(8)?,
                    created_at: r.get(9)?,
                })
            })
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql_err(e))
    }
}
