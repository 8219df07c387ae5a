use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;
use crate::maintenance::read_version;
use crate::schema::{APPLICATION_ID, MIGRATIONS};

/// Read connections open at most: more readers wait for one to be free
/// rather than open a connection each (a flood of API requests opened
/// hundreds). A streamed export holds one for its whole stream, so there are
/// enough for ten exports and the API beside them.
const READERS: usize = 16;

/// The database: one writer connection and a bounded pool of readers.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Readers>,
    reader_freed: Condvar,
}

/// The idle read connections, and how many exist in all.
#[derive(Debug, Default)]
struct Readers {
    idle: Vec<Connection>,
    open: usize,
}

impl Store {
    /// Opens the database at `path`, creating and migrating it as needed.
    ///
    /// # Errors
    /// [`StoreError::Open`] when it is no SQLite file, [`StoreError::Corrupt`]
    /// when it fails `quick_check`, [`StoreError::NotOurs`] for another
    /// application's database, [`StoreError::TooNew`] for a newer schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open { path: path.to_owned(), source };
        let mut writer = Connection::open(path).map_err(open_error)?;
        configure(&writer).map_err(|e| classify(path, e))?;
        check(path, &writer)?;
        migrate(path, &mut writer)?;
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::default(),
            reader_freed: Condvar::new(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the writer connection; writes are serialised here.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut connection).map_err(|e| match e {
            StoreError::Sqlite(ref s)
                if s.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) =>
            {
                StoreError::Full
            }
            e => e,
        })
    }

    /// Runs `f` on a read-only connection from the pool, waiting for one
    /// when all [`READERS`] are busy.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut readers = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let pooled = loop {
            if let Some(c) = readers.idle.pop() {
                break Some(c);
            }
            if readers.open < READERS {
                readers.open += 1;
                break None;
            }
            readers =
                self.reader_freed.wait(readers).unwrap_or_else(std::sync::PoisonError::into_inner);
        };
        drop(readers);
        // From here on the place is given back however this ends.
        let mut lease = Lease { store: self, connection: None };
        let connection = lease.connection.insert(match pooled {
            Some(c) => c,
            None => open_reader(&self.path)?,
        });
        f(connection)
    }
}

/// A read connection taken from the pool (or a place to open one); given
/// back when dropped, even by a panicking reader.
struct Lease<'a> {
    store: &'a Store,
    connection: Option<Connection>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut readers =
            self.store.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match self.connection.take() {
            Some(c) => readers.idle.push(c),
            None => readers.open -= 1,
        }
        self.store.reader_freed.notify_one();
    }
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_secs(5))?;
    Ok(c)
}

/// Tells whether organisations changed since the last look: a commit by
/// another process (an `impactmap import`) or by this store's writer. Commits
/// that touch only submissions or moderators do not count.
#[derive(Debug)]
pub struct ChangeWatcher {
    connection: Connection,
    data_version: i64,
    organisations_version: u64,
}

impl ChangeWatcher {
    /// Whether organisations changed since the watcher was made or last asked.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn changed(&mut self) -> Result<bool, StoreError> {
        let data_version: i64 =
            self.connection.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if data_version == self.data_version {
            return Ok(false);
        }
        self.data_version = data_version;
        let organisations_version = read_version(&self.connection)?;
        let changed = organisations_version != self.organisations_version;
        self.organisations_version = organisations_version;
        Ok(changed)
    }
}

impl Store {
    /// A watcher of commits, on a connection of its own.
    ///
    /// # Errors
    /// An SQLite failure opening the connection.
    pub fn watch(&self) -> Result<ChangeWatcher, StoreError> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let data_version = connection.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let organisations_version = read_version(&connection)?;
        Ok(ChangeWatcher { connection, data_version, organisations_version })
    }
}

/// Bytes the write-ahead log keeps once checkpointed (4 MiB, what
/// SQLite's 1000-page automatic checkpoint lets it reach in normal use).
const WAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // After a checkpoint, the write-ahead log file is cut back to this size,
    // so one big import or a long export does not leave it large (RELIABILITY C8).
    connection.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    Ok(())
}

/// "file is not a database" and friends mean a damaged or foreign file.
fn classify(path: &Path, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path: path.to_owned(), detail: error.to_string() }
        }
        _ => StoreError::Open { path: path.to_owned(), source: error },
    }
}

fn check(path: &Path, connection: &Connection) -> Result<(), StoreError> {
    let verdict: String = connection
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|e| classify(path, e))?;
    if verdict != "ok" {
        return Err(StoreError::Corrupt { path: path.to_owned(), detail: verdict });
    }
    let application_id: i64 =
        connection.query_row("PRAGMA application_id", [], |row| row.get(0))?;
    let tables: i64 =
        connection.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    if application_id != APPLICATION_ID && (application_id != 0 || tables > 0) {
        return Err(StoreError::NotOurs { path: path.to_owned(), application_id });
    }
    Ok(())
}

fn migrate(path: &Path, connection: &mut Connection) -> Result<(), StoreError> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > known {
        return Err(StoreError::TooNew { path: path.to_owned(), found: version, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        let tx = connection.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}
