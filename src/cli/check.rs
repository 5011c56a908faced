//! `schemaplan check`: the pull-request gate. Exit 1 with an explanation when plans/ is
//! broken (a malformed header, a missing parent), a revision was edited after it was
//! planned, plans/ has several heads, or schema/ and plans/ are out of sync (someone
//! edited schema/ without running plan). Exit 0 otherwise.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::plan::merge::divergence;
use crate::plan::{dir, History, Revision};
use crate::render::{Hazard, Plan};
use crate::source::Source;

use super::output;
use super::{Context, Outcome};

/// How `check` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people on a terminal or in a CI log.
    Text,
    /// A pull-request comment.
    Markdown,
    /// For tools.
    Json,
}

/// Arguments of `schemaplan check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The desired schema: a .sql file or a directory of them.
    #[arg(long, value_name = "PATH", default_value = "schema")]
    desired: PathBuf,
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    plans: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Also prove the offline reading right: schema/ and plans/ are read offline and on
    /// a dev database, and the offline catalogs, created on a scratch database, must
    /// introspect equal to the exact ones.
    #[arg(long)]
    verify: bool,
}

/// One problem check found.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// plans/ cannot be read as a DAG.
    BrokenPlans {
        /// The error, naming file and line.
        message: String,
    },
    /// A revision's body no longer matches its checksum.
    Edited {
        /// The revision.
        id: String,
        /// Its file.
        path: String,
        /// The checksum in its header.
        recorded: String,
        /// The checksum of its body now.
        actual: String,
    },
    /// Several heads.
    SeveralHeads {
        /// Each head as `id (message)`.
        heads: Vec<String>,
        /// Where they fork.
        fork_points: Vec<String>,
    },
    /// `--verify`: the offline reading of schema/ or plans/ is not what PostgreSQL makes
    /// of them.
    OfflineMismatch {
        /// `schema` or `plans`.
        source: String,
        /// What the offline reading gets wrong, one change per line.
        differences: Vec<String>,
    },
    /// schema/ declares something plans/ does not build.
    OutOfSync {
        /// The SQL of the missing revision.
        missing_plan: String,
        /// Its hazards.
        hazards: Vec<&'static str>,
    },
}

