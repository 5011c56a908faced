//! `schemaplan history`, `schemaplan status` and `schemaplan baseline` (Alembic's
//! `history`, `current` and `stamp`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::apply::{Applied, Migrator, Status};
use crate::error::Error;
use crate::introspect::live_catalog;
use crate::plan::{dir, History, Revision, RevisionId};
use crate::project::revision::baseline_revision;

use super::output::{self, Format};
use super::{Context, Outcome};

/// Arguments of `schemaplan history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// Draw the revision graph, like `git log --graph`.
    #[arg(long)]
    graph: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Arguments of `schemaplan status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    #[command(flatten)]
    fleet: super::fleet::FleetArgs,
    /// In a tenant project: the tenant schema to read (`--fleet` reads every one).
    #[arg(long, value_name = "SCHEMA")]
    tenant: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Arguments of `schemaplan baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// Mark this revision (and its ancestors) as applied instead of writing a new one:
    /// for a database whose schema already is what they build.
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
    /// The baseline revision's message.
    #[arg(short, long, default_value = "baseline")]
    message: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Serialize)]
struct JsonRevision<'a> {
    id: &'a str,
    message: &'a str,
    created: &'a str,
    parents: Vec<&'a str>,
    hazards: Vec<&'static str>,
    transactional: bool,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    applied_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    applied: Option<bool>,
    /// For a baseline adopted from Alembic, the Alembic history below it.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    alembic: &'a [String],
}

