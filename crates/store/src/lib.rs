//! SQLite storage of impactmap.
//!
//! One file holds everything. The key design choice: durability first — WAL
//! with `synchronous=FULL`, every write one transaction, and a file that is
//! not ours or not sound is refused with its name, never "repaired".

mod error;
mod organisations;
mod schema;
mod store;

pub use error::StoreError;
pub use organisations::UpsertSummary;
pub use store::{ChangeWatcher, Store};
