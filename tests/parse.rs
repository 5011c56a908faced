//! Parsing schema files and ordering their statements.
//!
//! - `tests/fixtures/parse/ok/*.sql` each parse; the snapshot lists every statement as
//!   `line:col KIND creates -> references`.
//! - `tests/fixtures/parse/err/*.sql` each fail; the snapshot is the error message.
//! - `tests/fixtures/load/wrong_order/` is written in the wrong order on purpose and
//!   must come out in an order PostgreSQL accepts, whatever order it goes in.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use schemaplan::parse::order_statements;
use schemaplan::parse::{read_sql_source, ObjRef, Statement, StatementKind};
use schemaplan::Error;

/// The `.sql` fixtures of one folder, by case name, with paths relative to the crate
/// root so that messages (and snapshots) are the same on every machine.
fn cases(folder: &str) -> Vec<(String, PathBuf)> {
    let dir = Path::new("tests/fixtures/parse").join(folder);
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(common::root().join(&dir))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let relative = dir.join(p.file_name().unwrap());
            (stem, relative)
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in {}", dir.display());
    cases
}

/// Runs `check` for every case, then fails naming every case that failed.
fn each_case(folder: &str, check: impl Fn(&str, &Path) + std::panic::RefUnwindSafe) {
    // Tests run from the crate root, where the relative fixture paths resolve.
    std::env::set_current_dir(common::root()).unwrap();
    let mut failed = Vec::new();
    for (name, path) in cases(folder) {
        if std::panic::catch_unwind(|| check(&name, &path)).is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "failing {folder} cases: {failed:?}");
}

fn list(objs: &[ObjRef]) -> String {
    objs.iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `line:col KIND creates -> references`, plus the search_path when it is not the
/// default and the settings carried along.
fn listing(statements: &[Statement]) -> String {
    let mut out = String::new();
    for s in statements {
        out.push_str(&format!(
            "{}:{} {}",
            s.location.line, s.location.column, s.kind
        ));
        if !s.creates.is_empty() {
            out.push_str(&format!(" {}", list(&s.creates)));
        }
        if !s.references.is_empty() {
            out.push_str(&format!(" -> {}", list(&s.references)));
        }
        if !s.extends.is_empty() {
            out.push_str(&format!(" (extends {})", list(&s.extends)));
        }
        if s.search_path != ["public"] {
            out.push_str(&format!(" [search_path: {}]", s.search_path.join(", ")));
        }
        if !s.settings.is_empty() {
            let names: Vec<&str> = s.settings.keys().map(String::as_str).collect();
            out.push_str(&format!(" [settings: {}]", names.join(", ")));
        }
        out.push('\n');
    }
    out
}

#[test]
fn ok_fixtures_parse() {
    each_case("ok", |name, path| {
        let statements = read_sql_source(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        common::snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("parse_ok__{name}"), listing(&statements));
        });
    });
}

#[test]
fn err_fixtures_fail() {
    each_case("err", |name, path| {
        let err = match read_sql_source(path) {
            Ok(statements) => panic!("{name}: parsed into {} statements", statements.len()),
            Err(e) => e,
        };
        common::snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("parse_err__{name}"), err.to_string());
        });
    });
}

