//! Parsing: schema files into statements, with PostgreSQL's own parser (pg_query).
//!
//! Stage: first. Input: a `.sql` file or a directory of them. Output: [`Statement`]s in
//! source order, each with its source location, its kind, the objects it creates and
//! the objects it references (which [`crate::order::statements`] sorts by), and the
//! `search_path` and other settings in effect for it (which [`crate::devdb`] applies).
//!
//! Files are split with pg_query's scanner-based splitter, which copes with malformed
//! input, and each statement is then parsed on its own so that an error names the exact
//! line and column. Statements that are not schema DDL (INSERT, COPY, DO, DROP, ...) are
//! refused. `GRANT`, `REVOKE` and `ALTER ... OWNER TO` on objects are kept (ordered
//! after the objects they name); role memberships and default privileges are skipped
//! with a warning.
//!
//! This module does not touch the database. Later stages see [`Statement`]s and
//! [`ObjRef`]s (the offline interpreter parses each statement's text again: keeping
//! every parse tree instead took twice the memory and saved no time).

mod ffi;
mod files;
mod hints;
mod order;
mod refs;
mod rewrite;
mod split;
mod sql;
pub mod sqlalchemy;
pub mod tenant;
pub mod version;
mod walk;
pub mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{one_line, Location, Result};
use crate::model::{Ident, QualName};

pub use files::{decode_text, read_text, strip_bom};
pub use hints::{parse_hints, RenameHint};
pub use order::order_statements;
pub(crate) use refs::parse_qualified_string;
pub use rewrite::{split_foreign_keys, split_owned_by};
pub use sqlalchemy::{Models, ModelsSpec};

/// Where a desired schema is declared: schema files (a file, or a directory of them)
/// and SQLAlchemy models compiled to SQL. Statements come from the paths first, in
/// path order, then from the models.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaInput {
    /// Schema files, or directories of them.
    pub paths: Vec<PathBuf>,
    /// Compiled models.
    pub models: Vec<Arc<Models>>,
    /// The PostgreSQL major version the schema must load on (`target_version`): a
    /// statement using later syntax is refused at its file and line. `None`: the
    /// newest, nothing refused.
    pub target_version: Option<u32>,
    /// For a tenant project: the template schema (`template_schema` in `[fleet]`) and
    /// where it is set. The schema is implied (each tenant's exists already), and every
    /// statement must be one the per-tenant rewrite can prove
    /// ([`tenant::rewrite`]): one it cannot is refused at its file and line.
    pub template_schema: Option<(String, Location)>,
}

impl SchemaInput {
    /// The schema files of the paths, each path's in path order.
    fn files(&self) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for path in &self.paths {
            files.extend(files::sql_files(path)?);
        }
        Ok(files)
    }
}

impl From<&Path> for SchemaInput {
    fn from(path: &Path) -> SchemaInput {
        SchemaInput::from(path.to_path_buf())
    }
}

impl From<&PathBuf> for SchemaInput {
    fn from(path: &PathBuf) -> SchemaInput {
        SchemaInput::from(path.as_path())
    }
}

impl From<PathBuf> for SchemaInput {
    fn from(path: PathBuf) -> SchemaInput {
        SchemaInput {
            paths: vec![path],
            ..SchemaInput::default()
        }
    }
}

impl From<&SchemaInput> for SchemaInput {
    fn from(input: &SchemaInput) -> SchemaInput {
        input.clone()
    }
}

/// `schema`, `schema + app.models:Base`.
impl fmt::Display for SchemaInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .chain(self.models.iter().map(|m| m.target.clone()));
        f.write_str(&names.collect::<Vec<_>>().join(" + "))
    }
}

