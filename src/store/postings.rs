//! Postings, their sightings on sources, and their verdicts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError};
use crate::model::{
    Posting, PostingRecord, PostingStatus, ReviewState, Sighting, StaffReview, Verdict,
};

/// What an upsert did to the posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// First time seen.
    New,
    /// Content changed: a new revision.
    Updated,
    /// Same content as stored (the sighting's last-seen time still moves).
    Unchanged,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map_or(DateTime::UNIX_EPOCH, |d| d.with_timezone(&Utc))
}

fn status_of(posting: &Posting, now: DateTime<Utc>) -> PostingStatus {
    match posting.valid_through {
        Some(deadline) if deadline < now.date_naive() => PostingStatus::Expired,
        _ => PostingStatus::Open,
    }
}

impl Store {
    /// Stores a posting seen on `source` at `url`, with its verdict, in one transaction.
    pub fn upsert_posting(
        &self,
        source: &str,
        url: &str,
        posting: &Posting,
        verdict: &Verdict,
        now: DateTime<Utc>,
    ) -> Result<Change, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.sql_err(e))?;
        let change =
            upsert(&tx, source, url, posting, verdict, now).map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))?;
        Ok(change)
    }

    /// One posting with everything known about it.
    pub fn posting(&self, id: &str) -> Result<Option<PostingRecord>, StoreError> {
        Ok(self.records(Some(&[id.to_owned()]))?.0.into_iter().next())
    }

    /// Every stored posting, newest publication first.
    pub fn postings(&self) -> Result<Vec<PostingRecord>, StoreError> {
        Ok(self.postings_checked()?.0)
    }

    /// Every posting that decodes, and the ids of the rows that do not (each logged): one
    /// damaged row never hides the others.
    pub fn postings_checked(&self) -> Result<(Vec<PostingRecord>, Vec<String>), StoreError> {
        self.records(None)
    }

    /// The postings with these ids (missing ids are skipped).
    pub fn postings_by_ids(&self, ids: &[String]) -> Result<Vec<PostingRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.records(Some(ids))?.0)
    }

    /// The records, and the ids of posting rows that could not be decoded. A row that fails to
    /// decode (bytes that are not UTF-8, JSON that is not a posting) is skipped with a warning
    /// naming it; a verdict, sighting or review row that fails is left out of its posting.
    fn records(
        &self,
        ids: Option<&[String]>,
    ) -> Result<(Vec<PostingRecord>, Vec<String>), StoreError> {
        let conn = self.conn();
        let sql = |e| self.sql_err(e);
        let wanted: Option<std::collections::HashSet<&str>> =
            ids.map(|ids| ids.iter().map(String::as_str).collect());
        let keep = |id: &str| wanted.as_ref().is_none_or(|w| w.contains(id));
        // With ids, every query reads only their rows (a page needs 20 of perhaps 100 000).
        if let Some(ids) = ids {
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)",
                [],
            )
            .map_err(sql)?;
            conn.execute("DELETE FROM temp.wanted", []).map_err(sql)?;
            let mut insert = conn
                .prepare("INSERT OR IGNORE INTO temp.wanted (id) VALUES (?1)")
                .map_err(sql)?;
            for id in ids {
                insert.execute([id]).map_err(sql)?;
            }
        }
        let only = |column: &str| {
            if ids.is_some() {
                format!(" WHERE {column} IN (SELECT id FROM temp.wanted)")
            } else {
                String::new()
            }
        };

        let mut sightings: HashMap<String, Vec<Sighting>> = HashMap::new();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT posting_id, source, url, first_seen, last_seen FROM sightings{} ORDER BY first_seen, source",
                only("posting_id")
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((text(r, 0), text(r, 1), text(r, 2), text(r, 3), text(r, 4)))
            })
            .map_err(sql)?;
        for row in rows {
            let (id, name, url, first, last) = row.map_err(sql)?;
            let (Ok(id), Ok(name), Ok(url), Ok(first), Ok(last)) = (id, name, url, first, last)
            else {
                tracing::warn!(db = %self.inner.db, "a sighting row is not readable text: left out");
                continue;
            };
            if keep(&id) {
                sightings.entry(id).or_default().push(Sighting {
                    name,
                    url,
                    first_seen: parse_ts(&first),
                    last_seen: parse_ts(&last),
                });
            }
        }
        let mut verdicts: HashMap<String, String> = HashMap::new();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT posting_id, data FROM verdicts{}",
                only("posting_id")
            ))
            .map_err(sql)?;
        for row in stmt
            .query_map([], |r| Ok((text(r, 0), text(r, 1))))
            .map_err(sql)?
        {
            match row.map_err(sql)? {
                (Ok(id), Ok(data)) if keep(&id) => {
                    verdicts.insert(id, data);
                }
                (Ok(id), Err(_)) if keep(&id) => {
                    tracing::warn!(db = %self.inner.db, posting = %id, "its verdict is not readable text: left out, to be redone");
                }
                _ => {}
            }
        }
        let mut reviews: HashMap<String, StaffReview> = HashMap::new();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT posting_id, status, created_at, revision FROM reviews{} ORDER BY id",
                only("posting_id")
            ))
            .map_err(sql)?;
        for row in stmt
            .query_map([], |r| {
                Ok((
                    text(r, 0),
                    text(r, 1),
                    text(r, 2),
                    r.get::<_, Option<i64>>(3),
                ))
            })
            .map_err(sql)?
        {
            if let (Ok(id), Ok(status), Ok(at), Ok(revision)) = row.map_err(sql)?
                && keep(&id)
                && let Some(state) = ReviewState::parse(&status)
            {
                reviews.insert(
                    id,
                    StaffReview {
                        state,
                        at: parse_ts(&at),
                        revision,
                    },
                );
            }
        }
        let mut stmt = conn
            .prepare(&format!(
                "SELECT id, data, status, first_seen, updated_at, revision FROM postings{} \
                 ORDER BY published DESC, first_seen DESC, id",
                only("id")
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    text(r, 0),
                    text(r, 1),
                    text(r, 2),
                    text(r, 3),
                    text(r, 4),
                    r.get::<_, i64>(5),
                ))
            })
            .map_err(sql)?;
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        for row in rows {
            let (id, data, status, first_seen, updated_at, revision) = row.map_err(sql)?;
            let id = match id {
                Ok(id) => id,
                Err(lossy) => lossy,
            };
            if !keep(&id) {
                continue;
            }
            let decoded = (|| -> Result<PostingRecord, String> {
                let posting: Posting = serde_json::from_str(&data.map_err(|_| "not UTF-8")?)
                    .map_err(|e| e.to_string())?;
                let status = status.map_err(|_| "status not UTF-8")?;
                let verdict = verdicts
                    .remove(&id)
                    .and_then(|v| serde_json::from_str::<Verdict>(&v).ok());
                Ok(PostingRecord {
                    sources: sightings.remove(&id).unwrap_or_default(),
                    status: PostingStatus::parse(&status)
                        .ok_or_else(|| format!("status {status:?}"))?,
                    verdict,
                    review: reviews.remove(&id),
                    first_seen: parse_ts(&first_seen.map_err(|_| "first_seen not UTF-8")?),
                    updated_at: parse_ts(&updated_at.map_err(|_| "updated_at not UTF-8")?),
                    revision: revision.map_err(|e| e.to_string())?,
                    posting,
                })
            })();
            match decoded {
                Ok(record) => out.push(record),
                Err(why) => {
                    tracing::warn!("{}", self.corrupt(&id, &format!("{why}: skipped")));
                    skipped.push(id);
                }
            }
        }
        Ok((out, skipped))
    }
}

