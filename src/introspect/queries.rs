//! The catalog queries introspection runs, as named constants.
//!
//! Each query reads one kind of object for the whole database at once (set-based joins,
//! never one query per table), so the number of queries is fixed. They run inside a
//! `REPEATABLE READ READ ONLY` transaction with `search_path = ''`, which makes every
//! `pg_get_*def`, `format_type` and `pg_get_expr` output fully schema-qualified. Every
//! `"char"` column is cast to `text` and every `name` to `text`, so rows decode into
//! plain Rust strings. Unqualified catalog names still resolve: PostgreSQL searches
//! `pg_catalog` implicitly even when it is not on the search path.
//!
//! Does no I/O itself: [`super`] runs these and decodes their rows.

/// The schemas introspection skips: PostgreSQL's own (`pg_catalog`, `pg_toast`, the
/// per-session `pg_temp_N` / `pg_toast_temp_N`; users cannot create `pg_*` schemas),
/// `information_schema`, and `schemaplan`, where the revision history lives. While the
/// session setting `schemaplan.only_schema` names a schema, every other one is skipped
/// too (a tenant schema's read: [`super::live_schema`]).
macro_rules! user_schema {
    ($n:literal) => {
        concat!(
            "(",
            $n,
            ".nspname NOT LIKE 'pg\\_%' AND ",
            $n,
            ".nspname NOT IN ('information_schema', 'schemaplan') AND ",
            "coalesce(nullif(current_setting('schemaplan.only_schema', true), ''), ",
            $n,
            ".nspname) = ",
            $n,
            ".nspname)"
        )
    };
}

/// True when the object `(class, oid)` does not belong to an extension (`pg_depend`
/// rows with `deptype = 'e'`). The members are read once through the index on the
/// referenced side (they all reference `pg_extension`) into a hashed subplan, which
/// costs the same for five thousand tables as for five; an anti-join would probe
/// `pg_depend` once per row.
macro_rules! not_extension_member {
    ($class:literal, $oid:literal) => {
        concat!(
            $oid,
            " NOT IN (SELECT x.objid FROM pg_depend x",
            " WHERE x.refclassid = 'pg_extension'::regclass",
            " AND x.deptype = 'e' AND x.classid = '",
            $class,
            "'::regclass)"
        )
    };
}

/// True when the object `(class, oid)` is not an internal part of another object
/// (`deptype = 'i'`: the constructor functions and casts `CREATE TYPE ... AS RANGE`
/// makes, which come and go with their type).
macro_rules! not_internal {
    ($class:literal, $oid:literal) => {
        concat!(
            "NOT EXISTS (SELECT FROM pg_depend i WHERE i.classid = '",
            $class,
            "'::regclass AND i.objid = ",
            $oid,
            " AND i.deptype = 'i')"
        )
    };
}

/// The comment of `(class, oid, subid)`, joined from `pg_description` as `alias`.
macro_rules! comment_join {
    ($alias:literal, $class:literal, $oid:literal, $subid:literal) => {
        concat!(
            " LEFT JOIN pg_description ",
            $alias,
            " ON ",
            $alias,
            ".objoid = ",
            $oid,
            " AND ",
            $alias,
            ".classoid = '",
            $class,
            "'::regclass AND ",
            $alias,
            ".objsubid = ",
            $subid,
            " "
        )
    };
}

/// A collation rendered as SQL: `pg_catalog` ones by bare (quoted) name as PostgreSQL
/// itself prints them (`"C"`), others schema-qualified. `co`/`con` are the joined
/// `pg_collation` and its namespace.
macro_rules! collation_sql {
    () => {
        "CASE WHEN con.nspname = 'pg_catalog' THEN quote_ident(co.collname) \
         ELSE quote_ident(con.nspname) || '.' || quote_ident(co.collname) END"
    };
}

/// Lists user schemas with their comments; excludes system schemas and schemas created
/// by an extension.
pub const SCHEMAS: &str = concat!(
    "SELECT n.oid, n.nspname::text AS name, d.description AS comment ",
    "FROM pg_namespace n",
    comment_join!("d", "pg_namespace", "n.oid", "0"),
    "WHERE ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_namespace", "n.oid")
);

/// Lists installed extensions with schema, version and comment; excludes `plpgsql`,
/// which every database has.
pub const EXTENSIONS: &str = concat!(
    "SELECT e.oid, e.extname::text AS name, n.nspname::text AS schema, ",
    // The comment CREATE EXTENSION sets from the control file is no choice of the
    // schema's: read as none, like a schema file that says nothing (and offline mode,
    // which cannot know it).
    "e.extversion AS version, CASE WHEN d.description = a.comment THEN NULL ",
    "ELSE d.description END AS comment ",
    "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ",
    "LEFT JOIN pg_available_extensions a ON a.name = e.extname",
    comment_join!("d", "pg_extension", "e.oid", "0"),
    "WHERE e.extname <> 'plpgsql'"
);

/// Lists enum, domain and standalone composite types (labels aggregated in sort order,
/// domain base/default/collation); excludes table row types, array types, range and base
/// types (see [`UNMANAGED`]), and extension members.
pub const TYPES: &str = concat!(
    // One pass over pg_enum for all enums, rather than a subquery per type; materialized,
    // since the planner, expecting one type where there are thousands, otherwise joined
    // each type to the aggregate computed afresh (a second at 50,000 tables).
    "WITH l AS MATERIALIZED (SELECT enumtypid, ",
    "array_agg(enumlabel::text ORDER BY enumsortorder) AS labels ",
    "FROM pg_enum GROUP BY enumtypid) ",
    "SELECT t.oid, n.nspname::text AS schema, t.typname::text AS name, ",
    "t.typtype::text AS typtype, t.typrelid AS relid, ",
    "CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base, ",
    "t.typnotnull AS not_null, ",
    "CASE WHEN t.typtype = 'd' THEN coalesce(pg_get_expr(t.typdefaultbin, 0), t.typdefault) ",
    "END AS default_expr, ",
    "CASE WHEN t.typtype = 'd' AND t.typcollation <> b.typcollation THEN ",
    collation_sql!(),
    " END AS collation, ",
    "l.labels, d.description AS comment ",
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ",
    "LEFT JOIN pg_type b ON b.oid = t.typbasetype ",
    "LEFT JOIN pg_collation co ON co.oid = t.typcollation ",
    "LEFT JOIN pg_namespace con ON con.oid = co.collnamespace ",
    "LEFT JOIN pg_class r ON r.oid = t.typrelid ",
    "LEFT JOIN l ON l.enumtypid = t.oid",
    comment_join!("d", "pg_type", "t.oid", "0"),
    "WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND r.relkind = 'c')) AND ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_type", "t.oid")
);

/// Lists every sequence with its `pg_sequence` options and, when it has one, the column
/// that owns it (`deptype` `a` = OWNED BY, `i` = identity); excludes extension members.
pub const SEQUENCES: &str = concat!(
    "SELECT c.oid, n.nspname::text AS schema, c.relname::text AS name, ",
    "format_type(s.seqtypid, NULL) AS data_type, s.seqstart AS start, ",
    "s.seqincrement AS increment, s.seqmin AS min, s.seqmax AS max, s.seqcache AS cache, ",
    "s.seqcycle AS cycle, o.deptype::text AS owner_deptype, o.refobjid AS owner_relid, ",
    "on_.nspname::text AS owner_schema, oc.relname::text AS owner_table, ",
    "oa.attname::text AS owner_column, d.description AS comment ",
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "JOIN pg_sequence s ON s.seqrelid = c.oid ",
    "LEFT JOIN pg_depend o ON o.classid = 'pg_class'::regclass AND o.objid = c.oid ",
    "AND o.refclassid = 'pg_class'::regclass AND o.refobjsubid > 0 ",
    "AND o.deptype IN ('a', 'i') ",
    "LEFT JOIN pg_class oc ON oc.oid = o.refobjid ",
    "LEFT JOIN pg_namespace on_ ON on_.oid = oc.relnamespace ",
    "LEFT JOIN pg_attribute oa ON oa.attrelid = o.refobjid AND oa.attnum = o.refobjsubid",
    comment_join!("d", "pg_class", "c.oid", "0"),
    "WHERE c.relkind = 'S' AND ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_class", "c.oid")
);

