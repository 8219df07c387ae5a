//! The HTTP service of impactmap.
//!
//! [`app`] builds the whole router from an [`AppState`]; tests drive it with
//! `oneshot` and no socket, and [`serve`] puts it on a listener. The key
//! design choice: handlers are thin — reading the store or, later, the
//! Atlas happens on blocking threads, and every error becomes HTTP in one
//! place, [`ApiError`].

mod config;
mod error;
mod routes;
mod state;
mod tile_cache;
pub mod tile_service;

pub use config::{Config, ConfigError, MAX_SERVED_ZOOM, RawConfig};
pub use error::ApiError;
pub use routes::app;
pub use state::AppState;

/// How often the store is asked whether another process changed it.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves the app on `listener` until SIGTERM or Ctrl-C, then drains
/// in-flight requests. Meanwhile, commits by other processes (an
/// `impactmap import`) rebuild the Atlas.
///
/// # Errors
/// The I/O error that stopped the server.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let watcher = tokio::spawn(watch_store(state.clone()));
    let served = axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await;
    watcher.abort();
    served
}

async fn watch_store(state: AppState) {
    let mut watcher = match state.store.watch() {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("cannot watch the database for changes: {e}");
            return;
        }
    };
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        let state = state.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let reloaded = watcher.changed().and_then(|changed| {
                if changed {
                    let started = std::time::Instant::now();
                    let generation = state.reload()?;
                    tracing::info!(
                        "database changed: atlas generation {generation} of {} organisations built in {:.2?}",
                        state.atlas.load().len(),
                        started.elapsed()
                    );
                }
                Ok(())
            });
            (watcher, reloaded)
        })
        .await;
        match outcome {
            Ok((w, reloaded)) => {
                watcher = w;
                // The old Atlas keeps serving; the next change tries again.
                if let Err(e) = reloaded {
                    tracing::error!("reloading after a database change failed: {e}");
                }
            }
            Err(e) => {
                tracing::error!("the database watcher stopped: {e}");
                return;
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining requests");
}
