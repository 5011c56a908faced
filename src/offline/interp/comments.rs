//! `COMMENT ON`, for every kind of object the model keeps a comment on.

use pg_query::protobuf::{self, Node, ObjectType};
use pg_query::NodeEnum;

use crate::error::{Error, Result};
use crate::model::TypeKind;
use crate::offline::expr::strings;

use super::{inner, split2, Interp};

impl<'c> Interp<'c> {
    pub(super) fn list_name(&self, object: Option<&Node>) -> Vec<String> {
        match object.and_then(inner) {
            Some(NodeEnum::List(l)) => strings(&l.items),
            Some(NodeEnum::String(s)) => vec![s.sval.clone()],
            Some(NodeEnum::TypeName(t)) => strings(&t.names),
            _ => Vec::new(),
        }
    }

    pub(super) fn comment(&mut self, s: &protobuf::CommentStmt) -> Result<()> {
        let text = if s.comment.is_empty() {
            None
        } else {
            Some(s.comment.clone())
        };
        let object = s.object.as_deref();
        let names = self.list_name(object);
        if names.first().map(String::as_str) == Some(crate::model::TRASH_SCHEMA) {
            // A held object's label (recoverable drops): held objects are no part of a
            // schema.
            return Ok(());
        }
        let rel = |names: &[String]| -> Option<protobuf::RangeVar> {
            let (sch, n) = split2(names)?;
            Some(protobuf::RangeVar {
                schemaname: sch.into(),
                relname: n.into(),
                ..Default::default()
            })
        };
        let objtype = ObjectType::try_from(s.objtype).unwrap_or_default();
        let missing_err = self.missing(format!("the object of COMMENT ON {}", names.join(".")));
        let not_found = || Error::Unsupported {
            what: match &missing_err {
                Error::Unsupported { what } => what.clone(),
                other => other.to_string(),
            },
        };
        match objtype {
            ObjectType::ObjectSchema => {
                let sch = self
                    .cat
                    .schemas
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                sch.comment = text;
            }
            ObjectType::ObjectExtension => {
                let e = self
                    .cat
                    .extensions
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                e.comment = text;
            }
            ObjectType::ObjectTsdictionary => {
                let (sch, n) = split2(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(sch, n, |q| self.cat.ts_dictionaries.contains_key(q))
                    .ok_or_else(not_found)?;
                if let Some(x) = self.cat.ts_dictionaries.get_mut(&q) {
                    x.comment = text;
                }
            }
            ObjectType::ObjectTsconfiguration => {
                let (sch, n) = split2(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(sch, n, |q| self.cat.ts_configurations.contains_key(q))
                    .ok_or_else(not_found)?;
                if let Some(x) = self.cat.ts_configurations.get_mut(&q) {
                    x.comment = text;
                }
            }
            ObjectType::ObjectOperator => {
                let Some(NodeEnum::ObjectWithArgs(w)) = object.and_then(inner) else {
                    return Err(not_found());
                };
                let key = self.operator_key(w)?;
                let op = self.cat.operators.get_mut(&key).ok_or_else(not_found)?;
                op.comment = text;
            }
            ObjectType::ObjectCast => {
                let key = object
                    .map(|o| self.cast_key(o))
                    .transpose()?
                    .unwrap_or_default();
                let cast = self.cat.casts.get_mut(&key).ok_or_else(not_found)?;
                cast.comment = text;
            }
            ObjectType::ObjectFdw => {
                let w = self
                    .cat
                    .foreign_data_wrappers
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                w.comment = text;
            }
            ObjectType::ObjectForeignServer => {
                let v = self
                    .cat
                    .foreign_servers
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                v.comment = text;
            }
            ObjectType::ObjectEventTrigger => {
                let x = self
                    .cat
                    .event_triggers
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                x.comment = text;
            }
            ObjectType::ObjectPublication => {
                let p = self
                    .cat
                    .publications
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                p.comment = text;
            }
            ObjectType::ObjectStatisticExt => {
                let (sch, n) = split2(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(sch, n, |q| self.cat.statistics.contains_key(q))
                    .ok_or_else(not_found)?;
                if let Some(x) = self.cat.statistics.get_mut(&q) {
                    x.comment = text;
                }
            }
            ObjectType::ObjectCollation => {
                let (sch, n) = split2(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(sch, n, |q| self.cat.collations.contains_key(q))
                    .ok_or_else(not_found)?;
                if let Some(c) = self.cat.collations.get_mut(&q) {
                    c.comment = text;
                }
            }
            ObjectType::ObjectTable | ObjectType::ObjectForeignTable => {
                let q = self.find_table(&rel(&names).ok_or_else(not_found)?)?;
                self.table_mut(&q)?.comment = text;
            }
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let r = rel(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(&r.schemaname, &r.relname, |q| {
                        self.cat.views.contains_key(q)
                    })
                    .ok_or_else(not_found)?;
                self.cat.views.get_mut(&q).ok_or_else(not_found)?.comment = text;
            }
            ObjectType::ObjectSequence => {
                let r = rel(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(&r.schemaname, &r.relname, |q| {
                        self.cat.sequences.contains_key(q)
                    })
                    .ok_or_else(not_found)?;
                self.cat
                    .sequences
                    .get_mut(&q)
                    .ok_or_else(not_found)?
                    .comment = text;
            }
            ObjectType::ObjectIndex => {
                let r = rel(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(&r.schemaname, &r.relname, |q| {
                        self.cat.indexes.contains_key(q)
                    })
                    .ok_or_else(not_found)?;
                self.cat.indexes.get_mut(&q).ok_or_else(not_found)?.comment = text;
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let q = self
                    .user_type(&names)
                    .filter(|q| self.cat.types.contains_key(q))
                    .ok_or_else(not_found)?;
                self.cat.types.get_mut(&q).ok_or_else(not_found)?.comment = text;
            }
            ObjectType::ObjectColumn => {
                let (relnames, col) = names.split_at(names.len().saturating_sub(1));
                let r = rel(relnames).ok_or_else(not_found)?;
                let col = col.first().cloned().unwrap_or_default();
                let composite = self
                    .user_type(relnames)
                    .and_then(|q| self.cat.types.get(&q))
                    .is_some_and(|t| match &t.kind {
                        TypeKind::Composite { attributes } => {
                            attributes.iter().any(|a| a.name == col)
                        }
                        _ => false,
                    });
                if composite {
                    // The model keeps no comments on attributes (introspection reads
                    // none either).
                    return Ok(());
                }
                let q = self.find_table_or_view(&r)?;
                if let Some(t) = self.cat.table_mut(&q) {
                    t.columns.get_mut(&col).ok_or_else(not_found)?.comment = text;
                } else if let Some(v) = self.cat.views.get_mut(&q) {
                    match text {
                        Some(t) => {
                            v.column_comments.insert(col, t);
                        }
                        None => {
                            v.column_comments.remove(&col);
                        }
                    }
                }
            }
            ObjectType::ObjectTabconstraint
            | ObjectType::ObjectTrigger
            | ObjectType::ObjectRule
            | ObjectType::ObjectPolicy => {
                let (relnames, last) = names.split_at(names.len().saturating_sub(1));
                let r = rel(relnames).ok_or_else(not_found)?;
                let sub = last.first().cloned().unwrap_or_default();
                let q = self.find_table_or_view(&r)?;
                match objtype {
                    ObjectType::ObjectTabconstraint => {
                        let t = self.cat.table_mut(&q).ok_or_else(not_found)?;
                        t.constraints.get_mut(&sub).ok_or_else(not_found)?.comment = text;
                    }
                    ObjectType::ObjectPolicy => {
                        let t = self.cat.table_mut(&q).ok_or_else(not_found)?;
                        t.policies.get_mut(&sub).ok_or_else(not_found)?.comment = text;
                    }
                    ObjectType::ObjectRule => {
                        let r = self.cat.rules.get_mut(&(q, sub)).ok_or_else(not_found)?;
                        r.comment = text;
                    }
                    _ => {
                        self.cat
                            .triggers
                            .get_mut(&(q, sub))
                            .ok_or_else(not_found)?
                            .comment = text;
                    }
                }
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectAggregate => {
                let Some(NodeEnum::ObjectWithArgs(o)) = object.and_then(inner) else {
                    return Err(not_found());
                };
                let k = self.function_key(o)?.ok_or_else(not_found)?;
                self.cat
                    .functions
                    .get_mut(&k)
                    .ok_or_else(not_found)?
                    .comment = text;
            }
            ObjectType::ObjectDomconstraint => {
                // The model keeps no comments on domain constraints (introspection reads
                // none either); the constraint must exist.
                let (tn, con) = match object.and_then(inner) {
                    Some(NodeEnum::List(l)) if l.items.len() == 2 => {
                        let tn = match inner(&l.items[0]) {
                            Some(NodeEnum::TypeName(t)) => strings(&t.names),
                            _ => Vec::new(),
                        };
                        (tn, strings(&l.items[1..]))
                    }
                    _ => (Vec::new(), Vec::new()),
                };
                let exists = self
                    .user_type(&tn)
                    .and_then(|q| self.cat.types.get(&q))
                    .is_some_and(|t| match &t.kind {
                        TypeKind::Domain { checks, .. } => {
                            con.first().is_some_and(|c| checks.contains_key(c))
                        }
                        _ => false,
                    });
                if !exists {
                    return Err(not_found());
                }
            }
            _ => return Err(self.unsupported(format!("COMMENT ON {objtype:?}"))),
        }
        Ok(())
    }
}
