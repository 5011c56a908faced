//! The library's one error type.
//!
//! Variants carry structured context (file, line, object, host) rather than preformatted
//! strings, and each variant a user must act on differently is its own. Where a command
//! fixes the problem, the message ends with it. Messages never contain a password.

use std::fmt;
use std::path::PathBuf;

/// A place in a source file: `schema/users.sql:12:5`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    /// The file, as given (relative paths stay relative).
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Everything that can go wrong in schemaplan's library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// A file is not valid UTF-8: where its first bad byte is.
    #[error("{location}: not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8")]
    Encoding {
        /// The file, and the line and column (in characters) of the first bad byte.
        location: Location,
        /// The first bad byte.
        byte: u8,
    },

    /// A statement in a schema file does not parse.
    #[error("{location}: {message}\n  {statement}")]
    Syntax {
        /// Where the error is (the offending token when PostgreSQL names it).
        location: Location,
        /// PostgreSQL's parser message.
        message: String,
        /// The statement, shortened to one line.
        statement: String,
    },

    /// A statement in a schema file is not schema DDL (INSERT, COPY, ...).
    #[error("{location}: {kind} is not a schema statement; schema files hold DDL only (CREATE, ALTER, COMMENT ON, ...)")]
    NotSchemaStatement {
        /// Where the statement starts.
        location: Location,
        /// What it is, e.g. `INSERT`.
        kind: String,
    },

    /// A schema file contains a DROP statement. A desired-state schema declares what
    /// exists; an object goes away by deleting its CREATE statement.
    #[error("{location}: {kind} in a schema file: schema files declare what should exist; to remove an object, delete its CREATE statement instead")]
    DropInSchema {
        /// Where the statement starts.
        location: Location,
        /// What it is, e.g. `DROP TABLE`.
        kind: String,
    },

    /// PostgreSQL refused a statement while loading the desired schema.
    #[error("{0}")]
    Load(Box<Refusal>),

    /// A database URL could not be understood. Never contains the password.
    #[error("invalid database URL: {reason}")]
    BadUrl {
        /// What is wrong with it.
        reason: String,
    },

    /// A `.env` file has a line that cannot be read. Never contains a value from the file.
    #[error("{}:{line}: {reason}", path.display())]
    DotEnv {
        /// The `.env` file.
        path: PathBuf,
        /// 1-based line where the bad entry starts.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },

    /// No database was configured where one is needed.
    #[error(
        "no database configured: pass --database URL or set DATABASE_URL (environment or .env)"
    )]
    NoDatabase,

    /// Schema files must be loaded into a scratch database and no server was given.
    #[error("no dev database to load schema files into: pass --dev-url URL (a PostgreSQL server where schemaplan may create and drop scratch databases), set SCHEMAPLAN_DEV_URL, or set DATABASE_URL")]
    NoDevDatabase,

    /// The server could not be reached or refused the connection.
    #[error("cannot connect to PostgreSQL at {host}:{port}: {message}")]
    Connect {
        /// Host (or socket directory).
        host: String,
        /// Port.
        port: u16,
        /// Why, in one line.
        message: String,
    },

    /// A query failed on an established connection.
    #[error("{context}: {message}")]
    Database {
        /// What schemaplan was doing.
        context: String,
        /// PostgreSQL's message (with detail when it has one).
        message: String,
    },

    /// The changes cannot be ordered: the objects form a dependency cycle that no
    /// rule breaks.
    #[error("cannot order the changes: dependency cycle between {}", objects.join(", "))]
    DependencyCycle {
        /// The objects in the cycle.
        objects: Vec<String>,
    },

    /// A statement grants to (or revokes from) a role the server does not have:
    /// schemaplan references roles, it never creates them on a server it did not start.
    #[error(
        "{location}: role {role} does not exist on {server}: schemaplan never creates roles \
         (they are cluster-wide); create it first, e.g. CREATE ROLE {role} NOLOGIN"
    )]
    MissingRole {
        /// The role's name.
        role: String,
        /// The first statement naming it.
        location: Location,
        /// The server, password left out.
        server: String,
    },

    /// A source uses something schemaplan cannot handle yet.
    #[error("{what} is not supported yet")]
    Unsupported {
        /// What it is.
        what: String,
    },

    /// A revision file cannot be read as one: a malformed header, a duplicate id, a
    /// parent that does not exist.
    #[error("{location}: {what}")]
    BadRevision {
        /// The file and the header line.
        location: Location,
        /// What is wrong.
        what: String,
    },

    /// plans/ has more than one head: two branches each added a revision.
    #[error("{dir} has {} heads: {}; run `schemaplan merge` to join them", heads.len(), heads.join(", "))]
    DivergentHeads {
        /// The plans directory.
        dir: String,
        /// Each head as `id (message)`.
        heads: Vec<String>,
    },

    /// A YAML schema file is not valid: bad YAML, an unknown key (with the nearest
    /// valid one), a wrong type, a missing field.
    #[error("{location}: {message}")]
    Yaml {
        /// Where the offending value is.
        location: Location,
        /// The field's path and what is wrong with it.
        message: String,
    },

    /// The desired schema defines an object twice (in two files, or in SQL and YAML).
    #[error("{second}: {object} is already defined at {first}")]
    DefinedTwice {
        /// The object, e.g. `public.users`.
        object: String,
        /// Its first definition.
        first: Location,
        /// The second one.
        second: Location,
    },

    /// A statement creates an object that already exists (what PostgreSQL says as
    /// `relation "t" already exists`), e.g. a table defined twice in schema files.
    #[error("{location}: {object} already exists{}", first.as_ref().map(|f| format!(" (created at {f})")).unwrap_or_default())]
    AlreadyExists {
        /// The object: `relation public.t`, `type public.mood`, `schema app`,
        /// `trigger audit on public.t`.
        object: String,
        /// The statement that creates it again.
        location: Location,
        /// Where it was created first, when known.
        first: Option<Location>,
    },

    /// Another run holds the apply lock and did not let go within `--lock-wait`.
    #[error("another schemaplan run holds the apply lock on this database{}; gave up after waiting {waited_secs} s (raise --lock-wait to wait longer)", holder.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    LockWait {
        /// How long this run waited.
        waited_secs: u64,
        /// Who holds it: backend pid, application name, since when.
        holder: Option<String>,
    },

    /// The database has applied a revision that plans/ does not have.
    #[error("the database has revision {id} applied, but {dir} has no such revision: deploy from a checkout that includes it")]
    AppliedNotInPlans {
        /// The revision's id.
        id: String,
        /// The plans directory.
        dir: String,
    },

    /// An applied revision's file was edited afterwards.
    #[error("{}: revision {id} was edited after it was applied: the database recorded checksum {recorded}, the file now has {actual}; restore the file (git checkout) and put the change in a new revision (schemaplan plan -m ...)", path.display())]
    AppliedEdited {
        /// The revision's id.
        id: String,
        /// Its file.
        path: PathBuf,
        /// The checksum in the history table.
        recorded: String,
        /// The checksum of the file's body now.
        actual: String,
    },

    /// The live schema is not what the applied revisions build.
    #[error("drift: the live schema differs from what the applied revisions build (recorded {recorded}, live {live}){}\nput the hand-made change into schema/ and plan it, or pass --allow-drift to go on anyway", if differences.is_empty() { String::new() } else { format!(":\n{differences}") })]
    Drift {
        /// The fingerprint recorded after the last applied revision.
        recorded: String,
        /// The live schema's fingerprint.
        live: String,
        /// What differs, one change per line (empty when it could not be worked out).
        differences: String,
    },

    /// A database with objects but no schemaplan history.
    #[error("the database has {objects} object(s) but no schemaplan history: adopt it with `schemaplan baseline` first (or pass --allow-drift to apply on top of them)")]
    NotAdopted {
        /// How many objects it has.
        objects: usize,
    },

    /// A revision failed; it was rolled back.
    #[error(
        "revision {revision} failed: {outcome}\n  {refusal}\n{}",
        if applied.is_empty() { "nothing was applied before it".to_string() } else { format!("applied before it: {}", applied.join(", ")) }
    )]
    ApplyFailed {
        /// The revision's id and message.
        revision: String,
        /// What PostgreSQL refused, and where in the revision file.
        refusal: Box<Refusal>,
        /// Revisions this run applied (committed) before the failure.
        applied: Vec<String>,
        /// What became of the failing revision: rolled back, or (outside a transaction)
        /// how far it got and how to resume.
        outcome: String,
    },

    /// `rollback` would run a revision whose down section cannot restore what it dropped.
    #[error("{} not reversible (its down section cannot restore what the up section removed): {}; pass --force to roll back anyway", if ids.len() == 1 { "this revision is" } else { "these revisions are" }, ids.join(", "))]
    NotReversible {
        /// Each revision as `id (message)`.
        ids: Vec<String>,
    },

    /// Pending revisions carry hazards the operator did not accept.
    #[error("pending revisions carry hazards that need your consent:\n{}\nnothing was applied; rerun with --allow-hazard {} once you accept them", steps.join("\n"), hazards.join(","))]
    HazardsNotAllowed {
        /// Each hazardous step: `file:line: kind object [hazards] (size)`.
        steps: Vec<String>,
        /// The hazards to name in `--allow-hazard`.
        hazards: Vec<String>,
    },

    /// A statement PostgreSQL would reject, found offline: a relation or column it
    /// names does not exist.
    #[error("{location}: {message}\n  {statement}")]
    Rejected {
        /// Where the statement is.
        location: Location,
        /// What PostgreSQL would say.
        message: String,
        /// The statement, on one line.
        statement: String,
    },

    /// A column changes between types no cast converts (`bigint` to `timestamp`): the
    /// desired schema must say how, with a `using` hint.
    #[error("{0}")]
    NoCast(Box<NoCast>),

    /// A rename hint that cannot be read or matches nothing.
    #[error("{location}: {what}")]
    BadRenameHint {
        /// Where the directive is.
        location: Location,
        /// What is wrong.
        what: String,
    },

    /// A revision id that plans/ does not have.
    #[error("{dir} has no revision {id}{}", if candidates.is_empty() { String::new() } else { format!(" (did you mean {}?)", candidates.join(", ")) })]
    UnknownRevision {
        /// What was asked for.
        id: String,
        /// The plans directory.
        dir: String,
        /// Ids that start the same way.
        candidates: Vec<String>,
    },

    /// A source argument is neither a database URL nor an existing file or directory.
    #[error("{source_arg:?} is neither a database URL (postgres://...) nor an existing .sql file or directory")]
    BadSource {
        /// The argument as given.
        source_arg: String,
    },

    /// SQLAlchemy models could not be read: the interpreter or SQLAlchemy is missing,
    /// or importing the models failed (the message names the Python file and line).
    #[error("SQLAlchemy models {target}: {message}")]
    Models {
        /// The target, as written (`app.models:Base`).
        target: String,
        /// What went wrong, and what to install or fix.
        message: String,
    },

    /// Options or a project state that rule out what was asked, with what to do instead
    /// (e.g. `--mode offline` while comparing with a live database).
    #[error("{message}")]
    Refused {
        /// What cannot be done, why, and the way out.
        message: String,
    },
}

