//! `rollback` on real databases holding rows: the defects of issue 15 reproduced as a
//! user meets them (plan from schema/, apply, insert rows, roll back), then the fixed
//! behaviour: down steps classified at plan time, not-reversible revisions refused
//! without `--force`, a rehearsal that changes nothing when it fails, and a stopped
//! non-transactional rollback that resumes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{fails, ok, write_revision, TestDb};

/// A project in a temporary directory with its own database, planned with a clock that
/// moves forward one minute per plan so revision ids sort in the order they were made.
struct Project {
    dir: tempfile::TempDir,
    db: TestDb,
    epoch: u64,
}

impl Project {
    async fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("schema")).unwrap();
        Project {
            dir,
            db: TestDb::new().await,
            epoch: 1_795_000_000,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        common::command(self.path(), &self.db.url, args)
            .env("SOURCE_DATE_EPOCH", self.epoch.to_string())
            .output()
            .expect("run schemaplan")
    }

    /// Writes schema/app.sql, plans, and returns the new revision's path and text.
    fn plan(&mut self, schema: &str, message: &str) -> (PathBuf, String) {
        std::fs::write(self.path().join("schema/app.sql"), schema).unwrap();
        self.epoch += 60;
        let before = plan_files(self.path());
        ok(&self.run(&["plan", "-m", message]));
        let new: Vec<PathBuf> = plan_files(self.path())
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        assert_eq!(new.len(), 1, "plan wrote one revision");
        let text = std::fs::read_to_string(&new[0]).unwrap();
        (new[0].clone(), text)
    }

    async fn query_i64(&self, sql: &str) -> i64 {
        self.db
            .client()
            .await
            .query_one(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {}", common::db_error(&e)))
            .get(0)
    }

    async fn applied(&self) -> Vec<String> {
        let client = self.db.client().await;
        client
            .query(
                "SELECT id FROM schemaplan.revisions WHERE statements_done IS NULL ORDER BY id",
                &[],
            )
            .await
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default()
    }

    /// A fingerprint of the live schema, from `status --format json`.
    fn live_fingerprint(&self) -> String {
        let out = ok(&self.run(&["status", "--format", "json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["live_fingerprint"].as_str().unwrap().to_string()
    }
}

fn plan_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("plans"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The header's hazards line.
fn header_hazards(text: &str) -> String {
    text.split("-- schemaplan:up")
        .next()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("-- hazards: "))
        .unwrap_or("")
        .to_string()
}

/// The down section.
fn down(text: &str) -> &str {
    text.split("-- schemaplan:down").nth(1).unwrap()
}

/// The check queries written next to the down steps that may fail.
fn check_queries(text: &str) -> Vec<String> {
    down(text)
        .lines()
        .filter_map(|l| l.strip_prefix("-- may-fail: "))
        .map(str::to_string)
        .collect()
}

const USERS_WITH_PASSWORD: &str =
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, \
     password varchar(255) NOT NULL);\n";
const USERS_WITHOUT_PASSWORD: &str =
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n\
     CREATE INDEX users_email ON users (email);\n";

/// Defect 1: dropping a populated NOT NULL column and adding an index concurrently.
/// The rollback used to drop the index, fail on the NOT NULL column and leave the
/// database in neither state, stuck behind a drift error.
#[tokio::test]
async fn defect1_a_dropped_not_null_column_is_refused_then_forced_back_nullable() {
    let mut p = Project::new().await;
    p.plan(USERS_WITH_PASSWORD, "users");
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO users VALUES (1, 'a@example.com', 'x'), (2, 'b@example.com', 'y')")
        .await;
    let (_, text) = p.plan(USERS_WITHOUT_PASSWORD, "drop password");
    let hazards = header_hazards(&text);
    assert!(hazards.contains("data-loss"), "{text}");
    assert!(hazards.contains("not-reversible"), "{text}");
    ok(&p.run(&["apply", "--allow-hazard", "data-loss"]));
    let after_apply = p.live_fingerprint();

    // Refused, and nothing changed: the index is still there, the revision applied.
    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("not reversible"), "{e}");
    assert!(e.contains("--force"), "{e}");
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'")
            .await,
        1
    );
    assert_eq!(p.applied().await.len(), 2);
    assert_eq!(p.live_fingerprint(), after_apply);
    let status = ok(&p.run(&["status"]));
    assert!(!status.contains("drift:    yes"), "{status}");

    // Forced: the column comes back nullable (its values cannot), and it says so.
    let out = ok(&p.run(&["rollback", "--force"]));
    assert!(out.contains("1 revision(s) rolled back"), "{out}");
    assert!(out.contains("public.users.password"), "{out}");
    assert!(out.contains("nullable"), "{out}");
    assert_eq!(p.applied().await.len(), 1);
    assert_eq!(
        p.query_i64(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' \
             AND column_name = 'password' AND is_nullable = 'YES'"
        )
        .await,
        1
    );
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'")
            .await,
        0
    );
    assert_eq!(p.query_i64("SELECT count(*) FROM users").await, 2);

    // And forward again: the revision applies and the schema is what schema/ says.
    ok(&p.run(&["apply", "--allow-hazard", "data-loss"]));
    assert_eq!(p.applied().await.len(), 2);
    assert_eq!(p.live_fingerprint(), after_apply);
}

