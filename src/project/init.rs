//! `schemaplan init`: a new project's files, and what an Alembic project says about
//! where its SQLAlchemy models are.
//!
//! Input: a directory (and, for `--from-alembic`, its `alembic.ini` and the `env.py`
//! that names the models). Output: `schema/`, `plans/`, a commented `schemaplan.toml`
//! and `.env.example`, written only when absent (an existing `schemaplan.toml` is
//! refused); what it read from Alembic. `env.py` is read as text, never run: Python is
//! not needed. Does not touch a database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::config::FILE_NAME;

/// The project file `init` writes: every setting commented out with what it does and
/// its default, so a team uncomments what it needs. It reads as it is (no setting set).
pub const PROJECT_FILE: &str = r#"# schemaplan's settings for this repository. Every key is optional: each is shown
# commented out with its default. A flag on the command line wins over this file;
# paths are relative to this file's directory. `schemaplan config` prints the settings
# in effect and where each came from.

# The desired schema: a directory of .sql and .yaml files, or one file (--desired).
# schema = "schema"
# Where `schemaplan plan` writes revisions and `apply` reads them (--plans).
# plans = "plans"
# The environment variable holding the target database's URL (also read from .env).
# Passwords never go in this file: .env (not committed) or ~/.pgpass.
# url_env = "DATABASE_URL"
# A server for scratch databases in exact mode (--dev-url; default: SCHEMAPLAN_DEV_URL,
# else the target's server, else a throwaway local cluster). No password here.
# dev_url = "postgresql://postgres@localhost:5432/postgres"
# How schema files and plans are read: "auto", "offline" or "exact" (--mode).
# mode = "auto"
# Only these schemas (--schema; default: every schema).
# schemas = ["public"]
# Never these schemas (--exclude-schema; default: none).
# exclude_schemas = []
# How grants are planned: "authoritative", "additive" or "ignore" (--privileges).
# privileges = "authoritative"
# Manage every object's owner, not only the owners the schema declares (--manage-owners).
# manage_owners = false
# Plan drops as recoverable: dropped tables and columns are held in schemaplan_trash
# with their rows, and the down section restores them (plan --recoverable).
# recoverable = false
# How long held data may stay in schemaplan_trash before `check` warns (default: never).
# trash_retention = "30d"
# Online DDL in plans: indexes built CONCURRENTLY, constraints added NOT VALID then
# validated; false for a maintenance window (plan --no-online / --online).
# online = true
# How long apply and rollback wait for another run's lock (--lock-wait).
# lock_wait = "60s"
# PostgreSQL's lock_timeout for every statement apply and rollback run (--lock-timeout).
# lock_timeout = "5s"
# PostgreSQL's statement_timeout for the same (--statement-timeout; default: none).
# statement_timeout = "15m"
# How many times apply retries a revision that hit the lock timeout (--lock-retries).
# lock_retries = 3
# Hazards apply accepts (--allow-hazard; default: none): data-loss, table-rewrite,
# authz, replication.
# allow_hazards = ["table-rewrite"]
# Log lines on stderr: "text" or "json" (--log-format).
# log_format = "text"
# The PostgreSQL major version the schema must load on (13 to 18; default the newest):
# schema files using later syntax (NULLS NOT DISTINCT before 15, VIRTUAL generated
# columns before 18, ...) are refused with their line, and models compile for it.
# target_version = 16

# More of the desired schema, beside `schema`: SQLAlchemy models, compiled for
# PostgreSQL by the project's own Python (`python`, else .venv, venv, $VIRTUAL_ENV,
# poetry's environment, python3), and more schema files. The target is
# "package.module:Base" (a declarative base or a MetaData) or "package.module".
# [[source]]
# sqlalchemy = "app.models:Base"
# python = ".venv/bin/python"
# [[source]]
# files = "db/views"

# A named environment, chosen with --env production: its settings win over the ones
# above.
# [env.production]
# url_env = "PROD_DATABASE_URL"
# mode = "exact"
# allow_hazards = ["data-loss"]
"#;

/// The `.env.example` `init` writes.
pub const ENV_EXAMPLE: &str =
    "# The target database. Copy this file to .env (or set DATABASE_URL in the
# environment). The password goes in .env or ~/.pgpass, never in this file or in
# schemaplan.toml, and .env must not be committed (add it to .gitignore).
DATABASE_URL=postgresql://app@localhost:5432/app
";

