//! Settings from outside the connection string: `DATABASE_URL` and friends from the
//! environment or `.env`, and libpq's own conventions, as psql has them: the `PG*`
//! variables, the connection service file and the password file.
//!
//! Input: an environment (the process's, or a map in tests: every function here takes
//! a lookup, so nothing changes the process's own), the connection parameters given,
//! and the files those name. Output: the parameters with the gaps filled, in libpq's
//! order: given > service file > environment > defaults; the password file is read for
//! a host only when nothing set a password (see `pgpass_password`).
//!
//! `.env` is parsed here rather than with the dotenvy crate: dotenvy expands `$NAME`
//! in unquoted and double-quoted values (a password `pa$word` silently becomes `pa`),
//! rejects unquoted values with blanks that python-dotenv reads, gives up on the rest
//! of the file after an unterminated quote, and its errors carry the line's text, which
//! may hold a password, but not its number.
//!
//! Must not: make every command talk to a database. Only a connection string that is
//! given (`postgres:///app`, `postgresql://`) is filled from `PG*`: without
//! `--database` or `DATABASE_URL` there is still no target. Must not put a password, or
//! a line of a file that may hold one, in an error or a log line.

use std::path::{Path, PathBuf};

use super::bad_url;
use super::url::{is_known_keyword, Options, Origin, Setting};
use crate::error::{Error, Result};