/// One statement of a schema file, with what it creates and references.
#[derive(Clone, Debug)]
pub struct Statement {
    /// The statement's text as written, from its first token up to (not including) the
    /// terminating semicolon. Trailing comments stay in: join statements with `"\n;\n"`.
    pub sql: String,
    /// Where its first token is (leading whitespace and comments skipped).
    pub location: Location,
    /// What kind of statement it is.
    pub kind: StatementKind,
    /// The object the statement creates or acts on, for messages (`ALTER TABLE t` acts
    /// on `t`).
    pub object: Option<ObjRef>,
    /// The objects the statement creates, e.g. a table and its row type.
    pub creates: Vec<ObjRef>,
    /// The objects the statement references. An unqualified name appears once for every
    /// schema of the statement's `search_path` it could resolve to; names in
    /// `pg_catalog` are left out (nothing in a schema file creates them).
    pub references: Vec<ObjRef>,
    /// Objects whose shape the statement changes without creating them (`ALTER TABLE t
    /// ADD COLUMN`, `ALTER TYPE e ADD VALUE`): statements that use those objects go
    /// after it.
    pub extends: Vec<ObjRef>,
    /// The `search_path` in effect for the statement, from `SET search_path` or
    /// `SELECT pg_catalog.set_config('search_path', ...)` earlier in the same file;
    /// `["public"]` when the file sets none.
    pub search_path: Vec<String>,
    /// Other settings in effect for the statement (`SET default_tablespace = ''` earlier
    /// in the same file), by setting name, each with the `SET` statement that set it.
    /// `check_function_bodies`, `client_min_messages`, roles and transaction settings
    /// are not kept: the loader owns them.
    pub settings: BTreeMap<String, String>,
    /// How the statement may be run together with others.
    pub transaction: TransactionUse,
}

impl Statement {
    /// The statement shortened to one line, for messages.
    pub fn one_line(&self) -> String {
        one_line(&self.sql)
    }
}

/// One statement of a migration script, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptStatement {
    /// The statement's text, without the trailing semicolon.
    pub sql: String,
    /// Where it starts in its file.
    pub location: Location,
    /// Whether it may run inside a transaction.
    pub transaction: TransactionUse,
}

/// The roles a statement names: the grantees of a `GRANT` or `REVOKE`, the new owner
/// of an `ALTER ... OWNER TO`, the owner of a `CREATE SCHEMA ... AUTHORIZATION`
/// (`PUBLIC`, `CURRENT_USER` and the like left out); nothing for other statements.
pub fn roles_named(sql: &str) -> Vec<String> {
    sql::roles_named(sql)
}

/// The object and new owner of an `ALTER ... OWNER TO` statement as written
/// (`("VIEW public.tv", "app_owner")`), for a reviewer; `None` for other statements.
pub fn owner_change(sql: &str) -> Option<(String, String)> {
    sql::owner_change(sql)
}

/// The table or column an `ALTER TABLE ... RENAME` statement renames, and its new name
/// (`(Table(public.users), "people")`), for a picture of a revision; `None` for other
/// statements.
pub fn table_rename(sql: &str) -> Option<(crate::model::ObjectId, String)> {
    sql::table_rename(sql)
}

/// What one `GRANT` or `REVOKE` does to one role, for a reviewer ("sp_app_ro loses
/// SELECT on TABLE public.tv").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessChange {
    /// The role, or `PUBLIC`.
    pub grantee: String,
    /// The privilege (`SELECT`, `UPDATE (note)`, `ALL`).
    pub privilege: String,
    /// Only the grant option of the privilege (`WITH GRANT OPTION` / `GRANT OPTION FOR`).
    pub grant_option: bool,
    /// The object as the statement names it (`TABLE public.tv`).
    pub object: String,
    /// Gains (GRANT) or loses (REVOKE).
    pub gains: bool,
}

/// The access changes a statement makes: one per role and privilege of a `GRANT` or
/// `REVOKE`; nothing for other statements.
pub fn access_changes(sql: &str) -> Vec<AccessChange> {
    sql::access_changes(sql)
}

/// Splits a migration script into its statements, keeping every statement as written
/// (a revision may drop things, change data, or build an index concurrently). `text`
/// starts on line `first_line` of `path`, so locations point into the whole file.
pub fn split_script(path: &Path, text: &str, first_line: usize) -> Result<Vec<ScriptStatement>> {
    sql::split_script(path, text, first_line)
}

/// Whether a statement may share a transaction (and a round trip) with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TransactionUse {
    /// Ordinary DDL: may run in a batch with its neighbours.
    Any,
    /// May run in a transaction, but what follows must not share it: a value added by
    /// `ALTER TYPE ... ADD VALUE` cannot be used in the transaction that added it.
    EndsTransaction,
    /// Cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`, `ALTER TABLE
    /// ... DETACH PARTITION ... CONCURRENTLY`), or must not share one (`ALTER TABLE ...
    /// VALIDATE CONSTRAINT`, whose scan should not hold the locks of the statements
    /// before it): runs on its own.
    Alone,
}

