//! `schemaplan check`: the pull-request gate. Exit 1 with an explanation when plans/ is
//! broken (a malformed header, a missing parent), a revision was edited after it was
//! planned, plans/ has several heads, or schema/ and plans/ are out of sync (someone
//! edited schema/ without running plan). Exit 0 otherwise.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::plan::Revision;
use crate::project::{CheckReport, Finding};
use crate::render::mermaid::{change_diagram, Diagram};
use crate::render::Hazard;

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
    pub(super) desired: PathBuf,
    /// The plans directory.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub(super) plans: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Also prove the offline reading right: schema/ and plans/ are read offline and on
    /// a dev database, and the offline catalogs, created on a scratch database, must
    /// introspect equal to the exact ones.
    #[arg(long)]
    verify: bool,
    /// Fail (exit 1) when the desired schema holds objects schemaplan does not manage
    /// (rules, aggregates, operators, ...): no plan creates them.
    #[arg(long)]
    strict: bool,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    ok: bool,
    mode: &'a str,
    findings: &'a [Finding],
    unmanaged: &'a [String],
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
    let project = ctx.project(&args.desired, &args.plans)?;
    let report = project.check(args.verify).await?;
    let CheckReport {
        mut findings,
        history,
        mode,
        unmanaged,
        pending,
    } = report;
    if args.strict && !unmanaged.is_empty() {
        findings.push(Finding::Unmanaged {
            objects: unmanaged.clone(),
        });
    } else if args.format == CheckFormat::Text {
        output::warn_unmanaged(&project.desired.to_string(), &unmanaged);
    }
    warn_old_trash(ctx).await;
    let newest: Vec<&Revision> = history.heads();
    let desired_label = project.desired.to_string();
    let plans_label = args.plans.display().to_string();
    match args.format {
        CheckFormat::Json => output::print_json(&JsonCheck {
            ok: findings.is_empty(),
            mode: &mode,
            findings: &findings,
            unmanaged: &unmanaged,
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
        CheckFormat::Markdown => {
            let pending = pending
                .as_ref()
                .and_then(|c| change_diagram(&c.before, &c.after, &c.renames));
            let mut pictures = Vec::new();
            for r in &newest {
                pictures.push(match project.revision_change(&history, &r.id).await {
                    Ok(c) => change_diagram(&c.before, &c.after, &c.renames),
                    Err(e) => {
                        tracing::warn!("cannot draw the tables revision {} changes: {e}", r.id);
                        None
                    }
                });
            }
            output::print(&markdown(
                &findings,
                &newest,
                Pictures {
                    pending: pending.as_ref(),
                    newest: &pictures,
                },
                &desired_label,
                &plans_label,
                &mode,
            ))?
        }
    }
    Ok(if findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Differences
    })
}

/// With `trash_retention` in schemaplan.toml and a database configured: warns about
/// data recoverable drops hold in `schemaplan_trash` for longer than that.
async fn warn_old_trash(ctx: &Context) {
    let Some(retention) = ctx
        .file
        .as_ref()
        .and_then(|f| f.settings.trash_retention.clone())
    else {
        return;
    };
    let (Ok(limit), Some(url)) = (
        crate::project::config::parse_duration(&retention),
        ctx.database.as_ref(),
    ) else {
        return;
    };
    let held = match url.connect().await {
        Ok(client) => crate::apply::trash::list(&client).await,
        Err(e) => Err(e),
    };
    match held {
        Ok(held) => {
            let old: Vec<String> = held
                .iter()
                .filter(|h| h.age_seconds.is_some_and(|a| a > limit.as_secs_f64()))
                .map(|h| format!("{} ({} rows, {})", h.object, h.rows, h.size))
                .collect();
            if !old.is_empty() {
                tracing::warn!(
                    "schemaplan_trash holds data older than trash_retention ({retention}): {}; `schemaplan trash purge --older-than {retention}` drops it for good",
                    old.join(", ")
                );
            }
        }
        Err(e) => tracing::warn!("cannot look at schemaplan_trash for trash_retention: {e}"),
    }
}

