//! SQLAlchemy models as a desired schema: the project's own Python imports the models
//! and compiles their metadata for the PostgreSQL dialect (`sqlalchemy.py`, shipped in
//! the binary; no database involved), and the SQL it prints is read like a schema file
//! whose statements are located at the model class they come from.
//!
//! Input: a target (`app.models:Base`), the project directory, and the interpreter.
//! Output: [`Models`], the compiled SQL with its origins; [`Models::statements`] and
//! [`Models::hints`] read it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Location, Result};

use super::{RenameHint, Statement};

/// The script the interpreter runs.
const SCRIPT: &str = include_str!("sqlalchemy.py");

/// The comment the script writes before each statement: `-- schemaplan-source:
/// app/models.py:12`.
const SOURCE_MARKER: &str = "-- schemaplan-source:";

/// Where models are and how to import them (`[[source]] sqlalchemy = ...` in
/// schemaplan.toml).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelsSpec {
    /// `package.module:Name` (a declarative base, a registry or a MetaData) or
    /// `package.module` (every MetaData the module holds).
    pub target: String,
    /// The interpreter; `None` finds the project's (see [`python`]).
    pub python: Option<PathBuf>,
    /// The directory put first on `sys.path` and run in: the project's root.
    pub root: PathBuf,
    /// The PostgreSQL major version to compile for (`target_version`); `None`: as for
    /// 17, where a generated column without `persisted` is STORED, which every version
    /// accepts (18 would make it VIRTUAL).
    pub target_version: Option<u32>,
}

/// A models target compiled to SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Models {
    /// The target, as written.
    pub target: String,
    /// The statements SQLAlchemy emits, each after a `-- schemaplan-source:` line.
    pub sql: String,
    /// The project root the script's file names are relative to.
    pub root: PathBuf,
}

impl Models {
    /// The statements, each located at the model that declares it.
    pub fn statements(&self) -> Result<Vec<Statement>> {
        let origins = self.origins();
        let mut statements =
            super::parse_sql(&self.label(), &self.sql).map_err(|e| relocate_error(e, &origins))?;
        for s in &mut statements {
            s.location = origin(&origins, s.location.line, &s.location);
        }
        Ok(statements)
    }

    /// The rename and conversion hints of the models' `info={"schemaplan": ...}`.
    pub fn hints(&self) -> Result<Vec<RenameHint>> {
        let origins = self.origins();
        let mut hints = super::parse_hints(&self.label(), &self.sql)?;
        for h in &mut hints {
            h.location = origin(&origins, h.location.line, &h.location);
        }
        Ok(hints)
    }

    /// The name locations fall back to: the target.
    fn label(&self) -> PathBuf {
        PathBuf::from(&self.target)
    }

    /// For each line of the SQL (0-based), the origin in effect there.
    fn origins(&self) -> Vec<Option<Location>> {
        let mut current = None;
        self.sql
            .lines()
            .map(|line| {
                if let Some(place) = line.strip_prefix(SOURCE_MARKER) {
                    current = parse_place(place.trim(), &self.root);
                }
                current.clone()
            })
            .collect()
    }
}

/// `app/models.py:12` as a location (relative to `root` unless absolute); `None` for a
/// place with no line (the target itself).
fn parse_place(place: &str, root: &Path) -> Option<Location> {
    let (file, line) = place.rsplit_once(':')?;
    let line: usize = line.parse().ok()?;
    let file = Path::new(file);
    Some(Location {
        path: if file.is_absolute() {
            file.to_path_buf()
        } else {
            root.join(file)
        },
        line,
        column: 1,
    })
}

/// The origin of 1-based `line` of the compiled SQL, else `fallback`.
fn origin(origins: &[Option<Location>], line: usize, fallback: &Location) -> Location {
    line.checked_sub(1)
        .and_then(|i| origins.get(i).cloned().flatten())
        .unwrap_or_else(|| fallback.clone())
}

fn relocate_error(error: Error, origins: &[Option<Location>]) -> Error {
    match error {
        Error::Syntax {
            location,
            message,
            statement,
        } => Error::Syntax {
            location: origin(origins, location.line, &location),
            message,
            statement,
        },
        other => other,
    }
}

