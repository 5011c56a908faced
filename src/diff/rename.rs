//! Rename hints: renames are never guessed. The desired schema says
//! `-- schemaplan: rename public.users.fullname -> full_name`, and the plan renames
//! instead of dropping and creating (which loses the data).
//!
//! The hints' syntax is [`crate::parse::RenameHint`]'s.
//!
//! [`apply_hints`] checks each hint against the two catalogs, renames in a copy of the
//! current one (and in the definitions that spell the old name), and returns the
//! rename changes; the ordinary diff then compares that copy with the desired catalog.
//! A hint already carried out (the new name exists, the old one is gone) is skipped; a
//! hint that matches nothing is an error naming it.

use super::Change;
use crate::error::{Error, Result};
use crate::model::{Catalog, Ident, ObjectId, QualName, TypeKind};
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
pub fn apply_hints(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
) -> Result<(Catalog, Vec<Change>, Vec<String>)> {
    let mut current = from.clone();
    let mut changes = Vec::new();
    let mut used = Vec::new();
    for hint in hints {
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
                        rename_column(&mut current, &t, column, &hint.new);
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
                        let table = current.tables.get_mut(&t).expect("checked above");
                        if let Some(mut c) = table.constraints.remove(name.as_str()) {
                            c.name = hint.new.clone();
                            table.constraints.insert(hint.new.clone(), c);
                        }
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
                        if let Some(TypeKind::Enum { labels }) =
                            current.types.get_mut(&t).map(|x| &mut x.kind)
                        {
                            for l in labels.iter_mut().filter(|l| **l == label) {
                                *l = hint.new.clone();
                            }
                        }
                        replace_everywhere(
                            &mut current,
                            &crate::model::literal(&label),
                            &crate::model::literal(&hint.new),
                        );
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
                        let object = match k {
                            "table" => ObjectId::Table(old.clone()),
                            "view" => ObjectId::View(old.clone()),
                            "index" => ObjectId::Index(old.clone()),
                            _ => ObjectId::Type(old.clone()),
                        };
                        rename_relation(&mut current, k, &old, &new);
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

/// Renames a column and respells it in the definitions on its table.
fn rename_column(c: &mut Catalog, table: &QualName, old: &str, new: &str) {
    let (o, n) = (Ident(old).to_string(), Ident(new).to_string());
    if let Some(t) = c.tables.get_mut(table) {
        if let Some(col) = t.columns.get_mut(old) {
            col.name = new.to_string();
        }
        for (_, con) in t.constraints.iter_mut() {
            con.definition = replace_word(&con.definition, &o, &n);
        }
        for (_, p) in t.policies.iter_mut() {
            p.using = p.using.as_deref().map(|u| replace_word(u, &o, &n));
            p.with_check = p.with_check.as_deref().map(|u| replace_word(u, &o, &n));
        }
    }
    for i in c.indexes.values_mut().filter(|i| &i.table == table) {
        i.definition = replace_word(&i.definition, &o, &n);
    }
    for s in c.sequences.values_mut() {
        if let Some((t, col)) = &mut s.owned_by {
            if t == table && col == old {
                *col = new.to_string();
            }
        }
    }
}

/// Renames a table, view, index or type and respells its qualified name where other
/// definitions use it.
fn rename_relation(c: &mut Catalog, kind: &str, old: &QualName, new: &QualName) {
    match kind {
        "table" => {
            if let Some(mut t) = c.tables.remove(old) {
                t.name = new.clone();
                c.tables.insert(new.clone(), t);
            }
            for i in c.indexes.values_mut().filter(|i| &i.table == old) {
                i.table = new.clone();
            }
            let keys: Vec<_> = c
                .triggers
                .keys()
                .filter(|(t, _)| t == old)
                .cloned()
                .collect();
            for key in keys {
                if let Some(mut trig) = c.triggers.remove(&key) {
                    trig.table = new.clone();
                    c.triggers.insert((new.clone(), key.1), trig);
                }
            }
            for s in c.sequences.values_mut() {
                if let Some((t, _)) = &mut s.owned_by {
                    if t == old {
                        *t = new.clone();
                    }
                }
            }
            for t in c.tables.values_mut() {
                for (_, con) in t.constraints.iter_mut() {
                    if con.references.as_ref() == Some(old) {
                        con.references = Some(new.clone());
                    }
                }
                if let Some(p) = &mut t.partition_of {
                    if &p.parent == old {
                        p.parent = new.clone();
                    }
                }
            }
        }
        "view" => {
            if let Some(mut v) = c.views.remove(old) {
                v.name = new.clone();
                c.views.insert(new.clone(), v);
            }
        }
        "index" => {
            if let Some(mut i) = c.indexes.remove(old) {
                i.definition = replace_word(
                    &i.definition,
                    &Ident(&old.name).to_string(),
                    &Ident(&new.name).to_string(),
                );
                i.name = new.clone();
                c.indexes.insert(new.clone(), i);
            }
        }
        _ => {
            if let Some(mut t) = c.types.remove(old) {
                t.name = new.clone();
                c.types.insert(new.clone(), t);
            }
            // Columns of the type, as introspection spells them.
            let (o, n) = (old.to_string(), new.to_string());
            for t in c.tables.values_mut() {
                for i in 0..t.columns.len() {
                    if let Some(col) = t.columns.get_index_mut(i) {
                        col.type_name = replace_word(&col.type_name, &o, &n);
                        col.default = col.default.as_deref().map(|d| replace_word(d, &o, &n));
                    }
                }
            }
        }
    }
    if kind != "index" {
        replace_everywhere(c, &old.to_string(), &new.to_string());
    }
}

/// Respells a qualified name or a literal in every definition that can spell it.
fn replace_everywhere(c: &mut Catalog, old: &str, new: &str) {
    for t in c.tables.values_mut() {
        for (_, con) in t.constraints.iter_mut() {
            con.definition = replace_word(&con.definition, old, new);
        }
        for i in 0..t.columns.len() {
            if let Some(col) = t.columns.get_index_mut(i) {
                col.default = col.default.as_deref().map(|d| replace_word(d, old, new));
            }
        }
    }
    for i in c.indexes.values_mut() {
        i.definition = replace_word(&i.definition, old, new);
    }
    for v in c.views.values_mut() {
        v.definition = replace_word(&v.definition, old, new);
    }
    for t in c.triggers.values_mut() {
        t.definition = replace_word(&t.definition, old, new);
    }
}

/// Replaces `old` where it stands as a whole word (not inside a longer identifier).
fn replace_word(text: &str, old: &str, new: &str) -> String {
    if old.is_empty() || !text.contains(old) {
        return text.to_string();
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().last().or(prev);
        let after = rest[at + old.len()..].chars().next();
        let starts_word =
            old.chars().next().is_some_and(|c| !ident(c)) || !before.is_some_and(ident);
        let ends_word = old.chars().last().is_some_and(|c| !ident(c)) || !after.is_some_and(ident);
        // Not a column of another table: `x.old`, unless `old` is itself qualified.
        let qualified_elsewhere = !old.contains('.') && before == Some('.');
        out.push_str(&rest[..at]);
        if starts_word && ends_word && !qualified_elsewhere {
            out.push_str(new);
        } else {
            out.push_str(old);
        }
        prev = old.chars().last();
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert_eq!(
            replace_word("lower(name) || name_x", "name", "nom"),
            "lower(nom) || name_x"
        );
        assert_eq!(replace_word("t.name, name", "name", "nom"), "t.name, nom");
        assert_eq!(
            replace_word(
                "REFERENCES public.users(id)",
                "public.users",
                "public.people"
            ),
            "REFERENCES public.people(id)"
        );
        assert_eq!(parts("public.\"My T\".c"), ["public", "My T", "c"]);
    }
}
