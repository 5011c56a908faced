//! `schemaplan plan -m MSG`: the next revision, from what plans/ builds to what schema/
//! declares (Alembic's `revision --autogenerate`).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::diff::diff;
use crate::error::Error;
use crate::order::order;
use crate::plan::merge::divergence;
use crate::plan::{dir, file, History, NewRevision, RevisionId};
use crate::render::render;
use crate::source::Source;

use super::output::{self, Format, JsonStep};
use super::{Context, Outcome};

/// Arguments of `schemaplan plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// What the revision does, in a line (becomes its message and file name). Without
    /// it, the plan is only printed: what the next revision would be.
    #[arg(short, long)]
    message: Option<String>,
    /// The desired schema: a .sql file or a directory of them.
    #[arg(long, value_name = "PATH", default_value = "schema")]
    desired: PathBuf,
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    plans: PathBuf,
    /// Print the revision without writing it.
    #[arg(long)]
    stdout: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Blocking DDL instead of the online forms (indexes built CONCURRENTLY, constraints
    /// added NOT VALID then validated): for a maintenance window.
    #[arg(long)]
    no_online: bool,
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
}

/// The heads of a history, refusing more than one.
pub fn single_head<'h>(
    history: &'h History,
    plans: &std::path::Path,
) -> Result<Vec<&'h crate::plan::Revision>, Error> {
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

/// The schema a divergent history builds, when its branches conflict (so `plan` is
/// how the merge revision gets written); when they do not, `schemaplan merge` is the
/// command, and this refuses.
async fn merged_branches(
    history: &History,
    div: crate::plan::merge::Divergence,
    mode: &crate::source::Mode,
    plans: &std::path::Path,
) -> anyhow::Result<crate::model::Catalog> {
    let analysis = super::merge::analyze(history, div, mode).await?;
    let clean = analysis.conflicts.is_empty() && analysis.commute;
    match analysis.merged {
        Ok(_) if clean => Err(single_head(history, plans)
            .err()
            .map_or_else(|| anyhow::anyhow!("several heads"), anyhow::Error::from)),
        Ok(merged) => Ok(merged),
        Err(e) => Err(anyhow::anyhow!(
            "the branches of {} cannot both be applied: {e}
keep one branch: remove or rewrite the other's revision(s), then plan again",
            plans.display()
        )),
    }
}

/// The up and down plans from one schema to another with rename hints carried out
/// first (so renamed objects keep their data), and the hints used.
pub fn plan_with_renames(
    from: &crate::model::Catalog,
    to: &crate::model::Catalog,
    hints: &[crate::diff::RenameHint],
    online: bool,
) -> crate::error::Result<(crate::render::Plan, crate::render::Plan, Vec<String>)> {
    let (renamed, renames, used) = crate::diff::apply_hints(from, to, hints)?;
    let mut up = render(&renames);
    // The two directions are independent: plan them side by side.
    let (rest, down) = std::thread::scope(|scope| {
        let down = scope.spawn(|| plan_changes(to, &renamed, online));
        let rest = plan_changes(&renamed, to, online);
        let down = down
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rest, down)
    });
    let rest = rest?;
    up.preamble.extend(rest.preamble);
    up.steps.extend(rest.steps);
    let mut down = down?;
    let undo: Vec<crate::diff::Change> = renames
        .iter()
        .rev()
        .filter_map(crate::render::inverse)
        .collect();
    down.steps.extend(render(&undo).steps);
    Ok((up, down, used))
}

/// The plan from one schema to another, online forms unless `online` is false.
pub fn plan_changes(
    from: &crate::model::Catalog,
    to: &crate::model::Catalog,
    online: bool,
) -> crate::error::Result<crate::render::Plan> {
    let changes = order(diff(from, to))?;
    Ok(if online {
        crate::render::render_online(&changes, to)
    } else {
        render(&changes)
    })
}

