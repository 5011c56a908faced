//! The library for programs without an async runtime: the same migrator, driven on a
//! runtime of its own.
//!
//! ```no_run
//! fn main() -> schemaplan::Result<()> {
//!     // DATABASE_URL from the environment or .env, as the CLI reads it.
//!     let report = schemaplan::blocking::Migrator::from_dir("plans")?.apply_from_env()?;
//!     println!("{} revision(s) applied", report.done.len());
//!     Ok(())
//! }
//! ```

use std::path::Path;

use crate::apply::{self, ApplyOptions, Report, Status};
use crate::connect::DbUrl;
use crate::error::{Error, Result};

/// A blocking [`apply::Migrator`].
pub struct Migrator {
    inner: apply::Migrator,
}

impl Migrator {
    /// Reads every revision in `dir`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrator> {
        Ok(Migrator {
            inner: apply::Migrator::from_dir(dir)?,
        })
    }

    /// Revisions embedded in the program (see [`crate::embed_plans!`]).
    pub fn from_embedded(files: &[(&str, &str)]) -> Result<Migrator> {
        Ok(Migrator {
            inner: apply::Migrator::from_embedded(files)?,
        })
    }

    /// The options `apply` uses.
    pub fn with_options(self, options: ApplyOptions) -> Migrator {
        Migrator {
            inner: self.inner.with_options(options),
        }
    }

    /// The async migrator inside.
    pub fn inner(&self) -> &apply::Migrator {
        &self.inner
    }

    /// Applies pending revisions to the database at `url` (any form the CLI takes).
    pub fn apply(&self, url: &str) -> Result<Report> {
        let url = DbUrl::parse(url)?;
        run(async {
            let client = url.connect().await?;
            self.inner.apply(&client).await
        })
    }

    /// Applies pending revisions to `DATABASE_URL` (environment, else `.env`).
    pub fn apply_from_env(&self) -> Result<Report> {
        run(async {
            let client = crate::connect::connect_from_env().await?;
            self.inner.apply(&client).await
        })
    }

    /// Where the database at `url` stands.
    pub fn status(&self, url: &str) -> Result<Status> {
        let url = DbUrl::parse(url)?;
        run(async {
            let client = url.connect().await?;
            self.inner.status(&client).await
        })
    }
}

/// Runs a future to completion on a new single-threaded runtime.
fn run<T>(future: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?
        .block_on(future)
}
