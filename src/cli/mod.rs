//! The command line: clap arguments, one file per subcommand, output formats.
//!
//! Exit codes: 0 success or nothing to do, 1 differences or pending work found by a
//! check-style command, 2 error. Errors print as `error: ...` on stderr, one line per
//! cause; a closed stdout (`| head`) exits 0.

mod alembic;
mod apply;
mod check;
mod diff;
mod history;
mod inspect;
mod merge;
mod output;
mod plan;
mod trash;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::connect::{env_or_dotenv, resolve_database_url, DbUrl};
use crate::model::{PrivilegeMode, SchemaFilter};
use crate::project::{ModeChoice, Project, Settings};

pub use output::Format;

/// schemaplan: declarative schema-as-code for PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "schemaplan", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: GlobalArgs,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if started in DIR (like `git -C`): paths, `.env` and the default
    /// `schema/` and `plans/` are taken from there.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    directory: Option<PathBuf>,

    /// Target database URL (postgres://, postgresql://, postgresql+asyncpg://, ...).
    /// Default: DATABASE_URL from the environment, else from .env.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,

    /// A PostgreSQL server where schemaplan may create scratch databases to load schema
    /// files into (exact mode). Default: SCHEMAPLAN_DEV_URL, else the target's server.
    #[arg(long, global = true, value_name = "URL")]
    dev_url: Option<String>,

    /// How schema files and plans are read: `offline` interprets them in memory (no
    /// database at all), `exact` loads them into scratch databases on the dev server
    /// (a throwaway local cluster when none is configured); `auto` is exact when a dev
    /// server or a database is configured or compared, offline otherwise.
    #[arg(long, global = true, value_enum, default_value_t = ModeChoice::Auto)]
    mode: ModeChoice,

    /// How grants are planned: `authoritative` (the desired schema says every grant on
    /// its objects; others are revoked, hazard authz), `additive` (grant what is
    /// missing, never revoke) or `ignore` (leave privileges as they are). Objects a plan
    /// drops and creates again get their grants back in every mode.
    #[arg(long, global = true, value_enum, default_value_t = PrivilegeMode::Authoritative)]
    privileges: PrivilegeMode,

    /// Manage every object's owner: objects whose owner the desired schema does not
    /// name (`ALTER ... OWNER TO`) are handed to the role running the plan (hazard
    /// authz). Without it, only declared owners are managed.
    #[arg(long, global = true)]
    manage_owners: bool,

    /// Only look at this schema (repeatable).
    #[arg(long = "schema", global = true, value_name = "NAME")]
    schemas: Vec<String>,

    /// Never look at this schema (repeatable).
    #[arg(long = "exclude-schema", global = true, value_name = "NAME")]
    exclude_schemas: Vec<String>,

    /// Print nothing but results and errors.
    #[arg(short, long, global = true)]
    quiet: bool,

    /// More log output (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    /// Log line format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Colour on a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// On a terminal only.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare two schemas and print the SQL that turns FROM into TO.
    Diff(diff::DiffArgs),
    /// Write a live database's schema as SQL files that load back into it.
    Inspect(inspect::InspectArgs),
    /// Write the next revision into plans/: what it takes from the schema plans/ builds
    /// to the one schema/ declares.
    Plan(plan::PlanArgs),
    /// List the heads of plans/ and where their branches fork.
    Heads(merge::HeadsArgs),
    /// Join divergent heads: a merge revision when the branches touch different objects,
    /// a conflict report when they do not.
    Merge(merge::MergeArgs),
    /// Print the JSON Schema of the YAML schema format (for editors and validators).
    SchemaJson,
    /// The pull-request gate: schema/ and plans/ in sync, one head, no edited
    /// revision, no missing parent (exit 1 otherwise).
    Check(check::CheckArgs),
    /// Run the pending revisions of plans/ against the database (Alembic's `upgrade`).
    Apply(apply::ApplyArgs),
    /// Run the down sections of the newest applied revisions (Alembic's `downgrade`).
    Rollback(apply::RollbackArgs),
    /// List the revisions of plans/, newest first; marks applied ones when a database
    /// is configured.
    History(history::HistoryArgs),
    /// The database's current revision(s), pending revisions and drift (Alembic's
    /// `current`).
    Status(history::StatusArgs),
    /// Adopt an existing database: record its schema as the first revision and mark it
    /// applied without running it (Alembic's `stamp`).
    Baseline(history::BaselineArgs),
    /// What recoverable drops hold in schemaplan_trash (revision, object, rows, size);
    /// `trash purge` drops it for good.
    Trash(trash::TrashArgs),
    /// Adopt a database that Alembic manages: a baseline revision from its live schema,
    /// marked applied, with the Alembic history kept below it.
    ImportAlembic(alembic::ImportAlembicArgs),
}

impl Command {
    /// Commands that change a database log each operation by default when their
    /// output is not a terminal (a deploy job's log); on a terminal a progress bar
    /// shows it instead.
    fn logs_operations(&self) -> bool {
        matches!(
            self,
            Command::Apply(_)
                | Command::Rollback(_)
                | Command::Baseline(_)
                | Command::ImportAlembic(_)
                | Command::Trash(_)
        )
    }
}

