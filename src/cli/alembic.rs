//! `schemaplan import-alembic`: adopt a database that Alembic manages today.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::alembic::{database_versions, read_versions, AlembicHistory};
use crate::apply::Migrator;
use crate::error::Error;
use crate::introspect::live_catalog;
use crate::plan::{dir, RevisionId};

use super::output::{self, Format};
use super::{Context, Outcome};

/// Arguments of `schemaplan import-alembic`.
#[derive(Debug, Args)]
pub struct ImportAlembicArgs {
    /// The Alembic versions directory (the revision files are read as text).
    #[arg(long, value_name = "DIR", default_value = "alembic/versions")]
    versions: PathBuf,
    /// The plans directory to write the baseline revision into (must hold none yet).
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// The baseline revision's message.
    #[arg(short, long, default_value = BASELINE_MESSAGE)]
    message: String,
    /// Adopt the database even when it is not at an Alembic head (its schema is taken
    /// as it is).
    #[arg(long)]
    force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The baseline revision's message unless `-m` gives another.
const BASELINE_MESSAGE: &str = "Baseline adopted from Alembic";

impl ImportAlembicArgs {
    /// What `schemaplan import-alembic --versions VERSIONS --plans PLANS` is given
    /// (`init --from-alembic` runs it so).
    pub fn new(versions: PathBuf, plans: PathBuf) -> ImportAlembicArgs {
        ImportAlembicArgs {
            versions,
            plans,
            message: BASELINE_MESSAGE.to_string(),
            force: false,
            format: Format::Text,
        }
    }
}

#[derive(Serialize)]
struct JsonImport<'a> {
    path: String,
    revision: &'a str,
    alembic_heads: Vec<&'a str>,
    alembic_version: &'a [String],
    alembic_revisions: usize,
}

/// One line per Alembic revision: `id <- parents: message`.
fn lines(history: &AlembicHistory) -> Vec<String> {
    history
        .newest_first()
        .iter()
        .map(|r| {
            let parents = if r.down.is_empty() {
                "<base>".to_string()
            } else {
                r.down.join(", ")
            };
            format!("{} <- {parents}: {}", r.id, r.message)
        })
        .collect()
}

/// Runs `import-alembic`.
pub async fn run(ctx: &Context, args: ImportAlembicArgs) -> anyhow::Result<Outcome> {
    let alembic = read_versions(&args.versions)?;
    let target = ctx.database.as_ref().ok_or(Error::NoDatabase)?;
    let client = target.connect().await?;
    let at = database_versions(&client).await?;
    let heads = alembic.heads();
    let name = |id: &str| match alembic.revisions.get(id) {
        Some(r) => format!("{id} ({})", r.message),
        None => id.to_string(),
    };
    if at.is_empty() {
        anyhow::bail!(
            "the database has no alembic_version table (or it is empty): Alembic never ran there; \
             use `schemaplan baseline` to adopt it"
        );
    }
    if let Some(unknown) = at.iter().find(|v| !alembic.revisions.contains_key(*v)) {
        anyhow::bail!(
            "the database is at Alembic revision {unknown}, which {} does not have",
            args.versions.display()
        );
    }
    let head_ids: Vec<&str> = heads.iter().map(|h| h.id.as_str()).collect();
    if heads.len() > 1 {
        eprintln!(
            "warning: {} has {} Alembic heads: {}",
            args.versions.display(),
            heads.len(),
            heads
                .iter()
                .map(|h| name(&h.id))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let behind: Vec<&String> = at
        .iter()
        .filter(|v| !head_ids.contains(&v.as_str()))
        .collect();
    let missing: Vec<&str> = head_ids
        .iter()
        .copied()
        .filter(|h| !at.iter().any(|v| v == h))
        .collect();
    if (!behind.is_empty() || !missing.is_empty()) && !args.force {
        anyhow::bail!(
            "the database is at Alembic revision {}, not at the head{} {}: run `alembic upgrade heads` first, \
             or pass --force to adopt the schema as it is",
            at.iter().map(|v| name(v)).collect::<Vec<_>>().join(", "),
            if head_ids.len() > 1 { "s" } else { "" },
            head_ids.iter().map(|h| name(h)).collect::<Vec<_>>().join(", ")
        );
    }
    let existing = dir::load(&args.plans)?;
    if !existing.is_empty() {
        anyhow::bail!(
            "{} already has {} revision(s): import-alembic writes the first revision",
            args.plans.display(),
            existing.len()
        );
    }
    let mut live = live_catalog(&client).await?;
    ctx.filter.apply(&mut live);
    output::warn_unmanaged("the database", &live.unmanaged_names());
    let mut history_lines = vec![format!("version {}", at.join(", "))];
    history_lines.extend(lines(&alembic));
    let planned = crate::project::revision::baseline_revision(
        &args.plans,
        &args.message,
        &live,
        &history_lines,
    )?;
    let path = planned.write()?.to_path_buf();
    let id = planned.id.clone();
    let migrator = Migrator::from_dir(&args.plans)?;
    migrator
        .stamp(
            &client,
            &RevisionId(id.0.clone()),
            std::time::Duration::from_secs(60),
        )
        .await?;
    match args.format {
        Format::Json => output::print_json(&JsonImport {
            path: path.display().to_string(),
            revision: &id.0,
            alembic_heads: head_ids,
            alembic_version: &at,
            alembic_revisions: alembic.revisions.len(),
        })?,
        Format::Text => output::print(&format!(
            "wrote {} from the live schema (Alembic revision {}, {} Alembic revision(s) in its history)\n\
             marked {id} as applied (not run)\n",
            path.display(),
            at.join(", "),
            alembic.revisions.len()
        ))?,
    }
    Ok(Outcome::Clean)
}
