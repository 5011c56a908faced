//! `schemaplan heads` and `schemaplan merge`: divergent revision heads, whether their
//! branches conflict, and the merge revision that joins them.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::plan::merge::{divergence, Conflict, Divergence};
use crate::plan::{dir, History, RevisionId};
use crate::project::{Analysis, MergeReport};

use super::output::{self, ReportFormat};
use super::{Context, Outcome};

/// Arguments of `schemaplan heads`.
#[derive(Debug, Args)]
pub struct HeadsArgs {
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
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
    pub(super) desired: PathBuf,
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// Output format for the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
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
    let project = ctx.project(&args.desired, &args.plans)?;
    let history = project.history()?;
    if history.heads().len() <= 1 {
        eprintln!("nothing to merge: {} has one head", args.plans.display());
        return Ok(Outcome::Clean);
    }
    let reader = project.reader(None).await?;
    eprintln!("merging in {}", reader.mode.describe());
    let result = project
        .merge_in(&reader, history, args.message.as_deref())
        .await;
    reader.finish().await?;
    let report = result?;
    if let Some(why) = &report.desired_unread {
        eprintln!(
            "note: {} could not be read, so the merge revision only joins the heads: {why}",
            args.desired.display()
        );
    }
    if let Some(analysis) = &report.analysis {
        print_report(&args, &report.history, analysis, &report)?;
    }
    Ok(if report.is_clean() {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

fn print_report(
    args: &MergeArgs,
    history: &History,
    a: &Analysis,
    report: &MergeReport,
) -> anyhow::Result<()> {
    let written = report.written.as_deref();
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
        out.push_str(if report.merged_matches_desired {
            ".\n"
        } else {
            ";\nit also takes the merged schema to the desired one (see its up section).\n"
        });
    }
    output::print(&out)
}
