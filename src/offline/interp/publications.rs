//! `CREATE PUBLICATION`, `ALTER PUBLICATION`.

use pg_query::protobuf::{self, AlterPublicationAction, PublicationObjSpecType as Spec};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Publication, PublishedTable, QualName, PUBLISH_OPERATIONS};
use crate::offline::expr::strings;

use super::{def_bool, def_value, inner, Interp};

/// What a publication statement lists: tables (with column lists and row filters)
/// and schemas.
#[derive(Default)]
struct Members {
    tables: Vec<(QualName, PublishedTable)>,
    schemas: Vec<String>,
}

impl<'c> Interp<'c> {
    /// `CREATE PUBLICATION p [FOR ALL TABLES | FOR TABLE ..., TABLES IN SCHEMA ...]
    /// [WITH (...)]`.
    pub(super) fn create_publication(&mut self, s: &protobuf::CreatePublicationStmt) -> Result<()> {
        if self.cat.publications.contains_key(&s.pubname) {
            return Err(self.already_exists(&format!("publication {}", s.pubname)));
        }
        self.created(format!("publication {}", s.pubname));
        let mut p = Publication {
            name: s.pubname.clone(),
            all_tables: s.for_all_tables,
            tables: Default::default(),
            schemas: Default::default(),
            publish: PUBLISH_OPERATIONS.iter().map(|o| o.to_string()).collect(),
            via_root: false,
            comment: None,
        };
        self.publication_options(&mut p, &s.options)?;
        let members = self.publication_members(&s.pubobjects)?;
        p.tables.extend(members.tables);
        p.schemas.extend(members.schemas);
        self.cat.publications.insert(p.name.clone(), p);
        Ok(())
    }

    /// `ALTER PUBLICATION p ADD | DROP | SET ...` and `ALTER PUBLICATION p SET (...)`.
    pub(super) fn alter_publication(&mut self, s: &protobuf::AlterPublicationStmt) -> Result<()> {
        let Some(mut p) = self.cat.publications.get(&s.pubname).cloned() else {
            return Err(self.missing(format!("publication {}", s.pubname)));
        };
        if !s.options.is_empty() {
            self.publication_options(&mut p, &s.options)?;
        }
        if !s.pubobjects.is_empty() {
            let members = self.publication_members(&s.pubobjects)?;
            match AlterPublicationAction::try_from(s.action).unwrap_or_default() {
                AlterPublicationAction::ApAddObjects => {
                    for (t, spec) in members.tables {
                        if p.tables.contains_key(&t) {
                            return Err(self.rejected(format!(
                                "relation \"{}\" is already member of publication \"{}\"",
                                t.name, p.name
                            )));
                        }
                        p.tables.insert(t, spec);
                    }
                    p.schemas.extend(members.schemas);
                }
                AlterPublicationAction::ApDropObjects => {
                    for (t, _) in members.tables {
                        if p.tables.remove(&t).is_none() {
                            return Err(self.rejected(format!(
                                "relation \"{}\" is not part of the publication",
                                t.name
                            )));
                        }
                    }
                    for schema in members.schemas {
                        p.schemas.remove(&schema);
                    }
                }
                AlterPublicationAction::ApSetObjects => {
                    p.tables = members.tables.into_iter().collect();
                    p.schemas = members.schemas.into_iter().collect();
                }
                AlterPublicationAction::Undefined => {}
            }
        }
        self.cat.publications.insert(p.name.clone(), p);
        Ok(())
    }

    fn publication_options(&self, p: &mut Publication, options: &[protobuf::Node]) -> Result<()> {
        for o in options {
            let Some(NodeEnum::DefElem(d)) = inner(o) else {
                continue;
            };
            match d.defname.as_str() {
                "publish" => {
                    let text = def_value(d.arg.as_deref()).unwrap_or_default();
                    p.publish = Publication::parse_publish(&text).map_err(|m| self.rejected(m))?;
                }
                "publish_via_partition_root" => p.via_root = def_bool(d.arg.as_deref()),
                other => {
                    return Err(self.unsupported(format!("publication option {other}")));
                }
            }
        }
        Ok(())
    }

    /// The tables and schemas of a `FOR TABLE ..., TABLES IN SCHEMA ...` list; an item
    /// without its own keyword continues the one before.
    fn publication_members(&mut self, objects: &[protobuf::Node]) -> Result<Members> {
        let mut out = Members::default();
        let mut kind = Spec::Undefined;
        for o in objects {
            let Some(NodeEnum::PublicationObjSpec(o)) = inner(o) else {
                continue;
            };
            let this = Spec::try_from(o.pubobjtype).unwrap_or_default();
            if this != Spec::PublicationobjContinuation {
                kind = this;
            }
            match kind {
                Spec::PublicationobjTable => {
                    let (rv, filter, columns) = match o.pubtable.as_deref() {
                        Some(t) => (
                            t.relation.clone().unwrap_or_default(),
                            t.where_clause.as_deref(),
                            strings(&t.columns),
                        ),
                        None => (
                            protobuf::RangeVar {
                                relname: o.name.clone(),
                                ..Default::default()
                            },
                            None,
                            Vec::new(),
                        ),
                    };
                    let table = self.find_table(&rv)?;
                    let order: Vec<String> = self.table(&table)?.columns.keys().cloned().collect();
                    for c in &columns {
                        self.resolve_column(&table, c)?;
                    }
                    let mut columns: Vec<(usize, String)> = columns
                        .into_iter()
                        .map(|c| (order.iter().position(|x| *x == c).unwrap_or(0), c))
                        .collect();
                    columns.sort();
                    columns.dedup();
                    let row_filter = match filter {
                        Some(w) => {
                            self.resolve_table_expr(&table, w)?;
                            let saved = self.scope.replace(Self::table_scope(&table));
                            let text = self.expr_text(w);
                            self.scope.replace(saved);
                            Some(text?)
                        }
                        None => None,
                    };
                    out.tables.push((
                        table,
                        PublishedTable {
                            columns: columns.into_iter().map(|(_, c)| c).collect(),
                            row_filter,
                        },
                    ));
                }
                Spec::PublicationobjTablesInSchema | Spec::PublicationobjTablesInCurSchema => {
                    let schema =
                        if this == Spec::PublicationobjTablesInCurSchema || o.name.is_empty() {
                            self.create_schema_of("")
                        } else {
                            o.name.clone()
                        };
                    if !self.cat.schemas.contains_key(&schema) {
                        return Err(self.rejected(format!("schema \"{schema}\" does not exist")));
                    }
                    out.schemas.push(schema);
                }
                _ => return Err(self.unsupported("a publication object of this kind")),
            }
        }
        Ok(out)
    }
}
