//! The command line: clap arguments, one file per subcommand, output formats.
//!
//! Exit codes: 0 success or nothing to do, 1 differences or pending work found by a
//! check-style command, 2 error. Errors print as `error: ...` on stderr, one line per
//! cause; a closed stdout (`| head`) exits 0.

mod alembic;
mod apply;
mod check;
mod diff;
mod fleet;
mod history;
mod init;
mod inspect;
mod merge;
mod output;
mod plan;
mod trash;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::connect::{env_or_dotenv, DbUrl};
use crate::model::{PrivilegeMode, SchemaFilter};
use crate::project::config::{self, FileSettings, LogFormat, ProjectFile};
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
    /// Default: DATABASE_URL (or the variable `url_env` in schemaplan.toml names) from
    /// the environment, else from .env.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,

    /// A PostgreSQL server where schemaplan may create scratch databases to load schema
    /// files into (exact mode). Default: SCHEMAPLAN_DEV_URL, else `dev_url` in
    /// schemaplan.toml, else the target's server.
    #[arg(long, global = true, value_name = "URL")]
    dev_url: Option<String>,

    /// How schema files and plans are read: `offline` interprets them in memory (no
    /// database at all), `exact` loads them into scratch databases on the dev server
    /// (a throwaway local cluster when none is configured); `auto` is exact when a dev
    /// server or a database is configured or compared, offline otherwise.
    /// (Default: auto, or `mode` in schemaplan.toml.)
    #[arg(long, global = true, value_enum)]
    mode: Option<ModeChoice>,

    /// How grants are planned: `authoritative` (the desired schema says every grant on
    /// its objects; others are revoked, hazard authz), `additive` (grant what is
    /// missing, never revoke) or `ignore` (leave privileges as they are). Objects a plan
    /// drops and creates again get their grants back in every mode. (Default:
    /// authoritative, or `privileges` in schemaplan.toml.)
    #[arg(long, global = true, value_enum)]
    privileges: Option<PrivilegeMode>,

    /// Manage every object's owner: objects whose owner the desired schema does not
    /// name (`ALTER ... OWNER TO`) are handed to the role running the plan (hazard
    /// authz). Without it, only declared owners are managed.
    #[arg(long, global = true)]
    manage_owners: bool,

    /// Use the settings of `[env.NAME]` in schemaplan.toml (over its top level).
    #[arg(long = "env", global = true, value_name = "NAME")]
    environment: Option<String>,

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

    /// Log line format on stderr. (Default: text, or `log_format` in schemaplan.toml.)
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,

    /// Colour on a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
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
    /// Print the settings in effect (flags, environment, schemaplan.toml, defaults) and
    /// where each came from.
    Config,
    /// Start a project here: schema/, plans/, a commented schemaplan.toml and
    /// .env.example; prints a CI job for the pull-request gate. Refuses an existing
    /// schemaplan.toml.
    Init(init::InitArgs),
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
    /// The project file, when there is one (`schemaplan.toml` here or above).
    pub file: Option<ProjectFile>,
    /// Where each setting came from, for `schemaplan config`: (setting, value, source).
    pub sources: Vec<(&'static str, String, String)>,
    /// Which path flags were written on the command line.
    pub typed: TypedPaths,
    /// `--quiet`: nothing but results and errors.
    pub quiet: bool,
}

/// The working directory (after `-C`) and the project file found from it. Read before
/// anything else: the file may set the log format tracing starts with.
fn locate(cli: &Cli) -> anyhow::Result<(PathBuf, Option<ProjectFile>)> {
    let g = &cli.global;
    if let Some(dir) = &g.directory {
        std::env::set_current_dir(dir).map_err(|e| anyhow::anyhow!("-C {}: {e}", dir.display()))?;
    }
    let cwd = std::env::current_dir()?;
    // `init` writes the file: it refuses one here itself, and one above belongs to
    // another project.
    let file = match cli.command {
        Command::Init(_) => None,
        _ => config::find(&cwd, g.environment.as_deref())?,
    };
    Ok((cwd, file))
}

