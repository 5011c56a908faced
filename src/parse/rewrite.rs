//! Rewrites that break dependency cycles between schema statements: foreign keys moved
//! out of CREATE TABLE, OWNED BY moved out of CREATE SEQUENCE.
//!
//! Input: a statement and a test for the objects whose references must go. Output: the
//! statement without them plus the `ALTER` statements that add them back, built on
//! pg_query's protobuf tree and deparsed, each placed at the clause it came from so
//! that errors still point at the user's file. [`crate::order::statements`] decides
//! what to move; this module only edits trees. Does no I/O.

use pg_query::protobuf::{self, AlterTableType, ConstrType, DropBehavior, ObjectType};
use pg_query::{Node, NodeEnum};

use super::refs::{node_strings, Resolver};
use super::split::location_within;
use super::sql::derived_statement;
use super::{ObjRef, Statement, StatementKind};
use crate::error::{Error, Result};

/// Moves the foreign keys of a `CREATE TABLE` whose referenced table passes `moves`
/// (column-level `REFERENCES` and table-level `FOREIGN KEY`) into `ALTER TABLE ... ADD
/// FOREIGN KEY` statements. Returns the rewritten CREATE TABLE followed by the ALTERs,
/// or `None` when the statement is not a CREATE TABLE or has no such foreign key.
pub fn split_foreign_keys(
    stmt: &Statement,
    moves: &dyn Fn(&ObjRef) -> bool,
) -> Result<Option<Vec<Statement>>> {
    if stmt.kind != StatementKind::CreateTable {
        return Ok(None);
    }
    let mut tree = reparse(stmt)?;
    let Some(NodeEnum::CreateStmt(create)) = first_node_mut(&mut tree) else {
        return Ok(None);
    };
    let resolver = Resolver {
        search_path: &stmt.search_path,
    };
    let targets = |c: &protobuf::Constraint| {
        c.contype == ConstrType::ConstrForeign as i32
            && c.pktable.as_ref().is_some_and(|t| {
                resolver
                    .candidates(&t.schemaname, &t.relname)
                    .into_iter()
                    .any(|q| moves(&ObjRef::Relation(q)))
            })
    };
    let mut moved: Vec<protobuf::Constraint> = Vec::new();
    for elt in &mut create.table_elts {
        match &mut elt.node {
            Some(NodeEnum::ColumnDef(col)) => {
                let colname = col.colname.clone();
                let mut kept = Vec::with_capacity(col.constraints.len());
                let mut taking: Option<protobuf::Constraint> = None;
                for node in std::mem::take(&mut col.constraints) {
                    let Some(NodeEnum::Constraint(c)) = &node.node else {
                        kept.push(node);
                        continue;
                    };
                    // In the raw tree, DEFERRABLE / INITIALLY DEFERRED after a column's
                    // REFERENCES are separate nodes that apply to it: they move too.
                    if let Some(fk) = taking.as_mut() {
                        if apply_attribute(fk, c) {
                            continue;
                        }
                        moved.extend(taking.take());
                    }
                    if targets(c) {
                        let mut fk = (**c).clone();
                        if fk.fk_attrs.is_empty() {
                            fk.fk_attrs = vec![string_node(&colname)];
                        }
                        taking = Some(fk);
                    } else {
                        kept.push(node);
                    }
                }
                moved.extend(taking);
                col.constraints = kept;
            }
            Some(NodeEnum::Constraint(c)) if targets(c) => {
                moved.push((**c).clone());
                elt.node = None;
            }
            _ => {}
        }
    }
    if moved.is_empty() {
        return Ok(None);
    }
    create.table_elts.retain(|e| e.node.is_some());
    let relation = create.relation.clone();
    let create_sql = deparse(&tree)?;
    let mut out = vec![derived_statement(create_sql, stmt.location.clone(), stmt)?];
    for fk in moved {
        let location = location_within(&stmt.location, &stmt.sql, offset(fk.location));
        let alter = protobuf::AlterTableStmt {
            relation: relation.clone(),
            cmds: vec![node(NodeEnum::AlterTableCmd(Box::new(
                protobuf::AlterTableCmd {
                    subtype: AlterTableType::AtAddConstraint as i32,
                    def: Some(Box::new(node(NodeEnum::Constraint(Box::new(fk))))),
                    behavior: DropBehavior::DropRestrict as i32,
                    ..Default::default()
                },
            )))],
            objtype: ObjectType::ObjectTable as i32,
            missing_ok: false,
        };
        let sql = deparse(&single(tree.version, NodeEnum::AlterTableStmt(alter)))?;
        out.push(derived_statement(sql, location, stmt)?);
    }
    Ok(Some(out))
}