/// Lists tables, partitioned tables, foreign tables, views and materialized views with
/// their partitioning, replica identity, plain-inheritance parents (in `inhseqno` order),
/// options (the TOAST table's too), view definition, `_RETURN` rule, row type, and a
/// foreign table's server and options; excludes extension members.
pub const RELATIONS: &str = concat!(
    "SELECT c.oid, n.nspname::text AS schema, c.relname::text AS name, ",
    "c.relkind::text AS relkind, c.relpersistence::text AS persistence, ",
    "c.relispartition AS is_partition, c.relrowsecurity AS rls_enabled, ",
    "c.relforcerowsecurity AS rls_forced, c.reloptions::text[] AS options, ",
    // The replica identity, and its index when it is `USING INDEX` (none when that
    // index was dropped: PostgreSQL then treats it as NOTHING).
    "c.relreplident::text AS replident, (SELECT ri.relname::text FROM pg_index x ",
    "JOIN pg_class ri ON ri.oid = x.indexrelid ",
    "WHERE x.indrelid = c.oid AND x.indisreplident) AS replident_index, ",
    "tc.reloptions::text[] AS toast_options, c.reltype AS row_type, ",
    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by, ",
    "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound, ",
    "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition, ",
    "rw.oid AS rule_oid, i.parent_schemas, i.parent_names, d.description AS comment, ",
    "fs.srvname::text AS foreign_server, coalesce(ft.ftoptions, '{}') AS foreign_options ",
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid ",
    "LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver ",
    "LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid ",
    "LEFT JOIN pg_rewrite rw ON rw.ev_class = c.oid AND rw.rulename = '_RETURN' ",
    // All parents of all tables in one aggregate, joined back by child.
    "LEFT JOIN (SELECT h.inhrelid, ",
    "array_agg(pn.nspname::text ORDER BY h.inhseqno) AS parent_schemas, ",
    "array_agg(pc.relname::text ORDER BY h.inhseqno) AS parent_names ",
    "FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent ",
    "JOIN pg_namespace pn ON pn.oid = pc.relnamespace ",
    "WHERE pc.relkind IN ('r', 'p') GROUP BY h.inhrelid) i ON i.inhrelid = c.oid",
    comment_join!("d", "pg_class", "c.oid", "0"),
    "WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_class", "c.oid")
);

/// The options of foreign tables' columns (`attfdwoptions`), by table and column.
pub const FOREIGN_COLUMN_OPTIONS: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS table_name, ",
    "a.attname::text AS column_name, a.attfdwoptions AS options ",
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE c.relkind = 'f' AND a.attnum > 0 AND NOT a.attisdropped ",
    "AND a.attfdwoptions IS NOT NULL AND ",
    user_schema!("n")
);

/// Lists the live columns (attnum > 0, not dropped) of tables, views, materialized views
/// and standalone composite types (unordered: sorted by the caller), with type, default or
/// generation expression (and its `pg_attrdef` oid), identity, explicit collation and
/// comment; excludes system schemas. Columns of extension members are not filtered here
/// (an anti-join per column costs more than it saves): the caller keeps only columns of
/// relations [`RELATIONS`] and [`TYPES`] listed.
pub const COLUMNS: &str = concat!(
    // Defaults and column comments hashed once, rather than probed per column.
    "WITH ad AS MATERIALIZED (SELECT oid, adrelid, adnum, adbin FROM pg_attrdef), ",
    "d AS MATERIALIZED (SELECT objoid, objsubid, description FROM pg_description ",
    "WHERE classoid = 'pg_class'::regclass AND objsubid > 0) ",
    "SELECT a.attrelid AS relid, a.attnum AS num, a.attname::text AS name, ",
    "format_type(a.atttypid, a.atttypmod) AS type_name, a.attnotnull AS not_null, ",
    "a.attidentity::text AS identity, a.attgenerated::text AS generated, ",
    // A default cannot reference columns, so it deparses without its table
    // (`pg_get_expr(expr, 0)`), which spares opening every table; only a generation
    // expression needs the table for its column names.
    "CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) ",
    "ELSE pg_get_expr(ad.adbin, ad.adrelid) END AS expr, ad.oid AS attrdef_oid, ",
    // A collation is explicit only when it differs from the type's own.
    "CASE WHEN a.attcollation <> t.typcollation THEN ",
    collation_sql!(),
    " END AS collation, ",
    "a.attcollation AS collation_oid, a.attislocal AS is_local, d.description AS comment ",
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "JOIN pg_type t ON t.oid = a.atttypid ",
    "LEFT JOIN ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum ",
    "LEFT JOIN pg_collation co ON co.oid = a.attcollation ",
    "LEFT JOIN pg_namespace con ON con.oid = co.collnamespace ",
    "LEFT JOIN d ON d.objoid = a.attrelid AND d.objsubid = a.attnum ",
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c') AND ",
    user_schema!("n")
);

/// PostgreSQL 18's NOT NULL constraints (`pg_constraint` rows of type `n`), with their
/// table's and column's names, validation, `NO INHERIT` and whether the table declares
/// it (a child may have it only from its parent); excludes system schemas.
pub const NOT_NULLS: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS table_name, ",
    "a.attname::text AS column_name, k.conname::text AS name, ",
    "NOT k.convalidated AS not_valid, k.connoinherit AS no_inherit, k.conislocal AS is_local ",
    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] ",
    "WHERE k.contype = 'n' AND ",
    user_schema!("n")
);

