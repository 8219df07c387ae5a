use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::schema::APPLICATION_ID;
use crate::{Store, StoreError};

/// What a verified backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Organisations in the copy.
    pub organisations: usize,
    /// Submissions in the copy, whatever their status.
    pub submissions: usize,
    /// Size of the copy.
    pub bytes: u64,
}

impl Store {
    /// Writes a consistent copy of the database to `dest` with `VACUUM INTO`
    /// while writers carry on, then opens the copy read-only and checks it.
    ///
    /// # Errors
    /// [`StoreError::BackupExists`] when `dest` exists, [`StoreError::Corrupt`]
    /// when the copy fails its check, or an SQLite failure.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupSummary, StoreError> {
        if dest.exists() {
            return Err(StoreError::BackupExists(dest.to_owned()));
        }
        let target = dest.to_str().ok_or_else(|| StoreError::BackupExists(dest.to_owned()))?;
        self.read(|c| Ok(c.execute("VACUUM INTO ?1", [target])?))?;
        verify_copy(dest)
    }

    /// Folds the write-ahead log into the database file and empties it: at a
    /// clean stop, so that the file alone is the whole database. Returns
    /// whether every frame was folded (a reader still open elsewhere, such
    /// as another process, may hold some back).
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        self.write(|c| {
            let busy: i64 = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            Ok(busy == 0)
        })
    }

    /// Caps the database file at about `bytes`; writes past it fail with
    /// [`StoreError::Full`] while reads go on. A cap below the current size
    /// holds the file where it is.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn set_quota(&self, bytes: u64) -> Result<(), StoreError> {
        self.write(|c| {
            let page_size: u64 = c.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let pages = (bytes / page_size.max(1)).max(1);
            c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            Ok(())
        })
    }

    /// The counter that moves whenever organisations change.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn organisations_version(&self) -> Result<u64, StoreError> {
        self.read(read_version)
    }

    /// This database's secret for signing form tokens, made on first use.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn form_secret(&self, make: impl FnOnce() -> String) -> Result<String, StoreError> {
        self.write(|c| {
            let tx = c.transaction()?;
            let existing: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'form_secret'", [], |r| r.get(0))
                .optional()?;
            let secret = if let Some(s) = existing {
                s
            } else {
                let s = make();
                tx.execute("INSERT INTO meta (key, value) VALUES ('form_secret', ?1)", [&s])?;
                s
            };
            tx.commit()?;
            Ok(secret)
        })
    }
}

pub(crate) fn read_version(c: &Connection) -> Result<u64, StoreError> {
    let value: String =
        c.query_row("SELECT value FROM meta WHERE key = 'organisations_version'", [], |r| {
            r.get(0)
        })?;
    value.parse().map_err(|_| StoreError::Row {
        id: "meta.organisations_version".into(),
        detail: format!("'{value}' is not a counter"),
    })
}

/// Opens a copy read-only (never creating or "recovering" it) and checks it is
/// a sound impactmap database.
fn verify_copy(path: &Path) -> Result<BackupSummary, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt { path: path.to_owned(), detail };
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let verdict: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(corrupt(verdict));
    }
    let application_id: i64 = c.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if application_id != APPLICATION_ID {
        return Err(corrupt(format!("application id {application_id:#x}")));
    }
    let count = |table: &str| -> Result<usize, StoreError> {
        let n: i64 = c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    };
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    Ok(BackupSummary {
        organisations: count("organisations")?,
        submissions: count("submissions")?,
        bytes,
    })
}
