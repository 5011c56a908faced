//! Connecting for real: every URL form, TLS modes against a server with a test CA,
//! refused and silent ports, password and client-certificate authentication, and the
//! password never showing in any output.
//!
//! The TLS, password and certificate tests need the throwaway cluster that
//! scripts/test.sh starts (it exports TEST_SSL_ROOT_CERT and friends). Against another
//! server they print "skipped: ..." and pass; under scripts/test.sh's own cluster
//! (SCHEMAPLAN_TEST_THROWAWAY=1, as in CI) a missing variable is a failure, except the
//! TLS files when TEST_SSL_UNSUPPORTED says the server was built without SSL.

mod common;

use schemaplan::connect::{DbUrl, SslMode};
use schemaplan::Error;

/// A password that must never appear in any output.
const WRONG_PASSWORD: &str = "Wr0ng-Pa55w0rd-zq7xk";

/// Variables scripts/test.sh exports with its throwaway cluster, or `None` (after
/// saying why the test is skipped) when the tests run against some other server.
fn cluster_vars<const N: usize>(names: [&str; N]) -> Option<[String; N]> {
    let values: Vec<Option<String>> = names
        .iter()
        .map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
        .collect();
    let missing: Vec<&str> = names
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        return values
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .try_into()
            .ok();
    }
    // Straight to stderr: the test harness captures println!/eprintln!, and a skip
    // should be seen.
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("test").to_string();
    // scripts/test.sh started a server built without SSL (it says why): no TLS files.
    let unsupported = std::env::var("TEST_SSL_UNSUPPORTED").unwrap_or_default();
    if !unsupported.is_empty() && missing.iter().all(|n| n.starts_with("TEST_SSL_")) {
        let _ = writeln!(std::io::stderr(), "skipped: {test}: {unsupported}");
        return None;
    }
    let missing = missing.join(", ");
    if std::env::var("SCHEMAPLAN_TEST_THROWAWAY").as_deref() == Ok("1") {
        panic!("{missing} not set although scripts/test.sh started the test cluster");
    }
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: {missing} not set (TEST_DATABASE_URL points at a server \
         scripts/test.sh did not start; run scripts/test.sh with nothing on that URL to get one)"
    );
    None
}

/// One variable of [`cluster_vars`].
fn cluster_env(name: &str) -> Option<String> {
    cluster_vars([name]).map(|[v]| v)
}

/// The test server's URL with another scheme.
fn with_scheme(url: &str, scheme: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    format!("{scheme}://{rest}")
}

/// Appends query parameters.
fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// A URL to the test server's port on `host`, as `user` (with `password`).
fn url_on(host: &str, user: &str, password: Option<&str>, params: &str) -> String {
    let server = DbUrl::parse(&common::server_url()).expect("TEST_DATABASE_URL parses");
    let auth = match password {
        Some(p) => format!("{user}:{p}"),
        None => user.to_string(),
    };
    let url = format!("postgres://{auth}@{host}:{}/postgres", server.port());
    if params.is_empty() {
        url
    } else {
        with_params(&url, params)
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let parsed = DbUrl::parse(url).unwrap_or_else(|e| panic!("{e}"));
    parsed
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{parsed:?}: {e}"))
}

async fn connect_err(url: &str) -> (String, String, u16) {
    let parsed = DbUrl::parse(url).unwrap_or_else(|e| panic!("{e}"));
    match parsed.connect().await {
        Ok(_) => panic!("{parsed:?} connected but should not"),
        Err(e @ Error::Connect { .. }) => {
            let shown = e.to_string();
            let Error::Connect { host, port, .. } = e else {
                unreachable!()
            };
            assert!(!shown.contains('\n'), "not one line: {shown}");
            (shown, host, port)
        }
        Err(e) => panic!("expected Error::Connect, got {e:?}"),
    }
}

async fn is_encrypted(client: &tokio_postgres::Client) -> bool {
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl");
    row.get(0)
}

#[tokio::test]
async fn every_url_form_connects() {
    let base = common::server_url();
    for scheme in [
        "postgres",
        "postgresql",
        "postgresql+asyncpg",
        "postgresql+psycopg2",
        "postgresql+psycopg",
        "postgres+asyncpg",
    ] {
        let url = with_params(
            &with_scheme(&base, scheme),
            "application_name=sp-url-forms&prepared_statement_cache_size=0&connect_timeout=5",
        );
        let client = connect(&url).await;
        let row = client
            .query_one("SELECT current_setting('application_name'), 1 + 1", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), "sp-url-forms", "{scheme}");
        assert_eq!(row.get::<_, i32>(1), 2, "{scheme}");
    }
}

