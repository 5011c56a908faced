//! Database URLs, settings from the environment, TLS and connecting.
//!
//! Stage: the edge between the command line and the database; used by `introspect`,
//! `apply` and `devdb`.
//!
//! Input: a URL from `--database`, `DATABASE_URL` (environment or `.env`),
//! `--dev-url` / `SCHEMAPLAN_DEV_URL`. libpq's URL forms (`postgres://`,
//! `postgresql://`, libpq query parameters) and SQLAlchemy's (`postgresql+asyncpg://`,
//! `postgresql+psycopg2://`, `postgresql+psycopg://`, asyncpg's `ssl=`) are accepted.
//!
//! Output: a connected `tokio_postgres::Client`, its connection driven on a spawned task.
//! TLS goes through rustls (ring provider) with libpq's `sslmode` semantics.
//!
//! Must not: print, log or return the password. [`DbUrl`]'s `Debug` and
//! [`DbUrl::redacted`] leave it out, URL errors never quote any part of the URL that
//! could hold it, and connection errors are scrubbed of it. Must not hang: every
//! connection attempt has a deadline (`connect_timeout`, 10 s by default).

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};

/// How long a connection attempt may take when the URL sets no `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `application_name` sent when the URL sets none (libpq's
/// `fallback_application_name`), so `pg_stat_activity` shows who is connected.
const FALLBACK_APPLICATION_NAME: &str = "schemaplan";

/// Query parameters that only configure SQLAlchemy's or asyncpg's pooling and statement
/// caching. They do not change how to reach the server, so they are accepted and ignored.
const IGNORED_DRIVER_PARAMS: &[&str] = &[
    "prepared_statement_cache_size",
    "statement_cache_size",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "command_timeout",
    "async_fallback",
    "pool_size",
    "max_overflow",
    "pool_timeout",
    "pool_recycle",
    "pool_pre_ping",
];

/// libpq parameters that schemaplan knows but cannot honour; refused by name rather
/// than silently ignored, because ignoring them would change security or behaviour.
const UNSUPPORTED_LIBPQ_PARAMS: &[&str] = &[
    "sslcrl",
    "sslcrldir",
    "sslpassword",
    "sslkeylogfile",
    "requirepeer",
    "require_auth",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "passfile",
    "replication",
];

/// libpq's `sslmode`: whether to use TLS and how much of the server's certificate to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SslMode {
    /// Plain connection, no TLS.
    Disable,
    /// TLS if the server offers it, else plain (libpq tries plain first; schemaplan
    /// treats it like `prefer`).
    Allow,
    /// TLS if the server offers it, else plain. The default.
    Prefer,
    /// TLS required; the certificate is not checked unless a root certificate is
    /// configured (then as `verify-ca`, as libpq does).
    Require,
    /// TLS required; the certificate chain is checked against the root certificates,
    /// the host name is not.
    VerifyCa,
    /// TLS required; the chain and the host name are checked.
    VerifyFull,
}

impl SslMode {
    const ALL: [SslMode; 6] = [
        SslMode::Disable,
        SslMode::Allow,
        SslMode::Prefer,
        SslMode::Require,
        SslMode::VerifyCa,
        SslMode::VerifyFull,
    ];

    /// libpq's spelling, e.g. `verify-full`.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether the mode refuses a connection without TLS.
    fn requires_tls(self) -> bool {
        matches!(
            self,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
        )
    }

    /// Whether the mode checks the certificate chain even without a root certificate
    /// file (falling back to the system roots).
    fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SslMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<SslMode> {
        SslMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| bad_url("sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full"))
    }
}

/// Where the root certificates that verify the server come from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RootCert {
    /// A PEM file (`sslrootcert=/path/ca.crt`).
    File(PathBuf),
    /// The operating system's trust store (`sslrootcert=system`).
    System,
}

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

/// TLS settings from the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TlsSettings {
    mode: SslMode,
    root_cert: Option<RootCert>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    sni: bool,
    min_tls13: bool,
    max_tls12: bool,
}

/// A parsed PostgreSQL connection URL.
#[derive(Clone)]
pub struct DbUrl {
    /// Everything but hosts, ports and TLS (user, password, dbname, options, ...).
    config: tokio_postgres::Config,
    targets: Vec<Target>,
    tls: TlsSettings,
    connect_timeout: Option<Duration>,
    load_balance: bool,
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
    /// (`postgresql+asyncpg://`, `postgresql+psycopg2://`, ...) URL.
    ///
    /// The error never quotes the URL: a mistyped URL may carry a password anywhere.
    pub fn parse(url: &str) -> Result<DbUrl> {
        let url = url.trim();
        let rest = strip_scheme(url)?;

        // libpq URI: [userspec@][hostspec][/dbname][?paramspec]. The authority ends at
        // the first '/' or '?'; a password holding either must be percent-encoded.
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (tail, None),
        };

        let mut config = tokio_postgres::Config::new();
        let (userinfo, hostspec) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if let Some(userinfo) = userinfo {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            let user = percent_decode(user, "user name")?;
            if !user.is_empty() {
                config.user(&user);
            }
            if let Some(password) = password {
                config.password(percent_decode(password, "password")?);
            }
        }

        let mut hosts: Vec<String> = Vec::new();
        let mut ports: Vec<String> = Vec::new();
        for item in hostspec.split(',') {
            let (host, port) = split_host_port(item)?;
            hosts.push(percent_decode(host, "host")?);
            ports.push(port.to_string());
        }

        if let Some(db) = path.strip_prefix('/') {
            let db = percent_decode(db, "database name")?;
            if !db.is_empty() {
                config.dbname(&db);
            }
        }