/// What a statement is, by its command. The order of the variants does not matter;
/// [`StatementKind::rank`] gives the ordering tie-break.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum StatementKind {
    /// `ALTER DEFAULT PRIVILEGES`: before every creation, so that what the desired
    /// schema declares applies to every object it creates, wherever it is written.
    AlterDefaultPrivileges,
    /// `CREATE SCHEMA`.
    CreateSchema,
    /// `CREATE EXTENSION`.
    CreateExtension,
    /// `CREATE TYPE` (enum, composite, range, base or shell).
    CreateType,
    /// `CREATE DOMAIN`.
    CreateDomain,
    /// `CREATE COLLATION`.
    CreateCollation,
    /// `ALTER TYPE` (`ADD VALUE`, `ADD ATTRIBUTE`, ...).
    AlterType,
    /// `ALTER DOMAIN`.
    AlterDomain,
    /// `CREATE SEQUENCE`.
    CreateSequence,
    /// `ALTER SEQUENCE`.
    AlterSequence,
    /// `CREATE FUNCTION`.
    CreateFunction,
    /// `CREATE PROCEDURE`.
    CreateProcedure,
    /// `CREATE AGGREGATE`.
    CreateAggregate,
    /// `CREATE OPERATOR`.
    CreateOperator,
    /// `CREATE CAST`.
    CreateCast,
    /// `ALTER FUNCTION` / `ALTER PROCEDURE` / `ALTER ROUTINE`.
    AlterFunction,
    /// `CREATE TABLE` (also `PARTITION OF`, `CREATE TABLE ... AS`).
    CreateTable,
    /// `CREATE FOREIGN TABLE`.
    CreateForeignTable,
    /// `ALTER TABLE` (also `ALTER FOREIGN TABLE`).
    AlterTable,
    /// `CREATE INDEX`.
    CreateIndex,
    /// `ALTER INDEX`.
    AlterIndex,
    /// `CREATE VIEW`.
    CreateView,
    /// `ALTER VIEW`.
    AlterView,
    /// `CREATE MATERIALIZED VIEW`.
    CreateMaterializedView,
    /// `CREATE TRIGGER` (also `CREATE CONSTRAINT TRIGGER`).
    CreateTrigger,
    /// `CREATE POLICY`.
    CreatePolicy,
    /// `COMMENT ON`.
    Comment,
    /// Any other schema statement, by its leading keywords (`CREATE RULE`, `ALTER
    /// MATERIALIZED VIEW`, `CREATE STATISTICS`, ...).
    Other(String),
}

impl StatementKind {
    /// The ordering tie-break among statements whose dependencies are all placed:
    /// schemas, extensions, types and domains, sequences, functions, tables, table
    /// alterations, indexes, views, materialized views, triggers, policies, comments,
    /// everything else.
    pub fn rank(&self) -> u8 {
        use StatementKind::*;
        match self {
            AlterDefaultPrivileges => 0,
            CreateSchema => 1,
            CreateExtension => 2,
            CreateType | CreateDomain | CreateCollation | AlterType | AlterDomain => 3,
            CreateSequence => 4,
            CreateFunction | CreateProcedure | CreateAggregate | CreateOperator | CreateCast
            | AlterFunction => 5,
            CreateTable | CreateForeignTable => 6,
            AlterTable | AlterSequence => 7,
            CreateIndex | AlterIndex => 8,
            CreateView | AlterView => 9,
            CreateMaterializedView => 10,
            CreateTrigger => 11,
            CreatePolicy => 12,
            Comment => 13,
            Other(_) => 14,
        }
    }
}

/// Renders the command as PostgreSQL names it, e.g. `CREATE TABLE`.
impl fmt::Display for StatementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use StatementKind::*;
        let tag = match self {
            AlterDefaultPrivileges => "ALTER DEFAULT PRIVILEGES",
            CreateSchema => "CREATE SCHEMA",
            CreateExtension => "CREATE EXTENSION",
            CreateType => "CREATE TYPE",
            CreateDomain => "CREATE DOMAIN",
            CreateCollation => "CREATE COLLATION",
            AlterType => "ALTER TYPE",
            AlterDomain => "ALTER DOMAIN",
            CreateSequence => "CREATE SEQUENCE",
            AlterSequence => "ALTER SEQUENCE",
            CreateFunction => "CREATE FUNCTION",
            CreateProcedure => "CREATE PROCEDURE",
            CreateAggregate => "CREATE AGGREGATE",
            CreateOperator => "CREATE OPERATOR",
            CreateCast => "CREATE CAST",
            AlterFunction => "ALTER FUNCTION",
            CreateTable => "CREATE TABLE",
            CreateForeignTable => "CREATE FOREIGN TABLE",
            AlterTable => "ALTER TABLE",
            CreateIndex => "CREATE INDEX",
            AlterIndex => "ALTER INDEX",
            CreateView => "CREATE VIEW",
            AlterView => "ALTER VIEW",
            CreateMaterializedView => "CREATE MATERIALIZED VIEW",
            CreateTrigger => "CREATE TRIGGER",
            CreatePolicy => "CREATE POLICY",
            Comment => "COMMENT",
            Other(tag) => tag,
        };
        f.write_str(tag)
    }
}