/// The SQLAlchemy models `target_metadata` in `env.py` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Models {
    /// As `module:object`, the form `[[source]] sqlalchemy = ...` takes
    /// (`app.models:Base`, or `app.db:metadata` for a `MetaData`).
    Found(String),
    /// Why they cannot be told from the text (a call, a list, `None`, a name `env.py`
    /// defines itself).
    Unknown(String),
}

impl Models {
    /// The `[[source]]` entry for `schemaplan.toml`: commented out, under a TODO,
    /// when the models are unknown.
    pub fn source_entry(&self, env_py: &Path) -> String {
        match self {
            Models::Found(target) => format!(
                "\n# The SQLAlchemy models {} names (target_metadata): part of the desired\n\
                 # schema, with the files in schema/.\n\
                 [[source]]\n\
                 sqlalchemy = \"{target}\"\n",
                env_py.display()
            ),
            Models::Unknown(why) => format!(
                "\n# TODO: name the SQLAlchemy models (module:declarative base) and uncomment:\n\
                 # schemaplan could not tell them from {}: {}.\n\
                 # [[source]]\n\
                 # sqlalchemy = \"app.models:Base\"\n",
                env_py.display(),
                why.replace('\n', " ")
            ),
        }
    }
}

/// What `alembic.ini` and `env.py` say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlembicProject {
    /// `alembic.ini`.
    pub ini: PathBuf,
    /// `script_location` (default `alembic`), `%(here)s` expanded.
    pub script_location: PathBuf,
    /// The revision files: the first of `version_locations`, else
    /// `<script_location>/versions`.
    pub versions: PathBuf,
    /// `<script_location>/env.py`.
    pub env_py: PathBuf,
    /// The models its `target_metadata` names.
    pub models: Models,
}

/// Reads `dir/alembic.ini` and the `env.py` it leads to. Paths in the result are as
/// `dir` is given (relative when it is). A missing `env.py` is not an error: the models
/// are then [`Models::Unknown`].
pub fn read_alembic(dir: &Path) -> Result<AlembicProject> {
    let ini = dir.join("alembic.ini");
    let text = std::fs::read_to_string(&ini).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Refused {
            message: format!(
                "--from-alembic: no alembic.ini in {}: run init where Alembic runs",
                ini_dir(dir)
            ),
        },
        _ => Error::io(&ini, e),
    })?;
    let here = ini_dir(dir);
    let section = ini_section(&text, "alembic");
    let expand = |v: &str| v.replace("%(here)s", &here).replace("%%", "%");
    // Relative to the directory of alembic.ini, without `./` (`%(here)s` of `.`).
    let located = |v: &str| -> PathBuf {
        dir.join(expand(v))
            .components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect()
    };
    let script_location = located(
        section
            .get("script_location")
            .map_or("alembic", String::as_str),
    );
    let versions = section
        .get("version_locations")
        .and_then(|v| {
            v.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .find(|s| !s.is_empty())
                .map(located)
        })
        .unwrap_or_else(|| script_location.join("versions"));
    let env_py = script_location.join("env.py");
    let models = match std::fs::read_to_string(&env_py) {
        Ok(text) => metadata_target(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Models::Unknown("there is no env.py there".to_string())
        }
        Err(e) => return Err(Error::io(&env_py, e)),
    };
    Ok(AlembicProject {
        ini,
        script_location,
        versions,
        env_py,
        models,
    })
}

/// `%(here)s`: the directory of `alembic.ini`, as `dir` is given (`.` for none).
fn ini_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".to_string()
    } else {
        dir.display().to_string()
    }
}

/// The keys of one `[section]` of an INI file (lower-cased, as configparser reads them);
/// an indented line continues the value before it.
fn ini_section(text: &str, name: &str) -> BTreeMap<String, String> {
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut inside = false;
    let mut last: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            inside = header.trim() == name;
            last = None;
            continue;
        }
        if !inside {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            if let Some(value) = last.as_ref().and_then(|k| keys.get_mut(k)) {
                value.push(' ');
                value.push_str(trimmed);
            }
            continue;
        }
        if let Some((k, v)) = trimmed.split_once(['=', ':']) {
            let key = k.trim().to_lowercase();
            keys.insert(key.clone(), v.trim().to_string());
            last = Some(key);
        }
    }
    keys
}

/// Where a name in `env.py` comes from: `from M import N` (module and name) or
/// `import M` (a module).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Binding {
    module: String,
    name: Option<String>,
}

impl Binding {
    /// The dotted path it stands for (`app.models.Base`, `app.models`).
    fn path(&self) -> String {
        match &self.name {
            Some(n) => format!("{}.{n}", self.module),
            None => self.module.clone(),
        }
    }
}

