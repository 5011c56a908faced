//! schemaplan: a declarative schema-as-code planner for PostgreSQL.
//!
//! The pipeline, one module per stage, arrows pointing one way:
//!
//! ```text
//!  schema/*.sql|yaml ──> parse ──> order::statements ──> devdb (load) ─┐
//!  live database ─────────────────────────────────────────────────┼─> introspect ─> Catalog
//!                                                                 │
//!  Catalog (from), Catalog (to) ──> diff ──> Changes ──> order ──> Steps ──> render ──> SQL
//! ```
//!
//! - [`model`]: the [`model::Catalog`] and its objects, plain data.
//! - [`parse`]: schema files split and parsed with PostgreSQL's own parser.
//! - [`yaml`]: YAML schema files compiled to the same statements; catalogs written as YAML.
//! - [`connect`]: database URLs (incl. SQLAlchemy forms), TLS, connecting.
//! - [`introspect`]: a live database read into a Catalog in a fixed number of queries.
//! - [`devdb`]: scratch databases that turn schema files into a Catalog (exact mode).
//! - [`cluster`]: a throwaway local PostgreSQL, the dev server of last resort.
//! - [`diff`]: two Catalogs compared into [`diff::Change`]s.
//! - [`order`]: changes (and schema statements) sorted by dependencies with petgraph.
//! - [`render`]: ordered changes turned into SQL, reverse SQL and hazards.
//! - [`plan`]: revision files in `plans/` and their DAG.
//! - [`apply`]: pending revisions run against a database, with history and lock;
//!   [`apply::Migrator`] is what an application embeds ([`blocking`] without a runtime,
//!   [`embed_plans!`] and [`build`] to compile the plans in).
//! - [`cli`]: the command line.

pub mod alembic;
pub mod apply;
pub mod blocking;
pub mod build;
pub mod cli;
pub mod cluster;
pub mod connect;
pub mod devdb;
pub mod diff;
pub mod error;
pub mod introspect;
pub mod model;
pub mod offline;
pub mod order;
pub mod parse;
pub mod plan;
pub mod render;
pub mod source;
pub mod yaml;

pub use error::{Error, Location, Result};

/// Embeds revision files in the program at compile time, as the (file name, text) slice
/// [`apply::Migrator::from_embedded`] takes. Paths are relative to the crate's manifest
/// directory; list every file (or use [`build::embed_plans`] in `build.rs` to list a
/// directory automatically).
///
/// ```
/// static PLANS: &[(&str, &str)] = schemaplan::embed_plans!("plans", [
///     "20261101080000-97bca7_create_users.sql",
///     "20261102080000-d0292e_add_posts_and_tags.sql",
/// ]);
/// let migrator = schemaplan::apply::Migrator::from_embedded(PLANS).unwrap();
/// assert_eq!(migrator.history().len(), 2);
/// ```
#[macro_export]
macro_rules! embed_plans {
    ($dir:literal, [$($file:literal),* $(,)?]) => {
        &[$(($file, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, "/", $file)))),*]
    };
}
