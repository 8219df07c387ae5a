use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use impactmap_formats::{ImportOptions, embedded_reference, import_bytes};
use impactmap_model::Reference;
use impactmap_server::AppState;
use impactmap_store::Store;

use crate::DbArgs;

/// The shipped sample, loaded into an empty database on first start.
const SAMPLE_CSV: &[u8] = include_bytes!("../../../data/sample/organisations.csv");

/// Threads for blocking work (SQLite, tile making, exports): a flood of
/// requests waits for one instead of starting hundreds, each with its own
/// allocator heaps (50 concurrent API requests grew the server from 115 to
/// 395 MB). Enough for ten streamed exports and the API beside them.
const BLOCKING_THREADS: usize = 24;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Import this file (CSV, ESSGlobal, GeoJSON or GoGoCarto, as `impactmap
    /// import` reads them) into the database before serving; may be repeated.
    /// The shipped sample is loaded only into a database left empty.
    #[arg(long = "import", value_name = "FILE")]
    imports: Vec<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let mut raw = args.db.raw_config()?;
    if let Some(listen) = &args.listen {
        raw.server.listen = Some(listen.clone());
    }
    // Bound first, so that with port 0 the absolute URLs we hand out
    // (TileJSON, OGC links) name the port actually listened on.
    let listen = raw.clone().validate()?.listen;
    let listener = std::net::TcpListener::bind(listen)
        .with_context(|| format!("cannot listen on {listen}"))?;
    let bound = listener.local_addr()?;
    if raw.server.public_url.is_none() {
        raw.server.public_url = Some(format!("http://{bound}"));
    }
    let config = raw.validate()?;
    let reference = Arc::new(embedded_reference());
    let store = Arc::new(Store::open(&config.db)?);
    for file in &args.imports {
        crate::import::import_into(file, &store, &reference)?;
    }
    if store.count()? == 0 {
        load_sample(&store, &reference)?;
    }
    let started = std::time::Instant::now();
    let state = AppState::new(store.clone(), reference, config)?;
    tracing::info!(
        "atlas of {} organisations built in {:.2?}",
        state.atlas.load().len(),
        started.elapsed()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        impactmap_server::serve(listener, state).await?;
        anyhow::Ok(())
    })?;
    // Requests are done: fold the write-ahead log back so the file alone is the database.
    if !store.checkpoint()? {
        tracing::info!(
            "{}: another process still reads the database; part of its log stays beside it",
            store.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn load_sample(store: &Store, reference: &Reference) -> anyhow::Result<()> {
    let options = ImportOptions::new("sample", jiff::Timestamp::now());
    let report = import_bytes("data/sample/organisations.csv", SAMPLE_CSV, reference, &options)?;
    anyhow::ensure!(
        report.rejected() == 0,
        "the shipped sample has {} rejected rows",
        report.rejected()
    );
    let summary = store.upsert(&report.organisations)?;
    tracing::info!(
        "empty database {}: loaded {} sample organisations",
        store.path().display(),
        summary.inserted
    );
    Ok(())
}
