//! `schemaplan plan -m MSG`: the next revision, from what plans/ builds to what schema/
//! declares (Alembic's `revision --autogenerate`).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::output::{self, JsonStep, ReportFormat};
use super::{Context, Outcome};
use crate::project::Planned;
use crate::render::mermaid::{change_diagram, Diagram};

/// Arguments of `schemaplan plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// What the revision does, in a line (becomes its message and file name). Without
    /// it, the plan is only printed: what the next revision would be.
    #[arg(short, long)]
    message: Option<String>,
    /// The desired schema: a .sql file or a directory of them.
    #[arg(long, value_name = "PATH", default_value = "schema")]
    pub(super) desired: PathBuf,
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// Print the revision without writing it.
    #[arg(long)]
    stdout: bool,
    /// Write nothing; exit 1 when there is a revision to write (the schema changed and
    /// no revision was added), saying which `plan -m` to run: the pre-commit reminder.
    #[arg(long, conflicts_with_all = ["message", "stdout"])]
    exit_code: bool,
    /// Output format: text is the revision file; markdown a pull-request comment (its
    /// hazards, a Mermaid diagram of the tables it touches, its up SQL); json for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Blocking DDL instead of the online forms (indexes built CONCURRENTLY, constraints
    /// added NOT VALID then validated): for a maintenance window. (Default: online, or
    /// `online` in schemaplan.toml.)
    #[arg(long, overrides_with = "online")]
    no_online: bool,
    /// The online forms, even where schemaplan.toml says `online = false`.
    #[arg(long, overrides_with = "no_online")]
    online: bool,
    /// Recoverable drops: a dropped table is moved into the schema `schemaplan_trash`
    /// (hazard data-held), and the down section moves it back with its rows. On by
    /// default with `recoverable = true` in schemaplan.toml.
    #[arg(long)]
    recoverable: bool,
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    id: Option<&'a str>,
    path: Option<String>,
    parents: Vec<&'a str>,
    message: &'a str,
    hazards: Vec<&'static str>,
    transactional: bool,
    steps: Vec<JsonStep<'a>>,
    /// What the desired schema holds that schemaplan does not manage.
    unmanaged: &'a [String],
}

/// Runs `plan`.
pub async fn run(ctx: &Context, args: PlanArgs) -> anyhow::Result<Outcome> {
    let preview = args.message.is_none() || args.stdout;
    let message = args
        .message
        .clone()
        .unwrap_or_else(|| "next revision".to_string());
    let mut project = ctx.project(&args.desired, &args.plans)?;
    // Whichever of the two flags came last; neither: the project file's setting.
    if args.online || args.no_online {
        project.settings.online = args.online;
    }
    project.settings.recoverable = args.recoverable || ctx.recoverable();
    let history = project.history()?;
    let reader = project.reader(None).await?;
    ctx.say(&format!("planning in {}", reader.mode.describe()));
    ctx.status(&format!(
        "replaying {} and loading {}",
        args.plans.display(),
        project.desired
    ));
    let report = project.plan_in(&reader, &history, &message).await;
    reader.finish().await?;
    let report = report?;
    if report.parents.len() > 1 {
        eprintln!(
            "{} has {} conflicting heads: writing the merge revision that reconciles them",
            args.plans.display(),
            report.parents.len()
        );
    }
    output::warn_unmanaged(&project.desired.to_string(), &report.unmanaged);
    let Some(planned) = report.revision else {
        if args.format == ReportFormat::Markdown {
            output::print(&format!(
                "## schemaplan plan\n\nNothing to plan: `{}` already builds `{}`.\n",
                args.plans.display(),
                project.desired
            ))?;
        }
        if args.format == ReportFormat::Json {
            output::print_json(&JsonPlan {
                id: None,
                path: None,
                parents: report.parents.iter().map(|h| h.0.as_str()).collect(),
                message: &message,
                hazards: Vec::new(),
                transactional: true,
                steps: Vec::new(),
                unmanaged: &report.unmanaged,
            })?;
        }
        ctx.say(&format!(
            "nothing to plan: {} already builds {}",
            args.plans.display(),
            project.desired
        ));
        return Ok(Outcome::Clean);
    };
    if args.exit_code {
        let steps = planned.up.steps.len();
        eprintln!(
            "{} changed and no revision in {} makes the change ({steps} step(s)): run \
             `schemaplan plan -m \"what changed\"` and add the revision it writes",
            project.desired,
            args.plans.display()
        );
        return Ok(Outcome::Differences);
    }
    let path = if preview {
        None
    } else {
        Some(planned.write()?)
    };
    match args.format {
        ReportFormat::Text => output::print(&planned.text)?,
        ReportFormat::Markdown => {
            let c = &report.change;
            let picture = change_diagram(&c.before, &c.after, &c.renames);
            output::print(&markdown(&planned, path, picture.as_ref()))?
        }
        ReportFormat::Json => output::print_json(&JsonPlan {
            id: Some(&planned.id.0),
            path: path.map(|p| p.display().to_string()),
            parents: planned.parents.iter().map(|p| p.0.as_str()).collect(),
            message: &message,
            hazards: planned.hazards.iter().map(|h| h.name()).collect(),
            transactional: planned.transactional,
            steps: output::json_steps(&planned.up),
            unmanaged: &report.unmanaged,
        })?,
    }
    if let Some(p) = path {
        eprintln!("wrote {}", p.display());
    }
    if ctx.chatty || ctx.database.is_some() {
        output::warn_hazards_sized(&planned.up, ctx.database.as_ref()).await;
    }
    Ok(Outcome::Clean)
}

/// A pull-request comment about the revision: its id and message (and where it was
/// written), then what `check`'s comment says of a revision: hazards, access changes,
/// a picture of the tables it touches, its up SQL.
fn markdown(
    planned: &Planned,
    path: Option<&std::path::Path>,
    picture: Option<&Diagram>,
) -> String {
    let mut out = String::from("## schemaplan plan\n\n");
    match path {
        Some(p) => out.push_str(&format!(
            "### Revision `{}` {}\n\nWritten to `{}`.\n\n",
            planned.id,
            planned.message,
            p.display()
        )),
        None => out.push_str(&format!(
            "### Next revision: `{}` {}\n\n",
            planned.id, planned.message
        )),
    }
    let hazards: Vec<&'static str> = planned.hazards.iter().map(|h| h.name()).collect();
    let up: Vec<&str> = planned.up.statements().map(String::as_str).collect();
    super::check::revision_markdown(
        &mut out,
        &hazards,
        planned.transactional,
        Some(&up),
        picture,
    );
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
