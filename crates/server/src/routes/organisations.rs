use std::io::Write;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use impactmap_formats::{Exporter, Format, feature};
use impactmap_index::{Atlas, Selection};
use impactmap_model::OrgId;

use super::filter_query::{self, clip};
use super::params::{PathParams, single};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/organisations", get(export))
        .route("/api/organisations/{id}", get(one))
}

/// `GET /api/organisations/{id}`: the full public record as a GeoJSON Feature.
async fn one(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = OrgId::parse(&id)
        .map_err(|_| ApiError::NotFound(format!("organisation '{}'", clip(&id))))?;
    let store = state.store.clone();
    let lookup = id.clone();
    let org = tokio::task::spawn_blocking(move || store.organisation(&lookup))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("organisation '{id}'")))?;
    Ok(([(header::CONTENT_TYPE, Format::GeoJson.media_type())], Json(feature(&org))))
}

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;

/// `GET /api/organisations?<filters>&format=geojson|csv|essglobal`: the
/// filtered organisations, streamed from the store a chunk at a time (never
/// e-mail addresses).
async fn export(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (filter, rest) = filter_query::parse(&state.reference, query.as_deref(), &["format"])?;
    let format = match single(&rest, "format")? {
        None => Format::GeoJson,
        Some(f) => f.parse::<Format>().and_then(Format::for_writing).map_err(|_| {
            ApiError::bad("format", format!("'{}' is not one of geojson, csv, essglobal", clip(f)))
        })?,
    };
    let atlas = state.atlas.load_full();
    let selection = atlas.select(&filter)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    // A few exports at a time, each on a thread of its own at a lower CPU
    // priority: the rest wait with their answer begun, so a burst of exports
    // neither times out nor slows the map's tiles (RELIABILITY D7).
    let turn = state.exports.clone().acquire_owned();
    tokio::spawn(async move {
        let Ok(turn) = turn.await else { return };
        let spawned = std::thread::Builder::new().name("export".into()).spawn(move || {
            lower_priority();
            export_into(&state, &atlas, &selection, format, tx);
            drop(turn);
        });
        if let Err(e) = spawned {
            tracing::error!("could not start an export thread: {e}");
        }
    });
    let stream = futures_stream(rx);
    let extension = if format == Format::GeoJson { "geojson" } else { "csv" };
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"organisations.{extension}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Makes the calling thread yield the CPU to the rest of the server: under
/// Linux's `SCHED_IDLE` it runs only when nothing else wants the core, and
/// any request that wakes up takes the core from it at once (nice 10 left
/// tiles waiting a time slice: p99 2.4× against 2× with this).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy};
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        if let Err(e) = thread_priority::set_thread_priority_and_policy(
            thread_priority::thread_native_id(),
            ThreadPriority::Min,
            idle,
        ) {
            tracing::debug!("an export runs at normal priority: {e}");
        }
    }
}

/// Writes the selected organisations into the channel of a streamed answer.
#[expect(
    clippy::needless_pass_by_value,
    reason = "dropping the sender at the end is what ends the answer"
)]
fn export_into(
    state: &AppState,
    atlas: &Atlas,
    selection: &Selection,
    format: Format,
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
) {
    let sink = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK) };
    let written = (|| -> Result<(), ApiError> {
        let mut exporter = Exporter::new(format, &state.reference, sink)?;
        state.store.each_organisation(|org| {
            let selected = atlas.find(&org.id).is_some_and(|(index, _)| selection.contains(index));
            if selected { exporter.write(&org).map_err(ApiError::from) } else { Ok(()) }
        })?;
        let (mut sink, _) = exporter.finish()?;
        sink.flush().map_err(|e| ApiError::Internal(e.to_string()))
    })();
    if let Err(e) = written {
        // The client sees a cut body; the cause is logged once.
        tracing::warn!("export stopped: {e}");
        let _ = tx.blocking_send(Err(std::io::Error::other("export stopped")));
    }
}

fn futures_stream(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// Sends what is written to the response in chunks; fails once the client is gone.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}
