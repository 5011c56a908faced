//! Rename hints: renames are never guessed. The desired schema says
//! `-- schemaplan: rename public.users.fullname -> full_name`, and the plan renames
//! instead of dropping and creating (which loses the data).
//!
//! The hints' syntax is [`crate::parse::RenameHint`]'s.
//!
//! [`apply_hints`] checks each hint against the two catalogs, renames in a copy of the
//! current one (with [`Catalog::rename_relation`] and its siblings, which respell the
//! definitions that name the object as the offline interpreter does), and returns the
//! rename changes; the ordinary diff then compares that copy with the desired catalog.
//! A hint already carried out (the new name exists, the old one is gone) is skipped; a
//! hint that matches nothing is an error naming it.
//!
//! A renamed table takes along the names derived from its own
//! ([`follow_table_rename`]): its serial column's sequence (`tags_id_seq` ->
//! `labels_id_seq`; dropping it and creating a new one would restart the numbering under
//! existing rows), and constraints and indexes on it, or foreign keys pointing at it,
//! whose definition is unchanged and whose name alone differs (`pk_tags` -> `pk_labels`,
//! as an ORM's naming convention spells them). Each is matched one to one, or left to
//! the ordinary diff.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::Change;
use crate::error::{Error, Result};
use crate::model::{Catalog, Ident, ObjectId, QualName, RenameKind, TypeKind};
use crate::parse::RenameHint;

/// Splits `public."My Table".col` into its parts, unquoting.
fn parts(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The current catalog with the hints carried out, and the rename changes, in hint
/// order. Hints already carried out are left out; the third value lists the ones used,
/// for the revision header.
pub fn apply_hints<'a>(
    from: &'a Catalog,
    to: &Catalog,
    hints: &[RenameHint],
) -> Result<(Cow<'a, Catalog>, Vec<Change>, Vec<String>)> {
    // Copied only when a hint renames something: a large catalog is most of a plan's
    // memory, and most plans carry no hints.
    let mut current = Cow::Borrowed(from);
    let mut changes = Vec::new();
    let mut used = Vec::new();
    for hint in hints.iter().filter(|h| h.kind.as_deref() != Some("using")) {
        let bad = |what: String| Error::BadRenameHint {
            location: hint.location.clone(),
            what: format!("rename {}: {what}", hint.text()),
        };
        let mut p = parts(&hint.old);
        if p.len() == 1
            || (p.len() == 2
                && matches!(
                    hint.kind.as_deref(),
                    Some("column" | "constraint" | "value")
                ))
        {
            p.insert(0, "public".into());
        }
        let kind = hint
            .kind
            .as_deref()
            .unwrap_or(if p.len() >= 3 { "column" } else { "" });
        let change = match (kind, p.as_slice()) {
            ("column", [schema, table, column]) => {
                let t = QualName::new(schema.as_str(), table.as_str());
                let has = |c: &Catalog, name: &str| {
                    c.tables.get(&t).is_some_and(|x| x.columns.contains_key(name))
                };
                match (has(&current, column), has(to, &hint.new), has(&current, &hint.new)) {
                    (true, true, false) => {
                        current.to_mut().rename_column(&t, column, &hint.new);
                        Some(Change::Rename {
                            object: ObjectId::Column(t, column.clone()),
                            new_name: hint.new.clone(),
                        })
                    }
                    (false, _, true) => None,
                    (false, _, false) => return Err(bad(format!("{t} has no column {column:?}"))),
                    (true, false, _) => {
                        return Err(bad(format!("the desired schema has no column {:?} in {t}", hint.new)))
                    }
                    (true, true, true) => {
                        return Err(bad(format!("{t} already has a column {:?}", hint.new)))
                    }
                }
            }
            ("constraint", [schema, table, name]) => {
                let t = QualName::new(schema.as_str(), table.as_str());
                let has = |c: &Catalog, n: &str| {
                    c.tables.get(&t).is_some_and(|x| x.constraints.contains_key(n))
                };
                match (has(&current, name), has(to, &hint.new), has(&current, &hint.new)) {
                    (true, true, false) => {
                        current.to_mut().rename_constraint(&t, name, &hint.new);
                        Some(Change::Rename {
                            object: ObjectId::Constraint(t, name.clone()),
                            new_name: hint.new.clone(),
                        })
                    }
                    (false, _, true) => None,
                    _ => {
                        return Err(bad(format!(
                            "expected constraint {name:?} on {t} now and {:?} in the desired schema",
                            hint.new
                        )))
                    }
                }
            }
            ("value", [schema, ty, label @ ..]) if !label.is_empty() => {
                let label = label.join(".");
                let t = QualName::new(schema.as_str(), ty.as_str());
                let labels = |c: &Catalog| -> Vec<String> {
                    match c.types.get(&t).map(|x| &x.kind) {
                        Some(TypeKind::Enum { labels }) => labels.clone(),
                        _ => Vec::new(),
                    }
                };
                let (now, want) = (labels(&current), labels(to));
                match (now.contains(&label), want.contains(&hint.new), now.contains(&hint.new)) {
                    (true, true, false) => {
                        current.to_mut().rename_enum_value(&t, &label, &hint.new);
                        Some(Change::RenameEnumValue {
                            type_name: t,
                            from: label,
                            to: hint.new.clone(),
                        })
                    }
                    (false, _, true) => None,
                    _ => {
                        return Err(bad(format!(
                            "expected enum {t} to have the value {label:?} now and {:?} in the desired schema",
                            hint.new
                        )))
                    }
                }
            }
            (kind, [schema, name]) => {
                let old = QualName::new(schema.as_str(), name.as_str());
                let new = old.sibling(hint.new.clone());
                let exists = |c: &Catalog, n: &QualName, k: &str| -> bool {
                    match k {
                        "table" => c.tables.contains_key(n),
                        "view" => c.views.contains_key(n),
                        "index" => c.indexes.contains_key(n),
                        "type" => c.types.contains_key(n),
                        _ => false,
                    }
                };
                let kinds: Vec<&str> = match kind {
                    "" => vec!["table", "view", "index", "type"],
                    k => vec![k],
                };
                let found = kinds.iter().copied().find(|k| exists(&current, &old, k));
                match found {
                    Some(k) if exists(to, &new, k) && !exists(&current, &new, k) => {
                        let (object, kind) = match k {
                            "table" => (ObjectId::Table(old.clone()), RenameKind::Table),
                            "view" => (ObjectId::View(old.clone()), RenameKind::View),
                            "index" => (ObjectId::Index(old.clone()), RenameKind::Index),
                            _ => (ObjectId::Type(old.clone()), RenameKind::Type),
                        };
                        current.to_mut().rename_relation(kind, &old, &new);
                        if kind == RenameKind::Table {
                            used.push(hint.text());
                            changes.push(Change::Rename {
                                object,
                                new_name: hint.new.clone(),
                            });
                            for (c, text) in follow_table_rename(current.to_mut(), to, &new) {
                                used.push(text);
                                changes.push(c);
                            }
                            continue;
                        }
                        Some(Change::Rename {
                            object,
                            new_name: hint.new.clone(),
                        })
                    }
                    Some(k) => {
                        return Err(bad(format!(
                            "the desired schema has no {k} {new}, or {new} exists already"
                        )))
                    }
                    None if kinds.iter().any(|k| exists(&current, &new, k)) => None,
                    None => return Err(bad(format!("nothing is called {old} now"))),
                }
            }
            _ => return Err(bad("cannot tell what the name refers to; write the kind (table, column, index, constraint, type, value) before it".into())),
        };
        if let Some(c) = change {
            used.push(hint.text());
            changes.push(c);
        }
    }
    Ok((current, changes, used))
}

