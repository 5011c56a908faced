//! Plans between two catalogs, and revisions ready to be written: the pieces `plan`,
//! `check`, `merge`, `baseline`, `diff` and `inspect` share.

use std::path::{Path, PathBuf};

use crate::diff::{
    adjust_privileges, apply_conversions, apply_hints, check_conversions, diff, manage_owners,
    owners_to_settle, Change, Conversions,
};
use crate::error::{Error, Result};
use crate::model::{Access, Catalog, PrivilegeMode};
use crate::order::order;
use crate::parse::RenameHint;
use crate::plan::{dir, file, NewRevision, RevisionId};
use crate::render::{
    classify_reverse, fill_revision_id, inverse, render, render_online_owned, render_owned,
    rollback_hazards, Hazard, Plan,
};

/// The up and down plans from one schema to another with rename hints carried out
/// first (so renamed objects keep their data), privileges and owners treated as
/// `access` says, and the hints used.
pub fn plan_with_renames(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
    online: bool,
    access: Access,
) -> Result<(Plan, Plan, Vec<String>)> {
    let (up, down, used) = plan_renamed(from, to, hints, online, access, true)?;
    Ok((up, down.unwrap_or_default(), used))
}

/// The up plan alone, as [`plan_with_renames`] makes it, and the hints used: what
/// `diff` prints. The down plan (a second diff, order and render of the whole schema)
/// is never computed.
pub fn plan_up_with_renames(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
    online: bool,
    access: Access,
) -> Result<(Plan, Vec<String>)> {
    let (up, _, used) = plan_renamed(from, to, hints, online, access, false)?;
    Ok((up, used))
}

/// The up plan, the down plan when `with_down`, and the hints used.
fn plan_renamed(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
    online: bool,
    access: Access,
    with_down: bool,
) -> Result<(Plan, Option<Plan>, Vec<String>)> {
    let (mut renamed, renames, mut used) = apply_hints(from, to, hints)?;
    let (conversions, converted) = crate::diff::conversions(&renamed, to, hints)?;
    used.extend(converted);
    let mut adjusted = adjust_access(&renamed, to, access);
    if !renamed.owners.is_empty() || !to.owners.is_empty() {
        // Owners written out on both sides, so that the down plan gives back what the
        // up plan hands over. A side is copied only when something is written into it:
        // a copy of a large catalog costs as much memory as reading it.
        let settled = owners_to_settle(&renamed, adjusted.as_ref().unwrap_or(to));
        if !settled.into_from.is_empty() {
            settled.write_from(renamed.to_mut());
        }
        if !settled.into_to.is_empty() {
            settled.write_to(adjusted.get_or_insert_with(|| to.clone()));
        }
    }
    let to = adjusted.as_ref().unwrap_or(to);
    let mut up = render(&renames);
    if !with_down {
        let rest = plan_changes(&renamed, to, online, Some(&conversions))?;
        up.preamble.extend(rest.preamble);
        up.steps.extend(rest.steps);
        return Ok((up, None, used));
    }
    // The two directions are independent: plan them side by side.
    let (rest, down) = std::thread::scope(|scope| {
        // The down plan has no conversions: a type change back that no cast covers is
        // marked not reversible there.
        let down = scope.spawn(|| {
            let started = std::time::Instant::now();
            let down = plan_changes(to, &renamed, online, None);
            tracing::debug!("planned down in {:.2?}", started.elapsed());
            down
        });
        let started = std::time::Instant::now();
        let rest = plan_changes(&renamed, to, online, Some(&conversions));
        tracing::debug!("planned up in {:.2?}", started.elapsed());
        let down = down
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rest, down)
    });
    let rest = rest?;
    up.preamble.extend(rest.preamble);
    up.steps.extend(rest.steps);
    let mut down = down?;
    let undo: Vec<Change> = renames.iter().rev().filter_map(inverse).collect();
    down.steps.extend(render(&undo).steps);
    Ok((up, Some(down), used))
}

impl super::Project {
    /// The next revision's up and down plans, from `current` (what plans/ builds) to
    /// `wanted` (the desired schema), with the desired schema's rename hints carried
    /// out, and the hints used. `plan` writes them; `check` requires them to be empty.
    /// Both call this, so a hint that matches nothing fails both with one message.
    pub fn next_plans(
        &self,
        current: &Catalog,
        wanted: &Catalog,
    ) -> Result<(Plan, Plan, Vec<String>)> {
        let hints = crate::parse::read_rename_hints(&self.desired)?;
        warn_ignored_privileges(wanted, self.settings.privileges);
        // A tenant project's template schema is implied: before the first revision it
        // already exists, as each tenant's does.
        let implied;
        let current = match &self.desired.template_schema {
            Some((template, _)) if !current.schemas.contains_key(template) => {
                let mut c = current.clone();
                if let Some(schema) = wanted.schemas.get(template) {
                    c.schemas.insert(template.clone(), schema.clone());
                }
                implied = c;
                &implied
            }
            _ => current,
        };
        let (up, down, renames) = plan_with_renames(
            current,
            wanted,
            &hints,
            self.settings.online,
            self.settings.access(),
        )
        .map_err(|e| crate::parse::locate_error(e, &self.desired))?;
        let (up, down) = if self.settings.recoverable {
            crate::render::recoverable(up, down, current)
        } else {
            (up, down)
        };
        Ok((up, down, renames))
    }
}

/// The desired catalog as a plan from `from` reads it under `access`, when that
/// differs from `to` itself (`--privileges additive|ignore`, `--manage-owners`).
pub fn adjust_access(from: &Catalog, to: &Catalog, access: Access) -> Option<Catalog> {
    if access == Access::default() {
        return None;
    }
    let mut to = adjust_privileges(from, to, access.privileges);
    if access.manage_owners {
        manage_owners(from, &mut to);
    }
    Some(to)
}

