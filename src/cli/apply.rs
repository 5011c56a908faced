//! `schemaplan apply` and `schemaplan rollback` (Alembic's `upgrade` and `downgrade`),
//! with a progress bar on a terminal.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::apply::fleet::FleetOptions;
use crate::apply::{ApplyOptions, Done, Migrator, Observer, Report, RollbackOptions};
use crate::error::Error;
use crate::parse::ScriptStatement;
use crate::plan::{Revision, RevisionId};
use crate::project::config::FileDuration;

use super::fleet::FleetArgs;
use super::output::{self, Format, ReportFormat};
use super::{Context, Outcome};

pub use crate::project::config::parse_duration;

/// Options both `apply` and `rollback` take.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// How long to wait for another run's apply lock. (Default: 60s, or `lock_wait` in
    /// schemaplan.toml.)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    lock_wait: Option<Duration>,
    /// PostgreSQL's lock_timeout for every statement: a statement that waits longer for
    /// a lock fails instead of queueing behind a long transaction. (Default: 5s, or
    /// `lock_timeout` in schemaplan.toml.)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    lock_timeout: Option<Duration>,
    /// PostgreSQL's statement_timeout for every statement; 0 for none. (Default: none,
    /// or `statement_timeout` in schemaplan.toml.)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    statement_timeout: Option<Duration>,
    /// Go on when the live schema differs from what the applied revisions build.
    #[arg(long)]
    allow_drift: bool,
    /// Output format (markdown: `apply --fleet` only).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(super) format: ReportFormat,
    /// In a tenant project: the tenant schema to run in (`--fleet` runs in every one).
    #[arg(long, value_name = "SCHEMA")]
    pub(super) tenant: Option<String>,
}

impl RunArgs {
    /// The format of a run on one database: text or JSON.
    fn single_format(&self) -> Result<Format, Error> {
        match self.format {
            ReportFormat::Text => Ok(Format::Text),
            ReportFormat::Json => Ok(Format::Json),
            ReportFormat::Markdown => Err(Error::Refused {
                message: "--format markdown is for `apply --fleet`; use text or json".into(),
            }),
        }
    }
}

/// Arguments of `schemaplan apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Apply up to this revision (an id, or the start of one) instead of the head.
    #[arg(long, value_name = "REV")]
    to: Option<String>,
    /// Run the pending revisions in one transaction, report, and roll everything back.
    #[arg(long, conflicts_with = "fleet")]
    dry_run: bool,
    /// Accept these hazards (comma-separated: data-loss, table-rewrite, authz); revisions
    /// carrying others of them are refused before anything runs. Given, it replaces
    /// `allow_hazards` in schemaplan.toml.
    #[arg(long, value_name = "HAZARDS", value_delimiter = ',')]
    allow_hazard: Vec<crate::render::Hazard>,
    /// How many times a revision that hit the lock timeout is retried (with backoff).
    /// (Default: 3, or `lock_retries` in schemaplan.toml.)
    #[arg(long, value_name = "N")]
    lock_retries: Option<u32>,
    /// Rehearse instead of applying: copy the target (CREATE DATABASE ... TEMPLATE),
    /// apply the pending revisions to the copy reporting each statement's duration and
    /// the tables it rewrote, roll them back through their down sections, check the
    /// schema came back to where it started, and drop the copy. The target is not
    /// changed. Exit 1 when something failed or the schema did not come back.
    #[arg(long, conflicts_with_all = ["dry_run", "fleet"])]
    rehearse: bool,
    /// Rehearse on this database (a copy you restored) instead of copying the target;
    /// implies --rehearse. It is left in place, rolled back.
    #[arg(long, value_name = "URL", conflicts_with_all = ["dry_run", "fleet"])]
    rehearse_url: Option<String>,
    #[command(flatten)]
    pub(super) fleet: FleetArgs,
    /// With --fleet: apply to the first N targets first, and stop everything if one of
    /// them fails.
    #[arg(long, value_name = "N", requires = "fleet")]
    canary: Option<usize>,
    /// With --fleet: how many targets may fail before no new one starts (those running
    /// finish). Default 0: stop starting targets at the first failure.
    #[arg(long, value_name = "N", requires = "fleet")]
    max_failures: Option<usize>,
    #[command(flatten)]
    pub(super) run: RunArgs,
}

