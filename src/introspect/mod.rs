//! Introspection: a live database read into a [`Catalog`].
//!
//! Input: a connected client. Output: the Catalog of every user schema, with
//! dependencies from `pg_depend`. A fixed number of catalog queries, whatever the number
//! of tables. Extension-owned objects, system and temporary schemas and `schemaplan`
//! (the history schema) are excluded; objects schemaplan does not manage are listed in
//! `Catalog::unmanaged`. Read only: never changes the database.
//!
//! All queries run in one `REPEATABLE READ READ ONLY` transaction, so they see one
//! snapshot, with `search_path = ''`, so PostgreSQL qualifies every name it renders
//! (`public.mood`, `nextval('public.t_id_seq'::regclass)`) whatever the caller's
//! search path is. They are issued together on the one connection: tokio-postgres
//! pipelines them, and `query_typed` skips the separate prepare round trip, so the whole
//! read costs about one round trip plus the server's work. The server's work is mostly
//! PostgreSQL rendering definitions (`pg_get_constraintdef`, `pg_get_indexdef`, ...),
//! which it does for each object once, and which looks up every table and column it
//! names in the catalogs, cold in a new session. So the definitions of the commonest
//! shapes (a btree, hash or gin index, with its expressions and predicate; a primary,
//! unique or foreign key; a table's check) come as their catalog parts, expressions as
//! node trees, and are spelled here, exactly as the functions would (`spell`,
//! `deparse`); what cannot be spelled with certainty goes to the server in one query
//! after the others.
//!
//! Needs PostgreSQL 13 or later (`pg_trigger.tgparentid`). The server's
//! `server_version_num` is read first, once per introspection, and picks the queries
//! for catalogs that changed between versions ([`queries::ForVersion`]).
//!
//! - [`queries`]: the catalog SQL, one named constant per object kind.
//! - `rows`: rows decoded into plain structs.
//! - `spell`: index, key and check definitions written from their parts.
//! - `deparse`: expressions (of checks and indexes) written from their node trees.
//! - `assemble`: the rows assembled into a Catalog, dependencies resolved.

mod assemble;
mod deparse;
pub mod queries;
mod rows;
mod spell;

use std::cell::Cell;

use tokio_postgres::{Client, Row};

use crate::error::{Error, Result};
use crate::model::Catalog;

use assemble::Rows;
use rows::{
    CastRow, CollationRow, ColumnRow, ConstraintRow, DependRow, EventTriggerRow, ExtensionRow,
    FunctionRow, IndexRow, NameRow, NotNullRow, OpclassRow, OperatorRow, OwnerRow, PolicyRow,
    PrivilegeRow, PublicationMemberRow, PublicationRow, RelationRow, RuleRow, SchemaRow,
    SequenceRow, StatisticsRow, TriggerRow, TsConfigurationRow, TsDictionaryRow, TypeRow,
};

/// Opens the introspection transaction. One snapshot for every query; an empty search
/// path so every rendered name is schema-qualified; enough `work_mem` that the
/// dependency query's sort and hashes of a large schema stay in memory (the default
/// 4MB spills to disk at a few thousand tables); no JIT compilation, which the planner
/// chose for the dependency query from about 50,000 tables and which costs more than
/// the query saves when each runs once; no parallel workers, which the planner chose for
/// the large catalog scans from about 50,000 tables: `diff` reads two databases at once,
/// so the cores are busy already, and the workers' overhead made a 50,000-table `diff`
/// 12% slower. `SET LOCAL` ends with the transaction.
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
    SET LOCAL search_path = ''; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; \
    SET LOCAL max_parallel_workers_per_gather = 0";

/// What one introspection cost: how many catalog queries ran and how many rows they
/// returned. The query count is fixed; the row count grows with the schema.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Catalog queries run (transaction control statements not counted).
    pub queries: usize,
    /// Rows those queries returned, all together.
    pub rows: usize,
    /// Index and constraint definitions spelled on the client rather than by the
    /// server's functions.
    pub spelled: usize,
}