/// A text column, or its bytes made readable (`Err`) when they are not UTF-8.
fn text(r: &rusqlite::Row<'_>, i: usize) -> Result<String, String> {
    match r.get_ref(i) {
        Ok(rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b)) => {
            std::str::from_utf8(b)
                .map(str::to_owned)
                .map_err(|_| String::from_utf8_lossy(b).into_owned())
        }
        Ok(rusqlite::types::ValueRef::Null) => Err(String::new()),
        Ok(other) => Err(format!("{other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

pub(super) fn bump_generation(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'",
        [],
    )
    .map(|_| ())
}

fn upsert(
    tx: &Transaction<'_>,
    source: &str,
    url: &str,
    p: &Posting,
    verdict: &Verdict,
    now: DateTime<Utc>,
) -> rusqlite::Result<Change> {
    let hash = p.content_hash();
    let data = serde_json::to_string(p).expect("postings serialise");
    let now_s = ts(now);
    let status = status_of(p, now).as_str();
    let existing: Option<String> = tx
        .query_row(
            "SELECT content_hash FROM postings WHERE id = ?1",
            [&p.id],
            |r| r.get(0),
        )
        .optional()?;
    let seen_before: Option<Option<String>> = tx
        .query_row(
            "SELECT content_hash FROM sightings WHERE posting_id = ?1 AND source = ?2 AND url = ?3",
            params![p.id, source, url],
            |r| r.get(0),
        )
        .optional()?;
    // Same content as this source gave last time: nothing changed here, whatever another
    // board carrying the same ad says.
    let others: i64 = tx.query_row(
        "SELECT COUNT(*) FROM sightings WHERE posting_id = ?1 AND NOT (source = ?2 AND url = ?3)",
        params![p.id, source, url],
        |r| r.get(0),
    )?;
    let existing = match (existing, &seen_before) {
        (Some(_), Some(Some(last))) if *last == hash => Some(hash.clone()),
        // A board newly carrying a known job adds its sighting; the text stays the one the
        // posting already has, so cross-posts never flip it back and forth.
        (Some(_), None) if others > 0 => Some(hash.clone()),
        (existing, _) => existing,
    };
    // A job that had gone and is carried again is a repost.
    let reposted = tx.execute(
        "UPDATE postings SET status = 'open', reposts = reposts + 1 WHERE id = ?1 AND status = 'gone'",
        [&p.id],
    )?;
    if reposted > 0 {
        bump_generation(tx)?;
    }
    let change = match existing {
        None => {
            tx.execute(
                "INSERT INTO postings (id, data, content_hash, title, published, valid_through, \
                 department_code, region, contract, status, revision, first_seen, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?11)",
                params![
                    p.id,
                    data,
                    hash,
                    p.title,
                    p.published.map(|d| d.to_string()),
                    p.valid_through.map(|d| d.to_string()),
                    p.location.department_code,
                    p.location.region,
                    p.contract,
                    status,
                    now_s
                ],
            )?;
            Change::New
        }
        Some(old) if old == hash => {
            let moved = tx.execute(
                "UPDATE postings SET status = ?2 WHERE id = ?1 AND status <> ?2 AND status <> 'gone'",
                params![p.id, status],
            )?;
            if moved > 0 {
                bump_generation(tx)?;
            }
            Change::Unchanged
        }
        Some(_) => {
            tx.execute(
                "UPDATE postings SET data = ?2, content_hash = ?3, title = ?4, published = ?5, \
                 valid_through = ?6, department_code = ?7, region = ?8, contract = ?9, status = ?10, \
                 revision = revision + 1, updated_at = ?11 WHERE id = ?1",
                params![
                    p.id,
                    data,
                    hash,
                    p.title,
                    p.published.map(|d| d.to_string()),
                    p.valid_through.map(|d| d.to_string()),
                    p.location.department_code,
                    p.location.region,
                    p.contract,
                    status,
                    now_s
                ],
            )?;
            Change::Updated
        }
    };
    tx.execute(
        "INSERT INTO sightings (posting_id, source, url, first_seen, last_seen, content_hash) \
         VALUES (?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT (posting_id, source, url) DO UPDATE SET \
         last_seen = excluded.last_seen, content_hash = excluded.content_hash, missed = 0",
        params![p.id, source, url, now_s, hash],
    )?;
    let stored_version: Option<String> = tx
        .query_row(
            "SELECT rules_version FROM verdicts WHERE posting_id = ?1",
            [&p.id],
            |r| r.get(0),
        )
        .optional()?;
    let verdict_changed =
        change != Change::Unchanged || stored_version.as_deref() != Some(&verdict.rules_version);
    if verdict_changed {
        tx.execute(
            "INSERT INTO verdicts (posting_id, rules_version, verdict, claims_ant, flagged, data, computed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (posting_id) DO UPDATE SET \
             rules_version = excluded.rules_version, verdict = excluded.verdict, claims_ant = excluded.claims_ant, \
             flagged = excluded.flagged, data = excluded.data, computed_at = excluded.computed_at",
            params![
                p.id,
                verdict.rules_version,
                verdict.verdict.as_str(),
                verdict.claims_ant,
                verdict.flagged,
                serde_json::to_string(verdict).expect("verdicts serialise"),
                now_s
            ],
        )?;
        bump_generation(tx)?;
    }
    Ok(change)
}

impl Store {
    /// Replaces the verdicts of existing postings (after a rules change), in one transaction.
    pub fn replace_verdicts(
        &self,
        verdicts: &[Verdict],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        let mut n = 0;
        for v in verdicts {
            n += tx
                .execute(
                    "INSERT INTO verdicts (posting_id, rules_version, verdict, claims_ant, flagged, data, computed_at) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM postings WHERE id = ?1) \
                     ON CONFLICT (posting_id) DO UPDATE SET rules_version = excluded.rules_version, \
                     verdict = excluded.verdict, claims_ant = excluded.claims_ant, flagged = excluded.flagged, \
                     data = excluded.data, computed_at = excluded.computed_at",
                    params![
                        v.id,
                        v.rules_version,
                        v.verdict.as_str(),
                        v.claims_ant,
                        v.flagged,
                        serde_json::to_string(v).expect("verdicts serialise"),
                        ts(now)
                    ],
                )
                .map_err(sql)?;
        }
        if n > 0 {
            bump_generation(&tx).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(n)
    }
}

impl Store {
    /// Marks the posting seen at `url` on `source` as seen again (its page answered 304).
    /// Returns its id, or `None` if no posting was stored from that URL.
    pub fn touch_sighting(
        &self,
        source: &str,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        let id: Option<String> = conn
            .query_row(
                "UPDATE sightings SET last_seen = ?3, missed = 0 WHERE source = ?1 AND url = ?2 RETURNING posting_id",
                params![source, url, ts(now)],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_err(e))?;
        Ok(id)
    }
}

impl Store {
    /// Postings counted by status and verdict code (`none` when not validated).
    pub fn posting_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT p.status, COALESCE(v.verdict, 'none'), COUNT(*) FROM postings p \
                 LEFT JOIN verdicts v ON v.posting_id = p.id GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql_err(e))
    }
}

/// A pair of postings that may be the same job, for staff to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateCandidate {
    /// One posting.
    pub a: String,
    /// The other.
    pub b: String,
    /// Similarity, 0 to 1.
    pub score: f64,
    /// `pending`, `merged` or `distinct`.
    pub status: String,
}