        let mut params = Params::default();
        if let Some(query) = query {
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(bad_url(format!(
                        "query parameter {:?} has no value (expected name=value)",
                        percent_decode(pair, "query parameter name").unwrap_or_default()
                    )));
                };
                let key = percent_decode(key, "query parameter name")?;
                let value = percent_decode(value, &format!("value of {key}"))?;
                params.apply(&mut config, &key, value)?;
            }
        }
        if let Some(h) = params.hosts.take() {
            hosts = h;
        }
        if let Some(p) = params.ports.take() {
            ports = p;
        }

        let targets = build_targets(&hosts, &ports, &params.hostaddrs)?;
        let tls = params.tls_settings()?;
        if config.get_application_name().is_none() {
            config.application_name(
                params
                    .fallback_application_name
                    .as_deref()
                    .unwrap_or(FALLBACK_APPLICATION_NAME),
            );
        }
        Ok(DbUrl {
            config,
            targets,
            tls,
            connect_timeout: params
                .connect_timeout
                .unwrap_or(Some(DEFAULT_CONNECT_TIMEOUT)),
            load_balance: params.load_balance,
        })
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
            Some(self.tls_connector().map_err(|message| Error::Connect {
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
                                self.scrub(&flatten_error(&e))
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
                Ok(result) => result.map_err(|e| self.scrub(&flatten_error(&e))),
                Err(_) => Err(format!(
                    "no answer within {} (connect_timeout)",
                    format_duration(timeout)
                )),
            },
            None => attempt.await.map_err(|e| self.scrub(&flatten_error(&e))),
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
        let mut message = message.to_string();
        if let Some(password) = self.config.get_password() {
            if let Ok(password) = std::str::from_utf8(password) {
                // Very short passwords would mangle ordinary words; they cannot reach a
                // message through any path we know of anyway.
                if password.chars().count() >= 3 {
                    message = message.replace(password, "***");
                }
            }
        }
        message
    }

    /// The rustls client configuration for this URL's TLS settings.
    fn tls_connector(
        &self,
    ) -> std::result::Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = provider.signature_verification_algorithms;

        // libpq: an explicit sslrootcert, else ~/.postgresql/root.crt when it exists;
        // with either, the chain is verified in every mode. Without one, only
        // verify-ca/verify-full verify (against the system roots).
        let root = match &self.tls.root_cert {
            Some(root) => Some(root.clone()),
            None => match home_file("root.crt") {
                Some(path) if path.is_file() => Some(RootCert::File(path)),
                _ if self.tls.mode.verifies() => Some(RootCert::System),
                _ => None,
            },
        };
        let roots = match &root {
            None => None,
            Some(RootCert::File(path)) => Some(load_root_file(path)?),
            Some(RootCert::System) => Some(load_system_roots()),
        };
        let verifier = PgServerVerifier {
            roots,
            check_name: self.tls.mode == SslMode::VerifyFull,
            algorithms,
        };

        let versions: Vec<&'static rustls::SupportedProtocolVersion> =
            match (self.tls.min_tls13, self.tls.max_tls12) {
                (true, true) => {
                    return Err("ssl_min_protocol_version is above ssl_max_protocol_version".into())
                }
                (true, false) => vec![&rustls::version::TLS13],
                (false, true) => vec![&rustls::version::TLS12],
                (false, false) => vec![&rustls::version::TLS13, &rustls::version::TLS12],
            };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let mut config = match self.client_identity()? {
            Some((certs, key)) => builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| format!("cannot use the client certificate: {e}"))?,
            None => builder.with_no_client_auth(),
        };
        config.enable_sni = self.tls.sni;
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    /// The client certificate chain and key: `sslcert`/`sslkey`, else
    /// `~/.postgresql/postgresql.crt`/`.key`. As in libpq, a missing certificate file
    /// means no client certificate.
    #[allow(clippy::type_complexity)]
    fn client_identity(
        &self,
    ) -> std::result::Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, String>
    {
        let explicit = self.tls.client_cert.is_some();
        let Some(cert_path) = self
            .tls
            .client_cert
            .clone()
            .or_else(|| home_file("postgresql.crt"))
        else {
            return Ok(None);
        };
        if !cert_path.is_file() {
            if explicit {
                tracing::warn!(
                    "sslcert {} does not exist; connecting without a client certificate",
                    cert_path.display()
                );
            }
            return Ok(None);
        }
        let certs = CertificateDer::pem_file_iter(&cert_path)
            .and_then(|iter| iter.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| {
                format!(
                    "could not read certificate file \"{}\": {}",
                    cert_path.display(),
                    pem_error(e)
                )
            })?;
        if certs.is_empty() {
            return Err(format!(
                "no certificate found in certificate file \"{}\"",
                cert_path.display()
            ));
        }
        let key_path = match &self.tls.client_key {
            Some(k) => k.clone(),
            None if explicit => cert_path.with_extension("key"),
            None => home_file("postgresql.key").unwrap_or_else(|| cert_path.with_extension("key")),
        };
        if !key_path.is_file() {
            return Err(format!(
                "certificate present, but not private key file \"{}\"",
                key_path.display()
            ));
        }
        let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| {
            format!(
                "could not read private key file \"{}\": {}",
                key_path.display(),
                pem_error(e)
            )
        })?;
        Ok(Some((certs, key)))
    }
}

/// Query parameters read so far.
#[derive(Default)]
struct Params {
    hosts: Option<Vec<String>>,
    ports: Option<Vec<String>>,
    hostaddrs: Vec<IpAddr>,
    sslmode: Option<SslMode>,
    /// asyncpg's `ssl=`, mapped to an sslmode.
    ssl: Option<SslMode>,
    root_cert: Option<RootCert>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    sni: Option<bool>,
    min_tls13: bool,
    max_tls12: bool,
    /// `Some(None)`: wait forever (`connect_timeout=0`).
    connect_timeout: Option<Option<Duration>>,
    fallback_application_name: Option<String>,
    load_balance: bool,
}

