use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use impactmap_formats::{
    Format, FormatError, ImportOptions, ImportReport, Mapping, embedded_reference, import_file,
};
use impactmap_model::Reference;
use impactmap_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::DbArgs;

/// Issues printed to the terminal; `--report` writes them all.
const SHOWN_ISSUES: usize = 100;

/// Files with more rows than this get a progress bar on a terminal.
const PROGRESS_ROWS: usize = 5_000;

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The file to read.
    file: PathBuf,
    /// The file's format; `auto` tells it from the content.
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    format: FormatChoice,
    /// Source name for rows that carry none [default: the file's name without extension].
    #[arg(long)]
    source: Option<String>,
    /// Treat any rejected row as a failure of the whole file.
    #[arg(long)]
    strict: bool,
    /// Write every issue to this file (the terminal shows the first 100).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Read a column as one of our fields (`"Nom de la structure=name"`,
    /// `Région=ignore`); may be given again.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// A TOML file of column and label mappings for a recurring source
    /// (`[columns]`, `[families]`, `[sectors]`; see README).
    #[arg(long, value_name = "FILE.toml")]
    mapping: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    file: ValidateArgs,
    /// Read and check only; write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Clone, Copy)]
struct FormatChoice(Option<Format>);

fn parse_format(text: &str) -> Result<FormatChoice, FormatError> {
    if text == "auto" {
        Ok(FormatChoice(None))
    } else {
        text.parse().map(|f| FormatChoice(Some(f)))
    }
}

pub(crate) fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let report = read(args, &embedded_reference())?;
    let valid = report.organisations.len();
    let rejected = report.rejected();
    println!(
        "{}: {valid} valid, {rejected} rejected ({}; nothing written)",
        report.file, report.format
    );
    Ok(if rejected == 0 && valid > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub(crate) fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if args.dry_run {
        return validate(&args.file);
    }
    let config = args.db.config()?;
    let report = read(&args.file, &embedded_reference())?;
    check(&report, args.file.strict)?;
    write(&report, &Store::open(&config.db)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Imports a file as `impactmap import FILE` does (format told from the
/// content, rejected rows reported and skipped): `serve --import`.
pub(crate) fn import_into(file: &Path, store: &Store, reference: &Reference) -> anyhow::Result<()> {
    let args = ValidateArgs {
        file: file.to_owned(),
        format: FormatChoice(None),
        source: None,
        strict: false,
        report: None,
        map: Vec::new(),
        mapping: None,
    };
    let report = read(&args, reference)?;
    check(&report, false)?;
    write(&report, store)
}

fn check(report: &ImportReport, strict: bool) -> anyhow::Result<()> {
    let rejected = report.rejected();
    if strict && rejected > 0 {
        anyhow::bail!("{}: {rejected} row(s) rejected; nothing imported (--strict)", report.file);
    }
    if report.organisations.is_empty() {
        anyhow::bail!(
            "{}: no valid organisation; nothing imported ({rejected} rejected)",
            report.file
        );
    }
    Ok(())
}

fn write(report: &ImportReport, store: &Store) -> anyhow::Result<()> {
    let bar = progress_bar(report.organisations.len());
    let summary =
        store.upsert_with_progress(&report.organisations, |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    println!(
        "{}: {} imported, {} updated, {} unchanged, {} rejected ({} into {})",
        report.file,
        summary.inserted,
        summary.updated,
        summary.unchanged,
        report.rejected(),
        report.format,
        store.path().display()
    );
    Ok(())
}

fn read(args: &ValidateArgs, reference: &Reference) -> anyhow::Result<ImportReport> {
    let source = args.source.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .map_or_else(|| "import".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    let mut mapping = Mapping::default();
    if let Some(path) = &args.mapping {
        let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
        mapping.add_file(&path.display().to_string(), &text, reference)?;
    }
    for spec in &args.map {
        mapping.add_column(spec)?;
    }
    let options = ImportOptions {
        format: args.format.0,
        mapping,
        ..ImportOptions::new(source, jiff::Timestamp::now())
    };
    let spinner =
        ProgressBar::new_spinner().with_message(format!("reading {}", args.file.display()));
    let report = import_file(&args.file, reference, &options)?;
    spinner.finish_and_clear();
    print_issues(&report, args.report.as_ref())?;
    if report.unpublished > 0 {
        eprintln!("{}: {} unpublished element(s) skipped", report.file, report.unpublished);
    }
    Ok(report)
}

fn print_issues(report: &ImportReport, all_to: Option<&PathBuf>) -> anyhow::Result<()> {
    let mut stderr = std::io::stderr().lock();
    for issue in report.issues.iter().take(SHOWN_ISSUES) {
        writeln!(stderr, "{}", issue.render(&report.file))?;
    }
    if let Some(path) = all_to {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        for issue in &report.issues {
            writeln!(out, "{}", issue.render(&report.file))?;
        }
        out.flush()?;
    } else if report.issues.len() > SHOWN_ISSUES {
        writeln!(
            stderr,
            "... and {} more issues (--report FILE writes them all)",
            report.issues.len() - SHOWN_ISSUES
        )?;
    }
    Ok(())
}

fn progress_bar(rows: usize) -> ProgressBar {
    if rows <= PROGRESS_ROWS {
        return ProgressBar::hidden();
    }
    // indicatif draws only when stderr is a terminal.
    ProgressBar::new(rows as u64).with_style(
        ProgressStyle::with_template("writing {bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}
