//! One revision file: `plans/<id>_<slug>.sql`.
//!
//! ```sql
//! -- schemaplan revision
//! -- id: 20261124031500-3f9a2c
//! -- parents: 20261124021000-1b2c3d
//! -- message: add comments
//! -- created: 2026-11-24T03:15:00Z
//! -- checksum: sha256:...   (of everything from the `-- schemaplan:up` line on)
//! -- fingerprint: sha256:... (of the schema after the revision)
//! -- hazards: data-loss, index-build
//! -- transaction: none      (only when the revision cannot run in one transaction)
//!
//! -- schemaplan:up
//! ...statements...
//!
//! -- schemaplan:down
//! ...statements...
//! ```
//!
//! A reviewer reads the file as plain SQL. The header is parsed strictly: an unknown
//! key, a malformed line or a missing id is an error naming the file and line. Does no
//! I/O beyond what the caller hands in.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Location, Result};
use crate::parse::{split_script, ScriptStatement, TransactionUse};
use crate::render::Hazard;

/// The first line of every revision file.
pub const MAGIC: &str = "-- schemaplan revision";
/// The line that starts the up section.
pub const UP: &str = "-- schemaplan:up";
/// The line that starts the down section.
pub const DOWN: &str = "-- schemaplan:down";

/// A revision's id: creation time (UTC, to the second) and a random suffix, so ids sort
/// by creation and two branches never make the same one: `20261124031500-3f9a2c`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RevisionId(pub String);

impl fmt::Display for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RevisionId {
    /// Whether a string has the shape of an id (14 digits, a dash, hex).
    pub fn is_valid(s: &str) -> bool {
        let Some((time, suffix)) = s.split_once('-') else {
            return false;
        };
        time.len() == 14
            && time.bytes().all(|b| b.is_ascii_digit())
            && !suffix.is_empty()
            && suffix.len() <= 16
            && suffix
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    }
}

/// One revision, as read from its file.
#[derive(Clone, Debug)]
pub struct Revision {
    /// Its id.
    pub id: RevisionId,
    /// The revisions it follows (none for the first; two or more for a merge).
    pub parents: Vec<RevisionId>,
    /// The header line naming the parents (for errors about them).
    pub parents_line: usize,
    /// What it does, in the author's words.
    pub message: String,
    /// When it was made, RFC 3339 UTC.
    pub created: String,
    /// The checksum its header records (`sha256:...`).
    pub checksum: String,
    /// The schema's fingerprint after it, as recorded.
    pub fingerprint: Option<String>,
    /// The hazards its steps carry.
    pub hazards: Vec<Hazard>,
    /// The rename hints it carries out (`public.users.fullname -> full_name`).
    pub renames: Vec<String>,
    /// For a baseline adopted from Alembic: the Alembic history it stands for, newest
    /// first, one `id <- parents: message` per entry.
    pub alembic: Vec<String>,
    /// False when it must run statement by statement, outside a transaction.
    pub transactional: bool,
    /// The file it was read from.
    pub path: PathBuf,
    /// Everything from the up marker on, exactly as in the file.
    pub body: String,
    /// The line the body starts on.
    pub body_line: usize,
    /// For a tenant project: the template schema its statements are written for, and
    /// the tenant schema they act on. `None`: statements as written.
    pub tenancy: Option<Tenancy>,
}

/// Revisions of a tenant project (`template_schema` in `[fleet]`): written for one
/// template schema, run in each tenant's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenancy {
    /// The schema the revisions are written for. It is implied: the first revision
    /// starts by creating it when it is missing, so no revision creates or drops it.
    pub template: String,
    /// The tenant schema every statement is rewritten to act on (through the parse
    /// tree, [`crate::parse::tenant`]); `None`: the template itself (planning).
    pub tenant: Option<String>,
}

