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

use rustc_hash::FxHashSet;

use crate::model::{
    AclKind, Catalog, DefaultAclKey, DefaultAclKind, ForeignGrant, Ident, ObjectId, ObjectMap,
    PrivilegeMode, Privileges, TypeKind, CURRENT_USER,
};

use super::{disrupt::contains, Change, Emitter, PrivilegePhase};

/// Emits the `AlterPrivileges` changes, given the changes emitted so far.
pub(crate) fn diff_privileges(e: &mut Emitter) {
    let mut ids: BTreeSet<&ObjectId> = e
        .from
        .privileges
        .keys()
        .chain(e.to.privileges.keys())
        .collect();
    let (created, dropped) = if ids.is_empty() && e.to.default_privileges.is_empty() {
        // No object has grants to compare: listing every object the plan creates and
        // drops (the parts of a table with it) was a tenth of a large plan's time.
        Default::default()
    } else {
        created_and_dropped(&e.changes)
    };
    // An object created under default privileges may get grants it should not have.
    if !e.to.default_privileges.is_empty() {
        ids.extend(created.iter().filter(|id| DefaultAclKind::of(id).is_some()));
    }
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
                    Vec::new(),
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
            // What a new object gets: the default privileges the plan sets first.
            None => (
                e.to.default_privileges.for_new(id),
                PrivilegePhase::AfterCreate,
            ),
        };
        if current != target {
            let authz = phase == PrivilegePhase::InPlace && current.loses_to(&target);
            let foreign = match phase {
                PrivilegePhase::InPlace => foreign_revokes(e.from, id, &target),
                _ => Vec::new(),
            };
            if let Some(c) = alter(e.to, id, current, target, phase, authz, foreign) {
                out.push(c);
            }
        }
    }
    let keys: BTreeSet<&DefaultAclKey> = e
        .from
        .default_privileges
        .keys()
        .chain(e.to.default_privileges.keys())
        .collect();
    for key in keys {
        let from = e.from.default_privileges.of(key);
        let to = e.to.default_privileges.of(key);
        if from != to {
            out.push(Change::AlterDefaultPrivileges {
                key: key.clone(),
                authz: from.loses_to(&to),
                from,
                to,
            });
        }
    }
    e.changes.extend(out);
}

/// Emits the `AlterOwner` changes, given the changes emitted so far.
///
/// - An object another role than the plan's owns (the current catalog knows its
///   owner) and that the plan drops is handed to the role running the plan just before
///   (so that the down section gives it back after creating it again).
/// - An object the plan creates (or creates again) is given to the owner the desired
///   catalog declares for it, or, created again, back to the owner it had.
/// - An object that stays changes owner when the desired catalog declares another one
///   (hazard `authz`: the old owner loses every privilege an owner has).
///
/// Objects the desired catalog declares no owner for keep theirs. The `public` schema
/// (the database's own; `pg_database_owner` owns it from PostgreSQL 15) and a sequence
/// owned by a column (its owner follows the table's) are never handed over.
pub(crate) fn diff_owners(e: &mut Emitter) {
    let ids: BTreeSet<&ObjectId> = e.from.owners.keys().chain(e.to.owners.keys()).collect();
    if ids.is_empty() {
        return;
    }
    let (created, dropped) = created_and_dropped(&e.changes);
    let mut out = Vec::new();
    let mut push = |c: &Catalog, id: &ObjectId, from, to, phase| {
        if let Some(on) = owner_target(c, id) {
            out.push(Change::AlterOwner {
                object: id.clone(),
                on,
                from,
                to,
                phase,
            });
        }
    };
    for id in ids {
        if !owner_managed(e.from, id) || !owner_managed(e.to, id) {
            continue;
        }
        let had = owner_in(e.from, id);
        let declared = e.to.owners.get(id).map(|_| owner_in(e.to, id));
        let in_to = contains(e.to, id);
        if dropped.contains(id) {
            if had.is_some() {
                push(e.from, id, had.clone(), None, PrivilegePhase::BeforeDrop);
            }
            if created.contains(id) && in_to {
                if let Some(owner) = declared.unwrap_or(had) {
                    push(e.to, id, None, Some(owner), PrivilegePhase::AfterCreate);
                }
            }
            continue;
        }
        let Some(want) = declared.filter(|_| in_to) else {
            continue;
        };
        if created.contains(id) || !contains(e.from, id) {
            if want.is_some() {
                push(e.to, id, None, want, PrivilegePhase::AfterCreate);
            }
        } else if had != want {
            push(e.to, id, had, want, PrivilegePhase::InPlace);
        }
    }
    e.changes.extend(out);
}

/// The owner a catalog records for an object: `None` for the role that read it (or
/// runs the plan).
fn owner_in(c: &Catalog, id: &ObjectId) -> Option<String> {
    c.owners.get(id).filter(|o| *o != CURRENT_USER).cloned()
}

