//! `GRANT` and `REVOKE` on objects: the privileges beyond the owner's, per object and
//! column, as [`crate::model::Privileges`] (PostgreSQL's default for the object's kind
//! when it has none recorded).
//!
//! Offline, the role running the statements is unknown: it is taken to be the owner of
//! everything, so grants to `CURRENT_USER` and the like change nothing, as the owner's
//! own privileges are not recorded. `ALTER ... OWNER TO r` records `r` as the owner;
//! `OWNER TO CURRENT_USER` forgets the owner (the role running the statements owns
//! it). `ALTER DEFAULT PRIVILEGES` sets what objects created afterwards get: the
//! interpreter gives them the role running the statements' defaults.

use pg_query::protobuf::{self, GrantTargetType, ObjectType, RoleSpecType};
use pg_query::NodeEnum;

use crate::error::{Error, Result};
use crate::model::{
    AclKind, DefaultAclKey, DefaultAclKind, ObjectId, Privileges, QualName, CURRENT_USER, PUBLIC,
};
use crate::offline::expr::strings;

use super::{inner, Interp};

/// The privileges `ALL` stands for on each kind of object (without PostgreSQL 17's
/// `MAINTAIN`).
const TABLE: &[&str] = &[
    "DELETE",
    "INSERT",
    "REFERENCES",
    "SELECT",
    "TRIGGER",
    "TRUNCATE",
    "UPDATE",
];
const COLUMN: &[&str] = &["INSERT", "REFERENCES", "SELECT", "UPDATE"];
const SEQUENCE: &[&str] = &["SELECT", "UPDATE", "USAGE"];
const ROUTINE: &[&str] = &["EXECUTE"];
const SCHEMA: &[&str] = &["CREATE", "USAGE"];
const TYPE: &[&str] = &["USAGE"];

