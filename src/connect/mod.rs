//! Database URLs, settings from the environment, TLS and connecting.
//!
//! Stage: the edge between the command line and the database; used by `introspect`,
//! `apply` and `devdb`.
//!
//! Input: a URL from `--database`, `DATABASE_URL` (environment or `.env`),
//! `--dev-url` / `SCHEMAPLAN_DEV_URL`. libpq's URL forms (`postgres://`,
//! `postgresql://`, libpq query parameters), libpq's keyword/value strings
//! (`host=db dbname=app`) and SQLAlchemy's (`postgresql+asyncpg://`,
//! `postgresql+psycopg2://`, `postgresql+psycopg://`, asyncpg's `ssl=`) are accepted.
//! What the URL leaves out comes from the service file, the `PG*` variables and
//! `.pgpass`, as in libpq.
//!
//! - [`url`]: connection strings -> parameters -> [`DbUrl`];
//! - [`env`]: `.env`, `PG*` variables, `pg_service.conf`, `.pgpass`;
//! - [`tls`]: `sslmode` and certificates on rustls.
//!
//! Output: a connected `tokio_postgres::Client`, its connection driven on a spawned task.
//! TLS goes through rustls (ring provider) with libpq's `sslmode` semantics.
//!
//! Must not: print, log or return the password. [`DbUrl`]'s `Debug` and
//! [`DbUrl::redacted`] leave it out, URL errors never quote any part of the URL that
//! could hold it, and connection errors are scrubbed of it. Must not hang: every
//! connection attempt has a deadline (`connect_timeout`, 10 s by default).

mod env;
mod tls;
mod url;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

pub use env::{env_or_dotenv, resolve_database_url};
pub use tls::SslMode;

use tls::TlsSettings;
use tls::{describe_tls_error, error_chain, find_rustls_error, is_tls_failure};
use url::percent_encode;

/// How long a connection attempt may take when the URL sets no `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A host to try, with its port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Target {
    /// The host name, IP or socket directory; `None` means libpq's default (a local
    /// socket if one is there, else `localhost`).
    host: Option<HostName>,
    /// `hostaddr`: the IP to connect to, the host name then only serves TLS.
    hostaddr: Option<IpAddr>,
    port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostName {
    Tcp(String),
    Unix(PathBuf),
}

/// Socket directories libpq builds in (Debian's and upstream's): a server found there
/// serves a URL without a host, and `.pgpass` calls them `localhost`.
const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

/// A parsed PostgreSQL connection URL.
#[derive(Clone)]
pub struct DbUrl {
    /// Everything but hosts, ports and TLS (user, password, dbname, options, ...).
    config: tokio_postgres::Config,
    targets: Vec<Target>,
    tls: TlsSettings,
    connect_timeout: Option<Duration>,
    load_balance: bool,
    /// Where to look for a password when none is set (`passfile`, `PGPASSFILE`,
    /// `~/.pgpass`); read when connecting, for each host.
    passfile: Option<PathBuf>,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

fn bad_url(reason: impl Into<String>) -> Error {
    Error::BadUrl {
        reason: reason.into(),
    }
}

impl DbUrl {
    /// Parses a `postgres://`, `postgresql://` or SQLAlchemy-style
    /// (`postgresql+asyncpg://`, `postgresql+psycopg2://`, ...) URL, or a libpq
    /// keyword/value string (`host=db port=5433 dbname=app`). What it leaves out comes
    /// from the service (`service=` or `PGSERVICE`), then from libpq's environment
    /// variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGSSLMODE`, ...); a missing password is looked up in `.pgpass` when connecting.
    ///
    /// The error never quotes the URL: a mistyped URL may carry a password anywhere.
    pub fn parse(url: &str) -> Result<DbUrl> {
        DbUrl::parse_in(url, &env::process_env)
    }

    /// [`DbUrl::parse`] in the environment `env`.
    fn parse_in(url: &str, env: env::Lookup) -> Result<DbUrl> {
        let mut options = url::parse_conninfo(url)?;
        env::add_defaults(&mut options, env)?;
        url::build(options)
    }

    /// The host to connect to (the first one, or the socket directory).
    pub fn host(&self) -> String {
        match self.targets.first() {
            Some(t) => target_host(t),
            None => "localhost".into(),
        }
    }

    /// The port (5432 unless set).
    pub fn port(&self) -> u16 {
        self.targets.first().map(|t| t.port).unwrap_or(5432)
    }

