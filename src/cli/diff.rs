//! `schemaplan diff --from SRC --to SRC`: the SQL that turns one schema into another.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use crate::model::Catalog;
use crate::project::{plan_up_with_renames, Reader, Source};

use super::output::{self, Format, JsonStep};
use super::{Context, Outcome};

/// Arguments of `schemaplan diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The current schema: a database URL, a .sql file or a directory of .sql files.
    /// Default: an empty database (the plan creates everything).
    #[arg(long, value_name = "SRC")]
    from: Option<String>,
    /// The desired schema: a database URL, a .sql file or a directory of .sql files.
    #[arg(long, value_name = "SRC")]
    to: String,
    /// Output format: text is SQL that psql runs; json lists the steps.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 when there are differences (0 when there are none).
    #[arg(long)]
    exit_code: bool,
    /// Blocking DDL instead of the online forms (indexes built CONCURRENTLY, constraints
    /// added NOT VALID then validated): for a maintenance window.
    #[arg(long)]
    no_online: bool,
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    from: String,
    to: String,
    steps: Vec<JsonStep<'a>>,
    hazards: Vec<&'static str>,
    /// What each side holds that schemaplan does not manage.
    unmanaged: JsonUnmanaged,
}

#[derive(Serialize)]
struct JsonUnmanaged {
    from: Vec<String>,
    to: Vec<String>,
}

/// Runs `diff`.
pub async fn run(ctx: &Context, args: DiffArgs) -> anyhow::Result<Outcome> {
    let from = args.from.as_deref().map(Source::parse).transpose()?;
    let to = Source::parse(&args.to)?;
    // Schema files and plans are interpreted offline, or (a database configured or
    // compared) loaded into scratch databases on the dev server, else on the server of
    // a database being compared, else on the configured target's.
    let needs_dev = to.needs_dev() || from.as_ref().is_some_and(Source::needs_dev);
    let compared = from
        .as_ref()
        .and_then(|f| f.database().cloned())
        .or_else(|| to.database().cloned());
    // Only the settings matter here: the sources are the arguments.
    let project = crate::project::Project {
        desired: Path::new("schema").into(),
        plans: Path::new("plans").to_path_buf(),
        settings: ctx.settings(),
    };
    let reader = if needs_dev {
        let reader = project.reader(compared.as_ref()).await?;
        ctx.status(&format!(
            "reading schema files in {}",
            reader.mode.describe()
        ));
        reader
    } else {
        // Both sides are databases: nothing is interpreted.
        Reader::offline(None)
    };
    let from_label = from
        .as_ref()
        .map_or_else(|| "an empty database".to_string(), |f| f.to_string());
    ctx.status(&format!("reading {from_label} and {to}"));
    let filter = &ctx.filter;
    let loaded = tokio::try_join!(
        async {
            match &from {
                Some(f) => f.load(&reader.mode, filter).await,
                None => Ok(Catalog::new_database()),
            }
        },
        to.load(&reader.mode, filter)
    );
    reader.finish().await?;
    let (a, b) = loaded?;
    let unmanaged = JsonUnmanaged {
        from: a.unmanaged_names(),
        to: b.unmanaged_names(),
    };
    output::warn_unmanaged(&from_label, &unmanaged.from);
    output::warn_unmanaged(&to.to_string(), &unmanaged.to);
    let hints = match &to {
        Source::Files(input) => crate::parse::read_rename_hints(input)?,
        _ => Vec::new(),
    };
    crate::project::revision::warn_ignored_privileges(&b, ctx.privileges);
    let access = crate::model::Access {
        privileges: ctx.privileges,
        manage_owners: ctx.manage_owners,
    };
    let (plan, _) =
        plan_up_with_renames(&a, &b, &hints, !args.no_online, access).map_err(|e| match &to {
            Source::Files(input) => crate::parse::locate_error(e, input),
            _ => e,
        })?;
    // The catalogs are done with: the output is built without them.
    drop((a, b));
    match args.format {
        Format::Text => output::print(&output::plan_text(&plan, ctx.color_stdout))?,
        Format::Json => output::print_json(&JsonDiff {
            from: from_label.clone(),
            to: to.to_string(),
            steps: output::json_steps(&plan),
            hazards: plan.hazards().iter().map(|h| h.name()).collect(),
            unmanaged,
        })?,
    }
    if plan.is_empty() {
        ctx.status("no differences");
    } else if ctx.chatty {
        // Diffing from a live database: say how big what the hazards touch is there.
        output::warn_hazards_sized(&plan, from.as_ref().and_then(|f| f.database())).await;
    }
    Ok(if args.exit_code && !plan.is_empty() {
        Outcome::Differences
    } else {
        Outcome::Clean
    })
}
