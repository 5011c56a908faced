//! Expressions and queries out of parse trees: a walk over the node kinds that appear in
//! defaults, checks, index expressions, policies and view queries, and deparsing back
//! into text.
//!
//! Input: pg_query protobuf nodes. Output: the same nodes rewritten in place, or text.
//! Does no I/O.

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

/// Calls `f` on every node under `node` (itself first, then its children), for the node
/// kinds that expressions and `SELECT` queries are made of.
pub fn walk_mut(node: &mut Node, f: &mut dyn FnMut(&mut NodeEnum)) {
    walk_pruned(node, &mut |x| {
        f(x);
        true
    });
}

/// [`walk_mut`], descending into a node's children only when `f` returns true for it.
pub fn walk_pruned(node: &mut Node, f: &mut dyn FnMut(&mut NodeEnum) -> bool) {
    let Some(inner) = node.node.as_mut() else {
        return;
    };
    if f(inner) {
        walk_enum_children(inner, f);
    }
}

fn opt(node: &mut Option<Box<Node>>, f: &mut dyn FnMut(&mut NodeEnum) -> bool) {
    if let Some(n) = node.as_deref_mut() {
        walk_pruned(n, f);
    }
}

fn list(nodes: &mut [Node], f: &mut dyn FnMut(&mut NodeEnum) -> bool) {
    for n in nodes {
        walk_pruned(n, f);
    }
}

/// The children of one node, walked.
pub fn walk_enum_children(inner: &mut NodeEnum, f: &mut dyn FnMut(&mut NodeEnum) -> bool) {
    match inner {
        NodeEnum::AExpr(e) => {
            opt(&mut e.lexpr, f);
            opt(&mut e.rexpr, f);
        }
        NodeEnum::BoolExpr(e) => list(&mut e.args, f),
        NodeEnum::FuncCall(e) => {
            list(&mut e.args, f);
            list(&mut e.agg_order, f);
            opt(&mut e.agg_filter, f);
        }
        NodeEnum::TypeCast(e) => opt(&mut e.arg, f),
        NodeEnum::NullTest(e) => opt(&mut e.arg, f),
        NodeEnum::BooleanTest(e) => opt(&mut e.arg, f),
        NodeEnum::CaseExpr(e) => {
            opt(&mut e.arg, f);
            list(&mut e.args, f);
            opt(&mut e.defresult, f);
        }
        NodeEnum::CaseWhen(e) => {
            opt(&mut e.expr, f);
            opt(&mut e.result, f);
        }
        NodeEnum::CoalesceExpr(e) => list(&mut e.args, f),
        NodeEnum::MinMaxExpr(e) => list(&mut e.args, f),
        NodeEnum::AArrayExpr(e) => list(&mut e.elements, f),
        NodeEnum::RowExpr(e) => list(&mut e.args, f),
        NodeEnum::SubLink(e) => {
            opt(&mut e.testexpr, f);
            opt(&mut e.subselect, f);
        }
        NodeEnum::List(e) => list(&mut e.items, f),
        NodeEnum::CollateClause(e) => opt(&mut e.arg, f),
        NodeEnum::AIndirection(e) => {
            opt(&mut e.arg, f);
            list(&mut e.indirection, f);
        }
        NodeEnum::AIndices(e) => {
            opt(&mut e.lidx, f);
            opt(&mut e.uidx, f);
        }
        NodeEnum::NamedArgExpr(e) => opt(&mut e.arg, f),
        NodeEnum::ResTarget(e) => {
            opt(&mut e.val, f);
            list(&mut e.indirection, f);
        }
        NodeEnum::SortBy(e) => opt(&mut e.node, f),
        NodeEnum::SelectStmt(s) => {
            list(&mut s.distinct_clause, f);
            list(&mut s.target_list, f);
            list(&mut s.from_clause, f);
            opt(&mut s.where_clause, f);
            list(&mut s.group_clause, f);
            opt(&mut s.having_clause, f);
            list(&mut s.window_clause, f);
            list(&mut s.values_lists, f);
            list(&mut s.sort_clause, f);
            opt(&mut s.limit_offset, f);
            opt(&mut s.limit_count, f);
            if let Some(w) = s.with_clause.as_mut() {
                list(&mut w.ctes, f);
            }
            if let Some(l) = s.larg.as_deref_mut() {
                let mut n = NodeEnum::SelectStmt(Box::new(l.clone()));
                if f(&mut n) {
                    walk_enum_children(&mut n, f);
                }
                if let NodeEnum::SelectStmt(done) = n {
                    *l = *done;
                }
            }
            if let Some(r) = s.rarg.as_deref_mut() {
                let mut n = NodeEnum::SelectStmt(Box::new(r.clone()));
                if f(&mut n) {
                    walk_enum_children(&mut n, f);
                }
                if let NodeEnum::SelectStmt(done) = n {
                    *r = *done;
                }
            }
        }
        NodeEnum::CommonTableExpr(c) => opt(&mut c.ctequery, f),
        NodeEnum::JoinExpr(j) => {
            opt(&mut j.larg, f);
            opt(&mut j.rarg, f);
            opt(&mut j.quals, f);
        }
        NodeEnum::RangeSubselect(r) => opt(&mut r.subquery, f),
        NodeEnum::RangeFunction(r) => list(&mut r.functions, f),
        NodeEnum::WindowDef(w) => {
            list(&mut w.partition_clause, f);
            list(&mut w.order_clause, f);
        }
        NodeEnum::GroupingSet(g) => list(&mut g.content, f),
        NodeEnum::IndexElem(e) => opt(&mut e.expr, f),
        NodeEnum::ReturnStmt(r) => opt(&mut r.returnval, f),
        NodeEnum::InsertStmt(s) => {
            opt(&mut s.select_stmt, f);
        }
        NodeEnum::UpdateStmt(s) => {
            list(&mut s.target_list, f);
            opt(&mut s.where_clause, f);
            list(&mut s.from_clause, f);
        }
        NodeEnum::DeleteStmt(s) => {
            opt(&mut s.where_clause, f);
            list(&mut s.using_clause, f);
        }
        _ => {}
    }
}