/// Defect 2: a dropped populated nullable column and a dropped populated table were
/// rolled back silently, their data gone.
#[tokio::test]
async fn defect2_dropped_column_and_table_with_rows_are_refused_without_force() {
    let mut p = Project::new().await;
    p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY, bio text);\n\
         CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);\n",
        "users and notes",
    );
    ok(&p.run(&["apply"]));
    p.db.exec(
        "INSERT INTO users VALUES (1, 'likes tea'), (2, 'likes coffee');\n\
         INSERT INTO notes VALUES (1, 'first'), (2, 'second'), (3, 'third');",
    )
    .await;
    let before = p.live_fingerprint();
    let (_, text) = p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "drop bio and notes",
    );
    assert!(header_hazards(&text).contains("not-reversible"), "{text}");
    let down = down(&text);
    assert!(
        down.contains("-- create-table table public.notes\n-- hazards: not-reversible"),
        "{down}"
    );
    assert!(
        down.contains("-- create-column column public.users.bio\n-- hazards: not-reversible"),
        "{down}"
    );
    ok(&p.run(&["apply", "--allow-hazard", "data-loss"]));
    let applied = p.live_fingerprint();

    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("not reversible"), "{e}");
    assert!(e.contains("drop bio and notes"), "{e}");
    assert_eq!(p.live_fingerprint(), applied, "nothing was rolled back");
    assert_eq!(p.applied().await.len(), 2);

    let out = ok(&p.run(&["rollback", "--force"]));
    assert!(out.contains("1 revision(s) rolled back"), "{out}");
    assert!(out.contains("cannot come back"), "{out}");
    assert_eq!(p.live_fingerprint(), before, "the schema is back");
    assert_eq!(p.query_i64("SELECT count(*) FROM notes").await, 0);
    assert_eq!(
        p.query_i64("SELECT count(*) FROM users WHERE bio IS NOT NULL")
            .await,
        0
    );
    assert_eq!(p.query_i64("SELECT count(*) FROM users").await, 2);
    ok(&p.run(&["apply", "--allow-hazard", "data-loss"]));
    assert_eq!(p.live_fingerprint(), applied);
}

/// Defect 3: an online revision (drop an index, drop NOT NULL) rolled back after a NULL
/// row came in. The down used to stop after its first statement and leave a NOT VALID
/// check behind; now the rehearsal fails first and nothing changes.
#[tokio::test]
async fn defect3_a_failing_online_rollback_is_rehearsed_and_changes_nothing() {
    let mut p = Project::new().await;
    p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n\
         CREATE INDEX users_email ON users (email);\n",
        "users",
    );
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO users VALUES (1, 'a@example.com')")
        .await;
    let (_, text) = p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        "optional email",
    );
    assert!(text.contains("-- transaction: none"), "{text}");
    assert!(header_hazards(&text).contains("may-fail"), "{text}");
    assert_eq!(
        check_queries(&text),
        vec!["SELECT count(*) FROM public.users WHERE email IS NULL".to_string()],
        "{text}"
    );
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO users VALUES (2, NULL)").await;
    let applied = p.live_fingerprint();

    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("rehearsal"), "{e}");
    assert!(e.contains("nothing was changed"), "{e}");
    assert!(e.contains("email"), "{e}");
    assert!(e.contains("violated") || e.contains("null"), "{e}");
    assert_eq!(p.live_fingerprint(), applied, "nothing changed");
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c'")
            .await,
        0,
        "no NOT VALID check left behind"
    );
    let status = ok(&p.run(&["status"]));
    assert!(!status.contains("drift:    yes"), "{status}");

    // The cause fixed, the rollback runs, and forward again converges.
    p.db.exec("UPDATE users SET email = 'b@example.com' WHERE id = 2")
        .await;
    ok(&p.run(&["rollback"]));
    assert_eq!(p.applied().await.len(), 1);
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'")
            .await,
        1
    );
    ok(&p.run(&["apply"]));
    assert_eq!(p.live_fingerprint(), applied);
}