impl Revision {
    /// The checksum of the body as it is now (`sha256:...`), over its text with CRLF
    /// line endings read as LF: a checkout with git's `autocrlf` is not an edit.
    pub fn actual_checksum(&self) -> String {
        if self.body.contains("\r\n") {
            checksum(&self.body.replace("\r\n", "\n"))
        } else {
            checksum(&self.body)
        }
    }

    /// Whether the body was edited after the header's checksum was written.
    pub fn is_edited(&self) -> bool {
        self.actual_checksum() != self.checksum
    }

    /// The up section's statements.
    pub fn up(&self) -> Result<Vec<ScriptStatement>> {
        self.section(true)
    }

    /// The down section's statements.
    pub fn down(&self) -> Result<Vec<ScriptStatement>> {
        self.section(false)
    }

    /// The up section's steps that carry hazards, from the comments before each step:
    /// (line of the step comment, `kind object`, hazards).
    pub fn hazardous_steps(&self) -> Vec<(usize, String, Vec<Hazard>)> {
        let (up, _, _) = split_body(&self.body, self.body_line);
        let mut found = Vec::new();
        let mut step: Option<(usize, String)> = None;
        for (i, line) in up.lines().enumerate() {
            let n = self.body_line + i;
            let line = line.trim_end();
            if let Some(names) = line.strip_prefix("-- hazards: ") {
                let hazards: Vec<Hazard> = names
                    .split(',')
                    .filter_map(|h| h.trim().parse().ok())
                    .collect();
                if let Some((at, label)) = step.take() {
                    found.push((at, label, hazards));
                }
            } else if let Some(label) = line.strip_prefix("-- ") {
                step = Some((n, label.to_string()));
            } else {
                step = None;
            }
        }
        found
    }

    /// Whether `rollback` may run the down section without `--force`: not when the
    /// header says `not-reversible`, nor when an up step drops a table or a column with
    /// its rows (revisions planned before down steps were classified say only
    /// `data-loss`).
    pub fn reversible(&self) -> bool {
        !self.hazards.contains(&Hazard::NotReversible)
            && !self.hazardous_steps().iter().any(|(_, label, hazards)| {
                hazards.contains(&Hazard::DataLoss)
                    && (label.starts_with("drop-table ") || label.starts_with("drop-column "))
            })
    }

    fn section(&self, up: bool) -> Result<Vec<ScriptStatement>> {
        let (up_text, down_text, down_line) = split_body(&self.body, self.body_line);
        let mut statements = if up {
            split_script(&self.path, up_text, self.body_line)?
        } else {
            split_script(&self.path, down_text, down_line)?
        };
        let Some(tenancy) = &self.tenancy else {
            return Ok(statements);
        };
        if up && self.parents.is_empty() {
            statements.insert(
                0,
                ScriptStatement {
                    sql: format!(
                        "CREATE SCHEMA IF NOT EXISTS {}",
                        crate::model::Ident(&tenancy.template)
                    ),
                    location: Location {
                        path: self.path.clone(),
                        line: self.body_line,
                        column: 1,
                    },
                    transaction: TransactionUse::Any,
                },
            );
        }
        if let Some(tenant) = &tenancy.tenant {
            for s in &mut statements {
                s.sql = crate::parse::tenant::rewrite(&s.sql, &tenancy.template, tenant).map_err(
                    |why| Error::Rejected {
                        location: s.location.clone(),
                        message: format!("cannot be run in tenant schema {tenant}: {why}"),
                        statement: crate::error::one_line(&s.sql),
                    },
                )?;
            }
        }
        Ok(statements)
    }
}

