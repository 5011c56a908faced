//! `CREATE TRIGGER`, `CREATE POLICY` and `ALTER POLICY`.

use pg_query::protobuf::{self, Node, RoleSpecType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{DepSet, NotCompared, ObjectId, Policy, Trigger, TriggerEnabled};
use crate::offline::expr::{column_refs, deparse_stmt, string_nodes, strings};

use super::{inner, Interp};

impl<'c> Interp<'c> {
    pub(super) fn create_trigger(&mut self, s: &protobuf::CreateTrigStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("a trigger without a table"))?;
        let table = self.find_table_or_view(rv)?;
        let mut stmt = s.clone();
        stmt.replace = false;
        if let Some(r) = stmt.relation.as_mut() {
            r.schemaname = table.schema.clone();
            r.relname = table.name.clone();
            r.location = -1;
        }
        let fnames = strings(&s.funcname);
        let func = self
            .functions_named(&fnames)
            .into_iter()
            .find(|k| k.args.is_empty());
        self.resolve_trigger_function(&fnames, func.as_ref())?;
        if let Some(w) = s.when_clause.as_deref() {
            self.resolve_table_expr(&table, w)?;
        }
        let fq = match &func {
            Some(k) => k.name.clone(),
            None => self.create_list(&fnames)?,
        };
        stmt.funcname = string_nodes(&[&fq.schema, &fq.name]);
        if let Some(c) = stmt.constrrel.as_mut() {
            let q = self.find_table(c)?;
            c.schemaname = q.schema;
            c.relname = q.name;
        }
        let mut deps = Vec::new();
        if let Some(k) = func {
            deps.push(ObjectId::Function(k));
        }
        if let Some(w) = stmt.when_clause.as_deref_mut() {
            let (cols, _) = column_refs(w);
            if let Some(t) = self.cat.tables.get(&table) {
                for c in cols {
                    if t.columns.contains_key(&c) {
                        deps.push(ObjectId::Column(table.clone(), c));
                    }
                }
            }
            deps.extend(self.expr_deps(w, None));
            let saved = self.scope.replace(Self::table_scope(&table));
            self.normalize(w);
            self.scope.replace(saved);
        }
        self.column_type_deps(&mut deps);
        let definition = deparse_stmt(NodeEnum::CreateTrigStmt(Box::new(stmt)))
            .ok_or_else(|| self.unsupported("a trigger the deparser cannot print"))?;
        let key = (table.clone(), s.trigname.clone());
        let what = format!("trigger {} on {table}", crate::model::Ident(&s.trigname));
        if !s.replace && self.cat.triggers.contains_key(&key) {
            return Err(self.already_exists(&what));
        }
        self.created(what);
        let (enabled, comment) = match self.cat.triggers.get(&key) {
            Some(t) if s.replace => (t.enabled, t.comment.clone()),
            _ => (TriggerEnabled::Origin, None),
        };
        let deps: DepSet = deps
            .into_iter()
            .filter(|d| *d != ObjectId::Table(table.clone()) && *d != ObjectId::View(table.clone()))
            .collect();
        self.cat.triggers.insert(
            key,
            Trigger {
                table,
                name: s.trigname.clone(),
                definition,
                enabled,
                constraint: s.isconstraint,
                comment,
                deps: NotCompared(deps),
            },
        );
        Ok(())
    }

    fn roles(&self, roles: &[Node]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for r in roles {
            if let Some(NodeEnum::RoleSpec(r)) = inner(r) {
                match RoleSpecType::try_from(r.roletype).unwrap_or_default() {
                    RoleSpecType::RolespecPublic => out.push("public".to_string()),
                    RoleSpecType::RolespecCstring => out.push(r.rolename.clone()),
                    // Only a server knows the role: kept as the keyword, like the
                    // statement says it (both sides of an offline diff read it so).
                    RoleSpecType::RolespecCurrentUser => out.push("CURRENT_USER".into()),
                    RoleSpecType::RolespecCurrentRole => out.push("CURRENT_ROLE".into()),
                    RoleSpecType::RolespecSessionUser => out.push("SESSION_USER".into()),
                    RoleSpecType::Undefined => {
                        return Err(self.unsupported("a role specification it cannot read"))
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub(super) fn create_policy(&mut self, s: &protobuf::CreatePolicyStmt) -> Result<()> {
        let rv = s
            .table
            .as_ref()
            .ok_or_else(|| self.unsupported("a policy without a table"))?;
        let table = self.find_table(rv)?;
        for e in s.qual.iter().chain(s.with_check.iter()) {
            self.resolve_table_expr(&table, e)?;
        }
        let mut deps = Vec::new();
        let saved = self.scope.replace(Self::table_scope(&table));
        let texts = (
            s.qual.as_deref().map(|e| self.expr_text(e)).transpose(),
            s.with_check
                .as_deref()
                .map(|e| self.expr_text(e))
                .transpose(),
        );
        self.scope.replace(saved);
        let (using_text, check_text) = (texts.0?, texts.1?);
        let using = match s.qual.as_deref() {
            Some(e) => {
                deps.extend(self.expr_deps(e, Some(&table)));
                using_text
            }
            None => None,
        };
        let with_check = match s.with_check.as_deref() {
            Some(e) => {
                deps.extend(self.expr_deps(e, Some(&table)));
                check_text
            }
            None => None,
        };
        self.column_type_deps(&mut deps);
        let mut roles = self.roles(&s.roles)?;
        if roles.is_empty() {
            roles.push("public".into());
        }
        let deps: DepSet = deps
            .into_iter()
            .filter(|d| *d != ObjectId::Table(table.clone()))
            .collect();
        let policy = Policy {
            name: s.policy_name.clone(),
            permissive: s.permissive,
            command: s.cmd_name.to_uppercase(),
            roles,
            using,
            with_check,
            comment: None,
            deps: NotCompared(deps),
        };
        let t = self.table_mut(&table)?;
        t.policies.insert(policy.name.clone(), policy);
        Ok(())
    }

    pub(super) fn alter_policy(&mut self, s: &protobuf::AlterPolicyStmt) -> Result<()> {
        let rv = s
            .table
            .as_ref()
            .ok_or_else(|| self.unsupported("a policy without a table"))?;
        let table = self.find_table(rv)?;
        let roles = self.roles(&s.roles)?;
        let saved = self.scope.replace(Self::table_scope(&table));
        let using = s.qual.as_deref().map(|e| self.expr_text(e)).transpose();
        let with_check = s
            .with_check
            .as_deref()
            .map(|e| self.expr_text(e))
            .transpose();
        self.scope.replace(saved);
        let (using, with_check) = (using?, with_check?);
        let mut extra = Vec::new();
        for e in s.qual.iter().chain(s.with_check.iter()) {
            extra.extend(self.expr_deps(e, Some(&table)));
        }
        let err = self.missing(format!("policy {}", s.policy_name));
        let t = self.table_mut(&table)?;
        let p = t.policies.get_mut(&s.policy_name).ok_or(err)?;
        if !roles.is_empty() {
            p.roles = roles;
        }
        if using.is_some() {
            p.using = using;
        }
        if with_check.is_some() {
            p.with_check = with_check;
        }
        p.deps.extend(
            extra
                .into_iter()
                .filter(|d| *d != ObjectId::Table(table.clone())),
        );
        Ok(())
    }
}
