//! The HTTP service of impactmap.
//!
//! [`app`] builds the whole router from an [`AppState`]; tests drive it with
//! `oneshot` and no socket, and [`serve`] puts it on a listener. The key
//! design choice: handlers are thin — reading the store or the Atlas
//! happens on blocking threads, and every error becomes HTTP in one place,
//! [`ApiError`].

mod auth;
mod client_ip;
mod config;
mod contribution;
mod error;
pub mod form_token;
mod listener;
mod rate_limit;
mod routes;
mod state;
mod tile_cache;
pub mod tile_service;

pub use auth::{check_name as check_admin_name, new_token as new_admin_token};
pub use config::{
    Config, ConfigError, Limits, MAX_SERVED_ZOOM, RawConfig, RawEmbed, RawLimits, RawServer,
    RawTiles,
};
pub use error::ApiError;
pub use listener::serve;
pub use routes::{ADMIN_ROUTES, App, app};
pub use state::AppState;