/// The renames a table renamed to `table` implies (see the module's doc), carried out
/// in `current`, each with its text for the revision header.
fn follow_table_rename(
    current: &mut Catalog,
    to: &Catalog,
    table: &QualName,
) -> Vec<(Change, String)> {
    let mut out = Vec::new();
    // Sequences owned by the same column, named differently on each side.
    let owned = |c: &Catalog, other: &Catalog| -> BTreeMap<String, QualName> {
        c.sequences
            .values()
            .filter(|s| !other.sequences.contains_key(&s.name))
            .filter_map(|s| match &s.owned_by {
                Some((t, col)) if t == table => Some((col.clone(), s.name.clone())),
                _ => None,
            })
            .collect()
    };
    let (now, wanted) = (owned(current, to), owned(to, current));
    for (column, old) in &now {
        if let Some(new) = wanted.get(column).filter(|n| n.schema == old.schema) {
            current.rename_relation(RenameKind::Sequence, old, new);
            out.push((
                Change::Rename {
                    object: ObjectId::Sequence(old.clone()),
                    new_name: new.name.clone(),
                },
                format!(
                    "sequence {old} -> {} (follows table {table})",
                    Ident(&new.name)
                ),
            ));
        }
    }
    // Constraints on the table, and foreign keys pointing at it, whose definition is
    // the same under another name.
    let mut tables: Vec<QualName> = vec![table.clone()];
    tables.extend(
        current
            .tables
            .values()
            .filter(|t| &t.name != table)
            .filter(|t| {
                t.constraints
                    .values()
                    .any(|c| c.references.as_ref() == Some(table))
            })
            .map(|t| t.name.clone()),
    );
    for t in &tables {
        let (Some(a), Some(b)) = (current.tables.get(t), to.tables.get(t)) else {
            continue;
        };
        let only = |x: &crate::model::Table, y: &crate::model::Table| -> Vec<(String, String)> {
            x.constraints
                .values()
                .filter(|c| !y.constraints.contains_key(&c.name))
                .filter(|c| t == table || c.references.as_ref() == Some(table))
                .map(|c| (c.name.clone(), format!("{:?} {}", c.kind, c.definition)))
                .collect()
        };
        for (old, new) in one_to_one(&only(a, b), &only(b, a)) {
            current.rename_constraint(t, &old, &new);
            out.push((
                Change::Rename {
                    object: ObjectId::Constraint(t.clone(), old.clone()),
                    new_name: new.clone(),
                },
                format!(
                    "constraint {t}.{} -> {} (follows table {table})",
                    Ident(&old),
                    Ident(&new)
                ),
            ));
        }
    }
    // Indexes on the table with the same definition under another name.
    let indexes = |x: &Catalog, y: &Catalog| -> Vec<(String, String)> {
        x.indexes
            .values()
            .filter(|i| &i.table == table && !y.indexes.contains_key(&i.name))
            .map(|i| (i.name.name.clone(), format!("{:?}", i.shape())))
            .collect()
    };
    for (old, new) in one_to_one(&indexes(current, to), &indexes(to, current)) {
        let old = table.sibling(old);
        current.rename_relation(RenameKind::Index, &old, &table.sibling(new.clone()));
        out.push((
            Change::Rename {
                object: ObjectId::Index(old.clone()),
                new_name: new.clone(),
            },
            format!("index {old} -> {} (follows table {table})", Ident(&new)),
        ));
    }
    out
}

