use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use impactmap_store::Store;

use crate::DbArgs;

/// Who the command line acts as in the audit log.
const ACTOR: &str = "cli";

#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Add a moderator and print their token, once: it is stored only as an argon2id hash.
    Add {
        /// 1-32 lowercase letters, digits or '-'.
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the moderators.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove a moderator; their token stops working at once.
    Revoke {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub(crate) fn run(args: &AdminArgs) -> anyhow::Result<ExitCode> {
    let (AdminCommand::Add { db, .. }
    | AdminCommand::List { db }
    | AdminCommand::Revoke { db, .. }) = &args.command;
    let store = Store::open(&db.config()?.db)?;
    let now = jiff::Timestamp::now();
    match &args.command {
        AdminCommand::Add { name, .. } => {
            let (token, hash) =
                impactmap_server::new_admin_token(name).map_err(anyhow::Error::msg)?;
            store.add_admin(name, &hash, ACTOR, now)?;
            eprintln!("moderator '{name}' added; their token (shown once, keep it secret):");
            println!("{token}");
        }
        AdminCommand::List { .. } => {
            for admin in store.admins()? {
                println!("{}\t{}", admin.name, admin.created);
            }
        }
        AdminCommand::Revoke { name, .. } => {
            store.revoke_admin(name, ACTOR, now)?;
            eprintln!("moderator '{name}' revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// The new file to write; an existing file is never overwritten.
    dest: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// A consistent copy while the server keeps writing, checked read-only.
pub(crate) fn backup(args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let config = args.db.config()?;
    anyhow::ensure!(config.db.exists(), "{}: no such database", config.db.display());
    let store = Store::open(&config.db)?;
    let summary = store.backup_to(&args.dest)?;
    eprintln!(
        "{}: {} organisations, {} submissions, {} bytes; integrity checked",
        args.dest.display(),
        summary.organisations,
        summary.submissions,
        summary.bytes
    );
    Ok(ExitCode::SUCCESS)
}
