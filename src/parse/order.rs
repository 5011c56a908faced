//! Ordering schema statements: files may be in any order, statements run in an order
//! PostgreSQL accepts.
//!
//! Part of parse, used by the offline interpreter and the dev database load. Input: [`Statement`]s with what
//! they create, reference and extend. Output: the same statements sorted so that every
//! statement comes after the statements creating what it uses, with foreign-key and
//! `OWNED BY` cycles broken by moving those clauses into `ALTER` statements (rewritten
//! by [`crate::parse`]). Does not touch the database and does not parse SQL itself.
//!
//! Edges, from → to:
//! - the statement creating X → every statement referencing X;
//! - `CREATE SCHEMA s` → every statement creating or naming something in `s`, and
//!   every statement whose `search_path` lists `s` (an unqualified CREATE lands in the
//!   first schema that exists, so the schema must exist first);
//! - `CREATE EXTENSION` → every statement ranked after extensions (extensions create
//!   types and functions nothing here names as created);
//! - soft: a statement extending X (`ALTER TABLE X ADD COLUMN`, a unique index on X) →
//!   every other statement referencing X (among extenders of X, by rank then
//!   position). Soft edges that close a cycle are dropped rather than reported.
//!
//! Ties are broken by (rank of the statement kind, source location), so the result
//! does not depend on the order of the input.

use std::collections::{BTreeSet, HashMap};

use crate::error::{Error, Result};
use crate::model::Ident;
use crate::parse::{split_foreign_keys, split_owned_by, ObjRef, Statement, StatementKind};
use crate::toposort::stable_toposort;

/// Sorts schema statements by their dependencies (see the module documentation).
///
/// Errors: [`Error::DependencyCycle`] naming each statement of a cycle no rewrite
/// breaks, as `file:line (KIND name)`.
pub fn order_statements(statements: Vec<Statement>) -> Result<Vec<Statement>> {
    let mut statements = statements;
    'rewritten: loop {
        let graph = Graph::build(&statements);
        let mut soft_on = vec![true; graph.soft.len()];
        loop {
            let edges: Vec<(usize, usize)> = graph
                .hard
                .iter()
                .copied()
                .chain(
                    graph
                        .soft
                        .iter()
                        .zip(&soft_on)
                        .filter(|(_, on)| **on)
                        .map(|(e, _)| *e),
                )
                .collect();
            let key = |i: usize| (statements[i].kind.rank(), &statements[i].location, i);
            let cycles = match stable_toposort(statements.len(), &edges, key) {
                Ok(order) => return Ok(permute(statements, &order)),
                Err(cycles) => cycles,
            };
            // A soft edge inside a cycle was a preference, not a need: drop it.
            let mut component = vec![usize::MAX; statements.len()];
            for (c, cycle) in cycles.iter().enumerate() {
                for &i in cycle {
                    component[i] = c;
                }
            }
            let mut dropped = false;
            for (k, &(a, b)) in graph.soft.iter().enumerate() {
                if soft_on[k] && component[a] != usize::MAX && component[a] == component[b] {
                    soft_on[k] = false;
                    dropped = true;
                }
            }
            if dropped {
                continue;
            }
            match break_cycles(&statements, &cycles)? {
                Some(rewritten) => {
                    statements = rewritten;
                    continue 'rewritten;
                }
                None => return Err(cycle_error(&statements, &cycles)),
            }
        }
    }
}

/// The dependency edges between statements, by index.
struct Graph {
    hard: Vec<(usize, usize)>,
    soft: Vec<(usize, usize)>,
}