/// The models `target_metadata = ...` names in an `env.py`, from its imports:
/// `from app.models import Base` + `Base.metadata` is `app.models:Base`;
/// `from app.db import base` + `base.Base.metadata` is `app.db.base:Base`;
/// `import app.models` + `app.models.Base.metadata` is `app.models:Base`;
/// `from app.db import metadata` + `metadata` is `app.db:metadata` (a `MetaData`).
pub fn metadata_target(env_py: &str) -> Models {
    let lines = logical_lines(env_py);
    let mut bindings: BTreeMap<String, Binding> = BTreeMap::new();
    let mut star: Vec<String> = Vec::new();
    let mut assigned: Vec<String> = Vec::new();
    for line in &lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = module.trim();
            let names = names.trim().trim_start_matches('(').trim_end_matches(')');
            for item in names.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if item == "*" {
                    star.push(module.to_string());
                    continue;
                }
                let (name, alias) = match item.split_once(" as ") {
                    Some((n, a)) => (n.trim(), a.trim()),
                    None => (item, item),
                };
                bindings.insert(
                    alias.to_string(),
                    Binding {
                        module: module.to_string(),
                        name: Some(name.to_string()),
                    },
                );
            }
        } else if let Some(rest) = line.strip_prefix("import ") {
            for item in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (alias, module) = match item.split_once(" as ") {
                    Some((module, alias)) => (alias.trim(), module.trim()),
                    // `import a.b` binds `a`: `a.b.X` is then spelt out in full.
                    None => {
                        let first = item.split('.').next().unwrap_or(item);
                        (first, first)
                    }
                };
                bindings.insert(
                    alias.to_string(),
                    Binding {
                        module: module.to_string(),
                        name: None,
                    },
                );
            }
        } else if let Some(value) = target_assignment(line) {
            assigned.push(value.to_string());
        }
    }
    let Some(value) = assigned.iter().rev().find(|v| v.as_str() != "None") else {
        return Models::Unknown(if assigned.is_empty() {
            "it sets no target_metadata".to_string()
        } else {
            "target_metadata = None (autogenerate is not set up)".to_string()
        });
    };
    let dotted = super::config::is_dotted_name;
    if !dotted(value) {
        return Models::Unknown(format!("target_metadata = {value}"));
    }
    let mut parts: Vec<&str> = value.split('.').collect();
    // `X.metadata` where X is a class (capitalized: a declarative base) names the base;
    // `module.metadata` and a bare name name a MetaData object.
    if parts.len() > 1
        && parts.last() == Some(&"metadata")
        && parts[parts.len() - 2].starts_with(|c: char| c.is_uppercase())
    {
        parts.pop();
    }
    let first = parts[0];
    let origin = match bindings.get(first) {
        Some(b) => b.path(),
        None => match star.as_slice() {
            [module] => format!("{module}.{first}"),
            _ => {
                return Models::Unknown(format!(
                "target_metadata = {value}, and {first} is not imported there (defined in env.py?)"
            ))
            }
        },
    };
    let full = std::iter::once(origin.as_str())
        .chain(parts[1..].iter().copied())
        .collect::<Vec<_>>()
        .join(".");
    if full.starts_with('.') {
        return Models::Unknown(format!(
            "target_metadata = {value} comes from a relative import"
        ));
    }
    match full.rsplit_once('.') {
        Some((module, object)) => Models::Found(format!("{module}:{object}")),
        None => Models::Unknown(format!(
            "target_metadata = {value}: {full} is a module, not an object in one"
        )),
    }
}

/// The value of `target_metadata = VALUE` (or `target_metadata: MetaData = VALUE`).
fn target_assignment(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("target_metadata")?.trim_start();
    let rest = match rest.strip_prefix(':') {
        Some(annotated) => annotated.split_once('=')?.1,
        None => rest.strip_prefix('=')?,
    };
    (!rest.starts_with('=')).then(|| rest.trim())
}