    /// The user name: the URL's, else the operating system user (as libpq does).
    pub fn user(&self) -> String {
        match self.config.get_user() {
            Some(u) => u.to_string(),
            None => default_user(),
        }
    }

    /// The database name (defaults to the user name, as libpq does).
    pub fn dbname(&self) -> String {
        match self.config.get_dbname() {
            Some(db) => db.to_string(),
            None => self.user(),
        }
    }

    /// The TLS mode (`prefer` unless set).
    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    /// The deadline of one connection attempt; `None` when `connect_timeout=0` asked to
    /// wait forever.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// A `tokio_postgres::Config` for this URL (every host, port, credential and
    /// setting), for a connection pool of the application's own. TLS is the pool's
    /// connector's business: the config carries `sslmode` only as require / prefer /
    /// disable.
    pub fn pg_config(&self) -> tokio_postgres::Config {
        let mut config = self.config.clone();
        for t in &self.targets {
            match &t.host {
                Some(HostName::Tcp(h)) => {
                    config.host(h);
                }
                Some(HostName::Unix(p)) => {
                    config.host_path(p);
                }
                None => {
                    config.host(target_host(t));
                }
            }
            if let Some(a) = t.hostaddr {
                config.hostaddr(a);
            }
            config.port(t.port);
        }
        if config.get_password().is_none() {
            if let Some(password) = self.targets.first().and_then(|t| self.pgpass_password(t)) {
                config.password(password);
            }
        }
        config.ssl_mode(match self.tls.mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer | SslMode::Allow => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        config
    }

    /// The same server and credentials, another database.
    pub fn with_dbname(&self, dbname: &str) -> DbUrl {
        let mut url = self.clone();
        url.config.dbname(dbname);
        url
    }

    /// The URL without its password, for messages and logs:
    /// `postgres://app@db.internal:5432/app`.
    pub fn redacted(&self) -> String {
        let user = match self.config.get_user() {
            Some(u) => format!("{}@", percent_encode(u)),
            None => String::new(),
        };
        let db = percent_encode(&self.dbname());
        if let [Target {
            host: Some(HostName::Unix(dir)),
            hostaddr: None,
            port,
        }] = self.targets.as_slice()
        {
            return format!(
                "postgres://{user}/{db}?host={}&port={port}",
                percent_encode(&dir.display().to_string())
            );
        }
        let hosts: Vec<String> = self
            .targets
            .iter()
            .map(|t| {
                let host = match (&t.host, t.hostaddr) {
                    (Some(HostName::Tcp(h)), _) if h.contains(':') => format!("[{h}]"),
                    (Some(HostName::Tcp(h)), _) => percent_encode(h),
                    (Some(HostName::Unix(p)), _) => percent_encode(&p.display().to_string()),
                    (None, Some(IpAddr::V6(a))) => format!("[{a}]"),
                    (None, Some(a)) => a.to_string(),
                    (None, None) => "localhost".to_string(),
                };
                format!("{host}:{}", t.port)
            })
            .collect();
        format!("postgres://{user}{}/{db}", hosts.join(","))
    }

    /// Connects, and drives the connection on a background task.
    ///
    /// Hosts are tried in order (shuffled with `load_balance_hosts=random`); each attempt
    /// has the `connect_timeout` deadline. The error names the host and port of the last
    /// attempt and says why in one line.
    pub async fn connect(&self) -> Result<tokio_postgres::Client> {
        let mut targets = self.targets.clone();
        if self.load_balance {
            use rand::seq::SliceRandom;
            targets.shuffle(&mut rand::rng());
        }
        let needs_tls = self.tls.mode != SslMode::Disable
            && targets
                .iter()
                .any(|t| !matches!(t.host, Some(HostName::Unix(_))));
        let tls = if needs_tls {
            Some(tls::connector(&self.tls).map_err(|message| Error::Connect {
                host: self.host(),
                port: self.port(),
                message: self.scrub(&message),
            })?)
        } else {
            None
        };

        let mut last = None;
        for target in &targets {
            match self.connect_target(target, tls.as_ref()).await {
                Ok(client) => return Ok(client),
                Err(e) => {
                    tracing::debug!("{e}");
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Connect {
            host: self.host(),
            port: self.port(),
            message: "no host to connect to".into(),
        }))
    }

    /// One host: the attempt under its deadline, with libpq's `prefer` fallback to a
    /// plain connection when the TLS handshake fails.
    async fn connect_target(
        &self,
        target: &Target,
        tls: Option<&tokio_postgres_rustls::MakeRustlsConnect>,
    ) -> Result<tokio_postgres::Client> {
        let host = resolve_default_host(target);
        let mut config = self.config.clone();
        match &host {
            HostName::Tcp(h) => {
                config.host(h);
            }
            #[cfg(unix)]
            HostName::Unix(p) => {
                config.host_path(p);
            }
            #[cfg(not(unix))]
            HostName::Unix(_) => {
                return Err(Error::Connect {
                    host: target_host(target),
                    port: target.port,
                    message: "unix-domain sockets are not supported on this platform".into(),
                })
            }
        }
        if let Some(addr) = target.hostaddr {
            config.hostaddr(addr);
        }
        config.port(target.port);
        if config.get_user().is_none() {
            config.user(default_user());
        }
        if config.get_password().is_none() {
            if let Some(password) = self.pgpass_password(target) {
                config.password(password);
            }
        }
        let password = config.get_password().map(<[u8]>::to_vec);
        let scrub = |message: &str| scrub(password.as_deref(), message);
        if let Some(timeout) = self.connect_timeout {
            // Bounds each TCP connect when a name resolves to several addresses; the
            // whole attempt (TLS, authentication) is bounded below.
            config.connect_timeout(timeout);
        }
        // PostgreSQL does not speak TLS over unix-domain sockets; libpq ignores sslmode there.
        let mode = match (&host, tls) {
            (HostName::Unix(_), _) | (_, None) => SslMode::Disable,
            (HostName::Tcp(_), Some(_)) => self.tls.mode,
        };

        let attempt = async {
            match (mode, tls) {
                (SslMode::Disable, _) | (_, None) => connect_plain(config).await,
                (mode, Some(tls)) => {
                    let mut tls_config = config.clone();
                    tls_config.ssl_mode(if mode.requires_tls() {
                        tokio_postgres::config::SslMode::Require
                    } else {
                        tokio_postgres::config::SslMode::Prefer
                    });
                    match connect_tls(tls_config, tls.clone()).await {
                        Err(e)
                            if matches!(mode, SslMode::Allow | SslMode::Prefer)
                                && is_tls_failure(&e) =>
                        {
                            tracing::debug!(
                                "TLS handshake with {} failed ({}); sslmode={mode} retries without TLS",
                                target_host(target),
                                scrub(&flatten_error(&e))
                            );
                            connect_plain(config).await
                        }
                        other => other,
                    }
                }
            }
        };
        let result = match self.connect_timeout {
            Some(timeout) => match tokio::time::timeout(timeout, attempt).await {
                Ok(result) => result.map_err(|e| scrub(&flatten_error(&e))),
                Err(_) => Err(format!(
                    "no answer within {} (connect_timeout)",
                    format_duration(timeout)
                )),
            },
            None => attempt.await.map_err(|e| scrub(&flatten_error(&e))),
        };
        result.map_err(|message| Error::Connect {
            host: match &host {
                HostName::Tcp(h) => h.clone(),
                HostName::Unix(p) => p.display().to_string(),
            },
            port: target.port,
            message,
        })
    }

    /// Removes the password from a message, should a library ever echo it.
    fn scrub(&self, message: &str) -> String {
        scrub(self.config.get_password(), message)
    }

    /// The password `.pgpass` has for `target`, as libpq looks it up: by the host name
    /// (else the hostaddr; `localhost` for the default socket), the port, the database
    /// and the user this URL connects with.
    fn pgpass_password(&self, target: &Target) -> Option<String> {
        let passfile = self.passfile.as_deref()?;
        let host = match (&target.host, target.hostaddr) {
            (Some(HostName::Tcp(h)), _) => h.clone(),
            (Some(HostName::Unix(dir)), _)
                if !DEFAULT_SOCKET_DIRS.iter().any(|d| Path::new(d) == dir) =>
            {
                dir.display().to_string()
            }
            (Some(HostName::Unix(_)), _) | (None, None) => "localhost".to_string(),
            (None, Some(addr)) => addr.to_string(),
        };
        let password =
            env::pgpass_password(passfile, &host, target.port, &self.dbname(), &self.user())?;
        tracing::debug!(
            "password for {host}:{} from {}",
            target.port,
            passfile.display()
        );
        Some(password)
    }
}

/// Removes the password from a message, should a library ever echo it.
fn scrub(password: Option<&[u8]>, message: &str) -> String {
    let mut message = message.to_string();
    if let Some(Ok(password)) = password.map(std::str::from_utf8) {
        // Very short passwords would mangle ordinary words; they cannot reach a
        // message through any path we know of anyway.
        if password.chars().count() >= 3 {
            message = message.replace(password, "***");
        }
    }
    message
}

fn target_host(t: &Target) -> String {
    match (&t.host, t.hostaddr) {
        (Some(HostName::Tcp(h)), _) => h.clone(),
        (Some(HostName::Unix(p)), _) => p.display().to_string(),
        (None, Some(a)) => a.to_string(),
        (None, None) => "localhost".into(),
    }
}

/// libpq's default host: a local socket in Debian's or upstream's default directory when
/// a server listens there, else `localhost`. With only a `hostaddr`, that address.
fn resolve_default_host(t: &Target) -> HostName {
    if let Some(host) = &t.host {
        return host.clone();
    }
    if let Some(addr) = t.hostaddr {
        return HostName::Tcp(addr.to_string());
    }
    #[cfg(unix)]
    for dir in DEFAULT_SOCKET_DIRS {
        if Path::new(dir).join(format!(".s.PGSQL.{}", t.port)).exists() {
            return HostName::Unix(PathBuf::from(dir));
        }
    }
    HostName::Tcp("localhost".into())
}

/// The operating system user, libpq's default user name.
fn default_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "postgres".into())
}

fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

async fn connect_plain(
    config: tokio_postgres::Config,
) -> std::result::Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("connection closed: {e}");
        }
    });
    Ok(client)
}