impl Context {
    fn new(g: &GlobalArgs, cwd: PathBuf, file: Option<ProjectFile>) -> anyhow::Result<Context> {
        let fs = file
            .as_ref()
            .map(|f| f.settings.clone())
            .unwrap_or_default();
        // Where the file sets a setting (`set` tells which): its top level or the
        // environment chosen.
        let file_source =
            |set: &dyn Fn(&FileSettings) -> bool| file.as_ref().and_then(|f| f.source_of(set));
        let mut sources = Vec::new();
        let mut note = |setting: &'static str, value: String, source: String| {
            sources.push((setting, value, source));
        };

        // Flag > environment > file > default, setting by setting.
        let url_env = fs
            .url_env
            .clone()
            .unwrap_or_else(|| "DATABASE_URL".to_string());
        // A URL found (with where it was found), parsed and noted.
        let mut url = |setting: &'static str,
                       found: Option<(String, String)>|
         -> anyhow::Result<Option<DbUrl>> {
            let Some((u, source)) = found else {
                return Ok(None);
            };
            let url = DbUrl::parse(&u)?;
            note(setting, url.redacted(), source);
            Ok(Some(url))
        };
        let database = match g
            .database
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(u) => Some((u.to_string(), "--database".to_string())),
            None => env_or_dotenv(&url_env, &cwd)?
                .map(|u| (u, format!("{url_env} (environment or .env)"))),
        };
        let database = url("database", database)?;
        let dev_url = match &g.dev_url {
            Some(u) => Some((u.clone(), "--dev-url".to_string())),
            None => match env_or_dotenv("SCHEMAPLAN_DEV_URL", &cwd)? {
                Some(u) => Some((u, "SCHEMAPLAN_DEV_URL (environment or .env)".to_string())),
                None => fs
                    .dev_url
                    .clone()
                    .zip(file_source(&|s| s.dev_url.is_some())),
            },
        };
        let dev_url = url("dev_url", dev_url)?;
        let pick = |flag: bool, set: &dyn Fn(&FileSettings) -> bool| {
            if flag {
                "flag".to_string()
            } else {
                file_source(set).unwrap_or_else(|| "default".to_string())
            }
        };
        let mode = g.mode.or(fs.mode).unwrap_or_default();
        note(
            "mode",
            format!("{mode:?}").to_lowercase(),
            pick(g.mode.is_some(), &|s| s.mode.is_some()),
        );
        let privileges = g.privileges.or(fs.privileges).unwrap_or_default();
        note(
            "privileges",
            privileges.to_string(),
            pick(g.privileges.is_some(), &|s| s.privileges.is_some()),
        );
        let manage_owners = g.manage_owners || fs.manage_owners.unwrap_or(false);
        note(
            "manage_owners",
            manage_owners.to_string(),
            pick(g.manage_owners, &|s| s.manage_owners.is_some()),
        );
        let include = if g.schemas.is_empty() {
            fs.schemas.clone().unwrap_or_default()
        } else {
            g.schemas.clone()
        };
        note(
            "schemas",
            format!("{include:?}"),
            pick(!g.schemas.is_empty(), &|s| s.schemas.is_some()),
        );
        let exclude = if g.exclude_schemas.is_empty() {
            fs.exclude_schemas.clone().unwrap_or_default()
        } else {
            g.exclude_schemas.clone()
        };
        note(
            "exclude_schemas",
            format!("{exclude:?}"),
            pick(!g.exclude_schemas.is_empty(), &|s| {
                s.exclude_schemas.is_some()
            }),
        );
        // Set only in the file: the paths (unless a command's flag names another),
        // recoverable drops and the retention of held data.
        let in_file = |p: &Option<PathBuf>, default: &str| match (&file, p) {
            (Some(f), Some(p)) => f.path_of(p).display().to_string(),
            _ => default.to_string(),
        };
        note(
            "schema",
            in_file(&fs.schema, "schema"),
            pick(false, &|s| s.schema.is_some()),
        );
        note(
            "plans",
            in_file(&fs.plans, "plans"),
            pick(false, &|s| s.plans.is_some()),
        );
        note(
            "recoverable",
            fs.recoverable.unwrap_or(false).to_string(),
            pick(false, &|s| s.recoverable.is_some()),
        );
        if let Some(r) = &fs.trash_retention {
            note(
                "trash_retention",
                r.clone(),
                pick(false, &|s| s.trash_retention.is_some()),
            );
        }
        note(
            "online",
            fs.online.unwrap_or(true).to_string(),
            pick(false, &|s| s.online.is_some()),
        );
        note(
            "target_version",
            fs.target_version
                .unwrap_or(crate::parse::version::NEWEST)
                .to_string(),
            pick(false, &|s| s.target_version.is_some()),
        );
        // Set by `apply` and `rollback` flags, which `config` does not take: the file's
        // or the default.
        let run = crate::apply::ApplyOptions::default();
        let duration = |setting: &Option<config::FileDuration>, default: Option<Duration>| match (
            setting, default,
        ) {
            (Some(d), _) => d.text.clone(),
            (None, Some(d)) => duration_text(d),
            (None, None) => "none".to_string(),
        };
        note(
            "lock_wait",
            duration(&fs.lock_wait, Some(run.lock_wait)),
            pick(false, &|s| s.lock_wait.is_some()),
        );
        note(
            "lock_timeout",
            duration(&fs.lock_timeout, Some(run.lock_timeout)),
            pick(false, &|s| s.lock_timeout.is_some()),
        );
        note(
            "statement_timeout",
            duration(&fs.statement_timeout, run.statement_timeout),
            pick(false, &|s| s.statement_timeout.is_some()),
        );
        note(
            "lock_retries",
            fs.lock_retries.unwrap_or(run.lock_retries).to_string(),
            pick(false, &|s| s.lock_retries.is_some()),
        );
        note(
            "allow_hazards",
            format!(
                "{:?}",
                fs.allow_hazards
                    .iter()
                    .flatten()
                    .map(|h| h.name())
                    .collect::<Vec<_>>()
            ),
            pick(false, &|s| s.allow_hazards.is_some()),
        );
        note(
            "log_format",
            g.log_format
                .or(fs.log_format)
                .unwrap_or_default()
                .to_string(),
            pick(g.log_format.is_some(), &|s| s.log_format.is_some()),
        );
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
            filter: SchemaFilter { include, exclude },
            chatty: !g.quiet && std::io::stderr().is_terminal(),
            color_stdout,
            mode,
            privileges,
            manage_owners,
            file,
            sources,
            typed: TypedPaths::default(),
            quiet: g.quiet,
        })
    }

    /// A command's `--desired` or `--plans` path: the flag's when it was on the command
    /// line (`typed`, even when it names the default), else the project file's, else
    /// the default the flag holds.
    fn path(&self, given: &Path, typed: bool, from_file: Option<&PathBuf>) -> PathBuf {
        match (&self.file, from_file) {
            (Some(f), Some(p)) if !typed => f.path_of(p),
            _ => given.to_path_buf(),
        }
    }

    /// `--desired`, or `schema` from the project file.
    pub fn desired(&self, given: &Path) -> PathBuf {
        let file = self.file.as_ref().and_then(|f| f.settings.schema.as_ref());
        self.path(given, self.typed.desired, file)
    }

    /// `--plans`, or `plans` from the project file.
    pub fn plans(&self, given: &Path) -> PathBuf {
        let file = self.file.as_ref().and_then(|f| f.settings.plans.as_ref());
        self.path(given, self.typed.plans, file)
    }

    /// The migrator for a run on one database: in a tenant project (`template_schema`
    /// in `[fleet]`), for the tenant schema `--tenant` names, and refused without one
    /// (the revisions are written for the template schema, not for the database).
    pub fn scoped(
        &self,
        migrator: crate::apply::Migrator,
        tenant: Option<&str>,
    ) -> crate::Result<crate::apply::Migrator> {
        let template = self
            .file
            .as_ref()
            .and_then(|f| Some((f, f.fleet.as_ref()?.tenants.as_ref()?)));
        match (template, tenant) {
            (None, None) => Ok(migrator),
            (Some((_, t)), Some(tenant)) => Ok(migrator.for_tenant(&t.template.value, tenant)),
            (Some((f, t)), None) => Err(crate::Error::Refused {
                message: format!(
                    "the revisions of this project are written for the template schema {} \
                     ({}:{}): run them in tenant schemas, with `--fleet` for every one or \
                     `--tenant SCHEMA` for one",
                    t.template.value,
                    f.path.display(),
                    t.template.line
                ),
            }),
            (None, Some(_)) => Err(crate::Error::Refused {
                message: "--tenant needs a tenant project: `each_schema` and `template_schema` \
                          in the [fleet] table of schemaplan.toml"
                    .to_string(),
            }),
        }
    }

    /// The project file's settings in effect (none without a file).
    pub fn file_settings(&self) -> FileSettings {
        self.file
            .as_ref()
            .map(|f| f.settings.clone())
            .unwrap_or_default()
    }

    /// Whether plans make recoverable drops by default (`recoverable` in the file).
    pub fn recoverable(&self) -> bool {
        self.file
            .as_ref()
            .and_then(|f| f.settings.recoverable)
            .unwrap_or(false)
    }

    /// The project a command works on: its desired schema and plans (as the command's
    /// flags name them, with the project file's `[[source]]`s: SQLAlchemy models are
    /// compiled here), with the settings resolved from the global options.
    pub fn project(&self, desired: &Path, plans: &Path) -> crate::Result<Project> {
        let desired = match &self.file {
            Some(f) => f.desired_input(desired)?,
            None => desired.into(),
        };
        Ok(Project {
            desired,
            plans: plans.to_path_buf(),
            settings: self.settings(),
        })
    }

    /// Refuses to `what` (apply, roll back) on a server older than the project file's
    /// `target_version`: its plans were written for that version and may use what an
    /// older server lacks (a NOT NULL constraint's name, a virtual column).
    pub async fn check_target_version(
        &self,
        client: &tokio_postgres::Client,
        what: &str,
    ) -> anyhow::Result<()> {
        let Some((path, target)) = self
            .file
            .as_ref()
            .and_then(|f| Some((&f.path, f.settings.target_version?)))
        else {
            return Ok(());
        };
        let (major, version) = crate::project::server_version(client).await?;
        if major >= target {
            return Ok(());
        }
        Err(crate::Error::Refused {
            message: format!(
                "{}: target_version = {target}, but the database runs PostgreSQL {version}: \
                 plans written for {target} may use what {major} lacks, so nothing was {what}; \
                 set target_version = {major} (and plan again) or upgrade the server",
                path.display()
            ),
        }
        .into())
    }

    /// The project settings the global options and the project file resolve to.
    pub fn settings(&self) -> Settings {
        Settings {
            mode: self.mode,
            dev_url: self.dev_url.clone(),
            database: self.database.clone(),
            filter: self.filter.clone(),
            online: self
                .file
                .as_ref()
                .and_then(|f| f.settings.online)
                .unwrap_or(true),
            recoverable: false,
            privileges: self.privileges,
            manage_owners: self.manage_owners,
        }
    }

    /// A line on stderr that a log wants too (the mode a plan was made in), unless
    /// `--quiet`.
    pub fn say(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A status line on stderr, on a terminal only.
    pub fn status(&self, msg: &str) {
        if self.chatty {
            eprintln!("{msg}");
        }
    }
}

