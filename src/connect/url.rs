//! Connection strings: libpq URLs (`postgres://`, `postgresql://`), SQLAlchemy's forms
//! (`postgresql+asyncpg://`, `+psycopg2`, `+psycopg`, asyncpg's `ssl=` and `timeout=`)
//! and libpq's keyword/value strings (`host=db port=5433 dbname=app`).
//!
//! Input: the text of `--database`, `DATABASE_URL` or `--dev-url`. Output: the
//! connection parameters by libpq keyword ([`Options`], as libpq's conninfo options),
//! and from the parameters, once the environment has filled the gaps, a [`DbUrl`].
//!
//! tokio-postgres parses the values it understands as libpq does (`user`, `password`,
//! `dbname`, `options`, `application_name`, `channel_binding`, `sslnegotiation`,
//! `load_balance_hosts`, `target_session_attrs`, `keepalives_idle`,
//! `keepalives_interval`): see [`DELEGATED`]. What stays here, and why:
//! - splitting the URL: tokio-postgres's URL parser ends the user info at the first
//!   `@` (a password holding `@` then lands in the host), decodes a malformed `%`
//!   escape as literal text, takes port 0, appends `?host=` to the URL's hosts where
//!   libpq replaces them, and knows neither the `+driver` schemes nor libpq's TLS
//!   parameters; its keyword/value parser rejects every keyword it does not know
//!   (`sslrootcert`, `service`, ...), and neither hands back the parameters, which the
//!   service file and the environment must fill in before anything is interpreted;
//! - hosts, ports and hostaddrs: each host is tried separately (own deadline, TLS
//!   fallback, error naming it), and a bad port must say what to do without quoting it;
//! - `connect_timeout` (libpq turns 1 into 2 s), `tcp_user_timeout` (libpq's unit is
//!   milliseconds, tokio-postgres reads seconds), `keepalives_count` (tokio-postgres
//!   calls it `keepalives_retries`), `keepalives` (0 or 1 only), `sslmode` and the other
//!   TLS parameters (tokio-postgres has neither `allow` nor `verify-ca`/`verify-full`).
//!
//! Must not: quote any part of the text in an error unless it is certainly not the
//! password (a scheme that looks like one, a known parameter name).

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use indexmap::IndexMap;

use super::tls::TlsParams;
use super::{bad_url, DbUrl, HostName, Target, DEFAULT_CONNECT_TIMEOUT};
use crate::error::{Error, Result};

/// The `application_name` sent when nothing sets one (libpq's
/// `fallback_application_name`), so `pg_stat_activity` shows who is connected.
const FALLBACK_APPLICATION_NAME: &str = "schemaplan";

/// Parameters whose values tokio-postgres parses exactly as libpq does; they are handed
/// to `tokio_postgres::Config::from_str` as a keyword/value string.
const DELEGATED: &[&str] = &[
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslnegotiation",
    "channel_binding",
    "load_balance_hosts",
    "target_session_attrs",
    "keepalives_idle",
    "keepalives_interval",
];

/// Parameters interpreted here (see the module comment for why).
const OWN: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "passfile",
    "service",
    "fallback_application_name",
    "connect_timeout",
    "timeout",
    "keepalives",
    "keepalives_count",
    "tcp_user_timeout",
    "gssencmode",
    "client_encoding",
    "sslmode",
    "ssl",
    "requiressl",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslsni",
    "sslcompression",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
];

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
    "replication",
];

/// Whether `key` is a parameter name schemaplan knows (used, ignored or refused).
pub(super) fn is_known_keyword(key: &str) -> bool {
    [
        DELEGATED,
        OWN,
        IGNORED_DRIVER_PARAMS,
        UNSUPPORTED_LIBPQ_PARAMS,
    ]
    .iter()
    .any(|list| list.contains(&key))
}

/// Connection parameters by libpq keyword, in the order first given. A later value for
/// the same keyword replaces the earlier one (as in libpq).
pub(super) type Options = IndexMap<String, Setting>;

/// One parameter's value and where it came from. No `Debug`: the value may be a password.
#[derive(Clone)]
pub(super) struct Setting {
    pub(super) value: String,
    pub(super) origin: Origin,
}

/// Where a parameter came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    /// The URL or connection string itself.
    Given,
    /// A `pg_service.conf` entry.
    Service { path: PathBuf, line: usize },
    /// A libpq environment variable (`PGPORT`, ...).
    Env(&'static str),
    /// libpq's built-in default (`~/.pgpass`).
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Given => f.write_str("the URL"),
            Origin::Service { path, line } => {
                write!(f, "service file {}, line {line}", path.display())
            }
            Origin::Env(var) => f.write_str(var),
            Origin::Default => f.write_str("the default"),
        }
    }
}