/// Arguments of `schemaplan rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// Roll back every revision after this one (it stays applied); default: only the
    /// newest revision.
    #[arg(long, value_name = "REV")]
    to: Option<String>,
    /// Also roll back revisions marked not-reversible.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    pub(super) run: RunArgs,
}

#[derive(Serialize)]
struct JsonRun<'a> {
    action: &'static str,
    #[serde(flatten)]
    report: &'a Report,
    current: Vec<RevisionId>,
}

/// The options every run takes, each from its flag, else from schemaplan.toml, else
/// the default.
fn run_options(ctx: &Context, run: &RunArgs) -> ApplyOptions {
    let file = ctx.file_settings();
    let default = ApplyOptions::default();
    let from_file = |d: Option<FileDuration>| d.map(|d| d.value);
    ApplyOptions {
        lock_wait: run
            .lock_wait
            .or(from_file(file.lock_wait))
            .unwrap_or(default.lock_wait),
        lock_timeout: run
            .lock_timeout
            .or(from_file(file.lock_timeout))
            .unwrap_or(default.lock_timeout),
        statement_timeout: run
            .statement_timeout
            .or(from_file(file.statement_timeout))
            .or(default.statement_timeout),
        lock_retries: file.lock_retries.unwrap_or(default.lock_retries),
        allow_drift: run.allow_drift,
        dev_server: ctx.dev_url.clone().or_else(|| ctx.database.clone()),
        allow_hazards: file.allow_hazards.into_iter().flatten().collect(),
        ..default
    }
}

/// Runs `apply`.
pub async fn apply(ctx: &Context, args: ApplyArgs) -> anyhow::Result<Outcome> {
    let migrator = Migrator::from_dir(&args.run.plans)?;
    if args.fleet.fleet {
        let opts = FleetOptions {
            jobs: args.fleet.jobs(),
            canary: args.canary.unwrap_or(0),
            max_failures: args.max_failures.unwrap_or(0),
            apply: ApplyOptions {
                // Each target's own server shows its drift, unless a dev server is named.
                dev_server: ctx.dev_url.clone(),
                ..apply_options(ctx, &migrator, &args)?
            },
        };
        return super::fleet::apply(ctx, &migrator, &args.fleet, &opts, args.run.format).await;
    }
    let format = args.run.single_format()?;
    let migrator = ctx.scoped(migrator, args.run.tenant.as_deref())?;
    let target = ctx.database.as_ref().ok_or(Error::NoDatabase)?;
    if args.rehearse || args.rehearse_url.is_some() {
        return rehearse(ctx, &migrator, target, args, format).await;
    }
    let client = target.connect().await?;
    ctx.check_target_version(&client, "applied").await?;
    let opts = apply_options(ctx, &migrator, &args)?;
    let mut progress = Progress::new(ctx.chatty, "applying");
    let report = migrator.apply_with(&client, &opts, &mut progress).await;
    progress.finish();
    let report = report?;
    let current = migrator.current(&client).await?;
    finish(&format, "apply", &report, current)
}

/// `apply`'s options: the run's, `--to`, `--dry-run`, `--lock-retries` and the hazards
/// accepted.
fn apply_options(
    ctx: &Context,
    migrator: &Migrator,
    args: &ApplyArgs,
) -> anyhow::Result<ApplyOptions> {
    let base = run_options(ctx, &args.run);
    Ok(ApplyOptions {
        to: args
            .to
            .as_deref()
            .map(|t| migrator.resolve(t).map(|r| r.id.clone()))
            .transpose()?,
        dry_run: args.dry_run,
        lock_retries: args.lock_retries.unwrap_or(base.lock_retries),
        allow_hazards: if args.allow_hazard.is_empty() {
            base.allow_hazards.clone()
        } else {
            args.allow_hazard.iter().copied().collect()
        },
        ..base
    })
}

