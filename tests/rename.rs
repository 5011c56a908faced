//! Rename hints: `-- schemaplan: rename OLD -> NEW` in the desired schema makes the plan
//! rename instead of dropping and creating, so rows survive.

mod common;

use common::{ok, run, stderr, TestDb};

#[tokio::test]
async fn renamed_table_column_index_and_enum_value_keep_their_rows() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TYPE mood AS ENUM ('ok', 'meh');
         CREATE TABLE users (id bigint PRIMARY KEY, fullname text NOT NULL, mood mood);
         CREATE INDEX users_fullname_idx ON users (fullname);
         INSERT INTO users SELECT g, 'user ' || g, 'meh' FROM generate_series(1, 500) g;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "-- schemaplan: rename public.users -> people
-- schemaplan: rename public.people.fullname -> full_name
-- schemaplan: rename index public.users_fullname_idx -> people_full_name_idx
-- schemaplan: rename value public.mood.meh -> so-so
CREATE TYPE mood AS ENUM ('ok', 'so-so');
CREATE TABLE people (id bigint CONSTRAINT users_pkey PRIMARY KEY, full_name text NOT NULL, mood mood);
CREATE INDEX people_full_name_idx ON people (full_name);
",
    )
    .unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "people"]));
    for expected in [
        "-- renames: public.users -> people; public.people.fullname -> full_name; index public.users_fullname_idx -> people_full_name_idx; value public.mood.meh -> so-so",
        "ALTER TABLE public.users RENAME TO people",
        "ALTER TABLE public.people RENAME COLUMN fullname TO full_name",
        "ALTER INDEX public.users_fullname_idx RENAME TO people_full_name_idx",
        "ALTER TYPE public.mood RENAME VALUE 'meh' TO 'so-so'",
    ] {
        assert!(revision.contains(expected), "missing {expected:?} in\n{revision}");
    }
    let up = revision.split("-- schemaplan:down").next().unwrap();
    assert!(!up.contains("DROP"), "nothing is dropped:\n{revision}");
    assert!(!up.contains("data-loss"), "{revision}");

    ok(&run(p, &db.url, &["apply"]));
    let client = db.client().await;
    let rows: i64 = client
        .query_one(
            "SELECT count(*) FROM people WHERE full_name LIKE 'user %' AND mood = 'so-so'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 500, "the rows survived the renames");
    // The hints stay in schema/: planning again finds them carried out, and nothing to do.
    let again = run(p, &db.url, &["plan", "-m", "again"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("nothing to plan"),
        "{}",
        stderr(&again)
    );
    // And the down section renames back.
    ok(&run(p, &db.url, &["rollback"]));
    let rows: i64 = client
        .query_one(
            "SELECT count(*) FROM users WHERE fullname LIKE 'user %' AND mood = 'meh'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 500);
}

#[tokio::test]
async fn a_hint_that_matches_nothing_is_an_error_naming_it() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE users (id bigint PRIMARY KEY)").await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY);\n-- schemaplan: rename public.customers -> clients\n",
    )
    .unwrap();
    let o = run(p, &db.url, &["plan", "-m", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("schema/app.sql:2:1"), "{e}");
    assert!(e.contains("rename public.customers -> clients"), "{e}");
    assert!(e.contains("nothing is called public.customers"), "{e}");
}

#[tokio::test]
async fn yaml_renamed_from_renames_tables_and_columns() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE customers (id bigint PRIMARY KEY, fullname text NOT NULL);
         INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 50) g;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.yaml"),
        "tables:
  clients:
    renamed_from: customers
    columns:
      id: bigint not null
      full_name: {type: text, not_null: true, renamed_from: fullname}
    primary_key: {name: customers_pkey, columns: [id]}
",
    )
    .unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "clients"]));
    assert!(
        revision.contains("ALTER TABLE public.customers RENAME TO clients"),
        "{revision}"
    );
    assert!(
        revision.contains("ALTER TABLE public.clients RENAME COLUMN fullname TO full_name"),
        "{revision}"
    );
    let up = revision.split("-- schemaplan:down").next().unwrap();
    assert!(!up.contains("DROP"), "{revision}");
    ok(&run(p, &db.url, &["apply"]));
    let rows: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM clients WHERE full_name LIKE 'c%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 50);
}

