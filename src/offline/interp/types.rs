//! Types: a type name spelled as `format_type` spells it, and `CREATE` / `ALTER TYPE` and
//! `DOMAIN` (enums, domains, composite types).

use pg_query::protobuf::{self, AlterTableType, ConstrType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Attribute, DomainCheck, NotCompared, ObjectId, QualName, Type, TypeKind};
use crate::offline::expr::{string_nodes, strings};
use crate::offline::types;

use super::names::unique_name;
use super::{inner, node_i64, split2, Interp};

impl<'c> Interp<'c> {
    fn typmods(&self, tn: &protobuf::TypeName) -> Result<Vec<String>> {
        tn.typmods
            .iter()
            .map(|m| {
                node_i64(Some(m))
                    .map(|v| v.to_string())
                    .ok_or_else(|| self.unsupported("a type modifier that is not a number"))
            })
            .collect()
    }

    /// The type as `format_type` would spell it, and what it depends on.
    pub(super) fn type_of(&self, tn: &protobuf::TypeName) -> Result<(String, Vec<ObjectId>)> {
        if tn.pct_type {
            return Err(self.unsupported("a %TYPE reference"));
        }
        let names = strings(&tn.names);
        let array = !tn.array_bounds.is_empty();
        let builtin_name = match names.as_slice() {
            [n] => Some(n.as_str()),
            [s, n] if s == "pg_catalog" => Some(n.as_str()),
            _ => None,
        };
        if let Some(n) = builtin_name {
            if types::internal_name(n) == Some("interval") && !tn.typmods.is_empty() {
                let mods: Vec<i64> = tn
                    .typmods
                    .iter()
                    .filter_map(|m| node_i64(Some(m)))
                    .collect();
                let fields = types::interval_fields(mods[0])
                    .ok_or_else(|| self.unsupported("these interval fields"))?;
                let mut t = format!("interval{fields}");
                if let Some(p) = mods.get(1) {
                    t.push_str(&format!("({p})"));
                }
                if !tn.array_bounds.is_empty() {
                    t.push_str("[]");
                }
                return Ok((t, Vec::new()));
            }
            if let Some(t) = types::display_builtin(n, &self.typmods(tn)?, array) {
                return Ok((t, Vec::new()));
            }
        }
        if let Some(q) = self.user_type(&names) {
            let dep = if self.cat.types.contains_key(&q) {
                ObjectId::Type(q.clone())
            } else if self.cat.tables.contains_key(&q) {
                ObjectId::Table(q.clone())
            } else {
                ObjectId::View(q.clone())
            };
            let mut t = q.to_string();
            let mods = self.typmods(tn)?;
            if !mods.is_empty() {
                t.push_str(&format!("({})", mods.join(",")));
            }
            if array {
                t.push_str("[]");
            }
            return Ok((t, vec![dep]));
        }
        let (s, n) = split2(&names).ok_or_else(|| self.unsupported("an empty type name"))?;
        if s == "pg_catalog" {
            return Err(self.unsupported(format!("the built-in type {n}")));
        }
        match self.extension_type_schema(s) {
            Some((schema, deps)) => {
                let mut t = QualName::new(schema, n).to_string();
                let mods = self.typmods(tn)?;
                if !mods.is_empty() {
                    t.push_str(&format!("({})", mods.join(",")));
                }
                if array {
                    t.push_str("[]");
                }
                Ok((t, deps))
            }
            None => Err(self.missing(format!("type {}", names.join(".")))),
        }
    }

