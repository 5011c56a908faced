//! A plans directory: every revision file in it, checked and assembled into a DAG.
//!
//! Input: `plans/`. Output: a [`History`]. Every `.sql` file there must be a revision; a
//! duplicate id, a parent that does not exist or a malformed header is an error naming
//! the file and line.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::file::{self, Revision, RevisionId};
use super::graph::History;
use crate::error::{Error, Location, Result};

/// Reads and checks every revision in `dir`. A directory that does not exist holds no
/// revisions.
pub fn load(dir: &Path) -> Result<History> {
    let mut files: Vec<PathBuf> = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(dir, e))?;
                let path = entry.path();
                if path.is_file() && path.extension().is_some_and(|e| e == "sql") {
                    files.push(path);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
        Err(e) => return Err(Error::io(dir, e)),
    }
    files.sort();
    let mut texts = Vec::with_capacity(files.len());
    for path in files {
        let text = crate::parse::read_text(&path)?;
        texts.push((path, text));
    }
    assemble(dir, texts)
}

/// Checks and assembles revisions given as (file name, text): what [`load`] reads from
/// a directory, or what an application embedded at compile time
/// ([`crate::embed_plans!`]). `dir` names their home in messages.
pub fn assemble(dir: &Path, texts: Vec<(PathBuf, String)>) -> Result<History> {
    let mut revisions: Vec<Revision> = Vec::with_capacity(texts.len());
    for (path, text) in texts {
        let revision = file::parse(&path, &text)?;
        if let Some(other) = revisions.iter().find(|r| r.id == revision.id) {
            return Err(Error::BadRevision {
                location: Location {
                    path: path.clone(),
                    line: 2,
                    column: 1,
                },
                what: format!(
                    "revision {} is also in {}: every revision needs its own id",
                    revision.id,
                    other.path.display()
                ),
            });
        }
        revisions.push(revision);
    }
    for r in &revisions {
        for p in &r.parents {
            if !revisions.iter().any(|o| &o.id == p) {
                return Err(Error::BadRevision {
                    location: Location {
                        path: r.path.clone(),
                        line: r.parents_line,
                        column: 1,
                    },
                    what: format!("parent revision {p} is not in {}", dir.display()),
                });
            }
        }
    }
    let history = History::new(revisions);
    let cycle = history.cycle();
    if let Some(first) = cycle.first().and_then(|id| history.get(id)) {
        let ids: Vec<String> = cycle.iter().map(|id| id.to_string()).collect();
        return Err(Error::BadRevision {
            location: Location {
                path: first.path.clone(),
                line: first.parents_line,
                column: 1,
            },
            what: format!("the parents of {} form a cycle", ids.join(", ")),
        });
    }
    Ok(history)
}

/// The time a new revision is made: now, or `SOURCE_DATE_EPOCH` when set (reproducible
/// builds' convention), so a plan can be made byte for byte again.
pub fn now() -> u64 {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return epoch;
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A new revision id for a revision made at `epoch`: its time and six hex digits that
/// are random, or derived from `seed` when `SOURCE_DATE_EPOCH` makes the run
/// reproducible.
pub fn new_id(epoch: u64, seed: &str) -> RevisionId {
    let (y, mo, d, h, mi, s) = civil(epoch);
    let suffix = if std::env::var_os("SOURCE_DATE_EPOCH").is_some() {
        file::checksum(seed)["sha256:".len()..]
            .chars()
            .take(6)
            .collect::<String>()
    } else {
        format!("{:06x}", rand::random::<u32>() & 0xff_ffff)
    };
    RevisionId(format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}-{suffix}"))
}

/// RFC 3339 UTC for a time in seconds since the epoch.
pub fn rfc3339(epoch: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(epoch);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// (year, month, day, hour, minute, second) in UTC. Days to civil date after Howard
/// Hinnant's `civil_from_days`.
fn civil(epoch: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        ((secs % 3600) / 60) as u32,
        (secs % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_489_500), "2026-11-24T03:05:00Z");
    }

    #[test]
    fn ids_have_their_shape() {
        let id = new_id(1_795_489_500, "x");
        assert!(RevisionId::is_valid(&id.0), "{id}");
        assert!(id.0.starts_with("20261124030500-"));
    }
}
