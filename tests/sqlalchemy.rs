//! SQLAlchemy models as the desired schema, with real SQLAlchemy from PyPI: a
//! FastAPI-style models package (users, posts, tags, a many-to-many table, an enum, a
//! JSONB column, a partial index, a mixin, a naming convention) planned with no database
//! at all gives the plan the same schema written as SQL gives; applied to a real
//! database it converges; each of the edits Alembic's autogenerate misses or gets wrong
//! is planned, applied with rows in the tables, and converges again; a rollback keeps
//! the rows. Errors in the models name the Python file and line.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{exits, fails, ok, stderr, stdout, TestDb};

const MODELS: &str = r#"import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import (BigInteger, CheckConstraint, Column, Enum, ForeignKey, Index,
                        MetaData, String, Table, Text, func, text)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Role(enum.Enum):
    admin = "admin"
    member = "member"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class User(Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("length(username) >= 3", name="username_length"),
        {"comment": "people who sign in"},
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role"), server_default="member")
    settings: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class Post(Timestamped, Base):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_published", "author_id", postgresql_where=text("published")),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, server_default="")
    published: Mapped[bool] = mapped_column(server_default=text("false"))


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
"#;

/// What SQLAlchemy expresses beyond the basics: a schema on every table (through a
/// mixin's `__table_args__`), an identity, a named sequence, a stored computed column,
/// a partial covering index, a GIN index, a multi-column unique constraint, a deferrable
/// foreign key, a native enum in a schema, ARRAY, JSONB, comments, and a view attached
/// to the metadata's `after_create` event. The target is the module: its declarative
/// base is found.
const EVERYTHING: &str = r#"import enum
from decimal import Decimal
from sqlalchemy import (DDL, BigInteger, CheckConstraint, Column, Computed, Enum, ForeignKey, Identity,
                        Index, Integer, MetaData, Numeric, Sequence, String, Table, Text, UniqueConstraint,
                        event, text)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Status(enum.Enum):
    open = "open"
    paid = "paid"


class Base(DeclarativeBase):
    pass


class Billing:
    __table_args__ = {"schema": "billing"}


class Customer(Billing, Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("region", "code", name="customers_region_code_key"),
                      {"schema": "billing", "comment": "who pays"})
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True, start=1000), primary_key=True)
    region: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(20), comment="the customer's own code")
    labels: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))


