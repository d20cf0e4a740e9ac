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
    /// A notice for the staff member, shown once (failed attempts on the account).
    pub notice: Option<String>,
}

/// How many failed logins the throttle tolerates within its window.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// From one client (IP address), whatever the accounts tried.
    pub per_client: i64,
    /// On one account, from at least `account_clients` different clients, before the account
    /// itself is locked (one client alone never locks someone else's account).
    pub per_account: i64,
    /// Different clients needed before an account is locked.
    pub account_clients: i64,
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

    /// Deletes an account and its sessions (the demo recreates its own at each start); false if
    /// there was none.
    pub fn delete_user(&self, email: &str) -> Result<bool, StoreError> {
        self.conn()
            .execute("DELETE FROM users WHERE email = ?1", [email])
            .map(|n| n > 0)
            .map_err(|e| self.sql_err(e))
    }

    /// Replaces an account's password and closes its sessions; false if there is no account.
    pub fn set_password(&self, email: &str, password_hash: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        let n = tx
            .execute(
                "UPDATE users SET password_hash = ?2 WHERE email = ?1",
                params![email, password_hash],
            )
            .map_err(sql)?;
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = ?1)",
            [email],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(n > 0)
    }

    /// Every account: address, creation and last login (RFC 3339), by address.
    pub fn users(&self) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT email, created_at, last_login_at FROM users ORDER BY email")
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql_err(e))
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
                "SELECT s.user_id, u.email, s.csrf, s.notice FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                params![token_hash, ts(now)],
                |r| {
                    Ok(Session {
                        user_id: r.get(0)?,
                        email: r.get(1)?,
                        csrf: r.get(2)?,
                        notice: r.get(3)?,
                    })
                },
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

    /// Claims one password check for `email` from `peer`, in one statement: the attempt is
    /// recorded as a failure first, and only if the client and the account are under their
    /// limits since `since`. Returns the claim (to release if the password is right), or `None`
    /// when throttled. However many requests arrive at once, no more than the limits reach the
    /// password check.
    pub fn claim_login_attempt(
        &self,
        email: &str,
        peer: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        limits: LoginLimits,
    ) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        let inserted = conn
            .execute(
                "INSERT INTO login_failures (email, peer, at) SELECT ?1, ?2, ?3 \
                 WHERE (SELECT COUNT(*) FROM login_failures WHERE peer = ?2 AND at > ?4) < ?5 \
                 AND NOT ((SELECT COUNT(*) FROM login_failures WHERE email = ?1 AND at > ?4) >= ?6 \
                      AND (SELECT COUNT(DISTINCT peer) FROM login_failures WHERE email = ?1 AND at > ?4) >= ?7)",
                params![
                    email,
                    peer,
                    ts(now),
                    ts(since),
                    limits.per_client,
                    limits.per_account,
                    limits.account_clients
                ],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok((inserted == 1).then(|| conn.last_insert_rowid()))
    }

    /// Withdraws a claimed attempt whose password was right.
    pub fn release_login_attempt(&self, claim: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM login_failures WHERE id = ?1", [claim])
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Records a successful login: the failed attempts on the account since its previous
    /// login, for the staff member to be told.
    pub fn record_login(
        &self,
        user_id: i64,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        let sql = |e| self.sql_err(e);
        let last: Option<String> = conn
            .query_row(
                "SELECT last_login_at FROM users WHERE id = ?1",
                [user_id],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let failed: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM login_failures WHERE email = ?1 AND at > COALESCE(?2, '')",
                params![email, last],
                |r| r.get(0),
            )
            .map_err(sql)?;
        conn.execute(
            "UPDATE users SET last_login_at = ?2 WHERE id = ?1",
            params![user_id, ts(now)],
        )
        .map_err(sql)?;
        Ok(failed)
    }

    /// Sets the notice a session shows once.
    pub fn set_session_notice(&self, token_hash: &str, notice: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE sessions SET notice = ?2 WHERE token_hash = ?1",
                params![token_hash, notice],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Takes a session's notice away, once shown.
    pub fn clear_session_notice(&self, token_hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE sessions SET notice = NULL WHERE token_hash = ?1",
                [token_hash],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Appends to the review log.
    /// A decision changes what the public sees (a lifted ad is searchable as conforming): the
    /// generation grows with it, so that the index knows it must follow.
    pub fn add_review(&self, entry: &ReviewEntry, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        tx.execute(
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
            .map_err(sql)?;
        super::postings::bump_generation(&tx).map_err(sql)?;
        tx.commit().map_err(sql)
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