/// Lists table constraints (primary key, unique, foreign key, check, exclusion) and
/// domain checks, with definition, validation, referenced table and comment, and
/// whether the constraint comes from a parent (a partition's copy, `conparentid <> 0`,
/// or a check inherited through INHERITS, `coninhcount > 0`, merged or not, so both ways
/// of creating a child read the same); excludes constraint triggers' `t` rows (they are
/// triggers) and system schemas.
///
/// A primary key, unique key or foreign key on plain columns, with no `INCLUDE`,
/// `NULLS NOT DISTINCT`, `SET NULL (columns)`, `WITHOUT OVERLAPS`/`PERIOD` or `NOT
/// ENFORCED`, comes as its parts (`keys`, `ref_keys` and flags) for the caller to spell
/// as `pg_get_constraintdef` would (`spell`); so does a table's check (but one `NOT
/// ENFORCED`) as its expression's node tree (`deparse`). Every other constraint comes
/// with the function's definition. `$nulls_not_distinct`, `$set_columns` and `$plain_18` are
/// the conditions on catalog columns later versions added, or `false`/`true`.
macro_rules! constraints {
    ($nulls_not_distinct:literal, $set_columns:literal, $plain_18:literal) => {
        concat!(
            "SELECT q.oid, q.name, q.contype, q.relid, q.typid, ",
            "CASE WHEN NOT q.spell AND NOT q.is_check THEN pg_get_constraintdef(q.oid) END ",
            "AS definition, CASE WHEN q.spell THEN q.keys END AS keys, ",
            "CASE WHEN q.is_check THEN q.expression END AS expression, q.no_inherit, ",
            "CASE WHEN q.spell THEN q.ref_keys END AS ref_keys, q.ref_relid, ",
            "q.deferrable, q.deferred, q.match_type, q.on_update, q.on_delete, ",
            "q.validated, q.ref_schema, q.ref_table, q.comment, q.inherited FROM (",
            "SELECT k.oid, k.conname::text AS name, k.contype::text AS contype, ",
            "k.conrelid AS relid, k.contypid AS typid, k.conkey::int2[] AS keys, ",
            "k.confkey::int2[] AS ref_keys, k.confrelid AS ref_relid, ",
            "k.condeferrable AS deferrable, k.condeferred AS deferred, ",
            "k.confmatchtype::text AS match_type, k.confupdtype::text AS on_update, ",
            "k.confdeltype::text AS on_delete, ",
            "k.convalidated AS validated, rn.nspname::text AS ref_schema, ",
            "rc.relname::text AS ref_table, d.description AS comment, ",
            "(k.conparentid <> 0 OR (k.contype = 'c' AND k.coninhcount > 0)) AS inherited, ",
            "(k.contype = 'c' AND k.conrelid <> 0 AND ",
            $plain_18,
            ") AS is_check, k.conbin::text AS expression, k.connoinherit AS no_inherit, ",
            "(k.conrelid <> 0 AND ((k.contype = 'f' AND ",
            $set_columns,
            ") OR (k.contype IN ('p', 'u') AND ix.indnatts = cardinality(k.conkey) AND NOT ",
            $nulls_not_distinct,
            ")) AND ",
            $plain_18,
            ") AS spell ",
            "FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace ",
            "LEFT JOIN pg_index ix ON ix.indexrelid = k.conindid AND k.contype IN ('p', 'u') ",
            "LEFT JOIN pg_class rc ON rc.oid = k.confrelid ",
            "LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace",
            comment_join!("d", "pg_constraint", "k.oid", "0"),
            "WHERE ((k.conrelid <> 0 AND k.contype IN ('p', 'u', 'f', 'c', 'x')) ",
            "OR (k.contypid <> 0 AND k.contype = 'c')) AND ",
            user_schema!("n"),
            ") q"
        )
    };
}

/// [`constraints!`] from PostgreSQL 18 (temporal keys, `NOT ENFORCED`).
pub const CONSTRAINTS: &str = constraints!(
    "ix.indnullsnotdistinct",
    "k.confdelsetcols IS NULL",
    "NOT k.conperiod AND k.conenforced"
);

/// [`constraints!`] for PostgreSQL 15 to 17.
pub const CONSTRAINTS_15: &str =
    constraints!("ix.indnullsnotdistinct", "k.confdelsetcols IS NULL", "true");

/// [`constraints!`] before PostgreSQL 15.
pub const CONSTRAINTS_13: &str = constraints!("false", "true", "true");

/// Lists every index in user schemas with the constraint of its own table it backs (if
/// any) and whether it is a partition's copy attached to a parent index. The caller
/// skips indexes backing a constraint but needs them to resolve dependencies. Note an
/// FK's `conindid` names the referenced table's index, hence `conrelid = indrelid`.
///
/// An index with btree, hash or gin and built-in operator classes, and no storage
/// parameter, tablespace or `NULLS NOT DISTINCT`, not a partitioned parent, comes as
/// its parts (columns, classes, collations, orders, and its expressions and predicate
/// as node trees), for the caller to spell as `pg_get_indexdef` would (`spell`): the
/// function looks up the table, each column and each key column's default operator
/// class, cold in a new session, which at 50,000 tables is most of the read's time.
/// Every other index comes with `pg_get_indexdef`'s definition.
/// `$nulls_not_distinct` is `pg_index.indnullsnotdistinct` (PostgreSQL 15) or `false`.
macro_rules! indexes {
    ($nulls_not_distinct:literal) => {
        concat!(
            "SELECT q.oid, q.schema, q.name, q.relid, q.constraint_oid, q.is_attached, ",
            "q.method, q.is_unique, ",
            "q.key_count, CASE WHEN q.spell THEN q.keys END AS keys, ",
            "CASE WHEN q.spell THEN q.opclasses END AS opclasses, ",
            "CASE WHEN q.spell THEN q.collations END AS collations, ",
            "CASE WHEN q.spell THEN q.options END AS options, ",
            "CASE WHEN q.spell THEN q.expressions END AS expressions, ",
            "CASE WHEN q.spell THEN q.predicate END AS predicate, ",
            "CASE WHEN q.constraint_oid IS NULL AND NOT q.spell ",
            "THEN pg_get_indexdef(q.oid) END AS definition, q.valid, q.comment FROM (",
            "SELECT i.indexrelid AS oid, n.nspname::text AS schema, ic.relname::text AS name, ",
            "i.indrelid AS relid, k.oid AS constraint_oid, ",
            "(h.inhrelid IS NOT NULL) AS is_attached, ",
            "am.amname::text AS method, i.indisunique AS is_unique, ",
            "i.indnkeyatts AS key_count, i.indkey::int2[] AS keys, ",
            "i.indclass::oid[] AS opclasses, i.indcollation::oid[] AS collations, ",
            "i.indoption::int2[] AS options, i.indexprs::text AS expressions, ",
            "i.indpred::text AS predicate, ",
            "(k.oid IS NULL AND am.amname IN ('btree', 'hash', 'gin') AND ic.relkind = 'i' ",
            "AND ic.reloptions IS NULL ",
            "AND ic.reltablespace = 0 AND NOT ",
            $nulls_not_distinct,
            " AND i.indclass::oid[] <@ (SELECT array_agg(o.oid) FROM pg_opclass o ",
            "WHERE o.oid < 16384)) AS spell, ",
            "i.indisvalid AS valid, d.description AS comment ",
            "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid ",
            "JOIN pg_namespace n ON n.oid = ic.relnamespace ",
            "JOIN pg_am am ON am.oid = ic.relam ",
            "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid ",
            "AND k.contype IN ('p', 'u', 'x') ",
            "LEFT JOIN pg_inherits h ON h.inhrelid = i.indexrelid",
            comment_join!("d", "pg_class", "i.indexrelid", "0"),
            "WHERE ",
            user_schema!("n"),
            ") q"
        )
    };
}

/// [`indexes!`] from PostgreSQL 15.
pub const INDEXES: &str = indexes!("i.indnullsnotdistinct");

/// [`indexes!`] before PostgreSQL 15 (no `NULLS NOT DISTINCT`).
pub const INDEXES_13: &str = indexes!("false");

/// The operator classes of the access methods `spell` spells indexes of: each one's
/// name, whether it is its type's default, and the type it is for as `format_type`
/// spells it. `spell` names a built-in class (oid below 16384, all in `pg_catalog`) in a
/// definition; classes that extensions and users add count only for which class is a
/// type's default.
pub const OPCLASSES: &str = concat!(
    "SELECT o.oid, a.amname::text AS method, o.opcname::text AS name, ",
    "o.opcdefault AS is_default, format_type(o.opcintype, NULL) AS input_type ",
    "FROM pg_opclass o JOIN pg_am a ON a.oid = o.opcmethod ",
    "WHERE a.amname IN ('btree', 'hash', 'gin')"
);

/// The names `deparse` writes expressions with: the operators (`o`, with their operand
/// types) and functions (`f`, with their argument types, and whether no function of
/// the name has defaults or is variadic) in `pg_catalog`, and the labels of enums
/// (`e`, with their type).
pub const EXPRESSION_NAMES: &str = concat!(
    "SELECT 'o' AS kind, o.oid, o.oprname::text AS name, ",
    "ARRAY[o.oprleft, o.oprright] AS args, true AS plain FROM pg_operator o ",
    "WHERE o.oprnamespace = 'pg_catalog'::regnamespace UNION ALL ",
    "SELECT 'f', p.oid, p.proname::text, p.proargtypes::oid[], NOT EXISTS (",
    "SELECT FROM pg_proc s WHERE s.proname = p.proname AND s.pronamespace = p.pronamespace ",
    "AND (s.pronargdefaults > 0 OR s.provariadic <> 0)) ",
    "FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f' ",
    "UNION ALL SELECT 'e', e.oid, e.enumlabel::text, ARRAY[e.enumtypid], true FROM pg_enum e"
);

