//! `CREATE [OR REPLACE] AGGREGATE name (args) (...)`, kept as the parts PostgreSQL
//! stores, like an aggregate read from a server.

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{
    AggregateParts, DepSet, Function, FunctionKey, FunctionKind, Ident, NotCompared, ObjectId,
};
use crate::offline::expr::strings;

use super::{def_value, inner, Interp};

impl<'c> Interp<'c> {
    pub(super) fn create_aggregate(&mut self, s: &protobuf::DefineStmt) -> Result<()> {
        if s.oldstyle {
            return Err(self.unsupported(
                "an aggregate in the old syntax (BASETYPE = ...); write CREATE AGGREGATE name (type) (...)",
            ));
        }
        let name = self.create_list(&strings(&s.defnames))?;
        let mut deps: Vec<ObjectId> = Vec::new();
        // args: the argument list, then the number of direct arguments (-1: a normal
        // aggregate).
        let (params, direct) = match s.args.as_slice() {
            [list, n] => {
                let params = match inner(list) {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let direct = match inner(n) {
                    Some(NodeEnum::Integer(i)) => i.ival,
                    _ => -1,
                };
                (params, direct)
            }
            _ => (Vec::new(), -1),
        };
        let mut args = Vec::new();
        for p in &params {
            let Some(NodeEnum::FunctionParameter(fp)) = inner(p) else {
                continue;
            };
            let (_, named) = self.parameter(fp, &mut deps)?;
            let variadic = fp.mode == protobuf::FunctionParameterMode::FuncParamVariadic as i32;
            let word = if variadic { "VARIADIC " } else { "" };
            args.push(format!("{word}{named}"));
        }
        let arguments = if args.is_empty() {
            "*".to_string()
        } else if direct >= 0 {
            let (d, a) = args.split_at((direct as usize).min(args.len()));
            format!("{} ORDER BY {}", d.join(", "), a.join(", "))
                .trim_start()
                .to_string()
        } else {
            args.join(", ")
        };
        let mut parts = AggregateParts {
            kind: if direct >= 0 { 'o' } else { 'n' },
            parallel: 'u',
            ..AggregateParts::default()
        };
        let (mut modify, mut mmodify) = (None, None);
        for d in &s.definition {
            let Some(NodeEnum::DefElem(d)) = inner(d) else {
                continue;
            };
            let arg = d.arg.as_deref();
            match d.defname.to_ascii_lowercase().as_str() {
                "sfunc" | "sfunc1" => parts.sfunc = self.agg_function(arg, &mut deps)?,
                "stype" | "stype1" => parts.stype = self.agg_type(arg, &mut deps)?,
                "sspace" => parts.sspace = int(arg),
                "finalfunc" => parts.finalfunc = Some(self.agg_function(arg, &mut deps)?),
                "finalfunc_extra" => parts.finalfunc_extra = true,
                "finalfunc_modify" => modify = Some(modify_char(arg)),
                "combinefunc" => parts.combinefunc = Some(self.agg_function(arg, &mut deps)?),
                "serialfunc" => parts.serialfunc = Some(self.agg_function(arg, &mut deps)?),
                "deserialfunc" => parts.deserialfunc = Some(self.agg_function(arg, &mut deps)?),
                "initcond" | "initcond1" => parts.initcond = def_value(arg),
                "msfunc" => parts.msfunc = Some(self.agg_function(arg, &mut deps)?),
                "minvfunc" => parts.minvfunc = Some(self.agg_function(arg, &mut deps)?),
                "mstype" => parts.mstype = Some(self.agg_type(arg, &mut deps)?),
                "msspace" => parts.msspace = int(arg),
                "mfinalfunc" => parts.mfinalfunc = Some(self.agg_function(arg, &mut deps)?),
                "mfinalfunc_extra" => parts.mfinalfunc_extra = true,
                "mfinalfunc_modify" => mmodify = Some(modify_char(arg)),
                "minitcond" => parts.minitcond = def_value(arg),
                "sortop" => parts.sortop = Some(sort_operator(arg)),
                "parallel" => {
                    parts.parallel =
                        match def_value(arg).unwrap_or_default().to_lowercase().as_str() {
                            "safe" => 's',
                            "restricted" => 'r',
                            _ => 'u',
                        }
                }
                "hypothetical" => parts.kind = 'h',
                other => {
                    return Err(
                        self.rejected(format!("aggregate attribute \"{other}\" not recognized"))
                    )
                }
            }
        }
        if parts.sfunc.is_empty() || parts.stype.is_empty() {
            return Err(self.rejected("aggregate stype and sfunc must be specified".into()));
        }
        let default = if parts.kind == 'n' { 'r' } else { 'w' };
        parts.finalfunc_modify = modify.unwrap_or(default);
        parts.mfinalfunc_modify = mmodify.unwrap_or(default);
        let key = FunctionKey {
            name: name.clone(),
            args: arguments.clone(),
        };
        let definition = parts.definition(&name, &arguments);
        self.put_function(Function {
            key,
            kind: FunctionKind::Aggregate,
            definition,
            arguments,
            result: None,
            comment: None,
            deps: NotCompared(deps.into_iter().collect::<DepSet>()),
        });
        Ok(())
    }

    /// A support function as `regproc` prints it: one the schema declares with its
    /// schema, a server's own bare.
    fn agg_function(&self, arg: Option<&Node>, deps: &mut Vec<ObjectId>) -> Result<String> {
        let names = match arg.and_then(inner) {
            Some(NodeEnum::TypeName(t)) => strings(&t.names),
            Some(NodeEnum::List(l)) => strings(&l.items),
            _ => def_value(arg).into_iter().collect(),
        };
        Ok(self.support_function(&names, deps))
    }

    /// A state type as `format_type` prints it.
    fn agg_type(&self, arg: Option<&Node>, deps: &mut Vec<ObjectId>) -> Result<String> {
        match arg.and_then(inner) {
            Some(NodeEnum::TypeName(t)) => {
                let (ty, d) = self.type_of(t)?;
                deps.extend(d);
                Ok(ty)
            }
            _ => Err(self.unsupported("an aggregate state type that is not a type name")),
        }
    }
}

fn int(arg: Option<&Node>) -> i32 {
    def_value(arg).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn modify_char(arg: Option<&Node>) -> char {
    match def_value(arg).unwrap_or_default().to_lowercase().as_str() {
        "shareable" => 's',
        "read_write" => 'w',
        _ => 'r',
    }
}

/// `SORTOP = >` or `SORTOP = OPERATOR(s.>)`: the operator's name as the catalog query
/// spells it.
fn sort_operator(arg: Option<&Node>) -> String {
    match arg.and_then(inner) {
        Some(NodeEnum::List(l)) => {
            let names = strings(&l.items);
            match names.as_slice() {
                [s, op] if s != "pg_catalog" => format!("OPERATOR({}.{op})", Ident(s)),
                [.., op] => op.clone(),
                [] => String::new(),
            }
        }
        _ => def_value(arg).unwrap_or_default(),
    }
}
