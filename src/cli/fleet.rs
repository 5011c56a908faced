//! `schemaplan apply --fleet` and `schemaplan status --fleet`: the targets of the
//! `[fleet]` table (schemaplan.toml or `--fleet-file`), one report for all of them.
//! A line per target as it finishes on a terminal; the report on stdout.

use std::path::PathBuf;

use clap::Args;

use crate::apply::fleet::{self, FleetOptions, FleetReport, FleetStatus, Target, TargetState};
use crate::apply::Migrator;
use crate::error::Error;
use crate::plan::RevisionId;
use crate::project::config;

use super::output::{self, Format, ReportFormat};
use super::{Context, Outcome};

/// Options `apply` and `status` take to work on a fleet.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Work on every database of the fleet: `[fleet]` in schemaplan.toml (or in
    /// --fleet-file) lists them, or names a query that lists them.
    #[arg(long)]
    pub(super) fleet: bool,
    /// Read the `[fleet]` table from this TOML file instead of schemaplan.toml.
    #[arg(long, value_name = "FILE", requires = "fleet")]
    fleet_file: Option<PathBuf>,
    /// With --fleet: how many targets are worked on at the same time.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "fleet",
          value_parser = clap::value_parser!(u32).range(1..))]
    jobs: u32,
}

impl FleetArgs {
    /// How many targets at a time.
    pub(super) fn jobs(&self) -> usize {
        self.jobs as usize
    }
}

/// The fleet's targets, from `--fleet-file` or the project file's `[fleet]`.
async fn targets(ctx: &Context, args: &FleetArgs) -> anyhow::Result<Vec<Target>> {
    let spec = match &args.fleet_file {
        Some(file) => config::read_fleet_file(&ctx.cwd.join(file))?,
        None => match ctx.file.as_ref().and_then(|f| f.fleet.clone()) {
            Some(spec) => spec,
            None => {
                return Err(Error::Refused {
                    message: format!(
                        "--fleet: no [fleet] table in {} (or name a file holding one with --fleet-file FILE)",
                        ctx.file
                            .as_ref()
                            .map_or(config::FILE_NAME.to_string(), |f| f.path.display().to_string())
                    ),
                }
                .into())
            }
        },
    };
    Ok(fleet::resolve(&spec, &ctx.cwd, ctx.database.as_ref()).await?)
}

