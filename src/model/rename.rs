//! Renames in a [`Catalog`], as PostgreSQL's `ALTER ... RENAME` leaves its own catalog:
//! the object under its new name, and every definition and dependency that names it
//! respelled.
//!
//! One implementation for both users: the offline interpreter (an `ALTER ... RENAME`
//! statement) and the diff's rename hints (a rename carried out in a copy of the
//! current catalog). Definitions are text, so respelling is textual: a name is
//! replaced where it stands whole ([`replace_name`]). Does no I/O.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{
    not_null_name, Catalog, Column, Deps, Ident, NotNullConstraint, ObjectId, QualName,
    ReplicaIdentity, TypeKind,
};

/// What [`Catalog::rename_relation`] renames: a relation, or a type (types and
/// relations are the schema-qualified objects a rename gives a sibling name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenameKind {
    /// A table (plain, partitioned or partition).
    Table,
    /// A view or materialized view.
    View,
    /// A sequence.
    Sequence,
    /// An index: one of `Catalog::indexes`, or the index behind a constraint.
    Index,
    /// An enum, domain or composite type.
    Type,
    /// A collation.
    Collation,
}

impl Catalog {
    /// Renames the `kind` of object called `old` to `new` (in the same schema) and
    /// respells it wherever it is named: dependencies, definitions that spell it
    /// qualified (`public.users`, `'public.users_id_seq'` for a sequence), and for a
    /// table or view what hangs off it (indexes, triggers, foreign keys, partitions,
    /// children, owned sequences). False when nothing of that kind is called `old`.
    ///
    /// Renaming an index that stands behind a constraint renames the constraint, as
    /// PostgreSQL does.
    pub fn rename_relation(&mut self, kind: RenameKind, old: &QualName, new: &QualName) -> bool {
        let (old_text, new_text) = (old.to_string(), new.to_string());
        match kind {
            RenameKind::Table | RenameKind::View => {
                if kind == RenameKind::Table {
                    let Some(mut shared) = self.tables.remove(old) else {
                        return false;
                    };
                    let t = Arc::make_mut(&mut shared);
                    if *self.keeps_not_null_names {
                        for c in t.columns.values_mut() {
                            pin_not_null_name(&old.name, c);
                        }
                    }
                    t.name = new.clone();
                    self.tables.insert(new.clone(), shared);
                    rekey_table(&mut self.inherited_not_null_names, old, new, |_| {});
                } else {
                    let Some(mut v) = self.views.remove(old) else {
                        return false;
                    };
                    v.name = new.clone();
                    self.views.insert(new.clone(), v);
                }
                self.move_relation(old, new);
                self.rename_ids(|id| relation_renamed(id, old, new));
                self.respell_everywhere(&old_text, &new_text);
            }
            RenameKind::Sequence => {
                let Some(mut s) = self.sequences.remove(old) else {
                    return false;
                };
                s.name = new.clone();
                self.sequences.insert(new.clone(), s);
                let (o, n) = (
                    ObjectId::Sequence(old.clone()),
                    ObjectId::Sequence(new.clone()),
                );
                self.rename_ids(|id| (*id == o).then(|| n.clone()));
                // Sequences are named in `nextval('public.s'::regclass)`.
                self.respell_everywhere(&format!("'{old_text}'"), &format!("'{new_text}'"));
            }
            RenameKind::Index => {
                if let Some(mut i) = self.indexes.remove(old) {
                    i.definition = i.definition.replacen(
                        &format!("INDEX {} ON", Ident(&old.name)),
                        &format!("INDEX {} ON", Ident(&new.name)),
                        1,
                    );
                    i.name = new.clone();
                    if let Some(t) = self.table_mut(&i.table) {
                        if t.replica_identity.index() == Some(old.name.as_str()) {
                            t.replica_identity = ReplicaIdentity::Index(new.name.clone());
                        }
                    }
                    self.indexes.insert(new.clone(), i);
                    let (o, n) = (ObjectId::Index(old.clone()), ObjectId::Index(new.clone()));
                    self.rename_ids(|id| (*id == o).then(|| n.clone()));
                    return true;
                }
                // An index behind a constraint: the constraint is renamed with it.
                let table = self
                    .tables
                    .values()
                    .find(|t| {
                        t.name.schema == old.schema
                            && t.constraints
                                .get(&old.name)
                                .is_some_and(|c| c.kind.has_index())
                    })
                    .map(|t| t.name.clone());
                return table.is_some_and(|t| self.rename_constraint(&t, &old.name, &new.name));
            }
            RenameKind::Type => {
                let Some(mut t) = self.types.remove(old) else {
                    return false;
                };
                t.name = new.clone();
                self.types.insert(new.clone(), t);
                let (o, n) = (ObjectId::Type(old.clone()), ObjectId::Type(new.clone()));
                self.rename_ids(|id| (*id == o).then(|| n.clone()));
                self.respell_everywhere(&old_text, &new_text);
            }
            RenameKind::Collation => {
                let Some(mut c) = self.collations.remove(old) else {
                    return false;
                };
                c.name = new.clone();
                self.collations.insert(new.clone(), c);
                let (o, n) = (
                    ObjectId::Collation(old.clone()),
                    ObjectId::Collation(new.clone()),
                );
                self.rename_ids(|id| (*id == o).then(|| n.clone()));
                self.respell_everywhere(&old_text, &new_text);
                self.respell_collations(&old_text, &new_text);
            }
        }
        true
    }