#[test]
fn syntax_errors_carry_the_offending_token_position() {
    std::env::set_current_dir(common::root()).unwrap();
    let err = read_sql_source(Path::new(
        "tests/fixtures/parse/err/syntax_error_mid_file.sql",
    ))
    .unwrap_err();
    let Error::Syntax {
        location,
        message,
        statement,
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!((location.line, location.column), (6, 25));
    assert_eq!(message, "syntax error at or near \"DEFALUT\"");
    assert!(
        statement.starts_with("CREATE TABLE b ( id int PRIMARY KEY,"),
        "{statement}"
    );
}

#[test]
fn a_missing_path_is_an_io_error_naming_it() {
    let err = read_sql_source(Path::new("tests/fixtures/no/such/dir")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("tests/fixtures/no/such/dir: "),
        "{err}"
    );
}

fn wrong_order() -> Vec<Statement> {
    std::env::set_current_dir(common::root()).unwrap();
    read_sql_source(Path::new("tests/fixtures/load/wrong_order")).unwrap()
}

/// `file:line KIND object`, one per line.
fn order_listing(statements: &[Statement]) -> String {
    statements
        .iter()
        .map(|s| {
            let object = s.object.as_ref().map(|o| o.to_string()).unwrap_or_default();
            format!(
                "{}:{} {} {}\n",
                s.location.path.display(),
                s.location.line,
                s.kind,
                object
            )
        })
        .collect()
}

/// Every statement comes after the statements creating what it references.
fn assert_creators_first(ordered: &[Statement]) {
    let mut created_at: BTreeMap<&ObjRef, usize> = BTreeMap::new();
    for (i, s) in ordered.iter().enumerate() {
        for c in &s.creates {
            created_at.entry(c).or_insert(i);
        }
    }
    for (j, s) in ordered.iter().enumerate() {
        for r in &s.references {
            if let Some(&i) = created_at.get(r) {
                assert!(
                    i < j,
                    "{} uses {r} before {} creates it",
                    s.one_line(),
                    ordered[i].one_line()
                );
            }
        }
    }
}

#[test]
fn wrong_order_directory_is_ordered() {
    let ordered = order_statements(wrong_order()).unwrap();
    assert_creators_first(&ordered);
    assert_eq!(ordered[0].kind, StatementKind::CreateSchema);
    let sqls: Vec<String> = ordered
        .iter()
        .map(|s| s.sql.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    // The foreign key cycle and the OWNED BY cycle were broken into ALTERs.
    for expected in [
        "CREATE TABLE app.teams (id int PRIMARY KEY, name text NOT NULL, captain_id int)",
        "ALTER TABLE app.teams ADD FOREIGN KEY (captain_id) REFERENCES app.players (id)",
        "ALTER TABLE app.players ADD FOREIGN KEY (team_id) REFERENCES app.teams (id) DEFERRABLE INITIALLY DEFERRED",
        "CREATE SEQUENCE app.tickets_id_seq AS int",
        "ALTER SEQUENCE app.tickets_id_seq OWNED BY app.tickets.id",
    ] {
        assert!(sqls.iter().any(|s| s == expected), "missing {expected:?} in\n{}", sqls.join("\n"));
    }
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("order__wrong_order", order_listing(&ordered));
    });
}

#[test]
fn shuffled_input_gives_the_same_order() {
    let input = wrong_order();
    let expected = order_listing(&order_statements(input.clone()).unwrap());
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for round in 0..10 {
        let mut shuffled = input.clone();
        shuffled.shuffle(&mut rng);
        let got = order_listing(&order_statements(shuffled).unwrap());
        assert_eq!(got, expected, "shuffle {round}");
    }
    let mut reversed = input;
    reversed.reverse();
    assert_eq!(
        order_listing(&order_statements(reversed).unwrap()),
        expected
    );
}

#[test]
fn cycles_nothing_breaks_name_their_statements() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.sql"),
        "CREATE VIEW a AS SELECT * FROM b;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.sql"),
        "-- b\nCREATE VIEW b AS SELECT * FROM a;\n",
    )
    .unwrap();
    let err = order_statements(read_sql_source(dir.path()).unwrap()).unwrap_err();
    let Error::DependencyCycle { objects } = &err else {
        panic!("{err}")
    };
    let a = dir.path().join("a.sql");
    let b = dir.path().join("b.sql");
    assert_eq!(
        objects,
        &[
            format!("{}:1 (CREATE VIEW public.a)", a.display()),
            format!("{}:2 (CREATE VIEW public.b)", b.display()),
        ]
    );
}