/// An object a statement creates or references, named by its namespace class and its
/// name. Tables, views, materialized views, sequences, indexes and composite types'
/// relations share one namespace ([`ObjRef::Relation`]); a table or view also defines a
/// row type ([`ObjRef::Type`]) of the same name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjRef {
    /// A schema.
    Schema(String),
    /// An extension.
    Extension(String),
    /// A table, view, materialized view, sequence, index or foreign table.
    Relation(QualName),
    /// A type: enum, domain, composite, range, base, or a table's row type.
    Type(QualName),
    /// A function, procedure or aggregate, by name (any overload).
    Function(QualName),
    /// A collation.
    Collation(QualName),
    /// An operator, by name (any operand types).
    Operator(QualName),
    /// An extended statistics object.
    Statistics(QualName),
    /// A publication.
    Publication(String),
    /// An event trigger.
    EventTrigger(String),
    /// A foreign-data wrapper.
    ForeignDataWrapper(String),
    /// A foreign server.
    Server(String),
    /// A text search dictionary or configuration.
    TextSearch(QualName),
    /// A trigger: (its relation, its name).
    Trigger(QualName, String),
    /// A row level security policy: (its table, its name).
    Policy(QualName, String),
    /// A rewrite rule: (its relation, its name).
    Rule(QualName, String),
}

impl ObjRef {
    /// The schema the object lives in (its relation's for triggers and policies), if
    /// it lives in one.
    pub fn schema(&self) -> Option<&str> {
        match self {
            ObjRef::Schema(_)
            | ObjRef::Extension(_)
            | ObjRef::Publication(_)
            | ObjRef::EventTrigger(_)
            | ObjRef::ForeignDataWrapper(_)
            | ObjRef::Server(_) => None,
            ObjRef::Relation(n)
            | ObjRef::Type(n)
            | ObjRef::Function(n)
            | ObjRef::Collation(n)
            | ObjRef::Operator(n)
            | ObjRef::Statistics(n)
            | ObjRef::TextSearch(n)
            | ObjRef::Trigger(n, _)
            | ObjRef::Policy(n, _)
            | ObjRef::Rule(n, _) => Some(&n.schema),
        }
    }
}

/// Renders for people: relations bare (`public.users`), everything else with its class
/// (`type public.mood`, `function public.f()`, `trigger trg on public.t`).
impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjRef::Schema(s) => write!(f, "schema {}", Ident(s)),
            ObjRef::Extension(e) => write!(f, "extension {}", Ident(e)),
            ObjRef::Relation(n) => write!(f, "{n}"),
            ObjRef::Type(n) => write!(f, "type {n}"),
            ObjRef::Function(n) => write!(f, "{n}()"),
            ObjRef::Collation(n) => write!(f, "collation {n}"),
            ObjRef::Statistics(n) => write!(f, "statistics {n}"),
            ObjRef::Publication(p) => write!(f, "publication {}", Ident(p)),
            ObjRef::EventTrigger(e) => write!(f, "event trigger {}", Ident(e)),
            ObjRef::ForeignDataWrapper(w) => write!(f, "foreign-data wrapper {}", Ident(w)),
            ObjRef::Server(v) => write!(f, "server {}", Ident(v)),
            ObjRef::TextSearch(n) => write!(f, "text search object {n}"),
            ObjRef::Operator(n) => write!(f, "operator {}.{}", Ident(&n.schema), n.name),
            ObjRef::Trigger(t, name) => write!(f, "trigger {} on {t}", Ident(name)),
            ObjRef::Policy(t, name) => write!(f, "policy {} on {t}", Ident(name)),
            ObjRef::Rule(t, name) => write!(f, "rule {} on {t}", Ident(name)),
        }
    }
}

