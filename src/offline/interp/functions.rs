//! `CREATE FUNCTION` / `PROCEDURE`, and finding the function a signature names.

use std::collections::BTreeSet;

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{DepSet, Function, FunctionKey, FunctionKind, Ident, NotCompared};
use crate::offline::expr::{deparse_expr, deparse_stmt, string_nodes, strings, walk_mut};
use crate::offline::types;

use super::{def_value, inner, Interp};

impl<'c> Interp<'c> {
    pub(super) fn create_function(&mut self, s: &protobuf::CreateFunctionStmt) -> Result<()> {
        let mut stmt = s.clone();
        let name = self.create_list(&strings(&s.funcname))?;
        stmt.funcname = string_nodes(&[&name.schema, &name.name]);
        stmt.replace = true;
        let mut identity = Vec::new();
        let mut arguments = Vec::new();
        let mut table_cols = Vec::new();
        let mut outs = Vec::new();
        let mut deps = Vec::new();
        let procedure = s.is_procedure;
        for p in stmt.parameters.iter_mut() {
            let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_mut() else {
                continue;
            };
            let (ty, named) = self.parameter(fp, &mut deps)?;
            if let Some(tn) = fp.arg_type.as_mut() {
                self.normalize_typename(tn);
            }
            use protobuf::FunctionParameterMode as M;
            let mut mode = M::try_from(fp.mode).unwrap_or(M::FuncParamIn);
            if mode == M::FuncParamDefault {
                mode = M::FuncParamIn;
                fp.mode = M::FuncParamIn as i32;
            }
            let word = match mode {
                M::FuncParamOut => "OUT ",
                M::FuncParamInout => "INOUT ",
                M::FuncParamVariadic => "VARIADIC ",
                _ => "",
            };
            if let Some(d) = fp.defexpr.as_deref_mut() {
                self.normalize(d);
            }
            let default = fp
                .defexpr
                .as_deref()
                .and_then(deparse_expr)
                .map(|d| format!(" DEFAULT {d}"))
                .unwrap_or_default();
            match mode {
                M::FuncParamTable => table_cols.push(named),
                M::FuncParamOut => {
                    outs.push(ty.clone());
                    if procedure {
                        identity.push(format!("{word}{named}"));
                    }
                    arguments.push(format!("{word}{named}"));
                }
                _ => {
                    identity.push(format!("{word}{named}"));
                    arguments.push(format!("{word}{named}{default}"));
                }
            }
        }
        let result = if procedure {
            None
        } else if !table_cols.is_empty() {
            Some(format!("TABLE({})", table_cols.join(", ")))
        } else if !outs.is_empty()
            && stmt.return_type.as_ref().is_none_or(|rt| {
                !rt.setof && strings(&rt.names).last().map(String::as_str) == Some("record")
            })
        {
            // RETURNS record says what the OUT parameters say already.
            stmt.return_type = None;
            Some(if outs.len() == 1 {
                outs[0].clone()
            } else {
                "record".into()
            })
        } else if let Some(rt) = stmt.return_type.as_mut() {
            let (ty, d) = self.type_of(rt)?;
            deps.extend(d);
            self.normalize_typename(rt);
            Some(if rt.setof { format!("SETOF {ty}") } else { ty })
        } else if outs.len() == 1 {
            Some(outs[0].clone())
        } else {
            Some("record".into())
        };
        if let Some(body) = stmt.sql_body.as_deref_mut() {
            deps.extend(self.expr_deps(body, None));
            walk_mut(body, &mut |x| {
                if let NodeEnum::List(_) = x {
                } else {
                    let ctes = BTreeSet::new();
                    self.normalize_one(x, &ctes);
                }
            });
        }
        stmt.options = canonical_function_options(stmt.options);
        let definition = deparse_stmt(NodeEnum::CreateFunctionStmt(Box::new(stmt)))
            .ok_or_else(|| self.unsupported("a function the deparser cannot print"))?;
        let key = FunctionKey {
            name,
            args: identity.join(", "),
        };
        let deps: DepSet = deps.into_iter().collect();
        self.put_function(Function {
            key,
            kind: if procedure {
                FunctionKind::Procedure
            } else {
                FunctionKind::Function
            },
            definition,
            arguments: arguments.join(", "),
            result,
            comment: None,
            deps: NotCompared(deps),
        });
        Ok(())
    }

