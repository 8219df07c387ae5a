//! `impactmap`: the one binary. Each subcommand lives in its own module;
//! this file holds the command line and turns errors into one readable line.

mod admin;
mod export;
mod gen_sample;
mod import;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use impactmap_formats::{Format, FormatError};

/// mimalloc: building an Atlas frees millions of small strings, and glibc's
/// allocator spends longer consolidating them than the build itself takes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The world map of the Pact for Impact alliance: organisations of the
/// Social and Solidarity Economy and the Inclusive Economy.
#[derive(Debug, Parser)]
#[command(name = "impactmap", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service; on an empty database, load the shipped sample first.
    Serve(serve::ServeArgs),
    /// Import organisations from CSV, GeoJSON, ESSGlobal CSV or GoGoCarto JSON.
    ///
    /// The import is one transaction: it lands whole or not at all. Rows that
    /// fail validation are skipped and reported as `file:line: field: reason`;
    /// importing the same file again changes nothing.
    Import(import::ImportArgs),
    /// Check a file as `import` would, writing nothing (same as `import --dry-run`).
    Validate(import::ValidateArgs),
    /// Write every organisation as CSV, GeoJSON or ESSGlobal CSV (never e-mails).
    Export(export::ExportArgs),
    /// Generate sample organisations at real towns, marked as sample.
    GenSample(gen_sample::GenSampleArgs),
    /// Manage moderators: `admin add NAME` prints a token once; `admin list`; `admin revoke NAME`.
    Admin(admin::AdminArgs),
    /// Copy the database consistently while the server runs (`VACUUM INTO`),
    /// then check the copy read-only.
    Backup(admin::BackupArgs),
}

/// Where the database is: `--db`, else `--config`'s `[server] db`, else
/// `IMPACTMAP_DB`, else `./impactmap.db`.
#[derive(Debug, Args)]
struct DbArgs {
    /// The SQLite database file.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// A TOML configuration file (see README).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl DbArgs {
    fn raw_config(&self) -> anyhow::Result<impactmap_server::RawConfig> {
        let mut raw = match &self.config {
            Some(path) => impactmap_server::RawConfig::from_file(path)?,
            None => impactmap_server::RawConfig::default(),
        }
        .with_env();
        if let Some(db) = &self.db {
            raw.server.db = Some(db.clone());
        }
        Ok(raw)
    }

    fn config(&self) -> anyhow::Result<impactmap_server::Config> {
        Ok(self.raw_config()?.validate()?)
    }
}

/// `--format` of the commands that write: a format impactmap can write
/// (`gogocarto` is refused by name).
fn writable_format(text: &str) -> Result<Format, FormatError> {
    text.parse::<Format>()?.for_writing()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Validate(args) => import::validate(&args),
        Command::Export(args) => export::run(&args),
        Command::GenSample(args) => gen_sample::run(&args),
        Command::Admin(args) => admin::run(&args),
        Command::Backup(args) => admin::backup(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
