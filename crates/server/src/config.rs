use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use impactmap_index::ClusterOptions;
use impactmap_store::PendingCaps;
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
    /// `[limits]` table.
    #[serde(default)]
    pub limits: RawLimits,
    /// `[embed]` table.
    #[serde(default)]
    pub embed: RawEmbed,
}

/// The `[embed]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmbed {
    /// Sites allowed to frame `/embed`, as origins (`https://member.example`);
    /// `["*"]`, the default, lets any site embed the map.
    pub frame_ancestors: Option<Vec<String>>,
}

/// The `[limits]` table: what the public form and the database may take.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Submissions accepted from one client address per hour (default 5; 0 turns the limit off).
    pub submissions_per_ip_per_hour: Option<u32>,
    /// Pending submissions the queue holds before refusing more (default 10,000).
    pub pending_cap: Option<usize>,
    /// Pending submissions one client (an IPv4 address, an IPv6 /64) may have (default 20).
    pub pending_per_client: Option<usize>,
    /// Largest request body of the submission and moderation routes (default 65,536).
    pub body_bytes: Option<usize>,
    /// A form sent sooner than this after its token was issued is set aside as spam (default 3).
    pub form_min_seconds: Option<u64>,
    /// A form token older than this is refused (default 120).
    pub form_max_age_minutes: Option<u64>,
    /// Leading zero bits of the proof of work asked of each submission (default 16).
    pub pow_bits: Option<u8>,
    /// Largest database file in MiB; writes past it get 503 while reads go on (default: no cap).
    pub db_mb: Option<u64>,
    /// Queries (near, search, stats, OGC pages) computed at once (default: twice the cores).
    pub queries_at_once: Option<usize>,
    /// Milliseconds a query may wait for its turn before it is refused with 503 (default 100).
    pub query_wait_ms: Option<u64>,
    /// Requests handled at once; more are refused at once with 503 and `Retry-After` (default 64).
    pub in_flight: Option<usize>,
    /// Seconds a client has to send a request's head before its connection is closed (default 10).
    pub header_timeout_seconds: Option<u64>,
    /// Seconds a request may take until its answer starts; then 503 (default 10).
    pub request_timeout_seconds: Option<u64>,
    /// Exports streamed at once; more wait their turn, their answer already begun (default 2).
    pub exports_at_once: Option<usize>,
}

/// The `[tiles]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTiles {
    /// Memory for encoded tiles, in MiB (default 256).
    pub cache_mb: Option<u64>,
    /// Memory for the cluster pyramids of filtered views, in MiB (default 128).
    pub pyramid_cache_mb: Option<u64>,
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
    /// Reverse proxies whose `X-Forwarded-For` names the client (default: none).
    pub trusted_proxies: Option<Vec<String>>,
}