/// Defect 4: reverse steps that cannot run on every table were written as if they
/// could. Each now carries `may-fail` and the query that tells; on a database whose
/// rows break them the queries count those rows, and the rollback is refused by its
/// rehearsal with nothing changed.
#[tokio::test]
async fn defect4_reverse_steps_that_may_fail_carry_their_check_queries() {
    let mut p = Project::new().await;
    p.plan(
        "CREATE TABLE items (id bigint PRIMARY KEY, code varchar(5) NOT NULL, \
           sku text CONSTRAINT items_sku_key UNIQUE, qty integer CONSTRAINT qty_positive CHECK (qty > 0));\n",
        "items",
    );
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO items VALUES (1, 'abc', 's1', 1), (2, 'de', 's2', 2)")
        .await;
    let (_, text) = p.plan(
        "CREATE TABLE items (id bigint PRIMARY KEY, code text, sku text, qty integer);\n",
        "relax items",
    );
    assert!(header_hazards(&text).contains("may-fail"), "{text}");
    assert!(!header_hazards(&text).contains("not-reversible"), "{text}");
    let mut queries = check_queries(&text);
    queries.sort();
    assert_eq!(
        queries,
        vec![
            "SELECT count(*) FROM (SELECT 1 FROM public.items WHERE sku IS NOT NULL GROUP BY sku HAVING count(*) > 1) AS duplicates".to_string(),
            "SELECT count(*) FROM public.items WHERE NOT (qty > 0)".to_string(),
            "SELECT count(*) FROM public.items WHERE code IS NULL".to_string(),
            "SELECT count(*) FROM public.items WHERE length(code) > 5".to_string(),
        ],
        "{text}"
    );
    ok(&p.run(&["apply"]));
    let applied = p.live_fingerprint();
    for q in &queries {
        assert_eq!(p.query_i64(q).await, 0, "no row breaks it yet: {q}");
    }
    p.db.exec("INSERT INTO items VALUES (3, 'much too long', 's1', -1), (4, NULL, NULL, NULL)")
        .await;
    for q in &queries {
        assert!(p.query_i64(q).await > 0, "the query tells: {q}");
    }
    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("rehearsal"), "{e}");
    assert_eq!(p.live_fingerprint(), applied, "nothing changed");
    p.db.exec("DELETE FROM items WHERE id > 2").await;
    ok(&p.run(&["rollback"]));
    assert_eq!(p.applied().await.len(), 1);
}

/// A down section outside a transaction that fails after its rehearsable part: its
/// progress is recorded, `status` says where it stopped (no drift error), and the next
/// `rollback` resumes at the statement that failed.
#[tokio::test]
async fn a_stopped_rollback_outside_a_transaction_is_reported_and_resumes() {
    let p = Project::new().await;
    write_revision(
        p.path(),
        "20261124000000-a11a11",
        &[],
        "CREATE TABLE t (id int PRIMARY KEY, v int);\n",
        "DROP TABLE t;\n",
        true,
    );
    let rev = write_revision(
        p.path(),
        "20261124000100-b22b22",
        &["20261124000000-a11a11"],
        "CREATE INDEX CONCURRENTLY t_v ON public.t (v);\n\
         ALTER TABLE t ADD COLUMN w int;\n",
        // VACUUM cannot be rehearsed: the rehearsal stops before it, so the unique
        // index after it fails for real.
        "ALTER TABLE t DROP COLUMN w;\n\
         VACUUM t;\n\
         CREATE UNIQUE INDEX CONCURRENTLY t_v_unique ON public.t (v);\n\
         DROP INDEX CONCURRENTLY public.t_v;\n",
        false,
    );
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO t VALUES (1, 7, 0), (2, 7, 0)").await;

    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("t_v_unique"), "{e}");
    assert!(e.contains("2 of its 4 statements"), "{e}");
    assert!(e.contains("run rollback again"), "{e}");
    let status = ok(&p.run(&["status"]));
    assert!(
        status.contains(&format!("rollback of {rev} stopped at statement 3")),
        "{status}"
    );
    assert!(!status.contains("drift"), "{status}");
    // apply does not pretend the revision is whole.
    let refused = fails(&p.run(&["apply"]));
    assert!(refused.contains("schemaplan rollback"), "{refused}");

    p.db.exec("UPDATE t SET v = 8 WHERE id = 2").await;
    let out = ok(&p.run(&["rollback"]));
    assert!(out.contains("resumed"), "{out}");
    assert_eq!(p.applied().await, vec!["20261124000000-a11a11".to_string()]);
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_indexes WHERE indexname IN ('t_v', 't_v_unique')")
            .await,
        1,
        "t_v dropped, t_v_unique built"
    );
    assert_eq!(
        p.query_i64("SELECT count(*) FROM information_schema.columns WHERE column_name = 'w'")
            .await,
        0
    );
    let status = ok(&p.run(&["status"]));
    assert!(!status.contains("stopped"), "{status}");
}

