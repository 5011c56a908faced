//! Order: changes (and schema statements) sorted by their dependencies with petgraph.

pub mod toposort;
pub mod statements;
