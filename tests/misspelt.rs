//! Offline mode rejects what PostgreSQL rejects. For every diff fixture's `to.sql`, one
//! variant per statement kind and kind of reference, with that one reference misspelt
//! (a column a view, a check, an index, a generated column, a policy or a trigger's WHEN
//! names; a relation a view reads; a key's or a foreign key's column; a trigger's
//! function), is loaded into PostgreSQL (in a transaction rolled
//! back) and interpreted offline. The test fails when offline mode rejects a variant
//! PostgreSQL takes (it must never refuse a valid schema), and when it takes one
//! PostgreSQL rejects; it prints the counts.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::TestDb;
use pg_query::{NodeEnum, NodeMut};

/// The kinds of reference a variant misspells.
const REFERENCES: &[&str] = &[
    "column",
    "relation",
    "index column",
    "key column",
    "trigger function",
    "function",
];

/// `sql` (one statement) with its first reference of `what` misspelt, or `None` when it
/// has none.
fn misspell(sql: &str, what: &str) -> Option<String> {
    let mut parsed = pg_query::parse(sql, 0).ok()?;
    let stmt = parsed
        .protobuf
        .stmts
        .first_mut()?
        .stmt
        .as_mut()?
        .node
        .as_mut()?;
    let done = match what {
        "column" => first_column(stmt),
        "relation" => first_relation(stmt),
        "trigger function" => match stmt {
            NodeEnum::CreateTrigStmt(t) => {
                match t.funcname.last_mut().and_then(|f| f.node.as_mut()) {
                    Some(NodeEnum::String(s)) => {
                        s.sval.push_str("_x");
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        },
        "function" => first_function(stmt),
        "index column" => match stmt {
            NodeEnum::IndexStmt(s) => s.index_params.iter_mut().any(|p| match p.node.as_mut() {
                Some(NodeEnum::IndexElem(e)) if !e.name.is_empty() => {
                    e.name.push_str("_x");
                    true
                }
                _ => false,
            }),
            _ => false,
        },
        _ => constraints(stmt).into_iter().any(|k| {
            let keys = [&mut k.keys, &mut k.fk_attrs]
                .into_iter()
                .find(|l| !l.is_empty());
            match keys
                .and_then(|l| l.first_mut())
                .and_then(|f| f.node.as_mut())
            {
                Some(NodeEnum::String(s)) => {
                    s.sval.push_str("_x");
                    true
                }
                _ => false,
            }
        }),
    };
    if !done {
        return None;
    }
    pg_query::deparse(&parsed.protobuf, Default::default()).ok()
}

/// The table constraints of a CREATE TABLE or ALTER TABLE ... ADD CONSTRAINT.
fn constraints(stmt: &mut NodeEnum) -> Vec<&mut pg_query::protobuf::Constraint> {
    let mut out = Vec::new();
    match stmt {
        NodeEnum::CreateStmt(s) => {
            for e in s.table_elts.iter_mut().filter_map(|e| e.node.as_mut()) {
                match e {
                    NodeEnum::Constraint(k) => out.push(&mut **k),
                    NodeEnum::ColumnDef(c) => {
                        for k in c.constraints.iter_mut().filter_map(|k| k.node.as_mut()) {
                            if let NodeEnum::Constraint(k) = k {
                                out.push(&mut **k);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::AlterTableStmt(s) => {
            for c in s.cmds.iter_mut().filter_map(|c| c.node.as_mut()) {
                if let NodeEnum::AlterTableCmd(c) = c {
                    if let Some(NodeEnum::Constraint(k)) =
                        c.def.as_mut().and_then(|d| d.node.as_mut())
                    {
                        out.push(&mut **k);
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Misspells the first column reference of an expression or statement.
fn first_column(n: &mut NodeEnum) -> bool {
    let exprs: Vec<&mut pg_query::protobuf::Node> = match n {
        NodeEnum::CreateStmt(_) | NodeEnum::AlterTableStmt(_) => constraints(n)
            .into_iter()
            .filter_map(|k| k.raw_expr.as_deref_mut())
            .collect(),
        NodeEnum::CreatePolicyStmt(p) => p
            .qual
            .as_deref_mut()
            .into_iter()
            .chain(p.with_check.as_deref_mut())
            .collect(),
        NodeEnum::IndexStmt(s) => s.where_clause.as_deref_mut().into_iter().collect(),
        NodeEnum::CreateTrigStmt(t) => t.when_clause.as_deref_mut().into_iter().collect(),
        _ => return column_ref_in(n),
    };
    exprs
        .into_iter()
        .filter_map(|e| e.node.as_mut())
        .any(column_ref_in)
}

fn column_ref_in(n: &mut NodeEnum) -> bool {
    if let NodeEnum::ColumnRef(c) = n {
        if let Some(NodeEnum::String(s)) = c.fields.last_mut().and_then(|f| f.node.as_mut()) {
            s.sval.push_str("_x");
            return true;
        }
    }
    // Safety: the pointers come from `n`, which outlives them and is not otherwise
    // touched while they are used.
    unsafe {
        for (node, _, _) in n.nodes_mut() {
            if let NodeMut::ColumnRef(c) = node {
                let c = &mut *c;
                if let Some(NodeEnum::String(s)) = c.fields.last_mut().and_then(|f| f.node.as_mut())
                {
                    s.sval.push_str("_x");
                    return true;
                }
            }
        }
    }
    false
}

/// Misspells the first function an expression or statement calls (a default, a check,
/// an index expression, a view).
fn first_function(n: &mut NodeEnum) -> bool {
    let mut exprs: Vec<&mut pg_query::protobuf::Node> = Vec::new();
    match n {
        NodeEnum::CreateStmt(s) => {
            for e in s.table_elts.iter_mut().filter_map(|e| e.node.as_mut()) {
                if let NodeEnum::ColumnDef(c) = e {
                    for k in c.constraints.iter_mut().filter_map(|k| k.node.as_mut()) {
                        if let NodeEnum::Constraint(k) = k {
                            exprs.extend(k.raw_expr.as_deref_mut());
                        }
                    }
                }
            }
        }
        NodeEnum::IndexStmt(s) => {
            for p in s.index_params.iter_mut().filter_map(|p| p.node.as_mut()) {
                if let NodeEnum::IndexElem(e) = p {
                    exprs.extend(e.expr.as_deref_mut());
                }
            }
        }
        _ => return call_in(n),
    }
    exprs
        .into_iter()
        .filter_map(|e| e.node.as_mut())
        .any(call_in)
}

fn call_in(n: &mut NodeEnum) -> bool {
    let misspell = |f: &mut pg_query::protobuf::FuncCall| {
        // Only unqualified calls: `pg_catalog.` ones are the parser's own spellings.
        if f.funcname.len() != 1 {
            return false;
        }
        match f.funcname[0].node.as_mut() {
            Some(NodeEnum::String(s)) => {
                s.sval.push_str("_x");
                true
            }
            _ => false,
        }
    };
    if let NodeEnum::FuncCall(f) = n {
        if misspell(f) {
            return true;
        }
    }
    // Safety: as in column_ref_in.
    unsafe {
        for (node, _, _) in n.nodes_mut() {
            if let NodeMut::FuncCall(f) = node {
                if misspell(&mut *f) {
                    return true;
                }
            }
        }
    }
    false
}

/// Misspells the first relation a query reads.
fn first_relation(n: &mut NodeEnum) -> bool {
    // Safety: as in column_ref_in.
    unsafe {
        for (node, _, context) in n.nodes_mut() {
            if let (NodeMut::RangeVar(r), pg_query::Context::Select) = (node, context) {
                (&mut *r).relname.push_str("_x");
                return true;
            }
        }
    }
    false
}

/// The statement kind, for the report: `CreateStmt`, `ViewStmt`, ...
fn kind(sql: &str) -> String {
    pg_query::parse(sql, 0)
        .ok()
        .and_then(|p| {
            p.protobuf
                .nodes()
                .first()
                .map(|(n, ..)| format!("{n:?}").split('(').next().unwrap_or("").to_string())
        })
        .unwrap_or_default()
}

fn offline_rejects(path: &Path, text: &str) -> Option<String> {
    let statements = match schemaplan::parse::parse_sql(path, text) {
        Ok(s) => s,
        Err(e) => return Some(e.to_string()),
    };
    let ordered = match schemaplan::parse::order_statements(statements) {
        Ok(s) => s,
        Err(e) => return Some(e.to_string()),
    };
    schemaplan::offline::interpret(&ordered)
        .err()
        .map(|e| e.to_string())
}

#[tokio::test]
async fn offline_rejects_what_postgres_rejects() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let major = common::server_major(&client).await;
    let root = common::root().join("tests/fixtures/diff");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("to.sql").exists())
        .collect();
    cases.sort();
    // (kind, reference) -> (variants, exact rejects, offline rejects)
    let mut counts: BTreeMap<(String, &str), (usize, usize, usize)> = BTreeMap::new();
    let mut false_rejects = Vec::new();
    let mut misses = Vec::new();
    for case in cases {
        if common::fixture_requires(&case).is_some_and(|v| major < v) {
            continue;
        }
        let roles = std::fs::read_to_string(case.join("roles")).unwrap_or_default();
        let roles: Vec<&str> = roles
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        common::ensure_roles(&client, &roles).await;
        let path = case.join("to.sql");
        let text = std::fs::read_to_string(&path).unwrap();
        let statements = schemaplan::parse::split_script(&path, &text, 1).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for (i, stmt) in statements.iter().enumerate() {
            for what in REFERENCES {
                let k = kind(&stmt.sql);
                if seen.contains(&(k.clone(), *what)) {
                    continue;
                }
                let Some(bad) = misspell(&stmt.sql, what) else {
                    continue;
                };
                seen.insert((k.clone(), *what));
                let variant: Vec<String> = statements
                    .iter()
                    .enumerate()
                    .map(|(j, s)| if i == j { bad.clone() } else { s.sql.clone() })
                    .collect();
                let variant = format!("{};\n", variant.join(";\n"));
                let exact = client
                    .batch_execute(&format!("BEGIN;\n{variant}ROLLBACK;"))
                    .await
                    .is_err();
                if exact {
                    client.batch_execute("ROLLBACK").await.unwrap();
                }
                let offline = offline_rejects(&path, &variant);
                let name = case.file_name().unwrap().to_string_lossy().to_string();
                let entry = counts.entry((k, what)).or_default();
                entry.0 += 1;
                entry.1 += exact as usize;
                entry.2 += offline.is_some() as usize;
                match (exact, offline) {
                    (false, Some(e)) => {
                        false_rejects.push(format!("{name} ({what}): {e}\n  {bad}"))
                    }
                    (true, None) => misses.push(format!("{name} ({what}): {bad}")),
                    _ => {}
                }
            }
        }
    }
    let (mut variants, mut exact, mut offline) = (0, 0, 0);
    println!("statement kind / reference: variants, PostgreSQL rejects, offline rejects");
    for ((k, what), (n, e, o)) in &counts {
        println!("  {k} / {what}: {n}, {e}, {o}");
        variants += n;
        exact += e;
        offline += o;
    }
    println!("all: {variants} variants, PostgreSQL rejects {exact}, offline rejects {offline}");
    for m in &misses {
        println!("missed: {m}");
    }
    assert!(
        false_rejects.is_empty(),
        "offline mode rejects what PostgreSQL takes:\n{}",
        false_rejects.join("\n")
    );
    assert!(
        misses.is_empty(),
        "offline mode takes {} variant(s) PostgreSQL rejects:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