    /// Rewrites a type name in a parse tree to one spelling per type.
    pub(super) fn normalize_typename(&self, tn: &mut protobuf::TypeName) {
        let names = strings(&tn.names);
        let builtin_name = match names.as_slice() {
            [n] => Some(n.clone()),
            [s, n] if s == "pg_catalog" => Some(n.clone()),
            _ => None,
        };
        if let Some(n) = builtin_name {
            if let Some(internal) = types::internal_name(&n) {
                let system = matches!(
                    internal,
                    "int2"
                        | "int4"
                        | "int8"
                        | "float4"
                        | "float8"
                        | "numeric"
                        | "bool"
                        | "varchar"
                        | "bpchar"
                        | "bit"
                        | "varbit"
                        | "timestamp"
                        | "timestamptz"
                        | "time"
                        | "timetz"
                        | "interval"
                );
                tn.names = if system {
                    string_nodes(&["pg_catalog", internal])
                } else {
                    string_nodes(&[internal])
                };
                return;
            }
        }
        if let Some(q) = self.user_type(&names) {
            tn.names = string_nodes(&[&q.schema, &q.name]);
        } else if let Some((s, n)) = split2(&names) {
            if let Some((schema, _)) = self.extension_type_schema(s) {
                tn.names = string_nodes(&[&schema, n]);
            }
        }
    }

    fn new_type(&mut self, name: QualName, kind: TypeKind, deps: Vec<ObjectId>) {
        self.cat.types.insert(
            name.clone(),
            Type {
                name,
                kind,
                comment: None,
                deps: NotCompared(deps.into_iter().collect()),
            },
        );
    }

