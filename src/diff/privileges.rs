//! Diff of privileges: `GRANT` and `REVOKE` per object (and column), after every other
//! object kind, because what an object's ACL is when the grants run depends on whether
//! the plan drops or creates the object.
//!
//! Rules:
//! - an object the desired catalog lists privileges for gets exactly those;
//! - an object it lists nothing for keeps what it has (privileges are managed per
//!   object, by declaring them), and if the plan drops and creates it again, gets it
//!   all back in the same plan;
//! - an object that is dropped first has its privileges revoked just before, so that
//!   the down section, which creates it again, grants them again after.

use std::collections::BTreeSet;

use crate::model::{AclKind, Catalog, Ident, ObjectId, Privileges, TypeKind};

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
        let in_from = contains(e.from, id);
        let in_to = contains(e.to, id);
        let had = in_from.then(|| {
            e.from
                .privileges
                .get(id)
                .cloned()
                .unwrap_or_else(|| Privileges::default_for(acl_kind(id)))
        });
        let mut current = had.clone();
        if let (Some(h), true) = (&had, dropped.contains(id)) {
            let kind = acl_kind(id);
            let default = Privileges::default_for(kind);
            if *h != default {
                if let Some(c) = alter(e.from, id, h.clone(), default, PrivilegePhase::BeforeDrop) {
                    out.push(c);
                }
            }
            current = None;
        }
        if !in_to {
            continue;
        }
        let kind = acl_kind(id);
        if created.contains(id) {
            current = None;
        }
        let phase = if current.is_some() {
            PrivilegePhase::InPlace
        } else {
            PrivilegePhase::AfterCreate
        };
        let current = current.unwrap_or_else(|| Privileges::default_for(kind));
        let target = match (e.to.privileges.get(id), &had) {
            (Some(p), _) => p.clone(),
            (None, Some(h)) => h.clone(),
            (None, None) => Privileges::default_for(kind),
        };
        if current != target {
            if let Some(c) = alter(e.to, id, current, target, phase) {
                out.push(c);
            }
        }
    }
    e.changes.extend(out);
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

/// PostgreSQL's default ACL kind for an object.
fn acl_kind(id: &ObjectId) -> AclKind {
    match id {
        ObjectId::Function(_) => AclKind::Routine,
        ObjectId::Type(_) => AclKind::Type,
        _ => AclKind::Owner,
    }
}

/// The change, with how `GRANT` names the object, when the catalog holds it.
fn alter(
    c: &Catalog,
    id: &ObjectId,
    from: Privileges,
    to: Privileges,
    phase: PrivilegePhase,
) -> Option<Change> {
    let (on, column) = grant_target(c, id)?;
    Some(Change::AlterPrivileges {
        object: id.clone(),
        on,
        column,
        from,
        to,
        phase,
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