/// Moves `OWNED BY table.column` out of a `CREATE SEQUENCE` whose table passes
/// `moves`, into `ALTER SEQUENCE ... OWNED BY`. Returns the rewritten CREATE SEQUENCE and
/// the ALTER, or `None` when there is nothing to move.
pub fn split_owned_by(
    stmt: &Statement,
    moves: &dyn Fn(&ObjRef) -> bool,
) -> Result<Option<Vec<Statement>>> {
    if stmt.kind != StatementKind::CreateSequence {
        return Ok(None);
    }
    let mut tree = reparse(stmt)?;
    let Some(NodeEnum::CreateSeqStmt(create)) = first_node_mut(&mut tree) else {
        return Ok(None);
    };
    let resolver = Resolver {
        search_path: &stmt.search_path,
    };
    let position = create.options.iter().position(|n| match &n.node {
        Some(NodeEnum::DefElem(d)) if d.defname == "owned_by" => {
            let names = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => node_strings(&l.items),
                _ => Vec::new(),
            };
            names.len() >= 2
                && resolver
                    .candidates_list(&names[..names.len() - 1])
                    .into_iter()
                    .any(|q| moves(&ObjRef::Relation(q)))
        }
        _ => false,
    });
    let Some(position) = position else {
        return Ok(None);
    };
    let owned_by = create.options.remove(position);
    let at = match &owned_by.node {
        Some(NodeEnum::DefElem(d)) => offset(d.location),
        _ => 0,
    };
    let sequence = create.sequence.clone();
    let create_sql = deparse(&tree)?;
    let alter = protobuf::AlterSeqStmt {
        sequence,
        options: vec![owned_by],
        for_identity: false,
        missing_ok: false,
    };
    let alter_sql = deparse(&single(tree.version, NodeEnum::AlterSeqStmt(alter)))?;
    let location = location_within(&stmt.location, &stmt.sql, at);
    Ok(Some(vec![
        derived_statement(create_sql, stmt.location.clone(), stmt)?,
        derived_statement(alter_sql, location, stmt)?,
    ]))
}

/// Folds a column constraint attribute into the foreign key before it; false when `c`
/// is a constraint of its own.
fn apply_attribute(fk: &mut protobuf::Constraint, c: &protobuf::Constraint) -> bool {
    let t = ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined);
    match t {
        ConstrType::ConstrAttrDeferrable => fk.deferrable = true,
        ConstrType::ConstrAttrNotDeferrable => fk.deferrable = false,
        ConstrType::ConstrAttrDeferred => fk.initdeferred = true,
        ConstrType::ConstrAttrImmediate => fk.initdeferred = false,
        _ => return false,
    }
    true
}

fn reparse(stmt: &Statement) -> Result<protobuf::ParseResult> {
    pg_query::parse(&stmt.sql, 0)
        .map(|r| r.protobuf)
        .map_err(|e| Error::Syntax {
            location: stmt.location.clone(),
            message: e.to_string(),
            statement: stmt.one_line(),
        })
}

fn first_node_mut(tree: &mut protobuf::ParseResult) -> Option<&mut NodeEnum> {
    tree.stmts.first_mut()?.stmt.as_mut()?.node.as_mut()
}

fn deparse(tree: &protobuf::ParseResult) -> Result<String> {
    pg_query::deparse(tree, Default::default()).map_err(|e| Error::Unsupported {
        what: format!("deparsing a rewritten statement ({e})"),
    })
}

fn single(version: i32, stmt: NodeEnum) -> protobuf::ParseResult {
    protobuf::ParseResult {
        version,
        stmts: vec![protobuf::RawStmt {
            stmt: Some(Box::new(node(stmt))),
            stmt_location: 0,
            stmt_len: 0,
        }],
    }
}

fn node(n: NodeEnum) -> Node {
    Node { node: Some(n) }
}

fn string_node(s: &str) -> Node {
    node(NodeEnum::String(protobuf::String {
        sval: s.to_string(),
    }))
}

fn offset(location: i32) -> usize {
    usize::try_from(location).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualName;
    use std::path::Path;

    fn one(sql: &str) -> Statement {
        crate::parse::parse_sql(Path::new("t.sql"), sql)
            .unwrap()
            .remove(0)
    }

    fn is_b(o: &ObjRef) -> bool {
        *o == ObjRef::Relation(QualName::new("public", "b"))
    }

    #[test]
    fn foreign_keys_move_out_with_their_attributes() {
        let stmt = one(
            "CREATE TABLE a (\n  id int PRIMARY KEY,\n  b_id int REFERENCES b (id) DEFERRABLE INITIALLY DEFERRED NOT NULL,\n  c_id int REFERENCES c,\n  CONSTRAINT a_b2 FOREIGN KEY (id) REFERENCES public.b (x) ON DELETE CASCADE\n)",
        );
        let out = split_foreign_keys(&stmt, &is_b).unwrap().unwrap();
        let sqls: Vec<&str> = out.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sqls,
            [
                "CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL, c_id int REFERENCES c)",
                "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id) DEFERRABLE INITIALLY DEFERRED",
                "ALTER TABLE a ADD CONSTRAINT a_b2 FOREIGN KEY (id) REFERENCES public.b (x) ON DELETE CASCADE",
            ]
        );
        let at: Vec<(usize, usize)> = out
            .iter()
            .map(|s| (s.location.line, s.location.column))
            .collect();
        assert_eq!(at, [(1, 1), (3, 12), (5, 3)]);
        assert_eq!(out[1].kind, StatementKind::AlterTable);
        assert!(!out[0].references.iter().any(is_b));
        assert!(out[1].references.iter().any(is_b));
    }

    #[test]
    fn nothing_to_move_gives_none() {
        let stmt = one("CREATE TABLE a (id int REFERENCES c)");
        assert!(split_foreign_keys(&stmt, &is_b).unwrap().is_none());
    }

    #[test]
    fn owned_by_moves_to_alter_sequence() {
        let stmt = one("CREATE SEQUENCE s AS integer START 5\n  OWNED BY b.id");
        let out = split_owned_by(&stmt, &is_b).unwrap().unwrap();
        let sqls: Vec<&str> = out.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sqls,
            [
                "CREATE SEQUENCE s AS int START 5",
                "ALTER SEQUENCE s OWNED BY b.id"
            ]
        );
        assert_eq!((out[1].location.line, out[1].location.column), (2, 3));
    }
}
