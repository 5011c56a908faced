//! The project file, `schemaplan.toml`: settings a team keeps in the repository
//! instead of repeating flags.
//!
//! Found by walking up from the working directory (like `Cargo.toml`); paths in it are
//! relative to its directory. Every setting may also sit in a named environment
//! (`[env.production]`), which `--env NAME` picks and which wins over the top level.
//! Database URLs never carry a password here: the target's URL comes from the
//! environment variable `url_env` names (default `DATABASE_URL`), or `.env`.
//! Precedence, for each setting: flag > environment variable > file > default (the
//! command line applies it; this module only reads the file). Unknown keys are an
//! error naming the file, the line and the key; so are durations that do not read
//! and unknown hazard names, in every environment whether chosen or not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::apply::fleet::{FleetSpec, Listed, Tenants};
use crate::error::{Error, Result};
use crate::model::PrivilegeMode;
use crate::parse::version::{NEWEST, OLDEST};
use crate::parse::{ModelsSpec, SchemaInput};
use crate::render::Hazard;

use super::ModeChoice;

/// The file's name.
pub const FILE_NAME: &str = "schemaplan.toml";

/// Settings, at the top level of the file or in an `[env.NAME]` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// The desired schema: a directory or a file (`--desired`; default `schema`).
    pub schema: Option<PathBuf>,
    /// The plans directory (`--plans`; default `plans`).
    pub plans: Option<PathBuf>,
    /// The environment variable holding the target database's URL (default
    /// `DATABASE_URL`).
    pub url_env: Option<String>,
    /// The dev server for exact mode (`--dev-url`), without a password.
    pub dev_url: Option<String>,
    /// `auto`, `offline` or `exact` (`--mode`).
    pub mode: Option<ModeChoice>,
    /// Only these schemas (`--schema`).
    pub schemas: Option<Vec<String>>,
    /// Never these schemas (`--exclude-schema`).
    pub exclude_schemas: Option<Vec<String>>,
    /// `authoritative`, `additive` or `ignore` (`--privileges`).
    pub privileges: Option<PrivilegeMode>,
    /// Manage every object's owner (`--manage-owners`).
    pub manage_owners: Option<bool>,
    /// Plan drops as recoverable (`plan --recoverable`): dropped tables and columns
    /// are held in `schemaplan_trash` with their rows.
    pub recoverable: Option<bool>,
    /// How long held data may stay in `schemaplan_trash` before `check` warns about it
    /// (`30d`, `12h`).
    pub trash_retention: Option<String>,
    /// Online DDL forms in plans (`plan --no-online` turns them off).
    pub online: Option<bool>,
    /// The PostgreSQL major version the schema must load on (13 to 18; default the
    /// newest): schema files using later syntax are refused, and SQLAlchemy models are
    /// compiled for that version.
    pub target_version: Option<u32>,
    /// How long `apply` and `rollback` wait for another run's lock (`--lock-wait`).
    pub lock_wait: Option<FileDuration>,
    /// PostgreSQL's lock_timeout for every statement `apply` and `rollback` run
    /// (`--lock-timeout`).
    pub lock_timeout: Option<FileDuration>,
    /// PostgreSQL's statement_timeout for every statement `apply` and `rollback` run
    /// (`--statement-timeout`).
    pub statement_timeout: Option<FileDuration>,
    /// How many times `apply` retries a revision that hit the lock timeout
    /// (`--lock-retries`).
    pub lock_retries: Option<u32>,
    /// Hazards `apply` accepts (`--allow-hazard`).
    pub allow_hazards: Option<Vec<Hazard>>,
    /// Log line format on stderr (`--log-format`).
    pub log_format: Option<LogFormat>,
}

/// A duration as the file writes it (`5s`, `500ms`), read with [`parse_duration`]
/// when the file is read, so a bad one is reported with its line.
#[derive(Clone, Debug, PartialEq)]
pub struct FileDuration {
    /// As written, for `schemaplan config`.
    pub text: String,
    /// What it reads as.
    pub value: std::time::Duration,
}