#[tokio::test]
async fn options_and_with_dbname_reach_the_server() {
    let db = common::TestDb::new().await;
    let url = DbUrl::parse(&with_params(
        &common::server_url(),
        "options=-c%20search_path%3Dsp_custom%2Cpublic",
    ))
    .unwrap()
    .with_dbname(&db.name);
    let client = url.connect().await.unwrap();
    let row = client
        .query_one("SELECT current_database(), current_setting('search_path'), current_setting('application_name')", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), db.name);
    assert_eq!(row.get::<_, String>(1), "sp_custom,public");
    assert_eq!(row.get::<_, String>(2), "schemaplan");
}

#[tokio::test]
async fn several_hosts_fall_through_to_one_that_answers() {
    let server = DbUrl::parse(&common::server_url()).unwrap();
    // Port 1 on loopback refuses at once; the second host is the test server.
    let url = format!(
        "postgres://{}@127.0.0.1:1,127.0.0.1:{}/postgres?connect_timeout=5",
        server.user(),
        server.port()
    );
    let client = connect(&url).await;
    client.simple_query("SELECT 1").await.unwrap();
}

#[tokio::test]
async fn refused_port_names_host_and_port_in_one_line() {
    let url = format!("postgres://app:{WRONG_PASSWORD}@127.0.0.1:1/db?connect_timeout=5");
    let (shown, host, port) = connect_err(&url).await;
    assert_eq!((host.as_str(), port), ("127.0.0.1", 1));
    assert!(
        shown.starts_with("cannot connect to PostgreSQL at 127.0.0.1:1: "),
        "{shown}"
    );
    // Refused at once, not timed out.
    assert!(shown.contains("Connection refused"), "{shown}");
    assert!(!shown.contains(WRONG_PASSWORD), "{shown}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepts TCP connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let url = format!("postgres://app:{WRONG_PASSWORD}@127.0.0.1:{port}/db?connect_timeout=2");
    let (shown, host, got_port) = connect_err(&url).await;
    assert_eq!((host.as_str(), got_port), ("127.0.0.1", port));
    assert!(
        shown.contains("no answer within 2 s (connect_timeout)"),
        "{shown}"
    );
    assert!(!shown.contains(WRONG_PASSWORD), "{shown}");
    holder.abort();
}

#[tokio::test]
async fn password_never_shown_in_url_errors_or_debug() {
    let with_password = format!("postgresql+asyncpg://app:{WRONG_PASSWORD}@db.internal:5432/app");
    let url = DbUrl::parse(&with_password).unwrap();
    assert_eq!(url.redacted(), "postgres://app@db.internal:5432/app");
    assert_eq!(
        format!("{url:?}"),
        "DbUrl(postgres://app@db.internal:5432/app)"
    );

    for bad in [
        format!("postgres://app:{WRONG_PASSWORD}@db:notaport/app"),
        format!("postgres://app:{WRONG_PASSWORD}@db/app?bogus=1"),
        format!("postgres://app:{WRONG_PASSWORD}@db/app?sslmode=sometimes"),
        format!("mysql://app:{WRONG_PASSWORD}@db/app"),
        format!("postgres:app:{WRONG_PASSWORD}@db/app"),
        format!("postgres://app:{WRONG_PASSWORD}%zz@db/app"),
        // An unencoded '/' in the password splits the URL in the wrong place.
        format!("postgres://app:{WRONG_PASSWORD}/x@db/app"),
    ] {
        let e = DbUrl::parse(&bad).expect_err(&bad.replace(WRONG_PASSWORD, "***"));
        assert!(matches!(e, Error::BadUrl { .. }), "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(WRONG_PASSWORD), "{shown}");
        assert!(!shown.contains("Wr0ng"), "{shown}");
    }
}

#[tokio::test]
async fn wrong_password_is_refused_without_showing_it() {
    let Some([user, password]) = cluster_vars(["TEST_SCRAM_USER", "TEST_SCRAM_PASSWORD"]) else {
        return;
    };
    // The right password works (over TLS by default, and without).
    let client = connect(&url_on("127.0.0.1", &user, Some(&password), "")).await;
    let row = client
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), user);
    connect(&url_on(
        "127.0.0.1",
        &user,
        Some(&password),
        "sslmode=disable",
    ))
    .await;

    for params in ["", "sslmode=disable"] {
        let url = url_on("127.0.0.1", &user, Some(WRONG_PASSWORD), params);
        let (shown, _, _) = connect_err(&url).await;
        assert!(
            shown.contains(&format!(
                "password authentication failed for user \"{user}\""
            )),
            "{shown}"
        );
        assert!(!shown.contains(WRONG_PASSWORD), "{shown}");
        assert!(!shown.contains(&password), "{shown}");
        let debug = format!("{:?}", DbUrl::parse(&url).unwrap());
        assert!(!debug.contains(WRONG_PASSWORD), "{debug}");
    }
    // A percent-encoded password is decoded before it is sent.
    let encoded: String = password.bytes().map(|b| format!("%{b:02X}")).collect();
    connect(&url_on("127.0.0.1", &user, Some(&encoded), "")).await;
}