/// Reads a `.sql` file, or every `.sql` file under a directory (recursively, in path
/// order), and returns its statements in source order. psql meta-commands between
/// statements (pg_dump's `\restrict`, `\connect`) are ignored, as is a leading
/// byte-order mark.
///
/// Errors: [`crate::Error::Io`] for a missing or unreadable path,
/// [`crate::Error::Syntax`] for a statement that does not parse,
/// [`crate::Error::NotSchemaStatement`] / [`crate::Error::DropInSchema`] for statements
/// that do not belong in a desired-state schema.
///
/// YAML files (`.yaml`, `.yml`) among them are compiled by [`yaml::read_yaml`];
/// an object that a YAML file defines and another file defines too is
/// [`crate::Error::DefinedTwice`].
pub fn read_sql_source(input: impl Into<SchemaInput>) -> Result<Vec<Statement>> {
    let input = input.into();
    let files = input.files()?;
    let mut statements = Vec::new();
    let mut yaml_defined = Vec::new();
    // Files are read and parsed on every core; results are taken in path order, so the
    // statements, and the first error reported, do not depend on the threads.
    for (file, parsed) in files.iter().zip(parallel_map(&files, |f| read_file(f))) {
        let parsed = parsed?;
        yaml_defined.extend(std::iter::repeat_n(yaml::is_yaml(file), parsed.len()));
        statements.extend(parsed);
    }
    for models in &input.models {
        let parsed = models.statements()?;
        yaml_defined.extend(std::iter::repeat_n(false, parsed.len()));
        statements.extend(parsed);
    }
    if yaml_defined.contains(&true) {
        defined_once(&statements, &yaml_defined)?;
    }
    if let Some(target) = input.target_version {
        loads_on(&statements, target)?;
    }
    if let Some((template, set_at)) = &input.template_schema {
        tenant_ready(&mut statements, template, set_at)?;
    }
    Ok(statements)
}

/// A tenant project's statements: each must be rewritable for any tenant schema, and
/// the template schema is created first unless a statement creates it. A statement
/// that creates or drops objects outside the template schema is refused too: it would
/// run once per tenant.
fn tenant_ready(statements: &mut Vec<Statement>, template: &str, set_at: &Location) -> Result<()> {
    for s in statements.iter() {
        if let Err(why) = tenant::rewrite(&s.sql, template, tenant::PROBE) {
            return Err(crate::Error::Rejected {
                location: s.location.clone(),
                message: format!(
                    "this statement cannot be run in each tenant schema: {why} \
                     (template_schema = {template:?}, {set_at})"
                ),
                statement: s.one_line(),
            });
        }
        let outside = s.creates.iter().chain(&s.object).find(|o| match o {
            ObjRef::Schema(name) => name != template,
            ObjRef::Extension(_)
            | ObjRef::Publication(_)
            | ObjRef::EventTrigger(_)
            | ObjRef::ForeignDataWrapper(_)
            | ObjRef::Server(_) => true,
            o => o.schema().is_some_and(|schema| schema != template),
        });
        if let Some(o) = outside {
            return Err(crate::Error::Rejected {
                location: s.location.clone(),
                message: format!(
                    "{o} is not inside the template schema {template}: a tenant project \
                     declares only what is inside each tenant's schema (template_schema, \
                     {set_at}), since its revisions run once per tenant; manage shared \
                     objects (extensions, other schemas) in a project of their own"
                ),
                statement: s.one_line(),
            });
        }
    }
    let creates_template = statements.iter().any(|s| {
        s.creates
            .iter()
            .any(|o| matches!(o, ObjRef::Schema(n) if n == template))
    });
    if !creates_template {
        let mut implied = parse_sql(
            &set_at.path,
            &format!("CREATE SCHEMA {}", crate::model::Ident(template)),
        )?;
        for s in &mut implied {
            s.location = set_at.clone();
        }
        statements.splice(0..0, implied);
    }
    Ok(())
}

/// Refuses the first statement that PostgreSQL `target` would reject for its syntax.
fn loads_on(statements: &[Statement], target: u32) -> Result<()> {
    for s in statements {
        if let Some((feature, version)) = version::too_new(&s.sql, target) {
            return Err(crate::Error::Rejected {
                location: s.location.clone(),
                message: format!(
                    "{feature} needs PostgreSQL {version}, and target_version is {target} \
                     (schemaplan.toml): write it the way {target} accepts, or raise \
                     target_version"
                ),
                statement: s.one_line(),
            });
        }
    }
    Ok(())
}