impl Finding {
    /// One paragraph: what is wrong and the command that fixes it.
    fn explain(&self, desired: &str, plans: &str) -> String {
        match self {
            Finding::BrokenPlans { message } => format!(
                "{plans} is broken: {message}\nfix the revision file (git log shows who changed it)"
            ),
            Finding::Edited {
                id,
                path,
                recorded,
                actual,
            } => format!(
                "{path}: revision {id} was edited after it was planned (checksum {recorded} in its header, {actual} now)\n\
                 restore it (git checkout) and put the change in a new revision: schemaplan plan -m MSG"
            ),
            Finding::SeveralHeads { heads, fork_points } => format!(
                "{plans} has {} heads: {}{}\nrun `schemaplan merge` to join them",
                heads.len(),
                heads.join(", "),
                if fork_points.is_empty() {
                    String::new()
                } else {
                    format!(" (forked from {})", fork_points.join(" and "))
                }
            ),
            Finding::OfflineMismatch {
                source,
                differences,
            } => format!(
                "the offline reading of {} differs from PostgreSQL's:\n{}\nplan with --mode exact (or --dev-url) until this is fixed",
                if source == "schema" { desired } else { plans },
                differences
                    .iter()
                    .map(|d| format!("    {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            Finding::OutOfSync { .. } => format!(
                "{desired} and {plans} are out of sync: {desired} declares changes no revision makes\n\
                 run `schemaplan plan -m MSG` to write the missing revision:"
            ),
        }
    }
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    ok: bool,
    mode: &'a str,
    findings: &'a [Finding],
    newest: Vec<JsonRevision<'a>>,
}

#[derive(Serialize)]
struct JsonRevision<'a> {
    id: &'a str,
    message: &'a str,
    path: String,
    hazards: Vec<&'static str>,
}

/// Runs `check`.
pub async fn run(ctx: &Context, args: CheckArgs) -> anyhow::Result<Outcome> {
    let desired = Source::parse(&args.desired.display().to_string())?;
    let (findings, history, mode) = match dir::load(&args.plans) {
        Err(e) => (
            vec![Finding::BrokenPlans {
                message: e.to_string(),
            }],
            History::default(),
            "nothing replayed: plans/ could not be read".to_string(),
        ),
        Ok(history) => {
            let mut findings = Vec::new();
            for r in history.in_order().filter(|r| r.is_edited()) {
                findings.push(Finding::Edited {
                    id: r.id.0.clone(),
                    path: r.path.display().to_string(),
                    recorded: r.checksum.clone(),
                    actual: r.actual_checksum(),
                });
            }
            let div = divergence(&history);
            if let Some(d) = &div {
                findings.push(Finding::SeveralHeads {
                    heads: d
                        .heads
                        .iter()
                        .map(|h| match history.get(h) {
                            Some(r) => format!("{h} ({})", r.message),
                            None => h.to_string(),
                        })
                        .collect(),
                    fork_points: d.fork_points.iter().map(|f| f.0.clone()).collect(),
                });
            }
            let (read_mode, cluster) = ctx.mode(None).await?;
            let mode = format!("checked in {}", read_mode.describe());
            ctx.status(&format!(
                "replaying {} and loading {desired}",
                args.plans.display()
            ));
            let loaded = async {
                // With several heads, the branches in DAG order; when they cannot both
                // be applied, the several-heads finding already says what to do.
                let current = match crate::source::replay_in(history.in_order(), &read_mode).await {
                    Ok(c) => Some(c),
                    Err(_) if div.is_some() => None,
                    Err(e) => return Err(e.into()),
                };
                let wanted = crate::source::load_in(&desired, &read_mode, &ctx.filter).await?;
                anyhow::Ok((current, wanted))
            }
            .await;
            if let Some(c) = cluster {
                tokio::task::spawn_blocking(move || c.stop()).await?;
            }
            let (current, wanted) = loaded?;
            if let Some(mut current) = current {
                ctx.filter.apply(&mut current);
                let missing: Plan = super::plan::plan_changes(&current, &wanted, true)?;
                if !missing.is_empty() {
                    findings.push(Finding::OutOfSync {
                        missing_plan: missing.to_string(),
                        hazards: missing.hazards().iter().map(|h| h.name()).collect(),
                    });
                }
            }
            let mut mode = mode;
            if args.verify {
                let (server, cluster) = ctx.dev_server(None).await?;
                let verified = verify(&desired, &history, &server, &ctx.filter).await;
                if let Some(c) = cluster {
                    tokio::task::spawn_blocking(move || c.stop()).await?;
                }
                let mismatches = verified?;
                if mismatches.is_empty() {
                    mode.push_str(&format!(
                        "; verified: the offline reading of {} and {} equals PostgreSQL's (dev server {}:{})",
                        args.desired.display(),
                        args.plans.display(),
                        server.host(),
                        server.port()
                    ));
                }
                findings.extend(mismatches);
            }
            (findings, history, mode)
        }
    };
    let newest: Vec<&Revision> = history.heads();
    let desired_label = args.desired.display().to_string();
    let plans_label = args.plans.display().to_string();
    match args.format {
        CheckFormat::Json => output::print_json(&JsonCheck {
            ok: findings.is_empty(),
            mode: &mode,
            findings: &findings,
            newest: newest
                .iter()
                .map(|r| JsonRevision {
                    id: &r.id.0,
                    message: &r.message,
                    path: r.path.display().to_string(),
                    hazards: r.hazards.iter().map(|h| h.name()).collect(),
                })
                .collect(),
        })?,
        CheckFormat::Text => {
            let mut out = String::new();
            for f in &findings {
                out.push_str(&format!("✗ {}\n", f.explain(&desired_label, &plans_label)));
                if let Finding::OutOfSync { missing_plan, .. } = f {
                    for line in missing_plan.trim_end().lines() {
                        out.push_str(&format!("    {line}\n"));
                    }
                }
                out.push('\n');
            }
            if findings.is_empty() {
                out.push_str(&format!(
                    "✓ {plans_label} is in sync with {desired_label}: {} revision(s), one head, no edited revision\n",
                    history.len()
                ));
            }
            out.push_str(&format!("{mode}\n"));
            output::print(&out)?;
        }
        CheckFormat::Markdown => output::print(&markdown(
            &findings,
            &newest,
            &desired_label,
            &plans_label,
            &mode,
        ))?,
    }
    Ok(if findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

/// `--verify`: reads schema/ and plans/ both ways. Each offline catalog's creation
/// script runs on a scratch database; introspected, it must equal the exact catalog.
async fn verify(
    desired: &Source,
    history: &History,
    server: &crate::connect::DbUrl,
    filter: &crate::source::SchemaFilter,
) -> anyhow::Result<Vec<Finding>> {
    use crate::source::{load_in, replay_in, Mode};
    let exact = Mode::Exact(server.clone());
    let mut found = Vec::new();
    let pairs = [
        (
            "schema",
            load_in(desired, &Mode::Offline, filter).await?,
            load_in(desired, &exact, filter).await?,
        ),
        (
            "plans",
            replay_in(history.in_order(), &Mode::Offline).await?,
            replay_in(history.in_order(), &exact).await?,
        ),
    ];
    for (source, offline, mut expected) in pairs {
        filter.apply(&mut expected);
        let script = crate::render::creation_plan(&offline)?.to_string();
        let statements =
            crate::parse::split_script(std::path::Path::new("offline-creation.sql"), &script, 1)?;
        let mut built = crate::source::run_scripts(&[statements], server).await?;
        filter.apply(&mut built);
        let differences: Vec<String> = crate::diff::diff(&expected, &built)
            .iter()
            .map(crate::plan::merge::describe)
            .collect();
        if !differences.is_empty() {
            found.push(Finding::OfflineMismatch {
                source: source.to_string(),
                differences,
            });
        }
    }
    Ok(found)
}

/// Hazards that lose data or block writes, which a reviewer must not miss.
fn severe(h: &Hazard) -> bool {
    matches!(
        h,
        Hazard::DataLoss | Hazard::TableRewrite | Hazard::NotReversible
    )
}

fn hazard_badges(hazards: &[&'static str], severe_names: &[&'static str]) -> String {
    hazards
        .iter()
        .map(|h| {
            if severe_names.contains(h) {
                format!("⚠️ **{h}**")
            } else {
                format!("`{h}`")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A pull-request comment: the verdict, what check found, and the newest revision with
/// its hazards and its up SQL.
fn markdown(
    findings: &[Finding],
    newest: &[&Revision],
    desired: &str,
    plans: &str,
    mode: &str,
) -> String {
    let severe_names: Vec<&'static str> = Hazard::ALL
        .iter()
        .filter(|h| severe(h))
        .map(|h| h.name())
        .collect();
    let mut out = String::from("## schemaplan check\n\n");
    if findings.is_empty() {
        out.push_str(&format!("✅ `{plans}` is in sync with `{desired}`.\n\n"));
    } else {
        out.push_str(&format!("❌ {} problem(s) found.\n\n", findings.len()));
        for f in findings {
            let text = f.explain(desired, plans);
            let mut lines = text.lines();
            if let Some(first) = lines.next() {
                out.push_str(&format!("- **{first}**\n"));
            }
            for l in lines {
                out.push_str(&format!("  {l}\n"));
            }
            if let Finding::OutOfSync {
                missing_plan,
                hazards,
            } = f
            {
                if !hazards.is_empty() {
                    out.push_str(&format!(
                        "  Hazards: {}\n",
                        hazard_badges(hazards, &severe_names)
                    ));
                }
                out.push_str("\n  ```sql\n");
                for l in missing_plan.trim_end().lines() {
                    out.push_str(&format!("  {l}\n"));
                }
                out.push_str("  ```\n");
            }
        }
        out.push('\n');
    }
    for r in newest {
        out.push_str(&format!(
            "### Newest revision: `{}` {}\n\n",
            r.id, r.message
        ));
        let names: Vec<&'static str> = r.hazards.iter().map(|h| h.name()).collect();
        if names.is_empty() {
            out.push_str("No hazards.\n\n");
        } else {
            out.push_str(&format!(
                "Hazards: {}\n\n",
                hazard_badges(&names, &severe_names)
            ));
        }
        if !r.transactional {
            out.push_str(
                "Runs outside a transaction (`transaction: none`), statement by statement.\n\n",
            );
        }
        if let Ok(up) = r.up() {
            out.push_str("<details><summary>up SQL</summary>\n\n```sql\n");
            for s in up {
                out.push_str(s.sql.trim());
                out.push_str(";\n");
            }
            out.push_str("```\n\n</details>\n\n");
        }
    }
    out.push_str(&format!("<sub>{mode}</sub>\n"));
    out
}