/// `sha256:` and the hex digest of `text`.
pub fn checksum(text: &str) -> String {
    format!("sha256:{}", hex(&Sha256::digest(text.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The up text, the down text and the line the down text starts on.
fn split_body(body: &str, body_line: usize) -> (&str, &str, usize) {
    match find_line(body, DOWN) {
        Some(at) => {
            let line = body_line + body[..at].matches('\n').count();
            (&body[..at], &body[at..], line)
        }
        None => (body, "", body_line),
    }
}

/// The byte offset of the line that is exactly `marker`.
fn find_line(text: &str, marker: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == marker {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Whether `s` is a UTC time as revision headers write it, `2026-11-24T03:15:00Z`, and
/// a real one (month 1-12, a day the month has, 00:00:00 to 23:59:60).
pub fn is_valid_created(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return false;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let part = &s[from..to];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && h < 24 && mi < 60 && sec <= 60
}

/// Reads a revision file's text. A leading byte-order mark is skipped; CRLF line
/// endings read as LF. Every command reads revisions through here (`check`, `history`,
/// `heads`, `apply`, ...), so a header is accepted or refused the same way by all.
pub fn parse(path: &Path, text: &str) -> Result<Revision> {
    let text = crate::parse::strip_bom(text);
    let bad = |line: usize, what: String| Error::BadRevision {
        location: Location {
            path: path.to_path_buf(),
            line,
            column: 1,
        },
        what,
    };
    let Some(up_at) = find_line(text, UP) else {
        return Err(bad(1, format!("no `{UP}` line: not a schemaplan revision")));
    };
    let header = &text[..up_at];
    let body = &text[up_at..];
    let body_line = header.matches('\n').count() + 1;

    let mut id = None;
    let mut parents = None;
    let mut message = None;
    let mut created = None;
    let mut checksum_ = None;
    let mut fingerprint = None;
    let mut hazards = Vec::new();
    let mut renames = Vec::new();
    let mut alembic = Vec::new();
    let mut transactional = true;
    let mut seen_magic = false;
    // The line each key was first seen on: a key given twice is an error (only
    // `alembic` lists one entry per line).
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, line) in header.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if line == MAGIC {
            seen_magic = true;
            continue;
        }
        let Some(rest) = line.strip_prefix("-- ") else {
            return Err(bad(n, format!("unexpected line before `{UP}`: {line}")));
        };
        let Some((key, value)) = rest.split_once(':') else {
            return Err(bad(n, format!("expected `-- key: value`, found {line:?}")));
        };
        let value = value.trim();
        let key = key.trim();
        if key != "alembic" {
            if let Some((_, first)) = seen.iter().find(|(k, _)| k == key) {
                return Err(bad(
                    n,
                    format!("duplicated `-- {key}:` line (first at line {first})"),
                ));
            }
            seen.push((key.to_string(), n));
        }
        match key {
            "id" => {
                if !RevisionId::is_valid(value) {
                    return Err(bad(
                        n,
                        format!("malformed id {value:?} (expected e.g. 20261124031500-3f9a2c)"),
                    ));
                }
                id = Some(RevisionId(value.to_string()));
            }
            "parents" => {
                let mut list = Vec::new();
                for p in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if !RevisionId::is_valid(p) {
                        return Err(bad(n, format!("malformed parent id {p:?}")));
                    }
                    let p = RevisionId(p.to_string());
                    if list.contains(&p) {
                        return Err(bad(n, format!("parent {p} is listed twice")));
                    }
                    list.push(p);
                }
                parents = Some((list, n));
            }
            "message" => {
                if value.is_empty() {
                    return Err(bad(
                        n,
                        "empty `-- message:`: say what the revision does".to_string(),
                    ));
                }
                message = Some(value.to_string());
            }
            "created" => {
                if !is_valid_created(value) {
                    return Err(bad(
                        n,
                        format!(
                            "invalid `-- created:` time {value:?} (expected UTC, e.g. 2026-11-24T03:15:00Z)"
                        ),
                    ));
                }
                created = Some(value.to_string());
            }
            "checksum" => {
                if !value.starts_with("sha256:") {
                    return Err(bad(
                        n,
                        format!("unknown checksum algorithm in {value:?} (expected sha256:...)"),
                    ));
                }
                checksum_ = Some(value.to_string());
            }
            "fingerprint" => fingerprint = Some(value.to_string()),
            "hazards" => {
                for h in value.split(',').map(str::trim).filter(|h| !h.is_empty()) {
                    hazards.push(h.parse::<Hazard>().map_err(|e| bad(n, e))?);
                }
            }
            "alembic" => alembic.push(value.to_string()),
            "using" => renames.push(format!("using {value}")),
            "renames" => renames.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
            ),
            "transaction" => match value {
                "none" => transactional = false,
                "single" => transactional = true,
                other => {
                    return Err(bad(
                        n,
                        format!("transaction must be `single` or `none`, not {other:?}"),
                    ))
                }
            },
            other => return Err(bad(n, format!("unknown header key {other:?}"))),
        }
    }
    if !seen_magic {
        return Err(bad(1, format!("the first line must be `{MAGIC}`")));
    }
    let id = id.ok_or_else(|| bad(1, "no `-- id:` line".into()))?;
    let (parents, parents_line) = parents.unwrap_or((Vec::new(), 1));
    if parents.contains(&id) {
        return Err(bad(
            parents_line,
            format!("revision {id} lists itself as its parent"),
        ));
    }
    let checksum_ = checksum_.ok_or_else(|| bad(1, "no `-- checksum:` line".into()))?;
    Ok(Revision {
        id,
        parents,
        parents_line,
        message: message.unwrap_or_default(),
        created: created.unwrap_or_default(),
        checksum: checksum_,
        fingerprint,
        hazards,
        renames,
        alembic,
        transactional,
        path: path.to_path_buf(),
        body: body.to_string(),
        body_line,
        tenancy: None,
    })
}

/// What a new revision file says, before it is written.
pub struct NewRevision<'a> {
    /// Its id.
    pub id: &'a RevisionId,
    /// Its parents.
    pub parents: &'a [RevisionId],
    /// The message (one line; newlines become spaces).
    pub message: &'a str,
    /// RFC 3339 UTC.
    pub created: &'a str,
    /// The schema's fingerprint after it, as introspection gives it (exact mode); empty
    /// when planned offline (an offline catalog's fingerprint says nothing about a live
    /// database), and then the header leaves the line out.
    pub fingerprint: &'a str,
    /// Hazards of its up steps.
    pub hazards: &'a [Hazard],
    /// Rename hints it carries out.
    pub renames: &'a [String],
    /// The Alembic history it stands for (a baseline adopted from Alembic).
    pub alembic: &'a [String],
    /// The up section's SQL (statements with their comments).
    pub up: &'a str,
    /// The down section's SQL.
    pub down: &'a str,
}

impl NewRevision<'_> {
    /// Whether any statement of the up or down section must run outside a transaction,
    /// or ends the transaction it runs in (an enum value added and used after).
    pub fn needs_no_transaction(up: &[ScriptStatement]) -> bool {
        up.iter().any(|s| s.transaction != TransactionUse::Any)
    }

    /// Whether the revision can run in one transaction, splitting its body only when
    /// it mentions a statement that may not (`CONCURRENTLY`, `VALIDATE`, `ADD VALUE`,
    /// `VACUUM`): a large plan without any is not parsed a second time.
    pub fn transactional(&self, path: &Path) -> Result<bool> {
        let body = self.body();
        let upper = body.to_ascii_uppercase();
        if !["CONCURRENTLY", "VALIDATE", "ADD VALUE", "VACUUM"]
            .iter()
            .any(|k| upper.contains(k))
        {
            return Ok(true);
        }
        let statements = split_script(path, &body, 1)?;
        Ok(!Self::needs_no_transaction(&statements))
    }

    /// The body: up and down sections with their markers.
    pub fn body(&self) -> String {
        let mut body = String::new();
        body.push_str(UP);
        body.push_str("\n\n");
        body.push_str(self.up.trim_end());
        body.push_str("\n\n");
        body.push_str(DOWN);
        body.push_str("\n\n");
        body.push_str(self.down.trim_end());
        body.push('\n');
        body
    }

    /// The whole file, header and body. `transactional` comes from splitting the body.
    pub fn render(&self, transactional: bool) -> String {
        let body = self.body();
        let message: String = self
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let parents: Vec<&str> = self.parents.iter().map(|p| p.0.as_str()).collect();
        let hazards: Vec<&str> = self.hazards.iter().map(|h| h.name()).collect();
        let mut out = String::new();
        out.push_str(MAGIC);
        out.push('\n');
        out.push_str(&format!("-- id: {}\n", self.id));
        out.push_str(&format!("-- parents: {}\n", parents.join(", ")));
        out.push_str(&format!("-- message: {message}\n"));
        out.push_str(&format!("-- created: {}\n", self.created));
        out.push_str(&format!("-- checksum: {}\n", checksum(&body)));
        if !self.fingerprint.is_empty() {
            out.push_str(&format!("-- fingerprint: {}\n", self.fingerprint));
        }
        if !hazards.is_empty() {
            out.push_str(&format!("-- hazards: {}\n", hazards.join(", ")));
        }
        for a in self.alembic {
            out.push_str(&format!("-- alembic: {a}\n"));
        }
        // Conversions (`using` hints) one per line: an expression may hold a `;`.
        let (usings, renames): (Vec<&String>, Vec<&String>) =
            self.renames.iter().partition(|r| r.starts_with("using "));
        if !renames.is_empty() {
            let renames: Vec<&str> = renames.iter().map(|r| r.as_str()).collect();
            out.push_str(&format!("-- renames: {}\n", renames.join("; ")));
        }
        for u in usings {
            out.push_str(&format!("-- using: {}\n", &u["using ".len()..]));
        }
        if !transactional {
            out.push_str("-- transaction: none\n");
        }
        out.push('\n');
        out.push_str(&body);
        out
    }
}

