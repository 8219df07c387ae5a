use impactmap_model::{OrgId, Organisation};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::organisations::{bump_organisations_version, put_organisation};
use crate::{Store, StoreError};

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionStatus {
    /// Waiting for a moderator.
    Pending,
    /// Published (as a new organisation, or into an existing one).
    Approved,
    /// Turned down, with a reason.
    Rejected,
    /// Quietly set aside by the spam checks; moderators may still rescue it.
    Spam,
}

impl SubmissionStatus {
    /// Every status, in queue order.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Approved, Self::Rejected, Self::Spam];

    /// The name used in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Spam => "spam",
        }
    }

    /// The status named `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a moderator can still decide it.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Spam)
    }
}

/// A submission about to be stored.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// Public id, if this is the first copy of its content.
    pub id: String,
    /// Hash of the submitted content: a second copy while the first is open is the same submission.
    pub fingerprint: String,
    /// [`SubmissionStatus::Pending`], or [`SubmissionStatus::Spam`] when the checks say so.
    pub status: SubmissionStatus,
    /// The submitted fields, as JSON.
    pub draft: String,
    /// An organisation the submission proposes to change.
    pub edit_of: Option<OrgId>,
    /// Hints for moderators, as JSON.
    pub hints: String,
    /// When it arrived.
    pub created: Timestamp,
    /// The form token it spent.
    pub nonce: String,
    /// A pseudonym of the sender's network (a keyed hash, never the address).
    pub client: String,
}

/// How many submissions may wait for a moderator.
#[derive(Debug, Clone, Copy)]
pub struct PendingCaps {
    /// In all.
    pub total: usize,
    /// From one client.
    pub per_client: usize,
}

/// A stored submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// Public id.
    pub id: String,
    /// Where it stands.
    pub status: SubmissionStatus,
    /// The submitted fields, as JSON.
    pub draft: String,
    /// An organisation the submission proposes to change.
    pub edit_of: Option<OrgId>,
    /// Hints for moderators, as JSON.
    pub hints: String,
    /// When it arrived.
    pub created: Timestamp,
    /// When a moderator decided it.
    pub decided: Option<Timestamp>,
    /// Which moderator.
    pub decided_by: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The organisation it became or was merged into.
    pub organisation: Option<OrgId>,
}

/// Whether a stored submission is new or the earlier copy of the same content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Stored now under this id.
    New(String),
    /// The same content is already open under this id; nothing was written.
    Again(String),
}

/// What a moderator decided.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Publish `organisation` (a new one, or an existing one's new version);
    /// `act` names it in the audit (`approve`, `merge`).
    Publish { organisation: Box<Organisation>, act: &'static str },
    /// Turn it down.
    Reject { reason: String },
}

/// One moderation act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Order of the acts.
    pub seq: i64,
    /// When, RFC 3339.
    pub at: String,
    /// Which moderator (or `cli` for the command line).
    pub actor: String,
    /// `approve`, `merge`, `reject`, `admin-add`, `admin-revoke`.
    pub act: String,
    /// The submission acted on.
    pub submission: Option<String>,
    /// The organisation published or changed.
    pub organisation: Option<String>,
    /// What changed, as JSON.
    pub detail: String,
}

const SUBMISSION_COLUMNS: &str =
    "id, status, draft, edit_of, hints, created, decided, decided_by, reason, organisation";