impl Params {
    /// Applies one query parameter. Errors name the parameter, never its value.
    fn apply(
        &mut self,
        config: &mut tokio_postgres::Config,
        key: &str,
        value: String,
    ) -> Result<()> {
        let bad = |what: &str| bad_url(format!("{key} {what}"));
        match key {
            "host" => self.hosts = Some(value.split(',').map(str::to_string).collect()),
            "port" => self.ports = Some(value.split(',').map(str::to_string).collect()),
            "hostaddr" => {
                self.hostaddrs = value
                    .split(',')
                    .map(|a| a.trim().parse::<IpAddr>())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|_| bad("must be a numeric IP address (or a comma-separated list)"))?;
            }
            "user" => {
                config.user(value);
            }
            "password" => {
                config.password(value);
            }
            "dbname" => {
                config.dbname(value);
            }
            "application_name" => {
                config.application_name(value);
            }
            "fallback_application_name" => self.fallback_application_name = Some(value),
            "options" => {
                config.options(value);
            }
            "sslmode" => self.sslmode = Some(value.parse()?),
            "ssl" => {
                // asyncpg: ssl=true builds a default SSL context, which verifies the
                // chain and the host name; the strings are sslmodes.
                self.ssl = Some(match value.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => SslMode::VerifyFull,
                    "false" | "0" | "no" | "off" => SslMode::Disable,
                    other => other.parse().map_err(|_| {
                        bad("must be true, false, disable, allow, prefer, require, verify-ca or verify-full")
                    })?,
                });
            }
            "requiressl" => {
                // libpq's predecessor of sslmode.
                self.sslmode = Some(match value.as_str() {
                    "1" => SslMode::Require,
                    "0" => SslMode::Prefer,
                    _ => return Err(bad("must be 0 or 1")),
                });
            }
            "sslrootcert" => {
                if value.is_empty() {
                    return Err(bad("is empty"));
                }
                self.root_cert = Some(if value == "system" {
                    RootCert::System
                } else {
                    RootCert::File(PathBuf::from(value))
                });
            }
            "sslcert" => {
                self.client_cert = Some(PathBuf::from(value)).filter(|p| !p.as_os_str().is_empty())
            }
            "sslkey" => {
                self.client_key = Some(PathBuf::from(value)).filter(|p| !p.as_os_str().is_empty())
            }
            "sslsni" => self.sni = Some(parse_bool01(&value).ok_or_else(|| bad("must be 0 or 1"))?),
            "sslcompression" => {
                tracing::debug!("ignoring {key}: TLS compression is never used");
            }
            "ssl_min_protocol_version" | "ssl_max_protocol_version" => {
                let is_min = key == "ssl_min_protocol_version";
                match (value.as_str(), is_min) {
                    // rustls speaks TLS 1.2 and 1.3 only: lower minimums change nothing.
                    ("" | "TLSv1" | "TLSv1.1" | "TLSv1.2", true) => self.min_tls13 = false,
                    ("TLSv1.3", true) => self.min_tls13 = true,
                    ("" | "TLSv1.3", false) => self.max_tls12 = false,
                    ("TLSv1.2", false) => self.max_tls12 = true,
                    ("TLSv1" | "TLSv1.1", false) => {
                        return Err(bad("below TLSv1.2 is not supported"))
                    }
                    _ => return Err(bad("must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3")),
                }
            }
            "sslnegotiation" => {
                use tokio_postgres::config::SslNegotiation;
                config.ssl_negotiation(match value.as_str() {
                    "postgres" => SslNegotiation::Postgres,
                    "direct" => SslNegotiation::Direct,
                    _ => return Err(bad("must be postgres or direct")),
                });
            }
            "channel_binding" => {
                use tokio_postgres::config::ChannelBinding;
                config.channel_binding(match value.as_str() {
                    "disable" => ChannelBinding::Disable,
                    "prefer" => ChannelBinding::Prefer,
                    "require" => ChannelBinding::Require,
                    _ => return Err(bad("must be disable, prefer or require")),
                });
            }
            "gssencmode" => match value.as_str() {
                // No GSSAPI here: "prefer"/"allow" fall back to no GSS encryption.
                "disable" | "prefer" | "allow" => {
                    tracing::debug!(
                        "gssencmode={value}: GSSAPI encryption is not supported, not used"
                    )
                }
                "require" => return Err(bad("=require is not supported (no GSSAPI support)")),
                _ => return Err(bad("must be disable, allow, prefer or require")),
            },
            "connect_timeout" => {
                // libpq: whole seconds; zero or negative waits forever; 1 means 2.
                let secs: i64 = value
                    .trim()
                    .parse()
                    .map_err(|_| bad("must be a whole number of seconds"))?;
                self.connect_timeout = Some(match secs {
                    s if s <= 0 => None,
                    1 => Some(Duration::from_secs(2)),
                    s => Some(Duration::from_secs(s.unsigned_abs())),
                });
            }
            "timeout" => {
                // asyncpg's connection timeout, in (fractional) seconds.
                let secs: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| bad("must be a number of seconds"))?;
                self.connect_timeout = Some(if secs.is_finite() && secs > 0.0 {
                    Some(Duration::try_from_secs_f64(secs).map_err(|_| bad("is too large"))?)
                } else {
                    None
                });
            }
            "keepalives" => {
                config.keepalives(parse_bool01(&value).ok_or_else(|| bad("must be 0 or 1"))?);
            }
            "keepalives_idle" => {
                config.keepalives_idle(Duration::from_secs(
                    parse_positive_secs(&value)
                        .ok_or_else(|| bad("must be a positive number of seconds"))?,
                ));
            }
            "keepalives_interval" => {
                config.keepalives_interval(Duration::from_secs(
                    parse_positive_secs(&value)
                        .ok_or_else(|| bad("must be a positive number of seconds"))?,
                ));
            }
            "keepalives_count" => {
                config.keepalives_retries(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| bad("must be a whole number"))?,
                );
            }
            "tcp_user_timeout" => {
                // libpq: milliseconds; zero means the system default.
                let ms: u64 = value
                    .trim()
                    .parse()
                    .map_err(|_| bad("must be a whole number of milliseconds"))?;
                if ms > 0 {
                    config.tcp_user_timeout(Duration::from_millis(ms));
                }
            }
            "target_session_attrs" => {
                use tokio_postgres::config::TargetSessionAttrs;
                config.target_session_attrs(match value.as_str() {
                    "any" => TargetSessionAttrs::Any,
                    "read-write" => TargetSessionAttrs::ReadWrite,
                    "read-only" => TargetSessionAttrs::ReadOnly,
                    "primary" | "standby" | "prefer-standby" => {
                        return Err(bad("supports any, read-write and read-only only"))
                    }
                    _ => return Err(bad("must be any, read-write or read-only")),
                });
            }
            "load_balance_hosts" => {
                self.load_balance = match value.as_str() {
                    "disable" => false,
                    "random" => true,
                    _ => return Err(bad("must be disable or random")),
                };
            }
            "client_encoding" => {
                // tokio-postgres always talks UTF8.
                if !matches!(
                    value.to_ascii_lowercase().as_str(),
                    "utf8" | "utf-8" | "unicode"
                ) {
                    return Err(bad("must be UTF8 (schemaplan always uses UTF8)"));
                }
            }
            _ if IGNORED_DRIVER_PARAMS.contains(&key) => {
                tracing::debug!(
                    "ignoring URL parameter {key}: it only configures the Python driver"
                );
            }
            _ if UNSUPPORTED_LIBPQ_PARAMS.contains(&key) => {
                return Err(bad_url(format!(
                    "parameter {key:?} is not supported by schemaplan"
                )));
            }
            _ => return Err(bad_url(format!("unknown parameter {key:?}"))),
        }
        Ok(())
    }

    fn tls_settings(&self) -> Result<TlsSettings> {
        let mode = match (self.sslmode, self.ssl) {
            (Some(a), Some(b)) if a != b => {
                return Err(bad_url(format!(
                    "sslmode={a} and ssl= disagree (ssl= means sslmode={b}); keep one"
                )))
            }
            (Some(m), _) | (None, Some(m)) => Some(m),
            (None, None) => None,
        };
        // libpq 16: sslrootcert=system implies verify-full and refuses weaker modes, as
        // any public CA can sign a certificate for some other host.
        let mode = match (&self.root_cert, mode) {
            (Some(RootCert::System), None) => SslMode::VerifyFull,
            (Some(RootCert::System), Some(m)) if m != SslMode::VerifyFull => {
                return Err(bad_url(format!(
                    "weak sslmode {m} may not be used with sslrootcert=system (use verify-full)"
                )))
            }
            (_, m) => m.unwrap_or(SslMode::Prefer),
        };
        Ok(TlsSettings {
            mode,
            root_cert: self.root_cert.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
            sni: self.sni.unwrap_or(true),
            min_tls13: self.min_tls13,
            max_tls12: self.max_tls12,
        })
    }
}