impl<'de> Deserialize<'de> for FileDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let value = parse_duration(&text).map_err(serde::de::Error::custom)?;
        Ok(FileDuration { text, value })
    }
}

/// How log lines are written on stderr (`--log-format`, `log_format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl std::fmt::Display for LogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

impl FileSettings {
    /// `self` with every setting `over` has replacing its own.
    fn overlaid(self, over: FileSettings) -> FileSettings {
        FileSettings {
            schema: over.schema.or(self.schema),
            plans: over.plans.or(self.plans),
            url_env: over.url_env.or(self.url_env),
            dev_url: over.dev_url.or(self.dev_url),
            mode: over.mode.or(self.mode),
            schemas: over.schemas.or(self.schemas),
            exclude_schemas: over.exclude_schemas.or(self.exclude_schemas),
            privileges: over.privileges.or(self.privileges),
            manage_owners: over.manage_owners.or(self.manage_owners),
            recoverable: over.recoverable.or(self.recoverable),
            trash_retention: over.trash_retention.or(self.trash_retention),
            online: over.online.or(self.online),
            target_version: over.target_version.or(self.target_version),
            lock_wait: over.lock_wait.or(self.lock_wait),
            lock_timeout: over.lock_timeout.or(self.lock_timeout),
            statement_timeout: over.statement_timeout.or(self.statement_timeout),
            lock_retries: over.lock_retries.or(self.lock_retries),
            allow_hazards: over.allow_hazards.or(self.allow_hazards),
            log_format: over.log_format.or(self.log_format),
        }
    }
}

/// One `[[source]]` table: more of the desired schema, beside `schema`.
///
/// ```toml
/// [[source]]
/// sqlalchemy = "app.models:Base"   # or a MetaData, or a module holding them
/// python = ".venv/bin/python"      # default: the project's virtual environment
///
/// [[source]]
/// files = "db/views"               # more schema files
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// SQLAlchemy models: `package.module:Name` or `package.module`.
    pub sqlalchemy: Option<String>,
    /// The interpreter that imports them (relative to the project file's directory).
    pub python: Option<PathBuf>,
    /// The directory the models are imported from (default: the project file's).
    pub path: Option<PathBuf>,
    /// Schema files: a `.sql`/YAML file or a directory of them.
    pub files: Option<PathBuf>,
}

/// The whole file: the top level's settings (listed again: `deny_unknown_fields` does
/// not reach through `flatten`), and named environments.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: Option<PathBuf>,
    plans: Option<PathBuf>,
    url_env: Option<String>,
    dev_url: Option<String>,
    mode: Option<ModeChoice>,
    schemas: Option<Vec<String>>,
    exclude_schemas: Option<Vec<String>>,
    privileges: Option<PrivilegeMode>,
    manage_owners: Option<bool>,
    recoverable: Option<bool>,
    trash_retention: Option<String>,
    online: Option<bool>,
    target_version: Option<u32>,
    lock_wait: Option<FileDuration>,
    lock_timeout: Option<FileDuration>,
    statement_timeout: Option<FileDuration>,
    lock_retries: Option<u32>,
    allow_hazards: Option<Vec<Hazard>>,
    log_format: Option<LogFormat>,
    /// `[env.NAME]` tables.
    #[serde(default)]
    env: BTreeMap<String, FileSettings>,
    /// `[[source]]` tables.
    #[serde(default)]
    source: Vec<SourceEntry>,
    /// The `[fleet]` table (top level only).
    fleet: Option<RawFleet>,
}

/// A `[fleet]` table as written; positions kept for messages.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleet {
    databases: Option<Vec<toml::Spanned<String>>>,
    databases_query: Option<toml::Spanned<String>>,
    each_schema: Option<toml::Spanned<String>>,
    template_schema: Option<toml::Spanned<String>>,
}

/// A file named by `--fleet-file`: a `[fleet]` table and nothing else.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleetFile {
    fleet: Option<RawFleet>,
}