    /// Columns, domains and attributes with the collation `old` (as spelled in the
    /// model) take `new`.
    fn respell_collations(&mut self, old: &str, new: &str) {
        for t in self.tables_mut() {
            for c in t.columns.values_mut() {
                respell_collation(&mut c.collation, old, new);
            }
        }
        for t in self.types.values_mut() {
            match &mut t.kind {
                TypeKind::Domain { collation, .. } => respell_collation(collation, old, new),
                TypeKind::Composite { attributes } => attributes
                    .iter_mut()
                    .for_each(|a| respell_collation(&mut a.collation, old, new)),
                TypeKind::Enum { .. } => {}
            }
        }
    }

    /// Renames a table's column, in the table and in the inheritance children and
    /// partitions that have it (PostgreSQL renames those too), and respells it where
    /// PostgreSQL's catalog would show the new name: the table's constraints, indexes,
    /// policies and generated columns, the referenced columns of foreign keys to the
    /// table, sequences owned by the column, and dependencies. False when the table has
    /// no such column.
    ///
    /// Views keep their text: PostgreSQL keeps a view's column names when a column it
    /// reads is renamed (`SELECT t.new AS old`), which no respelling of the text gives.
    pub fn rename_column(&mut self, table: &QualName, old: &str, new: &str) -> bool {
        let Some(t) = self.tables.get_mut(table).map(Arc::make_mut) else {
            return false;
        };
        let Some(c) = t.columns.get_mut(old) else {
            return false;
        };
        if *self.keeps_not_null_names {
            pin_not_null_name(&table.name, c);
            // A child's NOT NULL from its parent keeps its name too: the parent's, or
            // the child's own default from before the rename.
            if c.not_null && *c.inherited && c.not_null_constraint.is_none() {
                let names = &mut self.inherited_not_null_names;
                let kept = names
                    .remove(&(table.clone(), old.to_string()))
                    .unwrap_or_else(|| not_null_name(&table.name, old));
                if kept != not_null_name(&table.name, new) {
                    names.insert((table.clone(), new.to_string()), kept);
                }
            }
        }
        c.name = new.to_string();
        let (o, n) = (Ident(old).to_string(), Ident(new).to_string());
        let own = t
            .constraints
            .iter_mut()
            .chain(t.inherited_constraints.iter_mut());
        for (_, c) in own {
            c.definition = if c.references.as_ref() == Some(table) {
                respell_foreign_key(&c.definition, &o, &n, true, true)
            } else if c.references.is_some() {
                respell_foreign_key(&c.definition, &o, &n, true, false)
            } else {
                replace_name(&c.definition, &o, &n)
            };
        }
        for c in t.columns.values_mut() {
            if let Some(g) = c.generated.as_mut() {
                *g = replace_name(g, &o, &n).into();
            }
        }
        for (_, p) in t.policies.iter_mut() {
            for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                *e = replace_name(e, &o, &n);
            }
        }
        // An index's columns follow `USING`; before it stands its name, which may be
        // spelled like the column.
        let index_columns = |d: &mut String| {
            if let Some(at) = d.find(" USING ") {
                let (head, tail) = d.split_at(at);
                *d = format!("{head}{}", replace_name(tail, &o, &n));
            }
        };
        for (_, i) in t.inherited_indexes.iter_mut() {
            index_columns(&mut i.definition);
        }
        for i in self.indexes.values_mut().filter(|i| i.table == *table) {
            index_columns(&mut i.definition);
        }
        for p in self.publications.values_mut() {
            if let Some(t) = p.tables.get_mut(table) {
                t.columns
                    .iter_mut()
                    .filter(|c| c.as_str() == old)
                    .for_each(|c| *c = new.to_string());
                if let Some(w) = t.row_filter.as_mut() {
                    *w = replace_name(w, &o, &n);
                }
            }
        }
        for x in self.statistics.values_mut().filter(|x| x.table == *table) {
            x.columns
                .iter_mut()
                .filter(|c| **c == o)
                .for_each(|c| *c = n.clone());
            x.expressions
                .iter_mut()
                .for_each(|e| *e = replace_name(e, &o, &n));
        }
        // Foreign keys elsewhere that reference the column.
        for other in self
            .tables
            .values_mut()
            .filter(|x| x.name != *table)
            .map(Arc::make_mut)
        {
            let theirs = other
                .constraints
                .iter_mut()
                .chain(other.inherited_constraints.iter_mut());
            for (_, c) in theirs.filter(|(_, c)| c.references.as_ref() == Some(table)) {
                c.definition = respell_foreign_key(&c.definition, &o, &n, false, true);
            }
        }
        for s in self.sequences.values_mut() {
            if let Some((t, col)) = s.owned_by.as_mut() {
                if t == table && col == old {
                    *col = new.to_string();
                }
            }
        }
        let (o, n) = (
            ObjectId::Column(table.clone(), old.to_string()),
            ObjectId::Column(table.clone(), new.to_string()),
        );
        self.rename_ids(|id| (*id == o).then(|| n.clone()));
        let children: Vec<QualName> = self
            .tables
            .values()
            .filter(|t| {
                t.inherits.contains(table)
                    || t.partition_of.as_ref().is_some_and(|p| p.parent == *table)
            })
            .filter(|t| t.columns.contains_key(old))
            .map(|t| t.name.clone())
            .collect();
        for child in children {
            self.rename_column(&child, old, new);
        }
        true
    }

    /// Renames a table's constraint and the dependencies on it. False when the table
    /// has no such constraint.
    pub fn rename_constraint(&mut self, table: &QualName, old: &str, new: &str) -> bool {
        let Some(c) = self
            .table_mut(table)
            .and_then(|t| t.constraints.remove(old))
        else {
            return self.rename_not_null(table, old, new);
        };
        let mut c = c;
        c.name = new.to_string();
        if let Some(t) = self.table_mut(table) {
            t.constraints.insert(new.to_string(), c);
            // The constraint's index is renamed with it and stays the identity.
            if t.replica_identity.index() == Some(old) {
                t.replica_identity = ReplicaIdentity::Index(new.to_string());
            }
        }
        let (o, n) = (
            ObjectId::Constraint(table.clone(), old.to_string()),
            ObjectId::Constraint(table.clone(), new.to_string()),
        );
        self.rename_ids(|id| (*id == o).then(|| n.clone()));
        true
    }

    /// Renames a column's NOT NULL constraint (PostgreSQL 18) called `old`; false when
    /// no column's is.
    fn rename_not_null(&mut self, table: &QualName, old: &str, new: &str) -> bool {
        let Some(t) = self.table_mut(table) else {
            return false;
        };
        let Some(c) = t.columns.values_mut().find(|c| {
            c.not_null && !*c.inherited && c.not_null_constraint_name(&table.name) == old
        }) else {
            return false;
        };
        let (not_valid, no_inherit) = c
            .not_null_constraint
            .as_ref()
            .map_or((false, false), |k| (k.not_valid, k.no_inherit));
        c.not_null_constraint =
            NotNullConstraint::of(&table.name, &c.name, new, not_valid, no_inherit);
        true
    }

    /// Renames an enum's label and respells it as a literal (`'meh'`) in the
    /// definitions. False when the type is no enum with that label.
    pub fn rename_enum_value(&mut self, type_name: &QualName, old: &str, new: &str) -> bool {
        let Some(TypeKind::Enum { labels }) = self.types.get_mut(type_name).map(|t| &mut t.kind)
        else {
            return false;
        };
        let Some(label) = labels.iter_mut().find(|l| *l == old) else {
            return false;
        };
        *label = new.to_string();
        self.respell_everywhere(&literal(old), &literal(new));
        true
    }

    /// Moves what hangs off a table or view to its new name: indexes, triggers,
    /// foreign keys to it, partitions and children, sequences owned by its columns.
    fn move_relation(&mut self, old: &QualName, new: &QualName) {
        let rename = |q: &mut QualName| {
            if q == old {
                *q = new.clone();
            }
        };
        for t in self.tables_mut() {
            for (_, c) in t
                .constraints
                .iter_mut()
                .chain(t.inherited_constraints.iter_mut())
            {
                if let Some(r) = c.references.as_mut() {
                    rename(r);
                }
            }
            if let Some(p) = t.partition_of.as_mut() {
                rename(&mut p.parent);
            }
            t.inherits.iter_mut().for_each(rename);
            for (_, i) in t.inherited_indexes.iter_mut() {
                rename(&mut i.table);
            }
        }
        for x in self.statistics.values_mut() {
            rename(&mut x.table);
        }
        for p in self.publications.values_mut() {
            if let Some(t) = p.tables.remove(old) {
                p.tables.insert(new.clone(), t);
            }
        }
        rekey_table(&mut self.rules, old, new, |r| r.table = new.clone());
        for i in self.indexes.values_mut() {
            rename(&mut i.table);
        }
        let keys: Vec<(QualName, String)> = self
            .triggers
            .keys()
            .filter(|(t, _)| t == old)
            .cloned()
            .collect();
        for key in keys {
            if let Some(mut trigger) = self.triggers.remove(&key) {
                trigger.table = new.clone();
                self.triggers.insert((new.clone(), key.1), trigger);
            }
        }
        for s in self.sequences.values_mut() {
            if let Some((t, _)) = s.owned_by.as_mut() {
                rename(t);
            }
        }
    }

    /// Replaces ids in every object's dependencies: `renamed` gives the new id of an
    /// id that changes.
    fn rename_ids(&mut self, renamed: impl Fn(&ObjectId) -> Option<ObjectId>) {
        let fix = |d: &mut Deps| {
            if d.iter().any(|x| renamed(x).is_some()) {
                d.0 = d
                    .iter()
                    .map(|x| renamed(x).unwrap_or_else(|| x.clone()))
                    .collect();
            }
        };
        for t in self.tables_mut() {
            fix(&mut t.deps);
            for c in t.columns.values_mut() {
                fix(&mut c.deps);
                fix(&mut c.default_deps);
            }
            for (_, c) in t
                .constraints
                .iter_mut()
                .chain(t.inherited_constraints.iter_mut())
            {
                fix(&mut c.deps);
            }
            for (_, i) in t.inherited_indexes.iter_mut() {
                fix(&mut i.deps);
            }
            for (_, p) in t.policies.iter_mut() {
                fix(&mut p.deps);
            }
        }
        for i in self.indexes.values_mut() {
            fix(&mut i.deps);
        }
        for v in self.views.values_mut() {
            fix(&mut v.deps);
        }
        for f in self.functions.values_mut() {
            fix(&mut f.deps);
        }
        for t in self.triggers.values_mut() {
            fix(&mut t.deps);
        }
        for t in self.types.values_mut() {
            fix(&mut t.deps);
        }
        for s in self.sequences.values_mut() {
            fix(&mut s.deps);
        }
        // An object's ACL, the grants others made on it and its owner go with it.
        rekey(&mut self.privileges, &renamed);
        rekey(&mut self.foreign_grants, &renamed);
        rekey(&mut self.owners, &renamed);
    }

    /// Respells a qualified name or a literal in every definition and type name that
    /// can spell it. Function bodies are left alone: PostgreSQL keeps their text.
    fn respell_everywhere(&mut self, old: &str, new: &str) {
        let fix = |s: &mut String| *s = replace_name(s, old, new);
        for t in self.tables_mut() {
            for c in t.columns.values_mut() {
                fix(&mut c.type_name);
                c.default.iter_mut().for_each(fix);
                if let Some(g) = c.generated.as_mut() {
                    *g = replace_name(g, old, new).into();
                }
            }
            for (_, c) in t
                .constraints
                .iter_mut()
                .chain(t.inherited_constraints.iter_mut())
            {
                fix(&mut c.definition);
            }
            for (_, i) in t.inherited_indexes.iter_mut() {
                fix(&mut i.definition);
            }
            for (_, p) in t.policies.iter_mut() {
                p.using
                    .iter_mut()
                    .chain(p.with_check.iter_mut())
                    .for_each(fix);
            }
        }
        for i in self.indexes.values_mut() {
            fix(&mut i.definition);
        }
        for v in self.views.values_mut() {
            fix(&mut v.definition);
            for c in v.columns.iter_mut() {
                fix(&mut c.type_name);
            }
        }
        for t in self.triggers.values_mut() {
            fix(&mut t.definition);
        }
        for r in self.rules.values_mut() {
            fix(&mut r.definition);
        }
        for t in self.types.values_mut() {
            match &mut t.kind {
                TypeKind::Domain {
                    base,
                    default,
                    checks,
                    ..
                } => {
                    fix(base);
                    default.iter_mut().for_each(fix);
                    for (_, c) in checks.iter_mut() {
                        fix(&mut c.definition);
                    }
                }
                TypeKind::Composite { attributes } => {
                    for a in attributes.iter_mut() {
                        fix(&mut a.type_name);
                    }
                }
                TypeKind::Enum { .. } => {}
            }
        }
    }
}

