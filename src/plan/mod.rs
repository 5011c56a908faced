//! Revision plans: the files in `plans/` and their DAG.
//!
//! Input: a plans directory. Output: a [`History`] of [`Revision`]s (up and down
//! statements, parents, checksums, hazards) in a stable topological order, and the text
//! of new revision files. Does not touch the database: replaying revisions onto a dev
//! database is [`crate::source`]'s job, applying them to a target is `apply`'s.

pub mod dir;
pub mod file;
pub mod graph;
pub mod merge;

pub use file::{checksum, NewRevision, Revision, RevisionId};
pub use graph::History;