/// A type change no cast covers (`bigint` epoch milliseconds to `timestamp`) is refused
/// by `plan` and `check` alike, naming the file that declares the table and the hint to
/// write; with `-- schemaplan: using ...` the plan converts the rows with it, records
/// it in the header, marks the way back not reversible, and is carried out once applied.
#[tokio::test]
async fn a_type_change_no_cast_covers_needs_a_using_hint() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE events (id bigint PRIMARY KEY, created_at bigint NOT NULL);
         INSERT INTO events SELECT g, 1700000000000 + g * 1000 FROM generate_series(1, 100) g;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    let table = "CREATE TABLE events (\n    id bigint PRIMARY KEY,\n    created_at timestamp with time zone NOT NULL\n);\n";
    std::fs::write(p.join("schema/app.sql"), format!("-- events\n{table}")).unwrap();
    for command in [&["plan", "-m", "x"][..], &["check"][..]] {
        let o = run(p, &db.url, command);
        assert_ne!(o.status.code(), Some(0), "{command:?} must refuse");
        let e = stderr(&o);
        for expected in [
            "schema/app.sql:2:1",
            "public.events.created_at changes type from bigint to timestamp with time zone",
            "no cast",
            "-- schemaplan: using public.events.created_at: <expression of created_at>",
        ] {
            assert!(
                e.contains(expected),
                "{command:?}: missing {expected:?} in {e}"
            );
        }
    }

    std::fs::write(
        p.join("schema/app.sql"),
        format!("-- schemaplan: using public.events.created_at: to_timestamp(created_at / 1000.0)\n{table}"),
    )
    .unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "timestamps"]));
    for expected in [
        "-- using: public.events.created_at: to_timestamp(created_at / 1000.0)",
        "TYPE timestamp with time zone USING to_timestamp(created_at / 1000.0)",
        "not-reversible",
    ] {
        assert!(
            revision.contains(expected),
            "missing {expected:?} in\n{revision}"
        );
    }
    ok(&run(p, &db.url, &["check"]));
    ok(&run(
        p,
        &db.url,
        &["apply", "--allow-hazard", "table-rewrite"],
    ));
    let client = db.client().await;
    let converted: i64 = client
        .query_one(
            "SELECT count(*) FROM events WHERE created_at = to_timestamp(1700000000 + id)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        converted, 100,
        "every row converted by the hint's expression"
    );
    let again = run(p, &db.url, &["plan", "-m", "again"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("nothing to plan"),
        "{}",
        stderr(&again)
    );
}

/// A renamed table takes along the names derived from its own: the serial column's
/// sequence (renamed, so the numbering goes on under the existing rows instead of
/// restarting), its key and constraints, an index, and a foreign key pointing at it,
/// each renamed rather than dropped and created.
#[tokio::test]
async fn a_renamed_table_takes_its_sequence_constraint_and_index_names_along() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE tags (id serial CONSTRAINT tags_pkey PRIMARY KEY, name text CONSTRAINT tags_name_key UNIQUE, rank int);
         CREATE INDEX tags_rank_idx ON tags (rank);
         CREATE TABLE post_tags (tag_id int CONSTRAINT post_tags_tag_id_tags_fkey REFERENCES tags);
         INSERT INTO tags (name) SELECT 'tag ' || g FROM generate_series(1, 50) g;
         INSERT INTO post_tags SELECT id FROM tags;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "-- schemaplan: rename table public.tags -> labels
CREATE TABLE labels (id serial CONSTRAINT labels_pkey PRIMARY KEY, name text CONSTRAINT labels_name_key UNIQUE, rank int);
CREATE INDEX labels_rank_idx ON labels (rank);
CREATE TABLE post_tags (tag_id int CONSTRAINT post_tags_tag_id_labels_fkey REFERENCES labels);
",
    )
    .unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "labels"]));
    for expected in [
        "ALTER TABLE public.tags RENAME TO labels",
        "ALTER SEQUENCE public.tags_id_seq RENAME TO labels_id_seq",
        "ALTER TABLE public.labels RENAME CONSTRAINT tags_pkey TO labels_pkey",
        "ALTER TABLE public.labels RENAME CONSTRAINT tags_name_key TO labels_name_key",
        "ALTER INDEX public.tags_rank_idx RENAME TO labels_rank_idx",
        "ALTER TABLE public.post_tags RENAME CONSTRAINT post_tags_tag_id_tags_fkey TO post_tags_tag_id_labels_fkey",
    ] {
        assert!(revision.contains(expected), "missing {expected:?} in\n{revision}");
    }
    let up = revision.split("-- schemaplan:down").next().unwrap();
    assert!(!up.contains("DROP"), "nothing is dropped:\n{revision}");
    ok(&run(p, &db.url, &["apply"]));
    let client = db.client().await;
    let id: i32 = client
        .query_one("INSERT INTO labels (name) VALUES ('new') RETURNING id", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(id, 51, "the numbering went on");
    let again = run(p, &db.url, &["plan", "-m", "again"]);
    assert!(
        stderr(&again).contains("nothing to plan"),
        "{}",
        stderr(&again)
    );
    ok(&run(p, &db.url, &["rollback"]));
    let rows: i64 = client
        .query_one(
            "SELECT count(*) FROM tags LEFT JOIN post_tags ON tag_id = id",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 51, "the rollback kept every row");
}
