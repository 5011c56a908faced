//! Diff of privileges: `GRANT` and `REVOKE` per object (and column), after every other
//! object kind, because what an object's ACL is when the grants run depends on whether
//! the plan drops or creates the object.
//!
//! Rules:
//! - an object of the desired catalog gets exactly the privileges it lists for it, and
//!   PostgreSQL's default for its kind when it lists none (the catalogs are adjusted
//!   beforehand for `--privileges additive` and `ignore`: [`adjust`]);
//! - an object that is dropped first has its privileges revoked just before, so that
//!   the down section, which creates it again, grants them again after; created again
//!   in the same plan, it gets its privileges back right after.

use std::collections::BTreeSet;

use crate::model::{
    AclKind, Catalog, Ident, ObjectId, ObjectMap, PrivilegeMode, Privileges, TypeKind,
};

use super::{disrupt::contains, Change, Emitter, PrivilegePhase};

/// Emits the `AlterPrivileges` changes, given the changes emitted so far.
pub(crate) fn diff_privileges(e: &mut Emitter) {
    let (created, dropped) = created_and_dropped(&e.changes);
    let ids: BTreeSet<&ObjectId> = e
        .from
        .privileges
        .keys()
        .chain(e.to.privileges.keys())
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let kind = AclKind::of(id);
        let default = Privileges::default_for(kind);
        let in_to = contains(e.to, id);
        let had = contains(e.from, id).then(|| {
            e.from
                .privileges
                .get(id)
                .cloned()
                .unwrap_or_else(|| default.clone())
        });
        let target = in_to.then(|| {
            e.to.privileges
                .get(id)
                .cloned()
                .unwrap_or_else(|| default.clone())
        });
        let mut current = had.clone();
        if let (Some(h), true) = (&had, dropped.contains(id)) {
            if *h != default {
                // Recreated with less than it had: access is lost.
                let authz = target.as_ref().is_some_and(|t| h.loses_to(t));
                if let Some(c) = alter(
                    e.from,
                    id,
                    h.clone(),
                    default.clone(),
                    PrivilegePhase::BeforeDrop,
                    authz,
                ) {
                    out.push(c);
                }
            }
            current = None;
        }
        let Some(target) = target else {
            continue;
        };
        if created.contains(id) {
            current = None;
        }
        let (current, phase) = match current {
            Some(c) => (c, PrivilegePhase::InPlace),
            None => (default, PrivilegePhase::AfterCreate),
        };
        if current != target {
            let authz = phase == PrivilegePhase::InPlace && current.loses_to(&target);
            if let Some(c) = alter(e.to, id, current, target, phase, authz) {
                out.push(c);
            }
        }
    }
    e.changes.extend(out);
}

/// Emits the `AlterOwner` changes, given the changes emitted so far: an object whose
/// owner the current catalog knows (one another role than the plan's owns) and that
/// the plan drops is handed to the role running the plan just before (so the down
/// section gives it back after creating it again), and, created again, is given back
/// to its owner right after.
pub(crate) fn diff_owners(e: &mut Emitter) {
    let (created, dropped) = created_and_dropped(&e.changes);
    let mut out = Vec::new();
    for (id, owner) in e.from.owners.iter() {
        if !dropped.contains(id) {
            continue;
        }
        if let Some(on) = owner_target(e.from, id) {
            out.push(Change::AlterOwner {
                object: id.clone(),
                on,
                from: Some(owner.clone()),
                to: None,
                phase: PrivilegePhase::BeforeDrop,
            });
        }
        if created.contains(id) && contains(e.to, id) {
            if let Some(on) = owner_target(e.to, id) {
                out.push(Change::AlterOwner {
                    object: id.clone(),
                    on,
                    from: None,
                    to: Some(owner.clone()),
                    phase: PrivilegePhase::AfterCreate,
                });
            }
        }
    }
    e.changes.extend(out);
}

/// How `ALTER ... OWNER TO` names an object (`VIEW public.v`, `MATERIALIZED VIEW
/// public.m`, `FUNCTION public.f(a integer)`), when the catalog holds it.
pub(crate) fn owner_target(c: &Catalog, id: &ObjectId) -> Option<String> {
    Some(match id {
        ObjectId::Schema(s) => format!("SCHEMA {}", Ident(s)),
        ObjectId::Table(n) => format!("TABLE {n}"),
        ObjectId::View(n) => {
            let v = c.views.get(n)?;
            let word = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            format!("{word} {n}")
        }
        ObjectId::Sequence(n) => format!("SEQUENCE {n}"),
        ObjectId::Function(k) => {
            let f = c.functions.get(k)?;
            format!("{} {}({})", f.kind.sql(), k.name, k.args)
        }
        ObjectId::Type(n) => {
            let t = c.types.get(n)?;
            let word = match t.kind {
                TypeKind::Domain { .. } => "DOMAIN",
                _ => "TYPE",
            };
            format!("{word} {n}")
        }
        _ => return None,
    })
}

