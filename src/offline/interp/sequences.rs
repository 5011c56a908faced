//! `CREATE` / `ALTER SEQUENCE`, and the sequence options identity columns share.

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Deps, QualName, Sequence, SequenceOptions};
use crate::offline::expr::strings;

use super::{def_bool, inner, node_i64, Interp};

impl<'c> Interp<'c> {
    /// Applies sequence options (`AS`, `INCREMENT`, ...) to a data type and options.
    pub(super) fn sequence_options(
        &self,
        options: &[Node],
        data_type: &mut String,
        current: Option<SequenceOptions>,
        owned_by: &mut Option<Option<(QualName, String)>>,
    ) -> Result<SequenceOptions> {
        let mut as_type = None;
        let mut increment = None;
        let mut min: Option<Option<i64>> = None;
        let mut max: Option<Option<i64>> = None;
        let mut start = None;
        let mut cache = None;
        let mut cycle = None;
        for o in options {
            let Some(NodeEnum::DefElem(d)) = inner(o) else {
                continue;
            };
            let arg = d.arg.as_deref();
            match d.defname.as_str() {
                "as" => {
                    if let Some(NodeEnum::TypeName(t)) = arg.and_then(inner) {
                        as_type = Some(self.type_of(t)?.0);
                    }
                }
                "increment" => increment = node_i64(arg),
                "minvalue" => min = Some(node_i64(arg)),
                "maxvalue" => max = Some(node_i64(arg)),
                "start" => start = node_i64(arg),
                "cache" => cache = node_i64(arg),
                "cycle" => cycle = Some(def_bool(arg)),
                "owned_by" => {
                    let names = match arg.and_then(inner) {
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        _ => Vec::new(),
                    };
                    *owned_by = Some(if names == ["none"] {
                        None
                    } else if names.len() >= 2 {
                        let (table, col) = names.split_at(names.len() - 1);
                        let rv = protobuf::RangeVar {
                            schemaname: if table.len() > 1 {
                                table[0].clone()
                            } else {
                                String::new()
                            },
                            relname: table[table.len() - 1].clone(),
                            ..Default::default()
                        };
                        Some((self.find_table(&rv)?, col[0].clone()))
                    } else {
                        return Err(self.unsupported("this OWNED BY"));
                    });
                }
                "restart" | "sequence_name" => {}
                other => return Err(self.unsupported(format!("sequence option {other}"))),
            }
        }
        let old_type = data_type.clone();
        if let Some(t) = as_type {
            if !matches!(t.as_str(), "smallint" | "integer" | "bigint") {
                return Err(self.unsupported(format!("a sequence AS {t}")));
            }
            *data_type = t;
        }
        let increment_now = increment
            .or(current.as_ref().map(|c| c.increment))
            .unwrap_or(1);
        let new_defaults = SequenceOptions::defaults_for(data_type, increment_now);
        let mut o = match current {
            Some(c) => {
                // A bound left at the old type's (or direction's) default follows the new
                // type, as ALTER SEQUENCE does.
                let old_defaults = SequenceOptions::defaults_for(&old_type, c.increment);
                let mut c = c;
                if c.min == old_defaults.min {
                    c.min = new_defaults.min;
                }
                if c.max == old_defaults.max {
                    c.max = new_defaults.max;
                }
                c.increment = increment_now;
                c
            }
            None => new_defaults.clone(),
        };
        if let Some(m) = min {
            o.min = m.unwrap_or(new_defaults.min);
        }
        if let Some(m) = max {
            o.max = m.unwrap_or(new_defaults.max);
        }
        if let Some(s) = start {
            o.start = s;
        }
        if let Some(c) = cache {
            o.cache = c;
        }
        if let Some(c) = cycle {
            o.cycle = c;
        }
        Ok(o)
    }

    pub(super) fn create_sequence(&mut self, s: &protobuf::CreateSeqStmt) -> Result<()> {
        let rv = s
            .sequence
            .as_ref()
            .ok_or_else(|| self.unsupported("a sequence without a name"))?;
        let name = self.create_name(rv);
        if s.if_not_exists && self.is_relation(&name) {
            return Ok(());
        }
        self.new_relation(&name)?;
        let mut data_type = "bigint".to_string();
        let mut owned = None;
        let options = self.sequence_options(&s.options, &mut data_type, None, &mut owned)?;
        let mut options = options;
        // A fresh sequence starts at its bound when START is not given.
        if !s
            .options
            .iter()
            .any(|o| matches!(inner(o), Some(NodeEnum::DefElem(d)) if d.defname == "start"))
        {
            options.start = if options.increment > 0 {
                options.min
            } else {
                options.max
            };
        }
        self.cat.sequences.insert(
            name.clone(),
            Sequence {
                name,
                data_type,
                options,
                owned_by: owned.flatten(),
                comment: None,
                deps: Deps::default(),
            },
        );
        Ok(())
    }

    pub(super) fn alter_sequence(&mut self, s: &protobuf::AlterSeqStmt) -> Result<()> {
        let rv = s
            .sequence
            .as_ref()
            .ok_or_else(|| self.unsupported("a sequence without a name"))?;
        let Some(q) = self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.sequences.contains_key(q)
        }) else {
            if s.missing_ok {
                return Ok(());
            }
            return Err(self.missing(format!("sequence {}", rv.relname)));
        };
        let missing = || self.missing(format!("sequence {q}"));
        let seq = self.cat.sequences.get(&q).ok_or_else(missing)?.clone();
        let mut data_type = seq.data_type.clone();
        let mut owned = None;
        let options = self.sequence_options(
            &s.options,
            &mut data_type,
            Some(seq.options.clone()),
            &mut owned,
        )?;
        let missing = self.missing(format!("sequence {q}"));
        let seq = self.cat.sequences.get_mut(&q).ok_or(missing)?;
        seq.data_type = data_type;
        seq.options = options;
        if let Some(o) = owned {
            seq.owned_by = o;
        }
        Ok(())
    }
}
