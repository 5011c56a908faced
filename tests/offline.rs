//! Offline mode: the DDL interpreter on small schemas and scripts, no database.

use std::path::Path;

use schemaplan::diff::diff;
use schemaplan::model::{Catalog, ConstraintKind, ObjectId, QualName, ReplicaIdentity, TypeKind};
use schemaplan::offline::{interpret, interpret_script};
use schemaplan::order::order;
use schemaplan::parse::order_statements;
use schemaplan::parse::{parse_sql, split_script};
use schemaplan::render::render;

fn schema(sql: &str) -> Catalog {
    try_schema(sql).unwrap_or_else(|e| panic!("{e}"))
}

fn try_schema(sql: &str) -> schemaplan::Result<Catalog> {
    let statements = order_statements(parse_sql(Path::new("schema.sql"), sql)?)?;
    interpret(&statements)
}

fn script(catalog: &mut Catalog, sql: &str) -> schemaplan::Result<()> {
    let statements = split_script(Path::new("plans/r.sql"), sql, 1)?;
    interpret_script(catalog, &statements)
}

fn q(name: &str) -> QualName {
    QualName::new("public", name)
}

#[test]
fn every_spelling_of_a_type_reads_the_same() {
    let a = schema(
        "CREATE TABLE t (a int, b varchar(20), c timestamptz, d float8, e decimal(10,2), f int4[])",
    );
    let b = schema(
        "CREATE TABLE t (a integer, b character varying(20), c timestamp with time zone, \
         d double precision, e numeric(10,2), f pg_catalog.int4[])",
    );
    assert!(diff(&a, &b).is_empty(), "{:?}", diff(&a, &b));
    let t = &a.tables[&q("t")];
    assert_eq!(t.columns["a"].type_name, "integer");
    assert_eq!(t.columns["b"].type_name, "character varying(20)");
    assert_eq!(t.columns["c"].type_name, "timestamp with time zone");
    assert_eq!(t.columns["f"].type_name, "integer[]");
    let c = schema("CREATE TABLE t (a bigint, b varchar(20), c timestamptz, d float8, e decimal(10,2), f int4[])");
    assert!(!diff(&a, &c).is_empty());
}

#[test]
fn expressions_compare_by_meaning_not_spelling() {
    let a = schema("CREATE TABLE t (a int DEFAULT 0, b text DEFAULT 'x', c int CHECK (c > 0), d varchar CHECK (d::varchar <> ''))");
    let b = schema(
        "CREATE TABLE t (a int DEFAULT (0), b text DEFAULT 'x'::text, c int CHECK ((c > (0))), \
         d varchar CHECK (CAST(d AS character varying) <> ''))",
    );
    assert!(diff(&a, &b).is_empty(), "{:?}", diff(&a, &b));
    let c = schema("CREATE TABLE t (a int DEFAULT 1, b text DEFAULT 'x', c int CHECK (c > 0), d varchar CHECK (d::varchar <> ''))");
    assert!(!diff(&a, &c).is_empty());
}

#[test]
fn serial_is_an_integer_with_an_owned_sequence_and_a_default() {
    let c = schema("CREATE TABLE t (id serial PRIMARY KEY, big bigserial)");
    let t = &c.tables[&q("t")];
    let id = &t.columns["id"];
    assert_eq!(id.type_name, "integer");
    assert!(id.not_null);
    assert_eq!(
        id.default.as_deref(),
        Some("nextval('public.t_id_seq'::regclass)")
    );
    assert!(id.default_deps.contains(&ObjectId::Sequence(q("t_id_seq"))));
    let seq = &c.sequences[&q("t_id_seq")];
    assert_eq!(seq.data_type, "integer");
    assert_eq!(seq.owned_by, Some((q("t"), "id".to_string())));
    assert_eq!(c.sequences[&q("t_big_seq")].data_type, "bigint");
    assert_eq!(
        t.constraints.get("t_pkey").unwrap().kind,
        ConstraintKind::PrimaryKey
    );
    // Written out by hand, it is the same schema.
    let by_hand = schema(
        "CREATE SEQUENCE t_id_seq AS integer; CREATE SEQUENCE t_big_seq; \
         CREATE TABLE t (id integer NOT NULL DEFAULT nextval('t_id_seq'), \
         big bigint NOT NULL DEFAULT nextval('public.t_big_seq'::regclass), PRIMARY KEY (id)); \
         ALTER SEQUENCE t_id_seq OWNED BY t.id; ALTER SEQUENCE t_big_seq OWNED BY t.big",
    );
    assert!(diff(&c, &by_hand).is_empty(), "{:?}", diff(&c, &by_hand));
}