/// Runs `apply --fleet`: exit 1 when a target failed or was not started.
pub async fn apply(
    ctx: &Context,
    migrator: &Migrator,
    args: &FleetArgs,
    opts: &FleetOptions,
    format: ReportFormat,
) -> anyhow::Result<Outcome> {
    let targets = targets(ctx, args).await?;
    let total = targets.len();
    ctx.status(&format!(
        "applying {} to {total} target(s), {} at a time",
        migrator.dir().display(),
        opts.jobs
    ));
    let mut done = 0;
    let mut finished = |t: &fleet::TargetReport| {
        done += 1;
        ctx.status(&format!(
            "[{done}/{total}] {:<11} {} ({} ms){}",
            t.state.to_string(),
            t.label(),
            t.duration_ms,
            if t.applied.is_empty() {
                String::new()
            } else {
                format!(", {} revision(s)", t.applied.len())
            }
        ));
    };
    let report = fleet::apply(migrator, &targets, opts, &mut finished).await;
    match format {
        ReportFormat::Json => output::print_json(&report)?,
        ReportFormat::Text => output::print(&apply_text(&report))?,
        ReportFormat::Markdown => output::print(&apply_markdown(&report))?,
    }
    Ok(if report.succeeded() {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

/// Revisions as a report shows them: `none` before the first, `?` when unread.
fn at(revisions: &Option<Vec<RevisionId>>) -> String {
    match revisions {
        None => "?".to_string(),
        Some(r) if r.is_empty() => "none".to_string(),
        Some(r) => r.iter().map(|r| r.0.as_str()).collect::<Vec<_>>().join("+"),
    }
}

fn totals_line(r: &FleetReport) -> String {
    let t = &r.totals;
    format!(
        "{} target(s): {} applied, {} unchanged, {} failed, {}{} not started",
        r.targets.len(),
        t.applied,
        t.unchanged,
        t.failed,
        if t.stopped > 0 {
            format!("{} stopped, ", t.stopped)
        } else {
            String::new()
        },
        t.not_started
    )
}

fn apply_text(r: &FleetReport) -> String {
    let mut out = String::new();
    for t in &r.targets {
        let moved = match t.state {
            TargetState::NotStarted => String::new(),
            _ => format!("  {} -> {}", at(&t.from), at(&t.to)),
        };
        let applied = if t.applied.is_empty() {
            String::new()
        } else {
            format!("  {} revision(s)", t.applied.len())
        };
        out.push_str(&format!(
            "{:<11} {}{moved}{applied}  {} ms{}\n",
            t.state.to_string(),
            t.label(),
            t.duration_ms,
            if t.canary { "  (canary)" } else { "" }
        ));
        if let (TargetState::Failed | TargetState::Stopped, Some(e)) = (t.state, &t.error) {
            for line in e.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    if let Some(why) = &r.stopped {
        out.push_str(&format!("stopped: {why}\n"));
    }
    out.push_str(&totals_line(r));
    out.push('\n');
    out
}

fn apply_markdown(r: &FleetReport) -> String {
    let mut out = format!(
        "### schemaplan apply --fleet\n\n{}\n\n| target | result | from | to | applied | ms |\n| --- | --- | --- | --- | ---: | ---: |\n",
        totals_line(r)
    );
    for t in &r.targets {
        out.push_str(&format!(
            "| `{}` | {}{} | {} | {} | {} | {} |\n",
            t.label(),
            t.state,
            if t.canary { " (canary)" } else { "" },
            at(&t.from),
            at(&t.to),
            t.applied.len(),
            t.duration_ms
        ));
    }
    if let Some(why) = &r.stopped {
        out.push_str(&format!("\nStopped: {why}\n"));
    }
    for t in r.targets.iter().filter(|t| t.state == TargetState::Failed) {
        if let Some(e) = &t.error {
            out.push_str(&format!(
                "\n**{}** failed:\n\n```\n{}\n```\n",
                t.label(),
                e.trim_end()
            ));
        }
    }
    out
}

/// Runs `status --fleet`: exit 1 when a target has pending revisions, drift, or could
/// not be read.
pub async fn status(
    ctx: &Context,
    migrator: &Migrator,
    args: &FleetArgs,
    format: Format,
) -> anyhow::Result<Outcome> {
    let targets = targets(ctx, args).await?;
    let status = fleet::status(migrator, &targets, args.jobs()).await;
    match format {
        Format::Json => output::print_json(&status)?,
        Format::Text => output::print(&status_text(&status))?,
    }
    Ok(if status.in_sync() {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

fn status_text(s: &FleetStatus) -> String {
    let mut out = String::new();
    for g in &s.groups {
        let label = match &g.current {
            None => "could not be read".to_string(),
            Some(c) if *c == s.heads => format!("at {} (head)", at(&Some(c.clone()))),
            Some(c) => format!("at {}", at(&Some(c.clone()))),
        };
        out.push_str(&format!("{label}: {} target(s)\n", g.targets.len()));
        for name in &g.targets {
            let Some(t) = s.targets.iter().find(|t| &t.label() == name) else {
                continue;
            };
            let mut notes = Vec::new();
            if !t.pending.is_empty() {
                notes.push(format!("{} pending", t.pending.len()));
            }
            if t.drift == Some(true) {
                notes.push("drift".to_string());
            }
            if let Some(p) = &t.partial {
                notes.push(format!("{p} partly applied"));
            }
            if !t.unknown_or_edited.is_empty() {
                notes.push(format!(
                    "applied but missing or edited in plans/: {}",
                    t.unknown_or_edited
                        .iter()
                        .map(|r| r.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(e) = &t.error {
                notes.push(e.lines().next().unwrap_or_default().to_string());
            }
            out.push_str(&format!(
                "  {}{}\n",
                t.label(),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(": {}", notes.join("; "))
                }
            ));
        }
    }
    let behind = s.targets.iter().filter(|t| !t.in_sync()).count();
    out.push_str(&format!(
        "{} target(s): {} in sync, {behind} with pending revisions, drift or errors\n",
        s.targets.len(),
        s.targets.len() - behind
    ));
    out
}
