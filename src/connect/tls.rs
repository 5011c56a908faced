//! TLS for connections: libpq's `sslmode` and certificate settings, on rustls (ring
//! provider).
//!
//! Input: the TLS connection parameters (`sslmode`, asyncpg's `ssl`, `sslrootcert`,
//! `sslcert`, `sslkey`, `sslsni`, `ssl_min_protocol_version`, ...). Output: a
//! `MakeRustlsConnect` whose certificate checks follow libpq's `sslmode` semantics, and
//! one-line descriptions of TLS failures.
//!
//! Must not: weaken a mode. `require` with a root certificate verifies the chain (as
//! libpq does), `verify-full` checks the host name, `sslrootcert=system` refuses every
//! mode below `verify-full`. Does not connect.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::bad_url;
use crate::error::{Error, Result};

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
    pub(super) const ALL: [SslMode; 6] = [
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
    pub(super) fn requires_tls(self) -> bool {
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
pub(super) enum RootCert {
    /// A PEM file (`sslrootcert=/path/ca.crt`).
    File(PathBuf),
    /// The operating system's trust store (`sslrootcert=system`).
    System,
}

/// TLS settings of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TlsSettings {
    pub(super) mode: SslMode,
    pub(super) root_cert: Option<RootCert>,
    pub(super) client_cert: Option<PathBuf>,
    pub(super) client_key: Option<PathBuf>,
    pub(super) sni: bool,
    pub(super) min_tls13: bool,
    pub(super) max_tls12: bool,
}

/// The TLS parameters read so far.
#[derive(Default)]
pub(super) struct TlsParams {
    sslmode: Option<SslMode>,
    /// asyncpg's `ssl=`, mapped to an sslmode.
    ssl: Option<SslMode>,
    root_cert: Option<RootCert>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    sni: Option<bool>,
    min_tls13: bool,
    max_tls12: bool,
}

impl TlsParams {
    /// Applies one TLS parameter; `Ok(false)` when `key` is not one. Errors name the
    /// parameter, never its value.
    pub(super) fn apply(&mut self, key: &str, value: &str) -> Result<bool> {
        let bad = |what: &str| bad_url(format!("{key} {what}"));
        match key {
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
                self.sslmode = Some(match value {
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
            "sslsni" => {
                self.sni =
                    Some(super::url::parse_bool01(value).ok_or_else(|| bad("must be 0 or 1"))?)
            }
            "sslcompression" => tracing::debug!("ignoring {key}: TLS compression is never used"),
            "ssl_min_protocol_version" | "ssl_max_protocol_version" => {
                let is_min = key == "ssl_min_protocol_version";
                match (value, is_min) {
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
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The settings, once every parameter is read.
    pub(super) fn finish(self) -> Result<TlsSettings> {
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
            root_cert: self.root_cert,
            client_cert: self.client_cert,
            client_key: self.client_key,
            sni: self.sni.unwrap_or(true),
            min_tls13: self.min_tls13,
            max_tls12: self.max_tls12,
        })
    }
}

/// The rustls client configuration for these TLS settings. The error is one line.
pub(super) fn connector(
    tls: &TlsSettings,
) -> std::result::Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;

    // libpq: an explicit sslrootcert, else ~/.postgresql/root.crt when it exists;
    // with either, the chain is verified in every mode. Without one, only
    // verify-ca/verify-full verify (against the system roots).
    let root = match &tls.root_cert {
        Some(root) => Some(root.clone()),
        None => match home_file("root.crt") {
            Some(path) if path.is_file() => Some(RootCert::File(path)),
            _ if tls.mode.verifies() => Some(RootCert::System),
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
        check_name: tls.mode == SslMode::VerifyFull,
        algorithms,
    };

    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        match (tls.min_tls13, tls.max_tls12) {
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
    let mut config = match client_identity(tls)? {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs, key)
            .map_err(|e| format!("cannot use the client certificate: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    config.enable_sni = tls.sni;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The client certificate chain and key: `sslcert`/`sslkey`, else
/// `~/.postgresql/postgresql.crt`/`.key`. As in libpq, a missing certificate file
/// means no client certificate.
#[allow(clippy::type_complexity)]
fn client_identity(
    tls: &TlsSettings,
) -> std::result::Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, String> {
    let explicit = tls.client_cert.is_some();
    let Some(cert_path) = tls
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
    let key_path = match &tls.client_key {
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

/// `~/.postgresql/NAME`, where libpq looks for default TLS files.
fn home_file(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".postgresql").join(name))
}

/// The errors in `e`'s source chain, outermost first.
pub(super) fn error_chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| e.source())
}

/// The rustls error behind a failed handshake, if that is what failed. tokio-rustls
/// wraps it in an `io::Error`, whose `source()` skips it, so look inside those too.
pub(super) fn find_rustls_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    error_chain(e).find_map(|err| {
        err.downcast_ref::<rustls::Error>().or_else(|| {
            err.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        })
    })
}

/// Whether a connection failed in the TLS handshake.
pub(super) fn is_tls_failure(e: &tokio_postgres::Error) -> bool {
    find_rustls_error(e).is_some()
}

/// A TLS failure as a sentence that says what to do.
pub(super) fn describe_tls_error(e: &rustls::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_error_messages() {
        let e = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert!(describe_tls_error(&e).starts_with("certificate verify failed: unknown issuer"));
    }
}