impl RawConfig {
    /// Reads a TOML file; unknown keys are refused.
    ///
    /// # Errors
    /// [`ConfigError::Read`] or [`ConfigError::Parse`] naming the file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })
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
        let listen = listen.parse().map_err(|e| ConfigError::Value {
            key: "server.listen",
            message: format!("'{listen}' is not an address:port ({e})"),
        })?;
        let db = self.server.db.unwrap_or_else(|| PathBuf::from("impactmap.db"));
        if db.as_os_str().is_empty() {
            return Err(ConfigError::Value { key: "server.db", message: "empty path".into() });
        }
        let public_url = self
            .server
            .public_url
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Value {
                key: "server.public_url",
                message: format!("'{public_url}' is not an http or https URL"),
            });
        }
        let radius = self.tiles.cluster_radius_px.unwrap_or(50.0);
        if !(radius.is_finite() && (1.0..=512.0).contains(&radius)) {
            return Err(ConfigError::Value {
                key: "tiles.cluster_radius_px",
                message: format!("{radius} is not within 1-512"),
            });
        }
        let max_zoom = self.tiles.cluster_max_zoom.unwrap_or(16);
        if max_zoom > MAX_SERVED_ZOOM - 1 {
            return Err(ConfigError::Value {
                key: "tiles.cluster_max_zoom",
                message: format!("{max_zoom} is above {}", MAX_SERVED_ZOOM - 1),
            });
        }
        let cache_mb = self.tiles.cache_mb.unwrap_or(256);
        let pyramid_cache_mb = self.tiles.pyramid_cache_mb.unwrap_or(128);
        let trusted_proxies = self
            .server
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|p| {
                p.parse::<IpAddr>().map_err(|_| ConfigError::Value {
                    key: "server.trusted_proxies",
                    message: format!("'{p}' is not an IP address"),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Config {
            listen,
            db,
            public_url,
            trusted_proxies,
            clusters: ClusterOptions { radius_px: radius, max_zoom, ..ClusterOptions::default() },
            tile_cache_bytes: cache_mb.saturating_mul(1024 * 1024),
            pyramid_cache_bytes: usize::try_from(pyramid_cache_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            limits: self.limits.validate()?,
            embed_ancestors: embed_ancestors(self.embed.frame_ancestors)?,
        })
    }
}

/// The CSP `frame-ancestors` sources of `/embed`: `*`, or origins.
fn embed_ancestors(given: Option<Vec<String>>) -> Result<String, ConfigError> {
    let given = given.unwrap_or_else(|| vec!["*".into()]);
    let bad = |o: &str| ConfigError::Value {
        key: "embed.frame_ancestors",
        message: format!("'{o}' is not * or an origin like https://member.example"),
    };
    let mut sources = vec!["'self'".to_owned()];
    for origin in &given {
        let plain = origin.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:/*".contains(&b));
        let scheme = origin.starts_with("https://") || origin.starts_with("http://");
        if !(plain && (origin == "*" || (scheme && !origin.trim_end_matches('/').ends_with(':')))) {
            return Err(bad(origin));
        }
        sources.push(origin.trim_end_matches('/').to_owned());
    }
    if given.is_empty() {
        return Err(bad(""));
    }
    Ok(sources.join(" "))
}

impl RawLimits {
    fn validate(self) -> Result<Limits, ConfigError> {
        let pow_bits = self.pow_bits.unwrap_or(16);
        if pow_bits > 28 {
            return Err(ConfigError::Value {
                key: "limits.pow_bits",
                message: format!("{pow_bits} is above 28 (minutes of work on a phone)"),
            });
        }
        let body_bytes = self.body_bytes.unwrap_or(65_536);
        if !(1024..=16 * 1024 * 1024).contains(&body_bytes) {
            return Err(ConfigError::Value {
                key: "limits.body_bytes",
                message: format!("{body_bytes} is not within 1024-16777216"),
            });
        }
        let form_max_age =
            Duration::from_secs(self.form_max_age_minutes.unwrap_or(120).saturating_mul(60));
        let form_min_age = Duration::from_secs(self.form_min_seconds.unwrap_or(3));
        if form_min_age >= form_max_age {
            return Err(ConfigError::Value {
                key: "limits.form_min_seconds",
                message: "must be shorter than form_max_age_minutes".into(),
            });
        }
        let in_flight = self.in_flight.unwrap_or(64);
        if !(1..=65_536).contains(&in_flight) {
            return Err(ConfigError::Value {
                key: "limits.in_flight",
                message: format!("{in_flight} is not within 1-65536"),
            });
        }
        let seconds = |given: Option<u64>, key: &'static str| match given.unwrap_or(10) {
            0 => Err(ConfigError::Value { key, message: "must be at least 1".into() }),
            s => Ok(Duration::from_secs(s)),
        };
        let exports_at_once = self.exports_at_once.unwrap_or(2);
        if !(1..=64).contains(&exports_at_once) {
            return Err(ConfigError::Value {
                key: "limits.exports_at_once",
                message: format!("{exports_at_once} is not within 1-64"),
            });
        }
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let queries_at_once = self.queries_at_once.unwrap_or(2 * cores);
        if !(1..=1024).contains(&queries_at_once) {
            return Err(ConfigError::Value {
                key: "limits.queries_at_once",
                message: format!("{queries_at_once} is not within 1-1024"),
            });
        }
        let query_wait = Duration::from_millis(self.query_wait_ms.unwrap_or(100));
        Ok(Limits {
            in_flight,
            queries_at_once,
            query_wait,
            exports_at_once,
            header_timeout: seconds(self.header_timeout_seconds, "limits.header_timeout_seconds")?,
            request_timeout: seconds(
                self.request_timeout_seconds,
                "limits.request_timeout_seconds",
            )?,
            submissions_per_ip_per_hour: self.submissions_per_ip_per_hour.unwrap_or(5),
            pending: PendingCaps {
                total: self.pending_cap.unwrap_or(10_000),
                per_client: self.pending_per_client.unwrap_or(20),
            },
            body_bytes,
            form_min_age,
            form_max_age,
            pow_bits,
            db_bytes: self.db_mb.map(|mb| mb.saturating_mul(1024 * 1024)),
        })
    }
}

/// Validated `[limits]`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// 0: no limit.
    pub submissions_per_ip_per_hour: u32,
    /// Pending submissions allowed, in all and per client.
    pub pending: PendingCaps,
    /// Largest body of the write routes.
    pub body_bytes: usize,
    /// Forms sent sooner are spam.
    pub form_min_age: Duration,
    /// Older form tokens are refused.
    pub form_max_age: Duration,
    /// Proof-of-work difficulty.
    pub pow_bits: u8,
    /// Database size cap.
    pub db_bytes: Option<u64>,
    /// Requests handled at once.
    pub in_flight: usize,
    /// Time to send a request head.
    pub header_timeout: Duration,
    /// Time until an answer starts.
    pub request_timeout: Duration,
    /// Streamed exports at once.
    pub exports_at_once: usize,
    /// Queries computed at once.
    pub queries_at_once: usize,
    /// How long a query may wait for its turn.
    pub query_wait: Duration,
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
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// How organisations cluster in tiles.
    pub clusters: ClusterOptions,
    /// Memory for encoded tiles.
    pub tile_cache_bytes: u64,
    /// Memory for the cluster pyramids of filtered views.
    pub pyramid_cache_bytes: usize,
    /// What the write routes take.
    pub limits: Limits,
    /// CSP `frame-ancestors` of `/embed`.
    pub embed_ancestors: String,
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
        assert_eq!(config.pyramid_cache_bytes, 128 << 20);
        let sized: RawConfig = toml::from_str("[tiles]\npyramid_cache_mb = 64\n").unwrap();
        assert_eq!(sized.validate().unwrap().pyramid_cache_bytes, 64 << 20);
        let bad = RawConfig {
            tiles: RawTiles { cluster_max_zoom: Some(30), ..RawTiles::default() },
            ..RawConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(ConfigError::Value { key: "tiles.cluster_max_zoom", .. })
        ));
        let bad = RawConfig {
            server: RawServer { listen: Some("localhost".into()), ..RawServer::default() },
            ..RawConfig::default()
        };
        assert!(matches!(bad.validate(), Err(ConfigError::Value { key: "server.listen", .. })));
        assert_eq!(config.embed_ancestors, "'self' *");
        let members = RawConfig {
            embed: RawEmbed { frame_ancestors: Some(vec!["https://member.example/".into()]) },
            ..RawConfig::default()
        };
        assert_eq!(members.validate().unwrap().embed_ancestors, "'self' https://member.example");
        let bad = RawConfig {
            embed: RawEmbed { frame_ancestors: Some(vec!["x; script-src *".into()]) },
            ..RawConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(ConfigError::Value { key: "embed.frame_ancestors", .. })
        ));
        let unknown: Result<RawConfig, _> =
            toml::from_str("[server]\nlisten = \"127.0.0.1:1\"\nport = 3\n");
        assert!(unknown.unwrap_err().to_string().contains("unknown field `port`"));
    }
}