/// One schema file's statements: SQL parsed, YAML compiled.
fn read_file(file: &Path) -> Result<Vec<Statement>> {
    let text = read_text(file)?;
    if yaml::is_yaml(file) {
        yaml::read_yaml(file, &text)
    } else {
        parse_sql(file, &text)
    }
}

/// `items.iter().map(f)`, run on as many threads as the machine has cores (work is
/// handed out one item at a time), with the results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Refuses an object created twice when one of its definitions is in a YAML file.
/// Functions are left out (overloads share a name; PostgreSQL refuses a true duplicate
/// when loading).
fn defined_once(statements: &[Statement], yaml: &[bool]) -> Result<()> {
    let mut seen: BTreeMap<&ObjRef, (&Location, bool)> = BTreeMap::new();
    for (s, &is_yaml) in statements.iter().zip(yaml) {
        if !s.kind.to_string().starts_with("CREATE") {
            continue;
        }
        for obj in &s.creates {
            if matches!(obj, ObjRef::Function(_)) {
                continue;
            }
            match seen.get(obj) {
                Some((first, first_yaml)) if *first_yaml || is_yaml => {
                    return Err(crate::Error::DefinedTwice {
                        object: obj.to_string(),
                        first: (*first).clone(),
                        second: s.location.clone(),
                    });
                }
                Some(_) => {}
                None => {
                    seen.insert(obj, (&s.location, is_yaml));
                }
            }
        }
    }
    Ok(())
}

/// Where the schema `input` creates `relation` (its first statement doing so), for
/// errors about it; `None` when no statement does or the files do not read.
pub fn declaration_of(input: &SchemaInput, relation: &crate::model::QualName) -> Option<Location> {
    let statements = read_sql_source(input).ok()?;
    statements
        .into_iter()
        .find(|s| {
            s.creates
                .iter()
                .any(|c| matches!(c, ObjRef::Relation(q) if q == relation))
        })
        .map(|s| s.location)
}

/// An error about a table of the desired schema, located at the statement of `input`
/// that creates it (a type change no cast covers); other errors unchanged.
pub fn locate_error(error: crate::error::Error, input: &SchemaInput) -> crate::error::Error {
    match error {
        crate::error::Error::NoCast(mut e) if e.declared_in.is_none() => {
            e.declared_in = declaration_of(input, &e.table);
            crate::error::Error::NoCast(e)
        }
        other => other,
    }
}

/// The hints (`-- schemaplan: rename OLD -> NEW`, `-- schemaplan: using COLUMN: EXPR`, and
/// YAML `renamed_from` and `using`, and the models' `info={"schemaplan": ...}`) of a
/// desired schema, in file order.
pub fn read_rename_hints(input: impl Into<SchemaInput>) -> Result<Vec<crate::parse::RenameHint>> {
    let input = input.into();
    let mut hints = Vec::new();
    for file in input.files()? {
        let text = read_text(&file)?;
        if yaml::is_yaml(&file) {
            hints.extend(yaml::rename_hints(&file, &text)?);
        } else {
            hints.extend(hints::parse_hints(&file, &text)?);
        }
    }
    for models in &input.models {
        hints.extend(models.hints()?);
    }
    Ok(hints)
}

/// Parses the text of one schema file (named `path` in locations) into statements.
pub fn parse_sql(path: &Path, text: &str) -> Result<Vec<Statement>> {
    sql::parse_file(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_read_well() {
        let t = QualName::new("public", "Users");
        assert_eq!(ObjRef::Relation(t.clone()).to_string(), "public.\"Users\"");
        assert_eq!(ObjRef::Type(t.clone()).to_string(), "type public.\"Users\"");
        assert_eq!(
            ObjRef::Function(t.clone()).to_string(),
            "public.\"Users\"()"
        );
        assert_eq!(
            ObjRef::Trigger(t, "audit".into()).to_string(),
            "trigger audit on public.\"Users\""
        );
        assert_eq!(ObjRef::Schema("App".into()).to_string(), "schema \"App\"");
    }

    #[test]
    fn ranks_follow_the_documented_order() {
        use StatementKind::*;
        let kinds = [
            AlterDefaultPrivileges,
            CreateSchema,
            CreateExtension,
            CreateType,
            CreateSequence,
            CreateFunction,
            CreateTable,
            AlterTable,
            CreateIndex,
            CreateView,
            CreateMaterializedView,
            CreateTrigger,
            CreatePolicy,
            Comment,
            Other("CREATE RULE".into()),
        ];
        assert!(kinds.windows(2).all(|w| w[0].rank() < w[1].rank()));
    }
}
