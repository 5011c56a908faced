//! `schemaplan heads` and `schemaplan merge`: divergent revision heads, whether their
//! branches conflict, and the merge revision that joins them.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::diff::diff;
use crate::error::Error;
use crate::model::Catalog;
use crate::order::order;
use crate::plan::merge::{conflicts, divergence, touches, Conflict, Divergence};
use crate::plan::{dir, file, History, NewRevision, Revision, RevisionId};
use crate::render::Plan;
use crate::source::{load_in, replay_in, Mode, Source};

use super::output;
use super::{Context, Outcome};

/// How `merge` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people on a terminal.
    Text,
    /// A pull-request comment.
    Markdown,
    /// For tools.
    Json,
}

/// Arguments of `schemaplan heads`.
#[derive(Debug, Args)]
pub struct HeadsArgs {
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    plans: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    format: super::Format,
}

#[derive(Serialize)]
struct JsonHead<'a> {
    id: &'a str,
    message: &'a str,
    created: &'a str,
    branch_revisions: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonHeads<'a> {
    heads: Vec<JsonHead<'a>>,
    fork_points: Vec<&'a str>,
}

/// Runs `heads`.
pub async fn heads(_ctx: &Context, args: HeadsArgs) -> anyhow::Result<Outcome> {
    let history = dir::load(&args.plans)?;
    let heads = history.heads();
    let div = divergence(&history);
    let branch_of = |id: &RevisionId| -> Vec<&str> {
        div.as_ref()
            .and_then(|d| d.branches.iter().find(|b| &b.head == id))
            .map(|b| b.revisions.iter().map(|r| r.0.as_str()).collect())
            .unwrap_or_default()
    };
    match args.format {
        super::Format::Json => output::print_json(&JsonHeads {
            heads: heads
                .iter()
                .map(|h| JsonHead {
                    id: &h.id.0,
                    message: &h.message,
                    created: &h.created,
                    branch_revisions: branch_of(&h.id),
                })
                .collect(),
            fork_points: div
                .as_ref()
                .map(|d| d.fork_points.iter().map(|f| f.0.as_str()).collect())
                .unwrap_or_default(),
        })?,
        super::Format::Text => {
            let mut out = String::new();
            match &div {
                None => {
                    for h in &heads {
                        out.push_str(&format!("{}  {}\n", h.id, h.message));
                    }
                    if heads.is_empty() {
                        out.push_str(&format!("no revisions in {}\n", args.plans.display()));
                    }
                }
                Some(d) => {
                    out.push_str(&format!(
                        "{} heads, forked from {}:\n",
                        d.heads.len(),
                        fork_text(&history, d)
                    ));
                    for h in &heads {
                        let n = branch_of(&h.id).len();
                        out.push_str(&format!(
                            "  {}  {}  ({n} revision{} on its branch)\n",
                            h.id,
                            h.message,
                            if n == 1 { "" } else { "s" }
                        ));
                    }
                    out.push_str("run `schemaplan merge` to join them\n");
                }
            }
            output::print(&out)?;
        }
    }
    Ok(Outcome::Clean)
}

