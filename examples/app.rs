//! A small application that brings its database up to date at start-up, then serves
//! queries through a connection pool.
//!
//! Its revisions (examples/app/plans, planned from examples/app/schema with
//! `schemaplan plan`) are embedded in the binary: the deployed program needs no plans/
//! folder. Run it with `DATABASE_URL=postgres://... cargo run --example app`; `cargo
//! test` runs its test against the test server.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use schemaplan::apply::{Migrator, Report};
use schemaplan::connect::DbUrl;

/// The revisions, compiled in.
static PLANS: &[(&str, &str)] = schemaplan::embed_plans!(
    "examples/app/plans",
    [
        "20261118110640-4b3e2c_notes.sql",
        "20261118111640-c448b0_tags_on_notes.sql",
    ]
);

/// Migrates the database at `url` (any URL form schemaplan takes), then opens a pool.
async fn start(url: &str) -> Result<(Pool, Report), Box<dyn std::error::Error>> {
    let url = DbUrl::parse(url)?;
    // One connection for the migration: the apply lock makes concurrent starts safe.
    let client = url.connect().await?;
    let report = Migrator::from_embedded(PLANS)?.apply(&client).await?;
    drop(client);
    let manager = Manager::from_config(
        url.pg_config(),
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager).max_size(4).build()?;
    Ok((pool, report))
}

/// Adds a note with tags; returns its id.
async fn add_note(
    pool: &Pool,
    title: &str,
    tags: &[&str],
) -> Result<i64, Box<dyn std::error::Error>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let id: i64 = tx
        .query_one(
            "INSERT INTO notes (title) VALUES ($1) RETURNING id",
            &[&title],
        )
        .await?
        .get(0);
    for tag in tags {
        tx.execute(
            "INSERT INTO tags (note_id, tag) VALUES ($1, $2)",
            &[&id, tag],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL")?;
    let (pool, report) = start(&url).await?;
    println!("{} revision(s) applied at start-up", report.done.len());
    let id = add_note(&pool, "hello", &["greeting"]).await?;
    let n: i64 = pool
        .get()
        .await?
        .query_one("SELECT count(*) FROM tags WHERE note_id = $1", &[&id])
        .await?
        .get(0);
    println!("note {id} has {n} tag(s)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> String {
        std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
    }

    #[tokio::test]
    async fn starts_migrated_and_queries_through_the_pool() {
        let admin = DbUrl::parse(&server()).unwrap().connect().await.unwrap();
        let name = format!("spexample_{:08x}", rand::random::<u32>());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = DbUrl::parse(&server()).unwrap().with_dbname(&name);
        // The SQLAlchemy form an application's settings may hold works as is.
        let sqlalchemy = format!(
            "postgresql+asyncpg://{}@{}:{}/{name}",
            url.user(),
            url.host(),
            url.port()
        );
        let result = async {
            let (pool, report) = start(&sqlalchemy).await?;
            assert_eq!(report.done.len(), 2);
            let id = add_note(&pool, "hello", &["a", "b"]).await?;
            let tags: i64 = pool
                .get()
                .await?
                .query_one("SELECT count(*) FROM tags WHERE note_id = $1", &[&id])
                .await?
                .get(0);
            assert_eq!(tags, 2);
            // A second start (another instance, a restart) finds nothing to do.
            let (_, again) = start(&sqlalchemy).await?;
            assert!(again.done.is_empty());
            Ok::<_, Box<dyn std::error::Error>>(())
        }
        .await;
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
        result.unwrap();
    }
}