/// Adds a parameter given in the connection string.
fn given(options: &mut Options, key: &str, value: String) {
    options.insert(
        key.to_string(),
        Setting {
            value,
            origin: Origin::Given,
        },
    );
}

/// Splits a URL or keyword/value connection string into its parameters.
pub(super) fn parse_conninfo(text: &str) -> Result<Options> {
    let text = text.trim();
    // A URL's scheme comes before "://" and holds neither '=' nor blanks; a
    // keyword/value string has an '=' before any "://".
    let is_url = text
        .split_once("://")
        .is_some_and(|(scheme, _)| !scheme.contains(['=', ' ', '\t', '\n']));
    if !is_url && text.contains('=') {
        return parse_keyword_value(text);
    }
    parse_uri(text)
}

/// libpq URI: `scheme://[userspec@][hostspec][/dbname][?paramspec]`.
fn parse_uri(url: &str) -> Result<Options> {
    let rest = strip_scheme(url)?;
    let mut options = Options::new();

    // The authority ends at the first '/' or '?'; a password holding either must be
    // percent-encoded. The user info ends at the authority's last '@', so a password
    // may hold an unencoded '@' (libpq's own parser and tokio-postgres's take the first).
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
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
            given(&mut options, "user", user);
        }
        if let Some(password) = password {
            given(
                &mut options,
                "password",
                percent_decode(password, "password")?,
            );
        }
    }

    let mut hosts: Vec<String> = Vec::new();
    let mut ports: Vec<&str> = Vec::new();
    for item in hostspec.split(',') {
        let (host, port) = split_host_port(item)?;
        hosts.push(percent_decode(host, "host")?);
        ports.push(port);
    }
    // As libpq: a part left out is not set (the environment may fill it); with several
    // hosts, "a,b" sets the ports to "," (each the default).
    let hosts = hosts.join(",");
    if !hosts.is_empty() {
        given(&mut options, "host", hosts);
    }
    let ports = ports.join(",");
    if !ports.is_empty() {
        given(&mut options, "port", ports);
    }

    if let Some(db) = path.strip_prefix('/') {
        let db = percent_decode(db, "database name")?;
        if !db.is_empty() {
            given(&mut options, "dbname", db);
        }
    }

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
            given(&mut options, &key, value);
        }
    }
    Ok(options)
}

