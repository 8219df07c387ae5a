//! Migrations, applied in order; `PRAGMA user_version` counts those applied.

/// `IMAP` in ASCII: marks the file as ours.
pub(crate) const APPLICATION_ID: i64 = 0x494d_4150;

pub(crate) const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    website     TEXT,
    email       TEXT,
    country     TEXT NOT NULL,
    city        TEXT NOT NULL,
    continent   TEXT NOT NULL,
    family      TEXT NOT NULL,
    sectors     TEXT NOT NULL,   -- keys joined by ';'
    sdgs        INTEGER NOT NULL, -- bit n set for goal n
    lon         REAL NOT NULL,
    lat         REAL NOT NULL,
    source      TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    created     TEXT NOT NULL,   -- RFC 3339, UTC
    updated     TEXT NOT NULL,
    sample      INTEGER NOT NULL,
    UNIQUE (source, source_id)
) STRICT;
",
    concat!(
        r"
-- Counters and secrets of this database.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
-- Bumped by every commit that changes organisations: the Atlas is rebuilt
-- when it moves, not for every submission.
INSERT INTO meta VALUES ('organisations_version', '0');

-- What the public form sent, waiting for (or past) moderation. Never public.
CREATE TABLE submissions (
    id           TEXT PRIMARY KEY,   -- public id, returned by POST /api/submissions
    fingerprint  TEXT NOT NULL,      -- hash of the submitted content: ",
        r"a double-click finds its first copy
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
    draft        TEXT NOT NULL,      -- JSON: the submitted fields
    edit_of      TEXT,               -- an organisation this proposes to change
    hints        TEXT NOT NULL,      -- JSON: duplicate, country and spam hints for moderators
    created      TEXT NOT NULL,      -- RFC 3339, UTC
    decided      TEXT,
    decided_by   TEXT,
    reason       TEXT,
    organisation TEXT                -- the organisation it became or was merged into
) STRICT;
CREATE UNIQUE INDEX submissions_open_fingerprint ON submissions (fingerprint) ",
        r"WHERE status IN ('pending', 'spam');
CREATE INDEX submissions_by_status ON submissions (status, created);

-- Form tokens already spent: a replayed token is spam.
CREATE TABLE form_tokens_used (
    nonce TEXT PRIMARY KEY,
    at    TEXT NOT NULL
) STRICT;

-- Moderators: the argon2id hash of their token, never the token.
CREATE TABLE admins (
    name        TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created     TEXT NOT NULL
) STRICT;

-- One row per moderation act, written in the act's own transaction.
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    act          TEXT NOT NULL,
    submission   TEXT,
    organisation TEXT,
    detail       TEXT NOT NULL       -- JSON: what changed
) STRICT;
",
    ),
    r"
-- Who sent a submission, as a keyed hash of the client's network (never the
-- address itself): one client may keep only so many pending.
ALTER TABLE submissions ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX submissions_pending_by_client ON submissions (client) WHERE status = 'pending';

-- Pairs a moderator said are different organisations: a submission under this
-- name is never again flagged as a duplicate of `other`.
CREATE TABLE not_duplicates (
    name_key   TEXT NOT NULL,        -- the submitted name, folded (accents, case, spacing)
    other      TEXT NOT NULL,        -- the organisation or submission it is not
    decided    TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    PRIMARY KEY (name_key, other)
) STRICT;
",
    r"
-- When the source says an organisation was submitted or recorded (a form's
-- timestamp; RFC 3339, UTC), apart from when this store first held it.
ALTER TABLE organisations ADD COLUMN submitted TEXT;
",
];
