//! The listener: HTTP/1.1 connections with a header timeout, graceful
//! stops on SIGTERM or Ctrl-C, and the watch that rebuilds the Atlas when
//! another process changes the store.

use crate::{AppState, app};

use tower::ServiceExt as _;

/// How often the store is asked whether another process changed it.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves the app on `listener` until SIGTERM or Ctrl-C (logging "listening
/// on" once both stop it gracefully), then drains
/// in-flight requests. Meanwhile, commits by other processes (an
/// `impactmap import`) rebuild the Atlas.
///
/// Connections are HTTP/1.1. A client gets `limits.header_timeout` to send
/// each request's head, so a slow or silent socket is closed instead of
/// holding the server (RELIABILITY D6).
///
/// # Errors
/// The I/O error that stopped the server.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let watcher = tokio::spawn(watch_store(state.clone()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(state.config.limits.header_timeout);
    let router = app(state);
    let connections = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal()?);
    tracing::info!("listening on http://{}", listener.local_addr()?);
    loop {
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.as_mut() => break,
        };
        let service = router.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                request.map(axum::body::Body::new)
            },
        );
        let connection = http.serve_connection(
            hyper_util::rt::TokioIo::new(socket),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out ends only its own connection.
            if let Err(e) = connection.await {
                tracing::debug!("connection from {peer} ended: {e}");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
    watcher.abort();
    Ok(())
}

async fn watch_store(state: AppState) {
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        let state = state.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let refreshed = state.refresh();
            if let Ok(Some(generation)) = refreshed {
                tracing::info!(
                    "organisations changed: atlas generation {generation} of {} organisations \
                     built in {:.2?}",
                    state.atlas.load().len(),
                    started.elapsed()
                );
            }
            refreshed
        })
        .await;
        match outcome {
            Ok(Ok(_)) => {}
            // The old Atlas keeps serving; the next look tries again.
            Ok(Err(e)) => tracing::error!("reloading after a database change failed: {e}"),
            Err(e) => {
                tracing::error!("the database watcher stopped: {e}");
                return;
            }
        }
    }
}

/// SIGTERM or Ctrl-C, with the handlers installed now: a signal that comes
/// before the future is first polled still stops the server gracefully
/// (installed lazily, an early SIGTERM killed the process outright).
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut term, mut interrupt) =
            (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?);
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = interrupt.recv() => {},
            }
            tracing::info!("shutting down: draining requests");
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: draining requests");
    })
}