async fn connect_tls(
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
) -> std::result::Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("connection closed: {e}");
        }
    });
    Ok(client)
}

/// A connection error in one line: PostgreSQL's message for server errors, a
/// "certificate verify failed: ..." sentence for TLS, else the error and its causes
/// without tokio-postgres's generic prefixes.
fn flatten_error(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut message = db.message().to_string();
        if let Some(detail) = db.detail() {
            message.push_str(&format!(" ({detail})"));
        }
        return one_line(&message);
    }
    if let Some(tls) = find_rustls_error(e) {
        return one_line(&describe_tls_error(tls));
    }
    // tokio-postgres's Display is only the kind ("error connecting to server"); the
    // cause says what happened. Generic kinds are dropped when a cause follows.
    let mut causes: Vec<String> = Vec::new();
    for cause in error_chain(e).skip(1) {
        let cause = cause.to_string();
        if !causes.iter().any(|c| c.contains(&cause)) {
            causes.push(cause);
        }
    }
    let kind = e.to_string();
    let message = if causes.is_empty() {
        kind
    } else if matches!(
        kind.as_str(),
        "error connecting to server" | "error performing TLS handshake"
    ) {
        causes.join(": ")
    } else {
        format!("{kind}: {}", causes.join(": "))
    };
    one_line(&message)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a source argument looks like a database URL rather than a path.