#[tokio::test]
async fn sslmode_require_encrypts() {
    if cluster_env("TEST_SSL_ROOT_CERT").is_none() {
        return;
    }
    let url = with_params(&common::server_url(), "sslmode=require");
    let client = connect(&url).await;
    assert!(is_encrypted(&client).await);
    // asyncpg's spelling.
    let url = with_params(
        &with_scheme(&common::server_url(), "postgresql+asyncpg"),
        "ssl=require",
    );
    assert!(is_encrypted(&connect(&url).await).await);
    // prefer (the default) uses TLS when the server offers it.
    assert!(is_encrypted(&connect(&common::server_url()).await).await);
}

#[tokio::test]
async fn sslmode_disable_is_plain() {
    let url = with_params(&common::server_url(), "sslmode=disable");
    let client = connect(&url).await;
    assert!(!is_encrypted(&client).await);
}

#[tokio::test]
async fn verify_full_with_the_root_connects() {
    let Some(root) = cluster_env("TEST_SSL_ROOT_CERT") else {
        return;
    };
    let server = DbUrl::parse(&common::server_url()).unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let url = url_on(
            host,
            &server.user(),
            None,
            &format!("sslmode=verify-full&sslrootcert={root}"),
        );
        let client = connect(&url).await;
        assert!(is_encrypted(&client).await, "{host}");
    }
    // asyncpg's ssl=true means verify-full.
    let url = url_on(
        "localhost",
        &server.user(),
        None,
        &format!("ssl=true&sslrootcert={root}"),
    );
    let parsed = DbUrl::parse(&url).unwrap();
    assert_eq!(parsed.ssl_mode(), SslMode::VerifyFull);
    assert!(is_encrypted(&parsed.connect().await.unwrap()).await);
}