/// Hazards that lose data or block writes, which a reviewer must not miss.
fn severe(h: &Hazard) -> bool {
    matches!(
        h,
        Hazard::DataLoss
            | Hazard::TableRewrite
            | Hazard::NotReversible
            | Hazard::Authz
            | Hazard::Replication
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

/// The access the statements change, net: a privilege revoked before a drop and
/// granted again after the object is created again is no change. One line per role,
/// privilege and object: "`sp_app_ro` loses `SELECT` on `TABLE public.tv`".
fn access_lines<'a>(statements: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut net: Vec<crate::parse::AccessChange> = Vec::new();
    // Per object, the owners it is handed to in turn.
    let mut owners: Vec<(String, Vec<String>)> = Vec::new();
    for sql in statements {
        if let Some((object, role)) = crate::parse::owner_change(sql) {
            match owners.iter_mut().find(|(o, _)| *o == object) {
                Some((_, roles)) => roles.push(role),
                None => owners.push((object, vec![role])),
            }
        }
        for c in crate::parse::access_changes(sql) {
            let same = |o: &crate::parse::AccessChange| {
                o.grantee == c.grantee && o.privilege == c.privilege && o.object == c.object
            };
            match net.iter().position(same) {
                Some(i) if net[i].gains != c.gains => {
                    net.remove(i);
                }
                Some(_) => {}
                None => net.push(c),
            }
        }
    }
    let mut lines: Vec<String> = net
        .iter()
        .map(|c| {
            let verb = if c.gains { "gains" } else { "loses" };
            let what = if c.grant_option {
                format!("the grant option of `{}`", c.privilege)
            } else {
                format!("`{}`", c.privilege)
            };
            format!("- `{}` {verb} {what} on `{}`\n", c.grantee, c.object)
        })
        .collect();
    // An object handed to the role applying and then given back is one dropped and
    // created again with its owner: no change.
    for (object, roles) in owners {
        let handed_back = roles.len() > 1 && roles[0] == "CURRENT_USER";
        let Some(last) = roles.last().filter(|_| !handed_back) else {
            continue;
        };
        let who = if last == "CURRENT_USER" {
            "the role applying".to_string()
        } else {
            format!("`{last}`")
        };
        lines.push(format!("- `{object}` is now owned by {who}\n"));
    }
    lines
}

fn access_section(out: &mut String, indent: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    out.push_str(&format!("{indent}**Access changes**\n\n"));
    for l in lines {
        out.push_str(&format!("{indent}{l}"));
    }
}

/// The hazard names a pull-request comment highlights.
fn severe_names() -> Vec<&'static str> {
    Hazard::ALL
        .iter()
        .filter(|h| severe(h))
        .map(|h| h.name())
        .collect()
}

/// A revision's section of a pull-request comment, after its heading: its hazards,
/// whether it runs outside a transaction, the access it changes, the picture of the
/// tables it touches, and its up statements folded away. `up` is `None` when its up
/// section cannot be read.
pub(super) fn revision_markdown(
    out: &mut String,
    hazards: &[&'static str],
    transactional: bool,
    up: Option<&[&str]>,
    picture: Option<&Diagram>,
) {
    if hazards.is_empty() {
        out.push_str("No hazards.\n\n");
    } else {
        out.push_str(&format!(
            "Hazards: {}\n\n",
            hazard_badges(hazards, &severe_names())
        ));
    }
    if !transactional {
        out.push_str(
            "Runs outside a transaction (`transaction: none`), statement by statement.\n\n",
        );
    }
    if let Some(up) = up {
        let lines = access_lines(up.iter().copied());
        access_section(out, "", &lines);
        if !lines.is_empty() {
            out.push('\n');
        }
    }
    if let Some(p) = picture {
        out.push_str(&p.markdown());
        out.push('\n');
    }
    if let Some(up) = up {
        out.push_str("<details><summary>up SQL</summary>\n\n```sql\n");
        for s in up {
            out.push_str(s.trim());
            out.push_str(";\n");
        }
        out.push_str("```\n\n</details>\n\n");
    }
}

/// The pictures in `check`'s comment: of the missing revision when schema/ and plans/
/// are out of sync, and of each newest revision (`None`: it touches no table).
struct Pictures<'a> {
    pending: Option<&'a Diagram>,
    newest: &'a [Option<Diagram>],
}

/// A pull-request comment: the verdict, what check found, and the newest revision with
/// its hazards, a picture of the tables it touches and its up SQL.
fn markdown(
    findings: &[Finding],
    newest: &[&Revision],
    pictures: Pictures<'_>,
    desired: &str,
    plans: &str,
    mode: &str,
) -> String {
    let severe_names = severe_names();
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
                if let Ok(statements) =
                    crate::parse::split_script(std::path::Path::new(plans), missing_plan, 1)
                {
                    let lines = access_lines(statements.iter().map(|s| s.sql.as_str()));
                    if !lines.is_empty() {
                        out.push('\n');
                    }
                    access_section(&mut out, "  ", &lines);
                }
                if let Some(p) = pictures.pending {
                    out.push('\n');
                    for l in p.markdown().lines() {
                        if l.is_empty() {
                            out.push('\n');
                        } else {
                            out.push_str(&format!("  {l}\n"));
                        }
                    }
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
    for (i, r) in newest.iter().enumerate() {
        out.push_str(&format!(
            "### Newest revision: `{}` {}\n\n",
            r.id, r.message
        ));
        let names: Vec<&'static str> = r.hazards.iter().map(|h| h.name()).collect();
        let up = r.up().ok();
        let statements: Option<Vec<&str>> = up
            .as_ref()
            .map(|up| up.iter().map(|s| s.sql.as_str()).collect());
        revision_markdown(
            &mut out,
            &names,
            r.transactional,
            statements.as_deref(),
            pictures.newest.get(i).and_then(Option::as_ref),
        );
    }
    out.push_str(&format!("<sub>{mode}</sub>\n"));
    out
}