class Invoice(Billing, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("net >= 0", name="invoices_net_check"),
        Index("invoices_open_idx", "customer_id", postgresql_where=text("status = 'open'"), postgresql_include=["net"]),
        Index("invoices_meta_idx", "meta", postgresql_using="gin"),
        {"schema": "billing"},
    )
    id: Mapped[int] = mapped_column(Integer, Sequence("invoice_numbers", schema="billing", start=1, increment=1),
                                    server_default=text("nextval('billing.invoice_numbers')"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("billing.customers.id", ondelete="RESTRICT", deferrable=True, initially="DEFERRED"))
    status: Mapped[Status] = mapped_column(Enum(Status, name="invoice_status", schema="billing"), server_default="open")
    net: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    tax: Mapped[Decimal] = mapped_column(Numeric(12, 2), Computed("net * 0.2", persisted=True))
    meta: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


event.listen(
    Base.metadata,
    "after_create",
    DDL("CREATE VIEW billing.open_invoices AS SELECT id, net FROM billing.invoices WHERE status = 'open'"),
)
"#;

/// The same schema as SQL, written the way a person would (lower case, inline
/// constraints, defaults after NOT NULL).
const AS_SQL: &str = r#"create type user_role as enum ('admin', 'member');

create table users (
  id bigserial constraint pk_users primary key,
  username varchar(50) not null constraint uq_users_username unique,
  email varchar(255) not null constraint uq_users_email unique,
  password_hash text not null,
  role user_role not null default 'member',
  settings jsonb not null default '{}'::jsonb,
  created_at timestamp not null default now(),
  constraint ck_users_username_length check (length(username) >= 3)
);
comment on table users is 'people who sign in';

create table tags (
  id serial constraint pk_tags primary key,
  name varchar(40) not null constraint uq_tags_name unique
);

create table posts (
  id bigserial constraint pk_posts primary key,
  author_id bigint not null
    constraint fk_posts_author_id_users references users (id) on delete cascade,
  title varchar(200) not null,
  body text not null default '',
  published boolean not null default false,
  created_at timestamp not null default now()
);
create index ix_posts_published on posts (author_id) where published;

create table post_tags (
  post_id bigint not null constraint fk_post_tags_post_id_posts references posts on delete cascade,
  tag_id integer not null constraint fk_post_tags_tag_id_tags references tags on delete cascade,
  constraint pk_post_tags primary key (post_id, tag_id)
);
"#;

/// What the ORM cannot say, kept as SQL beside the models.
const VIEWS: &str = "create view user_names as select id, username from users;\n";

/// The project file: the models, with the test's interpreter.
fn project_file(target: &str, python: &Path) -> String {
    format!(
        "# The models are the schema; schema/ holds what they cannot say.\n\
         [[source]]\nsqlalchemy = \"{target}\"\npython = \"{}\"\n",
        python.display()
    )
}

/// A project of the models package `app.models`, with schema/views.sql beside it.
fn models_project(python: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("app")).unwrap();
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(p.join("app/__init__.py"), "").unwrap();
    std::fs::write(p.join("app/models.py"), MODELS).unwrap();
    std::fs::write(p.join("schema/views.sql"), VIEWS).unwrap();
    std::fs::write(
        p.join("schemaplan.toml"),
        project_file("app.models:Base", python),
    )
    .unwrap();
    dir
}

fn python() -> std::path::PathBuf {
    common::python_venv().join("bin/python")
}

/// schemaplan with no database anywhere: offline, as on a laptop with no server.
fn offline(dir: &Path, args: &[&str]) -> Output {
    common::bare(dir, args, &[("SOURCE_DATE_EPOCH", "1795000000")])
}

