use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use impactmap_formats::{Exporter, Format, embedded_reference, generate_sample};

#[derive(Debug, Args)]
pub(crate) struct GenSampleArgs {
    /// How many organisations.
    #[arg(long, default_value_t = 760)]
    count: usize,
    /// The seed: the same seed and count give byte-identical output.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// csv (ours), geojson, or essglobal.
    #[arg(long, default_value = "csv", value_parser = crate::writable_format)]
    format: Format,
    /// Write here instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &GenSampleArgs) -> anyhow::Result<ExitCode> {
    let reference = embedded_reference();
    let organisations = generate_sample(&reference, args.count, args.seed);
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut exporter = Exporter::new(args.format, &reference, BufWriter::new(out))?;
    for org in &organisations {
        exporter.write(org)?;
    }
    exporter.finish()?.0.flush()?;
    Ok(ExitCode::SUCCESS)
}