/// A way to read environment variables: the process's own, or a map in tests.
pub(super) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process's environment; a variable that is not UTF-8 counts as unset.
pub(super) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// libpq's environment variables, each with the parameter it sets when nothing else
/// has. Not here: `PGCLIENTENCODING` (tokio-postgres always talks UTF8, and a value
/// meant for psql would break every connection), `PGSSLCOMPRESSION` (ignored anyway),
/// and the GSSAPI ones (`PGKRBSRVNAME`, `PGGSSLIB`, `PGGSSDELEGATION`: no GSSAPI here,
/// and ignoring them weakens nothing). The security ones schemaplan cannot honour
/// (`PGSSLCRL`, `PGREQUIREAUTH`, ...) are read so that they are refused, not ignored.
const PG_VARS: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("dbname", "PGDATABASE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("options", "PGOPTIONS"),
    ("application_name", "PGAPPNAME"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("sslsni", "PGSSLSNI"),
    ("sslnegotiation", "PGSSLNEGOTIATION"),
    ("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"),
    ("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"),
    ("sslcrl", "PGSSLCRL"),
    ("sslcrldir", "PGSSLCRLDIR"),
    ("requirepeer", "PGREQUIREPEER"),
    ("require_auth", "PGREQUIREAUTH"),
    ("gssencmode", "PGGSSENCMODE"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
    ("load_balance_hosts", "PGLOADBALANCEHOSTS"),
    ("channel_binding", "PGCHANNELBINDING"),
];

/// Parameters that set the same thing under other names (asyncpg's `ssl` and
/// `timeout`, libpq's old `requiressl`): one given keeps the others from being filled
/// in, or the environment's `PGSSLMODE` would contradict a URL's `ssl=require`.
const SAME_SETTING: &[&[&str]] = &[
    &["sslmode", "ssl", "requiressl"],
    &["connect_timeout", "timeout"],
];

/// libpq's system configuration directory when `PGSYSCONFDIR` is not set: where
/// Debian's libpq (the one this machine's psql uses) looks for `pg_service.conf`.
/// Upstream's default is the installation's `etc/`.
const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// Whether `key`, or a parameter that sets the same thing, is set.
fn is_set(options: &Options, key: &str) -> bool {
    let same = SAME_SETTING
        .iter()
        .find(|group| group.contains(&key))
        .copied()
        .unwrap_or(std::slice::from_ref(&key));
    same.iter().any(|k| options.contains_key(*k))
}

fn fill(options: &mut Options, key: &str, value: String, origin: Origin) {
    if !is_set(options, key) {
        options.insert(key.to_string(), Setting { value, origin });
    }
}

/// The home directory, where libpq finds `.pgpass` and `.pg_service.conf`.
fn home(env: Lookup) -> Option<PathBuf> {
    env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// Fills the parameters the connection string left out, as libpq does: first from the
/// service (`service=` or `PGSERVICE`), then from the `PG*` variables; and names the
/// password file (`passfile=`, `PGPASSFILE`, else `~/.pgpass`).
pub(super) fn add_defaults(options: &mut Options, env: Lookup) -> Result<()> {
    let service = match options.get("service") {
        Some(s) => Some(s.value.clone()),
        None => env("PGSERVICE"),
    };
    if let Some(service) = service.filter(|s| !s.is_empty()) {
        apply_service(options, &service, env)?;
    }
    for (key, var) in PG_VARS {
        if let Some(value) = env(var).filter(|v| !v.is_empty()) {
            fill(options, key, value, Origin::Env(var));
        }
    }
    if let Some(home) = home(env) {
        let default = home.join(".pgpass").display().to_string();
        fill(options, "passfile", default, Origin::Default);
    }
    Ok(())
}

/// Adds the service's parameters that are not set. libpq reads the user's file
/// (`PGSERVICEFILE`, else `~/.pg_service.conf`) and, when the service is not there,
/// the system's (`PGSYSCONFDIR/pg_service.conf`); a service in neither is an error.
fn apply_service(options: &mut Options, service: &str, env: Lookup) -> Result<()> {
    let user_file = env("PGSERVICEFILE")
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .or_else(|| home(env).map(|h| h.join(".pg_service.conf")));
    let system_file = PathBuf::from(
        env("PGSYSCONFDIR")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| DEFAULT_SYSCONFDIR.to_string()),
    )
    .join("pg_service.conf");
    for path in user_file.into_iter().chain([system_file]) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        let entries = service_entries(&text, service).map_err(|(line, why)| {
            bad_url(format!(
                "{why} in service file {}, line {line}",
                path.display()
            ))
        })?;
        if let Some(entries) = entries {
            for (line, key, value) in entries {
                let origin = Origin::Service {
                    path: path.clone(),
                    line,
                };
                fill(options, &key, value, origin);
            }
            return Ok(());
        }
    }
    Err(bad_url(format!(
        "definition of service {service:?} not found (looked in PGSERVICEFILE or \
         ~/.pg_service.conf, then PGSYSCONFDIR/pg_service.conf)"
    )))
}

/// The `key=value` lines of `[service]` in a `pg_service.conf` text, with their line
/// numbers; `None` when the service is not in it. Errors give the line and never quote
/// it (a `password=` line is allowed).
#[allow(clippy::type_complexity)]
fn service_entries(
    text: &str,
    service: &str,
) -> std::result::Result<Option<Vec<(usize, String, String)>>, (usize, &'static str)> {
    let mut in_service = false;
    let mut found = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            if found.is_some() {
                // The next group ends ours.
                break;
            }
            in_service = name
                .strip_prefix(service)
                .is_some_and(|rest| rest.starts_with(']'));
            if in_service {
                found = Some(Vec::new());
            }
            continue;
        }
        let Some(entries) = found.as_mut().filter(|_| in_service) else {
            continue;
        };
        // libpq takes the text around '=' as it stands; blanks are trimmed here, which
        // reads every file libpq reads the same way.
        let Some((key, value)) = line.split_once('=') else {
            return Err((i + 1, "syntax error (expected keyword=value)"));
        };
        let key = key.trim();
        if key == "service" {
            return Err((i + 1, "nested service specifications are not supported"));
        }
        if !is_known_keyword(key) {
            return Err((i + 1, "syntax error (unknown parameter name)"));
        }
        entries.push((i + 1, key.to_string(), value.trim().to_string()));
    }
    Ok(found)
}