/// Reads the whole schema of the connected database.
///
/// The client must not be inside a transaction: introspection opens and ends its own.
pub async fn introspect(client: &Client) -> Result<Catalog> {
    Ok(introspect_with_stats(client).await?.0)
}

/// Reads the whole schema of the connected database, and says what it cost.
///
/// The client must not be inside a transaction: introspection opens and ends its own.
pub async fn introspect_with_stats(client: &Client) -> Result<(Catalog, Stats)> {
    if let Err(e) = client.batch_execute(BEGIN).await {
        // BEGIN may have gone through before a SET failed: leave no aborted transaction
        // behind on the caller's session (a ROLLBACK outside one only warns).
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(database_error(
            "introspection: starting the read-only transaction",
            &e,
        ));
    }
    let started = std::time::Instant::now();
    let read = read_rows(client).await;
    let read_at = started.elapsed();
    // The transaction only read: end it the same way whatever happened, and report the
    // first error.
    let end = client
        .batch_execute(if read.is_ok() { "COMMIT" } else { "ROLLBACK" })
        .await
        .map_err(|e| database_error("introspection: ending the read-only transaction", &e));
    let (rows, stats) = read?;
    end?;
    let mut catalog = assemble::assemble(rows)?;
    // Tables held by recoverable drops are never part of a schema (not even a scratch
    // database's, where plans/ are replayed).
    catalog.retain_schemas(|s| s != crate::model::TRASH_SCHEMA);
    tracing::debug!(
        queries = stats.queries,
        rows = stats.rows,
        read_ms = read_at.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "introspected"
    );
    Ok((catalog, stats))
}

/// Reads the whole schema as the client's open transaction sees it, uncommitted changes
/// included: `apply` records the schema a revision leaves before committing it.
/// The session's `search_path` is left as introspection needs it (empty: every name
/// qualified) until the transaction ends.
pub async fn introspect_in_transaction(client: &Client) -> Result<Catalog> {
    client
        .batch_execute("SET LOCAL search_path = ''")
        .await
        .map_err(|e| database_error("introspection: setting search_path", &e))?;
    let (rows, _) = read_rows(client).await?;
    let mut catalog = assemble::assemble(rows)?;
    catalog.retain_schemas(|s| s != crate::model::TRASH_SCHEMA);
    Ok(catalog)
}

