//! `plan`: the next revision, from what plans/ builds to what the desired schema
//! declares (Alembic's `revision --autogenerate`).

use std::path::Path;

use super::merge::analyze;
use super::revision::Planned;
use super::source::{replay, Mode};
use super::{Project, Reader, SchemaChange};
use crate::error::{Error, Result};
use crate::model::Catalog;
use crate::plan::merge::divergence;
use crate::plan::{History, Revision, RevisionId};

/// The heads of a history, refusing more than one.
pub fn single_head<'h>(history: &'h History, plans: &Path) -> Result<Vec<&'h Revision>> {
    let heads = history.heads();
    if heads.len() > 1 {
        return Err(Error::DivergentHeads {
            dir: plans.display().to_string(),
            heads: heads
                .iter()
                .map(|h| format!("{} ({})", h.id, h.message))
                .collect(),
        });
    }
    Ok(heads)
}

/// What `plan` found.
#[derive(Clone, Debug)]
pub struct PlanReport {
    /// The next revision, or `None` when plans/ already builds the desired schema.
    pub revision: Option<Planned>,
    /// The heads the revision follows (several: it is the merge revision that
    /// reconciles conflicting branches).
    pub parents: Vec<RevisionId>,
    /// Objects of the desired schema that schemaplan leaves alone.
    pub unmanaged: Vec<String>,
    /// What the revision changes: the schema plans/ builds, the desired one, and the
    /// renames its hints carry out.
    pub change: SchemaChange,
}

impl Project {
    /// The next revision with this message. Reads in the mode the settings choose;
    /// writes nothing ([`Planned::write`] does).
    pub async fn plan(&self, message: &str) -> Result<PlanReport> {
        let history = self.history()?;
        self.with_reader(async |reader| self.plan_in(reader, &history, message).await)
            .await
    }

    /// [`Project::plan`] with a reader the caller holds and the history it read
    /// ([`Project::history`]).
    pub async fn plan_in(
        &self,
        reader: &Reader,
        history: &History,
        message: &str,
    ) -> Result<PlanReport> {
        let heads = history.heads();
        for r in history.in_order().filter(|r| r.is_edited()) {
            tracing::warn!(
                "{} was edited after it was planned (its checksum no longer matches)",
                r.path.display()
            );
        }
        let desired = self.desired_source()?;
        let mode = &reader.mode;
        tracing::info!(
            "replaying {} revision(s) of {} and loading {desired}",
            history.len(),
            self.plans.display()
        );
        let started = std::time::Instant::now();
        let mut current = match divergence(history) {
            None => replay(history.in_order(), mode).await?,
            Some(div) => self.merged_branches(history, div, mode).await?,
        };
        tracing::debug!(
            "replayed {} in {:.2?}",
            self.plans.display(),
            started.elapsed()
        );
        let loading = std::time::Instant::now();
        let wanted = desired.load(mode, &self.settings.filter).await?;
        tracing::debug!("loaded {desired} in {:.2?}", loading.elapsed());
        self.settings.filter.apply(&mut current);
        let unmanaged = wanted.unmanaged_names();

        let planning = std::time::Instant::now();
        let (up, down, renames) = self.next_plans(&current, &wanted)?;
        tracing::debug!(
            "planned {} step(s) up and {} down in {:.2?}",
            up.steps.len(),
            down.steps.len(),
            planning.elapsed()
        );
        let writing = std::time::Instant::now();
        let renamed = crate::render::mermaid::plan_renames(&up);
        let parents: Vec<RevisionId> = heads.iter().map(|h| h.id.clone()).collect();
        // With several heads an empty merge revision still joins them.
        let revision = if up.is_empty() && heads.len() <= 1 {
            None
        } else {
            let after = matches!(mode, Mode::Exact(_)).then_some(&wanted);
            Some(Planned::new(
                &self.plans,
                parents.clone(),
                message,
                (up, down),
                renames,
                after,
                &[],
            )?)
        };
        tracing::debug!("wrote the revision in {:.2?}", writing.elapsed());
        Ok(PlanReport {
            revision,
            parents,
            unmanaged,
            change: SchemaChange {
                before: current,
                after: wanted,
                renames: renamed,
            },
        })
    }

    /// The schema a divergent history builds, when its branches conflict (so `plan` is
    /// how the merge revision gets written); when they do not, `schemaplan merge` is
    /// the command, and this refuses.
    async fn merged_branches(
        &self,
        history: &History,
        div: crate::plan::merge::Divergence,
        mode: &Mode,
    ) -> Result<Catalog> {
        let analysis = analyze(history, div, mode).await?;
        let clean = analysis.conflicts.is_empty() && analysis.commute;
        match analysis.merged {
            Ok(_) if clean => {
                Err(single_head(history, &self.plans)
                    .err()
                    .unwrap_or_else(|| Error::Refused {
                        message: "several heads".to_string(),
                    }))
            }
            Ok(merged) => Ok(merged),
            Err(e) => Err(Error::Refused {
                message: format!(
                    "the branches of {} cannot both be applied: {e}\n\
                     keep one branch: remove or rewrite the other's revision(s), then plan again",
                    self.plans.display()
                ),
            }),
        }
    }
}