/// The password for one host from the password file, as libpq's `passwordFromFile`:
/// ignored with a warning when it is not a plain file or when group or others may read
/// it; `None` when no line matches.
pub(super) fn pgpass_password(
    path: &Path,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        tracing::warn!("password file \"{}\" is not a plain file", path.display());
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                path.display()
            );
            return None;
        }
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            tracing::warn!("cannot read password file \"{}\": {e}", path.display());
            return None;
        }
    };
    pgpass_lookup(&text, host, &port.to_string(), dbname, user)
}

/// The first line of a password file that matches: `host:port:database:user:password`,
/// where a field that is `*` matches anything and `\` makes the next character literal
/// (`\:`, `\\`, `\*`). Lines starting with `#` and lines with fewer than five fields are
/// skipped; the password ends at the end of the line or at an unescaped `:`.
fn pgpass_lookup(text: &str, host: &str, port: &str, dbname: &str, user: &str) -> Option<String> {
    let wanted = [host, port, dbname, user];
    text.lines()
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .find_map(|line| {
            let mut chars = line.chars();
            for want in wanted {
                let mut field = String::new();
                let mut escaped_any = false;
                loop {
                    match chars.next() {
                        None => return None,
                        Some(':') => break,
                        Some('\\') => {
                            escaped_any = true;
                            field.extend(chars.next());
                        }
                        Some(c) => field.push(c),
                    }
                }
                let wildcard = field == "*" && !escaped_any;
                if !wildcard && field != want {
                    return None;
                }
            }
            // The password runs to the end of the line or an unescaped ':'.
            let mut password = String::new();
            while let Some(c) = chars.next() {
                match c {
                    ':' => break,
                    '\\' => password.extend(chars.next()),
                    c => password.push(c),
                }
            }
            Some(password)
        })
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

    // ---- libpq's environment, service file and password file ----

    use crate::connect::{DbUrl, SslMode};
    use std::collections::BTreeMap;
    use std::time::Duration;

    /// An environment holding exactly `vars` (no HOME unless given).
    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn parse_in(url: &str, vars: &[(&str, &str)]) -> DbUrl {
        DbUrl::parse_in(url, &env_of(vars)).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn parse_in_err(url: &str, vars: &[(&str, &str)]) -> String {
        match DbUrl::parse_in(url, &env_of(vars)) {
            Ok(u) => panic!("{url} parsed as {u:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// A file with `text` and mode 0600 (what libpq wants of a password file).
    fn private_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        path
    }

    #[test]
    fn each_pg_variable_fills_what_the_url_leaves_out() {
        let u = parse_in(
            "postgres:///",
            &[
                ("PGHOST", "db.example"),
                ("PGPORT", "6432"),
                ("PGUSER", "envuser"),
                ("PGPASSWORD", SECRET),
                ("PGDATABASE", "envdb"),
                ("PGSSLMODE", "verify-full"),
                ("PGSSLROOTCERT", "/etc/ca.pem"),
                ("PGSSLCERT", "/c.crt"),
                ("PGSSLKEY", "/c.key"),
                ("PGAPPNAME", "envapp"),
                ("PGCONNECT_TIMEOUT", "7"),
                ("PGOPTIONS", "-c work_mem=1MB"),
                ("PGTARGETSESSIONATTRS", "read-write"),
            ],
        );
        assert_eq!(u.host(), "db.example");
        assert_eq!(u.port(), 6432);
        assert_eq!(u.user(), "envuser");
        assert_eq!(u.config.get_password(), Some(SECRET.as_bytes()));
        assert_eq!(u.dbname(), "envdb");
        assert_eq!(u.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            u.tls.root_cert,
            Some(super::super::tls::RootCert::File("/etc/ca.pem".into()))
        );
        assert_eq!(u.tls.client_cert, Some(PathBuf::from("/c.crt")));
        assert_eq!(u.tls.client_key, Some(PathBuf::from("/c.key")));
        assert_eq!(u.config.get_application_name(), Some("envapp"));
        assert_eq!(u.connect_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(u.config.get_options(), Some("-c work_mem=1MB"));
        assert_eq!(
            u.config.get_target_session_attrs(),
            tokio_postgres::config::TargetSessionAttrs::ReadWrite
        );
        let shown = format!("{u:?} {}", u.redacted());
        assert!(!shown.contains(SECRET), "{shown}");
        assert_eq!(shown, "DbUrl(postgres://envuser@db.example:6432/envdb) postgres://envuser@db.example:6432/envdb");

        // The database defaults to PGUSER, as in libpq; a socket directory in PGHOST is a
        // socket; several hosts and ports.
        let u = parse_in(
            "postgresql://",
            &[("PGUSER", "envuser"), ("PGHOST", "/run/pg")],
        );
        assert_eq!(u.dbname(), "envuser");
        assert_eq!(
            u.targets[0].host,
            Some(super::super::HostName::Unix("/run/pg".into()))
        );
        let u = parse_in("postgresql://", &[("PGHOST", "a,b"), ("PGPORT", "1,2")]);
        let ports: Vec<u16> = u.targets.iter().map(|t| t.port).collect();
        assert_eq!(ports, [1, 2]);
        // An empty variable counts as unset.
        assert_eq!(parse_in("postgres:///db", &[("PGPORT", "")]).port(), 5432);
    }

    #[test]
    fn the_url_wins_over_the_environment() {
        let env = [
            ("PGHOST", "envhost"),
            ("PGPORT", "6432"),
            ("PGUSER", "envuser"),
            ("PGPASSWORD", "envpw"),
            ("PGDATABASE", "envdb"),
            ("PGSSLMODE", "verify-full"),
            ("PGCONNECT_TIMEOUT", "7"),
            ("PGAPPNAME", "envapp"),
        ];
        let u = parse_in(
            "postgres://app:pw@h:5433/db?sslmode=disable&connect_timeout=3&application_name=a",
            &env,
        );
        assert_eq!((u.host().as_str(), u.port()), ("h", 5433));
        assert_eq!((u.user().as_str(), u.dbname().as_str()), ("app", "db"));
        assert_eq!(u.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(u.ssl_mode(), SslMode::Disable);
        assert_eq!(u.connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(u.config.get_application_name(), Some("a"));
        // A part left out of the URL is the environment's; as in libpq, "h:" leaves the
        // port out too.
        let u = parse_in("postgres://h:/db", &env);
        assert_eq!((u.host().as_str(), u.port()), ("h", 6432));
        assert_eq!(u.user(), "envuser");
        // Several hosts without ports take the default port each, not PGPORT (libpq
        // stores the port list ",").
        let u = parse_in("postgres://a,b/db", &env);
        let ports: Vec<u16> = u.targets.iter().map(|t| t.port).collect();
        assert_eq!(ports, [5432, 5432]);
        // asyncpg's ssl= and timeout= are the URL's sslmode and connect_timeout: the
        // environment's do not contradict them.
        let u = parse_in("postgresql+asyncpg://h/db?ssl=require&timeout=4", &env);
        assert_eq!(u.ssl_mode(), SslMode::Require);
        assert_eq!(u.connect_timeout(), Some(Duration::from_secs(4)));
    }

    #[test]
    fn bad_environment_values_name_the_variable_not_the_value() {
        let e = parse_in_err("postgres:///db", &[("PGSSLMODE", SECRET)]);
        assert!(e.contains("sslmode must be one of"), "{e}");
        assert!(e.contains("(from PGSSLMODE)"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        let e = parse_in_err("postgres:///db", &[("PGPORT", SECRET)]);
        assert!(
            e.contains("port is not a number") && e.contains("(from PGPORT)"),
            "{e}"
        );
        assert!(!e.contains(SECRET), "{e}");
        let e = parse_in_err("postgres:///db", &[("PGCHANNELBINDING", SECRET)]);
        assert!(
            e.contains("channel_binding") && e.contains("(from PGCHANNELBINDING)"),
            "{e}"
        );
        assert!(!e.contains(SECRET), "{e}");
        // What schemaplan cannot honour is refused, not ignored.
        let e = parse_in_err("postgres:///db", &[("PGSSLCRL", "/crl.pem")]);
        assert!(
            e.contains("\"sslcrl\" is not supported by schemaplan (from PGSSLCRL)"),
            "{e}"
        );
    }

    #[test]
    fn pg_variables_alone_name_no_target() {
        // Without --database or DATABASE_URL there is still no database, whatever PG*
        // says.
        let dir = tempfile::tempdir().unwrap();
        let env = |name: &str| match name {
            "PGHOST" => Ok("db.example".to_string()),
            "PGDATABASE" => Ok("app".to_string()),
            _ => Err(std::env::VarError::NotPresent),
        };
        assert_eq!(
            env_or_dotenv_with("DATABASE_URL", dir.path(), env).unwrap(),
            None
        );
    }

    #[test]
    fn pgpass_matching() {
        let text = "\
# comment:*:*:*:nope
short:5432:db:user
db.example:5432:app:alice:first
db.example:5432:app:alice:second
*:6432:*:bob:wild\\\\card
we\\:ird:5432:d\\\\b:*:esc\\:aped\r
host:5432:\\*:carol:literal-star
*:*:*:dave:pw:ignored
";
        let find = |h: &str, p: &str, d: &str, u: &str| pgpass_lookup(text, h, p, d, u);
        // First match wins.
        assert_eq!(
            find("db.example", "5432", "app", "alice").as_deref(),
            Some("first")
        );
        assert_eq!(find("db.example", "5433", "app", "alice"), None);
        assert_eq!(find("other", "5432", "app", "alice"), None);
        // '*' fields match anything; escapes in the password are undone.
        assert_eq!(
            find("anywhere", "6432", "anydb", "bob").as_deref(),
            Some("wild\\card")
        );
        assert_eq!(find("anywhere", "6432", "anydb", "bobby"), None);
        // "\:" is a colon inside a field, "\\" a backslash; a trailing CR is dropped.
        assert_eq!(
            find("we:ird", "5432", "d\\b", "zed").as_deref(),
            Some("esc:aped")
        );
        // An escaped '*' is a literal star, not a wildcard.
        assert_eq!(
            find("host", "5432", "*", "carol").as_deref(),
            Some("literal-star")
        );
        assert_eq!(find("host", "5432", "db", "carol"), None);
        // Comment lines and lines without a password field are skipped.
        assert_eq!(find("# comment", "*", "*", "*"), None);
        assert_eq!(find("short", "5432", "db", "user"), None);
        // As in libpq, the password ends at an unescaped ':'.
        assert_eq!(find("h", "1", "d", "dave").as_deref(), Some("pw"));
    }

    #[cfg(unix)]
    #[test]
    fn pgpass_permissions_and_kind() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = private_file(dir.path(), "pgpass", "*:*:*:*:secret\n");
        let get = |p: &Path| pgpass_password(p, "h", 5432, "db", "u");
        assert_eq!(get(&path).as_deref(), Some("secret"));
        for mode in [0o640, 0o604, 0o660] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(get(&path), None, "mode {mode:o} must be ignored");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(get(&path).as_deref(), Some("secret"));
        // Not a plain file, or not there: no password.
        assert_eq!(get(dir.path()), None);
        assert_eq!(get(&dir.path().join("missing")), None);
    }

    #[test]
    fn pgpass_is_read_for_each_host_when_no_password_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let passfile = private_file(
            dir.path(),
            "pgpass",
            "a:5432:app:alice:pw-a\nb:5432:app:alice:pw-b\nlocalhost:5432:*:alice:pw-local\n",
        );
        let passfile = passfile.to_str().unwrap();
        let env = [("PGPASSFILE", passfile)];
        let u = parse_in("postgres://alice@a,b/app", &env);
        let got: Vec<Option<String>> = u.targets.iter().map(|t| u.pgpass_password(t)).collect();
        assert_eq!(got, [Some("pw-a".to_string()), Some("pw-b".to_string())]);
        // The database is part of the match, so another database may have none.
        assert_eq!(u.with_dbname("other").pgpass_password(&u.targets[0]), None);
        // A host left out, and the default socket directory, are "localhost".
        let u = parse_in("postgres://alice@/other", &env);
        assert_eq!(
            u.pgpass_password(&u.targets[0]).as_deref(),
            Some("pw-local")
        );
        let u = parse_in("postgres://alice@%2Fvar%2Frun%2Fpostgresql/other", &env);
        assert_eq!(
            u.pgpass_password(&u.targets[0]).as_deref(),
            Some("pw-local")
        );
        // The application's pool gets it too; Debug and redacted never show it.
        let u = parse_in("postgres://alice@a/app", &env);
        assert_eq!(u.pg_config().get_password(), Some(&b"pw-a"[..]));
        assert!(!format!("{u:?} {}", u.redacted()).contains("pw-a"));
        // A password that is set wins: .pgpass is not read.
        let u = parse_in("postgres://alice:given@a/app", &env);
        assert_eq!(u.pg_config().get_password(), Some(&b"given"[..]));
        let u = parse_in(
            "postgres://alice@a/app",
            &[("PGPASSFILE", passfile), ("PGPASSWORD", "envpw")],
        );
        assert_eq!(u.pg_config().get_password(), Some(&b"envpw"[..]));
        // passfile= in the URL, else PGPASSFILE, else ~/.pgpass.
        let u = parse_in(
            &format!("postgres://alice@b/app?passfile={passfile}"),
            &[("PGPASSFILE", "/nonexistent")],
        );
        assert_eq!(u.pg_config().get_password(), Some(&b"pw-b"[..]));
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        private_file(&home, ".pgpass", "*:*:*:*:from-home\n");
        let u = parse_in(
            "postgres://alice@a/app",
            &[("HOME", home.to_str().unwrap())],
        );
        assert_eq!(u.pg_config().get_password(), Some(&b"from-home"[..]));
        // No HOME, no PGPASSFILE: nothing is read.
        assert_eq!(parse_in("postgres://alice@a/app", &[]).passfile, None);
    }

    #[test]
    fn service_file_entries() {
        let text = "\
# services
[other]
host=wrong

[app]
host = svc.example
port=6000
  # indented comment
password=with=equals
[app2]
host=after
";
        let entries = service_entries(text, "app").unwrap().unwrap();
        let got: Vec<(usize, &str, &str)> = entries
            .iter()
            .map(|(l, k, v)| (*l, k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (6, "host", "svc.example"),
                (7, "port", "6000"),
                (9, "password", "with=equals")
            ]
        );
        assert_eq!(service_entries(text, "ap").unwrap(), None);
        assert_eq!(service_entries(text, "missing").unwrap(), None);
        assert_eq!(
            service_entries("[a]\nhost=x\nservice=b\n", "a"),
            Err((3, "nested service specifications are not supported"))
        );
        assert_eq!(
            service_entries(&format!("[a]\n{SECRET}\n"), "a"),
            Err((2, "syntax error (expected keyword=value)"))
        );
        assert_eq!(
            service_entries("[a]\nfrobnicate=1\n", "a"),
            Err((2, "syntax error (unknown parameter name)"))
        );
        // Errors in another service's section do not matter.
        assert!(service_entries("[b]\ngarbage\n[a]\nhost=x\n", "a")
            .unwrap()
            .is_some());
    }

    #[test]
    fn service_precedence_url_then_service_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let user_file = private_file(
            dir.path(),
            "services.conf",
            &format!("[app]\nhost=svc.example\nport=6000\ndbname=svcdb\npassword={SECRET}\n"),
        );
        let sysconf = dir.path().join("sysconf");
        std::fs::create_dir(&sysconf).unwrap();
        std::fs::write(
            sysconf.join("pg_service.conf"),
            "[app]\nhost=system.example\n[sys]\nhost=sys.example\nsslmode=require\n",
        )
        .unwrap();
        let env = [
            ("PGSERVICEFILE", user_file.to_str().unwrap()),
            ("PGSYSCONFDIR", sysconf.to_str().unwrap()),
            ("PGHOST", "envhost"),
            ("PGPORT", "7000"),
            ("PGUSER", "envuser"),
        ];
        // service= in the URL: the URL's dbname, the service's host/port/password, the
        // environment's user (the service has none).
        let u = parse_in("postgres:///urldb?service=app", &env);
        assert_eq!((u.host().as_str(), u.port()), ("svc.example", 6000));
        assert_eq!(u.dbname(), "urldb");
        assert_eq!(u.user(), "envuser");
        assert_eq!(u.config.get_password(), Some(SECRET.as_bytes()));
        assert!(!format!("{u:?}").contains(SECRET));
        // The keyword/value form and PGSERVICE name services too.
        let u = parse_in("service=app user=kv", &env);
        assert_eq!(
            (u.host().as_str(), u.user().as_str()),
            ("svc.example", "kv")
        );
        let mut with_pgservice = env.to_vec();
        with_pgservice.push(("PGSERVICE", "app"));
        let u = parse_in("postgres://given/db", &with_pgservice);
        assert_eq!((u.host().as_str(), u.port()), ("given", 6000));
        // The user's file is read first; the system file only for a service not in it.
        let u = parse_in("postgres:///db?service=sys", &env);
        assert_eq!(u.host(), "sys.example");
        assert_eq!(u.ssl_mode(), SslMode::Require);
        assert_eq!(u.port(), 7000);
        // Without PGSERVICEFILE, ~/.pg_service.conf.
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(home.join(".pg_service.conf"), "[app]\nhost=home.example\n").unwrap();
        let u = parse_in(
            "postgres:///db?service=app",
            &[
                ("HOME", home.to_str().unwrap()),
                ("PGSYSCONFDIR", sysconf.to_str().unwrap()),
            ],
        );
        assert_eq!(u.host(), "home.example");
        // A service in neither file is an error.
        let e = parse_in_err("postgres:///db?service=nope", &env);
        assert!(
            e.contains("definition of service \"nope\" not found"),
            "{e}"
        );
    }

    #[test]
    fn service_file_errors_never_quote_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(
            dir.path(),
            "services.conf",
            &format!("[app]\nhost=h\n{SECRET}\n"),
        );
        let e = parse_in_err(
            "postgres:///db?service=app",
            &[
                ("PGSERVICEFILE", file.to_str().unwrap()),
                ("PGSYSCONFDIR", "/nonexistent"),
            ],
        );
        assert!(
            e.contains(&format!("in service file {}, line 3", file.display())),
            "{e}"
        );
        assert!(!e.contains(SECRET), "{e}");
        // A bad value from the service names its file and line, not the value.
        let file = private_file(
            dir.path(),
            "bad.conf",
            &format!("[app]\nsslmode={SECRET}\n"),
        );
        let e = parse_in_err(
            "postgres:///db?service=app",
            &[
                ("PGSERVICEFILE", file.to_str().unwrap()),
                ("PGSYSCONFDIR", "/nonexistent"),
            ],
        );
        assert!(
            e.contains(&format!("(from service file {}, line 2)", file.display())),
            "{e}"
        );
        assert!(!e.contains(SECRET), "{e}");
    }
}