impl Store {
    /// The posting stored from `url` on `source`, if any (it may have been merged into a posting
    /// keyed on another board's URL).
    pub fn sighting_posting(&self, source: &str, url: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row(
                "SELECT posting_id FROM sightings WHERE source = ?1 AND url = ?2 ORDER BY last_seen DESC LIMIT 1",
                params![source, url],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Records a pair that may be the same job (kept apart until staff decide).
    pub fn record_candidate(
        &self,
        a: &str,
        b: &str,
        score: f64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        self.conn()
            .execute(
                "INSERT INTO duplicate_candidates (posting_a, posting_b, score, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (posting_a, posting_b) DO UPDATE SET score = excluded.score",
                params![a, b, score, ts(now)],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }

    /// Pairs recorded for staff.
    pub fn duplicate_candidates(&self) -> Result<Vec<DuplicateCandidate>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT posting_a, posting_b, score, status FROM duplicate_candidates ORDER BY score DESC")
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DuplicateCandidate {
                    a: r.get(0)?,
                    b: r.get(1)?,
                    score: r.get(2)?,
                    status: r.get(3)?,
                })
            })
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql_err(e))
    }

    /// After a complete, successful run of `source`: sightings it did not list this time count
    /// one more miss; a posting whose every sighting missed `gone_after` runs in a row is `gone`.
    /// Returns the postings that went.
    pub fn mark_missing(
        &self,
        source: &str,
        listed: &[String],
        gone_after: u32,
    ) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS listed (url TEXT PRIMARY KEY)",
            [],
        )
        .map_err(sql)?;
        tx.execute("DELETE FROM listed", []).map_err(sql)?;
        for url in listed {
            tx.execute("INSERT OR IGNORE INTO listed (url) VALUES (?1)", [url])
                .map_err(sql)?;
        }
        tx.execute(
            "UPDATE sightings SET missed = missed + 1 WHERE source = ?1 AND url NOT IN (SELECT url FROM listed)",
            [source],
        )
        .map_err(sql)?;
        let gone: Vec<String> = {
            let mut stmt = tx
                .prepare(
                    "UPDATE postings SET status = 'gone' WHERE status = 'open' AND id IN \
                     (SELECT posting_id FROM sightings WHERE source = ?1) AND NOT EXISTS \
                     (SELECT 1 FROM sightings s WHERE s.posting_id = postings.id AND s.missed < ?2) RETURNING id",
                )
                .map_err(sql)?;
            let rows = stmt
                .query_map(params![source, gone_after], |r| r.get(0))
                .map_err(sql)?;
            rows.collect::<Result<_, _>>().map_err(sql)?
        };
        if !gone.is_empty() {
            bump_generation(&tx).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(gone)
    }

    /// Marks `expired` every open posting whose deadline is before `today`. Returns how many.
    pub fn expire_passed(&self, today: chrono::NaiveDate) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        let n = tx
            .execute(
                "UPDATE postings SET status = 'expired' WHERE status = 'open' AND valid_through < ?1",
                [today.to_string()],
            )
            .map_err(sql)?;
        if n > 0 {
            bump_generation(&tx).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(n)
    }
}