/// Runs every catalog query concurrently on the one connection and decodes the rows.
/// Each query's rows are decoded as soon as they arrive, while the server is still
/// working on the queries behind it.
async fn read_rows(client: &Client) -> Result<(Rows, Stats)> {
    let q = queries::ForVersion::new(server_version(client).await?);
    let stats = Cell::new(Stats::default());
    let s = &stats;
    // The columns of the indexes the index query leaves to `spell`.
    let index_columns = std::cell::RefCell::new(Vec::new());
    // The attnums of the keys the constraint query leaves to `spell`.
    let constraint_attnums = std::cell::RefCell::new(Vec::new());
    // The expressions of the checks and indexes left to `spell`.
    let nodes = std::cell::RefCell::new(deparse::Nodes::default());
    // The server runs the queries one after the other in this order, while the client
    // decodes what has arrived: the largest results (dependencies, columns) go first so
    // their decoding overlaps the rendering-heavy queries behind them, and the small
    // ones last so little is left to decode when the server is done.
    let (
        dependencies,
        columns,
        constraints,
        indexes,
        relations,
        sequences,
        types,
        triggers,
        functions,
        policies,
        schemas,
        extensions,
        collations,
        statistics,
        publications,
        publication_members,
        event_triggers,
        aggregates,
        ts_dictionaries,
        ts_configurations,
        casts,
        rules,
        operators,
        wrappers,
        servers,
        user_mappings,
        foreign_columns,
        unmanaged,
        privileges,
        owners,
        default_privileges,
        opclasses,
        names,
    ) = tokio::try_join!(
        fetch(
            client,
            s,
            "dependencies",
            q.dependencies,
            DependRow::from_row
        ),
        fetch(client, s, "columns", queries::COLUMNS, ColumnRow::from_row),
        fetch(client, s, "constraints", q.constraints, |row| {
            ConstraintRow::from_row(
                row,
                &mut constraint_attnums.borrow_mut(),
                &mut nodes.borrow_mut(),
            )
        }),
        fetch(client, s, "indexes", q.indexes, |row| IndexRow::from_row(
            row,
            &mut index_columns.borrow_mut(),
            &mut nodes.borrow_mut(),
        )),
        fetch(
            client,
            s,
            "relations",
            queries::RELATIONS,
            RelationRow::from_row
        ),
        fetch(
            client,
            s,
            "sequences",
            queries::SEQUENCES,
            SequenceRow::from_row
        ),
        fetch(client, s, "types", queries::TYPES, TypeRow::from_row),
        fetch(
            client,
            s,
            "triggers",
            queries::TRIGGERS,
            TriggerRow::from_row
        ),
        fetch(
            client,
            s,
            "functions",
            queries::FUNCTIONS,
            FunctionRow::from_row
        ),
        fetch(
            client,
            s,
            "policies",
            queries::POLICIES,
            PolicyRow::from_row
        ),
        fetch(client, s, "schemas", queries::SCHEMAS, SchemaRow::from_row),
        fetch(
            client,
            s,
            "extensions",
            queries::EXTENSIONS,
            ExtensionRow::from_row
        ),
        fetch(
            client,
            s,
            "collations",
            q.collations,
            CollationRow::from_row
        ),
        fetch(
            client,
            s,
            "statistics",
            q.statistics,
            StatisticsRow::from_row
        ),
        fetch(
            client,
            s,
            "publications",
            queries::PUBLICATIONS,
            PublicationRow::from_row
        ),
        fetch(
            client,
            s,
            "publication members",
            q.publication_members,
            PublicationMemberRow::from_row
        ),
        fetch(
            client,
            s,
            "event triggers",
            queries::EVENT_TRIGGERS,
            EventTriggerRow::from_row
        ),
        fetch(
            client,
            s,
            "aggregates",
            queries::AGGREGATES,
            FunctionRow::from_aggregate_row
        ),
        fetch(
            client,
            s,
            "text search dictionaries",
            queries::TS_DICTIONARIES,
            TsDictionaryRow::from_row
        ),
        fetch(
            client,
            s,
            "text search configurations",
            queries::TS_CONFIGURATIONS,
            TsConfigurationRow::from_row
        ),
        fetch(client, s, "casts", queries::CASTS, CastRow::from_row),
        fetch(client, s, "rules", queries::RULES, RuleRow::from_row),
        fetch(
            client,
            s,
            "operators",
            queries::OPERATORS,
            OperatorRow::from_row
        ),
        fetch(
            client,
            s,
            "foreign data wrappers",
            queries::FOREIGN_DATA_WRAPPERS,
            rows::wrapper_from_row
        ),
        fetch(
            client,
            s,
            "foreign servers",
            queries::FOREIGN_SERVERS,
            rows::server_from_row
        ),
        fetch(
            client,
            s,
            "user mappings",
            queries::USER_MAPPINGS,
            rows::user_mapping_from_row
        ),
        fetch(
            client,
            s,
            "foreign column options",
            queries::FOREIGN_COLUMN_OPTIONS,
            rows::foreign_column_from_row
        ),
        fetch(
            client,
            s,
            "unmanaged",
            queries::UNMANAGED,
            rows::unmanaged_from_row
        ),
        fetch(
            client,
            s,
            "privileges",
            queries::PRIVILEGES,
            PrivilegeRow::from_row
        ),
        fetch(client, s, "owners", queries::OWNERS, OwnerRow::from_row),
        fetch(
            client,
            s,
            "default privileges",
            queries::DEFAULT_PRIVILEGES,
            rows::default_privilege_from_row
        ),
        fetch(
            client,
            s,
            "operator classes",
            queries::OPCLASSES,
            OpclassRow::from_row
        ),
        fetch(
            client,
            s,
            "expression names",
            queries::EXPRESSION_NAMES,
            NameRow::from_row
        ),
    )?;
    let (mut indexes, mut constraints) = (indexes, constraints);
    let sources = spell::Sources {
        index_columns: &index_columns.into_inner(),
        constraint_attnums: &constraint_attnums.into_inner(),
        relations: &relations,
        columns: &columns,
        opclasses: &opclasses,
        nodes: &nodes.into_inner(),
        names: &names,
        types: &types,
    };
    let left = spell::spell(&mut indexes, &mut constraints, &sources);
    stats.set(Stats {
        spelled: left.spelled,
        ..stats.get()
    });
    tracing::debug!(
        indexes = indexes.len(),
        indexes_left = left.indexes.len(),
        constraints = constraints.len(),
        constraints_left = left.constraints.len(),
        "definitions spelled"
    );
    server_definitions(client, s, &mut indexes, &mut constraints, left).await?;
    let not_nulls = match q.not_nulls {
        Some(sql) => fetch(client, s, "not nulls", sql, NotNullRow::from_row).await?,
        None => Vec::new(),
    };
    let rows = Rows {
        not_nulls,
        reads_not_nulls: q.not_nulls.is_some(),
        schemas,
        extensions,
        collations,
        statistics,
        publications,
        publication_members,
        event_triggers,
        ts_dictionaries,
        ts_configurations,
        casts,
        rules,
        operators,
        wrappers,
        servers,
        user_mappings,
        foreign_columns,
        types,
        sequences,
        relations,
        columns,
        constraints,
        indexes,
        triggers,
        policies,
        functions: functions.into_iter().chain(aggregates).collect(),
        dependencies,
        unmanaged,
        privileges,
        owners,
        default_privileges: default_privileges.into_iter().flatten().collect(),
    };
    Ok((rows, stats.get()))
}