/// Pairs (old name, new name) of the (name, shape) lists whose shape appears exactly
/// once on each side.
fn one_to_one(old: &[(String, String)], new: &[(String, String)]) -> Vec<(String, String)> {
    let once = |list: &[(String, String)], shape: &str| {
        list.iter().filter(|(_, s)| s == shape).count() == 1
    };
    old.iter()
        .filter(|(_, shape)| once(old, shape) && once(new, shape))
        .filter_map(|(name, shape)| {
            new.iter()
                .find(|(_, s)| s == shape)
                .map(|(n, _)| (name.clone(), n.clone()))
        })
        .collect()
}

/// Conversions for column type changes, by (table, column): the `USING` expression the
/// desired schema gives.
pub type Conversions = std::collections::BTreeMap<(QualName, String), String>;

/// The desired schema's `using` hints that apply between `from` (renames carried out)
/// and `to`, and their texts for the revision header. A hint whose column already has
/// its new type is carried out and left out; one naming a column either side lacks is
/// an error naming the hint.
pub fn conversions(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
) -> Result<(Conversions, Vec<String>)> {
    let mut out = Conversions::new();
    let mut used = Vec::new();
    for hint in hints.iter().filter(|h| h.kind.as_deref() == Some("using")) {
        let bad = |what: String| Error::BadRenameHint {
            location: hint.location.clone(),
            what: format!("{}: {what}", hint.text()),
        };
        let mut p = parts(&hint.old);
        if p.len() == 2 {
            p.insert(0, "public".into());
        }
        let [schema, table, column] = p.as_slice() else {
            return Err(bad("expected SCHEMA.TABLE.COLUMN".into()));
        };
        let t = QualName::new(schema.as_str(), table.as_str());
        let column_of = |c: &Catalog| {
            c.tables
                .get(&t)
                .and_then(|x| x.columns.get(column.as_str()))
                .cloned()
        };
        let Some(wanted) = column_of(to) else {
            return Err(bad(format!(
                "the desired schema has no column {column:?} in {t}"
            )));
        };
        match column_of(from) {
            Some(now) if now.type_name != wanted.type_name => {
                out.insert((t, column.clone()), hint.new.clone());
                used.push(hint.text());
            }
            // Carried out already (or the column is new): nothing to convert.
            _ => {}
        }
    }
    Ok((out, used))
}

/// Puts the conversions into the type changes they are for.
pub fn apply_conversions(changes: &mut [Change], conversions: &Conversions) {
    if conversions.is_empty() {
        return;
    }
    for change in changes {
        if let Change::AlterColumn {
            table,
            to,
            what: super::ColumnChange::Type { using },
            ..
        } = change
        {
            if let Some(expr) = conversions.get(&(table.clone(), to.name.clone())) {
                *using = Some(expr.clone());
            }
        }
    }
}

/// The first type change with no conversion where PostgreSQL has no cast, as an error
/// (not yet located in a file).
pub fn check_conversions(changes: &[Change], conversions: &Conversions) -> Result<()> {
    for change in changes {
        if let Change::AlterColumn {
            table,
            from,
            to,
            what: super::ColumnChange::Type { .. },
        } = change
        {
            let key = (table.clone(), to.name.clone());
            if !conversions.contains_key(&key)
                && super::table::no_cast_between(&from.type_name, &to.type_name)
            {
                return Err(Error::NoCast(Box::new(crate::error::NoCast {
                    declared_in: None,
                    table: table.clone(),
                    column: to.name.clone(),
                    from: from.type_name.clone(),
                    to: to.type_name.clone(),
                })));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_and_unquote() {
        assert_eq!(parts("public.\"My T\".c"), ["public", "My T", "c"]);
    }
}
