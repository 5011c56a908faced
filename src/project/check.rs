//! `check`: the pull-request gate. Findings when plans/ is broken (a malformed header,
//! a missing parent), a revision was edited after it was planned, plans/ has several
//! heads, or the desired schema and plans/ are out of sync (someone edited schema/
//! without running plan). `plan` and `check` read the same way and carry out the same
//! rename hints, so they reach the same verdict on the same input.

use serde::Serialize;

use super::revision::creation_plan;
use super::source::{replay, Mode, Source};
use super::{Project, Reader, SchemaChange};
use crate::connect::DbUrl;
use crate::diff::diff;
use crate::error::Result;
use crate::model::SchemaFilter;
use crate::plan::merge::{describe, divergence};
use crate::plan::{History, RevisionId};

/// One problem check found.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// plans/ cannot be read as a DAG.
    BrokenPlans {
        /// The error, naming file and line.
        message: String,
    },
    /// A revision's body no longer matches its checksum.
    Edited {
        /// The revision.
        id: String,
        /// Its file.
        path: String,
        /// The checksum in its header.
        recorded: String,
        /// The checksum of its body now.
        actual: String,
    },
    /// Several heads.
    SeveralHeads {
        /// Each head as `id (message)`.
        heads: Vec<String>,
        /// Where they fork.
        fork_points: Vec<String>,
    },
    /// `--verify`: the offline reading of schema/ or plans/ is not what PostgreSQL makes
    /// of them.
    OfflineMismatch {
        /// `schema` or `plans`.
        source: String,
        /// What the offline reading gets wrong, one change per line.
        differences: Vec<String>,
    },
    /// `--strict`: the desired schema holds objects schemaplan does not manage (a
    /// rule, an aggregate, ...), which no plan would create.
    Unmanaged {
        /// Each as `kind schema.name`.
        objects: Vec<String>,
    },
    /// schema/ declares something plans/ does not build.
    OutOfSync {
        /// The SQL of the missing revision.
        missing_plan: String,
        /// Its hazards.
        hazards: Vec<&'static str>,
    },
}

impl Finding {
    /// One paragraph: what is wrong and the command that fixes it.
    pub fn explain(&self, desired: &str, plans: &str) -> String {
        match self {
            Finding::BrokenPlans { message } => format!(
                "{plans} is broken: {message}\nfix the revision file (git log shows who changed it)"
            ),
            Finding::Edited {
                id,
                path,
                recorded,
                actual,
            } => format!(
                "{path}: revision {id} was edited after it was planned (checksum {recorded} in its header, {actual} now)\n\
                 restore it (git checkout) and put the change in a new revision: schemaplan plan -m MSG"
            ),
            Finding::SeveralHeads { heads, fork_points } => format!(
                "{plans} has {} heads: {}{}\nrun `schemaplan merge` to join them",
                heads.len(),
                heads.join(", "),
                if fork_points.is_empty() {
                    String::new()
                } else {
                    format!(" (forked from {})", fork_points.join(" and "))
                }
            ),
            Finding::OfflineMismatch {
                source,
                differences,
            } => format!(
                "the offline reading of {} differs from PostgreSQL's:\n{}\nplan with --mode exact (or --dev-url) until this is fixed",
                if source == "schema" { desired } else { plans },
                differences
                    .iter()
                    .map(|d| format!("    {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            Finding::Unmanaged { objects } => format!(
                "{desired} holds {} object(s) schemaplan does not manage, which no plan creates: {}\n\
                 move them out of {desired}, or run check without --strict to accept them",
                objects.len(),
                objects.join(", ")
            ),
            Finding::OutOfSync { .. } => format!(
                "{desired} and {plans} are out of sync: {desired} declares changes no revision makes\n\
                 run `schemaplan plan -m MSG` to write the missing revision:"
            ),
        }
    }
}

/// What `check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// The problems, in the order found; empty when the gate passes.
    pub findings: Vec<Finding>,
    /// The plans' history (empty when plans/ could not be read).
    pub history: History,
    /// How the files were read, for the report's last line (`checked in offline mode
    /// ...`, with what `--verify` proved).
    pub mode: String,
    /// What the desired schema holds that schemaplan does not manage (`kind
    /// schema.name`).
    pub unmanaged: Vec<String>,
    /// When schema/ and plans/ are out of sync: what the missing revision changes.
    pub pending: Option<SchemaChange>,
}

impl Project {
    /// The pull-request gate; `verify` also proves the offline reading right on a dev
    /// server (see [`verify`]).
    pub async fn check(&self, verify: bool) -> Result<CheckReport> {
        let history = self.history();
        // Broken plans are the finding: nothing is replayed, so no server is needed.
        let reader = match &history {
            Ok(_) => self.reader(None).await?,
            Err(_) => Reader::offline(self.desired.target_version),
        };
        let result = self.check_in(&reader, history, verify).await;
        reader.finish().await?;
        result
    }