/// `60s`, `5s`, `500ms`: a duration as the flags and the file write it.
fn duration_text(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Starts logging on stderr, in the format `--log-format` or the project file names.
fn init_tracing(g: &GlobalArgs, file: Option<&ProjectFile>, operations: bool) {
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
    let format = g
        .log_format
        .or(file.and_then(|f| f.settings.log_format))
        .unwrap_or_default();
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder
            .without_time()
            .with_ansi(std::io::stderr().is_terminal())
            .init(),
    }
}

async fn run(
    cli: Cli,
    cwd: PathBuf,
    file: Option<ProjectFile>,
    typed: TypedPaths,
) -> anyhow::Result<Outcome> {
    let mut ctx = Context::new(&cli.global, cwd, file)?;
    ctx.typed = typed;
    let mut command = cli.command;
    resolve_paths(&mut command, &ctx);
    match command {
        Command::Config => config_command(&ctx),
        Command::Init(args) => init::run(&ctx, args).await,
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

/// Which of `--desired` and `--plans` were written on the command line (a flag written
/// wins over the project file even when it names the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct TypedPaths {
    desired: bool,
    plans: bool,
}

impl TypedPaths {
    fn of(matches: &clap::ArgMatches) -> TypedPaths {
        let Some((_, sub)) = matches.subcommand() else {
            return TypedPaths::default();
        };
        let typed = |id: &str| {
            sub.try_get_raw(id).is_ok_and(|v| v.is_some())
                && sub.value_source(id) == Some(ValueSource::CommandLine)
        };
        TypedPaths {
            desired: typed("desired"),
            plans: typed("plans"),
        }
    }
}

/// Every command's `--desired` and `--plans` as the project file may set them.
fn resolve_paths(command: &mut Command, ctx: &Context) {
    let fix_plans = |p: &mut PathBuf| *p = ctx.plans(p);
    match command {
        Command::Plan(a) => {
            a.desired = ctx.desired(&a.desired);
            fix_plans(&mut a.plans);
        }
        Command::Check(a) => {
            a.desired = ctx.desired(&a.desired);
            fix_plans(&mut a.plans);
        }
        Command::Merge(a) => {
            a.desired = ctx.desired(&a.desired);
            fix_plans(&mut a.plans);
        }
        Command::Heads(a) => fix_plans(&mut a.plans),
        Command::Apply(a) => fix_plans(&mut a.run.plans),
        Command::Rollback(a) => fix_plans(&mut a.run.plans),
        Command::History(a) => fix_plans(&mut a.plans),
        Command::Status(a) => fix_plans(&mut a.plans),
        Command::Baseline(a) => fix_plans(&mut a.plans),
        Command::ImportAlembic(a) => fix_plans(&mut a.plans),
        Command::Diff(_)
        | Command::Inspect(_)
        | Command::SchemaJson
        | Command::Trash(_)
        | Command::Config
        | Command::Init(_) => {}
    }
}

/// `schemaplan config`: the settings in effect and where each came from.
fn config_command(ctx: &Context) -> anyhow::Result<Outcome> {
    let mut out = match &ctx.file {
        Some(f) => format!("project file: {}\n", f.label()),
        None => format!("project file: none ({} here or above)\n", config::FILE_NAME),
    };
    for (k, v, s) in &ctx.sources {
        out.push_str(&format!("{k:<18} {v:<40} ({s})\n"));
    }
    output::print(&out)?;
    Ok(Outcome::Clean)
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, TypedPaths::of(&m))));
    let (cli, typed) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let (cwd, file) = match locate(&cli) {
        Ok(found) => found,
        Err(e) => return failed(&e),
    };
    init_tracing(&cli.global, file.as_ref(), cli.command.logs_operations());
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
            r = run(cli, cwd, file, typed) => {
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
        Err(e) => failed(&e),
    }
}

/// Prints an error and its causes; exit 2 (0 for a closed stdout).
fn failed(e: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(2)
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