/// `pg_get_indexdef` of the indexes (`$1`) and `pg_get_constraintdef` of the
/// constraints (`$2`, both `oid[]`) `spell` left to the server.
pub const DEFINITIONS: &str = concat!(
    "SELECT true AS is_index, x.oid, pg_get_indexdef(x.oid) AS definition ",
    "FROM unnest($1::oid[]) AS x(oid) UNION ALL ",
    "SELECT false, y.oid, pg_get_constraintdef(y.oid) FROM unnest($2::oid[]) AS y(oid)"
);

/// Lists user triggers on tables and views with definition, enabled state and comment;
/// excludes internal triggers (foreign key machinery) and clones on partitions
/// (`tgparentid <> 0`).
pub const TRIGGERS: &str = concat!(
    "SELECT g.oid, g.tgrelid AS relid, g.tgname::text AS name, ",
    "pg_get_triggerdef(g.oid) AS definition, g.tgenabled::text AS enabled, ",
    "(g.tgconstraint <> 0) AS is_constraint, d.description AS comment ",
    "FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace",
    comment_join!("d", "pg_trigger", "g.oid", "0"),
    "WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND ",
    user_schema!("n")
);

/// Lists row level security policies with command, roles (`public` for 0), expressions
/// and comment; excludes system schemas.
pub const POLICIES: &str = concat!(
    "SELECT p.oid, p.polrelid AS relid, p.polname::text AS name, p.polcmd::text AS command, ",
    "p.polpermissive AS permissive, r.roles, ",
    "pg_get_expr(p.polqual, p.polrelid) AS using_expr, ",
    "pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr, d.description AS comment ",
    "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    // polroles is an array: unnest it once per policy (policies are few).
    "LEFT JOIN LATERAL (SELECT array_agg(CASE WHEN u.role = 0 THEN 'public' ",
    "ELSE ro.rolname::text END) AS roles FROM unnest(p.polroles) AS u(role) ",
    "LEFT JOIN pg_roles ro ON ro.oid = u.role) r ON true",
    comment_join!("d", "pg_policy", "p.oid", "0"),
    "WHERE ",
    user_schema!("n")
);

/// Lists functions and procedures with identity arguments, full definition, argument
/// list, result and comment; excludes aggregates and window functions (see
/// [`UNMANAGED`]), extension members and the constructors a range type makes.
pub const FUNCTIONS: &str = concat!(
    "SELECT p.oid, n.nspname::text AS schema, p.proname::text AS name, ",
    "p.prokind::text AS prokind, pg_get_function_identity_arguments(p.oid) AS identity_args, ",
    "pg_get_functiondef(p.oid) AS definition, pg_get_function_arguments(p.oid) AS arguments, ",
    "pg_get_function_result(p.oid) AS result, d.description AS comment ",
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
    comment_join!("d", "pg_proc", "p.oid", "0"),
    "WHERE p.prokind IN ('f', 'p') AND ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_proc", "p.oid"),
    " AND ",
    not_internal!("pg_proc", "p.oid")
);

/// A function of `pg_aggregate` as `regproc` prints it, NULL when there is none.
macro_rules! agg_func {
    ($col:literal, $as:literal) => {
        concat!("nullif(a.", $col, ", 0)::regproc::text AS ", $as, ", ")
    };
}

/// Lists aggregates with the parts of their definition (see `AggregateParts`):
/// functions as `regproc` prints them, types as `format_type` does, the sort
/// operator's name, and the comment. Excludes extension members.
pub const AGGREGATES: &str = concat!(
    "SELECT p.oid, n.nspname::text AS schema, p.proname::text AS name, ",
    "pg_get_function_identity_arguments(p.oid) AS identity_args, ",
    "pg_get_function_arguments(p.oid) AS arguments, a.aggkind::text AS kind, ",
    "a.aggtransfn::regproc::text AS sfunc, format_type(a.aggtranstype, NULL) AS stype, ",
    "a.aggtransspace AS sspace, ",
    agg_func!("aggfinalfn", "finalfunc"),
    "a.aggfinalextra AS finalfunc_extra, a.aggfinalmodify::text AS finalfunc_modify, ",
    agg_func!("aggcombinefn", "combinefunc"),
    agg_func!("aggserialfn", "serialfunc"),
    agg_func!("aggdeserialfn", "deserialfunc"),
    "a.agginitval AS initcond, ",
    agg_func!("aggmtransfn", "msfunc"),
    agg_func!("aggminvtransfn", "minvfunc"),
    "CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS mstype, ",
    "a.aggmtransspace AS msspace, ",
    agg_func!("aggmfinalfn", "mfinalfunc"),
    "a.aggmfinalextra AS mfinalfunc_extra, a.aggmfinalmodify::text AS mfinalfunc_modify, ",
    "a.aggminitval AS minitcond, ",
    "(SELECT CASE WHEN opn.nspname = 'pg_catalog' THEN o.oprname::text ",
    "ELSE 'OPERATOR(' || quote_ident(opn.nspname) || '.' || o.oprname || ')' END ",
    "FROM pg_operator o JOIN pg_namespace opn ON opn.oid = o.oprnamespace ",
    "WHERE o.oid = a.aggsortop) AS sortop, ",
    "p.proparallel::text AS parallel, d.description AS comment ",
    "FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid ",
    "JOIN pg_namespace n ON n.oid = p.pronamespace",
    comment_join!("d", "pg_proc", "p.oid", "0"),
    "WHERE ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_proc", "p.oid")
);

/// The dependencies query over `$depend`, a relation with `pg_depend`'s columns (see
/// [`DEPENDENCIES`] and [`DEPENDENCIES_13`]).
macro_rules! dependencies {
    ($depend:expr) => {
        concat!(
            // Extension membership, read once and used for both sides.
            "WITH member AS MATERIALIZED (SELECT classid, objid, refobjid FROM pg_depend ",
            "WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'), ",
            // While `schemaplan.only_schema` names a schema: the objects in it, of every
            // kind a dependent can be (none otherwise).
            "scope AS MATERIALIZED (SELECT x.oid FROM pg_namespace sn, LATERAL (",
            "SELECT c.oid FROM pg_class c WHERE c.relnamespace = sn.oid ",
            "UNION ALL SELECT t.oid FROM pg_type t WHERE t.typnamespace = sn.oid ",
            "UNION ALL SELECT p.oid FROM pg_proc p WHERE p.pronamespace = sn.oid ",
            "UNION ALL SELECT k.oid FROM pg_constraint k WHERE k.connamespace = sn.oid ",
            "UNION ALL SELECT a.oid FROM pg_attrdef a JOIN pg_class ac ON ac.oid = a.adrelid ",
            "WHERE ac.relnamespace = sn.oid ",
            "UNION ALL SELECT r.oid FROM pg_rewrite r JOIN pg_class rc ON rc.oid = r.ev_class ",
            "WHERE rc.relnamespace = sn.oid ",
            "UNION ALL SELECT g.oid FROM pg_trigger g JOIN pg_class gc ON gc.oid = g.tgrelid ",
            "WHERE gc.relnamespace = sn.oid ",
            "UNION ALL SELECT y.oid FROM pg_policy y JOIN pg_class yc ON yc.oid = y.polrelid ",
            "WHERE yc.relnamespace = sn.oid ",
            "UNION ALL SELECT s.oid FROM pg_statistic_ext s WHERE s.stxnamespace = sn.oid ",
            "UNION ALL SELECT o.oid FROM pg_operator o WHERE o.oprnamespace = sn.oid",
            ") x WHERE sn.nspname = current_setting('schemaplan.only_schema', true)) ",
            "SELECT d.classid, d.objid, d.objsubid, d.refclassid, ",
            "coalesce(el.oid, d.refobjid) AS refobjid, ",
            "CASE WHEN el.oid IS NULL THEN d.refobjsubid ELSE 0 END AS refobjsubid, ",
            "e.extname::text AS ref_extension ",
            "FROM ",
            $depend,
            " d ",
            "LEFT JOIN pg_type el ON d.refclassid = 'pg_type'::regclass AND el.typarray = d.refobjid ",
            "LEFT JOIN member m ON m.classid = d.refclassid AND m.objid = coalesce(el.oid, d.refobjid) ",
            "LEFT JOIN pg_extension e ON e.oid = m.refobjid ",
            "LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid ",
            "WHERE d.objid >= 16384 AND d.deptype IN ('n', 'a') AND d.classid IN (",
            "'pg_class'::regclass, 'pg_attrdef'::regclass, 'pg_rewrite'::regclass, ",
            "'pg_type'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass, ",
            "'pg_policy'::regclass, 'pg_proc'::regclass, 'pg_statistic_ext'::regclass, ",
            "'pg_cast'::regclass, 'pg_operator'::regclass) ",
            "AND NOT EXISTS (SELECT FROM member x ",
            "WHERE x.classid = d.classid AND x.objid = d.objid) ",
            "AND (coalesce(current_setting('schemaplan.only_schema', true), '') = '' ",
            "OR d.objid IN (SELECT oid FROM scope)) ",
            // Every default depends on its own column: a fact, not an ordering constraint.
            "AND NOT (ad.adrelid IS NOT NULL AND ad.adrelid = d.refobjid AND ad.adnum = d.refobjsubid)"
        )
    };
}

