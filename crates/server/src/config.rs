use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use impactmap_index::ClusterOptions;
use serde::Deserialize;

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// The config file is not valid TOML or has unknown keys.
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// A value is not usable.
    #[error("{key}: {message}")]
    Value { key: &'static str, message: String },
}

/// Configuration as given: from the `--config` TOML file, then the
/// environment, then command-line flags, each overriding the one before.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// `[server]` table.
    #[serde(default)]
    pub server: RawServer,
    /// `[tiles]` table.
    #[serde(default)]
    pub tiles: RawTiles,
}

/// The `[tiles]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTiles {
    /// Memory for encoded tiles, in MiB (default 256).
    pub cache_mb: Option<u64>,
    /// Cluster radius in pixels of a 512-px tile (default 50).
    pub cluster_radius_px: Option<f64>,
    /// Most detailed zoom with clusters (default 16).
    pub cluster_max_zoom: Option<u8>,
}

/// The `[server]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// The SQLite file.
    pub db: Option<PathBuf>,
    /// The address the public reaches the service at, for absolute URLs in
    /// TileJSON and styles (default: `http://` + `listen`).
    pub public_url: Option<String>,
}

impl RawConfig {
    /// Reads a TOML file; unknown keys are refused.
    ///
    /// # Errors
    /// [`ConfigError::Read`] or [`ConfigError::Parse`] naming the file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })
    }

    /// Overlays `IMPACTMAP_LISTEN` and `IMPACTMAP_DB`: the only place that
    /// reads the environment.
    #[must_use]
    pub fn with_env(mut self) -> Self {
        if let Ok(listen) = std::env::var("IMPACTMAP_LISTEN") {
            self.server.listen = Some(listen);
        }
        if let Some(db) = std::env::var_os("IMPACTMAP_DB") {
            self.server.db = Some(PathBuf::from(db));
        }
        self
    }

    /// Checks every value and fills defaults.
    ///
    /// # Errors
    /// [`ConfigError::Value`] naming the key.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let listen = self.server.listen.as_deref().unwrap_or("127.0.0.1:8080");
        let listen = listen
            .parse()
            .map_err(|e| ConfigError::Value { key: "server.listen", message: format!("'{listen}' is not an address:port ({e})") })?;
        let db = self.server.db.unwrap_or_else(|| PathBuf::from("impactmap.db"));
        if db.as_os_str().is_empty() {
            return Err(ConfigError::Value { key: "server.db", message: "empty path".into() });
        }
        let public_url = self.server.public_url.unwrap_or_else(|| format!("http://{listen}")).trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Value { key: "server.public_url", message: format!("'{public_url}' is not an http or https URL") });
        }
        let radius = self.tiles.cluster_radius_px.unwrap_or(50.0);
        if !(radius.is_finite() && (1.0..=512.0).contains(&radius)) {
            return Err(ConfigError::Value { key: "tiles.cluster_radius_px", message: format!("{radius} is not within 1-512") });
        }
        let max_zoom = self.tiles.cluster_max_zoom.unwrap_or(16);
        if max_zoom > MAX_SERVED_ZOOM - 1 {
            return Err(ConfigError::Value {
                key: "tiles.cluster_max_zoom",
                message: format!("{max_zoom} is above {}", MAX_SERVED_ZOOM - 1),
            });
        }
        let cache_mb = self.tiles.cache_mb.unwrap_or(256);
        Ok(Config {
            listen,
            db,
            public_url,
            clusters: ClusterOptions { radius_px: radius, max_zoom, ..ClusterOptions::default() },
            tile_cache_bytes: cache_mb.saturating_mul(1024 * 1024),
        })
    }
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The SQLite file.
    pub db: PathBuf,
    /// Base of absolute URLs, without a trailing slash.
    pub public_url: String,
    /// How organisations cluster in tiles.
    pub clusters: ClusterOptions,
    /// Memory for encoded tiles.
    pub tile_cache_bytes: u64,
}

/// Tiles are served up to this zoom; deeper ones get 404 naming the range.
pub const MAX_SERVED_ZOOM: u8 = 22;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_refusals() {
        let config = RawConfig::default().validate().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.db, PathBuf::from("impactmap.db"));
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        let bad = RawConfig { tiles: RawTiles { cluster_max_zoom: Some(30), ..RawTiles::default() }, ..RawConfig::default() };
        assert!(matches!(bad.validate(), Err(ConfigError::Value { key: "tiles.cluster_max_zoom", .. })));
        let bad = RawConfig { server: RawServer { listen: Some("localhost".into()), ..RawServer::default() }, ..RawConfig::default() };
        assert!(matches!(bad.validate(), Err(ConfigError::Value { key: "server.listen", .. })));
        let unknown: Result<RawConfig, _> = toml::from_str("[server]\nlisten = \"127.0.0.1:1\"\nport = 3\n");
        assert!(unknown.unwrap_err().to_string().contains("unknown field `port`"));
    }
}