/// Under `--privileges ignore`, says once that the desired schema's grants are not
/// applied, when it has any.
pub fn warn_ignored_privileges(wanted: &Catalog, mode: PrivilegeMode) {
    if mode == PrivilegeMode::Ignore && !wanted.privileges.is_empty() {
        tracing::warn!(
            "--privileges ignore: the GRANT and REVOKE statements of the desired schema ({} objects) are not applied; privileges stay as they are",
            wanted.privileges.len()
        );
    }
}

/// The plan from one schema to another, online forms unless `online` is false.
///
/// `conversions`, for a plan forward, are the `using` hints of the desired schema: a
/// type change no cast covers without one is an error ([`Error::NoCast`]).
pub fn plan_changes(
    from: &Catalog,
    to: &Catalog,
    online: bool,
    conversions: Option<&Conversions>,
) -> Result<Plan> {
    let mut changes = diff(from, to);
    if let Some(conversions) = conversions {
        apply_conversions(&mut changes, conversions);
        check_conversions(&changes, conversions)?;
    }
    let changes = order(changes)?;
    Ok(if online {
        render_online_owned(changes, to)
    } else {
        render_owned(changes)
    })
}

/// The plan that builds `catalog` in a new database, in an order that loads as is
/// (what `inspect` writes).
pub fn creation_plan(catalog: &Catalog) -> Result<Plan> {
    Ok(render_owned(creation_changes(catalog)?))
}

/// The changes that build `catalog` in a new database, in the order
/// [`creation_plan`] renders them.
pub fn creation_changes(catalog: &Catalog) -> Result<Vec<Change>> {
    let mut base = Catalog::new_database();
    if !catalog.schemas.contains_key("public") {
        // A database without `public`: start from nothing rather than write a DROP.
        base.schemas.clear();
    }
    order(diff(&base, catalog))
}

/// A revision ready to be written into plans/.
#[derive(Clone, Debug)]
pub struct Planned {
    /// Its id.
    pub id: RevisionId,
    /// Its parents (the heads it follows; several for a merge revision).
    pub parents: Vec<RevisionId>,
    /// Its message.
    pub message: String,
    /// The up plan.
    pub up: Plan,
    /// The down plan.
    pub down: Plan,
    /// The union of the up plan's hazards.
    pub hazards: Vec<Hazard>,
    /// Rename hints carried out, for the header.
    pub renames: Vec<String>,
    /// Whether one transaction can hold its body.
    pub transactional: bool,
    /// The file's whole text.
    pub text: String,
    /// Where it is to be written.
    pub path: PathBuf,
}

impl Planned {
    /// A revision from its plans. `after` is the catalog it ends at when that was
    /// introspected (exact mode): its fingerprint goes into the header for `apply` to
    /// check; offline catalogs carry none. `alembic` lists the Alembic history kept
    /// below a baseline adopted from Alembic.
    pub fn new(
        plans: &Path,
        parents: Vec<RevisionId>,
        message: &str,
        (up, down): (Plan, Plan),
        renames: Vec<String>,
        after: Option<&Catalog>,
        alembic: &[String],
    ) -> Result<Planned> {
        if message.trim().is_empty() {
            // A header with an empty message is refused when read back.
            return Err(Error::Refused {
                message: "a revision needs a message saying what it does: pass -m MSG".to_string(),
            });
        }
        let mut up = up;
        let mut down = classify_reverse(down);
        let now = dir::now();
        let id = dir::new_id(now, &format!("{parents:?}\n{up}\n{down}"));
        // Held objects' names carry the revision id (recoverable drops).
        fill_revision_id(&mut up, &id.0);
        fill_revision_id(&mut down, &id.0);
        let text_up = up.to_string();
        let text_down = down.to_string();
        let created = dir::rfc3339(now);
        let fingerprint = after.map(Catalog::fingerprint).unwrap_or_default();
        // The header carries the up steps' hazards and what rolling back may meet.
        let mut hazards = up.hazards();
        hazards.extend(rollback_hazards(&down));
        let hazards: Vec<Hazard> = hazards.into_iter().collect();
        let new = NewRevision {
            id: &id,
            parents: &parents,
            message,
            created: &created,
            fingerprint: &fingerprint,
            hazards: &hazards,
            renames: &renames,
            alembic,
            up: &text_up,
            down: &text_down,
        };
        let path = plans.join(file::file_name(&id, message));
        // Split the body as apply will, to know whether one transaction can hold it.
        let transactional = new.transactional(&path)?;
        let text = new.render(transactional);
        Ok(Planned {
            id,
            parents,
            message: message.to_string(),
            up,
            down,
            hazards,
            renames,
            transactional,
            text,
            path,
        })
    }

    /// Writes the revision file (creating the plans directory if needed).
    pub fn write(&self) -> Result<&Path> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&self.path, &self.text).map_err(|e| Error::io(&self.path, e))?;
        Ok(&self.path)
    }
}

/// The baseline revision: what creates `live` from an empty database, and its reverse.
/// `alembic` lists the Alembic history kept below a baseline adopted from Alembic.
pub fn baseline_revision(
    plans: &Path,
    message: &str,
    live: &Catalog,
    alembic: &[String],
) -> Result<Planned> {
    let empty = Catalog::new_database();
    let up = render_owned(order(diff(&empty, live))?);
    let down = render_owned(order(diff(live, &empty))?);
    Planned::new(
        plans,
        Vec::new(),
        message,
        (up, down),
        Vec::new(),
        Some(live),
        alembic,
    )
}