/// Lists the normal and automatic dependencies of user objects (oid >= 16384, the first
/// oid PostgreSQL hands out after initdb) of the kinds the model knows. A reference to
/// an array type is turned into its element type, and a referenced extension member
/// carries its extension's name. Excludes dependents that are extension members and
/// each default's dependency on its own column. For PostgreSQL 15 and later.
pub const DEPENDENCIES: &str = dependencies!("pg_depend");

/// [`DEPENDENCIES`] for PostgreSQL 13 and 14, which record what a generated column's
/// expression uses on the column itself rather than on its `pg_attrdef` row: those rows
/// (all but the column's own type and collation) are read as the `pg_attrdef` row's, as
/// 15 records them.
pub const DEPENDENCIES_13: &str = dependencies!(concat!(
    "(SELECT CASE WHEN g.oid IS NULL THEN p.classid ELSE 'pg_attrdef'::regclass::oid END AS classid, ",
    "coalesce(g.oid, p.objid) AS objid, CASE WHEN g.oid IS NULL THEN p.objsubid ELSE 0 END ",
    "AS objsubid, p.refclassid, p.refobjid, p.refobjsubid, p.deptype FROM pg_depend p ",
    "LEFT JOIN pg_attribute ga ON p.classid = 'pg_class'::regclass AND p.objsubid > 0 ",
    "AND ga.attrelid = p.objid AND ga.attnum = p.objsubid AND ga.attgenerated <> '' ",
    "AND NOT (p.refclassid = 'pg_type'::regclass AND p.refobjid = ga.atttypid) ",
    "AND NOT (p.refclassid = 'pg_collation'::regclass AND p.refobjid = ga.attcollation) ",
    "LEFT JOIN pg_attrdef g ON g.adrelid = ga.attrelid AND g.adnum = ga.attnum)"
));

/// Lists collations made with `CREATE COLLATION`, from the `locale`/`rules` column
/// expressions of each server version (`$locale`, `$rules`): provider (`c` libc, `i`
/// ICU, `b` builtin), determinism, the libc locales, the ICU or builtin locale, the ICU
/// rules and the comment. Excludes extension members.
macro_rules! collations {
    ($locale:literal, $rules:literal) => {
        concat!(
            "SELECT o.oid, n.nspname::text AS schema, o.collname::text AS name, ",
            "o.collprovider::text AS provider, o.collisdeterministic AS deterministic, ",
            "CASE WHEN o.collprovider = 'c' THEN o.collcollate END AS lc_collate, ",
            "CASE WHEN o.collprovider = 'c' THEN o.collctype END AS lc_ctype, ",
            "CASE WHEN o.collprovider <> 'c' THEN ",
            $locale,
            " END AS locale, ",
            $rules,
            " AS rules, d.description AS comment ",
            "FROM pg_collation o JOIN pg_namespace n ON n.oid = o.collnamespace",
            comment_join!("d", "pg_collation", "o.oid", "0"),
            "WHERE ",
            user_schema!("n"),
            " AND ",
            not_extension_member!("pg_collation", "o.oid")
        )
    };
}

/// [`collations!`] for PostgreSQL 17 and later (`colllocale`, `collicurules`).
pub const COLLATIONS: &str = collations!("o.colllocale", "o.collicurules");

/// [`collations!`] for PostgreSQL 16 (`colliculocale`, `collicurules`).
pub const COLLATIONS_16: &str = collations!("o.colliculocale", "o.collicurules");

/// [`collations!`] for PostgreSQL 15 (`colliculocale`, no rules).
pub const COLLATIONS_15: &str = collations!("o.colliculocale", "NULL::text");

/// [`collations!`] for PostgreSQL 13 and 14, which keep an ICU collation's locale in
/// `collcollate`.
pub const COLLATIONS_13: &str = collations!("o.collcollate", "NULL::text");

/// Lists extended statistics objects: table, kinds (`stxkind`), the columns in
/// attribute order (quoted as needed), the expressions (`$expressions`, an array; none
/// before PostgreSQL 14), the target when set (`-1` before 17 and `NULL` from 17 are
/// the default) and the comment. Excludes extension members.
macro_rules! statistics {
    ($expressions:literal) => {
        concat!(
            "SELECT s.oid, n.nspname::text AS schema, s.stxname::text AS name, ",
            "tn.nspname::text AS table_schema, c.relname::text AS table_name, ",
            "s.stxkind::text[] AS kinds, ",
            "coalesce((SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) ",
            "FROM pg_attribute a WHERE a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys)), ",
            "'{}') AS columns, ",
            $expressions,
            " AS expressions, nullif(s.stxstattarget::int, -1) AS target, ",
            "d.description AS comment ",
            "FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace ",
            "JOIN pg_class c ON c.oid = s.stxrelid JOIN pg_namespace tn ON tn.oid = c.relnamespace",
            comment_join!("d", "pg_statistic_ext", "s.oid", "0"),
            "WHERE ",
            user_schema!("n"),
            " AND ",
            not_extension_member!("pg_statistic_ext", "s.oid")
        )
    };
}

/// [`statistics!`] for PostgreSQL 14 and later.
pub const STATISTICS: &str =
    statistics!("coalesce(pg_get_statisticsobjdef_expressions(s.oid), '{}')");

/// [`statistics!`] for PostgreSQL 13, which has statistics on columns only.
pub const STATISTICS_13: &str = statistics!("'{}'::text[]");

/// Lists publications: what they publish, `publish_via_partition_root` and the comment.
pub const PUBLICATIONS: &str = concat!(
    "SELECT p.oid, p.pubname::text AS name, p.puballtables AS all_tables, ",
    "p.pubinsert AS insert, p.pubupdate AS update, p.pubdelete AS delete, ",
    "p.pubtruncate AS truncate, p.pubviaroot AS via_root, d.description AS comment ",
    "FROM pg_publication p",
    comment_join!("d", "pg_publication", "p.oid", "0")
);