/// Whether a plan may hand the object to another owner: not the `public` schema, not
/// a sequence owned by a column.
fn owner_managed(c: &Catalog, id: &ObjectId) -> bool {
    match id {
        ObjectId::Schema(s) => s != "public",
        ObjectId::Sequence(q) => c.sequences.get(q).is_none_or(|s| s.owned_by.is_none()),
        _ => true,
    }
}

/// Writes out, on both sides, every owner a plan between the two catalogs decides,
/// so that a diff either way reads them the same: the current catalog records the
/// role running the plan ([`CURRENT_USER`]) as the owner of what it owns and the
/// desired catalog declares an owner for; the desired catalog declares, for what it
/// does not, the owner the object has now. [`diff_owners`] reads a desired catalog's
/// missing owner as "keep", and a current catalog's as "the role running the plan":
/// without this, the down plan (desired to current) would read them the wrong way.
pub fn settle_owners(from: &mut Catalog, to: &mut Catalog) {
    let settled = owners_to_settle(from, to);
    settled.write(from, to);
}

/// The owners [`settle_owners`] writes into each side, found without changing either:
/// a caller holding borrowed catalogs copies one only when something is to be written
/// into it (two databases whose every object has its owner recorded need nothing).
pub fn owners_to_settle(from: &Catalog, to: &Catalog) -> SettledOwners {
    let into_from = to
        .owners
        .keys()
        .filter(|id| from.contains(id) && !from.owners.contains_key(id))
        .map(|id| (id.clone(), CURRENT_USER.to_string()))
        .collect();
    // What the first part writes into `from` are ids `to` has owners for already, so
    // the second part reads `from`'s owners as they were.
    let into_to = from
        .owners
        .iter()
        .filter(|(id, _)| to.contains(id) && !to.owners.contains_key(id))
        .map(|(id, owner)| (id.clone(), owner.clone()))
        .collect();
    SettledOwners { into_from, into_to }
}

/// What [`owners_to_settle`] found: owners to write into the current catalog and into
/// the desired one.
#[derive(Debug, Default)]
pub struct SettledOwners {
    /// (object, owner) for the current catalog.
    pub into_from: Vec<(ObjectId, String)>,
    /// (object, owner) for the desired catalog.
    pub into_to: Vec<(ObjectId, String)>,
}

impl SettledOwners {
    /// Writes the owners into the two catalogs.
    pub fn write(self, from: &mut Catalog, to: &mut Catalog) {
        self.write_from(from);
        self.write_to(to);
    }

    /// Writes the current catalog's part; the desired catalog's is left to
    /// [`SettledOwners::write_to`].
    pub fn write_from(&self, from: &mut Catalog) {
        for (id, owner) in &self.into_from {
            from.owners.insert(id.clone(), owner.clone());
        }
    }

    /// Writes the desired catalog's part.
    pub fn write_to(&self, to: &mut Catalog) {
        for (id, owner) in &self.into_to {
            to.owners.insert(id.clone(), owner.clone());
        }
    }
}

/// `--manage-owners`: every object of the desired catalog that declares no owner is
/// declared to be owned by the role running the plan ([`CURRENT_USER`]), so objects
/// another role owns are handed to it.
pub fn manage_owners(from: &Catalog, to: &mut Catalog) {
    let undeclared: Vec<ObjectId> = from
        .owners
        .keys()
        .filter(|id| to.contains(id) && !to.owners.contains_key(*id))
        .cloned()
        .collect();
    for id in undeclared {
        to.owners.insert(id, CURRENT_USER.to_string());
    }
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
            for (key, had) in from.default_privileges.iter() {
                let wanted = to.default_privileges.of(key);
                to.default_privileges.put(key.clone(), wanted.union(had));
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
            to.default_privileges = from.default_privileges.clone();
        }
    }
    to
}

/// The objects the changes create and drop (the parts of a table or view with it).
///
/// Hashed: the sets are only asked whether they hold an object.
fn created_and_dropped(changes: &[Change]) -> (FxHashSet<ObjectId>, FxHashSet<ObjectId>) {
    let mut created = FxHashSet::default();
    let mut dropped = FxHashSet::default();
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
    foreign: Vec<ForeignGrant>,
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
        foreign,
    })
}

/// The grants another role than the owner made on `id` (in `from`) that `to` takes
/// away: the privilege, or its grant option.
fn foreign_revokes(from: &Catalog, id: &ObjectId, to: &Privileges) -> Vec<ForeignGrant> {
    let Some(grants) = from.foreign_grants.get(id) else {
        return Vec::new();
    };
    grants
        .iter()
        .filter(|g| match to.get(&g.grantee, &g.privilege) {
            None => true,
            Some(option) => g.grantable && !option,
        })
        .cloned()
        .collect()
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