/// A project file, read.
#[derive(Clone, Debug)]
pub struct ProjectFile {
    /// Where it is.
    pub path: PathBuf,
    /// The settings in effect: the top level, overlaid with the environment chosen.
    pub settings: FileSettings,
    /// The environment chosen (`--env`), if any.
    pub env: Option<String>,
    /// More of the desired schema (`[[source]]`), in the file's order.
    pub sources: Vec<SourceEntry>,
    /// Its table, as written (what it sets over the top level).
    pub section: Option<FileSettings>,
    /// The `[fleet]` table, if any: the databases `apply --fleet` runs on.
    pub fleet: Option<FleetSpec>,
}

impl ProjectFile {
    /// The directory paths in the file are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// A path the file names, as a path from the working directory.
    pub fn path_of(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir().join(p)
        }
    }

    /// The desired schema: `schema` (the `--desired` path given, or the file's) and the
    /// file's `[[source]]`s, models compiled. The default `schema/` may be absent when
    /// other sources declare the schema.
    pub fn desired_input(&self, schema: &Path) -> Result<SchemaInput> {
        let mut input = SchemaInput {
            target_version: self.settings.target_version,
            template_schema: self
                .fleet
                .as_ref()
                .and_then(|f| f.tenants.as_ref())
                .map(|t| {
                    (
                        t.template.value.clone(),
                        crate::error::Location {
                            path: self.path.clone(),
                            line: t.template.line,
                            column: 1,
                        },
                    )
                }),
            ..SchemaInput::default()
        };
        if self.sources.is_empty() || self.settings.schema.is_some() || schema.exists() {
            input.paths.push(schema.to_path_buf());
        }
        for s in &self.sources {
            if let Some(files) = &s.files {
                input.paths.push(self.path_of(files));
            }
            if let Some(target) = &s.sqlalchemy {
                let spec = ModelsSpec {
                    target: target.clone(),
                    // A bare name (`python3.12`) is looked up on PATH.
                    python: s.python.as_ref().map(|p| {
                        if p.components().count() > 1 {
                            self.path_of(p)
                        } else {
                            p.clone()
                        }
                    }),
                    root: s
                        .path
                        .as_ref()
                        .map_or_else(|| self.dir().to_path_buf(), |p| self.path_of(p)),
                    target_version: self.settings.target_version,
                };
                input
                    .models
                    .push(Arc::new(crate::parse::sqlalchemy::compile(&spec)?));
            }
        }
        Ok(input)
    }

    /// The file and the environment chosen, for `schemaplan config`.
    pub fn label(&self) -> String {
        match &self.env {
            Some(e) => format!("{} [env.{e}]", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    /// Where a setting comes from, for `schemaplan config`: `[env.NAME]` when the
    /// environment chosen sets it (`set` tells), else the top level when that does,
    /// else `None`.
    pub fn source_of(&self, set: impl Fn(&FileSettings) -> bool) -> Option<String> {
        match &self.section {
            Some(section) if set(section) => Some(self.label()),
            _ if set(&self.settings) => Some(self.path.display().to_string()),
            _ => None,
        }
    }
}

/// The project file of `dir` or the nearest directory above it, with environment
/// `env` chosen; `None` when there is none (an error when `env` names one: there is
/// nothing to choose it from).
pub fn find(dir: &Path, env: Option<&str>) -> Result<Option<ProjectFile>> {
    let found = dir
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file());
    let Some(path) = found else {
        return match env {
            Some(e) => Err(Error::Refused {
                message: format!(
                    "--env {e}: no {FILE_NAME} here or in a directory above to find [env.{e}] in"
                ),
            }),
            None => Ok(None),
        };
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(path.clone(), e))?;
    read(&path, &text, env).map(Some)
}

/// Reads a project file's text.
pub fn read(path: &Path, text: &str, env: Option<&str>) -> Result<ProjectFile> {
    let t: RawFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let fleet = t
        .fleet
        .clone()
        .map(|f| fleet_spec(path, text, f))
        .transpose()?;
    let top = FileSettings {
        schema: t.schema,
        plans: t.plans,
        url_env: t.url_env,
        dev_url: t.dev_url,
        mode: t.mode,
        schemas: t.schemas,
        exclude_schemas: t.exclude_schemas,
        privileges: t.privileges,
        manage_owners: t.manage_owners,
        recoverable: t.recoverable,
        trash_retention: t.trash_retention,
        online: t.online,
        target_version: t.target_version,
        lock_wait: t.lock_wait,
        lock_timeout: t.lock_timeout,
        statement_timeout: t.statement_timeout,
        lock_retries: t.lock_retries,
        allow_hazards: t.allow_hazards,
        log_format: t.log_format,
    };
    check_sources(path, text, &t.source)?;
    let mut envs = t.env;
    let (settings, section) = match env {
        None => (top, None),
        Some(e) => match envs.remove(e) {
            Some(section) => (top.overlaid(section.clone()), Some(section)),
            None => {
                let names: Vec<&String> = envs.keys().collect();
                return Err(Error::Refused {
                    message: format!(
                        "--env {e}: {} has no [env.{e}] (it has: {})",
                        path.display(),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names
                                .iter()
                                .map(|n| n.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                });
            }
        },
    };
    if let Some(url) = &settings.dev_url {
        if url_has_password(url) {
            let line = line_of(text, "dev_url");
            return Err(bad(
                path,
                line,
                "dev_url carries a password: keep passwords out of the repository (SCHEMAPLAN_DEV_URL in the environment or .env, or ~/.pgpass)",
            ));
        }
    }
    if let Some(v) = settings.target_version {
        if !(OLDEST..=NEWEST).contains(&v) {
            let line = line_of(text, "target_version");
            return Err(bad(
                path,
                line,
                &format!(
                    "target_version = {v}: schemaplan supports PostgreSQL {OLDEST} to {NEWEST}"
                ),
            ));
        }
    }
    if let Some(r) = &settings.trash_retention {
        if let Err(why) = parse_duration(r) {
            let line = line_of(text, "trash_retention");
            return Err(bad(path, line, &format!("trash_retention: {why}")));
        }
    }
    Ok(ProjectFile {
        path: path.to_path_buf(),
        settings,
        env: env.map(str::to_string),
        sources: t.source,
        section,
        fleet,
    })
}

/// Reads a file named by `--fleet-file`: a `[fleet]` table as in schemaplan.toml.
pub fn read_fleet_file(path: &Path) -> Result<FleetSpec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path.to_path_buf(), e))?;
    let t: RawFleetFile = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    match t.fleet {
        Some(f) => fleet_spec(path, &text, f),
        None => Err(bad(path, 1, "no [fleet] table")),
    }
}

