use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::submissions::audit;
use crate::{Store, StoreError};

/// A moderator as listed: never their secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    /// Login name.
    pub name: String,
    /// When they were added, RFC 3339.
    pub created: String,
}

impl Store {
    /// Adds a moderator with the hash of their secret; audited.
    ///
    /// # Errors
    /// [`StoreError::AdminExists`], or an SQLite failure.
    pub fn add_admin(
        &self,
        name: &str,
        secret_hash: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO admins (name, secret_hash, created) VALUES (?1, ?2, ?3)",
                params![name, secret_hash, now.to_string()],
            )?;
            if inserted == 0 {
                return Err(StoreError::AdminExists(name.to_owned()));
            }
            audit(
                &tx,
                now,
                actor,
                "admin-add",
                None,
                None,
                &format!("{{\"admin\":{}}}", quote(name)),
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Removes a moderator; their token stops working at once. Audited.
    ///
    /// # Errors
    /// [`StoreError::NoSuchAdmin`], or an SQLite failure.
    pub fn revoke_admin(&self, name: &str, actor: &str, now: Timestamp) -> Result<(), StoreError> {
        self.write(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if tx.execute("DELETE FROM admins WHERE name = ?1", [name])? == 0 {
                return Err(StoreError::NoSuchAdmin(name.to_owned()));
            }
            audit(
                &tx,
                now,
                actor,
                "admin-revoke",
                None,
                None,
                &format!("{{\"admin\":{}}}", quote(name)),
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Every moderator, by name.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn admins(&self) -> Result<Vec<Admin>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare("SELECT name, created FROM admins ORDER BY name")?;
            let rows =
                statement.query_map([], |r| Ok(Admin { name: r.get(0)?, created: r.get(1)? }))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// The stored hash of a moderator's secret.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn admin_secret_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(c.query_row("SELECT secret_hash FROM admins WHERE name = ?1", [name], |r| r.get(0))
                .optional()?)
        })
    }
}

/// A JSON string of an admin name (names are checked to be plain ASCII by the
/// caller; this only guards quotes and backslashes).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}
