//! `CREATE OPERATOR`.

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Ident, ObjectId, Operator, QualName};
use crate::offline::expr::strings;

use super::{inner, split2, Interp};

/// The names a definition element's value holds (a type, a function, an operator).
fn names_of(arg: Option<&Node>) -> Vec<String> {
    match arg.and_then(inner) {
        Some(NodeEnum::TypeName(t)) => strings(&t.names),
        Some(NodeEnum::List(l)) => strings(&l.items),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    }
}

impl<'c> Interp<'c> {
    /// `CREATE OPERATOR schema.op (LEFTARG = ..., RIGHTARG = ..., FUNCTION = ..., ...)`.
    pub(super) fn create_operator(&mut self, s: &protobuf::DefineStmt) -> Result<()> {
        let names = strings(&s.defnames);
        let (schema, symbol) = split2(&names).unwrap_or_default();
        let name = QualName::new(self.create_schema_of(schema), symbol);
        let mut deps = Vec::new();
        let mut op = Operator {
            name: name.clone(),
            left: None,
            right: String::new(),
            function: String::new(),
            commutator: None,
            negator: None,
            restrict: None,
            join: None,
            hashes: false,
            merges: false,
            comment: None,
            deps: Default::default(),
        };
        for d in &s.definition {
            let Some(NodeEnum::DefElem(d)) = inner(d) else {
                continue;
            };
            let arg = d.arg.as_deref();
            match d.defname.to_ascii_lowercase().as_str() {
                "leftarg" | "rightarg" => {
                    let Some(NodeEnum::TypeName(t)) = arg.and_then(inner) else {
                        return Err(self.unsupported("an operator argument that is no type"));
                    };
                    let (ty, dd) = self.type_of(t)?;
                    deps.extend(dd);
                    if d.defname.eq_ignore_ascii_case("leftarg") {
                        op.left = Some(ty);
                    } else {
                        op.right = ty;
                    }
                }
                "function" | "procedure" => {
                    op.function = self.support_function(&names_of(arg), &mut deps)
                }
                "restrict" => op.restrict = Some(self.support_function(&names_of(arg), &mut deps)),
                "join" => op.join = Some(self.support_function(&names_of(arg), &mut deps)),
                "commutator" => op.commutator = Some(operator_name(&names_of(arg), &name.schema)),
                "negator" => op.negator = Some(operator_name(&names_of(arg), &name.schema)),
                "hashes" => op.hashes = true,
                "merges" => op.merges = true,
                other => {
                    return Err(
                        self.rejected(format!("operator attribute \"{other}\" not recognized"))
                    )
                }
            }
        }
        if op.function.is_empty() {
            return Err(self.rejected("operator function must be specified".into()));
        }
        if op.right.is_empty() {
            return Err(self.rejected("operator right argument type must be specified".into()));
        }
        let key = op.signature();
        if self.cat.operators.contains_key(&key) {
            return Err(self.rejected(format!("operator {key} already exists")));
        }
        op.deps.extend(deps);
        self.cat.operators.insert(key, op);
        Ok(())
    }

    /// A support function as `regproc` prints it: one the schema declares with its
    /// schema, a server's own bare.
    pub(super) fn support_function(&self, names: &[String], deps: &mut Vec<ObjectId>) -> String {
        let found = self.functions_named(names);
        if let Some(k) = found.first() {
            deps.extend(found.iter().cloned().map(ObjectId::Function));
            return k.name.to_string();
        }
        match split2(names).unwrap_or_default() {
            ("", n) | ("pg_catalog", n) => Ident(n).to_string(),
            (s, n) => QualName::new(s, n).to_string(),
        }
    }

    /// The key of the operator `DROP OPERATOR` and `COMMENT ON OPERATOR` name.
    pub(super) fn operator_key(&self, o: &protobuf::ObjectWithArgs) -> Result<String> {
        let names = strings(&o.objname);
        let (schema, symbol) = split2(&names).unwrap_or_default();
        let mut types = Vec::new();
        for a in &o.objargs {
            types.push(match inner(a) {
                Some(NodeEnum::TypeName(t)) => self.type_of(t)?.0,
                _ => "NONE".to_string(),
            });
        }
        let schema = if schema.is_empty() {
            self.cat
                .operators
                .values()
                .map(|op| &op.name)
                .find(|q| q.name == symbol)
                .map(|q| q.schema.clone())
                .unwrap_or_else(|| self.create_schema_of(""))
        } else {
            schema.to_string()
        };
        Ok(format!("{}.{symbol}({})", Ident(&schema), types.join(", ")))
    }
}

/// A commutator or negator as the catalog query prints it: `OPERATOR(schema.op)`,
/// a bare name taken as the new operator's schema's (where PostgreSQL makes a shell
/// for it), `pg_catalog`'s bare.
fn operator_name(names: &[String], own_schema: &str) -> String {
    match split2(names).unwrap_or_default() {
        ("pg_catalog", n) => n.to_string(),
        ("", n) => format!("OPERATOR({}.{n})", Ident(own_schema)),
        (s, n) => format!("OPERATOR({}.{n})", Ident(s)),
    }
}