fn parse_bool01(value: &str) -> Option<bool> {
    match value.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

fn parse_positive_secs(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok().filter(|s| *s > 0)
}

/// Returns what follows `scheme://`, checking the scheme.
fn strip_scheme(url: &str) -> Result<&str> {
    const EXPECTED: &str =
        "expected postgres://, postgresql:// or postgresql+DRIVER:// (e.g. postgresql+asyncpg://)";
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad_url(format!("not a URL; {EXPECTED}")));
    };
    let scheme = scheme.to_ascii_lowercase();
    let (base, driver) = match scheme.split_once('+') {
        Some((b, d)) => (b, Some(d)),
        None => (scheme.as_str(), None),
    };
    let driver_ok = match driver {
        None => true,
        Some(d) => !d.is_empty() && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
    };
    if !matches!(base, "postgres" | "postgresql") || !driver_ok {
        // Quote the scheme only when it looks like one: a URL missing its "//" could
        // put a password here.
        let looks_like_scheme = scheme.len() <= 32
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        return Err(bad_url(if looks_like_scheme {
            format!("unsupported scheme {scheme:?}; {EXPECTED}")
        } else {
            format!("unsupported scheme; {EXPECTED}")
        }));
    }
    if let Some(driver) = driver {
        tracing::debug!("URL names the Python driver {driver}; schemaplan connects with its own");
    }
    Ok(rest)
}

/// Splits `host[:port]` or `[v6]:port`. The port is returned as written (maybe empty).
fn split_host_port(item: &str) -> Result<(&str, &str)> {
    if let Some(inner) = item.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(bad_url("IPv6 host is missing its closing ']'"));
        };
        let host = &inner[..close];
        let after = &inner[close + 1..];
        let port = match after {
            "" => "",
            _ => after
                .strip_prefix(':')
                .ok_or_else(|| bad_url("unexpected text after an IPv6 host (expected :port)"))?,
        };
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(bad_url("the bracketed host is not an IPv6 address"));
        }
        return Ok((host, port));
    }
    Ok(match item.split_once(':') {
        Some((h, p)) => (h, p),
        None => (item, ""),
    })
}

fn parse_port(port: &str) -> Result<u16> {
    if port.is_empty() {
        return Ok(5432);
    }
    // Never quote a bad port: with an unencoded '/' or '@' in a password, the "port" is
    // a piece of the password.
    match port.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        Ok(_) => Err(bad_url("port must be between 1 and 65535")),
        Err(_) => Err(bad_url(
            "port is not a number (a password with special characters must be percent-encoded)",
        )),
    }
}

/// Pairs hosts, hostaddrs and ports as libpq does: one port for all hosts, or one each.
fn build_targets(hosts: &[String], ports: &[String], hostaddrs: &[IpAddr]) -> Result<Vec<Target>> {
    let explicit_hosts = hosts.iter().any(|h| !h.is_empty());
    if explicit_hosts && !hostaddrs.is_empty() && hosts.len() != hostaddrs.len() {
        return Err(bad_url(format!(
            "could not match {} host names to {} hostaddr values",
            hosts.len(),
            hostaddrs.len()
        )));
    }
    let n = if explicit_hosts || hostaddrs.is_empty() {
        hosts.len().max(1)
    } else {
        hostaddrs.len()
    };
    let ports: Vec<u16> = ports
        .iter()
        .map(|p| parse_port(p.trim()))
        .collect::<Result<_>>()?;
    if ports.len() > 1 && ports.len() != n {
        return Err(bad_url(format!(
            "could not match {} port numbers to {} hosts",
            ports.len(),
            n
        )));
    }
    (0..n)
        .map(|i| {
            let host = match hosts.get(i).map(String::as_str).filter(|_| explicit_hosts) {
                None | Some("") => None,
                Some(h) if h.starts_with('/') => Some(HostName::Unix(PathBuf::from(h))),
                Some(h) => Some(HostName::Tcp(h.to_string())),
            };
            Ok(Target {
                host,
                hostaddr: hostaddrs.get(i).copied(),
                port: ports.get(i).or(ports.first()).copied().unwrap_or(5432),
            })
        })
        .collect()
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
    for dir in ["/var/run/postgresql", "/tmp"] {
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

/// `~/.postgresql/NAME`, where libpq looks for default TLS files.
fn home_file(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".postgresql").join(name))
}

/// Strict percent-decoding: `%` must be followed by two hex digits and the result must
/// be UTF-8. `what` names the part for the error, which never quotes it.
fn percent_decode(s: &str, what: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(0) => return Err(bad_url(format!("the {what} contains %00"))),
                Some(b) => out.push(b),
                None => {
                    return Err(bad_url(format!(
                        "the {what} has an invalid percent-encoding (% must be followed by two hex digits; write a literal % as %25)"
                    )))
                }
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        bad_url(format!(
            "the {what} is not valid UTF-8 once percent-decoded"
        ))
    })
}

/// Percent-encodes what would otherwise end or split a URL component.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

/// The errors in `e`'s source chain, outermost first.
fn error_chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| e.source())
}

/// The rustls error behind a failed handshake, if that is what failed. tokio-rustls
/// wraps it in an `io::Error`, whose `source()` skips it, so look inside those too.
fn find_rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    error_chain(e).find_map(|err| {
        err.downcast_ref::<rustls::Error>().or_else(|| {
            err.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        })
    })
}

fn is_tls_failure(e: &tokio_postgres::Error) -> bool {
    find_rustls_error(e).is_some()
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

fn describe_tls_error(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(cert) => {
            let why = match cert {
                C::UnknownIssuer => "unknown issuer: the server's certificate is not signed by a trusted root \
                     (set sslrootcert to the CA certificate file, or use sslmode=require to skip verification)"
                    .to_string(),
                C::NotValidForName => "the certificate is not valid for this host name (sslmode=verify-full checks it; verify-ca does not)".to_string(),
                C::NotValidForNameContext { .. } => format!(
                    "{cert} (sslmode=verify-full checks the host name; verify-ca does not)"
                ),
                C::Expired | C::ExpiredContext { .. } => format!("certificate has expired ({cert})"),
                C::NotValidYet | C::NotValidYetContext { .. } => {
                    format!("certificate is not valid yet ({cert})")
                }
                C::BadSignature => "bad certificate signature".to_string(),
                other => other.to_string(),
            };
            format!("certificate verify failed: {why}")
        }
        rustls::Error::AlertReceived(alert) => {
            format!("the server rejected the TLS handshake (alert: {alert:?})")
        }
        rustls::Error::NoCertificatesPresented => "the server presented no certificate".to_string(),
        other => format!("TLS handshake failed: {other}"),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pem_error(e: rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        rustls::pki_types::pem::Error::NoItemsFound => "no PEM section found".to_string(),
        other => format!("not a valid PEM file ({other})"),
    }
}

/// Reads a PEM file of root certificates.
fn load_root_file(path: &Path) -> std::result::Result<RootCertStore, String> {
    let read_error = |why: String| {
        format!(
            "could not read root certificate file \"{}\": {why}",
            path.display()
        )
    };
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| read_error(pem_error(e)))?;
    if certs.is_empty() {
        return Err(read_error("no certificates in it".into()));
    }
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| read_error(format!("unusable certificate ({e})")))?;
    }
    Ok(roots)
}

/// The operating system's trust store. An empty or unreadable store is not an error
/// here: verification then fails with "unknown issuer", which says what to do.
fn load_system_roots() -> RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::debug!("system root certificates: {e}");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!("system root certificates: {added} loaded, {ignored} unusable");
    roots
}

