//! `CREATE CAST`.

use pg_query::protobuf::{self, CoercionContext};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Cast, Ident, ObjectId, QualName};
use crate::offline::expr::strings;

use super::{inner, split2, Interp};

impl<'c> Interp<'c> {
    /// `CREATE CAST (source AS target) {WITH FUNCTION f(types) | WITHOUT FUNCTION | WITH
    /// INOUT} [AS ASSIGNMENT | AS IMPLICIT]`.
    pub(super) fn create_cast(&mut self, s: &protobuf::CreateCastStmt) -> Result<()> {
        let mut deps = Vec::new();
        let mut type_text = |t: Option<&protobuf::TypeName>| -> Result<String> {
            let t = t.ok_or_else(|| self.unsupported("a cast without its types"))?;
            let (ty, d) = self.type_of(t)?;
            deps.extend(d);
            Ok(ty)
        };
        let source = type_text(s.sourcetype.as_ref())?;
        let target = type_text(s.targettype.as_ref())?;
        let function = match &s.func {
            Some(f) => Some(self.cast_function(f, &mut deps)?),
            None => None,
        };
        let mut cast = Cast {
            source,
            target,
            function,
            inout: s.inout,
            context: match CoercionContext::try_from(s.context) {
                Ok(CoercionContext::CoercionImplicit) => 'i',
                Ok(CoercionContext::CoercionAssignment) => 'a',
                _ => 'e',
            },
            comment: None,
            deps: Default::default(),
        };
        let key = cast.signature();
        if self.cat.casts.contains_key(&key) {
            return Err(self.rejected(format!(
                "cast from type {} to type {} already exists",
                cast.source, cast.target
            )));
        }
        cast.deps.extend(deps);
        self.cat.casts.insert(key, cast);
        Ok(())
    }

    /// The key of the cast `DROP CAST` and `COMMENT ON CAST` name (a list of the two
    /// types).
    pub(super) fn cast_key(&self, object: &protobuf::Node) -> Result<String> {
        let types: Vec<&protobuf::TypeName> = match inner(object) {
            Some(NodeEnum::List(l)) => l
                .items
                .iter()
                .filter_map(|i| match inner(i) {
                    Some(NodeEnum::TypeName(t)) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        match types.as_slice() {
            [a, b] => Ok(format!(
                "({} AS {})",
                self.type_of(a)?.0,
                self.type_of(b)?.0
            )),
            _ => Err(self.unsupported("a cast named without its two types")),
        }
    }

    /// The function of a cast as `regprocedure` prints it: `public.f(integer)` for one
    /// the schema declares, `int4(bigint)` for a server's own.
    fn cast_function(
        &self,
        f: &protobuf::ObjectWithArgs,
        deps: &mut Vec<ObjectId>,
    ) -> Result<String> {
        let mut types = Vec::new();
        for a in &f.objargs {
            if let Some(NodeEnum::TypeName(t)) = inner(a) {
                types.push(self.type_of(t)?.0);
            }
        }
        if let Some(k) = self.function_key(f)? {
            deps.push(ObjectId::Function(k.clone()));
            return Ok(format!("{}({})", k.name, types.join(",")));
        }
        let names = strings(&f.objname);
        let name = match split2(&names).unwrap_or_default() {
            ("", n) | ("pg_catalog", n) => Ident(n).to_string(),
            (s, n) => QualName::new(s, n).to_string(),
        };
        Ok(format!("{name}({})", types.join(",")))
    }
}