/// The desired catalog as the diff is to read it under `mode`: itself
/// (authoritative); with every privilege the current catalog holds on an object both
/// have added (additive: grant what is missing, never revoke); with the current
/// catalog's privileges instead of its own (ignore: privileges left as they are,
/// restored on objects the plan drops and creates again).
pub fn adjust(from: &Catalog, to: &Catalog, mode: PrivilegeMode) -> Catalog {
    let mut to = to.clone();
    match mode {
        PrivilegeMode::Authoritative => {}
        PrivilegeMode::Additive => {
            for (id, had) in from.privileges.iter() {
                if !to.contains(id) {
                    continue;
                }
                let kind = AclKind::of(id);
                let wanted = to
                    .privileges
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| Privileges::default_for(kind));
                to.privileges.put(id.clone(), kind, wanted.union(had));
            }
        }
        PrivilegeMode::Ignore => {
            let kept = from
                .privileges
                .iter()
                .filter(|(id, _)| to.contains(id))
                .map(|(id, p)| (id.clone(), p.clone()))
                .collect();
            to.privileges = ObjectMap(kept);
        }
    }
    to
}

/// The objects the changes create and drop (the parts of a table or view with it).
fn created_and_dropped(changes: &[Change]) -> (BTreeSet<ObjectId>, BTreeSet<ObjectId>) {
    let mut created = BTreeSet::new();
    let mut dropped = BTreeSet::new();
    for c in changes {
        let id = c.object();
        match c {
            Change::CreateTable { table, .. } => {
                created.extend(
                    table
                        .columns
                        .keys()
                        .map(|k| ObjectId::Column(table.name.clone(), k.clone())),
                );
                created.insert(id);
            }
            Change::CreateView(v) => {
                created.extend(
                    v.columns
                        .iter()
                        .map(|k| ObjectId::Column(v.name.clone(), k.name.clone())),
                );
                created.insert(id);
            }
            Change::CreateSchema(_)
            | Change::CreateType(_)
            | Change::CreateSequence(_)
            | Change::CreateColumn { .. }
            | Change::CreateFunction(_) => {
                created.insert(id);
            }
            Change::DropTable(table) => {
                dropped.extend(
                    table
                        .columns
                        .keys()
                        .map(|k| ObjectId::Column(table.name.clone(), k.clone())),
                );
                dropped.insert(id);
            }
            Change::DropView(v) => {
                dropped.extend(
                    v.columns
                        .iter()
                        .map(|k| ObjectId::Column(v.name.clone(), k.name.clone())),
                );
                dropped.insert(id);
            }
            Change::DropSchema(_)
            | Change::DropType(_)
            | Change::DropSequence(_)
            | Change::DropColumn { .. }
            | Change::DropFunction(_) => {
                dropped.insert(id);
            }
            // A type set aside keeps its ACL under its new name; the type of the old
            // name is a new one.
            Change::RenameType { from, .. } => {
                dropped.insert(ObjectId::Type(from.name.clone()));
            }
            _ => {}
        }
    }
    (created, dropped)
}

/// The change, with how `GRANT` names the object, when the catalog holds it.
fn alter(
    c: &Catalog,
    id: &ObjectId,
    from: Privileges,
    to: Privileges,
    phase: PrivilegePhase,
    authz: bool,
) -> Option<Change> {
    let (on, column) = grant_target(c, id)?;
    Some(Change::AlterPrivileges {
        object: id.clone(),
        on,
        column,
        from,
        to,
        phase,
        authz,
    })
}

/// How `GRANT ... ON` names an object (`TABLE public.t`, `FUNCTION public.f(a
/// integer)`), and the column for a column's privileges.
pub(crate) fn grant_target(c: &Catalog, id: &ObjectId) -> Option<(String, Option<String>)> {
    Some(match id {
        ObjectId::Schema(s) => (format!("SCHEMA {}", Ident(s)), None),
        ObjectId::Table(n) | ObjectId::View(n) => (format!("TABLE {n}"), None),
        ObjectId::Sequence(n) => (format!("SEQUENCE {n}"), None),
        ObjectId::Column(n, col) => (format!("TABLE {n}"), Some(col.clone())),
        ObjectId::Function(k) => {
            let f = c.functions.get(k)?;
            (format!("{} {}({})", f.kind.sql(), k.name, k.args), None)
        }
        ObjectId::Type(n) => {
            let t = c.types.get(n)?;
            let word = match t.kind {
                TypeKind::Domain { .. } => "DOMAIN",
                _ => "TYPE",
            };
            (format!("{word} {n}"), None)
        }
        _ => return None,
    })
}