/// A file name for a revision: `<id>_<slug>.sql`, the slug made of the message's first
/// words in lower case.
pub fn file_name(id: &RevisionId, message: &str) -> String {
    let mut slug = String::new();
    for word in message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('_');
        }
        slug.push_str(&word.to_lowercase());
    }
    if slug.is_empty() {
        format!("{id}.sql")
    } else {
        format!("{id}_{slug}.sql")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        let id = RevisionId("20261124031500-3f9a2c".into());
        let parents = vec![RevisionId("20261124021000-1b2c3d".into())];
        NewRevision {
            id: &id,
            parents: &parents,
            message: "add\ncomments",
            created: "2026-11-24T03:15:00Z",
            fingerprint: "sha256:00",
            hazards: &[Hazard::DataLoss],
            renames: &[],
            alembic: &[],
            up: "-- drop-table table public.t\nDROP TABLE public.t;\n",
            down: "CREATE TABLE public.t (id integer);",
        }
        .render(true)
    }

    #[test]
    fn a_rendered_revision_reads_back() {
        let text = sample();
        let r = parse(Path::new("plans/x.sql"), &text).unwrap();
        assert_eq!(r.id.0, "20261124031500-3f9a2c");
        assert_eq!(r.parents, vec![RevisionId("20261124021000-1b2c3d".into())]);
        assert_eq!(r.message, "add comments");
        assert_eq!(r.hazards, vec![Hazard::DataLoss]);
        assert!(r.transactional);
        assert!(!r.is_edited());
        let up = r.up().unwrap();
        assert_eq!(up.len(), 1);
        assert_eq!(up[0].sql, "DROP TABLE public.t");
        assert_eq!(
            up[0].location.line,
            text.lines().position(|l| l.starts_with("DROP")).unwrap() + 1
        );
        let down = r.down().unwrap();
        assert_eq!(down[0].sql, "CREATE TABLE public.t (id integer)");
        assert_eq!(
            down[0].location.line,
            text.lines().position(|l| l.starts_with("CREATE")).unwrap() + 1
        );
    }

    #[test]
    fn an_edited_body_is_detected() {
        let text = sample().replace("DROP TABLE public.t;", "DROP TABLE public.u;");
        let r = parse(Path::new("x.sql"), &text).unwrap();
        assert!(r.is_edited());
    }

    #[test]
    fn header_errors_name_the_line() {
        let text = sample().replace("-- message:", "-- mesage:");
        let err = parse(Path::new("p/x.sql"), &text).unwrap_err().to_string();
        assert_eq!(err, "p/x.sql:4:1: unknown header key \"mesage\"");
        let text = sample().replace("20261124021000-1b2c3d", "yesterday");
        let err = parse(Path::new("p/x.sql"), &text).unwrap_err().to_string();
        assert_eq!(err, "p/x.sql:3:1: malformed parent id \"yesterday\"");
    }

    #[test]
    fn crlf_and_a_bom_are_not_edits() {
        let lf = sample();
        let r = parse(Path::new("x.sql"), &lf).unwrap();
        let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
        let w = parse(Path::new("x.sql"), &crlf).unwrap();
        assert!(!w.is_edited(), "{} vs {}", w.actual_checksum(), w.checksum);
        // An LF file's checksum is the one it always had.
        assert_eq!(r.actual_checksum(), checksum(&r.body));
        assert_eq!(w.actual_checksum(), r.actual_checksum());
        assert_eq!(w.id, r.id);
        assert_eq!(w.message, r.message);
        assert_eq!(w.up().unwrap()[0].sql, r.up().unwrap()[0].sql);
        assert_eq!(w.hazardous_steps(), r.hazardous_steps());
    }

    #[test]
    fn header_values_are_validated() {
        let err = |text: String| parse(Path::new("p/x.sql"), &text).unwrap_err().to_string();
        let own = sample().replace(
            "-- parents: 20261124021000-1b2c3d",
            "-- parents: 20261124031500-3f9a2c",
        );
        assert_eq!(
            err(own),
            "p/x.sql:3:1: revision 20261124031500-3f9a2c lists itself as its parent"
        );
        for bad in [
            "9999-99-99T99:99:99Z",
            "yesterday",
            "2026-02-29T00:00:00Z",
            "",
        ] {
            let text = sample().replace("2026-11-24T03:15:00Z", bad);
            assert_eq!(
                err(text),
                format!(
                    "p/x.sql:5:1: invalid `-- created:` time {bad:?} (expected UTC, e.g. 2026-11-24T03:15:00Z)"
                )
            );
        }
        assert!(is_valid_created("2024-02-29T23:59:59Z"));
        let text = sample().replace("-- message: add comments", "-- message:  ");
        assert_eq!(
            err(text),
            "p/x.sql:4:1: empty `-- message:`: say what the revision does"
        );
        let text = sample().replace(
            "-- message:",
            "-- parents: 20261124021000-1b2c3d\n-- message:",
        );
        assert_eq!(
            err(text),
            "p/x.sql:4:1: duplicated `-- parents:` line (first at line 3)"
        );
        let text = sample().replace(
            "-- parents: 20261124021000-1b2c3d",
            "-- parents: 20261124021000-1b2c3d, 20261124021000-1b2c3d",
        );
        assert_eq!(
            err(text),
            "p/x.sql:3:1: parent 20261124021000-1b2c3d is listed twice"
        );
    }

    #[test]
    fn file_names_slug_the_message() {
        let id = RevisionId("20261124031500-3f9a2c".into());
        assert_eq!(
            file_name(&id, "Add comments (v2)!"),
            "20261124031500-3f9a2c_add_comments_v2.sql"
        );
        assert_eq!(file_name(&id, "   "), "20261124031500-3f9a2c.sql");
    }
}