/// A `[fleet]` table checked: it names databases (none with a password) or tenant
/// schemas, or both.
fn fleet_spec(path: &Path, text: &str, raw: RawFleet) -> Result<FleetSpec> {
    let line = |span: std::ops::Range<usize>| line_at(text, span.start);
    let listed = |v: toml::Spanned<String>| Listed {
        line: line(v.span()),
        value: v.into_inner(),
    };
    let tenants = match (raw.each_schema, raw.template_schema) {
        (None, None) => None,
        (Some(each), Some(template)) => {
            let (each, template) = (listed(each), listed(template));
            for (key, v) in [("each_schema", &each), ("template_schema", &template)] {
                if v.value.trim().is_empty() {
                    return Err(bad(path, v.line, &format!("{key} is empty")));
                }
            }
            if template.value.contains(['*', '?']) {
                return Err(bad(
                    path,
                    template.line,
                    "template_schema names one schema (the one schema/ is written for), not a pattern",
                ));
            }
            Some(Tenants {
                each_schema: each,
                template,
            })
        }
        (Some(v), None) | (None, Some(v)) => {
            return Err(bad(
                path,
                line(v.span()),
                "tenant schemas need both each_schema (the pattern tenant schemas match, e.g. \"tenant_*\") and template_schema (the schema schema/ is written for, e.g. \"tenant\")",
            ));
        }
    };
    let mut databases = Vec::new();
    for d in raw.databases.into_iter().flatten() {
        let at = line(d.span());
        let value = d.into_inner();
        match value.strip_prefix('$') {
            Some(var)
                if var.is_empty()
                    || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                return Err(bad(
                    path,
                    at,
                    &format!("databases: {value:?} is not an environment variable's name"),
                ));
            }
            Some(_) => {}
            None if url_has_password(&value) || value.contains("password=") => {
                return Err(bad(
                    path,
                    at,
                    "databases: a URL carries a password: keep passwords out of the repository (name an environment variable holding the URL, `$VAR`, or use ~/.pgpass)",
                ));
            }
            None => {}
        }
        databases.push(Listed { value, line: at });
    }
    let databases_query = match raw.databases_query {
        Some(q) if q.get_ref().trim().is_empty() => {
            return Err(bad(path, line(q.span()), "databases_query is empty"));
        }
        Some(q) => Some(Listed {
            line: line(q.span()),
            value: q.into_inner(),
        }),
        None => None,
    };
    if databases.is_empty() && databases_query.is_none() && tenants.is_none() {
        let table = text
            .lines()
            .position(|l| l.trim_start().starts_with("[fleet]"))
            .map_or(1, |i| i + 1);
        return Err(bad(
            path,
            table,
            "[fleet] names no databases: set `databases = [...]` or `databases_query = \"SELECT ...\"` (or tenant schemas: `each_schema` and `template_schema`)",
        ));
    }
    Ok(FleetSpec {
        file: path.to_path_buf(),
        databases,
        databases_query,
        tenants,
    })
}