/// Runs `plan`.
pub async fn run(ctx: &Context, mut args: PlanArgs) -> anyhow::Result<Outcome> {
    if args.message.is_none() {
        args.stdout = true;
    }
    let message = args
        .message
        .clone()
        .unwrap_or_else(|| "next revision".to_string());
    let history = dir::load(&args.plans)?;
    let heads = history.heads();
    for r in history.in_order().filter(|r| r.is_edited()) {
        tracing::warn!(
            "{} was edited after it was planned (its checksum no longer matches)",
            r.path.display()
        );
    }
    let desired = Source::parse(&args.desired.display().to_string())?;
    if !matches!(desired, Source::Files(_)) {
        anyhow::bail!(
            "--desired must be a .sql file or a directory of schema files, not {desired}"
        );
    }
    let (mode, cluster) = ctx.mode(None).await?;
    eprintln!("planning in {}", mode.describe());
    ctx.status(&format!(
        "replaying {} revision(s) of {} and loading {}",
        history.len(),
        args.plans.display(),
        desired
    ));
    let loaded = async {
        let current = match divergence(&history) {
            None => crate::source::replay_in(history.in_order(), &mode).await?,
            Some(div) => merged_branches(&history, div, &mode, &args.plans).await?,
        };
        let wanted = crate::source::load_in(&desired, &mode, &ctx.filter).await?;
        anyhow::Ok((current, wanted))
    }
    .await;
    if let Some(c) = cluster {
        tokio::task::spawn_blocking(move || c.stop()).await?;
    }
    let (mut current, wanted) = loaded?;
    if heads.len() > 1 {
        eprintln!(
            "{} has {} conflicting heads: writing the merge revision that reconciles them",
            args.plans.display(),
            heads.len()
        );
    }
    ctx.filter.apply(&mut current);
    output::warn_unmanaged(&args.desired.display().to_string(), &wanted);

    let hints = crate::parse::read_rename_hints(&args.desired)?;
    let (up, down, renames) = plan_with_renames(&current, &wanted, &hints, !args.no_online)?;
    // With several heads an empty merge revision still joins them.
    if up.is_empty() && heads.len() <= 1 {
        if args.format == Format::Json {
            output::print_json(&JsonPlan {
                id: None,
                path: None,
                parents: heads.iter().map(|h| h.id.0.as_str()).collect(),
                message: &message,
                hazards: Vec::new(),
                transactional: true,
                steps: Vec::new(),
            })?;
        }
        eprintln!(
            "nothing to plan: {} already builds {}",
            args.plans.display(),
            args.desired.display()
        );
        return Ok(Outcome::Clean);
    }

    let parents: Vec<RevisionId> = heads.iter().map(|h| h.id.clone()).collect();
    let text_up = up.to_string();
    let text_down = down.to_string();
    let now = dir::now();
    let seed = format!("{parents:?}\n{text_up}\n{text_down}");
    let id = dir::new_id(now, &seed);
    let created = dir::rfc3339(now);
    let fingerprint = match mode {
        crate::source::Mode::Exact(_) => wanted.fingerprint(),
        crate::source::Mode::Offline => String::new(),
    };
    let hazards: Vec<_> = up.hazards().into_iter().collect();
    let new = NewRevision {
        id: &id,
        parents: &parents,
        message: &message,
        created: &created,
        fingerprint: &fingerprint,
        hazards: &hazards,
        renames: &renames,
        alembic: &[],
        up: &text_up,
        down: &text_down,
    };
    // Split the body as apply will, to know whether one transaction can hold it.
    let probe = args.plans.join(file::file_name(&id, &message));
    let transactional = new.transactional(&probe)?;
    let text = new.render(transactional);

    let path = if args.stdout {
        None
    } else {
        std::fs::create_dir_all(&args.plans).map_err(|e| Error::io(&args.plans, e))?;
        std::fs::write(&probe, &text).map_err(|e| Error::io(&probe, e))?;
        Some(probe)
    };
    match args.format {
        Format::Text => output::print(&text)?,
        Format::Json => output::print_json(&JsonPlan {
            id: Some(&id.0),
            path: path.as_ref().map(|p| p.display().to_string()),
            parents: parents.iter().map(|p| p.0.as_str()).collect(),
            message: &message,
            hazards: hazards.iter().map(|h| h.name()).collect(),
            transactional,
            steps: output::json_steps(&up),
        })?,
    }
    if let Some(p) = &path {
        eprintln!("wrote {}", p.display());
    }
    if ctx.chatty || ctx.database.is_some() {
        // With a database configured, say how big what the hazards touch is there.
        let sizes = match &ctx.database {
            Some(url) if !up.hazards().is_empty() => match url.connect().await {
                Ok(client) => crate::apply::sizes::table_sizes(&client).await.ok(),
                Err(e) => {
                    tracing::warn!("cannot read table sizes: {e}");
                    None
                }
            },
            _ => None,
        };
        output::warn_hazards_sized(&up, sizes.as_ref());
    }
    Ok(Outcome::Clean)
}