/// A statement PostgreSQL refused: where it is, and what the server said. Boxed in
/// [`Error`] so that every `Result` of the crate stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Where the statement starts.
    pub location: Location,
    /// PostgreSQL's message.
    pub message: String,
    /// PostgreSQL's detail, if any.
    pub detail: Option<String>,
    /// PostgreSQL's hint, if any.
    pub hint: Option<String>,
    /// The statement, shortened to one line.
    pub statement: String,
}

impl Refusal {
    /// The server's error for the statement `sql` at `location` (the client's own
    /// message when the server sent none, e.g. a lost connection).
    pub(crate) fn new(location: &Location, sql: &str, e: &tokio_postgres::Error) -> Box<Self> {
        let (message, detail, hint) = match e.as_db_error() {
            Some(db) => (
                db.message().to_string(),
                db.detail().map(str::to_string),
                db.hint().map(str::to_string),
            ),
            None => (e.to_string(), None, None),
        };
        Box::new(Refusal {
            location: location.clone(),
            message,
            detail,
            hint,
            statement: one_line(sql),
        })
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}{}{}\n  {}",
            self.location,
            self.message,
            opt_line("detail", &self.detail),
            opt_line("hint", &self.hint),
            self.statement
        )
    }
}

fn opt_line(label: &str, value: &Option<String>) -> String {
    match value {
        Some(v) => format!("\n  {label}: {v}"),
        None => String::new(),
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The details of [`Error::NoCast`].
#[derive(Debug)]
pub struct NoCast {
    /// Where the desired schema declares the table, when it is read from files.
    pub declared_in: Option<Location>,
    /// The table.
    pub table: crate::model::QualName,
    /// The column.
    pub column: String,
    /// Its current type.
    pub from: String,
    /// Its desired type.
    pub to: String,
}

impl std::fmt::Display for NoCast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = &self.declared_in {
            write!(f, "{l}: ")?;
        }
        let (t, c) = (&self.table, &self.column);
        write!(
            f,
            "column {t}.{c} changes type from {} to {}, and PostgreSQL has no cast between \
             them: say how to convert the rows with a hint in the desired schema, \
             `-- schemaplan: using {t}.{c}: <expression of {c}>` (or `using:` on the \
             column in YAML)",
            self.from, self.to
        )
    }
}

impl Error {
    /// An I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Shortens SQL to one line for messages: whitespace runs become one space, and long
/// text is cut after 100 characters with `...`.
pub fn one_line(sql: &str) -> String {
    const MAX: usize = 100;
    let mut out = String::new();
    for (i, word) in sql.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > MAX {
            let cut: String = out.chars().take(MAX).collect();
            return format!("{cut}...");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_collapses_and_cuts() {
        assert_eq!(
            one_line("CREATE TABLE t (\n  a int\n)"),
            "CREATE TABLE t ( a int )"
        );
        let long = format!("SELECT {}", "x, ".repeat(60));
        let short = one_line(&long);
        assert!(
            short.ends_with("...") && short.chars().count() == 103,
            "{short}"
        );
    }
}
