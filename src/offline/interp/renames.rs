//! `ALTER ... RENAME`: the object renamed, and every definition and dependency that
//! names it respelled.

use pg_query::protobuf::{self, ObjectType};

use crate::error::{Error, Result};
use crate::model::{Deps, Ident, ObjectId, QualName};

use super::Interp;

impl<'c> Interp<'c> {
    pub(super) fn rename(&mut self, s: &protobuf::RenameStmt) -> Result<()> {
        let kind = ObjectType::try_from(s.rename_type).unwrap_or_default();
        match kind {
            ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectSequence
            | ObjectType::ObjectIndex => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a name"))?;
                let old = self
                    .lookup(&rv.schemaname, &rv.relname, |q| {
                        self.is_relation(q) || self.cat.indexes.contains_key(q)
                    })
                    .ok_or_else(|| self.missing(format!("relation {}", rv.relname)))?;
                let new = old.sibling(s.newname.clone());
                self.rename_relation(&old, &new);
            }
            ObjectType::ObjectColumn => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.find_table_or_view(rv)?;
                self.rename_column(&table, &s.subname, &s.newname)?;
            }
            ObjectType::ObjectTabconstraint => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.find_table(rv)?;
                let err = self.missing(format!("constraint {}", s.subname));
                let t = self.table_mut(&table)?;
                let mut c = t.constraints.remove(&s.subname).ok_or(err)?;
                c.name = s.newname.clone();
                t.constraints.insert(c.name.clone(), c);
            }
            ObjectType::ObjectTrigger => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.find_table_or_view(rv)?;
                let err = self.missing(format!("trigger {}", s.subname));
                let mut t = self
                    .cat
                    .triggers
                    .remove(&(table.clone(), s.subname.clone()))
                    .ok_or(err)?;
                t.definition = t.definition.replacen(
                    &format!("TRIGGER {} ", Ident(&s.subname)),
                    &format!("TRIGGER {} ", Ident(&s.newname)),
                    1,
                );
                t.name = s.newname.clone();
                self.cat.triggers.insert((table, s.newname.clone()), t);
            }
            ObjectType::ObjectPolicy => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.find_table(rv)?;
                let err = self.missing(format!("policy {}", s.subname));
                let t = self.table_mut(&table)?;
                let mut p = t.policies.remove(&s.subname).ok_or(err)?;
                p.name = s.newname.clone();
                t.policies.insert(p.name.clone(), p);
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let names = self.list_name(s.object.as_deref());
                let old = self
                    .user_type(&names)
                    .filter(|q| self.cat.types.contains_key(q))
                    .ok_or_else(|| self.missing(format!("type {}", names.join("."))))?;
                let new = old.sibling(s.newname.clone());
                let mut t = self.cat.types.remove(&old).expect("exists");
                t.name = new.clone();
                self.cat.types.insert(new.clone(), t);
                self.replace_everywhere(
                    &old.to_string(),
                    &new.to_string(),
                    &ObjectId::Type(old.clone()),
                    &ObjectId::Type(new.clone()),
                );
            }
            ObjectType::ObjectSchema => {
                if self.cat.object_count() > self.cat.schemas.len() + self.cat.extensions.len()
                    && self.cat.tables.keys().any(|t| t.schema == s.subname)
                {
                    return Err(self.unsupported("renaming a schema that holds tables"));
                }
                let mut sch = self
                    .cat
                    .schemas
                    .remove(&s.subname)
                    .ok_or_else(|| self.missing(format!("schema {}", s.subname)))?;
                sch.name = s.newname.clone();
                self.cat.schemas.insert(sch.name.clone(), sch);
            }
            _ => return Err(self.unsupported(format!("ALTER ... RENAME of {kind:?}"))),
        }
        Ok(())
    }

    /// Rewrites a name in every definition and dependency that mentions it.
    fn replace_everywhere(
        &mut self,
        old_text: &str,
        new_text: &str,
        old_id: &ObjectId,
        new_id: &ObjectId,
    ) {
        let fix_deps = |d: &mut Deps| {
            if d.contains(old_id) {
                d.0 = d
                    .iter()
                    .map(|x| {
                        if x == old_id {
                            new_id.clone()
                        } else {
                            x.clone()
                        }
                    })
                    .collect();
            }
        };
        for t in self.cat.tables.values_mut() {
            fix_deps(&mut t.deps);
            for c in t.columns.values_mut() {
                c.type_name = replace_name(&c.type_name, old_text, new_text);
                if let Some(d) = c.default.as_mut() {
                    *d = replace_name(d, old_text, new_text);
                }
                fix_deps(&mut c.deps);
                fix_deps(&mut c.default_deps);
            }
            for (_, c) in t.constraints.iter_mut() {
                c.definition = replace_name(&c.definition, old_text, new_text);
                fix_deps(&mut c.deps);
            }
            for (_, p) in t.policies.iter_mut() {
                fix_deps(&mut p.deps);
                for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                    *e = replace_name(e, old_text, new_text);
                }
            }
        }
        for i in self.cat.indexes.values_mut() {
            i.definition = replace_name(&i.definition, old_text, new_text);
            fix_deps(&mut i.deps);
        }
        for v in self.cat.views.values_mut() {
            v.definition = replace_name(&v.definition, old_text, new_text);
            for c in v.columns.iter_mut() {
                c.type_name = replace_name(&c.type_name, old_text, new_text);
            }
            fix_deps(&mut v.deps);
        }
        for t in self.cat.triggers.values_mut() {
            t.definition = replace_name(&t.definition, old_text, new_text);
            fix_deps(&mut t.deps);
        }
        for f in self.cat.functions.values_mut() {
            fix_deps(&mut f.deps);
        }
        for t in self.cat.types.values_mut() {
            fix_deps(&mut t.deps);
        }
    }

    fn rename_relation(&mut self, old: &QualName, new: &QualName) {
        let old_text = old.to_string();
        let new_text = new.to_string();
        if let Some(mut t) = self.cat.tables.remove(old) {
            t.name = new.clone();
            self.cat.tables.insert(new.clone(), t);
            for t in self.cat.tables.values_mut() {
                for (_, c) in t.constraints.iter_mut() {
                    if c.references.as_ref() == Some(old) {
                        c.references = Some(new.clone());
                    }
                }
                if let Some(p) = t.partition_of.as_mut() {
                    if p.parent == *old {
                        p.parent = new.clone();
                    }
                }
                for p in t.inherits.iter_mut() {
                    if p == old {
                        *p = new.clone();
                    }
                }
            }
            for i in self.cat.indexes.values_mut() {
                if i.table == *old {
                    i.table = new.clone();
                }
            }
            let triggers: Vec<(QualName, String)> = self
                .cat
                .triggers
                .keys()
                .filter(|(t, _)| t == old)
                .cloned()
                .collect();
            for k in triggers {
                let mut t = self.cat.triggers.remove(&k).expect("listed");
                t.table = new.clone();
                self.cat.triggers.insert((new.clone(), k.1), t);
            }
            for s in self.cat.sequences.values_mut() {
                if let Some((t, _)) = s.owned_by.as_mut() {
                    if t == old {
                        *t = new.clone();
                    }
                }
            }
            let cols: Vec<String> = self.cat.tables[new].columns.keys().cloned().collect();
            for c in cols {
                self.replace_everywhere(
                    "",
                    "",
                    &ObjectId::Column(old.clone(), c.clone()),
                    &ObjectId::Column(new.clone(), c),
                );
            }
            self.replace_everywhere(
                &old_text,
                &new_text,
                &ObjectId::Table(old.clone()),
                &ObjectId::Table(new.clone()),
            );
        } else if let Some(mut v) = self.cat.views.remove(old) {
            v.name = new.clone();
            self.cat.views.insert(new.clone(), v);
            self.replace_everywhere(
                &old_text,
                &new_text,
                &ObjectId::View(old.clone()),
                &ObjectId::View(new.clone()),
            );
        } else if let Some(mut s) = self.cat.sequences.remove(old) {
            s.name = new.clone();
            self.cat.sequences.insert(new.clone(), s);
            let quoted_old = format!("'{old_text}'");
            let quoted_new = format!("'{new_text}'");
            self.replace_everywhere(
                &quoted_old,
                &quoted_new,
                &ObjectId::Sequence(old.clone()),
                &ObjectId::Sequence(new.clone()),
            );
        } else if let Some(mut i) = self.cat.indexes.remove(old) {
            i.definition = i.definition.replacen(
                &format!("INDEX {} ON", Ident(&old.name)),
                &format!("INDEX {} ON", Ident(&new.name)),
                1,
            );
            i.name = new.clone();
            self.cat.indexes.insert(new.clone(), i);
        } else {
            // An index behind a constraint: the constraint is renamed with it.
            for t in self.cat.tables.values_mut() {
                if t.name.schema == old.schema {
                    if let Some(mut c) = t.constraints.remove(&old.name) {
                        c.name = new.name.clone();
                        t.constraints.insert(c.name.clone(), c);
                    }
                }
            }
        }
    }

    fn rename_column(&mut self, table: &QualName, old: &str, new: &str) -> Result<()> {
        if let Some(t) = self.cat.tables.get_mut(table) {
            let c = t.columns.get_mut(old).ok_or_else(|| Error::Unsupported {
                what: format!("{}: column {old} does not exist", self.loc),
            })?;
            c.name = new.to_string();
            let old_id = Ident(old).to_string();
            let new_id = Ident(new).to_string();
            for (_, c) in t.constraints.iter_mut() {
                c.definition = replace_name(&c.definition, &old_id, &new_id);
            }
            for c in t.columns.values_mut() {
                if let Some(g) = c.generated.as_mut() {
                    *g = replace_name(g, &old_id, &new_id);
                }
            }
            for (_, p) in t.policies.iter_mut() {
                for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                    *e = replace_name(e, &old_id, &new_id);
                }
            }
            for i in self.cat.indexes.values_mut() {
                if i.table == *table {
                    if let Some(at) = i.definition.find(" USING ") {
                        let (head, tail) = i.definition.split_at(at);
                        i.definition = format!("{head}{}", replace_name(tail, &old_id, &new_id));
                    }
                }
            }
            let o = ObjectId::Column(table.clone(), old.to_string());
            let n = ObjectId::Column(table.clone(), new.to_string());
            self.replace_everywhere("", "", &o, &n);
            // Foreign keys elsewhere that reference the column.
            let pattern = format!("REFERENCES {table}");
            for t in self.cat.tables.values_mut() {
                for (_, c) in t.constraints.iter_mut() {
                    if c.references.as_ref() == Some(table) {
                        if let Some(at) = c.definition.find(&pattern) {
                            let (head, tail) = c.definition.split_at(at + pattern.len());
                            c.definition =
                                format!("{head}{}", replace_name(tail, &old_id, &new_id));
                        }
                    }
                }
            }
            Ok(())
        } else if let Some(v) = self.cat.views.get_mut(table) {
            let c = v
                .columns
                .iter_mut()
                .find(|c| c.name == old)
                .ok_or_else(|| Error::Unsupported {
                    what: format!("{}: column {old} does not exist", self.loc),
                })?;
            c.name = new.to_string();
            Err(self.unsupported("renaming a view column (the view's query text changes)"))
        } else {
            Err(self.missing(format!("relation {table}")))
        }
    }
}

/// Replaces `old` by `new` in `text` where it stands as a whole name (not followed or
/// preceded by an identifier character).
fn replace_name(text: &str, old: &str, new: &str) -> String {
    if old.is_empty() || old == new {
        return text.to_string();
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '"';
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| ident(c) || c == '.') || after.is_some_and(ident) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_replaced_whole() {
        assert_eq!(
            replace_name("REFERENCES public.t(id), public.tt", "public.t", "public.u"),
            "REFERENCES public.u(id), public.tt"
        );
    }
}