/// Lists what publications list, one row each: a table (`name` set) with its column
/// list in attribute order and its row filter, or a schema (`name` NULL). For
/// PostgreSQL 15 and later.
pub const PUBLICATION_MEMBERS: &str = concat!(
    "SELECT p.pubname::text AS publication, n.nspname::text AS schema, ",
    "c.relname::text AS name, ",
    "(SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a ",
    "WHERE a.attrelid = r.prrelid AND a.attnum = ANY (r.prattrs)) AS columns, ",
    "pg_get_expr(r.prqual, r.prrelid) AS row_filter ",
    "FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid ",
    "JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "UNION ALL SELECT p.pubname::text, n.nspname::text, NULL, NULL, NULL ",
    "FROM pg_publication_namespace x JOIN pg_publication p ON p.oid = x.pnpubid ",
    "JOIN pg_namespace n ON n.oid = x.pnnspid"
);

/// [`PUBLICATION_MEMBERS`] for PostgreSQL 13 and 14: tables only, whole.
pub const PUBLICATION_MEMBERS_13: &str = concat!(
    "SELECT p.pubname::text AS publication, n.nspname::text AS schema, ",
    "c.relname::text AS name, NULL::text[] AS columns, NULL::text AS row_filter ",
    "FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid ",
    "JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
);

/// Lists event triggers: event, command tags, function, firing and comment. Excludes
/// extension members.
pub const EVENT_TRIGGERS: &str = concat!(
    "SELECT e.evtname::text AS name, e.evtevent::text AS event, ",
    "coalesce(e.evttags, '{}') AS tags, n.nspname::text AS function_schema, ",
    "p.proname::text AS function_name, e.evtenabled::text AS enabled, ",
    "d.description AS comment ",
    "FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid ",
    "JOIN pg_namespace n ON n.oid = p.pronamespace",
    comment_join!("d", "pg_event_trigger", "e.oid", "0"),
    "WHERE ",
    not_extension_member!("pg_event_trigger", "e.oid")
);

/// A text search object of `pg_catalog` by bare (quoted) name, others
/// schema-qualified: `$n` the namespace alias, `$name` the name column.
macro_rules! ts_name {
    ($n:literal, $name:literal) => {
        concat!(
            "CASE WHEN ",
            $n,
            ".nspname = 'pg_catalog' THEN quote_ident(",
            $name,
            ") ",
            "ELSE quote_ident(",
            $n,
            ".nspname) || '.' || quote_ident(",
            $name,
            ") END"
        )
    };
}

/// Lists text search dictionaries: template, options (`dictinitoption`) and comment.
/// Excludes extension members.
pub const TS_DICTIONARIES: &str = concat!(
    "SELECT n.nspname::text AS schema, d.dictname::text AS name, ",
    ts_name!("tn", "t.tmplname"),
    " AS template, d.dictinitoption AS options, ",
    "c.description AS comment ",
    "FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace ",
    "JOIN pg_ts_template t ON t.oid = d.dicttemplate ",
    "JOIN pg_namespace tn ON tn.oid = t.tmplnamespace",
    comment_join!("c", "pg_ts_dict", "d.oid", "0"),
    "WHERE ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_ts_dict", "d.oid")
);

/// One column of the dictionaries of a configuration outside `pg_catalog` (`s` their
/// schemas, `nm` their names, in one order), named `$as`.
macro_rules! user_dicts {
    ($col:literal, $as:literal) => {
        concat!(
            "coalesce((SELECT array_agg(u.",
            $col,
            " ORDER BY u.s, u.nm) FROM (",
            "SELECT DISTINCT dn.nspname::text AS s, d.dictname::text AS nm ",
            "FROM pg_ts_config_map m JOIN pg_ts_dict d ON d.oid = m.mapdict ",
            "JOIN pg_namespace dn ON dn.oid = d.dictnamespace ",
            "WHERE m.mapcfg = g.oid AND dn.nspname <> 'pg_catalog') u), '{}') AS ",
            $as,
            ", "
        )
    };
}

/// Lists text search configurations with their parser, their mappings (`token=dict,
/// dict` each) and comment. Excludes extension members.
pub const TS_CONFIGURATIONS: &str = concat!(
    "SELECT g.oid, n.nspname::text AS schema, g.cfgname::text AS name, ",
    ts_name!("pn", "p.prsname"),
    " AS parser, ",
    "coalesce((SELECT array_agg(x.alias || '=' || x.dicts ORDER BY x.alias) FROM (",
    "SELECT t.alias, string_agg(",
    ts_name!("dn", "d.dictname"),
    ", ',' ORDER BY m.mapseqno) AS dicts ",
    "FROM pg_ts_config_map m JOIN ts_token_type(g.cfgparser) t ON t.tokid = m.maptokentype ",
    "JOIN pg_ts_dict d ON d.oid = m.mapdict JOIN pg_namespace dn ON dn.oid = d.dictnamespace ",
    "WHERE m.mapcfg = g.oid GROUP BY t.alias) x), '{}') AS mappings, ",
    user_dicts!("s", "dict_schemas"),
    user_dicts!("nm", "dict_names"),
    "c.description AS comment ",
    "FROM pg_ts_config g JOIN pg_namespace n ON n.oid = g.cfgnamespace ",
    "JOIN pg_ts_parser p ON p.oid = g.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace",
    comment_join!("c", "pg_ts_config", "g.oid", "0"),
    "WHERE ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_ts_config", "g.oid")
);

/// Lists casts made with `CREATE CAST`: types as `format_type` prints them, the
/// function as `regprocedure` does, method, context and comment. Excludes built-in
/// casts, extension members and the casts a range type makes for itself.
pub const CASTS: &str = concat!(
    "SELECT c.oid, format_type(c.castsource, NULL) AS source, ",
    "format_type(c.casttarget, NULL) AS target, ",
    "CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END AS function, ",
    "c.castmethod::text AS method, c.castcontext::text AS context, d.description AS comment ",
    "FROM pg_cast c",
    comment_join!("d", "pg_cast", "c.oid", "0"),
    "WHERE c.oid >= 16384 AND NOT EXISTS (SELECT FROM pg_depend x ",
    "WHERE x.classid = 'pg_cast'::regclass AND x.objid = c.oid AND x.deptype IN ('e', 'i'))"
);

/// Lists rewrite rules other than a view's own `_RETURN`: relation, name, definition
/// (`pg_get_ruledef`), firing and comment. Excludes extension members.
pub const RULES: &str = concat!(
    "SELECT r.oid, n.nspname::text AS schema, c.relname::text AS relation, ",
    "r.rulename::text AS name, pg_get_ruledef(r.oid) AS definition, ",
    "r.ev_enabled::text AS enabled, d.description AS comment ",
    "FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace",
    comment_join!("d", "pg_rewrite", "r.oid", "0"),
    "WHERE r.rulename <> '_RETURN' AND ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_rewrite", "r.oid")
);

/// An operator of `pg_operator` `$oid` as `OPERATOR(schema.op)` (a server's own: bare),
/// NULL for none.
macro_rules! operator_ref {
    ($oid:literal, $as:literal) => {
        concat!(
            "(SELECT CASE WHEN xn.nspname = 'pg_catalog' THEN x.oprname::text ",
            "ELSE 'OPERATOR(' || quote_ident(xn.nspname) || '.' || x.oprname || ')' END ",
            "FROM pg_operator x JOIN pg_namespace xn ON xn.oid = x.oprnamespace ",
            "WHERE x.oid = ",
            $oid,
            ") AS ",
            $as,
            ", "
        )
    };
}

