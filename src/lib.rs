//! schemaplan: a declarative schema-as-code planner for PostgreSQL.
//!
//! The pipeline, one module per stage, arrows pointing one way (a module uses only the
//! ones listed before it):
//!
//! ```text
//!  schema/*.sql|yaml ─> parse ─┬─> offline (in memory) ──────────┐
//!                              └─> devdb (scratch database) ─┐   │
//!  live database ──────────────────────────────> introspect ─┴─> Catalog
//!
//!  Catalog (from), Catalog (to) ─> diff ─> Changes ─> order ─> render ─> SQL
//!  SQL ─> plan (revision files, DAG) ─> apply (database)
//!  project: plan / check / merge as library calls; cli: flags and output only
//! ```
//!
//! - [`error`]: the one error type; [`toposort`]: the stable sort every stage orders by.
//! - [`model`]: the [`model::Catalog`] and its objects, plain data.
//! - [`parse`]: schema files (SQL through PostgreSQL's own parser, YAML), rename hints,
//!   statement order.
//! - [`offline`]: statements interpreted into a Catalog in memory (no server).
//! - [`introspect`]: a live database read into a Catalog in a fixed number of queries.
//! - [`diff`]: two Catalogs compared into [`diff::Change`]s.
//! - [`order`]: changes sorted by dependencies.
//! - [`render`]: ordered changes turned into SQL, reverse SQL and hazards.
//! - [`plan`]: revision files in `plans/` and their DAG.
//! - [`connect`]: database URLs (incl. SQLAlchemy forms), `.env`, TLS, connecting.
//! - [`devdb`]: scratch databases that turn schema files into a Catalog (exact mode),
//!   and the throwaway local cluster of last resort.
//! - [`apply`]: pending revisions run against a database, with history and lock;
//!   [`apply::Migrator`] is what an application embeds ([`blocking`] without a runtime,
//!   [`embed_plans!`] and [`build`] to compile the plans in).
//! - [`alembic`]: reading an Alembic project and its version table, for adoption.
//! - [`project`]: the workflow (`plan`, `check`, `merge`) as library calls.
//! - [`cli`]: the command line.

pub mod error;
pub mod toposort;

pub mod model;
pub mod parse;
pub mod offline;
pub mod introspect;
pub mod diff;
pub mod order;
pub mod render;
pub mod plan;
pub mod connect;
pub mod devdb;
pub mod apply;
pub mod blocking;
pub mod build;
pub mod alembic;
pub mod project;
pub mod cli;

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