#[tokio::test]
async fn verify_full_with_system_roots_rejects_the_test_ca() {
    if cluster_env("TEST_SSL_ROOT_CERT").is_none() {
        return;
    }
    let server = DbUrl::parse(&common::server_url()).unwrap();
    let url = url_on(
        "localhost",
        &server.user(),
        None,
        "sslmode=verify-full&sslrootcert=system",
    );
    let (shown, host, port) = connect_err(&url).await;
    assert_eq!((host.as_str(), port), ("localhost", server.port()));
    assert!(
        shown.contains("certificate verify failed: unknown issuer"),
        "{shown}"
    );
}

#[tokio::test]
async fn verify_ca_ignores_the_host_name_and_verify_full_does_not() {
    let Some(root) = cluster_env("TEST_SSL_ROOT_CERT") else {
        return;
    };
    let server = DbUrl::parse(&common::server_url()).unwrap();
    // hostaddr carries the connection; the host name only serves TLS, and the
    // certificate is not valid for it.
    let params = |mode: &str| {
        format!("sslmode={mode}&sslrootcert={root}&hostaddr=127.0.0.1&connect_timeout=5")
    };
    let url = url_on(
        "wrong-name.invalid",
        &server.user(),
        None,
        &params("verify-ca"),
    );
    let client = connect(&url).await;
    assert!(is_encrypted(&client).await);

    let url = url_on(
        "wrong-name.invalid",
        &server.user(),
        None,
        &params("verify-full"),
    );
    let (shown, host, _) = connect_err(&url).await;
    assert_eq!(host, "wrong-name.invalid");
    assert!(shown.contains("certificate verify failed"), "{shown}");
    assert!(shown.contains("wrong-name.invalid"), "{shown}");

    // require with a root certificate verifies the chain (as libpq does) but not the
    // host name, like verify-ca.
    let url = url_on(
        "wrong-name.invalid",
        &server.user(),
        None,
        &params("require"),
    );
    assert!(is_encrypted(&connect(&url).await).await);
}

#[tokio::test]
async fn verify_ca_with_a_missing_root_file_says_so() {
    let server = DbUrl::parse(&common::server_url()).unwrap();
    let url = url_on(
        "127.0.0.1",
        &server.user(),
        None,
        "sslmode=verify-ca&sslrootcert=/nonexistent/schemaplan-ca.crt",
    );
    let (shown, _, _) = connect_err(&url).await;
    assert!(
        shown.contains("could not read root certificate file \"/nonexistent/schemaplan-ca.crt\""),
        "{shown}"
    );
}

#[tokio::test]
async fn client_certificate_authenticates() {
    let Some([root, cert, key]) = cluster_vars([
        "TEST_SSL_ROOT_CERT",
        "TEST_SSL_CLIENT_CERT",
        "TEST_SSL_CLIENT_KEY",
    ]) else {
        return;
    };
    let url = url_on(
        "localhost",
        "sp_cert",
        None,
        &format!("sslmode=verify-full&sslrootcert={root}&sslcert={cert}&sslkey={key}"),
    );
    let client = connect(&url).await;
    let row = client
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "sp_cert");

    // Without the certificate the server refuses.
    let url = url_on(
        "localhost",
        "sp_cert",
        None,
        &format!("sslmode=verify-full&sslrootcert={root}"),
    );
    let (shown, _, _) = connect_err(&url).await;
    assert!(shown.contains("certificate"), "{shown}");
}

#[tokio::test]
async fn sslmode_require_against_a_server_without_tls_fails_clearly() {
    // A PostgreSQL-speaking peer that always answers 'N' (no TLS) to an SSLRequest.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 8];
            if socket.read_exact(&mut request).await.is_ok() {
                let _ = socket.write_all(b"N").await;
            }
            // Hold the socket until the client gives up.
            let mut rest = Vec::new();
            let _ = socket.read_to_end(&mut rest).await;
        }
    });
    let url = format!(
        "postgres://app:{WRONG_PASSWORD}@127.0.0.1:{port}/db?sslmode=require&connect_timeout=5"
    );
    let (shown, _, _) = connect_err(&url).await;
    assert!(shown.contains("server does not support TLS"), "{shown}");
    assert!(!shown.contains(WRONG_PASSWORD), "{shown}");
    peer.abort();
}