/// Python source as logical lines: comments dropped, and lines joined inside brackets
/// and after a backslash (`from app.models import (\n    Base,\n)`).
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    for line in text.lines() {
        let code = match line.find('#') {
            Some(i) => &line[..i],
            None => line,
        };
        let (code, continued) = match code.trim_end().strip_suffix('\\') {
            Some(c) => (c, true),
            None => (code.trim_end(), false),
        };
        for c in code.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
        if current.is_empty() {
            current.push_str(code);
        } else {
            current.push(' ');
            current.push_str(code.trim());
        }
        if depth <= 0 && !continued {
            out.push(std::mem::take(&mut current));
            depth = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// What `init` did, path by path (relative to the project directory).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scaffold {
    /// Created.
    pub created: Vec<PathBuf>,
    /// There already, left as they were.
    pub kept: Vec<PathBuf>,
}

/// Creates a project in `dir`: `schema/` and `plans/` (kept when they exist),
/// `schemaplan.toml` ([`PROJECT_FILE`], with `source` appended) and `.env.example`
/// (kept when it exists). Refuses, before writing anything, when `dir` has a
/// `schemaplan.toml`.
pub fn create(dir: &Path, source: Option<&str>) -> Result<Scaffold> {
    let file = dir.join(FILE_NAME);
    if file.exists() {
        return Err(refuse_existing(&file));
    }
    let mut done = Scaffold::default();
    for d in ["schema", "plans"] {
        let path = dir.join(d);
        if path.is_dir() {
            done.kept.push(PathBuf::from(format!("{d}/")));
        } else {
            std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            done.created.push(PathBuf::from(format!("{d}/")));
        }
    }
    let mut text = PROJECT_FILE.to_string();
    if let Some(s) = source {
        text.push_str(s);
    }
    if !write_new(&file, &text)? {
        return Err(refuse_existing(&file));
    }
    done.created.push(PathBuf::from(FILE_NAME));
    let example = dir.join(".env.example");
    if write_new(&example, ENV_EXAMPLE)? {
        done.created.push(PathBuf::from(".env.example"));
    } else {
        done.kept.push(PathBuf::from(".env.example"));
    }
    Ok(done)
}

fn refuse_existing(file: &Path) -> Error {
    Error::Refused {
        message: format!(
            "{} exists: init does not overwrite it (`schemaplan config` shows what it sets)",
            file.display()
        ),
    }
}

/// Writes `text` to `path` unless it exists (`false` then).
fn write_new(path: &Path, text: &str) -> Result<bool> {
    use std::io::Write;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(text.as_bytes())
                .map_err(|e| Error::io(path, e))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::config::{self, FileSettings};

    /// The project file reads as written (nothing set), and with every example line
    /// uncommented it still reads, setting every setting there is: a setting added to
    /// [`FileSettings`] does not compile here until the template shows it.
    #[test]
    fn the_project_file_reads_as_written_and_uncommented() {
        let path = Path::new("schemaplan.toml");
        let as_written = config::read(path, PROJECT_FILE, None).unwrap();
        assert_eq!(as_written.settings, FileSettings::default());
        let uncommented: String = PROJECT_FILE
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.contains(" = ")
                        || rest.starts_with("[env.")
                        || rest.starts_with("[[source]]") =>
                {
                    rest
                }
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let read = config::read(path, &uncommented, None).unwrap();
        let FileSettings {
            schema,
            plans,
            url_env,
            dev_url,
            mode,
            schemas,
            exclude_schemas,
            privileges,
            manage_owners,
            recoverable,
            trash_retention,
            online,
            lock_wait,
            lock_timeout,
            statement_timeout,
            lock_retries,
            allow_hazards,
            log_format,
            target_version,
        } = read.settings;
        assert!(schema.is_some() && plans.is_some() && url_env.is_some());
        assert!(dev_url.is_some() && mode.is_some() && schemas.is_some());
        assert!(exclude_schemas.is_some() && privileges.is_some());
        assert!(manage_owners.is_some() && recoverable.is_some());
        assert!(trash_retention.is_some() && online.is_some() && lock_wait.is_some());
        assert!(lock_timeout.is_some() && statement_timeout.is_some());
        assert!(lock_retries.is_some() && allow_hazards.is_some() && log_format.is_some());
        assert_eq!(target_version, Some(16));
        assert!(config::read(path, &uncommented, Some("production")).is_ok());
        assert_eq!(read.sources.len(), 2);
    }

    #[test]
    fn the_common_forms_of_target_metadata_name_the_models() {
        let found = |s: &str| Models::Found(s.to_string());
        let cases = [
            (
                "from app.models import Base\ntarget_metadata = Base.metadata\n",
                found("app.models:Base"),
            ),
            (
                "from app.db import base\ntarget_metadata = base.Base.metadata\n",
                found("app.db.base:Base"),
            ),
            (
                "import app.models\ntarget_metadata = app.models.Base.metadata\n",
                found("app.models:Base"),
            ),
            (
                "import app.models as models\ntarget_metadata = models.Base.metadata\n",
                found("app.models:Base"),
            ),
            (
                "from app import models\ntarget_metadata = models.Base.metadata\n",
                found("app.models:Base"),
            ),
            (
                "from app.db import metadata\ntarget_metadata = metadata\n",
                found("app.db:metadata"),
            ),
            (
                "from app import db\ntarget_metadata = db.metadata\n",
                found("app.db:metadata"),
            ),
            (
                "from app.models import (\n    User,  # the users\n    Model as Base,\n)\n\
                 # target_metadata = None\ntarget_metadata: MetaData = Base.metadata\n",
                found("app.models:Model"),
            ),
            (
                "from app.models import *\ntarget_metadata = Base.metadata\n",
                found("app.models:Base"),
            ),
            (
                // Alembic's template, with the metadata set further down.
                "# from myapp import mymodel\ntarget_metadata = None\n\
                 from app.models import Base\ntarget_metadata = Base.metadata\n",
                found("app.models:Base"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(metadata_target(text), want, "{text}");
        }
    }

    #[test]
    fn what_cannot_be_told_says_why() {
        let why = |text: &str| match metadata_target(text) {
            Models::Unknown(why) => why,
            found => panic!("{found:?} from {text}"),
        };
        assert!(why("target_metadata = None\n").contains("None"));
        assert!(why("import os\n").contains("no target_metadata"));
        assert!(
            why("from a import A, B\ntarget_metadata = [A.metadata, B.metadata]\n")
                .contains("[A.metadata, B.metadata]")
        );
        assert!(why("target_metadata = get_metadata()\n").contains("get_metadata()"));
        assert!(
            why("Base = declarative_base()\ntarget_metadata = Base.metadata\n")
                .contains("Base is not imported")
        );
        assert!(
            why("from .models import Base\ntarget_metadata = Base.metadata\n").contains("relative")
        );
    }

    #[test]
    fn alembic_ini_names_the_scripts_and_versions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(
            p.join("alembic.ini"),
            "[alembic]\n# where the scripts are\nscript_location = %(here)s/migrations\n\
             sqlalchemy.url = driver://user:pass@localhost/dbname\n\n[loggers]\nkeys = root\n",
        )
        .unwrap();
        std::fs::create_dir_all(p.join("migrations")).unwrap();
        std::fs::write(
            p.join("migrations/env.py"),
            "from app.models import Base\ntarget_metadata = Base.metadata\n",
        )
        .unwrap();
        let a = read_alembic(p).unwrap();
        assert_eq!(a.script_location, p.join("migrations"));
        assert_eq!(a.versions, p.join("migrations/versions"));
        assert_eq!(a.models, Models::Found("app.models:Base".to_string()));

        std::fs::write(
            p.join("alembic.ini"),
            "[alembic]\nversion_locations = %(here)s/db/versions %(here)s/other\n",
        )
        .unwrap();
        let a = read_alembic(p).unwrap();
        assert_eq!(a.script_location, p.join("alembic"));
        assert_eq!(a.versions, p.join("db/versions"));
        assert!(matches!(a.models, Models::Unknown(_)));

        let e = read_alembic(&p.join("nowhere")).unwrap_err().to_string();
        assert!(e.contains("no alembic.ini"), "{e}");
    }

    #[test]
    fn create_keeps_directories_and_refuses_a_second_project_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("schema")).unwrap();
        let done = create(p, None).unwrap();
        assert_eq!(done.kept, vec![PathBuf::from("schema/")]);
        assert_eq!(
            done.created,
            ["plans/", "schemaplan.toml", ".env.example"]
                .map(PathBuf::from)
                .to_vec()
        );
        assert_eq!(
            std::fs::read_to_string(p.join(FILE_NAME)).unwrap(),
            PROJECT_FILE
        );
        let e = create(p, None).unwrap_err().to_string();
        assert!(e.contains("does not overwrite"), "{e}");
    }

    #[test]
    fn the_source_entry_reads_and_a_todo_stays_commented() {
        let env_py = Path::new("alembic/env.py");
        let found = Models::Found("app.models:Base".to_string()).source_entry(env_py);
        assert!(
            found.ends_with("[[source]]\nsqlalchemy = \"app.models:Base\"\n"),
            "{found}"
        );
        let todo =
            Models::Unknown("target_metadata = get_metadata()".to_string()).source_entry(env_py);
        assert!(todo.contains("# TODO"), "{todo}");
        assert!(
            todo.lines().all(|l| l.is_empty() || l.starts_with('#')),
            "{todo}"
        );
        let text = format!("{PROJECT_FILE}{todo}");
        assert!(config::read(Path::new("schemaplan.toml"), &text, None).is_ok());
    }
}