/// The id with `old` replaced by `new` when it is the relation or belongs to it (a
/// column, constraint, trigger or policy of it).
fn relation_renamed(id: &ObjectId, old: &QualName, new: &QualName) -> Option<ObjectId> {
    if id.relation() != Some(old) {
        return None;
    }
    let n = new.clone();
    Some(match id {
        ObjectId::Table(_) => ObjectId::Table(n),
        ObjectId::View(_) => ObjectId::View(n),
        ObjectId::Column(_, c) => ObjectId::Column(n, c.clone()),
        ObjectId::Constraint(_, c) => ObjectId::Constraint(n, c.clone()),
        ObjectId::Trigger(_, t) => ObjectId::Trigger(n, t.clone()),
        ObjectId::Policy(_, p) => ObjectId::Policy(n, p.clone()),
        other => other.clone(),
    })
}

/// Respells a column in a foreign key's definition: in its own part (`FOREIGN KEY (a)`,
/// `ON DELETE SET NULL (a)`) when `own`, in the referenced column list
/// (`REFERENCES t(a)`) when `referenced`.
fn respell_foreign_key(
    definition: &str,
    old: &str,
    new: &str,
    own: bool,
    referenced: bool,
) -> String {
    let fix = |s: &str, yes: bool| {
        if yes {
            replace_name(s, old, new)
        } else {
            s.to_string()
        }
    };
    // (head)(REFERENCES table)((columns))(tail)
    let Some(at) = definition.find(" REFERENCES ") else {
        return fix(definition, own);
    };
    let Some(open) = definition[at..].find('(').map(|o| at + o) else {
        return fix(definition, own);
    };
    let Some(close) = definition[open..].find(')').map(|c| open + c) else {
        return fix(definition, own);
    };
    format!(
        "{}{}{}{}",
        fix(&definition[..at], own),
        &definition[at..open],
        fix(&definition[open..close], referenced),
        fix(&definition[close..], own)
    )
}

