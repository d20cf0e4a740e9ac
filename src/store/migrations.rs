//! Schema migrations, embedded in the binary and applied in order; `PRAGMA user_version`
//! records how many have run.

/// Each entry is one migration; never edit a released one, append a new one.
pub(super) const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('generation', '0');

CREATE TABLE sources (
    name                 TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    url                  TEXT NOT NULL,
    last_run_at          TEXT,
    next_run_at          TEXT,
    last_success_at      TEXT,
    last_error_kind      TEXT,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE http_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT NOT NULL
);

CREATE TABLE postings (
    id              TEXT PRIMARY KEY,
    data            TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    title           TEXT NOT NULL,
    published       TEXT,
    valid_through   TEXT,
    department_code TEXT,
    region          TEXT,
    contract        TEXT,
    status          TEXT NOT NULL DEFAULT 'open',
    revision        INTEGER NOT NULL DEFAULT 1,
    first_seen      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE sightings (
    posting_id TEXT NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    url        TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    PRIMARY KEY (posting_id, source, url)
);
CREATE INDEX sightings_by_source ON sightings (source, last_seen);

CREATE TABLE verdicts (
    posting_id    TEXT PRIMARY KEY REFERENCES postings(id) ON DELETE CASCADE,
    rules_version TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    claims_ant    INTEGER NOT NULL,
    flagged       INTEGER NOT NULL,
    data          TEXT NOT NULL,
    computed_at   TEXT NOT NULL
);

CREATE TABLE crawl_runs (
    id           INTEGER PRIMARY KEY,
    source       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    fetched      INTEGER NOT NULL,
    not_modified INTEGER NOT NULL,
    new          INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    errors       INTEGER NOT NULL,
    flagged      INTEGER NOT NULL,
    error_kind   TEXT,
    error        TEXT
);
CREATE INDEX crawl_runs_by_source ON crawl_runs (source, started_at);

CREATE TABLE reviews (
    id         INTEGER PRIMARY KEY,
    posting_id TEXT NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    reason     TEXT,
    note       TEXT,
    reviewer   TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX reviews_by_posting ON reviews (posting_id, id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL,
    query           TEXT NOT NULL,
    filters         TEXT NOT NULL DEFAULT '{}',
    token           TEXT NOT NULL UNIQUE,
    confirmed_at    TEXT,
    unsubscribed_at TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE digests (
    id        INTEGER PRIMARY KEY,
    week      TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status    TEXT NOT NULL,
    sent_at   TEXT,
    error     TEXT,
    UNIQUE (week, recipient)
);
",
    // Each sighting remembers the content its source gave, so that an ad carried by two boards
    // in two wordings is updated when one board changes it, not flipped at every crawl.
    r"
ALTER TABLE sightings ADD COLUMN content_hash TEXT;
",
    // Life cycle and de-duplication: runs a sighting was missing from its source, reposts of
    // an ad that had gone, and near-duplicate pairs left for staff to decide.
    r"
ALTER TABLE sightings ADD COLUMN missed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE postings ADD COLUMN reposts INTEGER NOT NULL DEFAULT 0;
CREATE TABLE duplicate_candidates (
    posting_a  TEXT NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    posting_b  TEXT NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    score      REAL NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending',
    created_at TEXT NOT NULL,
    PRIMARY KEY (posting_a, posting_b)
);
",
    // Staff review: each decision says what was done, on which rules version and revision;
    // failed logins are counted to slow down guessing.
    r"
ALTER TABLE reviews ADD COLUMN action TEXT NOT NULL DEFAULT 'note';
ALTER TABLE reviews ADD COLUMN rules_version TEXT;
ALTER TABLE reviews ADD COLUMN revision INTEGER;
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    peer  TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures (email, at);
CREATE INDEX login_failures_by_peer ON login_failures (peer, at);
",
    // The weekly digest: subscriptions can be paused, and the outbox keeps one row per
    // (week, recipient) holding the rendered message, so that every attempt sends the same
    // bytes and the same Message-ID. The old digests table never held rows.
    r"
ALTER TABLE subscriptions ADD COLUMN paused_at TEXT;
ALTER TABLE subscriptions ADD COLUMN confirm_sent_at TEXT;
CREATE INDEX subscriptions_by_email ON subscriptions (email);
DROP TABLE digests;
CREATE TABLE digests (
    id              INTEGER PRIMARY KEY,
    week            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    message         BLOB NOT NULL,
    ads             INTEGER NOT NULL,
    window_end      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    error           TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (week, recipient)
);
CREATE INDEX digests_by_status ON digests (status, id);
",
    // Faults that cost one ad but not the run (a page too deeply nested, an ad without text):
    // the last one is kept per run and per source, for the operator.
    r"
ALTER TABLE crawl_runs ADD COLUMN item_fault TEXT;
ALTER TABLE sources ADD COLUMN last_item_fault TEXT;
ALTER TABLE sources ADD COLUMN last_item_fault_at TEXT;
",
    // Logins: each session may carry a notice for its staff member (failed attempts on the
    // account since the last login); accounts remember their last login.
    r"
ALTER TABLE sessions ADD COLUMN notice TEXT;
ALTER TABLE users ADD COLUMN last_login_at TEXT;
",
    // Feeds read only once repaired (a bare « & », HTML entities): the last repair is kept per
    // run and per source, for the operator to tell the board.
    r"
ALTER TABLE crawl_runs ADD COLUMN repaired TEXT;
ALTER TABLE sources ADD COLUMN last_repair TEXT;
ALTER TABLE sources ADD COLUMN last_repair_at TEXT;
",
];
