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
//! - [`apply`]: pending revisions run against a database, with history and lock.
//! - [`cli`]: the command line.

pub mod apply;
pub mod cli;
pub mod cluster;
pub mod connect;
pub mod devdb;
pub mod diff;
pub mod error;
pub mod introspect;
pub mod model;
pub mod order;
pub mod parse;
pub mod plan;
pub mod render;
pub mod source;
pub mod yaml;

pub use error::{Error, Location, Result};