/// A string literal as PostgreSQL prints one: quoted, quotes doubled.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Replaces `old` by `new` in `text` where it stands as a whole name: not inside a
/// longer identifier or a quoted one (`"my name"`), and not qualified by something
/// else (`x.name`). Where `old` itself starts or ends with a quote of a literal
/// (`'public.s'`), that end needs no boundary.
fn replace_name(text: &str, old: &str, new: &str) -> String {
    if old.is_empty() || old == new || !text.contains(old) {
        return text.to_string();
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '"';
    let first_is_ident = old.chars().next().is_some_and(ident);
    let last_is_ident = old.chars().next_back().is_some_and(ident);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        out.push_str(&rest[..at]);
        // What precedes is what has been written, replacements included.
        let before = out.chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        let joined_before = first_is_ident && before.is_some_and(|c| ident(c) || c == '.');
        let joined_after = last_is_ident && after.is_some_and(ident);
        if joined_before || joined_after {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

/// Moves the entries of a per-object map whose object is renamed to its new id.
fn rekey<V>(map: &mut super::ObjectMap<V>, renamed: impl Fn(&ObjectId) -> Option<ObjectId>) {
    if map.keys().any(|k| renamed(k).is_some()) {
        let all = std::mem::take(&mut map.0);
        map.0 = all
            .into_iter()
            .map(|(k, v)| (renamed(&k).unwrap_or(k), v))
            .collect();
    }
}

/// Moves the entries of a map keyed by (table, name) from table `old` to `new`, with
/// `fix` applied to each value moved.
fn rekey_table<V>(
    map: &mut BTreeMap<(QualName, String), V>,
    old: &QualName,
    new: &QualName,
    mut fix: impl FnMut(&mut V),
) {
    let moved: Vec<(QualName, String)> = map.keys().filter(|(t, _)| t == old).cloned().collect();
    for key in moved {
        if let Some(mut value) = map.remove(&key) {
            fix(&mut value);
            map.insert((new.clone(), key.1), value);
        }
    }
}

/// PostgreSQL 18 keeps a NOT NULL constraint's name when its table or column is
/// renamed: the name it had from the old ones becomes its own.
fn pin_not_null_name(table: &str, column: &mut Column) {
    if column.not_null && column.not_null_constraint.is_none() && !*column.inherited {
        column.not_null_constraint = Some(Box::new(NotNullConstraint {
            name: not_null_name(table, &column.name),
            not_valid: false,
            no_inherit: false,
        }));
    }
}

/// A collation spelled `old` becomes `new` (a column holds it as a `Box<str>`, a domain
/// and a composite type's attribute as a `String`).
fn respell_collation<S>(collation: &mut Option<S>, old: &str, new: &str)
where
    S: std::ops::Deref<Target = str> + for<'a> From<&'a str>,
{
    if collation.as_deref() == Some(old) {
        *collation = Some(new.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Constraint, ConstraintKind, Index, Policy, Table, Type};

    #[test]
    fn names_are_replaced_whole() {
        assert_eq!(
            replace_name("REFERENCES public.t(id), public.tt", "public.t", "public.u"),
            "REFERENCES public.u(id), public.tt"
        );
        assert_eq!(
            replace_name("lower(name) || name_x", "name", "nom"),
            "lower(nom) || name_x"
        );
        assert_eq!(replace_name("t.name, name", "name", "nom"), "t.name, nom");
        assert_eq!(
            replace_name("\"my name\", name", "name", "nom"),
            "\"my name\", nom"
        );
        assert_eq!(replace_name("aa a", "a", "b"), "aa b");
        assert_eq!(
            replace_name("nextval('public.s'::regclass)", "'public.s'", "'public.t'"),
            "nextval('public.t'::regclass)"
        );
    }

    fn constraint(name: &str, kind: ConstraintKind, definition: &str) -> Constraint {
        Constraint {
            name: name.into(),
            kind,
            definition: definition.into(),
            validated: true,
            references: None,
            comment: None,
            deps: Deps::default(),
        }
    }

    /// `public.users (id, email)` with a primary key and an index, and
    /// `public.posts (id, author)` with a foreign key to users' `id`.
    fn catalog() -> Catalog {
        let mut cat = Catalog::new_database();
        let users = QualName::new("public", "users");
        let posts = QualName::new("public", "posts");
        let mut t = Table::new(users.clone());
        t.columns.insert(Column::new("id", "bigint"));
        t.columns.insert(Column::new("email", "text"));
        let pk = constraint("users_pkey", ConstraintKind::PrimaryKey, "PRIMARY KEY (id)");
        t.constraints.insert(pk.name.clone(), pk);
        t.policies.insert(
            "own".into(),
            Policy {
                name: "own".into(),
                permissive: true,
                command: "ALL".into(),
                roles: vec!["public".into()],
                using: Some("(email = CURRENT_USER)".into()),
                with_check: None,
                comment: None,
                deps: Deps::default(),
            },
        );
        cat.tables.insert(users.clone(), t.into());
        let mut p = Table::new(posts.clone());
        p.columns.insert(Column::new("id", "bigint"));
        p.columns.insert(Column::new("author", "bigint"));
        let mut fk = constraint(
            "posts_author_fkey",
            ConstraintKind::ForeignKey,
            "FOREIGN KEY (author) REFERENCES public.users(id)",
        );
        fk.references = Some(users.clone());
        fk.deps.insert(ObjectId::Column(users.clone(), "id".into()));
        fk.deps
            .insert(ObjectId::Constraint(users.clone(), "users_pkey".into()));
        p.constraints.insert(fk.name.clone(), fk);
        cat.tables.insert(posts, p.into());
        let email = QualName::new("public", "email");
        cat.indexes.insert(
            email.clone(),
            Index {
                name: email,
                table: users,
                definition: "CREATE INDEX email ON public.users USING btree (email)".into(),
                valid: true,
                comment: None,
                deps: Deps::default(),
            },
        );
        cat
    }

    #[test]
    fn a_renamed_table_is_followed_by_what_names_it() {
        let mut cat = catalog();
        let (users, people) = (
            QualName::new("public", "users"),
            QualName::new("public", "people"),
        );
        assert!(cat.rename_relation(RenameKind::Table, &users, &people));
        assert!(!cat.rename_relation(RenameKind::Table, &users, &people));
        let fk = &cat.tables[&QualName::new("public", "posts")]
            .constraints
            .get("posts_author_fkey")
            .unwrap();
        assert_eq!(
            fk.definition,
            "FOREIGN KEY (author) REFERENCES public.people(id)"
        );
        assert_eq!(fk.references.as_ref(), Some(&people));
        assert!(fk
            .deps
            .contains(&ObjectId::Constraint(people.clone(), "users_pkey".into())));
        assert!(fk
            .deps
            .contains(&ObjectId::Column(people.clone(), "id".into())));
        let index = &cat.indexes[&QualName::new("public", "email")];
        assert_eq!(index.table, people);
        assert_eq!(
            index.definition,
            "CREATE INDEX email ON public.people USING btree (email)"
        );
    }

    #[test]
    fn a_renamed_column_is_respelled_on_its_table_and_in_references() {
        let mut cat = catalog();
        let users = QualName::new("public", "users");
        assert!(cat.rename_column(&users, "email", "mail"));
        assert!(cat.rename_column(&users, "id", "user_id"));
        assert!(!cat.rename_column(&users, "email", "x"));
        let t = &cat.tables[&users];
        assert_eq!(
            t.policies.get("own").unwrap().using.as_deref(),
            Some("(mail = CURRENT_USER)")
        );
        assert_eq!(
            t.constraints.get("users_pkey").unwrap().definition,
            "PRIMARY KEY (user_id)"
        );
        // The index's name is not its column.
        assert_eq!(
            cat.indexes[&QualName::new("public", "email")].definition,
            "CREATE INDEX email ON public.users USING btree (mail)"
        );
        let fk = &cat.tables[&QualName::new("public", "posts")]
            .constraints
            .get("posts_author_fkey")
            .unwrap();
        assert_eq!(
            fk.definition,
            "FOREIGN KEY (author) REFERENCES public.users(user_id)"
        );
        assert!(fk.deps.contains(&ObjectId::Column(users, "user_id".into())));
    }

    #[test]
    fn a_foreign_key_keeps_the_referenced_column_when_its_own_is_renamed() {
        let mut cat = catalog();
        let posts = QualName::new("public", "posts");
        let mut fk = constraint(
            "posts_id_fkey",
            ConstraintKind::ForeignKey,
            "FOREIGN KEY (id) REFERENCES public.users(id)",
        );
        fk.references = Some(QualName::new("public", "users"));
        let t = cat.table_mut(&posts).unwrap();
        t.constraints.insert(fk.name.clone(), fk);
        assert!(cat.rename_column(&posts, "id", "post_id"));
        assert_eq!(
            cat.tables[&posts]
                .constraints
                .get("posts_id_fkey")
                .unwrap()
                .definition,
            "FOREIGN KEY (post_id) REFERENCES public.users(id)"
        );
    }

    #[test]
    fn a_renamed_type_is_respelled_in_column_and_view_types() {
        let mut cat = catalog();
        let (mood, feeling) = (
            QualName::new("public", "mood"),
            QualName::new("public", "feeling"),
        );
        cat.types.insert(
            mood.clone(),
            Type {
                name: mood.clone(),
                kind: TypeKind::Enum {
                    labels: vec!["ok".into(), "meh".into()],
                },
                comment: None,
                deps: Deps::default(),
            },
        );
        let users = QualName::new("public", "users");
        let mut c = Column::new("mood", "public.mood[]");
        c.deps.insert(ObjectId::Type(mood.clone()));
        cat.table_mut(&users).unwrap().columns.insert(c);
        let v = QualName::new("public", "v");
        cat.views.insert(
            v.clone(),
            crate::model::View {
                name: v.clone(),
                materialized: false,
                definition: "SELECT mood FROM public.users".into(),
                columns: vec![crate::model::ViewColumn {
                    name: "mood".into(),
                    type_name: "public.mood[]".into(),
                }],
                options: Vec::new(),
                comment: None,
                column_comments: Default::default(),
                deps: Deps::default(),
            },
        );
        assert!(cat.rename_relation(RenameKind::Type, &mood, &feeling));
        let col = &cat.tables[&users].columns["mood"];
        assert_eq!(col.type_name, "public.feeling[]");
        assert!(col.deps.contains(&ObjectId::Type(feeling.clone())));
        assert_eq!(cat.views[&v].columns[0].type_name, "public.feeling[]");
        assert!(cat.rename_enum_value(&feeling, "meh", "so-so"));
        assert!(!cat.rename_enum_value(&feeling, "meh", "so-so"));
    }
}
