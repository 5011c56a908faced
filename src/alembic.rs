//! Adopting a database that Alembic manages: its revision files read as text (no Python
//! needed) and its `alembic_version` table.
//!
//! An Alembic revision file (`alembic/versions/<id>_<slug>.py`) carries
//!
//! ```text
//! """add users
//!
//! Revision ID: 1a2b3c
//! Revises: 0f0e0d
//! """
//! revision = '1a2b3c'                       (or `revision: str = "1a2b3c"`)
//! down_revision = '0f0e0d'                  (None for the first, a tuple for a merge)
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Location, Result};

/// One Alembic revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlembicRevision {
    /// `revision`.
    pub id: String,
    /// `down_revision`: none for the first, two or more for a merge.
    pub down: Vec<String>,
    /// The first line of the module docstring (what `alembic revision -m` was given).
    pub message: String,
    /// The file.
    pub path: PathBuf,
}

/// An Alembic history: its revisions, heads first.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AlembicHistory {
    /// Every revision by id.
    pub revisions: BTreeMap<String, AlembicRevision>,
}

impl AlembicHistory {
    /// Revisions no other revision revises.
    pub fn heads(&self) -> Vec<&AlembicRevision> {
        let revised: BTreeSet<&str> = self
            .revisions
            .values()
            .flat_map(|r| r.down.iter().map(String::as_str))
            .collect();
        self.revisions
            .values()
            .filter(|r| !revised.contains(r.id.as_str()))
            .collect()
    }

    /// Every revision, newest first (children before parents, ties by id).
    pub fn newest_first(&self) -> Vec<&AlembicRevision> {
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        let mut out = Vec::new();
        // Repeatedly take revisions all of whose children are placed.
        let children = |id: &str| -> Vec<&str> {
            self.revisions
                .values()
                .filter(|r| r.down.iter().any(|d| d == id))
                .map(|r| r.id.as_str())
                .collect()
        };
        while out.len() < self.revisions.len() {
            let next: Vec<&AlembicRevision> = self
                .revisions
                .values()
                .filter(|r| !placed.contains(r.id.as_str()))
                .filter(|r| children(&r.id).iter().all(|c| placed.contains(c)))
                .collect();
            if next.is_empty() {
                break;
            }
            for r in next {
                placed.insert(&r.id);
                out.push(r);
            }
        }
        out
    }
}

/// Reads every `*.py` revision file in `dir`.
pub fn read_versions(dir: &Path) -> Result<AlembicHistory> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    let mut history = AlembicHistory::default();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let Some(r) = parse_revision(&path, &text)? else {
            continue;
        };
        if let Some(other) = history.revisions.get(&r.id) {
            return Err(Error::BadRevision {
                location: Location {
                    path,
                    line: 1,
                    column: 1,
                },
                what: format!(
                    "Alembic revision {} is also in {}",
                    r.id,
                    other.path.display()
                ),
            });
        }
        history.revisions.insert(r.id.clone(), r);
    }
    for r in history.revisions.values() {
        for d in &r.down {
            if !history.revisions.contains_key(d) {
                return Err(Error::BadRevision {
                    location: Location {
                        path: r.path.clone(),
                        line: 1,
                        column: 1,
                    },
                    what: format!(
                        "Alembic revision {} revises {d}, which is not in {}",
                        r.id,
                        dir.display()
                    ),
                });
            }
        }
    }
    Ok(history)
}

/// Reads one revision file; `None` for a Python file that is not a revision
/// (`__init__.py`, helpers).
pub fn parse_revision(path: &Path, text: &str) -> Result<Option<AlembicRevision>> {
    let mut id = None;
    let mut down: Option<Vec<String>> = None;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let Some((name, value)) = assignment(line) else {
            continue;
        };
        match name {
            "revision" => id = strings(value).into_iter().next(),
            "down_revision" => {
                // A tuple may continue over several lines.
                let mut value = value.to_string();
                while value.trim_start().starts_with('(') && !value.contains(')') {
                    match lines.next() {
                        Some((_, more)) => value.push_str(more),
                        None => break,
                    }
                }
                let v = value.trim();
                down = Some(if v.starts_with("None") {
                    Vec::new()
                } else {
                    let list = strings(v);
                    if list.is_empty() {
                        return Err(Error::BadRevision {
                            location: Location {
                                path: path.to_path_buf(),
                                line: n + 1,
                                column: 1,
                            },
                            what: format!("cannot read down_revision = {v}"),
                        });
                    }
                    list
                });
            }
            _ => {}
        }
    }
    let (Some(id), Some(down)) = (id, down) else {
        return Ok(None);
    };
    Ok(Some(AlembicRevision {
        id,
        down,
        message: docstring_title(text),
        path: path.to_path_buf(),
    }))
}

/// `name = value` or `name: type = value` at the start of a line.
fn assignment(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(' ') || line.starts_with('\t') {
        return None;
    }
    let (lhs, rhs) = line.split_once('=')?;
    if rhs.starts_with('=') {
        return None;
    }
    let name = lhs.split(':').next()?.trim();
    Some((name, rhs.trim()))
}

/// The quoted strings in a Python literal: `'a'`, `("a", "b")`.
fn strings(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '#' {
            break;
        }
        if c == '\'' || c == '"' {
            let s: String = chars.by_ref().take_while(|x| *x != c).collect();
            out.push(s);
        }
    }
    out
}

/// The first non-empty line of the module docstring.
fn docstring_title(text: &str) -> String {
    let t = text.trim_start();
    for quote in ["\"\"\"", "'''"] {
        if let Some(rest) = t.strip_prefix(quote) {
            let body = rest.split(quote).next().unwrap_or("");
            return body
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("")
                .to_string();
        }
    }
    String::new()
}

/// The revisions recorded in a database's `alembic_version` table (several when several
/// branches were applied); empty when there is no such table.
pub async fn database_versions(client: &tokio_postgres::Client) -> Result<Vec<String>> {
    let exists: bool = client
        .query_one("SELECT to_regclass('alembic_version') IS NOT NULL", &[])
        .await
        .map_err(|e| crate::apply::history::db("looking for alembic_version", &e))?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT version_num::text FROM alembic_version ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| crate::apply::history::db("reading alembic_version", &e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#""""add users table

Revision ID: 1a2b3c4d
Revises: 0f0e0d0c
Create Date: 2026-11-20 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1a2b3c4d'
down_revision: Union[str, None] = '0f0e0d0c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    revision = 'not this one'
"#;

    #[test]
    fn revision_files_are_read_as_text() {
        let r = parse_revision(Path::new("v.py"), FILE).unwrap().unwrap();
        assert_eq!(r.id, "1a2b3c4d");
        assert_eq!(r.down, ["0f0e0d0c"]);
        assert_eq!(r.message, "add users table");
        let merge = "\"\"\"merge\"\"\"\nrevision = 'm1'\ndown_revision = ('a1',\n    'b1')\n";
        let m = parse_revision(Path::new("m.py"), merge).unwrap().unwrap();
        assert_eq!(m.down, ["a1", "b1"]);
        let first = "revision = \"r0\"\ndown_revision = None\n";
        assert!(parse_revision(Path::new("f.py"), first)
            .unwrap()
            .unwrap()
            .down
            .is_empty());
        assert!(parse_revision(Path::new("__init__.py"), "")
            .unwrap()
            .is_none());
    }
}
