//! Offline mode: an in-memory DDL interpreter that builds a [`Catalog`] from statements,
//! with no database at all.
//!
//! Input: schema statements ([`parse::Statement`], already ordered by
//! [`crate::parse::order_statements`]) or migration scripts
//! ([`parse::ScriptStatement`], a revision's up section). Output: a Catalog of the same
//! shape introspection gives, dependencies included, so that `diff`, `order` and
//! `render` work on it unchanged.
//!
//! Types and expressions are normalized by this module's own rules (built-in type
//! aliases to `format_type` spellings, expressions through pg_query's deparser, names
//! qualified), which differ from PostgreSQL's `pg_get_*def` output: an offline catalog
//! is only ever compared with another offline catalog (DESIGN: a diff compares two
//! catalogs made by the same normalizer).
//!
//! What the interpreter cannot model is an error naming the statement's file and line,
//! never a silently wrong catalog; exact mode (`--dev-url`) runs such schemas on a real
//! server. Does no I/O besides reading the files [`interpret_source`] is given.

mod expr;
mod interp;
mod types;

use crate::error::Result;
use crate::model::Catalog;
use crate::parse::order_statements;
use crate::parse::{self, ScriptStatement, Statement};

/// The catalog a desired-state schema describes: the statements run, in the order
/// given, on a new database (the `public` schema already there).
pub fn interpret(statements: &[Statement]) -> Result<Catalog> {
    interpret_for(statements, None)
}

/// [`interpret`] as the server `target_version` names would run the statements: from
/// PostgreSQL 18 (named explicitly), a renamed table or column keeps its NOT NULL
/// constraint names, and a child keeps the ones it inherited under its parent's names
/// when detached, as an 18 server does.
pub fn interpret_for(statements: &[Statement], target_version: Option<u32>) -> Result<Catalog> {
    let mut catalog = new_database_for(target_version);
    let names = interp::IndexNames::default();
    // pg_query parses ahead on a second thread while this one interprets; the channel
    // bounds how many parse trees wait (a tree is large: keeping every one took twice
    // the memory of the rest of a plan).
    std::thread::scope(|scope| {
        let (trees, parsed) = std::sync::mpsc::sync_channel(PARSE_AHEAD);
        scope.spawn(move || {
            for statement in statements {
                // The receiver is gone once interpretation stopped at an error.
                if trees.send(pg_query::parse(&statement.sql, 0)).is_err() {
                    break;
                }
            }
        });
        for (statement, tree) in statements.iter().zip(parsed) {
            let mut i = interp::Interp::new(
                &mut catalog,
                &names,
                statement.search_path.clone(),
                statement.location.clone(),
                &statement.sql,
            );
            i.run_parsed(tree)?;
        }
        Ok::<_, crate::Error>(())
    })?;
    catalog.settle_replica_identities();
    catalog.shrink_to_fit();
    Ok(catalog)
}

/// A new database as the server `target_version` names has it: one that keeps NOT NULL
/// constraint names across renames from PostgreSQL 18 on, when the target says so.
fn new_database_for(target_version: Option<u32>) -> Catalog {
    let mut catalog = Catalog::new_database();
    *catalog.keeps_not_null_names = target_version.is_some_and(|v| v >= 18);
    catalog
}

/// How many statements [`interpret`] parses ahead of the one it interprets.
const PARSE_AHEAD: usize = 64;

/// Reads, orders and interprets the schema `input` (schema files and models), as
/// exact mode's `devdb::load_source` reads and orders it before loading.
/// For a target before PostgreSQL 18 (`target_version`), NOT NULL constraints are read
/// as that server reads them: without names of their own.
pub fn interpret_source(input: impl Into<parse::SchemaInput>) -> Result<Catalog> {
    let input = input.into();
    let target_version = input.target_version;
    let before_18 = target_version.is_some_and(|v| v < 18);
    let started = std::time::Instant::now();
    let read = parse::read_sql_source(input)?;
    tracing::debug!(
        "parsed {} statement(s) in {:.2?}",
        read.len(),
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let statements = order_statements(read)?;
    tracing::debug!("ordered them in {:.2?}", started.elapsed());
    let started = std::time::Instant::now();
    let mut catalog = interpret_for(&statements, target_version)?;
    tracing::debug!("interpreted them in {:.2?}", started.elapsed());
    if before_18 {
        catalog.forget_not_null_names();
    }
    Ok(catalog)
}

/// Applies a migration script (a revision's up section) to `catalog`, statement by
/// statement. `SET search_path` in the script applies to the statements after it; data
/// statements (INSERT, UPDATE, ...) and transaction control change nothing.
pub fn interpret_script(catalog: &mut Catalog, statements: &[ScriptStatement]) -> Result<()> {
    script_in(catalog, statements, &interp::IndexNames::default())
}

/// [`interpret_script`] keeping what the interpreter remembers (where each object was
/// created) in `names`, across the scripts of a history.
fn script_in(
    catalog: &mut Catalog,
    statements: &[ScriptStatement],
    names: &interp::IndexNames,
) -> Result<()> {
    let mut search_path = vec!["public".to_string()];
    for statement in statements {
        let mut i = interp::Interp::new(
            catalog,
            names,
            search_path.clone(),
            statement.location.clone(),
            &statement.sql,
        );
        i.run_sql(&statement.sql)?;
        search_path = i.search_path;
    }
    catalog.settle_replica_identities();
    Ok(())
}

/// The catalog some migration scripts build (a plans/ history's up sections, in DAG
/// order), applied one after the other to a new database of the server
/// `target_version` names (see [`interpret_for`]).
pub fn interpret_scripts(
    scripts: &[Vec<ScriptStatement>],
    target_version: Option<u32>,
) -> Result<Catalog> {
    let mut catalog = new_database_for(target_version);
    let names = interp::IndexNames::default();
    for script in scripts {
        script_in(&mut catalog, script, &names)?;
    }
    // The holding schema of recoverable drops is never part of a schema.
    catalog.retain_schemas(|s| s != crate::model::TRASH_SCHEMA);
    catalog.shrink_to_fit();
    Ok(catalog)
}