impl Store {
    /// Stores a submission in one transaction, spending its form token, unless
    /// the same content is already open (then nothing is written).
    ///
    /// # Errors
    /// [`StoreError::QueueFull`] or [`StoreError::ClientQueueFull`] when
    /// `caps` submissions are pending in all or from this client,
    /// [`StoreError::Full`] when the disk or quota is full, or an SQLite failure.
    pub fn receive_submission(
        &self,
        new: &NewSubmission,
        caps: PendingCaps,
    ) -> Result<Received, StoreError> {
        self.write(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let open: Option<String> = tx
                .query_row(
                    "SELECT id FROM submissions \
                     WHERE fingerprint = ?1 AND status IN ('pending', 'spam')",
                    [&new.fingerprint],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = open {
                return Ok(Received::Again(id));
            }
            if new.status == SubmissionStatus::Pending {
                let pending: i64 = tx.query_row(
                    "SELECT count(*) FROM submissions WHERE status = 'pending'",
                    [],
                    |r| r.get(0),
                )?;
                if usize::try_from(pending).unwrap_or(usize::MAX) >= caps.total {
                    return Err(StoreError::QueueFull { cap: caps.total });
                }
                let theirs: i64 = tx.query_row(
                    "SELECT count(*) FROM submissions WHERE status = 'pending' AND client = ?1",
                    [&new.client],
                    |r| r.get(0),
                )?;
                if usize::try_from(theirs).unwrap_or(usize::MAX) >= caps.per_client {
                    return Err(StoreError::ClientQueueFull { cap: caps.per_client });
                }
            }
            tx.execute(
                "INSERT OR IGNORE INTO form_tokens_used (nonce, at) VALUES (?1, ?2)",
                params![new.nonce, new.created.to_string()],
            )?;
            tx.execute(
                "INSERT INTO submissions \
                 (id, fingerprint, status, draft, edit_of, hints, created, client) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    new.id,
                    new.fingerprint,
                    new.status.as_str(),
                    new.draft,
                    new.edit_of.as_ref().map(OrgId::as_str),
                    new.hints,
                    new.created.to_string(),
                    new.client
                ],
            )?;
            tx.commit()?;
            Ok(Received::New(new.id.clone()))
        })
    }

    /// Whether a form token was already spent.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn form_token_used(&self, nonce: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM form_tokens_used WHERE nonce = ?1",
                [nonce],
                |r| r.get::<_, i64>(0),
            )? > 0)
        })
    }

    /// Submissions in `status`, oldest first.
    ///
    /// # Errors
    /// An SQLite failure, or [`StoreError::Row`] for a damaged row.
    pub fn submissions(
        &self,
        status: SubmissionStatus,
        limit: usize,
    ) -> Result<Vec<Submission>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions \
                 WHERE status = ?1 ORDER BY created, id LIMIT ?2"
            ))?;
            let rows = statement.query_map(
                params![status.as_str(), i64::try_from(limit).unwrap_or(i64::MAX)],
                submission_from_row,
            )?;
            rows.map(|r| r?).collect()
        })
    }

    /// Every pending submission: what duplicate hints compare a new one with
    /// (at most the pending cap).
    ///
    /// # Errors
    /// An SQLite failure, or [`StoreError::Row`] for a damaged row.
    pub fn pending_submissions(&self) -> Result<Vec<Submission>, StoreError> {
        self.submissions(SubmissionStatus::Pending, usize::MAX)
    }

    /// One submission by id.
    ///
    /// # Errors
    /// An SQLite failure, or [`StoreError::Row`] for a damaged row.
    pub fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1"),
                [id],
                submission_from_row,
            )
            .optional()?
            .transpose()
        })
    }

    /// How many submissions are in each status.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn submission_counts(&self) -> Result<Vec<(SubmissionStatus, usize)>, StoreError> {
        self.read(|c| {
            SubmissionStatus::ALL
                .into_iter()
                .map(|s| {
                    let n: i64 = c.query_row(
                        "SELECT count(*) FROM submissions WHERE status = ?1",
                        [s.as_str()],
                        |r| r.get(0),
                    )?;
                    Ok((s, usize::try_from(n).unwrap_or(0)))
                })
                .collect()
        })
    }

    /// Carries out a moderator's decision on an open submission: the
    /// organisation written (if any), the submission closed and the audit
    /// row saying what changed (`detail`, JSON), all in one transaction.
    ///
    /// # Errors
    /// [`StoreError::NoSuchSubmission`], [`StoreError::AlreadyDecided`] when
    /// another moderator was first, [`StoreError::Full`], or an SQLite failure;
    /// nothing is written then.
    pub fn decide(
        &self,
        id: &str,
        decision: &Decision,
        detail: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Submission, StoreError> {
        self.write(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            still_open(&tx, id)?;
            let (new_status, organisation, reason, act) = match decision {
                Decision::Publish { organisation, act } => {
                    put_organisation(&tx, organisation)?;
                    bump_organisations_version(&tx)?;
                    (SubmissionStatus::Approved, Some(organisation.id.as_str()), None, *act)
                }
                Decision::Reject { reason } => {
                    (SubmissionStatus::Rejected, None, Some(reason.as_str()), "reject")
                }
            };
            tx.execute(
                "UPDATE submissions \
                 SET status = ?2, decided = ?3, decided_by = ?4, reason = ?5, organisation = ?6 \
                 WHERE id = ?1",
                params![id, new_status.as_str(), now.to_string(), actor, reason, organisation],
            )?;
            audit(&tx, now, actor, act, Some(id), organisation, detail)?;
            let decided = tx.query_row(
                &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1"),
                [id],
                submission_from_row,
            )??;
            tx.commit()?;
            Ok(decided)
        })
    }

    /// Remembers that a submission is not the same organisation as `other`
    /// (a published organisation or another submission), and stores the
    /// submission's `hints` without it, in one transaction with its audit row
    /// (`detail`, JSON).
    /// Later submissions under the same `name_key` are not flagged against
    /// `other` again.
    ///
    /// # Errors
    /// [`StoreError::NoSuchSubmission`], [`StoreError::AlreadyDecided`], or an SQLite failure.
    pub fn not_duplicate(
        &self,
        id: &str,
        pair: (&str, &str),
        hints: &str,
        detail: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Submission, StoreError> {
        let (name_key, other) = pair;
        self.write(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            still_open(&tx, id)?;
            tx.execute(
                "INSERT OR IGNORE INTO not_duplicates (name_key, other, decided, decided_by) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![name_key, other, now.to_string(), actor],
            )?;
            tx.execute("UPDATE submissions SET hints = ?2 WHERE id = ?1", params![id, hints])?;
            audit(&tx, now, actor, "not-duplicate", Some(id), None, detail)?;
            let updated = tx.query_row(
                &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1"),
                [id],
                submission_from_row,
            )??;
            tx.commit()?;
            Ok(updated)
        })
    }

    /// What moderators said a submission under `name_key` is not.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn not_duplicates(&self, name_key: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut statement =
                c.prepare("SELECT other FROM not_duplicates WHERE name_key = ?1 ORDER BY other")?;
            let rows = statement.query_map([name_key], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// The latest moderation acts, newest first.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT seq, at, actor, act, submission, organisation, detail \
                 FROM audit ORDER BY seq DESC LIMIT ?1",
            )?;
            let rows = statement.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(AuditRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    act: r.get(3)?,
                    submission: r.get(4)?,
                    organisation: r.get(5)?,
                    detail: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

/// Refuses to act on a submission that does not exist or was decided already.
fn still_open(tx: &Transaction<'_>, id: &str) -> Result<(), StoreError> {
    let status: String = tx
        .query_row("SELECT status FROM submissions WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NoSuchSubmission(id.to_owned()))?;
    let status = parse_status(id, &status)?;
    if status.is_open() {
        Ok(())
    } else {
        Err(StoreError::AlreadyDecided { id: id.to_owned(), status: status.as_str() })
    }
}

/// Writes one audit row inside the act's transaction.
pub(crate) fn audit(
    tx: &Transaction<'_>,
    at: Timestamp,
    actor: &str,
    act: &str,
    submission: Option<&str>,
    organisation: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO audit (at, actor, act, submission, organisation, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![at.to_string(), actor, act, submission, organisation, detail],
    )?;
    Ok(())
}

fn parse_status(id: &str, text: &str) -> Result<SubmissionStatus, StoreError> {
    SubmissionStatus::parse(text).ok_or_else(|| StoreError::Row {
        id: id.to_owned(),
        detail: format!("unknown status '{text}'"),
    })
}

fn submission_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Submission, StoreError>> {
    let id: String = row.get(0)?;
    let (status, edit_of, created, decided, organisation): (
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    ) = (row.get(1)?, row.get(3)?, row.get(5)?, row.get(6)?, row.get(9)?);
    let (draft, hints, decided_by, reason) = (row.get(2)?, row.get(4)?, row.get(7)?, row.get(8)?);
    let invalid = |detail: String| StoreError::Row { id: id.clone(), detail };
    let build = || -> Result<Submission, StoreError> {
        let org_id = |text: Option<String>| {
            text.map(|t| OrgId::parse(&t).map_err(|e| invalid(e.to_string()))).transpose()
        };
        let time = |text: &str| text.parse::<Timestamp>().map_err(|e| invalid(e.to_string()));
        Ok(Submission {
            status: parse_status(&id, &status)?,
            draft,
            edit_of: org_id(edit_of)?,
            hints,
            created: time(&created)?,
            decided: decided.as_deref().map(time).transpose()?,
            decided_by,
            reason,
            organisation: org_id(organisation)?,
            id: id.clone(),
        })
    };
    Ok(build())
}
