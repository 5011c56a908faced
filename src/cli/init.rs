//! `schemaplan init`: start a project in the working directory (`schema/`, `plans/`, a
//! commented `schemaplan.toml`, `.env.example`) and print a CI job for the
//! pull-request gate; `--from-alembic` also names the SQLAlchemy models Alembic's
//! `env.py` uses and, with a database configured, adopts it as `import-alembic` does.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::project::config::FILE_NAME;
use crate::project::init::{self, Models};

use super::alembic::{self, ImportAlembicArgs};
use super::output;
use super::{Context, Outcome};

/// Arguments of `schemaplan init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Coming from Alembic: read alembic.ini and its env.py for the SQLAlchemy models
    /// (`target_metadata`) and write them into schemaplan.toml as the desired schema's
    /// source; with a database configured, adopt it as `import-alembic` does.
    #[arg(long)]
    from_alembic: bool,
}

/// A GitHub Actions job running the pull-request gate and posting its report.
const CI_JOB: &str = r#"# .github/workflows/schemaplan.yml: schema/ and plans/ checked on every pull request,
# the report posted as a comment (the job fails when check finds something).
name: schemaplan
on: pull_request
jobs:
  check:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
      # Put schemaplan on the PATH here (a release binary, or cargo install from its
      # source; building it needs libclang-dev).
      - name: schemaplan check
        id: check
        run: |
          set +e
          schemaplan check --format markdown > schemaplan-check.md
          echo "status=$?" >> "$GITHUB_OUTPUT"
      - name: Post the report
        if: always()
        env:
          GH_TOKEN: ${{ github.token }}
          PR: ${{ github.event.pull_request.number }}
        run: |
          gh pr comment "$PR" --edit-last --body-file schemaplan-check.md \
            || gh pr comment "$PR" --body-file schemaplan-check.md
      - name: Fail when check found something
        if: steps.check.outputs.status != '0'
        run: exit 1
"#;

/// Runs `init`.
pub async fn run(ctx: &Context, args: InitArgs) -> anyhow::Result<Outcome> {
    // The working directory, as relative paths: `-C` has been applied.
    let here = Path::new("");
    let from = if args.from_alembic {
        Some(init::read_alembic(here)?)
    } else {
        None
    };
    let source = from.as_ref().map(|a| a.models.source_entry(&a.env_py));
    let done = init::create(here, source.as_deref())?;
    let mut out = String::new();
    for p in &done.created {
        out.push_str(&format!("created {}\n", p.display()));
    }
    for p in &done.kept {
        out.push_str(&format!("kept {} (already there)\n", p.display()));
    }
    output::print(&out)?;
    if let Some(a) = &from {
        match &a.models {
            Models::Found(target) => output::print(&format!(
                "{FILE_NAME}: the SQLAlchemy models {target} (target_metadata in {}) are a source \
                 of the desired schema\n",
                a.env_py.display()
            ))?,
            Models::Unknown(why) => eprintln!(
                "warning: cannot tell the SQLAlchemy models from {} ({why}): name them in the \
                 commented [[source]] under the TODO in {FILE_NAME}",
                a.env_py.display()
            ),
        }
        adopt(ctx, &a.versions).await?;
        output::print(
            "\nComing from Alembic, three commands:\n\
             \x20 schemaplan init --from-alembic   this one: the models and the database adopted\n\
             \x20 schemaplan plan -m \"...\"         the next revision, from the models and schema/\n\
             \x20 schemaplan apply                 runs it (Alembic's upgrade)\n",
        )?;
    }
    output::print(&format!(
        "\nA CI job for the pull-request gate:\n\n{CI_JOB}"
    ))?;
    Ok(Outcome::Clean)
}

/// With a database configured, what `import-alembic` does: a baseline revision in
/// `plans/` from its live schema, marked applied. Without one, the command to run later.
async fn adopt(ctx: &Context, versions: &Path) -> anyhow::Result<()> {
    let later = if versions == Path::new("alembic/versions") {
        "schemaplan import-alembic".to_string()
    } else {
        format!(
            "schemaplan import-alembic --versions {}",
            versions.display()
        )
    };
    if ctx.database.is_none() {
        output::print(&format!(
            "no database configured (DATABASE_URL, .env or --database): to adopt the database \
             Alembic manages, run later: {later}\n"
        ))?;
        return Ok(());
    }
    let plans = ctx.plans(&PathBuf::from("plans"));
    alembic::run(ctx, ImportAlembicArgs::new(versions.to_path_buf(), plans))
        .await
        .with_context(|| {
            format!("{FILE_NAME} is written, adopting the database is not: once fixed, run {later}")
        })?;
    Ok(())
}