/// Checks the server's certificate the way libpq's sslmode asks:
/// - no roots (`require` without a root certificate): any certificate; the handshake
///   signatures are still verified, so the server holds the key of what it presented;
/// - roots, `check_name` false (`verify-ca`, or `require`/`prefer` with a root file):
///   the chain must lead to one of the roots; the host name is not looked at;
/// - roots, `check_name` true (`verify-full`): the chain, and the host name (or IP)
///   must be in the certificate's subjectAltName.
#[derive(Debug)]
struct PgServerVerifier {
    roots: Option<RootCertStore>,
    check_name: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PgServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(roots) = &self.roots else {
            return Ok(ServerCertVerified::assertion());
        };
        let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &cert,
            roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        if self.check_name {
            rustls::client::verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
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

/// The target database URL: the `--database` value, else `DATABASE_URL` from the
/// environment, else `DATABASE_URL` from the `.env` file in `dir`.
pub fn resolve_database_url(cli: Option<&str>, dir: &Path) -> Result<Option<String>> {
    if let Some(url) = cli.map(str::trim).filter(|u| !u.is_empty()) {
        return Ok(Some(url.to_string()));
    }
    env_or_dotenv("DATABASE_URL", dir)
}

/// A setting from the environment, else from the `.env` file in `dir` (the environment
/// wins, as with every dotenv loader). An empty value counts as unset. Errors never
/// contain the value.
pub fn env_or_dotenv(name: &str, dir: &Path) -> Result<Option<String>> {
    env_or_dotenv_with(name, dir, |n| std::env::var(n))
}

/// [`env_or_dotenv`] with the environment passed in, so tests need not change the
/// process's own.
fn env_or_dotenv_with(
    name: &str,
    dir: &Path,
    env: impl Fn(&str) -> std::result::Result<String, std::env::VarError>,
) -> Result<Option<String>> {
    match env(name) {
        Ok(v) if !v.is_empty() => return Ok(Some(v)),
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(bad_url(format!(
                "{name} in the environment is not valid UTF-8"
            )))
        }
    }
    let path = dir.join(".env");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            return Err(Error::DotEnv {
                path,
                line,
                reason: "not valid UTF-8".into(),
            });
        }
    };
    let mut found = None;
    for entry in parse_dotenv(&text) {
        match &entry.key {
            Some(key) if key == name => found = Some(entry),
            Some(key) => {
                if entry.value.is_err() {
                    tracing::warn!(
                        "{}:{}: skipping unreadable entry {key}",
                        path.display(),
                        entry.line
                    );
                }
            }
            None => tracing::warn!(
                "{}:{}: skipping a line that is not KEY=VALUE",
                path.display(),
                entry.line
            ),
        }
    }
    match found {
        None => Ok(None),
        Some(DotEnvEntry { value: Ok(v), .. }) => Ok(Some(v).filter(|v| !v.is_empty())),
        Some(DotEnvEntry {
            value: Err(reason),
            line,
            ..
        }) => Err(Error::DotEnv { path, line, reason }),
    }
}

/// One `KEY=VALUE` entry of a `.env` file.
#[derive(Debug, PartialEq, Eq)]
struct DotEnvEntry {
    /// 1-based line where the entry starts.
    line: usize,
    /// The key; `None` when the line has none.
    key: Option<String>,
    /// The value, or why it cannot be read (never quoting the value).
    value: std::result::Result<String, String>,
}

