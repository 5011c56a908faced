//! `CREATE [OR REPLACE] RULE`.

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{ObjectId, Rule, TriggerEnabled};
use crate::offline::expr::{deparse_stmt, string_nodes, strings, walk_mut};

use super::Interp;

impl<'c> Interp<'c> {
    /// `CREATE [OR REPLACE] RULE name AS ON event TO relation [WHERE ...] DO [ALSO |
    /// INSTEAD] actions`, kept as the normalized statement.
    pub(super) fn create_rule(&mut self, s: &protobuf::RuleStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("a rule without its relation"))?;
        let table = self.find_table_or_view(rv)?;
        let key = (table.clone(), s.rulename.clone());
        if self.cat.rules.contains_key(&key) && !s.replace {
            return Err(self.rejected(format!(
                "rule \"{}\" for relation \"{}\" already exists",
                s.rulename, table.name
            )));
        }
        let mut stmt = s.clone();
        stmt.replace = false;
        if let Some(r) = stmt.relation.as_mut() {
            r.schemaname = table.schema.clone();
            r.relname = table.name.clone();
            r.location = -1;
        }
        let mut deps = vec![ObjectId::Table(table.clone())];
        if self.cat.views.contains_key(&table) {
            deps[0] = ObjectId::View(table.clone());
        }
        // The relation an action writes to, with its schema (a field of the statement,
        // which the expression walk does not reach).
        for a in stmt.actions.iter_mut() {
            let mut target: Option<crate::model::QualName> = None;
            let rv = match a.node.as_mut() {
                Some(NodeEnum::InsertStmt(i)) => i.relation.as_mut(),
                Some(NodeEnum::UpdateStmt(u)) => u.relation.as_mut(),
                Some(NodeEnum::DeleteStmt(d)) => d.relation.as_mut(),
                _ => None,
            };
            if let Some(rv) = rv {
                if let Some(q) = self.relation(&rv.schemaname, &rv.relname) {
                    if self.cat.tables.contains_key(&q) {
                        deps.push(ObjectId::Table(q.clone()));
                    } else if self.cat.views.contains_key(&q) {
                        deps.push(ObjectId::View(q.clone()));
                    }
                    rv.schemaname = q.schema.clone();
                    rv.relname = q.name.clone();
                    target = Some(q);
                }
            }
            // PostgreSQL prints the written relation's columns qualified in an
            // action's conditions and values (`WHERE accounts.id = old.id`).
            let columns: Vec<String> = target
                .as_ref()
                .and_then(|q| self.cat.tables.get(q))
                .map(|t| t.columns.keys().cloned().collect())
                .unwrap_or_default();
            let relname = target.as_ref().map(|q| q.name.clone()).unwrap_or_default();
            let qualify = |n: &mut Node| {
                walk_mut(n, &mut |x| {
                    if let NodeEnum::ColumnRef(c) = x {
                        let names = strings(&c.fields);
                        if let [col] = names.as_slice() {
                            if columns.contains(col) {
                                c.fields = string_nodes(&[&relname, col]);
                            }
                        }
                    }
                })
            };
            match a.node.as_mut() {
                Some(NodeEnum::UpdateStmt(u)) => {
                    if let Some(w) = u.where_clause.as_deref_mut() {
                        qualify(w);
                    }
                    for t in u.target_list.iter_mut() {
                        if let Some(NodeEnum::ResTarget(r)) = t.node.as_mut() {
                            if let Some(v) = r.val.as_deref_mut() {
                                qualify(v);
                            }
                        }
                    }
                }
                Some(NodeEnum::DeleteStmt(d)) => {
                    if let Some(w) = d.where_clause.as_deref_mut() {
                        qualify(w);
                    }
                }
                _ => {}
            }
        }
        let saved = self.scope.replace(Self::table_scope(&table));
        for n in stmt
            .where_clause
            .iter_mut()
            .map(|w| w.as_mut())
            .chain(stmt.actions.iter_mut())
        {
            deps.extend(self.expr_deps(n, Some(&table)));
            self.normalize(n);
        }
        self.scope.replace(saved);
        let definition = deparse_stmt(NodeEnum::RuleStmt(Box::new(stmt)))
            .ok_or_else(|| self.unsupported("a rule the deparser cannot print"))?;
        let comment = self.cat.rules.get(&key).and_then(|r| r.comment.clone());
        let mut rule = Rule {
            table,
            name: s.rulename.clone(),
            definition,
            enabled: TriggerEnabled::Origin,
            comment,
            deps: Default::default(),
        };
        rule.deps.extend(deps);
        self.cat.rules.insert(key, rule);
        Ok(())
    }
}