    /// [`Project::check`] with a reader the caller holds and the history as read
    /// ([`Project::history`]: an error there is the finding that plans/ is broken).
    pub async fn check_in(
        &self,
        reader: &Reader,
        history: Result<History>,
        verify_offline: bool,
    ) -> Result<CheckReport> {
        // The desired schema as `plan` reads it (a plans directory there is refused).
        let desired = self.desired_source()?;
        let history = match history {
            Ok(h) => h,
            Err(e) => {
                return Ok(CheckReport {
                    findings: vec![Finding::BrokenPlans {
                        message: e.to_string(),
                    }],
                    history: History::default(),
                    mode: "nothing replayed: plans/ could not be read".to_string(),
                    unmanaged: Vec::new(),
                    pending: None,
                })
            }
        };
        let mut findings = Vec::new();
        for r in history.in_order().filter(|r| r.is_edited()) {
            findings.push(Finding::Edited {
                id: r.id.0.clone(),
                path: r.path.display().to_string(),
                recorded: r.checksum.clone(),
                actual: r.actual_checksum(),
            });
        }
        let div = divergence(&history);
        if let Some(d) = &div {
            findings.push(Finding::SeveralHeads {
                heads: d
                    .heads
                    .iter()
                    .map(|h| match history.get(h) {
                        Some(r) => format!("{h} ({})", r.message),
                        None => h.to_string(),
                    })
                    .collect(),
                fork_points: d.fork_points.iter().map(|f| f.0.clone()).collect(),
            });
        }
        let mut mode = format!("checked in {}", reader.mode.describe());
        tracing::info!("replaying {} and loading {desired}", self.plans.display());
        // With several heads, the branches in DAG order; when they cannot both be
        // applied, the several-heads finding already says what to do.
        let current = match replay(history.in_order(), &reader.mode).await {
            Ok(c) => Some(c),
            Err(_) if div.is_some() => None,
            Err(e) => return Err(e),
        };
        let wanted = desired.load(&reader.mode, &self.settings.filter).await?;
        let unmanaged = wanted.unmanaged_names();
        let mut pending = None;
        if let Some(mut current) = current {
            self.settings.filter.apply(&mut current);
            // What `plan` would write, by the same call: a rename hint that matches
            // nothing fails here as it does there.
            let (missing, _, _) = self.next_plans(&current, &wanted)?;
            if !missing.is_empty() {
                findings.push(Finding::OutOfSync {
                    missing_plan: missing.to_string(),
                    hazards: missing.hazards().iter().map(|h| h.name()).collect(),
                });
                pending = Some(SchemaChange {
                    renames: crate::render::mermaid::plan_renames(&missing),
                    before: current,
                    after: wanted,
                });
            }
        }
        if verify_offline {
            let dev = self.dev_server(None).await?;
            let verified = verify(
                &desired,
                &history,
                &dev.url,
                &self.settings.filter,
                self.desired.target_version,
            )
            .await;
            let server = dev.url.clone();
            dev.finish().await?;
            let mismatches = verified?;
            if mismatches.is_empty() {
                mode.push_str(&format!(
                    "; verified: the offline reading of {} and {} equals PostgreSQL's (dev server {}:{})",
                    &self.desired,
                    self.plans.display(),
                    server.host(),
                    server.port()
                ));
            }
            findings.extend(mismatches);
        }
        Ok(CheckReport {
            findings,
            history,
            mode,
            unmanaged,
            pending,
        })
    }

    /// What a revision changes: the schema its ancestors build and the one it builds,
    /// each replayed as `check` reads plans/ (filtered the same way), with the table and
    /// column renames of its up section. The picture of the newest revision in `check
    /// --format markdown` is drawn from it.
    pub async fn revision_change(
        &self,
        history: &History,
        id: &RevisionId,
    ) -> Result<SchemaChange> {
        let revision = history
            .get(id)
            .ok_or_else(|| crate::error::Error::UnknownRevision {
                id: id.to_string(),
                dir: self.plans.display().to_string(),
                candidates: Vec::new(),
            })?;
        let renames = revision
            .up()?
            .iter()
            .filter_map(|s| crate::parse::table_rename(&s.sql))
            .collect();
        let ancestors = history.ancestors(id);
        self.with_reader(async |reader| {
            let upto = || history.in_order().filter(|r| ancestors.contains(&r.id));
            let mut after = replay(upto(), &reader.mode).await?;
            let mut before = replay(upto().filter(|r| r.id != *id), &reader.mode).await?;
            self.settings.filter.apply(&mut before);
            self.settings.filter.apply(&mut after);
            Ok(SchemaChange {
                before,
                after,
                renames,
            })
        })
        .await
    }
}

/// `--verify`: reads schema/ and plans/ both ways. Each offline catalog's creation
/// script runs on a scratch database; introspected, it must equal the exact catalog.
pub async fn verify(
    desired: &Source,
    history: &History,
    server: &DbUrl,
    filter: &SchemaFilter,
    target_version: Option<u32>,
) -> Result<Vec<Finding>> {
    let exact = Mode::Exact(server.clone());
    let offline = Mode::Offline { target_version };
    let mut found = Vec::new();
    let pairs = [
        (
            "schema",
            desired.load(&offline, filter).await?,
            desired.load(&exact, filter).await?,
        ),
        (
            "plans",
            replay(history.in_order(), &offline).await?,
            replay(history.in_order(), &exact).await?,
        ),
    ];
    for (source, offline, mut expected) in pairs {
        filter.apply(&mut expected);
        let script = creation_plan(&offline)?.to_string();
        let statements =
            crate::parse::split_script(std::path::Path::new("offline-creation.sql"), &script, 1)?;
        let mut built = crate::devdb::run_scripts(&[statements], server).await?;
        filter.apply(&mut built);
        let differences: Vec<String> = diff(&expected, &built).iter().map(describe).collect();
        if !differences.is_empty() {
            found.push(Finding::OfflineMismatch {
                source: source.to_string(),
                differences,
            });
        }
    }
    Ok(found)
}