impl Store {
    /// The posting an ad seen at `url` on `source` belongs to: the one that sighting was stored
    /// under before, else the one with the ad's exact key, else none.
    pub fn resolve_posting(
        &self,
        source: &str,
        url: &str,
        exact: &str,
    ) -> Result<Option<String>, StoreError> {
        if let Some(id) = self.sighting_posting(source, url)? {
            return Ok(Some(id));
        }
        self.conn()
            .query_row("SELECT id FROM postings WHERE id = ?1", [exact], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))
    }
}

impl Store {
    /// Staff decided two postings are one job: `gone`'s sightings move to `keep`, and `gone` is
    /// deleted (with its verdict, reviews and pairs). Returns false if either is missing.
    pub fn merge_postings(&self, keep: &str, gone: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let sql = |e| self.sql_err(e);
        let tx = conn.transaction().map_err(sql)?;
        let present: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM postings WHERE id IN (?1, ?2)",
                params![keep, gone],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if present != 2 || keep == gone {
            return Ok(false);
        }
        tx.execute(
            "INSERT OR IGNORE INTO sightings (posting_id, source, url, first_seen, last_seen, content_hash, missed) \
             SELECT ?1, source, url, first_seen, last_seen, content_hash, missed FROM sightings WHERE posting_id = ?2",
            params![keep, gone],
        )
        .map_err(sql)?;
        tx.execute("DELETE FROM postings WHERE id = ?1", [gone])
            .map_err(sql)?;
        bump_generation(&tx).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    /// Staff decided a pair are two different jobs.
    pub fn set_candidate_status(&self, a: &str, b: &str, status: &str) -> Result<(), StoreError> {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        self.conn()
            .execute(
                "UPDATE duplicate_candidates SET status = ?3 WHERE posting_a = ?1 AND posting_b = ?2",
                params![a, b, status],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }
}