/// Runs `apply --rehearse`: on a copy, reporting; the target is only read from.
async fn rehearse(
    ctx: &Context,
    migrator: &Migrator,
    target: &crate::connect::DbUrl,
    args: ApplyArgs,
    format: Format,
) -> anyhow::Result<Outcome> {
    let copy = args
        .rehearse_url
        .as_deref()
        .map(crate::connect::DbUrl::parse)
        .transpose()?;
    let base = run_options(ctx, &args.run);
    let opts = ApplyOptions {
        to: args
            .to
            .as_deref()
            .map(|t| migrator.resolve(t).map(|r| r.id.clone()))
            .transpose()?,
        lock_retries: args.lock_retries.unwrap_or(base.lock_retries),
        ..base
    };
    ctx.status("rehearsing on a copy of the database");
    let r = crate::apply::rehearse::rehearse(migrator, target, copy.as_ref(), &opts).await?;
    match format {
        Format::Json => output::print_json(&r)?,
        Format::Text => output::print(&rehearsal_text(&r))?,
    }
    Ok(if r.converged() {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

fn rehearsal_text(r: &crate::apply::rehearse::Rehearsal) -> String {
    let mut out = format!(
        "rehearsal on {}{}\n",
        r.copy,
        if r.made_copy {
            " (a copy of the target, dropped after)"
        } else {
            ""
        }
    );
    if r.revisions.is_empty() && r.apply_error.is_none() {
        out.push_str("nothing pending\n");
    }
    for rev in &r.revisions {
        out.push_str(&format!(
            "{} {}: {} statement(s) in {} ms\n",
            rev.id,
            rev.message,
            rev.statements.len(),
            rev.duration_ms
        ));
        for s in &rev.statements {
            out.push_str(&format!(
                "  ran in {:.0} ms  (line {}) {}\n",
                s.duration_ms, s.line, s.sql
            ));
            for l in &s.locks {
                out.push_str(&format!(
                    "    took {} on {}, held ~{} ms (sampled)\n",
                    l.mode, l.relation, l.ms
                ));
            }
        }
        for l in &rev.locks {
            out.push_str(&format!(
                "  held {} on {} for ~{} ms (sampled)\n",
                l.mode, l.relation, l.ms
            ));
        }
        for t in &rev.rewrote {
            out.push_str(&format!("  rewrote {t} (relfilenode changed)\n"));
        }
    }
    if let Some(e) = &r.apply_error {
        out.push_str(&format!("apply failed: {e}\n"));
    }
    out.push_str(&format!(
        "rollback: {} revision(s) rolled back\n",
        r.rolled_back
    ));
    if let Some(e) = &r.rollback_error {
        out.push_str(&format!("rollback failed: {e}\n"));
    }
    if r.start_fingerprint == r.end_fingerprint {
        out.push_str("the schema came back to where it started\n");
    } else {
        out.push_str(&format!(
            "the schema did NOT come back to where it started ({} -> {})\n",
            r.start_fingerprint, r.end_fingerprint
        ));
    }
    out
}

/// Runs `rollback`.
pub async fn rollback(ctx: &Context, args: RollbackArgs) -> anyhow::Result<Outcome> {
    let format = args.run.single_format()?;
    let migrator = ctx.scoped(
        Migrator::from_dir(&args.run.plans)?,
        args.run.tenant.as_deref(),
    )?;
    let target = ctx.database.as_ref().ok_or(Error::NoDatabase)?;
    let client = target.connect().await?;
    ctx.check_target_version(&client, "rolled back").await?;
    let run = run_options(ctx, &args.run);
    let opts = RollbackOptions {
        to: args
            .to
            .as_deref()
            .map(|t| migrator.resolve(t).map(|r| r.id.clone()))
            .transpose()?,
        force: args.force,
        lock_wait: run.lock_wait,
        lock_timeout: run.lock_timeout,
        statement_timeout: run.statement_timeout,
        allow_drift: run.allow_drift,
        dev_server: run.dev_server,
    };
    let mut progress = Progress::new(ctx.chatty, "rolling back");
    let report = migrator.rollback(&client, &opts, &mut progress).await;
    progress.finish();
    let report = report?;
    let current = migrator.current(&client).await?;
    finish(&format, "rollback", &report, current)
}

fn finish(
    format: &Format,
    action: &'static str,
    report: &Report,
    current: Vec<RevisionId>,
) -> anyhow::Result<Outcome> {
    if let Some(drift) = &report.drift_allowed {
        eprintln!(
            "warning: going on despite drift (--allow-drift){}",
            if drift.is_empty() {
                String::new()
            } else {
                format!(":\n{drift}")
            }
        );
    }
    match format {
        Format::Json => output::print_json(&JsonRun {
            action,
            report,
            current,
        })?,
        Format::Text => output::print(&text(action, report, &current))?,
    }
    Ok(Outcome::Clean)
}

fn text(action: &str, report: &Report, current: &[RevisionId]) -> String {
    let verb = match (action, report.dry_run) {
        ("apply", false) => "applied",
        ("apply", true) => "would apply",
        _ => "rolled back",
    };
    let mut out = String::new();
    for d in &report.done {
        let mut notes = vec![
            format!("{} statement(s)", d.statements),
            format!("{} ms", d.duration_ms),
        ];
        if d.resumed {
            notes.push("resumed".into());
        }
        if d.attempts > 1 {
            notes.push(format!("{} attempts", d.attempts));
        }
        out.push_str(&format!(
            "{verb} {}  {} ({})\n",
            d.id,
            d.message,
            notes.join(", ")
        ));
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    if let Some(id) = &report.stopped_before {
        out.push_str(&format!(
            "stopped before {id}: it runs outside a transaction and cannot be rehearsed\n"
        ));
    }
    let at = if current.is_empty() {
        "no revision applied".to_string()
    } else {
        format!(
            "the database is at {}",
            current
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if report.done.is_empty() {
        let what = if action == "apply" {
            "apply"
        } else {
            "roll back"
        };
        out.push_str(&format!("nothing to {what}: {at}\n"));
    } else if report.dry_run {
        out.push_str(&format!(
            "dry run: {} revision(s) ran and were rolled back; {at}\n",
            report.done.len()
        ));
    } else {
        out.push_str(&format!("{} revision(s) {verb}; {at}\n", report.done.len()));
    }
    out
}

/// A progress bar on stderr: shown at once when more than one revision runs, and for
/// a single revision only once a statement has run for a second. Hidden when stderr is
/// not a terminal.
struct Progress {
    bar: Option<ProgressBar>,
    verb: &'static str,
    delayed: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    fn new(enabled: bool, verb: &'static str) -> Progress {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} statements  {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            verb,
            delayed: None,
        }
    }

    fn show(bar: &ProgressBar) {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(120));
    }

    fn finish(&mut self) {
        if let Some(h) = self.delayed.take() {
            h.abort();
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn pending(&mut self, revisions: &[&Revision]) {
        let Some(bar) = &self.bar else { return };
        if revisions.len() > 1 {
            Self::show(bar);
        }
    }

    fn revision_started(&mut self, revision: &Revision, statements: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(statements as u64);
            bar.set_message(format!(
                "{} {} ({})",
                self.verb, revision.id, revision.message
            ));
        }
    }

    fn statement_started(&mut self, _statement: &ScriptStatement) {
        if let Some(bar) = &self.bar {
            if bar.is_hidden() {
                let bar = bar.clone();
                self.delayed = Some(tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Progress::show(&bar);
                }));
            }
        }
    }

    fn statement_finished(&mut self, _statement: &ScriptStatement, _elapsed: Duration) {
        if let Some(h) = self.delayed.take() {
            h.abort();
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn revision_finished(&mut self, _done: &Done) {}

    fn waiting(&mut self, why: &str) {
        match &self.bar {
            Some(bar) if !bar.is_hidden() => bar.println(why),
            Some(_) => eprintln!("{why}"),
            None => {}
        }
    }
}
