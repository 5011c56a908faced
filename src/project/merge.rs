//! `merge`: divergent heads of plans/, whether their branches conflict, and the merge
//! revision that joins them.
//!
//! The verdict comes from plans/ alone: each branch is replayed from the fork point and
//! what it touches is compared. The desired schema is read only after a clean merge, to
//! carry the merged schema to it; a desired schema that cannot be read then (it may
//! hold the unresolved edits of both branches) is a note, never what hides a conflict.

use std::path::PathBuf;

use super::revision::{plan_with_renames, Planned};
use super::source::{replay, Mode};
use super::{Project, Reader};
use crate::diff::diff;
use crate::error::Result;
use crate::model::Catalog;
use crate::order::order;
use crate::plan::merge::{conflicts, divergence, touches, Conflict, Divergence};
use crate::plan::{History, Revision, RevisionId};

/// What the branches of a divergent history do.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Heads, fork points and branches.
    pub divergence: Divergence,
    /// Objects more than one branch touches.
    pub conflicts: Vec<Conflict>,
    /// The schema all revisions build in DAG order, or why they cannot all be applied.
    pub merged: std::result::Result<Catalog, String>,
    /// Whether replaying the branches in the other order gives the same schema.
    pub commute: bool,
}

impl Analysis {
    /// Whether the branches can be joined by a merge revision as they are: no shared
    /// object, both orders give the same schema, and that schema can be built.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty() && self.commute && self.merged.is_ok()
    }
}

/// Replays the common ancestors, each branch, and all branches in both orders.
pub async fn analyze(history: &History, div: Divergence, mode: &Mode) -> Result<Analysis> {
    let revs = |ids: &[&RevisionId]| -> Vec<&Revision> {
        ids.iter().filter_map(|id| history.get(id)).collect()
    };
    let common: Vec<&RevisionId> = history
        .in_order()
        .filter(|r| div.common.contains(&r.id))
        .map(|r| &r.id)
        .collect();
    let base = replay(revs(&common), mode).await?;
    let mut per_branch = Vec::new();
    for b in &div.branches {
        let ids: Vec<&RevisionId> = common.iter().copied().chain(b.revisions.iter()).collect();
        let catalog = replay(revs(&ids), mode).await?;
        let changes = order(diff(&base, &catalog))?;
        per_branch.push((b.head.clone(), touches(&changes)));
    }
    let found = conflicts(&per_branch);
    let forward: Vec<&RevisionId> = common
        .iter()
        .copied()
        .chain(div.branches.iter().flat_map(|b| b.revisions.iter()))
        .collect();
    let backward: Vec<&RevisionId> = common
        .iter()
        .copied()
        .chain(div.branches.iter().rev().flat_map(|b| b.revisions.iter()))
        .collect();
    let merged = replay(revs(&forward), mode)
        .await
        .map_err(|e| e.to_string());
    let reversed = replay(revs(&backward), mode)
        .await
        .map_err(|e| e.to_string());
    let commute = match (&merged, &reversed) {
        (Ok(a), Ok(b)) => diff(a, b).is_empty(),
        _ => false,
    };
    Ok(Analysis {
        divergence: div,
        conflicts: found,
        merged,
        commute,
    })
}

/// What `merge` found and did.
#[derive(Debug)]
pub struct MergeReport {
    /// The plans' history.
    pub history: History,
    /// The analysis, or `None` when plans/ has one head (nothing to merge).
    pub analysis: Option<Analysis>,
    /// The merge revision written (a clean merge only).
    pub written: Option<PathBuf>,
    /// Whether the merged branches build the desired schema as they are (the merge
    /// revision's body is then empty).
    pub merged_matches_desired: bool,
    /// Why the desired schema was not compared, when it could not be read.
    pub desired_unread: Option<String>,
}

impl MergeReport {
    /// Whether there was nothing to merge or the merge revision was written.
    pub fn is_clean(&self) -> bool {
        self.analysis.as_ref().is_none_or(Analysis::is_clean)
    }
}

impl Project {
    /// Joins divergent heads: writes the merge revision (parents: the heads) when the
    /// branches touch different objects and commute, else reports the conflicts and
    /// writes nothing.
    pub async fn merge(&self, message: Option<&str>) -> Result<MergeReport> {
        let history = self.history()?;
        self.with_reader(async |reader| self.merge_in(reader, history, message).await)
            .await
    }

    /// [`Project::merge`] with a reader the caller holds and the history it read
    /// ([`Project::history`]).
    pub async fn merge_in(
        &self,
        reader: &Reader,
        history: History,
        message: Option<&str>,
    ) -> Result<MergeReport> {
        let mut report = MergeReport {
            analysis: None,
            written: None,
            merged_matches_desired: false,
            desired_unread: None,
            history: History::default(),
        };
        let Some(div) = divergence(&history) else {
            report.history = history;
            return Ok(report);
        };
        tracing::info!("replaying {} branches", div.branches.len());
        let analysis = analyze(&history, div, &reader.mode).await?;
        if let (true, Ok(merged)) = (analysis.is_clean(), &analysis.merged) {
            // The desired schema is read only now: a conflict never depends on it.
            let wanted = match self.desired_source() {
                Ok(desired) => desired.load(&reader.mode, &self.settings.filter).await,
                Err(e) => Err(e),
            };
            let wanted = match wanted {
                Ok(w) => Some(w),
                Err(e) => {
                    report.desired_unread = Some(e.to_string());
                    None
                }
            };
            report.merged_matches_desired =
                wanted.as_ref().is_some_and(|w| diff(merged, w).is_empty());
            let target = wanted.as_ref().unwrap_or(merged);
            let adjusted = super::adjust_access(merged, target, self.settings.access());
            let planned = merge_revision(
                &self.plans,
                &history,
                &analysis.divergence.heads,
                message,
                merged,
                adjusted.as_ref().unwrap_or(target),
                matches!(reader.mode, Mode::Exact(_)),
            )?;
            report.written = Some(planned.write()?.to_path_buf());
        }
        report.analysis = Some(analysis);
        report.history = history;
        Ok(report)
    }
}

/// The merge revision: parents all heads, body the SQL from what the merged branches
/// build to what the desired schema declares (empty when they agree).
pub fn merge_revision(
    plans: &std::path::Path,
    history: &History,
    heads: &[RevisionId],
    message: Option<&str>,
    merged: &Catalog,
    wanted: &Catalog,
    exact: bool,
) -> Result<Planned> {
    let (up, down, _) = plan_with_renames(merged, wanted, &[], true, Default::default())?;
    let message = message.map(str::to_string).unwrap_or_else(|| {
        let names: Vec<String> = heads
            .iter()
            .map(|h| match history.get(h) {
                Some(r) => format!("{h} ({})", r.message),
                None => h.to_string(),
            })
            .collect();
        format!("Merge {}", names.join(" and "))
    });
    Planned::new(
        plans,
        heads.to_vec(),
        &message,
        (up, down),
        Vec::new(),
        exact.then_some(wanted),
        &[],
    )
}
