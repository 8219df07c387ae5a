use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use impactmap_formats::{Exporter, Format, FormatError, embedded_reference};
use impactmap_model::Reference;
use impactmap_store::{Store, StoreError};

use crate::DbArgs;

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// csv (ours, lossless), geojson, or essglobal.
    #[arg(long, default_value = "csv", value_parser = crate::writable_format)]
    format: Format,
    /// Write here (atomically: a temporary file renamed at the end) instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Format(#[from] FormatError),
}

pub(crate) fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let config = args.db.config()?;
    anyhow::ensure!(config.db.exists(), "{}: no such database", config.db.display());
    let store = Store::open(&config.db)?;
    let reference = embedded_reference();
    let written = match &args.output {
        Some(path) => {
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("cannot write {}", partial.display()))?;
            let (out, written) = write_all(&store, &reference, args.format, BufWriter::new(file))?;
            out.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written
        }
        None => {
            write_all(&store, &reference, args.format, BufWriter::new(std::io::stdout().lock()))?.1
        }
    };
    eprintln!("exported {written} organisations as {}", args.format);
    Ok(ExitCode::SUCCESS)
}

fn write_all<W: Write>(
    store: &Store,
    reference: &Reference,
    format: Format,
    out: W,
) -> anyhow::Result<(W, usize)> {
    let mut exporter = Exporter::new(format, reference, out)?;
    store.each_organisation(|org| exporter.write(&org).map_err(ExportError::from))?;
    let (mut out, written) = exporter.finish()?;
    out.flush()?;
    Ok((out, written))
}