/// The checksum of a table's rows, in key order.
async fn rows_checksum(p: &Project, table: &str) -> String {
    p.db.client()
        .await
        .query_one(
            &format!("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM {table} AS t"),
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// Issue 15 §2: `plan --recoverable` holds a dropped table (100k rows, a serial key, a
/// foreign key, an index) in schemaplan_trash; the rollback brings it back with every
/// row; up again holds it again. The held table is never part of the schema.
#[tokio::test]
async fn a_recoverable_drop_holds_the_table_and_the_rollback_restores_its_rows() {
    let mut p = Project::new().await;
    p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n\
         CREATE TABLE notes (id bigserial PRIMARY KEY, user_id bigint REFERENCES users, body text NOT NULL);\n\
         CREATE INDEX notes_user ON notes (user_id);\n",
        "users and notes",
    );
    ok(&p.run(&["apply"]));
    p.db.exec(
        "INSERT INTO users SELECT g FROM generate_series(1, 100) g;\n\
         INSERT INTO notes (user_id, body) SELECT 1 + g % 100, md5(g::text) FROM generate_series(1, 100000) g;",
    )
    .await;
    let with_notes = p.live_fingerprint();
    let checksum = rows_checksum(&p, "notes").await;

    std::fs::write(
        p.path().join("schema/app.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    p.epoch += 60;
    ok(&p.run(&["plan", "-m", "drop notes", "--recoverable"]));
    let file = plan_files(p.path()).pop().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("-- id: "))
        .unwrap()
        .to_string();
    // Held, not lost; its foreign key comes back only if the users it references do.
    assert_eq!(header_hazards(&text), "may-fail, data-held", "{text}");
    assert_eq!(
        check_queries(&text),
        vec![format!(
            "SELECT count(*) FROM schemaplan_trash.\"{id}_public_notes\" AS c WHERE \
                 c.user_id IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM public.users AS p WHERE p.id = c.user_id)"
        )],
        "{text}"
    );
    let held = format!("schemaplan_trash.\"{id}_public_notes\"");
    assert!(text.contains("SET SCHEMA schemaplan_trash;"), "{text}");
    assert!(
        down(&text).contains(&format!("ALTER TABLE {held} SET SCHEMA public;")),
        "{text}"
    );
    assert!(!down(&text).contains("CREATE TABLE"), "{text}");

    // Up: the table is held with its rows, and the schema no longer has it.
    ok(&p.run(&["apply"]));
    assert_eq!(
        p.query_i64(&format!("SELECT count(*) FROM {held}")).await,
        100_000
    );
    for q in check_queries(&text) {
        assert_eq!(p.query_i64(&q).await, 0, "{q}");
    }
    let without_notes = p.live_fingerprint();
    assert_ne!(without_notes, with_notes);
    let status = ok(&p.run(&["status"]));
    assert!(status.contains("drift:    no"), "{status}");
    p.epoch += 60;
    let again = p.run(&["plan", "-m", "nothing"]);
    assert!(
        common::stderr(&again).contains("nothing to plan"),
        "{}",
        common::stderr(&again)
    );
    // Offline too: replaying plans/ leaves the held table out.
    let offline = p.run(&["plan", "-m", "nothing", "--mode", "offline"]);
    assert!(
        common::stderr(&offline).contains("nothing to plan"),
        "{}",
        common::stderr(&offline)
    );

    // Down: every row back, no --force needed; the schema is the one before.
    let out = ok(&p.run(&["rollback"]));
    assert!(out.contains("1 revision(s) rolled back"), "{out}");
    assert_eq!(rows_checksum(&p, "notes").await, checksum);
    assert_eq!(p.live_fingerprint(), with_notes);
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_tables WHERE schemaname = 'schemaplan_trash'")
            .await,
        0
    );
    // The serial key goes on where it was.
    p.db.exec("INSERT INTO notes (user_id, body) VALUES (1, 'after')")
        .await;
    assert_eq!(p.query_i64("SELECT max(id) FROM notes").await, 100_001);
    p.db.exec("DELETE FROM notes WHERE id = 100001").await;

    // Up again: held again, under the same name.
    ok(&p.run(&["apply"]));
    assert_eq!(p.live_fingerprint(), without_notes);
    assert_eq!(
        p.query_i64(&format!("SELECT count(*) FROM {held}")).await,
        100_000
    );
}

/// The data of the users table below, column by column (column order left out: a
/// column added back comes last).
async fn users_checksum(p: &Project) -> String {
    p.db.client()
        .await
        .query_one(
            "SELECT md5(string_agg(format('%s|%s|%s|%s|%s', id, email, password, score, bio), \
             ',' ORDER BY id)) FROM users",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

const USERS_WITH_COLUMNS: &str = "CREATE TABLE users (\n\
     id bigint PRIMARY KEY,\n\
     email text NOT NULL,\n\
     password varchar(255) NOT NULL CONSTRAINT password_long CHECK (length(password) > 3),\n\
     score integer NOT NULL DEFAULT 0,\n\
     bio text\n\
     );\n\
     COMMENT ON COLUMN users.password IS 'a hash';\n\
     CREATE INDEX users_password ON users (password);\n";

/// An UPDATE trigger that changes the row (as an `updated_at` trigger would): putting
/// held values back must not fire it.
const USERS_TOUCH: &str = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \
     $$BEGIN NEW.email := NEW.email || '!'; RETURN NEW; END$$;\n\
     CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n";

/// Issue 15 §2: `plan --recoverable` holds dropped columns (a NOT NULL column with a
/// check, an index and a comment; a NOT NULL column with a default; a nullable one)
/// of a table with 100k rows: up, down, up; after the down every value is back, and
/// so are NOT NULL, the default, the check, the index and the comment, and the table's
/// UPDATE trigger did not fire while the values were put back. A row inserted
/// while the column was gone stops the rollback before it changes anything, as the
/// check query written next to the step says it would.
#[tokio::test]
async fn a_recoverable_column_drop_holds_the_values_and_the_rollback_restores_them() {
    let mut p = Project::new().await;
    p.plan(&format!("{USERS_WITH_COLUMNS}{USERS_TOUCH}"), "users");
    ok(&p.run(&["apply"]));
    p.db.exec(
        "INSERT INTO users SELECT g, 'u' || g || '@example.com', md5(g::text), \
         CASE WHEN g % 2 = 0 THEN g ELSE 0 END, CASE WHEN g % 3 = 0 THEN NULL ELSE 'bio ' || g END \
         FROM generate_series(1, 100000) g",
    )
    .await;
    let with_columns = p.live_fingerprint();
    let checksum = users_checksum(&p).await;

    std::fs::write(
        p.path().join("schema/app.sql"),
        format!("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n{USERS_TOUCH}"),
    )
    .unwrap();
    p.epoch += 60;
    ok(&p.run(&["plan", "-m", "drop columns", "--recoverable"]));
    let file = plan_files(p.path()).pop().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("-- id: "))
        .unwrap()
        .to_string();
    assert_eq!(header_hazards(&text), "may-fail, data-held", "{text}");
    let held = |c: &str| format!("schemaplan_trash.\"{id}_public_users_{c}\"");
    for c in ["password", "score", "bio"] {
        assert!(
            text.contains(&format!(
                "CREATE TABLE {} AS SELECT id, {c}::text AS {c} FROM public.users;",
                held(c)
            )),
            "{text}"
        );
    }
    // The NOT NULL column without a default may fail (rows added since have no value
    // to take), and so may its check.
    let checks = check_queries(&text);
    assert_eq!(
        checks,
        vec![
            format!(
                "SELECT count(*) FROM public.users AS t WHERE NOT EXISTS \
                 (SELECT 1 FROM {} AS h WHERE t.id = h.id)",
                held("password")
            ),
            "SELECT count(*) FROM public.users WHERE NOT (length((password)::text) > 3)"
                .to_string()
        ],
        "{text}"
    );

    // Up: held, and the schema no longer has them.
    ok(&p.run(&["apply"]));
    for c in ["password", "score", "bio"] {
        assert_eq!(
            p.query_i64(&format!("SELECT count(*) FROM {}", held(c)))
                .await,
            100_000
        );
    }
    let without_columns = p.live_fingerprint();
    assert_ne!(without_columns, with_columns);
    let status = ok(&p.run(&["status"]));
    assert!(status.contains("drift:    no"), "{status}");
    for mode in ["auto", "offline"] {
        p.epoch += 60;
        let again = p.run(&["plan", "-m", "nothing", "--mode", mode]);
        assert!(
            common::stderr(&again).contains("nothing to plan"),
            "{mode}: {}",
            common::stderr(&again)
        );
    }

    // A row without a password stops the rollback before anything changes.
    p.db.exec("INSERT INTO users VALUES (100001, 'new@example.com')")
        .await;
    assert_eq!(p.query_i64(&checks[0]).await, 1);
    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("password"), "{e}");
    assert_eq!(p.live_fingerprint(), without_columns);
    assert_eq!(p.applied().await.len(), 2);
    p.db.exec("DELETE FROM users WHERE id = 100001").await;

    // Down: every value back, no --force needed; the schema is the one before.
    let out = ok(&p.run(&["rollback"]));
    assert!(out.contains("1 revision(s) rolled back"), "{out}");
    assert_eq!(users_checksum(&p).await, checksum);
    assert_eq!(p.live_fingerprint(), with_columns);
    assert_eq!(
        p.query_i64("SELECT count(*) FROM pg_tables WHERE schemaname = 'schemaplan_trash'")
            .await,
        0
    );
    // The check and the default are back.
    let e =
        p.db.client()
            .await
            .execute(
                "INSERT INTO users (id, email, password) VALUES (0, 'x', 'abc')",
                &[],
            )
            .await
            .unwrap_err();
    assert!(common::db_error(&e).contains("password_long"), "{e}");
    p.db.exec("INSERT INTO users (id, email, password) VALUES (0, 'x', 'abcd')")
        .await;
    assert_eq!(
        p.query_i64("SELECT score::bigint FROM users WHERE id = 0")
            .await,
        0
    );
    p.db.exec("DELETE FROM users WHERE id = 0").await;

    // Up again: held again, under the same names.
    ok(&p.run(&["apply"]));
    assert_eq!(p.live_fingerprint(), without_columns);
    assert_eq!(
        p.query_i64(&format!("SELECT count(*) FROM {}", held("password")))
            .await,
        100_000
    );
}

/// Issue 15 §2: `trash` lists what recoverable drops hold (revision, object, rows,
/// size), in text and JSON; `trash purge` refuses without consent and drops nothing,
/// chooses by revision or age, and with `--allow-hazard data-loss` drops it for good
/// without touching the managed schema.
#[tokio::test]
async fn trash_lists_what_is_held_and_purge_drops_it_only_with_consent() {
    let mut p = Project::new().await;
    p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY, bio text);\n\
         CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n",
        "users and notes",
    );
    ok(&p.run(&["apply"]));
    p.db.exec(
        "INSERT INTO users SELECT g, 'bio ' || g FROM generate_series(1, 1000) g;\n\
         INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 500) g;",
    )
    .await;
    assert_eq!(ok(&p.run(&["trash"])), "nothing is held\n");

    std::fs::write(
        p.path().join("schema/app.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    p.epoch += 60;
    ok(&p.run(&["plan", "-m", "drop bio and notes", "--recoverable"]));
    let text = std::fs::read_to_string(plan_files(p.path()).pop().unwrap()).unwrap();
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("-- id: "))
        .unwrap()
        .to_string();
    ok(&p.run(&["apply"]));
    let fingerprint = p.live_fingerprint();

    let listed = ok(&p.run(&["trash"]));
    assert!(listed.starts_with("revision "), "{listed}");
    assert!(listed.contains("column public.users.bio"), "{listed}");
    assert!(listed.contains("table public.notes"), "{listed}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&p.run(&["trash", "--format", "json"]))).unwrap();
    let held = json["held"].as_array().unwrap();
    let mut objects: Vec<(String, i64)> = held
        .iter()
        .map(|h| {
            assert_eq!(h["revision"], id.as_str(), "{h}");
            assert!(h["bytes"].as_i64().unwrap() > 0, "{h}");
            assert!(h["applied_at"].is_string(), "{h}");
            (
                h["object"].as_str().unwrap().to_string(),
                h["rows"].as_i64().unwrap(),
            )
        })
        .collect();
    objects.sort();
    assert_eq!(
        objects,
        vec![
            ("column public.users.bio".to_string(), 1000),
            ("table public.notes".to_string(), 500)
        ]
    );
    let count_held = "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemaplan_trash'";

    // No consent: refused, nothing dropped, and the message says how to consent.
    let e = fails(&p.run(&["trash", "purge"]));
    assert!(e.contains("--allow-hazard data-loss"), "{e}");
    assert!(e.contains("table public.notes"), "{e}");
    assert_eq!(p.query_i64(count_held).await, 2);
    // Chosen by another revision, or by an age they have not reached: nothing to do.
    let other = p.run(&[
        "trash",
        "purge",
        "--revision",
        "19990101000000",
        "--allow-hazard",
        "data-loss",
    ]);
    assert_eq!(ok(&other), "nothing to purge\n");
    let young = p.run(&[
        "trash",
        "purge",
        "--older-than",
        "30d",
        "--allow-hazard",
        "data-loss",
    ]);
    assert_eq!(ok(&young), "nothing to purge\n");
    assert_eq!(p.query_i64(count_held).await, 2);

    // With consent: gone for good; the managed schema did not change.
    let purged = ok(&p.run(&[
        "trash",
        "purge",
        "--revision",
        &id,
        "--allow-hazard",
        "data-loss",
        "--format",
        "json",
    ]));
    let purged: serde_json::Value = serde_json::from_str(&purged).unwrap();
    assert_eq!(purged["purged"].as_array().unwrap().len(), 2, "{purged}");
    assert_eq!(p.query_i64(count_held).await, 0);
    assert_eq!(ok(&p.run(&["trash"])), "nothing is held\n");
    assert_eq!(p.live_fingerprint(), fingerprint);
    // The rollback can no longer put the data back: refused, naming what was purged,
    // and nothing changes.
    let e = fails(&p.run(&["rollback"]));
    assert!(e.contains("was purged"), "{e}");
    assert!(e.contains(&format!("{id}_public_notes")), "{e}");
    assert_eq!(p.live_fingerprint(), fingerprint);
}

/// Waits until no session is connected to the project's database (a database is
/// copied only then): the test's own connections close once their tasks run.
async fn wait_until_alone(p: &Project) {
    let admin = common::connect(&common::server_url()).await;
    let start = std::time::Instant::now();
    loop {
        let n: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                &[&p.db.name],
            )
            .await
            .unwrap()
            .get(0);
        if n == 0 {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "sessions still connected to {}",
            p.db.name
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Issue 15 §3: `apply --rehearse` copies the target, applies the pending revision to
/// the copy (a type change that rewrites the table, an index), reports each
/// statement's duration and the locks it took, the table it rewrote, rolls back, finds
/// the schema where it started, and drops the copy; the target is not changed.
#[tokio::test]
async fn apply_rehearse_reports_on_a_copy_and_leaves_the_target_alone() {
    let mut p = Project::new().await;
    p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY, n integer NOT NULL);\n",
        "users",
    );
    ok(&p.run(&["apply"]));
    // Enough rows for the rewrite to outlast a few lock samples.
    p.db.exec("INSERT INTO users SELECT g, g FROM generate_series(1, 200000) g")
        .await;
    p.plan(
        "CREATE TABLE users (id bigint PRIMARY KEY, n bigint NOT NULL);\n\
         CREATE INDEX users_n ON users (n);\n",
        "widen n",
    );
    let before = p.live_fingerprint();

    wait_until_alone(&p).await;
    let out = ok(&p.run(&["apply", "--rehearse"]));
    assert!(
        out.contains("(a copy of the target, dropped after)"),
        "{out}"
    );
    assert!(out.contains("widen n: "), "{out}");
    assert!(out.contains("ran in "), "{out}");
    assert!(
        out.contains("rewrote public.users (relfilenode changed)"),
        "{out}"
    );
    assert!(
        out.contains("held AccessExclusiveLock on public.users for ~"),
        "{out}"
    );
    // Per statement: the type change is the one that took it.
    let lines: Vec<&str> = out.lines().collect();
    let alter = lines
        .iter()
        .position(|l| l.contains("ran in ") && l.contains("TYPE bigint"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        lines[alter + 1..]
            .iter()
            .take_while(|l| l.starts_with("    "))
            .any(|l| l.contains("took AccessExclusiveLock on public.users, held ~")),
        "{out}"
    );
    assert!(out.contains("1 revision(s) rolled back"), "{out}");
    assert!(out.contains("came back to where it started"), "{out}");
    // The target: not changed; the copy: gone.
    assert_eq!(p.applied().await.len(), 1);
    assert_eq!(p.live_fingerprint(), before);
    let copy = out
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(2))
        .and_then(|u| u.rsplit('/').next())
        .unwrap();
    assert!(copy.starts_with("schemaplan_rehearse_"), "{out}");
    assert_eq!(
        p.query_i64(&format!(
            "SELECT count(*) FROM pg_database WHERE datname = '{copy}'"
        ))
        .await,
        0
    );

    wait_until_alone(&p).await;
    let json: serde_json::Value =
        serde_json::from_str(&ok(&p.run(&["apply", "--rehearse", "--format", "json"]))).unwrap();
    let revisions = json["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1, "{json}");
    assert_eq!(revisions[0]["rewrote"], serde_json::json!(["public.users"]));
    assert!(
        revisions[0]["statements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sql"].as_str().unwrap().contains("CREATE INDEX")),
        "{json}"
    );
    assert!(
        revisions[0]["statements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sql"].as_str().unwrap().contains("TYPE bigint")
                && s["locks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["mode"] == "AccessExclusiveLock")),
        "{json}"
    );
    assert_eq!(json["start_fingerprint"], json["end_fingerprint"]);
    assert_eq!(p.applied().await.len(), 1);

    // On a copy the user made: left in place, rolled back.
    wait_until_alone(&p).await;
    let restored = format!("{}_restored", p.db.name);
    let admin = common::connect(&common::server_url()).await;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {restored} TEMPLATE {}",
            p.db.name
        ))
        .await
        .unwrap();
    let out = ok(&p.run(&["apply", "--rehearse-url", &common::url_for(&restored)]));
    assert!(out.starts_with("rehearsal on "), "{out}");
    assert!(!out.contains("a copy of the target"), "{out}");
    assert!(out.contains("came back to where it started"), "{out}");
    let left: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&restored],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 1);
    admin
        .batch_execute(&format!("DROP DATABASE {restored} WITH (FORCE)"))
        .await
        .unwrap();
    assert_eq!(p.applied().await.len(), 1);

    // The real apply is unchanged, and finds the same revision pending.
    ok(&p.run(&["apply", "--allow-hazard", "table-rewrite"]));
    assert_eq!(p.applied().await.len(), 2);
}