/// What a command found, for the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing pending.
    Clean,
    /// Differences or pending work found (exit 1 for check-style commands).
    Differences,
}

/// Settings resolved once for every command.
pub struct Context {
    /// The working directory (.env is read from here).
    pub cwd: PathBuf,
    /// `--database`, `DATABASE_URL` or `.env`.
    pub database: Option<DbUrl>,
    /// `--dev-url` or `SCHEMAPLAN_DEV_URL`.
    pub dev_url: Option<DbUrl>,
    /// `--schema` / `--exclude-schema`.
    pub filter: SchemaFilter,
    /// Status lines and progress on stderr.
    pub chatty: bool,
    /// Colour on stdout.
    pub color_stdout: bool,
    /// `--mode`.
    pub mode: ModeChoice,
    /// `--privileges`.
    pub privileges: PrivilegeMode,
    /// `--manage-owners`.
    pub manage_owners: bool,
}

impl Context {
    fn new(g: &GlobalArgs) -> anyhow::Result<Context> {
        if let Some(dir) = &g.directory {
            std::env::set_current_dir(dir)
                .map_err(|e| anyhow::anyhow!("-C {}: {e}", dir.display()))?;
        }
        let cwd = std::env::current_dir()?;
        let database = resolve_database_url(g.database.as_deref(), &cwd)?
            .map(|u| DbUrl::parse(&u))
            .transpose()?;
        let dev_url = match &g.dev_url {
            Some(u) => Some(u.clone()),
            None => env_or_dotenv("SCHEMAPLAN_DEV_URL", &cwd)?,
        }
        .map(|u| DbUrl::parse(&u))
        .transpose()?;
        let color_stdout = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Ok(Context {
            cwd,
            database,
            dev_url,
            filter: SchemaFilter {
                include: g.schemas.clone(),
                exclude: g.exclude_schemas.clone(),
            },
            chatty: !g.quiet && std::io::stderr().is_terminal(),
            color_stdout,
            mode: g.mode,
            privileges: g.privileges,
            manage_owners: g.manage_owners,
        })
    }

    /// The project a command works on: its desired schema and plans (as the command's
    /// flags name them), with the settings resolved from the global options.
    pub fn project(&self, desired: &Path, plans: &Path) -> Project {
        Project {
            desired: desired.to_path_buf(),
            plans: plans.to_path_buf(),
            settings: Settings {
                mode: self.mode,
                dev_url: self.dev_url.clone(),
                database: self.database.clone(),
                filter: self.filter.clone(),
                online: true,
                recoverable: false,
                privileges: self.privileges,
                manage_owners: self.manage_owners,
            },
        }
    }

    /// A status line on stderr, on a terminal only.
    pub fn status(&self, msg: &str) {
        if self.chatty {
            eprintln!("{msg}");
        }
    }
}

fn init_tracing(g: &GlobalArgs, operations: bool) {
    let level = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) if operations && !std::io::stderr().is_terminal() => "info",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCHEMAPLAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("schemaplan={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match g.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder
            .without_time()
            .with_ansi(std::io::stderr().is_terminal())
            .init(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let ctx = Context::new(&cli.global)?;
    match cli.command {
        Command::Diff(args) => diff::run(&ctx, args).await,
        Command::Inspect(args) => inspect::run(&ctx, args).await,
        Command::Plan(args) => plan::run(&ctx, args).await,
        Command::Heads(args) => merge::heads(&ctx, args).await,
        Command::Merge(args) => merge::merge(&ctx, args).await,
        Command::SchemaJson => {
            output::print(&crate::parse::yaml::json_schema())?;
            Ok(Outcome::Clean)
        }
        Command::Check(args) => check::run(&ctx, args).await,
        Command::Apply(args) => apply::apply(&ctx, args).await,
        Command::Rollback(args) => apply::rollback(&ctx, args).await,
        Command::History(args) => history::history(&ctx, args).await,
        Command::Status(args) => history::status(&ctx, args).await,
        Command::Baseline(args) => history::baseline(&ctx, args).await,
        Command::ImportAlembic(args) => alembic::run(&ctx, args).await,
        Command::Trash(args) => trash::run(&ctx, args).await,
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_tracing(&cli.global, cli.command.logs_operations());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            r = run(cli) => {
                // A failed command may have left a scratch database behind.
                drop_scratch().await;
                r
            }
            _ = tokio::signal::ctrl_c() => {
                drop_scratch().await;
                Err(anyhow::anyhow!("interrupted"))
            }
        }
    });
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Differences) => ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

/// Drops any scratch database still registered, saying so if one cannot be dropped,
/// then stops any throwaway cluster.
async fn drop_scratch() {
    if let Err(e) = crate::devdb::drop_all_scratch().await {
        eprintln!("warning: {e}");
    }
    let _ = tokio::task::spawn_blocking(crate::devdb::cluster::stop_all).await;
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
