//! `ALTER ... RENAME`: finds the object the statement names; renaming it and
//! respelling what names it is [`Catalog::rename_relation`] and its siblings, which the
//! diff's rename hints use too.
//!
//! [`Catalog::rename_relation`]: crate::model::Catalog::rename_relation

use pg_query::protobuf::{self, ObjectType};

use crate::error::{Error, Result};
use crate::model::{Ident, RenameKind, View};

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
                let kind = if self.cat.tables.contains_key(&old) {
                    RenameKind::Table
                } else if self.cat.views.contains_key(&old) {
                    RenameKind::View
                } else if self.cat.sequences.contains_key(&old) {
                    RenameKind::Sequence
                } else {
                    RenameKind::Index
                };
                self.cat.rename_relation(kind, &old, &new);
            }
            ObjectType::ObjectColumn => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.find_table_or_view(rv)?;
                let no_column = || Error::Unsupported {
                    what: format!("{}: column {} does not exist", self.loc, s.subname),
                };
                if self.cat.tables.contains_key(&table) {
                    if !self.cat.rename_column(&table, &s.subname, &s.newname) {
                        return Err(no_column());
                    }
                } else {
                    let has = |v: &View| v.columns.iter().any(|c| c.name == s.subname);
                    if !self.cat.views.get(&table).is_some_and(has) {
                        return Err(no_column());
                    }
                    return Err(
                        self.unsupported("renaming a view column (the view's query text changes)")
                    );
                }
            }
            ObjectType::ObjectTabconstraint => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.find_table(rv)?;
                if !self.cat.rename_constraint(&table, &s.subname, &s.newname) {
                    return Err(self.missing(format!("constraint {}", s.subname)));
                }
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
                self.cat.rename_relation(RenameKind::Type, &old, &new);
            }
            ObjectType::ObjectCollation => {
                let names = self.list_name(s.object.as_deref());
                let (sch, n) = super::split2(&names).unwrap_or_default();
                let old = self
                    .lookup(sch, n, |q| self.cat.collations.contains_key(q))
                    .ok_or_else(|| self.missing(format!("collation {}", names.join("."))))?;
                let new = old.sibling(s.newname.clone());
                self.cat.rename_relation(RenameKind::Collation, &old, &new);
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
}
