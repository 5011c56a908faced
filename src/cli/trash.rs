//! `schemaplan trash` and `schemaplan trash purge`: what recoverable drops hold, and
//! dropping it for good.

use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;

use crate::apply::trash::{self, Held, Purge};
use crate::error::Error;
use crate::render::Hazard;

use super::apply::parse_duration;
use super::output::{self, Format};
use super::{Context, Outcome};

/// Arguments of `schemaplan trash`.
#[derive(Debug, Args)]
pub struct TrashArgs {
    #[command(subcommand)]
    action: Option<TrashAction>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum TrashAction {
    /// Drop held tables for good (all of them, or those chosen); their revisions'
    /// down sections can then no longer put the data back.
    Purge(PurgeArgs),
}

/// Arguments of `schemaplan trash purge`.
#[derive(Debug, Args)]
struct PurgeArgs {
    /// Only what revisions applied longer ago than this hold (`30d`, `12h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "revision")]
    older_than: Option<Duration>,
    /// Only what this revision holds (an id, or the start of one).
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
    /// Consent to losing the held data: `--allow-hazard data-loss` (as `apply` asks for
    /// a revision that drops data).
    #[arg(long, value_name = "HAZARDS", value_delimiter = ',')]
    allow_hazard: Vec<Hazard>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Serialize)]
struct JsonList<'a> {
    held: &'a [Held],
}

#[derive(Serialize)]
struct JsonPurge<'a> {
    purged: &'a [Held],
}

/// Runs `trash` or `trash purge`.
pub async fn run(ctx: &Context, args: TrashArgs) -> anyhow::Result<Outcome> {
    let target = ctx.database.as_ref().ok_or(Error::NoDatabase)?;
    let client = target.connect().await?;
    let Some(TrashAction::Purge(p)) = args.action else {
        let held = trash::list(&client).await?;
        match args.format {
            Format::Json => output::print_json(&JsonList { held: &held })?,
            Format::Text => output::print(&table(&held, "nothing is held"))?,
        }
        return Ok(Outcome::Clean);
    };
    let which = match (p.older_than, p.revision) {
        (Some(d), _) => Purge::OlderThan(d),
        (None, Some(rev)) => Purge::Revision(rev),
        (None, None) => Purge::All,
    };
    if !p.allow_hazard.contains(&Hazard::DataLoss) {
        let chosen: Vec<Held> = trash::list(&client)
            .await?
            .into_iter()
            .filter(|h| which.chooses(h))
            .collect();
        if !chosen.is_empty() {
            return Err(Error::Refused {
                message: format!(
                    "purging drops held data for good (hazard data-loss), and the down \
                     sections of these revisions can no longer put it back:\n{}\
                     nothing was dropped; rerun with --allow-hazard data-loss once you \
                     accept it",
                    table(&chosen, "")
                ),
            }
            .into());
        }
    }
    let purged = trash::purge(&client, &which).await?;
    match p.format {
        Format::Json => output::print_json(&JsonPurge { purged: &purged })?,
        Format::Text => {
            if purged.is_empty() {
                output::print("nothing to purge\n")?;
            } else {
                output::print(&format!(
                    "{}purged {} held table(s)\n",
                    table(&purged, ""),
                    purged.len()
                ))?;
            }
        }
    }
    Ok(Outcome::Clean)
}

/// Held tables as aligned columns: revision, object, rows, size, applied.
fn table(held: &[Held], empty: &str) -> String {
    if held.is_empty() {
        return if empty.is_empty() {
            String::new()
        } else {
            format!("{empty}\n")
        };
    }
    let rows: Vec<[String; 5]> = held
        .iter()
        .map(|h| {
            [
                h.revision.clone().unwrap_or_else(|| "?".to_string()),
                h.object.clone(),
                h.rows.to_string(),
                h.size.clone(),
                h.applied_at.clone().unwrap_or_else(|| "-".to_string()),
            ]
        })
        .collect();
    let header = ["revision", "object", "rows", "size", "applied"].map(str::to_string);
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i == 2 {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