fn fork_text(history: &History, d: &Divergence) -> String {
    if d.fork_points.is_empty() {
        return "nothing in common (separate roots)".into();
    }
    d.fork_points
        .iter()
        .map(|f| match history.get(f) {
            Some(r) => format!("{f} ({})", r.message),
            None => f.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Arguments of `schemaplan merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The merge revision's message (default: "Merge" and the heads).
    #[arg(short, long)]
    message: Option<String>,
    /// The desired schema, which the merged branches should build.
    #[arg(long, value_name = "PATH", default_value = "schema")]
    desired: PathBuf,
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    plans: PathBuf,
    /// Output format for the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

/// What the branches of a divergent history do, checked on a dev server.
pub struct Analysis {
    /// Heads, fork points and branches.
    pub divergence: Divergence,
    /// Objects more than one branch touches.
    pub conflicts: Vec<Conflict>,
    /// The schema all revisions build in DAG order, or why they cannot all be applied.
    pub merged: Result<Catalog, String>,
    /// Whether replaying the branches in the other order gives the same schema.
    pub commute: bool,
    /// Whether the merged schema is the desired one (set by the caller that loads it).
    pub merged_matches_desired: bool,
}

/// Replays the common ancestors, each branch, and all branches in both orders.
pub async fn analyze(history: &History, div: Divergence, mode: &Mode) -> anyhow::Result<Analysis> {
    let revs = |ids: &[&RevisionId]| -> Vec<&Revision> {
        ids.iter().filter_map(|id| history.get(id)).collect()
    };
    let common: Vec<&RevisionId> = history
        .in_order()
        .filter(|r| div.common.contains(&r.id))
        .map(|r| &r.id)
        .collect();
    let base = replay_in(revs(&common), mode).await?;
    let mut per_branch = Vec::new();
    for b in &div.branches {
        let ids: Vec<&RevisionId> = common.iter().copied().chain(b.revisions.iter()).collect();
        let catalog = replay_in(revs(&ids), mode).await?;
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
    let merged = replay_in(revs(&forward), mode)
        .await
        .map_err(|e| e.to_string());
    let reversed = replay_in(revs(&backward), mode)
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
        merged_matches_desired: false,
    })
}

#[derive(Serialize)]
struct JsonMerge<'a> {
    heads: &'a [RevisionId],
    fork_points: &'a [RevisionId],
    conflicts: &'a [Conflict],
    commute: bool,
    written: Option<String>,
}

/// Runs `merge`.
pub async fn merge(ctx: &Context, args: MergeArgs) -> anyhow::Result<Outcome> {
    let history = dir::load(&args.plans)?;
    let Some(div) = divergence(&history) else {
        eprintln!("nothing to merge: {} has one head", args.plans.display());
        return Ok(Outcome::Clean);
    };
    let desired = Source::parse(&args.desired.display().to_string())?;
    let (mode, cluster) = ctx.mode(None).await?;
    eprintln!("merging in {}", mode.describe());
    ctx.status(&format!("replaying {} branches", div.branches.len()));
    let result = async {
        let analysis = analyze(&history, div, &mode).await?;
        let wanted = load_in(&desired, &mode, &ctx.filter).await?;
        anyhow::Ok((analysis, wanted))
    }
    .await;
    if let Some(c) = cluster {
        tokio::task::spawn_blocking(move || c.stop()).await?;
    }
    let (mut analysis, wanted) = result?;
    analysis.merged_matches_desired = analysis
        .merged
        .as_ref()
        .is_ok_and(|m| diff(m, &wanted).is_empty());
    let d = &analysis.divergence;

    let clean = analysis.conflicts.is_empty() && analysis.commute && analysis.merged.is_ok();
    let mut written = None;
    if clean {
        let merged = analysis
            .merged
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let path = write_merge(
            &args.plans,
            &history,
            &d.heads,
            args.message.as_deref(),
            merged,
            &wanted,
            matches!(mode, Mode::Exact(_)),
        )?;
        written = Some(path);
    }
    report(&args, &history, &analysis, written.as_deref())?;
    Ok(if clean {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

/// Writes the merge revision: parents all heads, body the SQL from what the merged
/// branches build to what the desired schema declares (empty when they agree).
pub fn write_merge(
    plans: &Path,
    history: &History,
    heads: &[RevisionId],
    message: Option<&str>,
    merged: &Catalog,
    wanted: &Catalog,
    exact: bool,
) -> anyhow::Result<PathBuf> {
    let (up, down, _) = super::plan::plan_with_renames(merged, wanted, &[], true)?;
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
    let (_, path) = write_revision(
        plans,
        heads,
        &message,
        &up,
        &down,
        exact.then_some(wanted),
        &[],
    )?;
    Ok(path)
}

/// Writes a revision file with the given parents and plans (and, for a baseline adopted
/// from Alembic, the Alembic history); returns its id and path.
pub fn write_revision(
    plans: &Path,
    parents: &[RevisionId],
    message: &str,
    up: &Plan,
    down: &Plan,
    after: Option<&Catalog>,
    alembic: &[String],
) -> anyhow::Result<(RevisionId, PathBuf)> {
    let text_up = up.to_string();
    let text_down = down.to_string();
    let now = dir::now();
    let id = dir::new_id(now, &format!("{parents:?}\n{text_up}\n{text_down}"));
    let created = dir::rfc3339(now);
    // Only an introspected catalog's fingerprint means something to `apply`.
    let fingerprint = after.map(Catalog::fingerprint).unwrap_or_default();
    let hazards: Vec<_> = up.hazards().into_iter().collect();
    let new = NewRevision {
        id: &id,
        parents,
        message,
        created: &created,
        fingerprint: &fingerprint,
        hazards: &hazards,
        renames: &[],
        alembic,
        up: &text_up,
        down: &text_down,
    };
    let path = plans.join(file::file_name(&id, message));
    let text = new.render(new.transactional(&path)?);
    std::fs::create_dir_all(plans).map_err(|e| Error::io(plans, e))?;
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok((id, path))
}

fn report(
    args: &MergeArgs,
    history: &History,
    a: &Analysis,
    written: Option<&Path>,
) -> anyhow::Result<()> {
    let d = &a.divergence;
    if args.format == ReportFormat::Json {
        return output::print_json(&JsonMerge {
            heads: &d.heads,
            fork_points: &d.fork_points,
            conflicts: &a.conflicts,
            commute: a.commute,
            written: written.map(|p| p.display().to_string()),
        });
    }
    let md = args.format == ReportFormat::Markdown;
    let mut out = String::new();
    let head_line = |h: &RevisionId| match history.get(h) {
        Some(r) => format!("{h} ({})", r.message),
        None => h.to_string(),
    };
    if md {
        out.push_str("### schemaplan merge\n\n");
    }
    out.push_str(&format!(
        "{} heads forked from {}:\n",
        d.heads.len(),
        fork_text(history, d)
    ));
    for h in &d.heads {
        out.push_str(&format!(
            "{} {}\n",
            if md { "-" } else { " " },
            head_line(h)
        ));
    }
    out.push('\n');
    if !a.conflicts.is_empty() {
        out.push_str(&format!(
            "{}The branches conflict on {} object{}:{}\n\n",
            if md { "**" } else { "" },
            a.conflicts.len(),
            if a.conflicts.len() == 1 { "" } else { "s" },
            if md { "**" } else { "" },
        ));
        for c in &a.conflicts {
            if md {
                out.push_str(&format!("- `{}`\n", c.object));
                for (h, whats) in &c.branches {
                    out.push_str(&format!("  - {h}: {}\n", whats.join("; ")));
                }
            } else {
                out.push_str(&c.to_string());
            }
        }
        out.push_str(
            "\nNothing was written. Resolve the conflict in the desired schema, then run \
             `schemaplan plan -m MSG`: it writes the merge revision (parents: the heads) \
             that takes the merged branches to the desired schema.\n",
        );
    } else if let Err(e) = &a.merged {
        out.push_str(&format!(
            "The branches touch different objects, but they cannot both be applied: {e}\n\
             Nothing was written.\n"
        ));
    } else if !a.commute {
        out.push_str(
            "The branches touch different objects, but applying them in one order or the \
             other gives different schemas. Nothing was written; resolve the desired \
             schema and run `schemaplan plan -m MSG`.\n",
        );
    } else if let Some(p) = written {
        out.push_str(&format!(
            "The branches touch different objects and commute. Wrote the merge revision {}",
            p.display()
        ));
        out.push_str(if a.merged_matches_desired {
            ".\n"
        } else {
            ";\nit also takes the merged schema to the desired one (see its up section).\n"
        });
    }
    output::print(&out)
}
