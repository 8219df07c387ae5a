use std::path::PathBuf;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or is not an SQLite database.
    #[error("{}: cannot open the database: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },
    /// The file is an SQLite database that fails its integrity check.
    #[error("{}: the database is damaged ({detail}); restore it from a backup", path.display())]
    Corrupt { path: PathBuf, detail: String },
    /// The file is an SQLite database of another application.
    #[error("{}: not an impactmap database (application id {application_id:#x})", path.display())]
    NotOurs { path: PathBuf, application_id: i64 },
    /// The file was written by a newer impactmap.
    #[error(
        "{}: schema version {found} is newer than this impactmap knows ({known})",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    /// A stored row no longer forms a valid organisation.
    #[error("organisation {id}: stored row is invalid: {detail}")]
    Row { id: String, detail: String },
    /// Two provenances hash to one id (never seen; reported rather than merged).
    #[error("organisation {id}: id already used by {existing_source}/{existing_source_id}")]
    IdCollision { id: String, existing_source: String, existing_source_id: String },
    /// A caller's callback asked to stop a scan (its own error is returned instead).
    #[error("scan stopped by the caller")]
    Stopped,
    /// The disk, or the configured quota, is full: writes wait for space, reads go on.
    #[error("storage full")]
    Full,
    /// The moderation queue holds as many pending submissions as allowed.
    #[error("the moderation queue is full ({cap} pending)")]
    QueueFull { cap: usize },
    /// The submitting client already has as many pending submissions as allowed.
    #[error("{cap} submissions of this client are pending")]
    ClientQueueFull { cap: usize },
    /// No submission has this id.
    #[error("no submission {0}")]
    NoSuchSubmission(String),
    /// The submission was already decided (by another moderator, say).
    #[error("submission {id} is already {status}")]
    AlreadyDecided { id: String, status: &'static str },
    /// A moderator of this name exists.
    #[error("a moderator named '{0}' exists; revoke it first")]
    AdminExists(String),
    /// No moderator has this name.
    #[error("no moderator named '{0}'")]
    NoSuchAdmin(String),
    /// A backup would overwrite a file.
    #[error("{}: exists; a backup never overwrites a file", .0.display())]
    BackupExists(PathBuf),
    /// Any other SQLite failure.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
