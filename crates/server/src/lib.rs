//! The HTTP service of impactmap.
//!
//! [`app`] builds the whole router from an [`AppState`]; tests drive it with
//! `oneshot` and no socket, and [`serve`] puts it on a listener. The key
//! design choice: handlers are thin — reading the store or, later, the
//! Atlas happens on blocking threads, and every error becomes HTTP in one
//! place, [`ApiError`].

mod auth;
mod client_ip;
mod config;
mod contribution;
mod error;
pub mod form_token;
mod rate_limit;
mod routes;
mod state;
mod tile_cache;
pub mod tile_service;

pub use auth::{check_name as check_admin_name, new_token as new_admin_token};
pub use config::{Config, ConfigError, Limits, MAX_SERVED_ZOOM, RawConfig, RawEmbed, RawLimits, RawServer, RawTiles};
pub use error::ApiError;
pub use routes::{ADMIN_ROUTES, app};
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
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service).with_graceful_shutdown(shutdown_signal()).await;
    watcher.abort();
    served
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
                    "organisations changed: atlas generation {generation} of {} organisations built in {:.2?}",
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
