//! Revision plans: the files in `plans/` and their DAG.
//!
//! Input: a plans directory. Output: a [`History`] of [`Revision`]s (up and down
//! statements, parents, checksums, hazards) in a stable topological order, and the text
//! of new revision files. Does not touch the database: replaying revisions is [`crate::offline`]'s or
//! [`crate::devdb`]'s job, applying them to a target is `apply`'s.

pub mod dir;
pub mod file;
pub mod graph;
pub mod merge;

pub use file::{checksum, NewRevision, Revision, RevisionId, Tenancy};
pub use graph::History;

use crate::error::Result;
use crate::parse::ScriptStatement;

/// The up sections of some revisions, in the order given: the scripts that build the
/// schema they end at (a whole history in DAG order, or a branch).
pub fn up_scripts<'a>(
    revisions: impl IntoIterator<Item = &'a Revision>,
) -> Result<Vec<Vec<ScriptStatement>>> {
    revisions.into_iter().map(Revision::up).collect()
}