#[test]
fn partitions_hang_on_their_parent_with_its_columns() {
    let c = schema(
        "CREATE TABLE m (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (d); \
         CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); \
         CREATE TABLE m_rest PARTITION OF m DEFAULT",
    );
    let parent = &c.tables[&q("m")];
    assert!(parent.partition_by.as_deref().unwrap().contains("(d)"));
    let p = &c.tables[&q("m_2024")];
    let of = p.partition_of.as_ref().unwrap();
    assert_eq!(of.parent, q("m"));
    assert!(
        of.bound.starts_with("FOR VALUES FROM ('2024-01-01')"),
        "{}",
        of.bound
    );
    assert_eq!(p.columns.keys().collect::<Vec<_>>(), ["id", "d"]);
    assert!(p.columns["d"].not_null);
    assert!(p.constraints.is_empty());
    // The partition's copy of the primary key, named as PostgreSQL names it.
    assert!(p.inherited_constraints.contains_key("m_2024_pkey"));
    assert_eq!(
        c.tables[&q("m_rest")].partition_of.as_ref().unwrap().bound,
        "DEFAULT"
    );
}

#[test]
fn enum_values_are_added_where_asked_and_renamed() {
    let mut c = schema("CREATE TYPE mood AS ENUM ('sad', 'happy')");
    script(
        &mut c,
        "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';\n\
         ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy';\n\
         ALTER TYPE mood ADD VALUE 'meh';\n\
         ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad';\n\
         ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n",
    )
    .unwrap();
    let TypeKind::Enum { labels } = &c.types[&q("mood")].kind else {
        panic!("not an enum");
    };
    assert_eq!(labels, &["blue", "ok", "happy", "ecstatic", "meh"]);
}

#[test]
fn renames_follow_through_to_what_uses_the_object() {
    let mut c = schema(
        "CREATE TABLE a (id int PRIMARY KEY, n text); \
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id)); \
         CREATE INDEX a_n_idx ON a (n)",
    );
    script(
        &mut c,
        "ALTER TABLE a RENAME TO aa;\n\
         ALTER TABLE aa RENAME COLUMN n TO name;\n\
         ALTER TABLE b RENAME CONSTRAINT b_a_id_fkey TO b_to_aa;\n\
         ALTER INDEX a_n_idx RENAME TO aa_name_idx;\n",
    )
    .unwrap();
    assert!(!c.tables.contains_key(&q("a")));
    let aa = &c.tables[&q("aa")];
    assert!(aa.columns.contains_key("name"));
    let fk = c.tables[&q("b")].constraints.get("b_to_aa").unwrap();
    assert_eq!(fk.references, Some(q("aa")));
    assert!(
        fk.definition.contains("REFERENCES public.aa"),
        "{}",
        fk.definition
    );
    let idx = &c.indexes[&q("aa_name_idx")];
    assert_eq!(idx.table, q("aa"));
    assert!(
        idx.definition.contains("aa_name_idx ON public.aa"),
        "{}",
        idx.definition
    );
    assert!(idx.definition.contains("(name)"), "{}", idx.definition);
    // The same schema declared directly reads the same.
    let direct = schema(
        "CREATE TABLE aa (id int PRIMARY KEY, name text); \
         CREATE TABLE b (id int PRIMARY KEY, a_id int, CONSTRAINT b_to_aa FOREIGN KEY (a_id) REFERENCES aa (id)); \
         CREATE INDEX aa_name_idx ON aa (name)",
    );
    let mut renamed = c.clone();
    let aa = renamed.table_mut(&q("aa")).unwrap();
    aa.constraints = direct.tables[&q("aa")].constraints.clone();
    // Offline, NOT NULL constraints are renamed as before PostgreSQL 18 (no names of
    // their own): a plan never renames one a server before 18 does not have.
    assert_eq!(aa.columns["id"].not_null_constraint, None);
    assert!(
        diff(&renamed, &direct).is_empty(),
        "{:?}",
        diff(&renamed, &direct)
    );
}