/// The revision files of `dir/plans`, by path.
fn revisions(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, String> {
    std::fs::read_dir(dir.join("plans"))
        .map(|r| {
            r.map(|e| {
                let path = e.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                (path, text)
            })
            .collect()
        })
        .unwrap_or_default()
}

/// A revision's body: its up and down sections, without the header.
fn body(revision: &str) -> &str {
    &revision[revision.find("-- schemaplan:up").unwrap()..]
}

/// A change to the models: what it is, the replacements that make it, and a line its
/// revision must hold.
type Edit<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn edit(dir: &Path, from: &str, to: &str) {
    let file = dir.join("app/models.py");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from:?} is not in the models");
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// Plans the models and the same schema written as SQL, with no database: the same
/// revision. The models' plan carries what schema/views.sql adds.
#[test]
fn models_plan_like_the_same_schema_written_as_sql_with_no_database() {
    let models = models_project(&python());
    ok(&offline(models.path(), &["plan", "-m", "blog"]));
    let sql = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(sql.path().join("schema")).unwrap();
    std::fs::write(sql.path().join("schema/blog.sql"), AS_SQL).unwrap();
    std::fs::write(sql.path().join("schema/views.sql"), VIEWS).unwrap();
    ok(&offline(sql.path(), &["plan", "-m", "blog"]));
    let a: Vec<String> = revisions(models.path()).into_values().collect();
    let b: Vec<String> = revisions(sql.path()).into_values().collect();
    assert_eq!(a.len(), 1);
    assert_eq!(body(&a[0]), body(&b[0]));
    for expected in [
        "CREATE TYPE public.user_role AS ENUM ('admin', 'member');",
        "settings jsonb DEFAULT '{}' NOT NULL",
        "CREATE INDEX ix_posts_published ON public.posts USING btree (author_id) WHERE published;",
        "CONSTRAINT ck_users_username_length CHECK (length(username) >= 3)",
        "COMMENT ON TABLE public.users IS 'people who sign in';",
        "CREATE VIEW public.user_names AS",
    ] {
        assert!(a[0].contains(expected), "{expected}\n{}", a[0]);
    }
    // The pull-request gate reads the models the same way.
    ok(&offline(models.path(), &["check"]));
}

/// The model edits Alembic's autogenerate misses or gets wrong (a server default, an
/// enum value, an index, a check constraint, a type, a rename, a partial index's
/// condition; the README's table lists what Alembic 1.20 makes of each), each planned from the
/// models with no database, applied to a database holding rows, and converged: the
/// exact plan is then empty and the database has no drift. Rolling back the last one
/// keeps the rows.
#[tokio::test]
async fn model_edits_plan_apply_and_converge_with_rows() {
    let db = TestDb::new().await;
    let project = models_project(&python());
    let p = project.path();
    ok(&offline(p, &["plan", "-m", "blog"]));
    ok(&common::run(p, &db.url, &["apply"]));
    db.exec(
        "INSERT INTO users (username, email, password_hash) VALUES ('ada', 'ada@example.com', 'x');
         INSERT INTO posts (author_id, title, published) SELECT id, 'Notes', true FROM users;
         INSERT INTO tags (name) VALUES ('math');
         INSERT INTO post_tags SELECT p.id, t.id FROM posts p, tags t;",
    )
    .await;
    let edits: &[Edit] = &[
        (
            "a server default",
            &[(
                "server_default=\"member\")",
                "server_default=\"admin\")",
            )],
            "ALTER TABLE public.users ALTER COLUMN role SET DEFAULT 'admin'",
        ),
        (
            "an enum value",
            &[(
                "    member = \"member\"\n",
                "    member = \"member\"\n    guest = \"guest\"\n",
            )],
            "ALTER TYPE public.user_role ADD VALUE 'guest'",
        ),
        (
            "an index's columns",
            &[(
                "Index(\"ix_posts_published\", \"author_id\",",
                "Index(\"ix_posts_published\", \"author_id\", \"created_at\",",
            )],
            "(author_id, created_at) WHERE published",
        ),
        (
            "a check constraint",
            &[(
                "length(username) >= 3",
                "length(username) >= 2",
            )],
            "CHECK (length(username) >= 2)",
        ),
        (
            "a type",
            &[(
                "mapped_column(String(200))",
                "mapped_column(String(300))",
            )],
            "ALTER COLUMN title TYPE character varying(300)",
        ),
        (
            "a rename hinted in the model",
            &[(
                "title: Mapped[str] = mapped_column(String(300))",
                "headline: Mapped[str] = mapped_column(String(300), info={\"schemaplan\": {\"renamed_from\": \"title\"}})",
            )],
            "RENAME COLUMN title TO headline",
        ),
        (
            "a new column with a comment",
            &[(
                "    published: Mapped[bool]",
                "    summary: Mapped[Optional[str]] = mapped_column(Text, comment=\"teaser\")\n    published: Mapped[bool]",
            )],
            "COMMENT ON COLUMN public.posts.summary IS 'teaser'",
        ),
        (
            "a partial index's condition",
            &[(
                "postgresql_where=text(\"published\")",
                "postgresql_where=text(\"not published\")",
            )],
            "(author_id, created_at) WHERE NOT published",
        ),
        (
            "a table renamed, with its sequence, key and constraint names",
            &[
                (
                    "__tablename__ = \"tags\"",
                    "__tablename__ = \"labels\"\n    __table_args__ = {\"info\": {\"schemaplan\": {\"renamed_from\": \"tags\"}}}",
                ),
                ("ForeignKey(\"tags.id\"", "ForeignKey(\"labels.id\""),
            ],
            "ALTER SEQUENCE public.tags_id_seq RENAME TO labels_id_seq",
        ),
    ];
    for (n, (what, replacements, expected)) in edits.iter().enumerate() {
        for (from, to) in *replacements {
            edit(p, from, to);
        }
        let message = format!("edit {n}");
        let before = revisions(p);
        let plan = offline(p, &["plan", "-m", &message]);
        ok(&plan);
        let mut new = revisions(p);
        new.retain(|path, _| !before.contains_key(path));
        assert_eq!(new.len(), 1, "{what}: no revision\n{}", stderr(&plan));
        let revision = new.into_values().next().unwrap();
        let up = body(&revision);
        let up = &up[..up.find("-- schemaplan:down").unwrap()];
        assert!(up.contains(expected), "{what}: expected {expected}\n{up}");
        for drop in ["DROP TABLE", "DROP COLUMN", "DROP SEQUENCE"] {
            assert!(!up.contains(drop), "{what}: {drop}\n{up}");
        }
        ok(&common::run(p, &db.url, &["apply"]));
        // Converged: reading the models on the server plans nothing, and the live
        // schema is what the revisions build.
        let again = common::run(p, &db.url, &["check"]);
        assert_eq!(again.status.code(), Some(0), "{what}: {}", stdout(&again));
        let status = ok(&common::run(p, &db.url, &["status"]));
        let drift = status.lines().find_map(|l| l.strip_prefix("drift:"));
        assert_eq!(drift.map(str::trim), Some("no"), "{what}: {status}");
    }
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT p.headline, u.role::text, (SELECT count(*) FROM post_tags) \
             FROM posts p JOIN users u ON u.id = p.author_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "Notes", "the rename kept the data");
    assert_eq!(row.get::<_, String>(1), "member");
    assert_eq!(row.get::<_, i64>(2), 1);
    // The renamed table's sequence numbers on from where it was.
    client
        .execute("INSERT INTO labels (name) VALUES ('physics')", &[])
        .await
        .unwrap();
    // The three newest revisions rolled back: the table's name, the index condition,
    // then the column.
    ok(&common::run(p, &db.url, &["rollback"]));
    let tags: i64 = client
        .query_one("SELECT count(*) FROM tags", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(tags, 2);
    ok(&common::run(p, &db.url, &["rollback"]));
    let index: String = client
        .query_one(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_posts_published'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(index.ends_with("WHERE published"), "{index}");
    ok(&common::run(p, &db.url, &["rollback"]));
    let columns: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.columns \
             WHERE table_name = 'posts' AND column_name = 'summary'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(columns, 0, "the rollback dropped the new column");
    let rows: i64 = client
        .query_one("SELECT count(*) FROM posts", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

/// Everything in [`EVERYTHING`] planned offline, applied, and converged: the exact
/// reading plans nothing and the database has no drift. Without the schema's
/// `CREATE SCHEMA`, the plan is refused at the model that needs it.
#[tokio::test]
async fn everything_sqlalchemy_expresses_comes_through() {
    let db = TestDb::new().await;
    let project = models_project(&python());
    let p = project.path();
    std::fs::write(p.join("app/models.py"), EVERYTHING).unwrap();
    std::fs::remove_file(p.join("schema/views.sql")).unwrap();
    std::fs::write(
        p.join("schemaplan.toml"),
        project_file("app.models", &python()),
    )
    .unwrap();
    let e = fails(&offline(p, &["plan", "-m", "billing"]));
    assert!(
        e.contains("app/models.py:") && e.contains("schema \"billing\" does not exist"),
        "{e}"
    );
    std::fs::write(p.join("schema/schemas.sql"), "create schema billing;\n").unwrap();
    ok(&offline(p, &["plan", "-m", "billing"]));
    let plan: String = revisions(p).into_values().collect();
    for expected in [
        "id bigint NOT NULL GENERATED ALWAYS AS IDENTITY (START WITH 1000)",
        "CREATE SEQUENCE billing.invoice_numbers;",
        "tax numeric(12,2) GENERATED ALWAYS AS (net * 0.2) STORED NOT NULL",
        "INCLUDE (net) WHERE status = 'open'::billing.invoice_status",
        "USING gin (meta)",
        "CONSTRAINT customers_region_code_key UNIQUE (region, code)",
        "ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED",
        "CREATE TYPE billing.invoice_status AS ENUM ('open', 'paid');",
        "labels text[] DEFAULT '{}' NOT NULL",
        "COMMENT ON COLUMN billing.customers.code IS 'the customer''s own code';",
        "CREATE VIEW billing.open_invoices AS",
    ] {
        assert!(plan.contains(expected), "{expected}\n{plan}");
    }
    ok(&common::run(p, &db.url, &["apply"]));
    let check = common::run(p, &db.url, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let status = ok(&common::run(p, &db.url, &["status"]));
    let drift = status.lines().find_map(|l| l.strip_prefix("drift:"));
    assert_eq!(drift.map(str::trim), Some("no"), "{status}");
}

/// A computed column without `persisted` compiles as the target would make it:
/// STORED by default and for 17, VIRTUAL for 18.
#[test]
fn models_compile_for_the_target_version() {
    let project = models_project(&python());
    let p = project.path();
    edit(
        p,
        "    published: Mapped[bool]",
        "    slug: Mapped[str] = mapped_column(Text, Computed(\"lower(title)\"))\n    published: Mapped[bool]",
    );
    edit(
        p,
        "from sqlalchemy import (",
        "from sqlalchemy import (Computed, ",
    );
    let plan_with = |target: Option<u32>| {
        let mut file = project_file("app.models:Base", &python());
        if let Some(v) = target {
            file = format!("target_version = {v}\n{file}");
        }
        std::fs::write(p.join("schemaplan.toml"), file).unwrap();
        ok(&offline(p, &["plan"]))
    };
    let stored = "slug text GENERATED ALWAYS AS (lower(title)) STORED";
    for target in [None, Some(17)] {
        let plan = plan_with(target);
        assert!(plan.contains(stored), "{target:?}\n{plan}");
    }
    let plan = plan_with(Some(18));
    assert!(
        plan.contains("GENERATED ALWAYS AS") && !plan.contains(stored),
        "{plan}"
    );
}

/// A models module that fails to import names its file and line; a missing
/// interpreter or SQLAlchemy says what to install; a target that is no metadata says
/// what is expected. Every one exits 2, before anything is written.
#[test]
fn errors_name_the_python_file_and_line_and_what_to_install() {
    let project = models_project(&python());
    let p = project.path();
    std::fs::write(
        p.join("app/broken.py"),
        "from app.models import Base\n\nlimit = undefined_setting + 1\n",
    )
    .unwrap();
    std::fs::write(
        p.join("schemaplan.toml"),
        project_file("app.broken:Base", &python()),
    )
    .unwrap();
    let e = fails(&offline(p, &["plan", "-m", "x"]));
    assert!(e.contains("app/broken.py:3: NameError"), "{e}");
    assert!(!p.join("plans").exists());

    std::fs::write(
        p.join("schemaplan.toml"),
        project_file("app.models:Role", &python()),
    )
    .unwrap();
    let e = fails(&offline(p, &["check"]));
    assert!(e.contains("is not a MetaData, a declarative base"), "{e}");

    std::fs::write(
        p.join("schemaplan.toml"),
        project_file("app.models:Base", Path::new("/no/such/python")),
    )
    .unwrap();
    let e = fails(&offline(p, &["plan", "-m", "x"]));
    assert!(e.contains("cannot run /no/such/python"), "{e}");

    // An environment without SQLAlchemy.
    let bare = tempfile::tempdir().unwrap();
    let made = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(bare.path())
        .output()
        .unwrap();
    exits(&made, 0);
    std::fs::write(
        p.join("schemaplan.toml"),
        project_file("app.models:Base", &bare.path().join("bin/python")),
    )
    .unwrap();
    let e = fails(&offline(p, &["plan", "-m", "x"]));
    assert!(
        e.contains("SQLAlchemy is not installed") && e.contains("pip install sqlalchemy"),
        "{e}"
    );
}