    /// The function an `ObjectWithArgs` names.
    /// Puts a routine into the catalog; one that replaces another (`CREATE OR REPLACE`)
    /// keeps its comment.
    pub(super) fn put_function(&mut self, mut f: Function) {
        f.comment = self
            .cat
            .functions
            .get(&f.key)
            .and_then(|old| old.comment.clone());
        self.cat.functions.insert(f.key.clone(), f);
    }

    /// A parameter's type as the catalog spells it, and the parameter as an argument
    /// list shows it (`name type`, or the type alone); what the type needs goes to `deps`.
    pub(super) fn parameter(
        &self,
        fp: &protobuf::FunctionParameter,
        deps: &mut Vec<crate::model::ObjectId>,
    ) -> Result<(String, String)> {
        let tn = fp
            .arg_type
            .as_ref()
            .ok_or_else(|| self.unsupported("a parameter without a type"))?;
        let (ty, d) = self.type_of(tn)?;
        deps.extend(d);
        let named = if fp.name.is_empty() {
            ty.clone()
        } else {
            format!("{} {ty}", Ident(&fp.name))
        };
        Ok((ty, named))
    }

    pub(super) fn function_key(&self, o: &protobuf::ObjectWithArgs) -> Result<Option<FunctionKey>> {
        let names = strings(&o.objname);
        let candidates = self.functions_named(&names);
        if o.args_unspecified
            || candidates.len() == 1 && o.objargs.is_empty() && o.objfuncargs.is_empty()
        {
            return Ok(candidates.into_iter().next());
        }
        let mut types = Vec::new();
        for a in &o.objargs {
            if let Some(NodeEnum::TypeName(t)) = inner(a) {
                types.push(self.type_of(t)?.0);
            }
        }
        Ok(candidates.into_iter().find(|k| {
            self.cat
                .functions
                .get(k)
                .is_some_and(|f| arg_types(&f.arguments) == types)
        }))
    }
}

/// The types of a function's argument list as this module writes it
/// (`a integer, VARIADIC b text[]` gives `integer`, `text[]`), for matching a
/// signature written by type only.
fn arg_types(arguments: &str) -> Vec<String> {
    if arguments.is_empty() {
        return Vec::new();
    }
    arguments
        .split(", ")
        .filter(|a| !a.starts_with("OUT "))
        .map(|a| {
            let a = a.split(" DEFAULT ").next().unwrap_or(a);
            let a = a
                .strip_prefix("INOUT ")
                .or_else(|| a.strip_prefix("VARIADIC "))
                .unwrap_or(a);
            match a.split_once(' ') {
                Some((first, rest)) if !starts_type(first) => rest.to_string(),
                _ => a.to_string(),
            }
        })
        .collect()
}

fn starts_type(word: &str) -> bool {
    types::is_builtin(word)
        || word.contains('.')
        || matches!(word, "double" | "character" | "bit" | "timestamp" | "time")
        || word.ends_with("[]")
}

/// A function's options in one order, without the ones that say the default.
fn canonical_function_options(options: Vec<Node>) -> Vec<Node> {
    let mut kept: Vec<(String, Node)> = Vec::new();
    for o in options {
        let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
            kept.push((String::new(), o));
            continue;
        };
        let value = def_value(d.arg.as_deref()).unwrap_or_default();
        let default = match d.defname.as_str() {
            "volatility" => value == "volatile",
            "strict" | "security" | "leakproof" | "window" => value == "false",
            "parallel" => value == "unsafe",
            "cost" => value == "100",
            "rows" => value == "1000",
            _ => false,
        };
        if !default {
            kept.push((d.defname.clone(), o));
        }
    }
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.into_iter().map(|(_, o)| o).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_types_drop_names() {
        assert_eq!(
            arg_types("a integer, double precision, VARIADIC b text[]"),
            vec!["integer", "double precision", "text[]"]
        );
    }
}