/// Parses `.env` text: `KEY=VALUE` lines, optional `export `, spaces around `=`,
/// `'single'` (literal) and `"double"` quotes (with `\n`, `\r`, `\t`, `\"`, `\\`
/// escapes; both may span lines), `#` comments (in unquoted values only after a space),
/// blank lines. No variable expansion.
fn parse_dotenv(text: &str) -> Vec<DotEnvEntry> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    let mut entries = Vec::new();
    let mut i = 0;
    let mut line = 1;

    let is_blank = |c: char| c == ' ' || c == '\t';
    let skip_blanks = |i: &mut usize| {
        while *i < len && is_blank(chars[*i]) {
            *i += 1;
        }
    };
    // Leaves `i` on the '\n' (or at the end), so the main loop counts the line.
    let skip_to_eol = |i: &mut usize| {
        while *i < len && chars[*i] != '\n' {
            *i += 1;
        }
    };

    while i < len {
        skip_blanks(&mut i);
        if i >= len {
            break;
        }
        match chars[i] {
            '\n' => {
                i += 1;
                line += 1;
                continue;
            }
            '\r' => {
                i += 1;
                continue;
            }
            '#' => {
                skip_to_eol(&mut i);
                continue;
            }
            _ => {}
        }
        let start_line = line;
        let rest: String = chars[i..len.min(i + 7)].iter().collect();
        if rest.starts_with("export") && rest.chars().nth(6).is_some_and(is_blank) {
            i += 6;
            skip_blanks(&mut i);
        }
        let key_start = i;
        while i < len && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.' | '-')) {
            i += 1;
        }
        let key: String = chars[key_start..i].iter().collect();
        if key.is_empty() {
            entries.push(DotEnvEntry {
                line: start_line,
                key: None,
                value: Err("expected KEY=VALUE".into()),
            });
            skip_to_eol(&mut i);
            continue;
        }
        skip_blanks(&mut i);
        if i >= len || chars[i] != '=' {
            entries.push(DotEnvEntry {
                line: start_line,
                key: Some(key),
                value: Err("expected '=' after the name".into()),
            });
            skip_to_eol(&mut i);
            continue;
        }
        i += 1;
        skip_blanks(&mut i);

        let value = match chars.get(i) {
            Some(&quote @ ('"' | '\'')) => {
                let open = i;
                i += 1;
                let mut value = String::new();
                let mut closed = false;
                let mut lines_inside = 0;
                while i < len {
                    let c = chars[i];
                    i += 1;
                    match c {
                        c if c == quote => {
                            closed = true;
                            break;
                        }
                        '\\' if quote == '"' && i < len => {
                            let next = chars[i];
                            i += 1;
                            match next {
                                'n' => value.push('\n'),
                                'r' => value.push('\r'),
                                't' => value.push('\t'),
                                '"' | '\\' | '$' | '\'' => value.push(next),
                                '\n' => {
                                    lines_inside += 1;
                                    value.push('\\');
                                    value.push('\n');
                                }
                                other => {
                                    value.push('\\');
                                    value.push(other);
                                }
                            }
                        }
                        '\n' => {
                            lines_inside += 1;
                            value.push('\n');
                        }
                        c => value.push(c),
                    }
                }
                if !closed {
                    // Resume on the line after the opening quote.
                    i = open;
                    skip_to_eol(&mut i);
                    Err(format!(
                        "unterminated {} quote",
                        if quote == '"' { "double" } else { "single" }
                    ))
                } else {
                    line += lines_inside;
                    skip_blanks(&mut i);
                    match chars.get(i) {
                        None | Some('\n' | '\r' | '#') => Ok(value),
                        Some(_) => {
                            skip_to_eol(&mut i);
                            Err("unexpected text after the closing quote".into())
                        }
                    }
                }
            }
            _ => {
                let start = i;
                skip_to_eol(&mut i);
                let raw: String = chars[start..i].iter().collect();
                // A comment starts at a '#' that follows whitespace.
                let mut cut = raw.len();
                let bytes = raw.as_bytes();
                for (pos, b) in bytes.iter().enumerate() {
                    if *b == b'#' && pos > 0 && (bytes[pos - 1] == b' ' || bytes[pos - 1] == b'\t')
                    {
                        cut = pos;
                        break;
                    }
                }
                Ok(raw[..cut].trim_end().to_string())
            }
        };
        skip_to_eol(&mut i);
        entries.push(DotEnvEntry {
            line: start_line,
            key: Some(key),
            value,
        });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "S3cr3t-Pa55word-q9z";

    fn parse(url: &str) -> DbUrl {
        DbUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn parse_err(url: &str) -> String {
        match DbUrl::parse(url) {
            Ok(u) => panic!("{url} parsed as {u:?}"),
            Err(e @ Error::BadUrl { .. }) => e.to_string(),
            Err(e) => panic!("{url}: unexpected error {e:?}"),
        }
    }

    #[test]
    fn plain_url() {
        let u = parse("postgres://app:pw@db.internal:5433/appdb");
        assert_eq!(u.host(), "db.internal");
        assert_eq!(u.port(), 5433);
        assert_eq!(u.user(), "app");
        assert_eq!(u.dbname(), "appdb");
        assert_eq!(u.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(u.ssl_mode(), SslMode::Prefer);
        assert_eq!(u.connect_timeout(), Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(u.redacted(), "postgres://app@db.internal:5433/appdb");
    }

    #[test]
    fn all_schemes() {
        for scheme in [
            "postgres",
            "postgresql",
            "postgresql+asyncpg",
            "postgresql+psycopg2",
            "postgresql+psycopg",
            "postgres+asyncpg",
            "POSTGRESQL+AsyncPG",
        ] {
            let u = parse(&format!("{scheme}://app@h:5432/db"));
            assert_eq!(u.redacted(), "postgres://app@h:5432/db", "{scheme}");
            assert!(is_database_url(&format!("{scheme}://app@h/db")), "{scheme}");
        }
    }

    #[test]
    fn bad_schemes() {
        assert!(parse_err("mysql://app@h/db").contains("unsupported scheme \"mysql\""));
        assert!(parse_err("postgresql+://app@h/db").contains("unsupported scheme"));
        assert!(parse_err("garbage").contains("not a URL"));
        assert!(parse_err("").contains("not a URL"));
        // A missing "//" must not quote what could be a password.
        let e = parse_err(&format!("postgres:app:{SECRET}@h/db"));
        assert!(!e.contains(SECRET), "{e}");
        let e = parse_err(&format!("x{SECRET}y/z://h"));
        assert!(!e.contains(SECRET), "{e}");
        assert!(!is_database_url("schema/"));
        assert!(!is_database_url("mysql://x"));
    }

    #[test]
    fn defaults() {
        let u = parse("postgresql://");
        assert_eq!(u.port(), 5432);
        assert_eq!(u.host(), "localhost");
        assert_eq!(u.dbname(), u.user());
        let u = parse("postgres://h");
        assert_eq!(u.host(), "h");
        let u = parse("postgres://app@h");
        assert_eq!(u.dbname(), "app");
        let u = parse("postgres://h:/db");
        assert_eq!(u.port(), 5432);
        assert_eq!(u.dbname(), "db");
        assert_eq!(u.config.get_application_name(), Some("schemaplan"));
    }

    #[test]
    fn percent_decoding() {
        let u = parse("postgres://us%40er:p%40ss%2Fw%3Ard%25@h/my%20db");
        assert_eq!(u.user(), "us@er");
        assert_eq!(u.config.get_password(), Some(&b"p@ss/w:rd%"[..]));
        assert_eq!(u.dbname(), "my db");
        assert_eq!(u.redacted(), "postgres://us%40er@h:5432/my%20db");
        // A password may contain ':' unencoded; only the first ':' splits.
        let u = parse("postgres://app:a:b@h/db");
        assert_eq!(u.config.get_password(), Some(&b"a:b"[..]));
        // And '@': the last '@' of the authority ends the user info.
        let u = parse("postgres://app:a@b@h/db");
        assert_eq!(u.config.get_password(), Some(&b"a@b"[..]));
        assert_eq!(u.host(), "h");

        let e = parse_err("postgres://app:bad%zzsecret@h/db");
        assert!(
            e.contains("password has an invalid percent-encoding"),
            "{e}"
        );
        assert!(!e.contains("secret"), "{e}");
        assert!(parse_err("postgres://h/db%00").contains("%00"));
        assert!(parse_err("postgres://h/db%ff").contains("not valid UTF-8"));
    }

    #[test]
    fn ipv6_hosts() {
        let u = parse("postgres://app@[::1]:5433/db");
        assert_eq!(u.host(), "::1");
        assert_eq!(u.port(), 5433);
        assert_eq!(u.redacted(), "postgres://app@[::1]:5433/db");
        let u = parse("postgres://[fe80::1]/db");
        assert_eq!(u.port(), 5432);
        assert!(parse_err("postgres://[::1/db").contains("closing ']'"));
        assert!(parse_err("postgres://[::1]x/db").contains("IPv6"));
        assert!(parse_err("postgres://[nothost]/db").contains("IPv6"));
    }

    #[test]
    fn bad_ports() {
        assert!(parse_err("postgres://h:0/db").contains("between 1 and 65535"));
        assert!(parse_err("postgres://h:70000/db").contains("between 1 and 65535"));
        assert!(parse_err("postgres://h:abc/db").contains("port is not a number"));
        // An unencoded '/' in a password makes part of it look like a port.
        let e = parse_err(&format!("postgres://app:{SECRET}/x@h/db"));
        assert!(e.contains("percent-encoded"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        assert!(parse_err("postgres://h/db?port=x").contains("port is not a number"));
    }

    #[test]
    fn several_hosts() {
        let u = parse("postgres://app@a:5433,b,[::1]:5434/db");
        let ports: Vec<u16> = u.targets.iter().map(|t| t.port).collect();
        assert_eq!(ports, [5433, 5432, 5434]);
        assert_eq!(u.redacted(), "postgres://app@a:5433,b:5432,[::1]:5434/db");
        let u = parse("postgres:///db?host=a,b&port=6000");
        let ports: Vec<u16> = u.targets.iter().map(|t| t.port).collect();
        assert_eq!(ports, [6000, 6000]);
        assert!(parse_err("postgres:///db?host=a,b,c&port=1,2")
            .contains("could not match 2 port numbers to 3 hosts"));
        let u = parse("postgres:///db?host=db.example&hostaddr=127.0.0.1");
        assert_eq!(u.targets[0].hostaddr, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(u.host(), "db.example");
        assert!(parse_err("postgres:///db?hostaddr=localhost")
            .contains("hostaddr must be a numeric IP"));
        assert!(parse_err("postgres:///db?host=a,b&hostaddr=127.0.0.1").contains("could not match"));
        let u = parse("postgres:///db?hostaddr=127.0.0.1");
        assert_eq!(u.host(), "127.0.0.1");
    }

    #[test]
    fn unix_sockets() {
        let u = parse("postgres://app@%2Fvar%2Frun%2Fpostgresql:5433/db");
        assert_eq!(u.host(), "/var/run/postgresql");
        assert_eq!(
            u.targets[0].host,
            Some(HostName::Unix("/var/run/postgresql".into()))
        );
        assert_eq!(
            u.redacted(),
            "postgres://app@/db?host=%2Fvar%2Frun%2Fpostgresql&port=5433"
        );
        // The redacted form parses back to the same place.
        let again = parse(&u.redacted());
        assert_eq!(again.targets, u.targets);
        let u = parse("postgresql:///db?host=/tmp/pg&port=6543");
        assert_eq!(u.host(), "/tmp/pg");
        assert_eq!(u.port(), 6543);
    }

    #[test]
    fn query_parameters() {
        let u = parse(
            "postgres://h/db?application_name=my%20app&connect_timeout=3&options=-c%20search_path%3Dx\
             &target_session_attrs=read-write&keepalives=1&keepalives_idle=30&keepalives_interval=5\
             &keepalives_count=3&user=u2&password=p2&dbname=db2&tcp_user_timeout=1500\
             &channel_binding=prefer&load_balance_hosts=random&sslnegotiation=postgres\
             &gssencmode=disable&client_encoding=UTF8&fallback_application_name=x",
        );
        assert_eq!(u.config.get_application_name(), Some("my app"));
        assert_eq!(u.connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(u.config.get_options(), Some("-c search_path=x"));
        assert_eq!(
            u.config.get_target_session_attrs(),
            tokio_postgres::config::TargetSessionAttrs::ReadWrite
        );
        assert!(u.config.get_keepalives());
        assert_eq!(u.config.get_keepalives_idle(), Duration::from_secs(30));
        assert_eq!(
            u.config.get_keepalives_interval(),
            Some(Duration::from_secs(5))
        );
        assert_eq!(u.config.get_keepalives_retries(), Some(3));
        assert_eq!(
            u.config.get_tcp_user_timeout(),
            Some(&Duration::from_millis(1500))
        );
        assert_eq!(u.user(), "u2");
        assert_eq!(u.dbname(), "db2");
        assert_eq!(u.config.get_password(), Some(&b"p2"[..]));
        assert!(u.load_balance);

        assert_eq!(
            parse("postgres://h/db?connect_timeout=0").connect_timeout(),
            None
        );
        assert_eq!(
            parse("postgres://h/db?connect_timeout=1").connect_timeout(),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse("postgres://h/db?timeout=2.5").connect_timeout(),
            Some(Duration::from_millis(2500))
        );
        let u = parse("postgres://h/db?fallback_application_name=tool");
        assert_eq!(u.config.get_application_name(), Some("tool"));
        // Empty pairs are tolerated (a trailing '&').
        parse("postgres://h/db?sslmode=disable&");
    }

    #[test]
    fn ignored_driver_parameters() {
        let u = parse(
            "postgresql+asyncpg://app@h/db?prepared_statement_cache_size=0&command_timeout=60",
        );
        assert_eq!(u.redacted(), "postgres://app@h:5432/db");
    }

    #[test]
    fn unknown_and_bad_parameters_name_the_parameter_only() {
        let e = parse_err(&format!("postgres://h/db?frobnicate={SECRET}"));
        assert!(e.contains("unknown parameter \"frobnicate\""), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        let e = parse_err(&format!("postgres://h/db?sslmode={SECRET}"));
        assert!(e.contains("sslmode must be one of"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        let e = parse_err(&format!("postgres://h/db?connect_timeout={SECRET}"));
        assert!(e.contains("connect_timeout must be"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        assert!(parse_err("postgres://h/db?sslmode").contains("has no value"));
        assert!(parse_err("postgres://h/db?sslcrl=/x").contains("not supported"));
        assert!(
            parse_err("postgres://h/db?target_session_attrs=standby").contains("read-only only")
        );
        assert!(parse_err("postgres://h/db?client_encoding=latin1").contains("UTF8"));
        assert!(parse_err("postgres://h/db?keepalives=2").contains("keepalives must be 0 or 1"));
    }

    #[test]
    fn ssl_modes() {
        for mode in SslMode::ALL {
            let u = parse(&format!("postgres://h/db?sslmode={mode}"));
            assert_eq!(u.ssl_mode(), mode);
            assert_eq!(mode.as_str().parse::<SslMode>().unwrap(), mode);
        }
        for (ssl, mode) in [
            ("true", SslMode::VerifyFull),
            ("True", SslMode::VerifyFull),
            ("false", SslMode::Disable),
            ("disable", SslMode::Disable),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            let u = parse(&format!("postgresql+asyncpg://h/db?ssl={ssl}"));
            assert_eq!(u.ssl_mode(), mode, "ssl={ssl}");
        }
        assert!(parse_err("postgres://h/db?ssl=maybe").contains("ssl must be"));
        assert_eq!(
            parse("postgres://h/db?ssl=require&sslmode=require").ssl_mode(),
            SslMode::Require
        );
        assert!(parse_err("postgres://h/db?ssl=require&sslmode=disable").contains("disagree"));
        assert_eq!(
            parse("postgres://h/db?requiressl=1").ssl_mode(),
            SslMode::Require
        );
    }

    #[test]
    fn ssl_files() {
        let u = parse("postgres://h/db?sslmode=verify-ca&sslrootcert=/etc/ca.pem&sslcert=/c.crt&sslkey=/c.key&sslsni=0");
        assert_eq!(u.tls.root_cert, Some(RootCert::File("/etc/ca.pem".into())));
        assert_eq!(u.tls.client_cert, Some(PathBuf::from("/c.crt")));
        assert_eq!(u.tls.client_key, Some(PathBuf::from("/c.key")));
        assert!(!u.tls.sni);
        let u = parse("postgres://h/db?sslrootcert=system");
        assert_eq!(u.tls.root_cert, Some(RootCert::System));
        assert_eq!(u.ssl_mode(), SslMode::VerifyFull);
        assert!(
            parse_err("postgres://h/db?sslrootcert=system&sslmode=require")
                .contains("weak sslmode require")
        );
        let u = parse("postgres://h/db?ssl_min_protocol_version=TLSv1.3");
        assert!(u.tls.min_tls13);
        let u = parse("postgres://h/db?ssl_max_protocol_version=TLSv1.2");
        assert!(u.tls.max_tls12);
        assert!(
            parse_err("postgres://h/db?ssl_max_protocol_version=TLSv1.1").contains("not supported")
        );
    }

    #[test]
    fn with_dbname_keeps_the_rest() {
        let u = parse("postgresql+asyncpg://app:pw@h:6000/one?sslmode=require&connect_timeout=4");
        let v = u.with_dbname("two");
        assert_eq!(v.dbname(), "two");
        assert_eq!(v.port(), 6000);
        assert_eq!(v.ssl_mode(), SslMode::Require);
        assert_eq!(v.connect_timeout(), Some(Duration::from_secs(4)));
        assert_eq!(v.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(u.dbname(), "one");
    }

    #[test]
    fn password_never_shown() {
        for url in [
            format!("postgres://app:{SECRET}@db.internal:5432/app"),
            format!("postgresql+asyncpg://app:{SECRET}@db.internal/app?sslmode=require"),
            format!("postgres://app@db.internal/app?password={SECRET}"),
            format!(
                "postgres://app:{}@db.internal/app",
                SECRET.replace('-', "%2D")
            ),
        ] {
            let u = parse(&url);
            let shown = format!("{u:?} {} {}", u.redacted(), u.with_dbname("x").redacted());
            assert!(!shown.contains(SECRET), "{shown}");
            assert!(
                shown.contains("postgres://app@db.internal:5432/app"),
                "{shown}"
            );
        }
    }

    #[test]
    fn scrub_removes_the_password() {
        let u = parse(&format!("postgres://app:{SECRET}@h/db"));
        assert_eq!(u.scrub(&format!("oops {SECRET} leaked")), "oops *** leaked");
    }

    #[test]
    fn tls_error_messages() {
        let e = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert!(describe_tls_error(&e).starts_with("certificate verify failed: unknown issuer"));
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }

    fn entry(key: &str, value: &str) -> (Option<String>, std::result::Result<String, String>) {
        (Some(key.to_string()), Ok(value.to_string()))
    }

    fn dotenv(text: &str) -> Vec<(Option<String>, std::result::Result<String, String>)> {
        parse_dotenv(text)
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect()
    }

    #[test]
    fn dotenv_basics() {
        let text = "\u{feff}# comment\n\nA=1\nexport B=two words  # comment\n  C = spaced \nD=a#b\nE=\nexport\tF='x y'\r\nexportG=3\n";
        assert_eq!(
            dotenv(text),
            vec![
                entry("A", "1"),
                entry("B", "two words"),
                entry("C", "spaced"),
                entry("D", "a#b"),
                entry("E", ""),
                entry("F", "x y"),
                entry("exportG", "3"),
            ]
        );
    }

    #[test]
    fn dotenv_quotes() {
        let text = r##"A="line1\nline2 \"q\" back\\slash" # c
B='no \n escapes'
C="multi
line"
D="#not a comment"
E='it''s'
"##;
        let got = parse_dotenv(text);
        assert_eq!(
            got[0].value,
            Ok("line1\nline2 \"q\" back\\slash".to_string())
        );
        assert_eq!(got[1].value, Ok("no \\n escapes".to_string()));
        assert_eq!(got[2].value, Ok("multi\nline".to_string()));
        assert_eq!(got[3].value, Ok("#not a comment".to_string()));
        assert_eq!(got[3].line, 5);
        assert_eq!(
            got[4].value,
            Err("unexpected text after the closing quote".to_string())
        );
        assert_eq!(got[4].line, 6);
    }

    #[test]
    fn dotenv_errors_and_recovery() {
        let got = parse_dotenv("A=\"unterminated\nB=2\n=x\nC\nD=4");
        assert_eq!(got[0].key.as_deref(), Some("A"));
        assert_eq!(got[0].value, Err("unterminated double quote".to_string()));
        assert_eq!((got[1].key.as_deref(), got[1].line), (Some("B"), 2));
        assert_eq!(got[1].value, Ok("2".to_string()));
        assert_eq!((got[2].key.as_deref(), got[2].line), (None, 3));
        assert_eq!(got[3].value, Err("expected '=' after the name".to_string()));
        assert_eq!((got[4].key.as_deref(), got[4].line), (Some("D"), 5));
        assert_eq!(got[4].value, Ok("4".to_string()));
    }

    #[test]
    fn dotenv_files() {
        let dir = tempfile::tempdir().unwrap();
        let name = "SCHEMAPLAN_TEST_DOTENV_ONLY";
        assert_eq!(env_or_dotenv(name, dir.path()).unwrap(), None);
        std::fs::write(
            dir.path().join(".env"),
            format!("OTHER=\"broken\n{name}=\"postgres://app:{SECRET}@h/db\"\n{name}=postgres://later@h/db\n"),
        )
        .unwrap();
        // The last definition wins; a broken unrelated entry is skipped.
        assert_eq!(
            env_or_dotenv(name, dir.path()).unwrap().as_deref(),
            Some("postgres://later@h/db")
        );

        std::fs::write(
            dir.path().join(".env"),
            format!("{name}='postgres://app:{SECRET}@h/db\n"),
        )
        .unwrap();
        let e = env_or_dotenv(name, dir.path()).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.ends_with(".env:1: unterminated single quote"),
            "{shown}"
        );
        assert!(!shown.contains(SECRET), "{shown}");

        std::fs::write(dir.path().join(".env"), b"A=1\nB=\xff\n").unwrap();
        let e = env_or_dotenv(name, dir.path()).unwrap_err();
        assert!(e.to_string().ends_with(".env:2: not valid UTF-8"), "{e}");
    }

    #[test]
    fn resolve_prefers_cli() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "DATABASE_URL=postgres://from-dotenv/db\n",
        )
        .unwrap();
        assert_eq!(
            resolve_database_url(Some("postgres://cli/db"), dir.path())
                .unwrap()
                .as_deref(),
            Some("postgres://cli/db")
        );
        // Whether DATABASE_URL is set in this test's environment is not ours to change
        // (tests run in parallel); only the CLI precedence and the .env fallback are
        // checked when it is unset.
        if std::env::var_os("DATABASE_URL").is_none() {
            assert_eq!(
                resolve_database_url(None, dir.path()).unwrap().as_deref(),
                Some("postgres://from-dotenv/db")
            );
            assert_eq!(
                resolve_database_url(Some("  "), dir.path())
                    .unwrap()
                    .as_deref(),
                Some("postgres://from-dotenv/db")
            );
        }
    }

    #[test]
    fn environment_wins_over_dotenv() {
        use std::env::VarError;
        let name = "SP_SETTING";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), format!("{name}=from-file\n")).unwrap();
        let unset = |_: &str| Err(VarError::NotPresent);
        let set = |_: &str| Ok("from-env".to_string());
        let empty = |_: &str| Ok(String::new());
        let garbled = |_: &str| Err(VarError::NotUnicode("\u{fffd}".into()));
        let get = |env: &dyn Fn(&str) -> std::result::Result<String, VarError>| {
            env_or_dotenv_with(name, dir.path(), env)
        };
        assert_eq!(get(&unset).unwrap().as_deref(), Some("from-file"));
        assert_eq!(get(&set).unwrap().as_deref(), Some("from-env"));
        // An empty variable counts as unset.
        assert_eq!(get(&empty).unwrap().as_deref(), Some("from-file"));
        assert!(get(&garbled)
            .unwrap_err()
            .to_string()
            .contains("not valid UTF-8"));
    }
}