    pub(super) fn create_enum(&mut self, s: &protobuf::CreateEnumStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.type_name))?;
        self.new_type_name(&name)?;
        let labels = strings(&s.vals);
        self.new_type(name, TypeKind::Enum { labels }, Vec::new());
        Ok(())
    }

    fn type_mut(&mut self, names: &[String]) -> Result<&mut Type> {
        let q = self
            .user_type(names)
            .filter(|q| self.cat.types.contains_key(q))
            .ok_or_else(|| self.missing(format!("type {}", names.join("."))))?;
        let missing = self.missing(format!("type {q}"));
        self.cat.types.get_mut(&q).ok_or(missing)
    }

    pub(super) fn alter_enum(&mut self, s: &protobuf::AlterEnumStmt) -> Result<()> {
        let names = strings(&s.type_name);
        let err_missing = self.missing("the enum label");
        let t = self.type_mut(&names)?;
        let TypeKind::Enum { labels } = &mut t.kind else {
            return Err(err_missing);
        };
        if !s.old_val.is_empty() {
            let at = labels
                .iter()
                .position(|l| *l == s.old_val)
                .ok_or(err_missing)?;
            labels[at] = s.new_val.clone();
            return Ok(());
        }
        if labels.contains(&s.new_val) {
            return Ok(());
        }
        if s.new_val_neighbor.is_empty() {
            labels.push(s.new_val.clone());
        } else {
            let at = labels
                .iter()
                .position(|l| *l == s.new_val_neighbor)
                .ok_or(err_missing)?;
            let at = if s.new_val_is_after { at + 1 } else { at };
            labels.insert(at, s.new_val.clone());
        }
        Ok(())
    }

    pub(super) fn create_domain(&mut self, s: &protobuf::CreateDomainStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.domainname))?;
        self.new_type_name(&name)?;
        let tn = s
            .type_name
            .as_ref()
            .ok_or_else(|| self.unsupported("a domain without a type"))?;
        let (base, mut deps) = self.type_of(tn)?;
        let collation = self.collation_of(s.coll_clause.as_deref(), &mut deps)?;
        let mut not_null = false;
        let mut default = None;
        let mut checks = crate::model::SmallMap::new();
        for c in &s.constraints {
            let Some(NodeEnum::Constraint(c)) = inner(c) else {
                continue;
            };
            match ConstrType::try_from(c.contype).unwrap_or_default() {
                ConstrType::ConstrNotnull => not_null = true,
                ConstrType::ConstrNull => not_null = false,
                ConstrType::ConstrDefault => {
                    if let Some(e) = c.raw_expr.as_deref() {
                        default = Some(self.default_text(e, &base)?);
                        deps.extend(self.expr_deps(e, None));
                    }
                }
                ConstrType::ConstrCheck => {
                    // The functions a check calls exist before the domain.
                    if let Some(e) = c.raw_expr.as_deref() {
                        deps.extend(self.expr_deps(e, None));
                    }
                    *self.domain_base.borrow_mut() = Some(base.clone());
                    let check = self.domain_check(&name, c, &checks);
                    *self.domain_base.borrow_mut() = None;
                    let check = check?;
                    checks.insert(check.name.clone(), check);
                }
                _ => return Err(self.unsupported("this domain constraint")),
            }
        }
        self.new_type(
            name,
            TypeKind::Domain {
                base,
                not_null,
                default,
                collation,
                checks,
            },
            deps,
        );
        Ok(())
    }

    fn domain_check(
        &self,
        domain: &QualName,
        c: &protobuf::Constraint,
        existing: &crate::model::SmallMap<String, DomainCheck>,
    ) -> Result<DomainCheck> {
        let expr = c
            .raw_expr
            .as_deref()
            .ok_or_else(|| self.unsupported("a check without an expression"))?;
        let name = if c.conname.is_empty() {
            unique_name(|n| existing.contains_key(n), &domain.name, None, "check")
        } else {
            c.conname.clone()
        };
        Ok(DomainCheck {
            name,
            definition: format!("CHECK ({})", self.expr_text(expr)?),
            validated: !c.skip_validation,
        })
    }

    pub(super) fn alter_domain(&mut self, s: &protobuf::AlterDomainStmt) -> Result<()> {
        let names = strings(&s.type_name);
        let q = self
            .user_type(&names)
            .ok_or_else(|| self.missing(format!("domain {}", names.join("."))))?;
        let base = match self.cat.types.get(&q).map(|t| &t.kind) {
            Some(TypeKind::Domain { base, .. }) => Some(base.clone()),
            _ => None,
        };
        let new_check = match (s.subtype.as_str(), s.def.as_deref().and_then(inner)) {
            ("C", Some(NodeEnum::Constraint(c))) => {
                let existing = match self.cat.types.get(&q).map(|t| &t.kind) {
                    Some(TypeKind::Domain { checks, .. }) => checks.clone(),
                    _ => return Err(self.missing(format!("domain {q}"))),
                };
                if ConstrType::try_from(c.contype).unwrap_or_default() != ConstrType::ConstrCheck {
                    return Err(self.unsupported("this domain constraint"));
                }
                *self.domain_base.borrow_mut() = base.clone();
                let check = self.domain_check(&q, c, &existing);
                *self.domain_base.borrow_mut() = None;
                Some(check?)
            }
            _ => None,
        };
        let default = match (s.subtype.as_str(), s.def.as_deref()) {
            ("T", Some(e)) => Some(self.default_text(e, base.as_deref().unwrap_or_default())?),
            _ => None,
        };
        // The expression added (a check's, or the default): what it calls exists first.
        let added = match (s.subtype.as_str(), s.def.as_deref()) {
            ("C", Some(d)) => match inner(d) {
                Some(NodeEnum::Constraint(c)) => c.raw_expr.as_deref(),
                _ => None,
            },
            ("T", d) => d,
            _ => None,
        };
        let new_deps = added.map(|e| self.expr_deps(e, None)).unwrap_or_default();
        if let Some(t) = self.cat.types.get_mut(&q) {
            t.deps.0.extend(new_deps);
        }
        let err = self.unsupported("this ALTER DOMAIN form");
        let Some(TypeKind::Domain {
            not_null,
            default: d,
            checks,
            ..
        }) = self.cat.types.get_mut(&q).map(|t| &mut t.kind)
        else {
            return Err(self.missing(format!("domain {q}")));
        };
        match s.subtype.as_str() {
            "T" => *d = default,
            "N" => *not_null = false,
            "O" => *not_null = true,
            "C" => {
                if let Some(c) = new_check {
                    checks.insert(c.name.clone(), c);
                }
            }
            "X" => {
                checks.remove(&s.name);
            }
            "V" => {
                if let Some(c) = checks.get_mut(&s.name) {
                    c.validated = true;
                }
            }
            _ => return Err(err),
        }
        Ok(())
    }

    pub(super) fn create_composite(&mut self, s: &protobuf::CompositeTypeStmt) -> Result<()> {
        let rv = s
            .typevar
            .as_ref()
            .ok_or_else(|| self.unsupported("a type without a name"))?;
        let name = self.create_name(rv);
        self.new_type_name(&name)?;
        let mut attributes = Vec::new();
        let mut deps = Vec::new();
        for e in &s.coldeflist {
            if let Some(NodeEnum::ColumnDef(c)) = inner(e) {
                let tn = c
                    .type_name
                    .as_ref()
                    .ok_or_else(|| self.unsupported("an attribute without a type"))?;
                let (type_name, d) = self.type_of(tn)?;
                deps.extend(d);
                let collation = self.collation_of(c.coll_clause.as_deref(), &mut deps)?;
                attributes.push(Attribute {
                    name: c.colname.clone(),
                    type_name,
                    collation,
                });
            }
        }
        self.new_type(name, TypeKind::Composite { attributes }, deps);
        Ok(())
    }

    /// `ALTER TYPE ... ADD / DROP / ALTER ATTRIBUTE` on a composite type.
    pub(super) fn alter_composite(
        &mut self,
        rv: &protobuf::RangeVar,
        s: &protobuf::AlterTableStmt,
    ) -> Result<()> {
        let names: Vec<String> = [rv.schemaname.clone(), rv.relname.clone()]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        let q = self
            .user_type(&names)
            .filter(|q| self.cat.types.contains_key(q))
            .ok_or_else(|| self.missing(format!("type {}", rv.relname)))?;
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = inner(cmd) else {
                continue;
            };
            let sub = AlterTableType::try_from(cmd.subtype).unwrap_or_default();
            let def = match cmd.def.as_deref().and_then(inner) {
                Some(NodeEnum::ColumnDef(c)) => {
                    let tn = c
                        .type_name
                        .as_ref()
                        .ok_or_else(|| self.unsupported("an attribute without a type"))?;
                    let (type_name, mut deps) = self.type_of(tn)?;
                    let collation = self.collation_of(c.coll_clause.as_deref(), &mut deps)?;
                    Some((c.colname.clone(), type_name, collation, deps))
                }
                _ => None,
            };
            let err = self.unsupported(format!("ALTER TYPE {sub:?}"));
            let missing = self.missing(format!("attribute {}", cmd.name));
            let gone = self.missing(format!("type {q}"));
            let t = self.cat.types.get_mut(&q).ok_or(gone)?;
            let TypeKind::Composite { attributes } = &mut t.kind else {
                return Err(err);
            };
            match (sub, def) {
                (AlterTableType::AtAddColumn, Some((name, type_name, collation, deps))) => {
                    attributes.push(Attribute {
                        name,
                        type_name,
                        collation,
                    });
                    t.deps.extend(deps);
                }
                (AlterTableType::AtDropColumn, _) => {
                    let before = attributes.len();
                    attributes.retain(|a| a.name != cmd.name);
                    if attributes.len() == before && !cmd.missing_ok {
                        return Err(missing);
                    }
                }
                (AlterTableType::AtAlterColumnType, Some((_, type_name, collation, deps))) => {
                    let a = attributes
                        .iter_mut()
                        .find(|a| a.name == cmd.name)
                        .ok_or(missing)?;
                    a.type_name = type_name;
                    a.collation = collation;
                    t.deps.extend(deps);
                }
                _ => return Err(err),
            }
        }
        Ok(())
    }
}