/// A rehearsal of a revision whose down section cannot restore what it drops: applied
/// on the copy, the rollback refused there; exit 1, the report says why, and the target
/// is not changed.
#[tokio::test]
async fn apply_rehearse_reports_a_rollback_that_cannot_come_back() {
    let mut p = Project::new().await;
    p.plan(USERS_WITH_PASSWORD, "users");
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO users VALUES (1, 'a@example.com', 'x')")
        .await;
    p.plan(USERS_WITHOUT_PASSWORD, "drop password");
    let before = p.live_fingerprint();
    wait_until_alone(&p).await;
    let out = p.run(&["apply", "--rehearse"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("drop password: "), "{text}");
    assert!(text.contains("rollback failed: "), "{text}");
    assert!(text.contains("not reversible"), "{text}");
    assert!(text.contains("did NOT come back"), "{text}");
    assert_eq!(p.applied().await.len(), 1);
    assert_eq!(p.live_fingerprint(), before);
}

/// A column dropped with `--recoverable` gets its column privileges back with its
/// values when the revision is rolled back.
#[tokio::test]
async fn a_recoverable_column_drop_gives_the_column_its_grants_back() {
    let mut p = Project::new().await;
    common::ensure_roles(&p.db.client().await, &["sp_app_ro"]).await;
    p.plan(
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n\
         GRANT SELECT (body), UPDATE (body) ON notes TO sp_app_ro;\n",
        "notes",
    );
    ok(&p.run(&["apply"]));
    p.db.exec("INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 100) g")
        .await;
    let granted = "SELECT count(*) FROM (VALUES ('SELECT'), ('UPDATE')) v(p) \
                   WHERE has_column_privilege('sp_app_ro', 'public.notes', 'body', v.p)";
    assert_eq!(p.query_i64(granted).await, 2);
    std::fs::write(
        p.path().join("schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    p.epoch += 60;
    ok(&p.run(&["plan", "-m", "drop body", "--recoverable"]));
    ok(&p.run(&["apply"]));
    assert_eq!(
        p.query_i64(
            "SELECT count(*) FROM information_schema.columns \
             WHERE table_name = 'notes' AND column_name = 'body'"
        )
        .await,
        0
    );
    let out = ok(&p.run(&["rollback"]));
    assert!(out.contains("1 revision(s) rolled back"), "{out}");
    assert_eq!(
        p.query_i64("SELECT count(*) FROM notes WHERE body = 'n' || id")
            .await,
        100
    );
    assert_eq!(p.query_i64(granted).await, 2, "the grants are back");
}
