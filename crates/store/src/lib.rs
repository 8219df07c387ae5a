//! SQLite storage of impactmap.
//!
//! One file holds everything: organisations, submissions, moderators and
//! the audit log. The key design choice: durability first — WAL
//! with `synchronous=FULL`, every write one transaction, and a file that is
//! not ours or not sound is refused with its name, never "repaired".

mod admins;
mod error;
mod maintenance;
mod organisations;
mod schema;
mod store;
mod submissions;

pub use admins::Admin;
pub use error::StoreError;
pub use maintenance::BackupSummary;
pub use organisations::UpsertSummary;
pub use store::{ChangeWatcher, Store};
pub use submissions::{
    AuditRow, Decision, NewSubmission, PendingCaps, Received, Submission, SubmissionStatus,
};
