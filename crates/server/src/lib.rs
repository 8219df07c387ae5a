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

/// Serves the app on `listener` until SIGTERM or Ctrl-C, then drains
/// in-flight requests.
///
/// # Errors
/// The I/O error that stopped the server.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await
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