impl Interp<'_> {
    pub(super) fn grant(&mut self, s: &protobuf::GrantStmt) -> Result<()> {
        let objtype = ObjectType::try_from(s.objtype).unwrap_or_default();
        let targets = match GrantTargetType::try_from(s.targtype).unwrap_or_default() {
            GrantTargetType::AclTargetObject => self.grant_objects(objtype, &s.objects)?,
            GrantTargetType::AclTargetAllInSchema => self.all_in_schemas(objtype, &s.objects),
            _ => return Err(self.unsupported("this form of GRANT")),
        };
        let grantees = self.grantees(&s.grantees);
        for (id, all) in targets {
            // (privilege, column) pairs; no column for the object itself.
            let mut wanted: Vec<(String, Option<String>)> = Vec::new();
            if s.privileges.is_empty() {
                wanted.extend(all.iter().map(|p| (p.to_string(), None)));
            }
            for p in &s.privileges {
                let Some(NodeEnum::AccessPriv(ap)) = inner(p) else {
                    continue;
                };
                let cols = strings(&ap.cols);
                let names: Vec<String> = if ap.priv_name.is_empty() {
                    let list = if cols.is_empty() { all } else { COLUMN };
                    list.iter().map(|p| p.to_string()).collect()
                } else {
                    vec![ap.priv_name.to_uppercase()]
                };
                for name in names {
                    let valid = if cols.is_empty() { all } else { COLUMN };
                    if !valid.contains(&name.as_str()) {
                        // As PostgreSQL refuses it: bad input, not a gap of offline mode.
                        let what = if cols.is_empty() { id.kind() } else { "column" };
                        return Err(Error::Syntax {
                            location: self.loc.clone(),
                            message: format!(
                                "invalid privilege type {name} for {what} (it has {})",
                                valid.join(", ")
                            ),
                            statement: self.one_line.clone(),
                        });
                    }
                    if cols.is_empty() {
                        wanted.push((name, None));
                    } else {
                        wanted.extend(cols.iter().map(|c| (name.clone(), Some(c.clone()))));
                    }
                }
            }
            for (privilege, column) in wanted {
                let target = match (&column, &id) {
                    (Some(c), ObjectId::Table(t) | ObjectId::View(t)) => {
                        if !self.has_column(t, c) {
                            return Err(self.missing(format!("column {c} of {t}")));
                        }
                        ObjectId::Column(t.clone(), c.clone())
                    }
                    (Some(_), _) => {
                        return Err(self.unsupported("column privileges on this kind of object"))
                    }
                    (None, _) => id.clone(),
                };
                for grantee in &grantees {
                    self.change_privilege(s, &target, grantee, &privilege);
                    // Revoking a table's privilege revokes it on its columns too.
                    if !s.is_grant && column.is_none() && COLUMN.contains(&privilege.as_str()) {
                        if let ObjectId::Table(t) | ObjectId::View(t) = &id {
                            let columns: Vec<ObjectId> = self
                                .cat
                                .privileges
                                .keys()
                                .filter(|k| matches!(k, ObjectId::Column(r, _) if r == t))
                                .cloned()
                                .collect();
                            for c in columns {
                                self.change_privilege(s, &c, grantee, &privilege);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// `ALTER SCHEMA|FUNCTION|PROCEDURE|ROUTINE|TYPE|DOMAIN ... OWNER TO r`; other kinds
    /// of object do not record their owner.
    pub(super) fn alter_owner(&mut self, s: &protobuf::AlterOwnerStmt) -> Result<()> {
        let objtype = ObjectType::try_from(s.object_type).unwrap_or_default();
        let Some(role) = &s.newowner else {
            return Ok(());
        };
        let id = match objtype {
            ObjectType::ObjectSchema
            | ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectType
            | ObjectType::ObjectDomain => {
                let object = s.object.as_deref().cloned().unwrap_or_default();
                let mut found = self.grant_objects(objtype, std::slice::from_ref(&object))?;
                match found.pop() {
                    Some((id, _)) => id,
                    None => return Ok(()),
                }
            }
            _ => return Ok(()),
        };
        self.set_owner(id, role)
    }

    /// `ALTER TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE ... OWNER TO r` (any of the
    /// words names any of them, as in PostgreSQL).
    pub(super) fn relation_owner(
        &mut self,
        rv: &protobuf::RangeVar,
        missing_ok: bool,
        role: &protobuf::RoleSpec,
    ) -> Result<()> {
        let Some(q) = self.lookup(&rv.schemaname, &rv.relname, |q| self.is_relation(q)) else {
            if missing_ok {
                return Ok(());
            }
            return Err(self.missing(format!("relation {}", rv.relname)));
        };
        let id = if self.cat.tables.contains_key(&q) {
            ObjectId::Table(q)
        } else if self.cat.views.contains_key(&q) {
            ObjectId::View(q)
        } else {
            ObjectId::Sequence(q)
        };
        self.set_owner(id, role)
    }

    /// Records `role` as the owner of `id`; the role running the statements owns
    /// what has no owner recorded (as introspection leaves out what it owns).
    pub(super) fn set_owner(&mut self, id: ObjectId, role: &protobuf::RoleSpec) -> Result<()> {
        match RoleSpecType::try_from(role.roletype).unwrap_or_default() {
            RoleSpecType::RolespecCstring => {
                self.cat.owners.insert(id, role.rolename.clone());
            }
            RoleSpecType::RolespecPublic => {
                return Err(Error::Syntax {
                    location: self.loc.clone(),
                    message: "role \"public\" cannot own an object".into(),
                    statement: self.one_line.clone(),
                })
            }
            _ => {
                self.cat.owners.remove(&id);
            }
        }
        Ok(())
    }

    /// The roles a `GRANT` names, `PUBLIC` included; the role running the statements
    /// (`CURRENT_USER` and the like) left out: it is the owner, offline.
    fn grantees(&self, nodes: &[protobuf::Node]) -> Vec<String> {
        nodes
            .iter()
            .filter_map(|g| match inner(g) {
                Some(NodeEnum::RoleSpec(r)) => {
                    match RoleSpecType::try_from(r.roletype).unwrap_or_default() {
                        RoleSpecType::RolespecPublic => Some(PUBLIC.to_string()),
                        RoleSpecType::RolespecCstring => Some(r.rolename.clone()),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect()
    }

    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE ... ON kind`.
    pub(super) fn alter_default_privileges(
        &mut self,
        s: &protobuf::AlterDefaultPrivilegesStmt,
    ) -> Result<()> {
        let Some(action) = &s.action else {
            return Ok(());
        };
        let mut roles = Vec::new();
        let mut schemas = Vec::new();
        for o in &s.options {
            let Some(NodeEnum::DefElem(d)) = inner(o) else {
                continue;
            };
            let items = match d.arg.as_deref().and_then(inner) {
                Some(NodeEnum::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            match d.defname.as_str() {
                "roles" => {
                    for r in &items {
                        if let Some(NodeEnum::RoleSpec(r)) = inner(r) {
                            roles.push(
                                match RoleSpecType::try_from(r.roletype).unwrap_or_default() {
                                    RoleSpecType::RolespecCstring => r.rolename.clone(),
                                    _ => CURRENT_USER.to_string(),
                                },
                            );
                        }
                    }
                }
                "schemas" => {
                    for n in strings(&items) {
                        if !self.cat.schemas.contains_key(&n) {
                            return Err(self.missing(format!("schema {n}")));
                        }
                        schemas.push(Some(n));
                    }
                }
                _ => {}
            }
        }
        if roles.is_empty() {
            roles.push(CURRENT_USER.to_string());
        }
        if schemas.is_empty() {
            schemas.push(None);
        }
        let (kind, all) = match ObjectType::try_from(action.objtype).unwrap_or_default() {
            ObjectType::ObjectTable => (DefaultAclKind::Tables, TABLE),
            ObjectType::ObjectSequence => (DefaultAclKind::Sequences, SEQUENCE),
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine => (DefaultAclKind::Functions, ROUTINE),
            ObjectType::ObjectType => (DefaultAclKind::Types, TYPE),
            ObjectType::ObjectSchema => (DefaultAclKind::Schemas, SCHEMA),
            _ => return Err(self.unsupported("ALTER DEFAULT PRIVILEGES on this kind of object")),
        };
        let mut privileges: Vec<String> = Vec::new();
        for p in &action.privileges {
            let Some(NodeEnum::AccessPriv(ap)) = inner(p) else {
                continue;
            };
            if ap.priv_name.is_empty() {
                privileges.extend(all.iter().map(|p| p.to_string()));
                continue;
            }
            let name = ap.priv_name.to_uppercase();
            if !all.contains(&name.as_str()) {
                return Err(Error::Syntax {
                    location: self.loc.clone(),
                    message: format!(
                        "invalid privilege type {name} for {} (it has {})",
                        kind.sql().to_lowercase(),
                        all.join(", ")
                    ),
                    statement: self.one_line.clone(),
                });
            }
            privileges.push(name);
        }
        if action.privileges.is_empty() {
            privileges.extend(all.iter().map(|p| p.to_string()));
        }
        let grantees = self.grantees(&action.grantees);
        for role in &roles {
            for schema in &schemas {
                let key = DefaultAclKey {
                    role: role.clone(),
                    schema: schema.clone(),
                    kind,
                };
                let mut p = self.cat.default_privileges.of(&key);
                for grantee in &grantees {
                    for privilege in &privileges {
                        change_one(&mut p, action, grantee, privilege);
                    }
                }
                self.cat.default_privileges.put(key, p);
            }
        }
        Ok(())
    }

    /// Gives the objects a statement created (those not in `before`) the default
    /// privileges of the role running it.
    pub(super) fn apply_default_privileges(
        &mut self,
        before: &std::collections::BTreeSet<ObjectId>,
    ) {
        let created: Vec<ObjectId> = self
            .cat
            .grantable_ids()
            .into_iter()
            .filter(|id| !before.contains(id))
            .collect();
        for id in created {
            let p = self.cat.default_privileges.for_new(&id);
            let kind = AclKind::of(&id);
            self.cat.privileges.put(id, kind, p);
        }
    }

    /// One grantee's privilege granted or revoked on one object.
    fn change_privilege(
        &mut self,
        s: &protobuf::GrantStmt,
        id: &ObjectId,
        grantee: &str,
        privilege: &str,
    ) {
        // The owner holds every privilege already: PostgreSQL records nothing more.
        let owned_by = match id {
            ObjectId::Column(t, _) => self
                .cat
                .owners
                .get(&ObjectId::Table(t.clone()))
                .or_else(|| self.cat.owners.get(&ObjectId::View(t.clone()))),
            _ => self.cat.owners.get(id),
        };
        if s.is_grant && owned_by.is_some_and(|o| o == grantee) {
            tracing::warn!(
                "{}: {grantee} owns {id}: granting it {privilege} does nothing",
                self.loc
            );
            return;
        }
        let kind = AclKind::of(id);
        let mut p = self
            .cat
            .privileges
            .get(id)
            .cloned()
            .unwrap_or_else(|| Privileges::default_for(kind));
        change_one(&mut p, s, grantee, privilege);
        self.cat.privileges.put(id.clone(), kind, p);
    }

    fn has_column(&self, t: &QualName, c: &str) -> bool {
        self.cat
            .tables
            .get(t)
            .is_some_and(|x| x.columns.contains_key(c))
            || self
                .cat
                .views
                .get(t)
                .is_some_and(|v| v.columns.iter().any(|x| x.name == c))
    }

    /// The objects a `GRANT ... ON kind a, b` names, with what `ALL` means on them.
    fn grant_objects(
        &self,
        objtype: ObjectType,
        objects: &[protobuf::Node],
    ) -> Result<Vec<(ObjectId, &'static [&'static str])>> {
        let mut out = Vec::new();
        for o in objects {
            let node = inner(o);
            let target = match (objtype, node) {
                (ObjectType::ObjectTable, Some(NodeEnum::RangeVar(rv))) => {
                    let q = self
                        .relation(&rv.schemaname, &rv.relname)
                        .ok_or_else(|| self.missing(format!("relation {}", rv.relname)))?;
                    if self.cat.tables.contains_key(&q) {
                        (ObjectId::Table(q), TABLE)
                    } else if self.cat.views.contains_key(&q) {
                        (ObjectId::View(q), TABLE)
                    } else {
                        (ObjectId::Sequence(q), SEQUENCE)
                    }
                }
                (ObjectType::ObjectSequence, Some(NodeEnum::RangeVar(rv))) => {
                    let q = self
                        .lookup(&rv.schemaname, &rv.relname, |q| {
                            self.cat.sequences.contains_key(q)
                        })
                        .ok_or_else(|| self.missing(format!("sequence {}", rv.relname)))?;
                    (ObjectId::Sequence(q), SEQUENCE)
                }
                (
                    ObjectType::ObjectFunction
                    | ObjectType::ObjectProcedure
                    | ObjectType::ObjectRoutine,
                    Some(NodeEnum::ObjectWithArgs(w)),
                ) => {
                    let k = self.function_key(w)?.ok_or_else(|| {
                        self.missing(format!("function {}", strings(&w.objname).join(".")))
                    })?;
                    (ObjectId::Function(k), ROUTINE)
                }
                (ObjectType::ObjectSchema, Some(NodeEnum::String(s))) => {
                    if !self.cat.schemas.contains_key(&s.sval) {
                        return Err(self.missing(format!("schema {}", s.sval)));
                    }
                    (ObjectId::Schema(s.sval.clone()), SCHEMA)
                }
                (ObjectType::ObjectType | ObjectType::ObjectDomain, _) => {
                    let names = match node {
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        Some(NodeEnum::TypeName(t)) => strings(&t.names),
                        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
                        _ => Vec::new(),
                    };
                    let q = self
                        .user_type(&names)
                        .filter(|q| self.cat.types.contains_key(q))
                        .ok_or_else(|| self.missing(format!("type {}", names.join("."))))?;
                    (ObjectId::Type(q), TYPE)
                }
                _ => return Err(self.unsupported("GRANT on this kind of object")),
            };
            out.push(target);
        }
        Ok(out)
    }

    /// `GRANT ... ON ALL TABLES | SEQUENCES | FUNCTIONS | PROCEDURES | ROUTINES IN
    /// SCHEMA s`: the objects that exist now.
    fn all_in_schemas(
        &self,
        objtype: ObjectType,
        schemas: &[protobuf::Node],
    ) -> Vec<(ObjectId, &'static [&'static str])> {
        let names: Vec<String> = strings(schemas);
        let mut out = Vec::new();
        for s in &names {
            let here = |q: &QualName| &q.schema == s;
            match objtype {
                ObjectType::ObjectTable => {
                    out.extend(
                        self.cat
                            .tables
                            .keys()
                            .filter(|q| here(q))
                            .map(|q| (ObjectId::Table(q.clone()), TABLE)),
                    );
                    out.extend(
                        self.cat
                            .views
                            .keys()
                            .filter(|q| here(q))
                            .map(|q| (ObjectId::View(q.clone()), TABLE)),
                    );
                }
                ObjectType::ObjectSequence => out.extend(
                    self.cat
                        .sequences
                        .keys()
                        .filter(|q| here(q))
                        .map(|q| (ObjectId::Sequence(q.clone()), SEQUENCE)),
                ),
                _ => {
                    let procedures = match objtype {
                        ObjectType::ObjectProcedure => Some(true),
                        ObjectType::ObjectFunction => Some(false),
                        _ => None,
                    };
                    out.extend(
                        self.cat
                            .functions
                            .iter()
                            .filter(|(k, f)| {
                                here(&k.name)
                                    && procedures.is_none_or(|p| {
                                        p == (f.kind == crate::model::FunctionKind::Procedure)
                                    })
                            })
                            .map(|(k, _)| (ObjectId::Function(k.clone()), ROUTINE)),
                    );
                }
            }
        }
        out
    }
}

/// One grantee's privilege granted or revoked (or its grant option) in `p`, as the
/// statement `s` says.
fn change_one(p: &mut Privileges, s: &protobuf::GrantStmt, grantee: &str, privilege: &str) {
    match (s.is_grant, s.grant_option, p.get(grantee, privilege)) {
        (true, option, held) => {
            p.set(grantee, privilege, option || held == Some(true));
        }
        // REVOKE GRANT OPTION FOR
        (false, true, Some(_)) => p.set(grantee, privilege, false),
        (false, true, None) => {}
        (false, false, _) => p.remove(grantee, privilege),
    }
}