/// A TOML error at its line.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let at = e.span().map_or(0, |s| s.start.min(text.len()));
    bad(path, line_at(text, at), e.message())
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Each `[[source]]` names one thing: models or files, and a models target that
/// Python can import.
fn check_sources(path: &Path, text: &str, sources: &[SourceEntry]) -> Result<()> {
    let mut tables = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[source]]"))
        .map(|(i, _)| i + 1);
    for s in sources {
        let line = tables.next().unwrap_or(1);
        match (&s.sqlalchemy, &s.files) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(bad(
                    path,
                    line,
                    "a [[source]] names either `sqlalchemy = \"package.module:Base\"` or `files = \"DIR\"`",
                ))
            }
            (None, Some(_)) if s.python.is_some() || s.path.is_some() => {
                return Err(bad(
                    path,
                    line,
                    "`python` and `path` belong to a `sqlalchemy` [[source]], not to `files`",
                ))
            }
            (Some(target), None) if !is_models_target(target) => {
                return Err(bad(
                    path,
                    line,
                    &format!(
                        "sqlalchemy = {target:?}: expected `package.module:Name` (a declarative base or a MetaData) or `package.module`"
                    ),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// A dotted Python name: `app.models`, `Base.metadata`.
pub(crate) fn is_dotted_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// `app.models:Base`, `app.models`, `app.db:Base.metadata`.
fn is_models_target(target: &str) -> bool {
    let dotted = is_dotted_name;
    match target.split_once(':') {
        Some((module, name)) => dotted(module) && dotted(name),
        None => dotted(target),
    }
}

/// Reads `60s`, `500ms`, `2m`, `1h`, `30d` or a plain number of seconds (the flags'
/// durations and the file's alike).
pub fn parse_duration(s: &str) -> std::result::Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 5s, 500ms, 2m, 30d)"))?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        "d" | "day" | "days" => value * 86_400.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {s:?} (use ms, s, m, h or d)"
            ))
        }
    };
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// Whether a URL has a password in it (`postgres://user:secret@host/db`).
fn url_has_password(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.password().is_some_and(|p| !p.is_empty()))
}

/// The first line that sets `key`, for a message.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