pub fn is_database_url(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://")
        || lower.starts_with("postgresql://")
        || lower.starts_with("postgresql+")
        || lower.starts_with("postgres+")
}

/// Connects to the database the CLI would use without `--database`: `DATABASE_URL`
/// from the environment, else from `.env` in the working directory; every URL form the
/// CLI takes (`postgresql+asyncpg://` and the other SQLAlchemy forms included), TLS as
/// `sslmode` says. The connection is driven in the background on the current tokio
/// runtime.
///
/// ```no_run
/// # async fn f() -> schemaplan::Result<()> {
/// let client = schemaplan::connect::connect_from_env().await?;
/// client.batch_execute("SELECT 1").await.ok();
/// # Ok(()) }
/// ```
pub async fn connect_from_env() -> Result<tokio_postgres::Client> {
    let dir = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let url = resolve_database_url(None, &dir)?.ok_or(Error::NoDatabase)?;
    DbUrl::parse(&url)?.connect().await
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "S3cr3t-Pa55word-q9z";

    #[test]
    fn scrub_removes_the_password() {
        let u = DbUrl::parse_in(&format!("postgres://app:{SECRET}@h/db"), &|_| None).unwrap();
        assert_eq!(u.scrub(&format!("oops {SECRET} leaked")), "oops *** leaked");
    }

    #[test]
    fn one_line_messages() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }
}