/// Asks `pg_get_indexdef` and `pg_get_constraintdef` for the definitions [`spell::spell`]
/// left to the server, and fills them in. Runs even when none are left, so a read
/// always issues the same queries.
async fn server_definitions(
    client: &Client,
    stats: &Cell<Stats>,
    indexes: &mut [IndexRow],
    constraints: &mut [ConstraintRow],
    left: spell::Left,
) -> Result<()> {
    use std::collections::HashMap;
    use tokio_postgres::types::Type;
    let context = "introspection: the definitions query";
    let found = client
        .query_typed(
            queries::DEFINITIONS,
            &[
                (&left.indexes, Type::OID_ARRAY),
                (&left.constraints, Type::OID_ARRAY),
            ],
        )
        .await
        .map_err(|e| database_error(context, &e))?;
    let mut index_definitions = HashMap::with_capacity(left.indexes.len());
    let mut constraint_definitions = HashMap::with_capacity(left.constraints.len());
    for row in &found {
        let read = |e| database_error(context, &e);
        let is_index: bool = row.try_get("is_index").map_err(read)?;
        let oid: u32 = row.try_get("oid").map_err(read)?;
        let definition: &str = row.try_get("definition").map_err(read)?;
        match is_index {
            true => index_definitions.insert(oid, definition),
            false => constraint_definitions.insert(oid, definition),
        };
    }
    for index in indexes.iter_mut().filter(|i| i.definition.is_none()) {
        if let Some(definition) = index_definitions.get(&index.oid) {
            index.definition = Some(rows::server_index_definition(definition));
        }
    }
    for constraint in constraints.iter_mut() {
        if let Some(definition) = constraint_definitions.get(&constraint.oid) {
            constraint.definition = rows::constraint_definition(definition);
        } else if constraint.definition.is_empty() {
            return Err(Error::Database {
                context: context.to_string(),
                message: format!("constraint {} has no definition", constraint.name),
            });
        }
    }
    let mut s = stats.get();
    s.queries += 1;
    s.rows += found.len();
    stats.set(s);
    Ok(())
}

