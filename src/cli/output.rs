//! Output formats and writing to stdout.

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

use crate::render::Plan;

/// What a command prints on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people (for `diff` and `inspect`: SQL that psql runs).
    Text,
    /// For tools: one JSON document.
    Json,
}

/// What a report-style command prints (`merge`, `apply`): [`Format`] and a
/// pull-request comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people on a terminal.
    Text,
    /// A pull-request comment.
    Markdown,
    /// For tools.
    Json,
}

/// Writes to stdout; a closed pipe surfaces as an `io::Error` the caller maps to exit 0.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON with a trailing newline.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print(&text)
}

/// The plan as SQL text, with the step comments dimmed and hazard lines in colour when
/// writing to a terminal.
pub fn plan_text(plan: &Plan, color: bool) -> String {
    let text = plan.to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|line| {
            if line.starts_with("-- hazards:") {
                format!("\x1b[1;33m{line}\x1b[0m\n")
            } else if line.starts_with("-- ") {
                format!("\x1b[2m{line}\x1b[0m\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// One step as JSON shows it: what, which object, the SQL, its reverse, its hazards.
#[derive(Serialize)]
pub struct JsonStep<'a> {
    /// `create-table`, `alter-column`, ...
    pub kind: &'static str,
    /// `table public.users`.
    pub object: String,
    /// The statements.
    pub sql: &'a [String],
    /// The statements that undo the step, if one step can.
    pub reverse: Option<&'a [String]>,
    /// Hazard names.
    pub hazards: Vec<&'static str>,
}

/// The steps of a plan as JSON shows them.
pub fn json_steps(plan: &Plan) -> Vec<JsonStep<'_>> {
    plan.steps
        .iter()
        .map(|s| JsonStep {
            kind: s.change.kind(),
            object: s.change.object().to_string(),
            sql: &s.sql,
            reverse: s.reverse.as_deref(),
            hazards: s.hazards.iter().map(|h| h.name()).collect(),
        })
        .collect()
}

/// Tells on stderr which steps carry hazards, with the size of each table a hazard
/// touches (from `database`'s `pg_class`, when one is given and answers), or that it is
/// empty.
pub async fn warn_hazards_sized(plan: &Plan, database: Option<&crate::connect::DbUrl>) {
    let sizes = match database {
        Some(url) if !plan.hazards().is_empty() => match url.connect().await {
            Ok(client) => crate::apply::sizes::table_sizes(&client).await.ok(),
            Err(e) => {
                tracing::warn!("cannot read table sizes: {e}");
                None
            }
        },
        _ => None,
    };
    for step in plan.steps.iter().filter(|s| !s.hazards.is_empty()) {
        let names: Vec<&str> = step.hazards.iter().map(|h| h.name()).collect();
        let object = step.change.object().to_string();
        let size = sizes
            .as_ref()
            .and_then(|s| crate::apply::sizes::describe(&object, s))
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        eprintln!(
            "hazard: {} {object}: {}{size}",
            step.change.kind(),
            names.join(", ")
        );
    }
}

/// Tells on stderr about objects schemaplan left alone.
pub fn warn_unmanaged(label: &str, unmanaged: &[String]) {
    if unmanaged.is_empty() {
        return;
    }
    eprintln!(
        "warning: {label} has objects schemaplan does not manage yet (left alone, not compared): {}",
        unmanaged.join(", ")
    );
}
