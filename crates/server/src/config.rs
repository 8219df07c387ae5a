use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
}

/// The `[server]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// The SQLite file.
    pub db: Option<PathBuf>,
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
        Ok(Config { listen, db })
    }
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The SQLite file.
    pub db: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_refusals() {
        let config = RawConfig::default().validate().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.db, PathBuf::from("impactmap.db"));
        let bad = RawConfig { server: RawServer { listen: Some("localhost".into()), db: None } };
        assert!(matches!(bad.validate(), Err(ConfigError::Value { key: "server.listen", .. })));
        let unknown: Result<RawConfig, _> = toml::from_str("[server]\nlisten = \"127.0.0.1:1\"\nport = 3\n");
        assert!(unknown.unwrap_err().to_string().contains("unknown field `port`"));
    }
}
