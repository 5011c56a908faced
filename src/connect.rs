//! Database URLs and connections.
//!
//! Input: a URL from `--database`, `DATABASE_URL` (environment or `.env`), `--dev-url`.
//! Output: a connected `tokio_postgres::Client`. Never prints, logs or returns the
//! password: [`DbUrl`]'s `Debug` and [`DbUrl::redacted`] leave it out, and connection
//! errors name host and port only.

use std::fmt;

use crate::error::{Error, Result};

/// A parsed PostgreSQL connection URL.
#[derive(Clone)]
pub struct DbUrl {
    config: tokio_postgres::Config,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl DbUrl {
    /// Parses a `postgres://` or `postgresql://` URL.
    pub fn parse(url: &str) -> Result<DbUrl> {
        let config: tokio_postgres::Config = url.parse().map_err(|_| Error::BadUrl {
            reason: "not a postgres:// URL".into(),
        })?;
        Ok(DbUrl { config })
    }

    /// The host to connect to (the first one, or the socket directory).
    pub fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    /// The port (5432 unless set).
    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    /// The database name (defaults to the user name, as libpq does).
    pub fn dbname(&self) -> String {
        self.config
            .get_dbname()
            .or(self.config.get_user())
            .unwrap_or("postgres")
            .to_string()
    }

    /// The same server and credentials, another database.
    pub fn with_dbname(&self, dbname: &str) -> DbUrl {
        let mut config = self.config.clone();
        config.dbname(dbname);
        DbUrl { config }
    }

    /// The URL without its password, for messages and logs.
    pub fn redacted(&self) -> String {
        let user = self.config.get_user().unwrap_or("");
        let at = if user.is_empty() { "" } else { "@" };
        format!(
            "postgres://{user}{at}{}:{}/{}",
            self.host(),
            self.port(),
            self.dbname()
        )
    }

    /// Connects, and drives the connection on a background task.
    pub async fn connect(&self) -> Result<tokio_postgres::Client> {
        let (client, connection) =
            self.config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|e| Error::Connect {
                    host: self.host(),
                    port: self.port(),
                    message: e.to_string(),
                })?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection closed: {e}");
            }
        });
        Ok(client)
    }
}

/// Whether a source argument looks like a database URL rather than a path.
pub fn is_database_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("postgres://")
        || lower.starts_with("postgresql://")
        || lower.starts_with("postgresql+")
}

/// The database URL to use: `--database`, else `DATABASE_URL` from the environment,
/// else from the `.env` file in `dir`.
pub fn resolve_database_url(cli: Option<&str>, dir: &std::path::Path) -> Result<Option<String>> {
    if let Some(url) = cli {
        return Ok(Some(url.to_string()));
    }
    env_or_dotenv("DATABASE_URL", dir)
}

/// A setting from the environment, else from the `.env` file in `dir`.
pub fn env_or_dotenv(name: &str, dir: &std::path::Path) -> Result<Option<String>> {
    if let Ok(v) = std::env::var(name) {
        if !v.is_empty() {
            return Ok(Some(v));
        }
    }
    let path = dir.join(".env");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == name {
                return Ok(Some(
                    v.trim().trim_matches('"').trim_matches('\'').to_string(),
                ));
            }
        }
    }
    Ok(None)
}