/// Runs `history`.
pub async fn history(ctx: &Context, args: HistoryArgs) -> anyhow::Result<Outcome> {
    let history = dir::load(&args.plans)?;
    // The database's marks are a bonus: history works without one.
    let applied: Option<Vec<Applied>> = match &ctx.database {
        None => None,
        Some(url) => match async {
            crate::apply::history::read(&url.connect().await?, Default::default()).await
        }
        .await
        {
            Ok(rows) => Some(rows),
            Err(e) => {
                eprintln!("warning: cannot read the database's history, showing plans/ only: {e}");
                None
            }
        },
    };
    let by_id: BTreeMap<&str, &Applied> = applied
        .iter()
        .flatten()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let newest_first: Vec<&Revision> = history.in_order().rev().collect();
    match args.format {
        Format::Json => {
            let list: Vec<JsonRevision> = newest_first
                .iter()
                .map(|r| JsonRevision {
                    id: &r.id.0,
                    message: &r.message,
                    created: &r.created,
                    parents: r.parents.iter().map(|p| p.0.as_str()).collect(),
                    hazards: r.hazards.iter().map(|h| h.name()).collect(),
                    transactional: r.transactional,
                    path: r.path.display().to_string(),
                    applied_at: by_id.get(r.id.0.as_str()).map(|a| a.applied_at.as_str()),
                    applied: applied
                        .as_ref()
                        .map(|_| by_id.get(r.id.0.as_str()).is_some_and(|a| a.complete())),
                    alembic: &r.alembic,
                })
                .collect();
            output::print_json(&list)?;
        }
        Format::Text => {
            let mark = |r: &Revision| -> String {
                match (&applied, by_id.get(r.id.0.as_str())) {
                    (None, _) => String::new(),
                    (Some(_), Some(a)) if a.complete() => {
                        format!("  [applied {}]", a.applied_at)
                    }
                    (Some(_), Some(a)) => format!(
                        "  [partly applied: {} statement(s)]",
                        a.statements_done.unwrap_or(0)
                    ),
                    (Some(_), None) => "  [pending]".to_string(),
                }
            };
            let line = |r: &Revision| -> String {
                let parents = if r.parents.is_empty() {
                    "<base>".to_string()
                } else {
                    r.parents
                        .iter()
                        .map(|p| p.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!(
                    "{}  {}  {}  (parents: {parents}){}",
                    r.id,
                    r.created,
                    r.message,
                    mark(r)
                )
            };
            let mut text: String = if args.graph {
                graph(&history, &line)
            } else {
                newest_first.iter().map(|r| line(r) + "\n").collect()
            };
            // Below the schemaplan revisions: the Alembic history a baseline adopted.
            for r in newest_first.iter().filter(|r| !r.alembic.is_empty()) {
                text.push_str(&format!("--- Alembic history, adopted by {}:\n", r.id));
                for a in &r.alembic {
                    text.push_str(&format!("{a}  [alembic]\n"));
                }
            }
            if text.is_empty() {
                eprintln!("{} has no revisions yet", args.plans.display());
            }
            output::print(&text)?;
        }
    }
    Ok(Outcome::Clean)
}

/// The DAG as text, newest first, one lane per open branch:
///
/// ```text
/// *   merge
/// |\
/// | * b
/// * | a
/// |/
/// *   base
/// ```
pub fn graph(history: &History, line: &dyn Fn(&Revision) -> String) -> String {
    // Each lane waits for the revision it names (a parent of something above).
    let mut lanes: Vec<RevisionId> = Vec::new();
    let mut out = String::new();
    let revisions: Vec<&Revision> = history.in_order().rev().collect();
    for r in revisions {
        let mine: Vec<usize> = (0..lanes.len()).filter(|&i| lanes[i] == r.id).collect();
        // Several lanes wait for this revision: they join here.
        if mine.len() > 1 {
            let keep = mine[0];
            let joining: Vec<usize> = mine.iter().copied().filter(|&i| i != keep).collect();
            out.push_str(&connector(lanes.len(), &joining, '/'));
            for &i in mine.iter().skip(1).rev() {
                lanes.remove(i);
            }
        }
        let col = match lanes.iter().position(|l| *l == r.id) {
            Some(c) => c,
            None => {
                lanes.push(r.id.clone());
                lanes.len() - 1
            }
        };
        let mut row = String::new();
        for i in 0..lanes.len() {
            row.push_str(if i == col { "* " } else { "| " });
        }
        out.push_str(&format!("{row} {}\n", line(r)));
        // The revision's parents take over its lane, extra parents open new lanes.
        match r.parents.split_first() {
            None => {
                lanes.remove(col);
            }
            Some((first, rest)) => {
                lanes[col] = first.clone();
                let mut opened = Vec::new();
                for p in rest {
                    if !lanes.contains(p) {
                        lanes.insert(col + 1 + opened.len(), p.clone());
                        opened.push(col + 1 + opened.len());
                    }
                }
                if !opened.is_empty() {
                    out.push_str(&connector(lanes.len(), &opened, '\\'));
                }
            }
        }
    }
    out
}

/// A row between revisions: `|` for every lane going on, `mark` (a `\` opening a
/// lane, a `/` joining one) in the gap before each lane in `moving`.
fn connector(lanes: usize, moving: &[usize], mark: char) -> String {
    let mut row = vec![' '; lanes * 2];
    for i in 0..lanes {
        if moving.contains(&i) && i > 0 {
            row[i * 2 - 1] = mark;
        } else {
            row[i * 2] = '|';
        }
    }
    let row: String = row.into_iter().collect();
    format!("{}\n", row.trim_end())
}

#[derive(Serialize)]
struct JsonStatus<'a> {
    database: String,
    #[serde(flatten)]
    status: &'a Status,
}

/// Runs `status`.
pub async fn status(ctx: &Context, args: StatusArgs) -> anyhow::Result<Outcome> {
    let migrator = Migrator::from_dir(&args.plans)?;
    if args.fleet.fleet {
        return super::fleet::status(ctx, &migrator, &args.fleet, args.format).await;
    }
    let migrator = ctx.scoped(migrator, args.tenant.as_deref())?;
    let target = ctx.database.as_ref().ok_or(Error::NoDatabase)?;
    let client = target.connect().await?;
    let status = migrator.status(&client).await?;
    match args.format {
        Format::Json => output::print_json(&JsonStatus {
            database: target.redacted(),
            status: &status,
        })?,
        Format::Text => output::print(&status_text(&migrator, &target.redacted(), &status))?,
    }
    Ok(Outcome::Clean)
}

fn status_text(m: &Migrator, database: &str, s: &Status) -> String {
    let name = |id: &RevisionId| -> String {
        match m.history().get(id) {
            Some(r) => format!("{}  {}", r.id, r.message),
            None => format!("{id}  (not in {})", m.dir().display()),
        }
    };
    let mut out = format!("database: {database}\n");
    if s.current.is_empty() {
        out.push_str("current:  none (no revision applied)\n");
    } else {
        for (i, c) in s.current.iter().enumerate() {
            let label = if i == 0 { "current: " } else { "         " };
            out.push_str(&format!("{label} {}\n", name(c)));
        }
    }
    if let Some((id, n)) = &s.partial {
        out.push_str(&format!(
            "partly applied: {} ({n} statement(s) done; `schemaplan apply` resumes it)\n",
            name(id)
        ));
    }
    if s.pending.is_empty() {
        out.push_str("pending:  none\n");
    } else {
        out.push_str(&format!("pending:  {}\n", s.pending.len()));
        for p in &s.pending {
            out.push_str(&format!("  {}\n", name(p)));
        }
    }
    for u in &s.unknown {
        out.push_str(&format!(
            "unknown:  {u} is applied but not in {}\n",
            m.dir().display()
        ));
    }
    for e in &s.edited {
        out.push_str(&format!(
            "edited:   {} changed after it was applied\n",
            name(e)
        ));
    }
    if let Some((id, n)) = &s.rolling_back {
        out.push_str(&format!(
            "rollback of {id} stopped at statement {} ({n} statement(s) of its down section \
             done; `schemaplan rollback` resumes it)\n",
            n + 1
        ));
        return out;
    }
    out.push_str(match s.drift {
        Some(true) => "drift:    yes (the live schema differs from the recorded one; `schemaplan apply` shows how)\n",
        Some(false) => "drift:    no\n",
        None => "drift:    unknown (nothing recorded yet)\n",
    });
    out
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    path: Option<String>,
    stamped: &'a [RevisionId],
}

/// Runs `baseline`.
pub async fn baseline(ctx: &Context, args: BaselineArgs) -> anyhow::Result<Outcome> {
    let target = ctx.database.as_ref().ok_or(Error::NoDatabase)?;
    let client = target.connect().await?;
    let history = dir::load(&args.plans)?;
    let (rev, path) = match &args.revision {
        Some(rev) => (rev.clone(), None),
        None => {
            if !history.is_empty() {
                anyhow::bail!(
                    "{} already has {} revision(s): to record that the database is at one of them, \
                     pass --revision REV (`schemaplan history` lists them)",
                    args.plans.display(),
                    history.len()
                );
            }
            let mut live = live_catalog(&client).await?;
            ctx.filter.apply(&mut live);
            output::warn_unmanaged("the database", &live.unmanaged_names());
            let planned = baseline_revision(&args.plans, &args.message, &live, &[])?;
            (planned.id.0.clone(), Some(planned.write()?.to_path_buf()))
        }
    };
    let migrator = Migrator::from_dir(&args.plans)?;
    let stamped = migrator
        .stamp(
            &client,
            &RevisionId(rev.clone()),
            std::time::Duration::from_secs(60),
        )
        .await?;
    match args.format {
        Format::Json => output::print_json(&JsonBaseline {
            path: path.as_ref().map(|p| p.display().to_string()),
            stamped: &stamped,
        })?,
        Format::Text => {
            let mut text = String::new();
            if let Some(p) = &path {
                text.push_str(&format!("wrote {}\n", p.display()));
            }
            if stamped.is_empty() {
                text.push_str("nothing to mark: already recorded as applied\n");
            }
            for id in &stamped {
                text.push_str(&format!("marked {id} as applied (not run)\n"));
            }
            output::print(&text)?;
        }
    }
    Ok(Outcome::Clean)
}
