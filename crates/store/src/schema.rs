//! Migrations, applied in order; `PRAGMA user_version` counts those applied.

/// `IMAP` in ASCII: marks the file as ours.
pub(crate) const APPLICATION_ID: i64 = 0x494d_4150;

pub(crate) const MIGRATIONS: &[&str] = &[r"
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
"];