/// The server's `server_version_num` (170010 for 17.10); an error below
/// [`queries::MIN_VERSION`].
async fn server_version(client: &Client) -> Result<i32> {
    const CONTEXT: &str = "introspection: reading the server version";
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .map_err(|e| database_error(CONTEXT, &e))?;
    let version: i32 = row.try_get(0).map_err(|e| database_error(CONTEXT, &e))?;
    if version < queries::MIN_VERSION {
        return Err(Error::Database {
            context: CONTEXT.to_string(),
            message: format!(
                "PostgreSQL {} is not supported: schemaplan reads PostgreSQL 13 and later",
                version / 10000
            ),
        });
    }
    Ok(version)
}

/// Runs one catalog query (`query_typed`: no separate prepare round trip) and decodes
/// its rows one by one as they stream in, so the raw rows of a large result are never
/// all held at once; counts both in `stats`.
async fn fetch<T>(
    client: &Client,
    stats: &Cell<Stats>,
    name: &str,
    sql: &str,
    mut from_row: impl FnMut(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    use futures_util::TryStreamExt;
    let context = || format!("introspection: the {name} query");
    let stream = client
        .query_typed_raw(
            sql,
            std::iter::empty::<(&str, tokio_postgres::types::Type)>(),
        )
        .await
        .map_err(|e| database_error(&context(), &e))?;
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(row) = stream
        .try_next()
        .await
        .map_err(|e| database_error(&context(), &e))?
    {
        out.push(from_row(&row)?);
    }
    out.shrink_to_fit();
    let mut s = stats.get();
    s.queries += 1;
    s.rows += out.len();
    stats.set(s);
    Ok(out)
}

/// A tokio-postgres error as [`Error::Database`], with PostgreSQL's detail when it has one.
fn database_error(context: &str, e: &tokio_postgres::Error) -> Error {
    let message = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    };
    Error::Database {
        context: context.to_string(),
        message,
    }
}
/// schemaplan's own schema (the history table of `apply`): never part of a declared
/// schema.
pub const HISTORY_SCHEMA: &str = "schemaplan";

/// A live database as a Catalog, without the migration tools' own tables: schemaplan's
/// history schema and Alembic's `alembic_version`.
pub async fn live_catalog(client: &Client) -> Result<Catalog> {
    let mut catalog = introspect(client).await?;
    without_tool_tables(&mut catalog);
    Ok(catalog)
}

/// Leaves out the migration tools' own tables (schemaplan's history schema, Alembic's
/// `alembic_version`): they are not part of the schema a team declares.
fn without_tool_tables(catalog: &mut Catalog) {
    catalog.retain_schemas(|s| s != HISTORY_SCHEMA);
    catalog.tables.retain(|n, _| n.name != "alembic_version");
}

/// One schema of a live database (a tenant's), as [`Catalog::keep_only_schema`]
/// leaves it; `None`: the whole database, as [`live_catalog`]. The catalog queries read
/// only that schema's rows (they skip other schemas while the session setting
/// `schemaplan.only_schema` names one), so a tenant's read costs what its schema holds,
/// not what the database holds. `in_transaction`: read in the client's open
/// transaction.
pub async fn live_schema(
    client: &Client,
    schema: Option<&str>,
    in_transaction: bool,
) -> Result<Catalog> {
    let read = async {
        if in_transaction {
            live_catalog_in_transaction(client).await
        } else {
            live_catalog(client).await
        }
    };
    let Some(schema) = schema else {
        return read.await;
    };
    let only = |value: &str| {
        format!(
            "SET schemaplan.only_schema = '{}'",
            value.replace('\'', "''")
        )
    };
    client
        .batch_execute(&only(schema))
        .await
        .map_err(|e| database_error("introspection: choosing the schema", &e))?;
    let catalog = read.await;
    // An empty value reads every schema again (a placeholder setting cannot be removed).
    let reset = client.batch_execute(&only("")).await;
    let mut catalog = catalog?;
    reset.map_err(|e| database_error("introspection: choosing the schema", &e))?;
    catalog.keep_only_schema(schema);
    Ok(catalog)
}

/// The schema as the client's open transaction sees it, without the history schema.
pub async fn live_catalog_in_transaction(client: &Client) -> Result<Catalog> {
    let mut catalog = introspect_in_transaction(client).await?;
    without_tool_tables(&mut catalog);
    Ok(catalog)
}