#[test]
fn scripts_drop_and_cascade() {
    let mut c = schema(
        "CREATE TABLE t (id int PRIMARY KEY); CREATE VIEW v AS SELECT id FROM t; \
         CREATE VIEW w AS SELECT id FROM v; CREATE TABLE u (x int)",
    );
    script(&mut c, "SET search_path = public;\nDROP TABLE t CASCADE;\nDROP TABLE IF EXISTS nope;\nDROP TABLE u;\n").unwrap();
    assert!(c.tables.is_empty());
    assert!(
        c.views.is_empty(),
        "{:?}",
        c.views.keys().collect::<Vec<_>>()
    );
    let err = script(&mut c, "\n\nDROP TABLE gone;\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("plans/r.sql:3:1: "), "{err}");
}

#[test]
fn what_cannot_be_modelled_is_an_error_with_file_and_line() {
    let err = try_schema("CREATE TABLE t (a int);\n\nCREATE OPERATOR FAMILY f USING btree;\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("schema.sql:3:1: "), "{err}");
    assert!(err.contains("CREATE OPERATOR FAMILY"), "{err}");
    assert!(err.contains("--dev-url"), "{err}");
    let err = try_schema("CREATE TABLE t (a int);\nCREATE TABLE u (LIKE t);\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("schema.sql:2:1: ") && err.contains("--dev-url"),
        "{err}"
    );
}

#[test]
fn policies_for_the_current_user_keep_the_keyword() {
    let c = schema(
        "CREATE TABLE t (a int);\nCREATE POLICY p ON t TO CURRENT_USER, app USING (true);\n",
    );
    assert_eq!(
        c.tables[&q("t")].policies[&"p".to_string()].roles,
        ["CURRENT_USER", "app"]
    );
    let mut to = c.clone();
    let p = to.table_mut(&q("t")).unwrap().policies.get_mut("p");
    p.unwrap().roles = vec!["SESSION_USER".into()];
    let sql: Vec<String> = render(&order(diff(&c, &to)).unwrap())
        .steps
        .into_iter()
        .flat_map(|s| s.sql)
        .collect();
    assert_eq!(sql, ["ALTER POLICY p ON public.t TO SESSION_USER"]);
}

#[test]
fn dependencies_are_filled_for_ordering() {
    let c = schema(
        "CREATE TYPE mood AS ENUM ('a', 'b'); \
         CREATE TABLE p (id int PRIMARY KEY); \
         CREATE TABLE t (id int PRIMARY KEY, m mood DEFAULT 'a', p_id int REFERENCES p); \
         CREATE VIEW v AS SELECT id, m FROM t WHERE m <> 'b'",
    );
    let t = &c.tables[&q("t")];
    assert!(t.columns["m"].deps.contains(&ObjectId::Type(q("mood"))));
    let fk = t.constraints.get("t_p_id_fkey").unwrap();
    assert!(fk.deps.contains(&ObjectId::Table(q("p"))));
    assert!(fk
        .deps
        .contains(&ObjectId::Constraint(q("p"), "p_pkey".into())));
    assert!(
        fk.definition.contains("REFERENCES public.p (id)")
            || fk.definition.contains("REFERENCES public.p(id)"),
        "{}",
        fk.definition
    );
    let v = &c.views[&q("v")];
    assert!(v.deps.contains(&ObjectId::Table(q("t"))));
    assert!(v.deps.contains(&ObjectId::Column(q("t"), "m".into())));
    assert!(!v.deps.contains(&ObjectId::Column(q("t"), "p_id".into())));
    assert_eq!(
        v.columns
            .iter()
            .map(|c| c.type_name.as_str())
            .collect::<Vec<_>>(),
        ["integer", "public.mood"]
    );
}

#[test]
fn an_extension_without_a_version_accepts_the_installed_one() {
    let pinned = schema("CREATE EXTENSION citext VERSION '1.6'");
    let default = schema("CREATE EXTENSION citext");
    assert_eq!(default.extensions["citext"].version, "");
    // Desired "whatever the default is": what is installed satisfies it.
    assert!(
        diff(&pinned, &default).is_empty(),
        "{:?}",
        diff(&pinned, &default)
    );
    // Desired a pinned version: an update.
    assert_eq!(diff(&default, &pinned).len(), 1);
    let older = schema("CREATE EXTENSION citext VERSION '1.5'");
    assert_eq!(diff(&older, &pinned).len(), 1);
}

#[test]
fn integers_in_numeric_arithmetic_read_the_same_with_the_implicit_cast() {
    let table = "CREATE TABLE e (id bigint, cents bigint, n smallint, price numeric);\n";
    let written = schema(&format!(
        "{table}CREATE VIEW v AS SELECT id, round(cents / 100.0, 2) AS a, n * price AS b, 1.5 + n AS c FROM e"
    ));
    let stored = schema(&format!(
        "{table}CREATE VIEW v AS SELECT id, round((cents)::numeric / 100.0, 2) AS a, (n)::numeric * price AS b, 1.5 + (n)::numeric AS c FROM e"
    ));
    assert_eq!(
        written.views[&q("v")].definition,
        stored.views[&q("v")].definition
    );
    // Integer division stays integer division: the cast there is not implicit.
    let integer = schema(&format!(
        "{table}CREATE VIEW v AS SELECT id, round(cents::numeric / 100, 2) AS a, n * price AS b, 1.5 + n AS c FROM e"
    ));
    assert_ne!(
        written.views[&q("v")].definition,
        integer.views[&q("v")].definition
    );
}

#[test]
fn positions_in_group_by_and_order_by_read_as_their_expressions() {
    let table = "CREATE TABLE t (a int, b text);\n";
    let written = schema(&format!(
        "{table}CREATE VIEW v AS SELECT a + 1 AS x, count(*) AS n FROM t GROUP BY 1 ORDER BY 1 DESC, 2"
    ));
    // pg_get_viewdef's spelling of the same view.
    let stored = schema(&format!(
        "{table}CREATE VIEW v AS SELECT (t.a + 1) AS x,\n    count(*) AS n\n   FROM t\n  GROUP BY (t.a + 1)\n  ORDER BY (t.a + 1) DESC, (count(*))"
    ));
    assert_eq!(
        written.views[&q("v")].definition,
        stored.views[&q("v")].definition
    );
    let other = schema(&format!(
        "{table}CREATE VIEW v AS SELECT a + 1 AS x, count(*) AS n FROM t GROUP BY 1 ORDER BY 2 DESC, 1"
    ));
    assert_ne!(
        written.views[&q("v")].definition,
        other.views[&q("v")].definition
    );
    // `*` and constants stay positions (`GROUP BY 'a'` would be an error).
    let kept = schema(&format!(
        "{table}CREATE VIEW v AS SELECT 'k' AS k, count(*) AS n FROM t GROUP BY 1 ORDER BY 1"
    ));
    assert!(
        kept.views[&q("v")]
            .definition
            .ends_with("GROUP BY 1 ORDER BY 1"),
        "{}",
        kept.views[&q("v")].definition
    );
}

/// Issue 16, defect 2: an object created twice is PostgreSQL's "already exists", naming
/// both statements, never the last definition silently winning.
#[test]
fn an_object_defined_twice_is_an_error_naming_both_places() {
    let cases = [
        (
            "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE t (id int PRIMARY KEY);",
            "schema.sql:2:1: relation public.t already exists (created at schema.sql:1:1)",
        ),
        (
            "CREATE TABLE t (id int);\nCREATE INDEX i ON t (id);\nCREATE INDEX i ON t (id);",
            "schema.sql:3:1: relation public.i already exists (created at schema.sql:2:1)",
        ),
        (
            "CREATE TYPE m AS ENUM ('a');\nCREATE TYPE m AS ENUM ('b');",
            "schema.sql:2:1: type public.m already exists (created at schema.sql:1:1)",
        ),
        (
            "CREATE DOMAIN d AS int;\nCREATE DOMAIN d AS text;",
            "schema.sql:2:1: type public.d already exists (created at schema.sql:1:1)",
        ),
        (
            "CREATE TYPE c AS (a int);\nCREATE TABLE c (a int);",
            "schema.sql:2:1: type public.c already exists (created at schema.sql:1:1)",
        ),
        (
            "CREATE VIEW v AS SELECT 1 AS a;\nCREATE VIEW v AS SELECT 2 AS a;",
            "schema.sql:2:1: relation public.v already exists (created at schema.sql:1:1)",
        ),
        (
            "CREATE SCHEMA app;\nCREATE SCHEMA app;",
            "schema.sql:2:1: schema app already exists (created at schema.sql:1:1)",
        ),
        (
            "CREATE SCHEMA public;",
            "schema.sql:1:1: schema public already exists",
        ),
        (
            "CREATE TABLE t (id int);\n\
             CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n\
             CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
             CREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();",
            "schema.sql:4:1: trigger g on public.t already exists (created at schema.sql:3:1)",
        ),
        (
            "CREATE TABLE t (id int PRIMARY KEY);\nCREATE INDEX t_pkey ON t (id);",
            "schema.sql:2:1: relation public.t_pkey already exists",
        ),
    ];
    for (sql, expected) in cases {
        match try_schema(sql) {
            Ok(_) => panic!("accepted:\n{sql}"),
            Err(e) => assert_eq!(e.to_string(), expected, "{sql}"),
        }
    }
    // What PostgreSQL accepts stays accepted: OR REPLACE, IF NOT EXISTS.
    let c = schema(
        "CREATE VIEW v AS SELECT 1 AS a;\nCREATE OR REPLACE VIEW v AS SELECT 2 AS a;\n\
         CREATE TABLE IF NOT EXISTS v2 (a int);\nCREATE TABLE IF NOT EXISTS v2 (a int);\n\
         CREATE SCHEMA IF NOT EXISTS public;",
    );
    assert!(c.views[&q("v")].definition.contains('2'));
    // In plans/: a revision creating what an earlier one created names that one.
    let mut catalog = Catalog::new_database();
    script(&mut catalog, "CREATE TABLE t (id int);").unwrap();
    let statements =
        split_script(Path::new("plans/r2.sql"), "\n\nCREATE TABLE t (id int);", 1).unwrap();
    let err = interpret_script(&mut catalog, &statements).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plans/r2.sql:3:1: relation public.t already exists"
    );
    let scripts = vec![
        split_script(Path::new("plans/r1.sql"), "CREATE TABLE t (id int);", 1).unwrap(),
        split_script(Path::new("plans/r2.sql"), "CREATE TABLE t (id int);", 7).unwrap(),
    ];
    let err = schemaplan::offline::interpret_scripts(&scripts, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plans/r2.sql:7:1: relation public.t already exists (created at plans/r1.sql:1:1)"
    );
}

/// `ADD CONSTRAINT ... USING INDEX`: the index becomes the constraint's, renamed to the
/// constraint's name, as PostgreSQL does; what PostgreSQL refuses is refused.
#[test]
fn a_unique_index_becomes_a_constraint() {
    let mut c = schema("CREATE TABLE t (id int, email text, n int)");
    script(
        &mut c,
        "CREATE UNIQUE INDEX CONCURRENTLY t_email_idx ON t (email) INCLUDE (n);\n\
         ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_idx;\n\
         CREATE UNIQUE INDEX t_id_idx ON t (id);\n\
         ALTER TABLE t ADD PRIMARY KEY USING INDEX t_id_idx;",
    )
    .unwrap();
    let expected = schema(
        "CREATE TABLE t (id int CONSTRAINT t_id_idx PRIMARY KEY, email text, n int,\n\
         CONSTRAINT t_email_key UNIQUE (email) INCLUDE (n))",
    );
    assert!(diff(&c, &expected).is_empty(), "{:?}", diff(&c, &expected));
    assert!(c.indexes.is_empty(), "{:?}", c.indexes.keys());
    // The index name is free again, the constraint's taken.
    script(&mut c, "CREATE INDEX t_email_idx ON t (n)").unwrap();
    let err = script(&mut c, "CREATE INDEX t_email_key ON t (n)").unwrap_err();
    assert!(
        err.to_string()
            .contains("relation public.t_email_key already exists"),
        "{err}"
    );
    for (sql, what) in [
        ("CREATE INDEX i ON t (n);\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i", "is not a unique index"),
        ("CREATE UNIQUE INDEX i ON t (n) WHERE n > 0;\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i", "is partial"),
        ("CREATE UNIQUE INDEX i ON t (lower(email));\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i", "only plain columns"),
        ("CREATE UNIQUE INDEX i ON t (n DESC);\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i", "only plain columns"),
    ] {
        let mut c = schema("CREATE TABLE t (id int, email text, n int)");
        let err = script(&mut c, sql).unwrap_err().to_string();
        assert!(err.contains(what), "{sql}: {err}");
    }
}

#[test]
fn replica_identity_follows_its_index_through_renames_and_drops() {
    let mut c = schema(
        "CREATE TABLE t (id integer NOT NULL, code text NOT NULL, CONSTRAINT t_pkey PRIMARY KEY (id));
         CREATE UNIQUE INDEX t_code ON t (code);
         ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;
         CREATE TABLE u (id integer);
         ALTER TABLE u REPLICA IDENTITY FULL;",
    );
    assert_eq!(
        c.tables[&q("t")].replica_identity,
        ReplicaIdentity::Index("t_code".into())
    );
    assert_eq!(c.tables[&q("u")].replica_identity, ReplicaIdentity::Full);
    script(&mut c, "ALTER INDEX t_code RENAME TO t_code_key;").unwrap();
    assert_eq!(
        c.tables[&q("t")].replica_identity,
        ReplicaIdentity::Index("t_code_key".into())
    );
    script(&mut c, "ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey; ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_id;").unwrap();
    assert_eq!(
        c.tables[&q("t")].replica_identity,
        ReplicaIdentity::Index("t_id".into())
    );
    // The index dropped: PostgreSQL treats the table as NOTHING.
    script(&mut c, "ALTER TABLE t DROP CONSTRAINT t_id;").unwrap();
    assert_eq!(c.tables[&q("t")].replica_identity, ReplicaIdentity::Nothing);
    // An index that is not the table's is refused, naming it.
    let err = try_schema(
        "CREATE TABLE a (id integer NOT NULL); CREATE TABLE b (id integer NOT NULL);
         CREATE UNIQUE INDEX b_id ON b (id);
         ALTER TABLE a REPLICA IDENTITY USING INDEX b_id;",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("index b_id on table public.a"), "{err}");
}

/// `target_version = 18`: history replayed as an 18 server runs it. A detached
/// partition keeps the NOT NULL names it had from its parent, a renamed table keeps its
/// own, so the plan to the schema renames them; read for no target (servers before 18
/// keep no such names), the same history plans nothing.
#[test]
fn an_18_target_keeps_not_null_names_across_detach_and_rename() {
    let history = "CREATE TABLE m (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n\
                   CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');\n\
                   CREATE TABLE old (a int NOT NULL);\n\
                   ALTER TABLE m DETACH PARTITION m1;\n\
                   ALTER TABLE old RENAME TO new;\n";
    let statements = split_script(Path::new("plans/r.sql"), history, 1).unwrap();
    let schema_sql =
        "CREATE TABLE m (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n\
                      CREATE TABLE m1 (id int NOT NULL, at date NOT NULL);\n\
                      CREATE TABLE new (a int NOT NULL);\n";
    let parsed = order_statements(parse_sql(Path::new("schema.sql"), schema_sql).unwrap()).unwrap();

    let replayed =
        schemaplan::offline::interpret_scripts(std::slice::from_ref(&statements), Some(18))
            .unwrap();
    let wanted = schemaplan::offline::interpret_for(&parsed, Some(18)).unwrap();
    let plan = render(&order(diff(&replayed, &wanted)).unwrap()).to_string();
    for rename in [
        "ALTER TABLE public.m1 RENAME CONSTRAINT m_id_not_null TO m1_id_not_null",
        "ALTER TABLE public.m1 RENAME CONSTRAINT m_at_not_null TO m1_at_not_null",
        "ALTER TABLE public.new RENAME CONSTRAINT old_a_not_null TO new_a_not_null",
    ] {
        assert!(plan.contains(rename), "{rename} missing from:\n{plan}");
    }
    // The renames replayed, nothing is left.
    let mut after = replayed.clone();
    script(&mut after, &plan).unwrap();
    assert!(
        diff(&after, &wanted).is_empty(),
        "{:?}",
        diff(&after, &wanted)
    );

    // A parent's column renamed, then both partitions detached: the one made by
    // `PARTITION OF` keeps its parent's old name, the one attached its own old one (as
    // PostgreSQL 18.4 names them).
    let renamed_then_detached =
        "CREATE TABLE m (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n\
         CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');\n\
         CREATE TABLE m2 (id int NOT NULL, at date NOT NULL);\n\
         ALTER TABLE m ATTACH PARTITION m2 FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');\n\
         ALTER TABLE m RENAME COLUMN id TO ident;\n\
         ALTER TABLE m DETACH PARTITION m1;\n\
         ALTER TABLE m DETACH PARTITION m2;\n";
    let script = split_script(Path::new("plans/r.sql"), renamed_then_detached, 1).unwrap();
    let replayed = schemaplan::offline::interpret_scripts(&[script], Some(18)).unwrap();
    let named = |t: &str| -> Vec<String> {
        let t = &replayed.tables[&q(t)];
        t.columns
            .iter()
            .map(|(_, c)| replayed.not_null_name_of(&t.name, c))
            .collect()
    };
    assert_eq!(named("m"), ["m_id_not_null", "m_at_not_null"]);
    assert_eq!(named("m1"), ["m_id_not_null", "m_at_not_null"]);
    assert_eq!(named("m2"), ["m2_id_not_null", "m2_at_not_null"]);

    let replayed = schemaplan::offline::interpret_scripts(&[statements], None).unwrap();
    let wanted = schemaplan::offline::interpret_for(&parsed, None).unwrap();
    assert!(
        diff(&replayed, &wanted).is_empty(),
        "{:?}",
        diff(&replayed, &wanted)
    );
}