/// Deparses a whole statement; `None` when libpg_query cannot.
///
/// The statement is moved into the parse result handed to libpg_query:
/// `NodeEnum::deparse` takes it by reference and copies the whole tree first, which
/// was a sixth of interpreting a table with keys and checks.
pub fn deparse_stmt(stmt: NodeEnum) -> Option<String> {
    let result = protobuf::ParseResult {
        version: *PARSER_VERSION,
        stmts: vec![protobuf::RawStmt {
            stmt: Some(Box::new(Node { node: Some(stmt) })),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    pg_query::deparse(&result, Default::default()).ok()
}

/// The PostgreSQL version number libpg_query's trees carry (pg_query does not export
/// it): read from the parse of an empty statement list.
static PARSER_VERSION: std::sync::LazyLock<i32> = std::sync::LazyLock::new(|| {
    pg_query::parse("", 0)
        .map(|r| r.protobuf.version)
        .unwrap_or_default()
});

/// Deparses an expression (through `SELECT expr`); `None` when libpg_query cannot.
pub fn deparse_expr(expr: &Node) -> Option<String> {
    deparse_owned_expr(expr.clone())
}

/// [`deparse_expr`] of an expression the caller no longer needs (no copy made).
pub fn deparse_owned_expr(expr: Node) -> Option<String> {
    let select = protobuf::SelectStmt {
        target_list: vec![Node {
            node: Some(NodeEnum::ResTarget(Box::new(protobuf::ResTarget {
                name: String::new(),
                indirection: vec![],
                val: Some(Box::new(expr)),
                location: -1,
            }))),
        }],
        op: protobuf::SetOperation::SetopNone as i32,
        limit_option: protobuf::LimitOption::Default as i32,
        ..Default::default()
    };
    let text = deparse_stmt(NodeEnum::SelectStmt(Box::new(select)))?;
    text.strip_prefix("SELECT ").map(str::to_string)
}

/// The strings of a list of `String` nodes (a dotted name).
pub fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// A `String` node.
pub fn string_node(s: &str) -> Node {
    Node {
        node: Some(NodeEnum::String(protobuf::String { sval: s.into() })),
    }
}

/// A list of `String` nodes.
pub fn string_nodes(parts: &[&str]) -> Vec<Node> {
    parts.iter().map(|p| string_node(p)).collect()
}

/// Every column name an expression mentions (the last field of each `ColumnRef`), and
/// whether it selects `*` anywhere.
pub fn column_refs(node: &Node) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut star = false;
    let mut copy = node.clone();
    walk_mut(&mut copy, &mut |n| {
        if let NodeEnum::ColumnRef(c) = n {
            match c.fields.last().and_then(|f| f.node.as_ref()) {
                Some(NodeEnum::String(s)) if !out.contains(&s.sval) => {
                    out.push(s.sval.clone());
                }
                Some(NodeEnum::AStar(_)) => star = true,
                _ => {}
            }
        }
    });
    (out, star)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_target(sql: &str) -> Node {
        let tree = pg_query::parse(sql, 0).unwrap().protobuf;
        match tree.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap() {
            NodeEnum::SelectStmt(s) => match s.target_list[0].node.as_ref().unwrap() {
                NodeEnum::ResTarget(r) => *r.val.clone().unwrap(),
                _ => unreachable!(),
            },
            _ => unreachable!(),
        }
    }

    #[test]
    fn redundant_parentheses_are_gone_after_deparse() {
        let a = deparse_expr(&first_target("SELECT 0")).unwrap();
        let b = deparse_expr(&first_target("SELECT ((0))")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "0");
    }

    #[test]
    fn column_references_are_collected() {
        let (cols, star) = column_refs(&first_target("SELECT t.a + b > coalesce(c, 0)"));
        assert_eq!(cols, ["a", "b", "c"]);
        assert!(!star);
    }
}