impl Graph {
    fn build(statements: &[Statement]) -> Graph {
        let mut creators: HashMap<&ObjRef, Vec<usize>> = HashMap::new();
        let mut referencers: HashMap<&ObjRef, Vec<usize>> = HashMap::new();
        let mut extensions = Vec::new();
        for (i, s) in statements.iter().enumerate() {
            for c in &s.creates {
                creators.entry(c).or_default().push(i);
            }
            for r in &s.references {
                referencers.entry(r).or_default().push(i);
            }
            if s.kind == StatementKind::CreateExtension {
                extensions.push(i);
            }
        }
        let schema_creators = |schema: &str| {
            creators
                .get(&ObjRef::Schema(schema.to_string()))
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        let mut hard = Vec::new();
        for (j, s) in statements.iter().enumerate() {
            for r in &s.references {
                for &i in creators.get(r).map(Vec::as_slice).unwrap_or(&[]) {
                    hard.push((i, j));
                }
            }
            let mut schemas: BTreeSet<&str> = s
                .creates
                .iter()
                .chain(&s.references)
                .filter_map(ObjRef::schema)
                .collect();
            if s.kind != StatementKind::CreateSchema {
                schemas.extend(s.search_path.iter().map(String::as_str));
            }
            for schema in schemas {
                hard.extend(schema_creators(schema).iter().map(|&i| (i, j)));
            }
            if s.kind.rank() > StatementKind::CreateExtension.rank() {
                hard.extend(extensions.iter().map(|&e| (e, j)));
            }
        }
        let key = |i: usize| (statements[i].kind.rank(), &statements[i].location, i);
        let mut soft = Vec::new();
        for (e, s) in statements.iter().enumerate() {
            for x in &s.extends {
                let creating = creators.get(x).map(Vec::as_slice).unwrap_or(&[]);
                for &j in referencers.get(x).map(Vec::as_slice).unwrap_or(&[]) {
                    if j == e || creating.contains(&j) {
                        continue;
                    }
                    if !statements[j].extends.contains(x) || key(e) < key(j) {
                        soft.push((e, j));
                    }
                }
            }
        }
        Graph { hard, soft }
    }
}

/// Moves foreign keys and `OWNED BY` clauses that point inside a cycle out into ALTER
/// statements. `None` when no statement of any cycle has one.
fn break_cycles(statements: &[Statement], cycles: &[Vec<usize>]) -> Result<Option<Vec<Statement>>> {
    let mut replaced: HashMap<usize, Vec<Statement>> = HashMap::new();
    for cycle in cycles {
        for &m in cycle {
            // What the other members create: the clauses pointing there move.
            let others: BTreeSet<&ObjRef> = cycle
                .iter()
                .filter(|&&o| o != m)
                .flat_map(|&o| &statements[o].creates)
                .collect();
            let moves = |o: &ObjRef| others.contains(o);
            let split = match split_foreign_keys(&statements[m], &moves)? {
                Some(split) => Some(split),
                None => split_owned_by(&statements[m], &moves)?,
            };
            if let Some(split) = split {
                replaced.insert(m, split);
            }
        }
    }
    if replaced.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(statements.len() + replaced.len());
    for (i, s) in statements.iter().enumerate() {
        match replaced.remove(&i) {
            Some(split) => out.extend(split),
            None => out.push(s.clone()),
        }
    }
    Ok(Some(out))
}

fn cycle_error(statements: &[Statement], cycles: &[Vec<usize>]) -> Error {
    let mut cycle: Vec<usize> = cycles.first().cloned().unwrap_or_default();
    cycle.sort_by_key(|&i| (&statements[i].location, i));
    Error::DependencyCycle {
        objects: cycle.iter().map(|&i| describe(&statements[i])).collect(),
    }
}

/// `schema/a.sql:3 (CREATE TABLE public.a)`.
fn describe(s: &Statement) -> String {
    let name = match &s.object {
        Some(
            ObjRef::Schema(n)
            | ObjRef::Extension(n)
            | ObjRef::Publication(n)
            | ObjRef::EventTrigger(n)
            | ObjRef::ForeignDataWrapper(n)
            | ObjRef::Server(n),
        ) => Ident(n).to_string(),
        Some(
            ObjRef::Relation(n)
            | ObjRef::Type(n)
            | ObjRef::Function(n)
            | ObjRef::Collation(n)
            | ObjRef::Statistics(n)
            | ObjRef::TextSearch(n)
            | ObjRef::Operator(n),
        ) => n.to_string(),
        Some(ObjRef::Trigger(t, n) | ObjRef::Policy(t, n) | ObjRef::Rule(t, n)) => {
            format!("{} on {t}", Ident(n))
        }
        None => String::new(),
    };
    let label = if name.is_empty() {
        s.kind.to_string()
    } else {
        format!("{} {name}", s.kind)
    };
    format!(
        "{}:{} ({label})",
        s.location.path.display(),
        s.location.line
    )
}

fn permute(statements: Vec<Statement>, order: &[usize]) -> Vec<Statement> {
    let mut slots: Vec<Option<Statement>> = statements.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_sql;
    use std::path::Path;

    fn files(files: &[(&str, &str)]) -> Vec<Statement> {
        files
            .iter()
            .flat_map(|(path, sql)| parse_sql(Path::new(path), sql).unwrap())
            .collect()
    }

    fn order(files_: &[(&str, &str)]) -> Vec<String> {
        order_statements(files(files_))
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{}:{} {}",
                    s.location.path.display(),
                    s.location.line,
                    s.one_line()
                )
            })
            .collect()
    }

    #[test]
    fn creators_come_before_users() {
        let got = order(&[
            (
                "a.sql",
                "CREATE VIEW v AS SELECT * FROM t;\nCREATE INDEX ON t (lower(name));",
            ),
            ("b.sql", "CREATE TABLE t (name text, m mood);"),
            ("c.sql", "CREATE TYPE mood AS ENUM ('ok');"),
        ]);
        assert_eq!(
            got,
            [
                "c.sql:1 CREATE TYPE mood AS ENUM ('ok')",
                "b.sql:1 CREATE TABLE t (name text, m mood)",
                "a.sql:2 CREATE INDEX ON t (lower(name))",
                "a.sql:1 CREATE VIEW v AS SELECT * FROM t",
            ]
        );
    }

    #[test]
    fn schemas_come_before_their_contents_and_search_path_users() {
        let got = order(&[
            ("a.sql", "SET search_path = app;\nCREATE TABLE t (a int);"),
            ("b.sql", "CREATE TABLE other.u (a int);"),
            ("z.sql", "CREATE SCHEMA app;\nCREATE SCHEMA other;"),
        ]);
        assert_eq!(
            got,
            [
                "z.sql:1 CREATE SCHEMA app",
                "z.sql:2 CREATE SCHEMA other",
                "a.sql:2 CREATE TABLE t (a int)",
                "b.sql:1 CREATE TABLE other.u (a int)",
            ]
        );
    }

    #[test]
    fn foreign_key_cycles_are_broken() {
        let got = order(&[
            (
                "a.sql",
                "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b);",
            ),
            (
                "b.sql",
                "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));",
            ),
        ]);
        assert_eq!(
            got,
            [
                "a.sql:1 CREATE TABLE a (id int PRIMARY KEY, b_id int)",
                "b.sql:1 CREATE TABLE b (id int PRIMARY KEY, a_id int)",
                "a.sql:1 ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b",
                "b.sql:1 ALTER TABLE b ADD FOREIGN KEY (a_id) REFERENCES a (id)",
            ]
        );
    }

    #[test]
    fn owned_by_cycles_are_broken() {
        let got = order(&[
            (
                "a.sql",
                "CREATE SEQUENCE t_id_seq AS integer OWNED BY t.id;",
            ),
            (
                "b.sql",
                "CREATE TABLE t (id integer DEFAULT nextval('t_id_seq'::regclass) NOT NULL);",
            ),
        ]);
        assert_eq!(
            got,
            [
                "a.sql:1 CREATE SEQUENCE t_id_seq AS int",
                "b.sql:1 CREATE TABLE t (id integer DEFAULT nextval('t_id_seq'::regclass) NOT NULL)",
                "a.sql:1 ALTER SEQUENCE t_id_seq OWNED BY t.id",
            ]
        );
    }

    #[test]
    fn extenders_come_before_users_of_what_they_add() {
        let got = order(&[
            ("a.sql", "CREATE VIEW v AS SELECT b FROM t;"),
            ("b.sql", "CREATE TABLE t (a int);\nCREATE TABLE u (a int);\nALTER TABLE t ADD COLUMN b int REFERENCES u;"),
        ]);
        assert_eq!(
            got,
            [
                "b.sql:1 CREATE TABLE t (a int)",
                "b.sql:2 CREATE TABLE u (a int)",
                "b.sql:3 ALTER TABLE t ADD COLUMN b int REFERENCES u",
                "a.sql:1 CREATE VIEW v AS SELECT b FROM t",
            ]
        );
    }

    #[test]
    fn other_cycles_are_reported_with_their_statements() {
        let stmts = files(&[
            ("a.sql", "CREATE VIEW a AS SELECT * FROM b;"),
            ("b.sql", "\nCREATE VIEW b AS SELECT * FROM a;"),
        ]);
        let err = order_statements(stmts).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot order the changes: dependency cycle between a.sql:1 (CREATE VIEW public.a), b.sql:2 (CREATE VIEW public.b)"
        );
    }

    #[test]
    fn input_order_does_not_matter() {
        let input = files(&[
            ("a.sql", "CREATE VIEW v AS SELECT * FROM t;\nCOMMENT ON TABLE t IS 'x';"),
            ("b.sql", "CREATE TABLE t (a int REFERENCES u);\nCREATE TABLE u (a int PRIMARY KEY REFERENCES t);"),
            ("c.sql", "CREATE SCHEMA s;\nCREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'select 1';"),
        ]);
        let sqls = |v: Vec<Statement>| v.into_iter().map(|s| s.sql).collect::<Vec<_>>();
        let expected = sqls(order_statements(input.clone()).unwrap());
        let mut reversed = input.clone();
        reversed.reverse();
        assert_eq!(sqls(order_statements(reversed).unwrap()), expected);
        let mut rotated = input;
        rotated.rotate_left(3);
        assert_eq!(sqls(order_statements(rotated).unwrap()), expected);
    }
}