/// libpq's keyword/value form: `keyword = value` pairs separated by blanks; a value is
/// single-quoted to hold blanks, and `\` escapes the next character (quoted or not).
/// Written out because tokio-postgres's parser refuses the keywords it does not know
/// and returns a `Config` rather than the pairs.
fn parse_keyword_value(text: &str) -> Result<Options> {
    let mut options = Options::new();
    let mut chars = text.chars().peekable();
    let skip_blanks = |chars: &mut std::iter::Peekable<std::str::Chars>| {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
    };
    loop {
        skip_blanks(&mut chars);
        if chars.peek().is_none() {
            return Ok(options);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        skip_blanks(&mut chars);
        if chars.next() != Some('=') {
            // A word without '=' may be a stray password: name it only when it is a
            // parameter name.
            return Err(bad_url(if is_known_keyword(&key) {
                format!("missing \"=\" after {key:?} in the connection string")
            } else {
                "a word in the connection string is not followed by \"=\" (expected keyword=value)"
                    .to_string()
            }));
        }
        skip_blanks(&mut chars);
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => {
                        return Err(bad_url(format!(
                            "unterminated quoted value of {key:?} in the connection string"
                        )))
                    }
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        given(&mut options, &key, value);
    }
}

/// The parameters read so far.
#[derive(Default)]
struct Params {
    /// `keyword='value'` for tokio-postgres, see [`DELEGATED`].
    delegated: Vec<(String, String, Origin)>,
    hosts: Vec<String>,
    ports: Vec<u16>,
    hostaddrs: Vec<IpAddr>,
    tls: TlsParams,
    /// `Some(None)`: wait forever (`connect_timeout=0`).
    connect_timeout: Option<Option<Duration>>,
    fallback_application_name: Option<String>,
    keepalives: Option<bool>,
    keepalives_count: Option<u32>,
    tcp_user_timeout: Option<Duration>,
    passfile: Option<PathBuf>,
}

/// The connection the parameters describe. Every parameter's error names it (and where
/// it came from, unless from the URL), never its value.
pub(super) fn build(options: Options) -> Result<DbUrl> {
    let mut params = Params::default();
    for (key, setting) in options {
        params
            .apply(&key, setting.value, &setting.origin)
            .map_err(|e| with_origin(e, &setting.origin))?;
    }
    params.finish()
}

/// Adds "(from PGPORT)" and the like to a parameter's error.
fn with_origin(e: Error, origin: &Origin) -> Error {
    match (e, origin) {
        (e, Origin::Given) => e,
        (Error::BadUrl { reason }, origin) => bad_url(format!("{reason} (from {origin})")),
        (e, _) => e,
    }
}

impl Params {
    /// Applies one parameter.
    fn apply(&mut self, key: &str, value: String, origin: &Origin) -> Result<()> {
        let bad = |what: &str| bad_url(format!("{key} {what}"));
        if self.tls.apply(key, &value)? {
            return Ok(());
        }
        match key {
            "target_session_attrs"
                if matches!(value.as_str(), "primary" | "standby" | "prefer-standby") =>
            {
                return Err(bad("supports any, read-write and read-only only"))
            }
            _ if DELEGATED.contains(&key) => {
                self.delegated
                    .push((key.to_string(), value, origin.clone()))
            }
            "host" => self.hosts = value.split(',').map(str::to_string).collect(),
            "port" => {
                self.ports = value
                    .split(',')
                    .map(|p| parse_port(p.trim()))
                    .collect::<Result<_>>()?
            }
            "hostaddr" => {
                self.hostaddrs = value
                    .split(',')
                    .map(|a| a.trim().parse::<IpAddr>())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|_| bad("must be a numeric IP address (or a comma-separated list)"))?;
            }
            "passfile" => {
                self.passfile = Some(PathBuf::from(value)).filter(|p| !p.as_os_str().is_empty())
            }
            // Read by the environment stage, which has already applied the entry.
            "service" => {}
            "fallback_application_name" => self.fallback_application_name = Some(value),
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
                self.keepalives = Some(parse_bool01(&value).ok_or_else(|| bad("must be 0 or 1"))?)
            }
            "keepalives_count" => {
                self.keepalives_count = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| bad("must be a whole number"))?,
                )
            }
            "tcp_user_timeout" => {
                // libpq: milliseconds; zero means the system default.
                let ms: u64 = value
                    .trim()
                    .parse()
                    .map_err(|_| bad("must be a whole number of milliseconds"))?;
                self.tcp_user_timeout = Some(Duration::from_millis(ms)).filter(|d| !d.is_zero());
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

    fn finish(self) -> Result<DbUrl> {
        let mut config = delegate(&self.delegated)?;
        if let Some(on) = self.keepalives {
            config.keepalives(on);
        }
        if let Some(count) = self.keepalives_count {
            config.keepalives_retries(count);
        }
        if let Some(timeout) = self.tcp_user_timeout {
            config.tcp_user_timeout(timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name(
                self.fallback_application_name
                    .as_deref()
                    .unwrap_or(FALLBACK_APPLICATION_NAME),
            );
        }
        let targets = build_targets(&self.hosts, &self.ports, &self.hostaddrs)?;
        let load_balance =
            config.get_load_balance_hosts() == tokio_postgres::config::LoadBalanceHosts::Random;
        Ok(DbUrl {
            config,
            targets,
            tls: self.tls.finish()?,
            connect_timeout: self
                .connect_timeout
                .unwrap_or(Some(DEFAULT_CONNECT_TIMEOUT)),
            load_balance,
            passfile: self.passfile,
        })
    }
}

/// The parameters tokio-postgres parses, parsed by tokio-postgres.
fn delegate(params: &[(String, String, Origin)]) -> Result<tokio_postgres::Config> {
    let text = |params: &[(String, String, Origin)]| {
        params
            .iter()
            .map(|(key, value, _)| {
                format!(
                    "{key}='{}'",
                    value.replace('\\', "\\\\").replace('\'', "\\'")
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    tokio_postgres::Config::from_str(&text(params)).map_err(|_| {
        // Find the parameter at fault to name it (and where it came from). The string
        // is written above, so only a value can be wrong; tokio-postgres's message
        // names the option, never the value.
        for param in params {
            if let Err(e) = tokio_postgres::Config::from_str(&text(std::slice::from_ref(param))) {
                let reason = std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .filter(|m| m.starts_with("invalid value for option"))
                    .unwrap_or_else(|| format!("invalid value for option `{}`", param.0));
                return with_origin(bad_url(reason), &param.2);
            }
        }
        bad_url("cannot read the connection parameters")
    })
}

pub(super) fn parse_bool01(value: &str) -> Option<bool> {
    match value.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

/// Returns what follows `scheme://`, checking the scheme: libpq's two, and SQLAlchemy's
/// `postgresql+DRIVER` (the driver is the Python application's; schemaplan connects
/// with its own).
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
fn build_targets(hosts: &[String], ports: &[u16], hostaddrs: &[IpAddr]) -> Result<Vec<Target>> {
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
pub(super) fn percent_encode(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::tls::RootCert;
    use crate::connect::{is_database_url, SslMode};
    use std::path::PathBuf;

    const SECRET: &str = "S3cr3t-Pa55word-q9z";

    /// Parses in an empty environment: no PG* variables, no HOME.
    pub(crate) fn parse(url: &str) -> DbUrl {
        DbUrl::parse_in(url, &|_| None).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    pub(crate) fn parse_err(url: &str) -> String {
        match DbUrl::parse_in(url, &|_| None) {
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
    fn keyword_value_strings() {
        let u = parse(
            r"host=db.example port = 5433 dbname='my db' user=app password='it\'s a \\ secret' sslmode=verify-ca application_name=kv\ app",
        );
        assert_eq!((u.host().as_str(), u.port()), ("db.example", 5433));
        assert_eq!(u.dbname(), "my db");
        assert_eq!(u.user(), "app");
        assert_eq!(u.config.get_password(), Some(&br"it's a \ secret"[..]));
        assert_eq!(u.ssl_mode(), SslMode::VerifyCa);
        assert_eq!(u.config.get_application_name(), Some("kv app"));
        assert_eq!(u.redacted(), "postgres://app@db.example:5433/my%20db");
        // Several hosts, a socket directory, and every URL parameter.
        let u = parse("host=a,b port=1,2 dbname=d connect_timeout=1 sslrootcert=system");
        let ports: Vec<u16> = u.targets.iter().map(|t| t.port).collect();
        assert_eq!(ports, [1, 2]);
        assert_eq!(u.connect_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(u.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            parse("host=/tmp/pg dbname=d").targets[0].host,
            Some(HostName::Unix("/tmp/pg".into()))
        );
        // The last of a repeated keyword wins, as in libpq.
        assert_eq!(parse("dbname=a dbname=b").dbname(), "b");
    }

    #[test]
    fn keyword_value_errors_never_quote_a_value() {
        let e = parse_err(&format!("host=h {SECRET}"));
        assert!(e.contains("not followed by \"=\""), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        let e = parse_err(&format!("host=h password='{SECRET}"));
        assert!(
            e.contains("unterminated quoted value of \"password\""),
            "{e}"
        );
        assert!(!e.contains(SECRET), "{e}");
        assert!(parse_err("host dbname=x").contains("missing \"=\" after \"host\""));
        let e = parse_err(&format!("host=h sslmode={SECRET}"));
        assert!(
            e.contains("sslmode must be one of") && !e.contains(SECRET),
            "{e}"
        );
        assert!(parse_err("host=h bogus=1").contains("unknown parameter \"bogus\""));
    }

    #[test]
    fn values_tokio_postgres_parses() {
        let u = parse(
            "postgres://h/db?channel_binding=require&sslnegotiation=direct&target_session_attrs=read-only\
             &load_balance_hosts=disable&keepalives_idle=20",
        );
        use tokio_postgres::config::{ChannelBinding, SslNegotiation, TargetSessionAttrs};
        assert_eq!(u.config.get_channel_binding(), ChannelBinding::Require);
        assert_eq!(u.config.get_ssl_negotiation(), SslNegotiation::Direct);
        assert_eq!(
            u.config.get_target_session_attrs(),
            TargetSessionAttrs::ReadOnly
        );
        assert_eq!(u.config.get_keepalives_idle(), Duration::from_secs(20));
        assert!(!u.load_balance);
        // Its errors name the option, never the value.
        for key in [
            "channel_binding",
            "sslnegotiation",
            "target_session_attrs",
            "load_balance_hosts",
            "keepalives_idle",
        ] {
            let e = parse_err(&format!("postgres://app:{SECRET}@h/db?{key}=x{SECRET}"));
            assert!(
                e.contains(&format!("invalid value for option `{key}`")),
                "{e}"
            );
            assert!(!e.contains(SECRET), "{e}");
        }
        // A quote or backslash in a value reaches tokio-postgres intact.
        let u = parse(r"postgres://h/db?options=-c%20x%3D'a\b'&password=p'%5C");
        assert_eq!(u.config.get_options(), Some(r"-c x='a\b'"));
        assert_eq!(u.config.get_password(), Some(&br"p'\"[..]));
    }
}