/// Lists operators made with `CREATE OPERATOR` (not shells, which only stand for an
/// operator named as a commutator or negator): types as `format_type` prints them,
/// functions as `regproc` does, and the comment. Excludes extension members.
pub const OPERATORS: &str = concat!(
    "SELECT o.oid, n.nspname::text AS schema, o.oprname::text AS name, ",
    "CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS left_type, ",
    "format_type(o.oprright, NULL) AS right_type, o.oprcode::regproc::text AS function, ",
    operator_ref!("o.oprcom", "commutator"),
    operator_ref!("o.oprnegate", "negator"),
    "nullif(o.oprrest, 0)::regproc::text AS restrict, ",
    "nullif(o.oprjoin, 0)::regproc::text AS join_function, ",
    "o.oprcanhash AS hashes, o.oprcanmerge AS merges, d.description AS comment ",
    "FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace",
    comment_join!("d", "pg_operator", "o.oid", "0"),
    "WHERE o.oprcode <> 0 AND ",
    user_schema!("n"),
    " AND ",
    not_extension_member!("pg_operator", "o.oid")
);

/// Foreign-data wrappers: handler and validator as `regproc` prints them, options as
/// `name=value` texts, the comment. Excludes extension members.
pub const FOREIGN_DATA_WRAPPERS: &str = concat!(
    "SELECT w.fdwname::text AS name, nullif(w.fdwhandler, 0)::regproc::text AS handler, ",
    "nullif(w.fdwvalidator, 0)::regproc::text AS validator, ",
    "coalesce(w.fdwoptions, '{}') AS options, d.description AS comment ",
    "FROM pg_foreign_data_wrapper w",
    comment_join!("d", "pg_foreign_data_wrapper", "w.oid", "0"),
    "WHERE ",
    not_extension_member!("pg_foreign_data_wrapper", "w.oid")
);

/// Foreign servers: wrapper (and the extension that made it, if one did), type,
/// version, options, comment. Excludes extension members.
pub const FOREIGN_SERVERS: &str = concat!(
    "SELECT s.srvname::text AS name, w.fdwname::text AS wrapper, ",
    "(SELECT e.extname::text FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid ",
    "WHERE x.classid = 'pg_foreign_data_wrapper'::regclass AND x.objid = w.oid ",
    "AND x.deptype = 'e') AS wrapper_extension, ",
    "s.srvtype AS server_type, s.srvversion AS version, ",
    "coalesce(s.srvoptions, '{}') AS options, d.description AS comment ",
    "FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw",
    comment_join!("d", "pg_foreign_server", "s.oid", "0"),
    "WHERE ",
    not_extension_member!("pg_foreign_server", "s.oid")
);

/// User mappings (`pg_user_mappings`, which shows the options to those allowed to see
/// them): server, user (`PUBLIC` for all), options.
pub const USER_MAPPINGS: &str = concat!(
    "SELECT srvname::text AS server, ",
    "CASE WHEN umuser = 0 THEN 'PUBLIC' ELSE usename::text END AS username, ",
    "coalesce(umoptions, '{}') AS options FROM pg_user_mappings"
);

/// Lists objects schemaplan does not manage yet, described by `pg_identify_object`:
/// window functions,
/// range/base/pseudo types, operator shells, operator classes and families,
/// text search parsers and templates, conversions, languages,
/// subscriptions. Excludes system
/// schemas, built-in objects (oid < 16384), extension members and internal parts of
/// other objects (the casts a range type makes). Multirange types are left out: one
/// always comes with its range type, which is listed.
pub const UNMANAGED: &str =
    concat!(
    "SELECT u.kind, u.schema, o.identity AS name FROM (",
    "SELECT 'pg_proc'::regclass AS classid, p.oid, 'window function' AS kind, ",
    "n.nspname::text AS schema ",
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace ",
    "WHERE p.prokind = 'w' AND ", user_schema!("n"),
    " UNION ALL SELECT 'pg_type'::regclass, t.oid, ",
    "CASE t.typtype WHEN 'r' THEN 'range type' WHEN 'b' THEN 'base type' ELSE 'pseudo type' END, ",
    "n.nspname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ",
    "WHERE t.typtype IN ('r', 'b', 'p') AND ", user_schema!("n"),
    // Array types are created along with their element type.
    " AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)",
    " UNION ALL SELECT 'pg_operator'::regclass, o.oid, 'operator shell', n.nspname::text ",
    "FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace ",
    "WHERE o.oprcode = 0 AND ", user_schema!("n"),
    " UNION ALL SELECT 'pg_opclass'::regclass, o.oid, 'operator class', n.nspname::text ",
    "FROM pg_opclass o JOIN pg_namespace n ON n.oid = o.opcnamespace WHERE ", user_schema!("n"),
    " UNION ALL SELECT 'pg_opfamily'::regclass, o.oid, 'operator family', n.nspname::text ",
    "FROM pg_opfamily o JOIN pg_namespace n ON n.oid = o.opfnamespace WHERE ", user_schema!("n"),
    " UNION ALL SELECT 'pg_ts_parser'::regclass, o.oid, 'text search parser', n.nspname::text ",
    "FROM pg_ts_parser o JOIN pg_namespace n ON n.oid = o.prsnamespace WHERE ", user_schema!("n"),
    " UNION ALL SELECT 'pg_ts_template'::regclass, o.oid, 'text search template', n.nspname::text ",
    "FROM pg_ts_template o JOIN pg_namespace n ON n.oid = o.tmplnamespace ",
    "WHERE ", user_schema!("n"),
    " UNION ALL SELECT 'pg_conversion'::regclass, o.oid, 'conversion', n.nspname::text ",
    "FROM pg_conversion o JOIN pg_namespace n ON n.oid = o.connamespace WHERE ", user_schema!("n"),
    // Objects without a schema: user-made ones are those past initdb's oids.
    " UNION ALL SELECT 'pg_language'::regclass, oid, 'language', NULL FROM pg_language ",
    "WHERE oid >= 16384",
    " UNION ALL SELECT 'pg_subscription'::regclass, oid, 'subscription', NULL ",
    "FROM pg_subscription ",
    "WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
    ") u CROSS JOIN LATERAL pg_identify_object(u.classid, u.oid, 0) o ",
    "WHERE NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = u.classid ",
    "AND x.objid = u.oid AND x.deptype IN ('e', 'i'))"
);

/// The grants of one ACL `$acl` beyond its owner `$owner`'s, as four arrays in one
/// order, named `$prefix` + `grantees` (`PUBLIC` for role 0), `privileges`, `grantable`,
/// `grantors` (empty for the owner).
macro_rules! acl_arrays {
    ($acl:literal, $owner:literal, $prefix:literal) => {
        concat!(
            "(SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ",
            "ELSE pg_get_userbyid(x.grantee)::text END ORDER BY x.grantee, x.privilege_type, x.grantor) ",
            "FROM aclexplode(nullif(", $acl, ", '{}')) x WHERE x.grantee <> ", $owner, ") AS ", $prefix, "grantees, ",
            "(SELECT array_agg(x.privilege_type ORDER BY x.grantee, x.privilege_type, x.grantor) ",
            "FROM aclexplode(nullif(", $acl, ", '{}')) x WHERE x.grantee <> ", $owner, ") AS ", $prefix, "privileges, ",
            "(SELECT array_agg(x.is_grantable ORDER BY x.grantee, x.privilege_type, x.grantor) ",
            "FROM aclexplode(nullif(", $acl, ", '{}')) x WHERE x.grantee <> ", $owner, ") AS ", $prefix, "grantable, ",
            "(SELECT array_agg(CASE WHEN x.grantor = ", $owner, " THEN '' ELSE pg_get_userbyid(x.grantor)::text END ",
            "ORDER BY x.grantee, x.privilege_type, x.grantor) ",
            "FROM aclexplode(nullif(", $acl, ", '{}')) x WHERE x.grantee <> ", $owner, ") AS ", $prefix, "grantors"
        )
    };
}