/// Compiles the models `spec` names, with the project's interpreter.
pub fn compile(spec: &ModelsSpec) -> Result<Models> {
    let python = python(spec.python.as_deref(), &spec.root);
    let failed = |message: String| Error::Models {
        target: spec.target.clone(),
        message,
    };
    tracing::info!(
        "compiling SQLAlchemy models {} with {}",
        spec.target,
        python.display()
    );
    let output = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(&spec.target)
        .arg(&spec.root)
        .arg(spec.target_version.unwrap_or(17).to_string())
        .current_dir(&spec.root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .map_err(|e| {
            failed(format!(
                "cannot run {} ({e}): install Python 3 with SQLAlchemy, or name the \
                 interpreter with `python = \"...\"` in the [[source]] of schemaplan.toml",
                python.display()
            ))
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {
            for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
                tracing::warn!("{}: {line}", spec.target);
            }
            let sql = String::from_utf8(output.stdout).map_err(|_| {
                failed(format!(
                    "{} printed text that is not UTF-8",
                    python.display()
                ))
            })?;
            Ok(Models {
                target: spec.target.clone(),
                sql,
                root: spec.root.clone(),
            })
        }
        Some(4) => Err(failed(format!(
            "{}: install it in the project's environment (`pip install sqlalchemy`, \
             `poetry add sqlalchemy` or `uv add sqlalchemy`), or name another interpreter \
             with `python = \"...\"` in the [[source]] of schemaplan.toml",
            stderr.trim()
        ))),
        Some(3) => Err(failed(relative_to(stderr.trim(), &spec.root))),
        _ => Err(failed(format!(
            "{} failed ({}): {}",
            python.display(),
            output.status,
            last_lines(&stderr, 12)
        ))),
    }
}

/// A message from the script whose file names are relative to the project root, with
/// the root put back so that the file opens from anywhere.
fn relative_to(message: &str, root: &Path) -> String {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        return message.to_string();
    }
    // The script writes `importing T: FILE:LINE: ...`; only a relative FILE gets the root.
    match message.split_once(": ") {
        Some((head, rest))
            if !rest.starts_with('/') && rest.split(':').nth(1).is_some_and(is_number) =>
        {
            format!("{head}: {}", root.join(rest).display())
        }
        _ => message.to_string(),
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The interpreter for the project at `root`: the one named (relative to `root`), else
/// the project's virtual environment (`.venv`, `venv`, an active `VIRTUAL_ENV`, then
/// poetry's), else `python3` from `PATH`.
pub fn python(named: Option<&Path>, root: &Path) -> PathBuf {
    if let Some(p) = named {
        return if p.is_absolute() || p.components().count() == 1 {
            p.to_path_buf()
        } else {
            root.join(p)
        };
    }
    let local = [".venv", "venv"]
        .iter()
        .map(|d| root.join(d).join("bin/python"))
        .chain(std::env::var_os("VIRTUAL_ENV").map(|v| PathBuf::from(v).join("bin/python")))
        .find(|p| p.is_file());
    local
        .or_else(|| poetry_env(root))
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// Poetry's environment for the project, when poetry is installed and the project is
/// one of its.
fn poetry_env(root: &Path) -> Option<PathBuf> {
    if !root.join("pyproject.toml").is_file() {
        return None;
    }
    let out = Command::new("poetry")
        .args(["env", "info", "-p"])
        .current_dir(root)
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?;
    let python = Path::new(dir.trim()).join("bin/python");
    (out.status.success() && python.is_file()).then_some(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQL: &str = "-- schemaplan-source: app/models.py:12\n\
        -- schemaplan: rename column public.users.login -> username\n\
        CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  username text\n);\n\n\
        -- schemaplan-source: app.models:Base\n\
        CREATE VIEW v AS SELECT 1 AS one;\n\n\
        -- schemaplan-source: app/tags.py:3\n\
        CREATE TABLE tags (id int);\n";

    fn models() -> Models {
        Models {
            target: "app.models:Base".into(),
            sql: SQL.into(),
            root: PathBuf::from("/proj"),
        }
    }

    #[test]
    fn statements_and_hints_are_located_at_their_model() {
        let m = models();
        let at: Vec<String> = m
            .statements()
            .unwrap()
            .iter()
            .map(|s| s.location.to_string())
            .collect();
        // The view has no model: it is located in the compiled text of the target.
        assert_eq!(
            at,
            [
                "/proj/app/models.py:12:1",
                "app.models:Base:9:1",
                "/proj/app/tags.py:3:1"
            ]
        );
        let hints = m.hints().unwrap();
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].text(), "column public.users.login -> username");
        assert_eq!(hints[0].location.to_string(), "/proj/app/models.py:12:1");
    }

    #[test]
    fn a_syntax_error_is_located_at_its_model() {
        let m = Models {
            sql: "-- schemaplan-source: app/models.py:7\nCREATE TABLE t (id int,);\n".into(),
            ..models()
        };
        let e = m.statements().unwrap_err().to_string();
        assert!(e.starts_with("/proj/app/models.py:7:"), "{e}");
    }

    #[test]
    fn the_interpreter_is_the_named_one_then_the_projects() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            python(Some(Path::new("py/bin/python")), root),
            root.join("py/bin/python")
        );
        assert_eq!(
            python(Some(Path::new("python3.12")), root),
            Path::new("python3.12")
        );
        std::fs::create_dir_all(root.join(".venv/bin")).unwrap();
        std::fs::write(root.join(".venv/bin/python"), "").unwrap();
        assert_eq!(python(None, root), root.join(".venv/bin/python"));
    }

    #[test]
    fn messages_name_files_from_anywhere() {
        assert_eq!(
            relative_to(
                "importing app.models: app/models.py:3: NameError: x",
                Path::new("/p")
            ),
            "importing app.models: /p/app/models.py:3: NameError: x"
        );
        assert_eq!(
            relative_to("app.models is not a MetaData", Path::new("/p")),
            "app.models is not a MetaData"
        );
    }
}
