//! The store: SQLite, the source of truth. The only module that writes SQL.
//!
//! One `antenne.db` in the data directory, in WAL mode, migrated at open; a lock file keeps a
//! second process off the same directory. Methods are synchronous: async callers go through
//! `Store::run`, which moves the work to Tokio's blocking pool.

mod mail;
mod migrations;
mod postings;
mod sources;
mod staff;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;
use thiserror::Error;

pub use mail::{NewDigest, OutboxRow, Subscription, SubscriptionCounts};
pub use postings::{Change, DuplicateCandidate};
pub use sources::{RunRecord, SourceHealth, SourceState, Validators};
pub use staff::{LoginLimits, ReviewEntry, Session};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "antenne.db";
/// File name of the lock inside the data directory.
pub const LOCK_FILE: &str = "antenne.lock";

/// Store failures. Each names the data directory or the record at fault.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Another process holds the data directory.
    #[error(
        "data directory {dir} is in use by another antenne process{holder}; stop it or use another --data"
    )]
    Locked {
        /// The directory.
        dir: PathBuf,
        /// « (pid N) » when known.
        holder: String,
    },
    /// The directory or lock file could not be prepared.
    #[error("data directory {dir}: {source}")]
    Io {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database {db}: {source}")]
    Sql {
        /// The database file.
        db: String,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The change conflicts with what is stored (e.g. an account that already exists).
    #[error("{0}")]
    Conflict(String),
    /// A stored record could not be read back.
    #[error("database {db}: record {id} is corrupt: {message}")]
    Corrupt {
        /// The database file.
        db: String,
        /// The record.
        id: String,
        /// What is wrong.
        message: String,
    },
}

struct Inner {
    conn: Mutex<Connection>,
    db: String,
    /// Held for the life of the store: the OS releases the lock when the process dies.
    _lock: Option<File>,
}

/// A handle on the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, taking the directory lock.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            dir: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let lock = lock_dir(dir)?;
        let db_path = dir.join(DB_FILE);
        let conn = Connection::open(&db_path).map_err(|source| StoreError::Sql {
            db: db_path.display().to_string(),
            source,
        })?;
        Self::init(conn, db_path.display().to_string(), Some(lock))
    }

    /// Opens the store in `dir` without taking the directory lock, for a command that may run
    /// beside the service (`antenne digest`): it only reads postings and writes the mail
    /// tables, and SQLite's own locking keeps those writes whole.
    pub fn open_shared(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            dir: dir.to_owned(),
            source,
        })?;
        let db_path = dir.join(DB_FILE);
        let conn = Connection::open(&db_path).map_err(|source| StoreError::Sql {
            db: db_path.display().to_string(),
            source,
        })?;
        Self::init(conn, db_path.display().to_string(), None)
    }

    /// An in-memory store (tests, `validate`).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sql {
            db: ":memory:".into(),
            source,
        })?;
        Self::init(conn, ":memory:".into(), None)
    }

    fn init(mut conn: Connection, db: String, lock: Option<File>) -> Result<Self, StoreError> {
        let sql = |source| StoreError::Sql {
            db: db.clone(),
            source,
        };
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql)?;
        // Every transaction takes the write lock when it begins, waiting its turn behind another
        // process's writer (`antenne digest` beside the service). A deferred one that read first
        // could not become a writer once the other committed, and failed at once with « database
        // is locked » whatever the busy timeout.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        migrate(&mut conn).map_err(sql)?;
        Ok(Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                db,
                _lock: lock,
            }),
        })
    }

    /// Runs blocking store work on Tokio's blocking pool.
    pub async fn run<R, F>(&self, f: F) -> R
    where
        F: FnOnce(&Store) -> R + Send + 'static,
        R: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned mutex is safe to reuse.
        self.inner
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sql_err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            db: self.inner.db.clone(),
            source,
        }
    }

    fn corrupt(&self, id: &str, message: &dyn std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            db: self.inner.db.clone(),
            id: id.to_owned(),
            message: message.to_string(),
        }
    }

    /// SQLite's own check of the database file: empty when sound, else what it found.
    pub fn integrity(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql_err(e))?;
        let found: Vec<String> = rows
            .collect::<Result<_, _>>()
            .map_err(|e| self.sql_err(e))?;
        Ok(found.into_iter().filter(|m| m != "ok").collect())
    }

    /// A counter that grows whenever a posting or verdict changes; the index records the value
    /// it was built at, to know when it is stale.
    pub fn generation(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row(
                "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }
}

/// A time as stored by the staff, source and mail tables (RFC 3339, milliseconds, UTC).
fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn lock_dir(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|source| StoreError::Io {
            dir: dir.to_owned(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0).ok();
            let _ = writeln!(file, "{}", std::process::id());
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = std::fs::read_to_string(&path).unwrap_or_default();
            let pid = pid.trim();
            Err(StoreError::Locked {
                dir: dir.to_owned(),
                holder: if pid.is_empty() {
                    String::new()
                } else {
                    format!(" (pid {pid})")
                },
            })
        }
        Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Io {
            dir: dir.to_owned(),
            source,
        }),
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let done = usize::try_from(done).unwrap_or(0);
    for (i, sql) in migrations::MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transactions_take_the_write_lock_when_they_begin() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut conn = store.conn();
        let tx = conn.transaction().unwrap();
        let other = Connection::open(dir.path().join(DB_FILE)).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        let err = other.execute_batch("BEGIN IMMEDIATE; COMMIT;").unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        drop(tx);
        other.execute_batch("BEGIN IMMEDIATE; COMMIT;").unwrap();
    }
}