/// Lists the explicit ACLs (`relacl`, `attacl`, `proacl`, `typacl`, `nspacl`) of user
/// objects as `(classid, objid, objsubid)` with the grants beyond the owner's, and the
/// same for the object's default: its initial privileges (`pg_init_privs`, which the
/// `public` schema has) or else `acldefault`. Objects without an ACL (NULL: the
/// default) are left out; the caller drops those whose grants equal the default.
/// Extension members are left out by the caller, which knows only non-members.
pub const PRIVILEGES: &str = concat!(
    "SELECT o.classid, o.objid, o.objsubid, ",
    acl_arrays!("o.acl", "o.owner", ""),
    ", ",
    acl_arrays!("coalesce(ip.initprivs, o.base)", "o.owner", "default_"),
    " ",
    "FROM (",
    "SELECT 'pg_class'::regclass::oid AS classid, c.oid AS objid, 0 AS objsubid, ",
    "c.relowner AS owner, c.relacl AS acl, ",
    "acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner) AS base ",
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_class'::regclass::oid, a.attrelid, a.attnum::int, c.relowner, a.attacl, ",
    "NULL::aclitem[] FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped ",
    "AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_proc'::regclass::oid, p.oid, 0, p.proowner, p.proacl, ",
    "acldefault('f', p.proowner) FROM pg_proc p ",
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proacl IS NOT NULL AND ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_type'::regclass::oid, t.oid, 0, t.typowner, t.typacl, ",
    "acldefault('T', t.typowner) FROM pg_type t ",
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typacl IS NOT NULL AND ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_namespace'::regclass::oid, n.oid, 0, n.nspowner, n.nspacl, ",
    "acldefault('n', n.nspowner) FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND ",
    user_schema!("n"),
    ") o LEFT JOIN pg_init_privs ip ON ip.classoid = o.classid AND ip.objoid = o.objid ",
    "AND ip.objsubid = o.objsubid"
);

/// Lists the default privileges (`pg_default_acl`) database-wide and in user schemas:
/// the creating role (`CURRENT_USER` for the role reading the catalog), the schema
/// (NULL: database-wide), the kind of object (`defaclobjtype`) and the grants beyond
/// the role's own.
pub const DEFAULT_PRIVILEGES: &str = concat!(
    "SELECT CASE WHEN d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) ",
    "THEN 'CURRENT_USER' ELSE pg_get_userbyid(d.defaclrole)::text END AS role, ",
    "n.nspname::text AS schema, d.defaclobjtype::text AS kind, ",
    acl_arrays!("d.defaclacl", "d.defaclrole", ""),
    " FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ",
    "WHERE d.defaclnamespace = 0 OR ",
    user_schema!("n"),
    " ORDER BY 1, 2, 3"
);

/// Lists the owners of user tables, views, materialized views, sequences, functions,
/// procedures, types and schemas as `(classid, objid, owner)`, leaving out what the
/// role reading the catalog owns (objects it creates are its own anyway). Extension
/// members and row types are left out by the caller, which holds no node for them.
pub const OWNERS: &str = concat!(
    "SELECT o.classid, o.objid, o.owner::regrole::text AS owner FROM (",
    "SELECT 'pg_class'::regclass::oid AS classid, c.oid AS objid, c.relowner AS owner ",
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_proc'::regclass::oid, p.oid, p.proowner FROM pg_proc p ",
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_type'::regclass::oid, t.oid, t.typowner FROM pg_type t ",
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype IN ('c', 'd', 'e') AND ",
    user_schema!("n"),
    " UNION ALL ",
    "SELECT 'pg_namespace'::regclass::oid, n.oid, n.nspowner FROM pg_namespace n WHERE ",
    user_schema!("n"),
    ") o WHERE o.owner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)"
);

/// The lowest `server_version_num` introspection reads (`pg_trigger.tgparentid` is
/// from PostgreSQL 13).
pub const MIN_VERSION: i32 = 130000;

/// The catalog queries for a server of `server_version_num` `version`: the constants
/// above, with the version's own where a catalog changed. `version` is at least
/// [`MIN_VERSION`].
#[derive(Clone, Copy, Debug)]
pub struct ForVersion {
    /// [`DEPENDENCIES_13`] before 15, [`DEPENDENCIES`] from 15.
    pub dependencies: &'static str,
    /// [`COLLATIONS_13`], [`COLLATIONS_15`], [`COLLATIONS_16`] or [`COLLATIONS`].
    pub collations: &'static str,
    /// [`STATISTICS_13`] before 14, [`STATISTICS`] from 14.
    pub statistics: &'static str,
    /// [`PUBLICATION_MEMBERS_13`] before 15, [`PUBLICATION_MEMBERS`] from 15.
    pub publication_members: &'static str,
    /// [`NOT_NULLS`] from 18 (before, a NOT NULL is no constraint of its own).
    pub not_nulls: Option<&'static str>,
    /// [`INDEXES_13`] before 15, [`INDEXES`] from 15.
    pub indexes: &'static str,
    /// [`CONSTRAINTS_13`], [`CONSTRAINTS_15`] (15 to 17) or [`CONSTRAINTS`].
    pub constraints: &'static str,
}

impl ForVersion {
    /// The queries for `version` (`server_version_num`, e.g. 170010).
    pub fn new(version: i32) -> ForVersion {
        ForVersion {
            dependencies: if version < 150000 {
                DEPENDENCIES_13
            } else {
                DEPENDENCIES
            },
            collations: match version {
                ..150000 => COLLATIONS_13,
                150000..160000 => COLLATIONS_15,
                160000..170000 => COLLATIONS_16,
                _ => COLLATIONS,
            },
            statistics: if version < 140000 {
                STATISTICS_13
            } else {
                STATISTICS
            },
            publication_members: if version < 150000 {
                PUBLICATION_MEMBERS_13
            } else {
                PUBLICATION_MEMBERS
            },
            not_nulls: (version >= 180000).then_some(NOT_NULLS),
            indexes: if version < 150000 {
                INDEXES_13
            } else {
                INDEXES
            },
            constraints: match version {
                ..150000 => CONSTRAINTS_13,
                150000..180000 => CONSTRAINTS_15,
                _ => CONSTRAINTS,
            },
        }
    }
}

/// Every catalog query of the newest PostgreSQL, with a name for error messages.
/// [`DEFINITIONS`], which takes the oids the others found, is not among them.
pub const ALL: &[(&str, &str)] = &[
    ("schemas", SCHEMAS),
    ("extensions", EXTENSIONS),
    ("collations", COLLATIONS),
    ("statistics", STATISTICS),
    ("publications", PUBLICATIONS),
    ("publication members", PUBLICATION_MEMBERS),
    ("event triggers", EVENT_TRIGGERS),
    ("aggregates", AGGREGATES),
    ("text search dictionaries", TS_DICTIONARIES),
    ("text search configurations", TS_CONFIGURATIONS),
    ("casts", CASTS),
    ("rules", RULES),
    ("operators", OPERATORS),
    ("foreign data wrappers", FOREIGN_DATA_WRAPPERS),
    ("foreign servers", FOREIGN_SERVERS),
    ("user mappings", USER_MAPPINGS),
    ("foreign column options", FOREIGN_COLUMN_OPTIONS),
    ("types", TYPES),
    ("sequences", SEQUENCES),
    ("relations", RELATIONS),
    ("columns", COLUMNS),
    ("constraints", CONSTRAINTS),
    ("not nulls", NOT_NULLS),
    ("indexes", INDEXES),
    ("operator classes", OPCLASSES),
    ("expression names", EXPRESSION_NAMES),
    ("triggers", TRIGGERS),
    ("policies", POLICIES),
    ("functions", FUNCTIONS),
    ("dependencies", DEPENDENCIES),
    ("unmanaged", UNMANAGED),
    ("privileges", PRIVILEGES),
    ("owners", OWNERS),
    ("default privileges", DEFAULT_PRIVILEGES),
];