#[tokio::test]
async fn unix_socket_connects() {
    let Some(dir) = cluster_env("TEST_PG_SOCKET_DIR") else {
        return;
    };
    let server = DbUrl::parse(&common::server_url()).unwrap();
    let encoded: String = dir.replace('/', "%2F");
    for url in [
        format!(
            "postgres://{}@/postgres?host={dir}&port={}&sslmode=require",
            server.user(),
            server.port()
        ),
        format!(
            "postgresql+psycopg://{}@{encoded}:{}/postgres",
            server.user(),
            server.port()
        ),
    ] {
        let parsed = DbUrl::parse(&url).unwrap();
        assert_eq!(parsed.host(), dir);
        let client = parsed
            .connect()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        // No TLS over a unix-domain socket, whatever sslmode says (as libpq).
        let row = client
            .query_one(
                "SELECT ssl IS NOT TRUE FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap();
        assert!(row.get::<_, bool>(0));
    }
}

#[tokio::test]
async fn keyword_value_string_connects() {
    let server = DbUrl::parse(&common::server_url()).unwrap();
    let conninfo = format!(
        "host=127.0.0.1 port={} user={} dbname=postgres sslmode=disable application_name='sp kv form'",
        server.port(),
        server.user()
    );
    let client = connect(&conninfo).await;
    let row = client
        .query_one("SELECT current_setting('application_name')", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "sp kv form");
}

/// A password file (mode 0600, as libpq wants) with one line for the test server.
fn write_passfile(dir: &std::path::Path, mode: u32, user: &str, password: &str) -> String {
    let port = DbUrl::parse(&common::server_url()).unwrap().port();
    let escape = |s: &str| s.replace('\\', "\\\\").replace(':', "\\:");
    let path = dir.join(format!("pgpass-{mode:o}"));
    std::fs::write(
        &path,
        format!(
            "# not this one\nelsewhere:{port}:*:{user}:nope\n127.0.0.1:{port}:*:{}:{}\n",
            escape(user),
            escape(password)
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    path.display().to_string()
}

#[tokio::test]
async fn password_comes_from_the_password_file() {
    let Some([user, password]) = cluster_vars(["TEST_SCRAM_USER", "TEST_SCRAM_PASSWORD"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // passfile= names the file here (PGPASSFILE would too, but tests do not change the
    // process's environment).
    let good = write_passfile(dir.path(), 0o600, &user, &password);
    let url = url_on("127.0.0.1", &user, None, &format!("passfile={good}"));
    let client = connect(&url).await;
    let row = client
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), user);

    // A wrong password from the file is refused without being shown.
    let wrong = write_passfile(dir.path(), 0o400, &user, WRONG_PASSWORD);
    let url = url_on("127.0.0.1", &user, None, &format!("passfile={wrong}"));
    let (shown, _, _) = connect_err(&url).await;
    assert!(shown.contains("password authentication failed"), "{shown}");
    assert!(!shown.contains(WRONG_PASSWORD), "{shown}");
    // The URL's own password wins over the file.
    connect(&url_on(
        "127.0.0.1",
        &user,
        Some(&password),
        &format!("passfile={wrong}"),
    ))
    .await;

    // A file others may read is ignored (with a warning), as libpq does.
    #[cfg(unix)]
    {
        let open = write_passfile(dir.path(), 0o644, &user, &password);
        let url = url_on("127.0.0.1", &user, None, &format!("passfile={open}"));
        let (shown, _, _) = connect_err(&url).await;
        assert!(!shown.contains(&password), "{shown}");
    }
}