fn bad(path: &Path, line: usize, message: &str) -> Error {
    Error::Refused {
        message: format!("{}:{line}: {}", path.display(), message.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# The project's settings.
schema = "db/schema"
privileges = "additive"
recoverable = true

[env.production]
url_env = "PROD_DATABASE_URL"
mode = "exact"
privileges = "authoritative"
"#;

    #[test]
    fn the_chosen_environment_wins_over_the_top_level() {
        let path = Path::new("/repo/schemaplan.toml");
        let top = read(path, TEXT, None).unwrap();
        assert_eq!(top.settings.privileges, Some(PrivilegeMode::Additive));
        assert_eq!(top.settings.mode, None);
        assert_eq!(
            top.path_of(Path::new("db/schema")),
            Path::new("/repo/db/schema")
        );
        let prod = read(path, TEXT, Some("production")).unwrap();
        assert_eq!(prod.settings.privileges, Some(PrivilegeMode::Authoritative));
        assert_eq!(prod.settings.mode, Some(ModeChoice::Exact));
        assert_eq!(prod.settings.recoverable, Some(true));
        assert_eq!(prod.settings.url_env.as_deref(), Some("PROD_DATABASE_URL"));
        assert!(prod.label().ends_with("[env.production]"));
        assert_eq!(
            prod.source_of(|s| s.mode.is_some()).as_deref(),
            Some("/repo/schemaplan.toml [env.production]")
        );
        assert_eq!(
            prod.source_of(|s| s.recoverable.is_some()).as_deref(),
            Some("/repo/schemaplan.toml")
        );
        assert_eq!(prod.source_of(|s| s.dev_url.is_some()), None);
        let e = read(path, TEXT, Some("staging")).unwrap_err().to_string();
        assert!(e.contains("no [env.staging] (it has: production)"), "{e}");
    }

    #[test]
    fn unknown_keys_and_passwords_name_the_line() {
        let path = Path::new("schemaplan.toml");
        let e = read(path, "mode = \"exact\"\nrecoverabel = true\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:2:"), "{e}");
        assert!(e.contains("recoverabel"), "{e}");
        let e = read(path, "[env.ci]\nmdoe = \"exact\"\n", Some("ci"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:2:"), "{e}");
        assert!(e.contains("mdoe"), "{e}");
        let e = read(path, "\ndev_url = \"postgres://u:secret@h/db\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:2:"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        let e = read(path, "trash_retention = \"soon\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("trash_retention"), "{e}");
    }

    #[test]
    fn sources_name_models_or_files() {
        let path = Path::new("schemaplan.toml");
        let f = read(
            path,
            "[[source]]\nsqlalchemy = \"app.models:Base\"\npython = \".venv/bin/python\"\n\n[[source]]\nfiles = \"db/views\"\n",
            None,
        )
        .unwrap();
        assert_eq!(f.sources.len(), 2);
        assert_eq!(f.sources[0].sqlalchemy.as_deref(), Some("app.models:Base"));
        assert_eq!(f.sources[1].files.as_deref(), Some(Path::new("db/views")));
        let e = read(path, "mode = \"auto\"\n[[source]]\npython = \"p\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:2:"), "{e}");
        let e = read(path, "[[source]]\nsqlalchemy = \"app/models.py\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("package.module:Name"), "{e}");
        let e = read(path, "[[source]]\nsqlalchemy = \"a:B\"\nmodels = 1\n", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("schemaplan.toml:3:") && e.contains("models"),
            "{e}"
        );
        assert!(is_models_target("app.db.base:Base.metadata"));
        assert!(is_models_target("models"));
        assert!(!is_models_target("app.:Base"));
    }

    #[test]
    fn apply_settings_read_durations_hazards_and_the_log_format() {
        let path = Path::new("schemaplan.toml");
        let text = r#"lock_timeout = "2s"
lock_retries = 1
log_format = "json"
online = false

[env.production]
lock_timeout = "1ms"
statement_timeout = "10m"
allow_hazards = ["data-loss", "table-rewrite"]
"#;
        let top = read(path, text, None).unwrap().settings;
        assert_eq!(top.lock_timeout.unwrap().value.as_secs(), 2);
        assert_eq!(top.lock_retries, Some(1));
        assert_eq!(top.log_format, Some(LogFormat::Json));
        assert_eq!(top.online, Some(false));
        assert_eq!(top.allow_hazards, None);
        let prod = read(path, text, Some("production")).unwrap().settings;
        let lock_timeout = prod.lock_timeout.unwrap();
        assert_eq!(lock_timeout.value.as_millis(), 1);
        assert_eq!(lock_timeout.text, "1ms");
        assert_eq!(prod.statement_timeout.unwrap().value.as_secs(), 600);
        assert_eq!(prod.lock_retries, Some(1));
        assert_eq!(
            prod.allow_hazards,
            Some(vec![Hazard::DataLoss, Hazard::TableRewrite])
        );
        assert_eq!(prod.lock_wait, None);
    }

    #[test]
    fn bad_durations_hazards_and_formats_name_the_line() {
        let path = Path::new("schemaplan.toml");
        let e = read(
            path,
            "lock_wait = \"60s\"\n\n[env.production]\nallow_hazards = [\"data-loss\", \"data-lost\"]\n",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("schemaplan.toml:4:"), "{e}");
        assert!(e.contains("unknown hazard \"data-lost\""), "{e}");
        assert!(e.contains("data-loss, table-rewrite"), "{e}");
        let e = read(path, "online = true\nlock_timeout = \"5 parsecs\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:2:"), "{e}");
        assert!(e.contains("unknown unit"), "{e}");
        let e = read(path, "log_format = \"yaml\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:1:"), "{e}");
        assert!(e.contains("yaml"), "{e}");
        let e = read(path, "lock_retries = -1\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:1:"), "{e}");
    }

    #[test]
    fn fleet_tables_list_urls_variables_and_a_query_at_their_lines() {
        let path = Path::new("schemaplan.toml");
        let text = "mode = \"offline\"\n\n[fleet]\ndatabases = [\n  \"postgres://app@db1/app\",\n  \"$EU_URL\",\n]\ndatabases_query = \"SELECT datname FROM pg_database\"\n";
        let fleet = read(path, text, None).unwrap().fleet.unwrap();
        let listed: Vec<(&str, usize)> = fleet
            .databases
            .iter()
            .map(|d| (d.value.as_str(), d.line))
            .collect();
        assert_eq!(listed, [("postgres://app@db1/app", 5), ("$EU_URL", 6)]);
        assert_eq!(fleet.databases_query.unwrap().line, 8);
        assert!(read(path, "mode = \"offline\"\n", None)
            .unwrap()
            .fleet
            .is_none());
        let e = read(path, "[fleet]\ndatabases = [\"$EU-URL\"]\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schemaplan.toml:2:"), "{e}");
        let e = read(path, "[fleet]\ntemplate_schema = \"tenant\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("schemaplan.toml:2: tenant schemas need both each_schema"),
            "{e}"
        );
        let e = read(
            path,
            "[fleet]\neach_schema = \"t_*\"\ntemplate_schema = \"t_*\"\n",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("schemaplan.toml:3: template_schema names one schema"),
            "{e}"
        );
        let tenants = read(
            path,
            "[fleet]\neach_schema = \"tenant_*\"\ntemplate_schema = \"tenant\"\n",
            None,
        )
        .unwrap()
        .fleet
        .unwrap()
        .tenants
        .unwrap();
        assert_eq!(
            (tenants.each_schema.value.as_str(), tenants.template.line),
            ("tenant_*", 3)
        );
        let e = read(path, "\n[fleet]\n", None).unwrap_err().to_string();
        assert!(
            e.starts_with("schemaplan.toml:2: [fleet] names no databases"),
            "{e}"
        );
        let e = read(
            path,
            "[fleet]\ndatabases = [\"host=db password=hunter2\"]\n",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("carries a password") && !e.contains("hunter2"),
            "{e}"
        );
    }

    #[test]
    fn durations_read_days_hours_minutes_and_seconds() {
        assert_eq!(parse_duration("30d").unwrap().as_secs(), 30 * 86_400);
        assert_eq!(parse_duration("12h").unwrap().as_secs(), 12 * 3_600);
        assert_eq!(parse_duration("90m").unwrap().as_secs(), 90 * 60);
        assert_eq!(parse_duration("30").unwrap().as_secs(), 30);
        assert_eq!(parse_duration("500ms").unwrap().as_millis(), 500);
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("3 weeks").is_err());
    }
}
