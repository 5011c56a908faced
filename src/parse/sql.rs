//! SQL schema files into [`Statement`]s: split, parse each statement, classify it.
//!
//! Input: the text of one file. Output: its statements in source order, with kind,
//! created and referenced objects, search_path and settings. Errors name the file,
//! line and column. Does no I/O (the caller reads the file) and never runs SQL.

use std::collections::BTreeMap;
use std::path::Path;

use pg_query::protobuf::{self, a_const, AlterTableType, ConstrType, ObjectType, VariableSetKind};
use pg_query::{Node, NodeEnum};

use super::ffi;
use super::refs::{node_strings, parse_identifier_list, Refs, Resolver};
use super::split::{self, char_to_byte, location_within, LineIndex, Piece};
use super::{ObjRef, ScriptStatement, Statement, StatementKind, TransactionUse};
use crate::error::one_line;
use crate::error::{Error, Location, Result};
use crate::model::QualName;

/// The search_path of a file that sets none. PostgreSQL's default is `"$user",
/// public`; a schema file cannot know the connecting role, so only `public` counts.
pub(crate) const DEFAULT_SEARCH_PATH: &str = "public";

/// How many following pieces a `BEGIN ATOMIC` body may be spread over.
const MAX_ATOMIC_PIECES: usize = 1000;

/// Parses one file's text into statements.
pub(crate) fn parse_file(path: &Path, text: &str) -> Result<Vec<Statement>> {
    let text = &*split::blank_meta_commands(text);
    let index = LineIndex::new(text);
    let pieces = match split::split(text) {
        Ok(pieces) => pieces,
        Err(message) => return Err(file_error(path, text, &index, message)),
    };
    let mut search_path = vec![DEFAULT_SEARCH_PATH.to_string()];
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let (piece, used, tree) = parse_piece(path, text, &index, &pieces, i)?;
        i += used;
        let piece_sql = &text[piece.start..piece.end];
        let raws = &tree.protobuf.stmts;
        for raw in raws {
            let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
                continue;
            };
            // A piece holds one statement, unless pg_query split it further.
            let (start, sql) = if raws.len() == 1 {
                (piece.start, piece_sql)
            } else {
                sub_statement(piece_sql, raw, piece.start)
            };
            let location = index.location(path, start);
            let resolver = Resolver {
                search_path: &search_path,
            };
            match analyze(node, sql, resolver) {
                Outcome::Statement(a) => out.push(Statement {
                    sql: sql.to_string(),
                    location,
                    kind: a.kind,
                    object: a.object,
                    creates: a.creates,
                    references: a.references,
                    extends: a.extends,
                    search_path: search_path.clone(),
                    settings: settings.clone(),
                    transaction: a.transaction,
                }),
                Outcome::SearchPath(p) => search_path = p,
                Outcome::Setting(name, Some(set)) => {
                    settings.insert(name, set);
                }
                Outcome::Setting(name, None) => {
                    settings.remove(&name);
                }
                Outcome::ResetAll => {
                    settings.clear();
                    search_path = vec![DEFAULT_SEARCH_PATH.to_string()];
                }
                Outcome::Skip(what) => tracing::warn!(
                    "{}:{}: skipping {}: {what} are not managed yet",
                    location.path.display(),
                    location.line,
                    leading_words(sql),
                ),
                Outcome::Ignore => tracing::debug!(
                    "{}:{}: ignoring {}",
                    location.path.display(),
                    location.line,
                    one_line(sql)
                ),
                Outcome::Refuse(kind) => return Err(Error::NotSchemaStatement { location, kind }),
                Outcome::Drop(kind) => return Err(Error::DropInSchema { location, kind }),
            }
        }
    }
    Ok(out)
}

/// Splits a migration script (a revision's up or down section) into statements: any
/// statement PostgreSQL runs is kept as written (DROP, data changes, transaction-free
/// DDL), with its location and whether it may run inside a transaction. Syntax errors
/// name their line and column like in schema files.
pub(crate) fn split_script(
    path: &Path,
    text: &str,
    first_line: usize,
) -> Result<Vec<ScriptStatement>> {
    let text = &*split::blank_meta_commands(text);
    let index = LineIndex::new(text);
    let shift = |mut l: Location| {
        l.line += first_line.saturating_sub(1);
        l
    };
    let pieces = match split::split(text) {
        Ok(pieces) => pieces,
        Err(message) => {
            return Err(match file_error(path, text, &index, message) {
                Error::Syntax {
                    location,
                    message,
                    statement,
                } => Error::Syntax {
                    location: shift(location),
                    message,
                    statement,
                },
                other => other,
            })
        }
    };
    let search_path = vec![DEFAULT_SEARCH_PATH.to_string()];
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let (piece, used, tree) = match parse_piece(path, text, &index, &pieces, i) {
            Ok(parsed) => parsed,
            Err(Error::Syntax {
                location,
                message,
                statement,
            }) => {
                return Err(Error::Syntax {
                    location: shift(location),
                    message,
                    statement,
                })
            }
            Err(e) => return Err(e),
        };
        i += used;
        let piece_sql = &text[piece.start..piece.end];
        let raws = &tree.protobuf.stmts;
        for raw in raws {
            let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
                continue;
            };
            let (start, sql) = if raws.len() == 1 {
                (piece.start, piece_sql)
            } else {
                sub_statement(piece_sql, raw, piece.start)
            };
            let resolver = Resolver {
                search_path: &search_path,
            };
            let transaction = match analyze(node, sql, resolver) {
                Outcome::Statement(a) => a.transaction,
                _ => script_transaction(node),
            };
            out.push(ScriptStatement {
                sql: sql.to_string(),
                location: shift(index.location(path, start)),
                transaction,
            });
        }
    }
    Ok(out)
}

/// How a statement that is not schema DDL (a drop, a data change, maintenance) may run
/// in a migration script: `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY` and
/// `VACUUM` cannot run inside a transaction block.
fn script_transaction(node: &NodeEnum) -> TransactionUse {
    let alone = match node {
        NodeEnum::DropStmt(d) => d.concurrent,
        NodeEnum::ReindexStmt(r) => r.params.iter().any(|p| {
            matches!(&p.node, Some(NodeEnum::DefElem(d)) if d.defname.eq_ignore_ascii_case("concurrently"))
        }),
        NodeEnum::VacuumStmt(v) => v.is_vacuumcmd,
        _ => false,
    };
    if alone {
        TransactionUse::Alone
    } else {
        TransactionUse::Any
    }
}

/// The range of one statement of a piece that pg_query parsed into several.
fn sub_statement<'t>(piece_sql: &'t str, raw: &protobuf::RawStmt, base: usize) -> (usize, &'t str) {
    let from = usize::try_from(raw.stmt_location)
        .unwrap_or(0)
        .min(piece_sql.len());
    let to = match usize::try_from(raw.stmt_len) {
        Ok(0) | Err(_) => piece_sql.len(),
        Ok(len) => (from + len).min(piece_sql.len()),
    };
    let start = split::skip_trivia(piece_sql, from, to);
    let sql = piece_sql[start..to].trim_end();
    (base + start, sql)
}

/// Parses piece `i`, returning the piece actually used (a `BEGIN ATOMIC` function body
/// spans several), how many pieces it took, and the tree.
fn parse_piece(
    path: &Path,
    text: &str,
    index: &LineIndex<'_>,
    pieces: &[Piece],
    i: usize,
) -> Result<(Piece, usize, pg_query::ParseResult)> {
    let piece = pieces[i];
    let sql = &text[piece.start..piece.end];
    if let Ok(tree) = pg_query::parse(sql, 0) {
        return Ok((piece, 1, tree));
    }
    // The scanner-based splitter cuts SQL-standard function bodies (`BEGIN ATOMIC ...;
    // ...; END`) at their inner semicolons: glue the following pieces back on until the
    // function parses. Inner statements are DML, so a following DDL statement ends the
    // search.
    if sql.to_ascii_lowercase().contains("atomic") {
        for (j, next) in pieces
            .iter()
            .enumerate()
            .skip(i + 1)
            .take(MAX_ATOMIC_PIECES)
        {
            if starts_ddl(&text[next.start..next.end]) {
                break;
            }
            let merged = Piece {
                start: piece.start,
                end: next.end,
            };
            if let Ok(tree) = pg_query::parse(&text[merged.start..merged.end], 0) {
                return Ok((merged, j - i + 1, tree));
            }
        }
    }
    Err(syntax_error(&index.location(path, piece.start), sql))
}

fn starts_ddl(sql: &str) -> bool {
    let first = leading_words(sql);
    [
        "CREATE", "ALTER", "COMMENT", "GRANT", "REVOKE", "SET", "DROP",
    ]
    .iter()
    .any(|k| first == *k || first.starts_with(&format!("{k} ")))
}

/// A syntax error in one statement, at the offending token when PostgreSQL names it.
fn syntax_error(start: &Location, sql: &str) -> Error {
    let (message, location) = match ffi::parse_error(sql) {
        Some(err) if err.cursorpos > 0 => {
            let offset = char_to_byte(sql, err.cursorpos - 1);
            (err.message, location_within(start, sql, offset))
        }
        Some(err) => (err.message, start.clone()),
        None => ("syntax error".to_string(), start.clone()),
    };
    Error::Syntax {
        location,
        message: tidy_message(&message),
        statement: one_line(sql),
    }
}

/// PostgreSQL quotes the offending token, and for an unterminated literal or comment
/// that token is the rest of the file: keep its first line, cut to 40 characters.
fn tidy_message(message: &str) -> String {
    const NEAR: &str = " at or near \"";
    let Some(at) = message.find(NEAR) else {
        return message.to_string();
    };
    let (head, near) = message.split_at(at + NEAR.len());
    let token = near.strip_suffix('"').unwrap_or(near);
    let first = token.lines().next().unwrap_or("").trim_end();
    if first.len() == token.len() && token.chars().count() <= 40 {
        return message.to_string();
    }
    let cut: String = first.chars().take(40).collect();
    format!("{head}{cut}...\"")
}

/// A file the splitter itself cannot get through (an unterminated quoted string, dollar
/// quote or comment): parse the whole file to learn where, and show the statement that
/// contains that place.
fn file_error(path: &Path, text: &str, index: &LineIndex<'_>, split_message: String) -> Error {
    let Some(err) = ffi::parse_error(text) else {
        return Error::Syntax {
            location: index.location(path, 0),
            message: split_message,
            statement: String::new(),
        };
    };
    let offset = if err.cursorpos > 0 {
        char_to_byte(text, err.cursorpos - 1)
    } else {
        0
    };
    // The statement holding the error starts after the last complete one before it:
    // the last piece of the text before the error, unless a `;` ends that piece.
    let start = match split::split(&text[..offset]) {
        Ok(pieces) => match pieces.last() {
            Some(last) => {
                let after = split::skip_blank(text, last.end, offset);
                if text[last.end..after].contains(';') {
                    after
                } else {
                    last.start
                }
            }
            None => split::skip_blank(text, 0, offset),
        },
        Err(_) => 0,
    };
    Error::Syntax {
        location: index.location(path, offset),
        message: tidy_message(&err.message),
        statement: one_line(&text[start..]),
    }
}

/// What one parsed statement means for its file.
enum Outcome {
    /// A schema statement to keep.
    Statement(Analysis),
    /// `SET search_path` / `set_config('search_path', ...)`.
    SearchPath(Vec<String>),
    /// Another setting: its `SET` statement, or `None` when reset to the default.
    Setting(String, Option<String>),
    /// `RESET ALL`.
    ResetAll,
    /// Skipped with a warning naming what is not managed (privileges, owners).
    Skip(&'static str),
    /// Ignored silently (a setting the loader owns, `SET LOCAL`).
    Ignore,
    /// Not a schema statement.
    Refuse(String),
    /// A DROP.
    Drop(String),
}

struct Analysis {
    kind: StatementKind,
    object: Option<ObjRef>,
    creates: Vec<ObjRef>,
    references: Vec<ObjRef>,
    extends: Vec<ObjRef>,
    transaction: TransactionUse,
}

/// Accumulates one statement's analysis.
struct Builder<'a> {
    kind: StatementKind,
    object: Option<ObjRef>,
    creates: Vec<ObjRef>,
    refs: Refs<'a>,
    extends: Vec<ObjRef>,
    transaction: TransactionUse,
    r: Resolver<'a>,
}

impl<'a> Builder<'a> {
    fn new(kind: StatementKind, r: Resolver<'a>) -> Self {
        Builder {
            kind,
            object: None,
            creates: Vec::new(),
            refs: Refs::new(r),
            extends: Vec::new(),
            transaction: TransactionUse::Any,
            r,
        }
    }

    fn create(&mut self, obj: ObjRef) {
        if !self.creates.contains(&obj) {
            self.creates.push(obj);
        }
    }

    fn extend(&mut self, obj: ObjRef) {
        if !self.extends.contains(&obj) {
            self.extends.push(obj);
        }
    }

    fn finish(self) -> Outcome {
        let references = self.refs.finish(&self.creates);
        Outcome::Statement(Analysis {
            object: self.object.or_else(|| self.creates.first().cloned()),
            kind: self.kind,
            creates: self.creates,
            references,
            extends: self.extends,
            transaction: self.transaction,
        })
    }
}

fn analyze(node: &NodeEnum, sql: &str, r: Resolver<'_>) -> Outcome {
    use NodeEnum as N;
    use StatementKind as K;
    match node {
        N::CreateSchemaStmt(s) => create_schema(s, sql, r),
        N::CreateExtensionStmt(s) => {
            let mut b = Builder::new(K::CreateExtension, r);
            b.create(ObjRef::Extension(s.extname.clone()));
            for d in def_elems(&s.options) {
                if d.defname == "schema" {
                    if let Some(schema) = def_strings(d).last() {
                        b.refs.add(ObjRef::Schema(schema.clone()));
                    }
                }
            }
            b.finish()
        }
        N::CreateStmt(s) => create_table(s, K::CreateTable, sql, r),
        N::CreateForeignTableStmt(s) => match &s.base_stmt {
            Some(base) => match create_table(base, K::CreateForeignTable, sql, r) {
                Outcome::Statement(mut a) => {
                    a.references.push(ObjRef::Server(s.servername.clone()));
                    Outcome::Statement(a)
                }
                other => other,
            },
            None => other(node, sql, r),
        },
        N::CreateTableAsStmt(s) => {
            if s.is_select_into {
                return Outcome::Refuse("SELECT INTO".into());
            }
            let matview = s.objtype == ObjectType::ObjectMatview as i32;
            let kind = if matview {
                K::CreateMaterializedView
            } else {
                K::CreateTable
            };
            let mut b = Builder::new(kind, r);
            if let Some(rel) = s.into.as_ref().and_then(|i| i.rel.as_ref()) {
                let name = r.create(&rel.schemaname, &rel.relname);
                b.create(ObjRef::Relation(name.clone()));
                b.create(ObjRef::Type(name));
            }
            b.refs.walk(&s.query);
            b.finish()
        }
        N::ViewStmt(s) => {
            let mut b = Builder::new(K::CreateView, r);
            if let Some(view) = &s.view {
                let name = r.create(&view.schemaname, &view.relname);
                b.create(ObjRef::Relation(name.clone()));
                b.create(ObjRef::Type(name));
            }
            b.refs.walk(&s.query);
            b.finish()
        }
        N::IndexStmt(s) => create_index(s, sql, r),
        N::CreateSeqStmt(s) => {
            let mut b = Builder::new(K::CreateSequence, r);
            if let Some(seq) = &s.sequence {
                b.create(ObjRef::Relation(r.create(&seq.schemaname, &seq.relname)));
            }
            sequence_options(&mut b, &s.options);
            b.finish()
        }
        N::AlterSeqStmt(s) => {
            let mut b = Builder::new(K::AlterSequence, r);
            if let Some(seq) = &s.sequence {
                b.refs.add_relation(&seq.schemaname, &seq.relname);
                b.object = Some(ObjRef::Relation(r.create(&seq.schemaname, &seq.relname)));
            }
            sequence_options(&mut b, &s.options);
            b.finish()
        }
        N::CreateFunctionStmt(s) => {
            let kind = if s.is_procedure {
                K::CreateProcedure
            } else {
                K::CreateFunction
            };
            let mut b = Builder::new(kind, r);
            if let Some(name) = r.create_list(&node_strings(&s.funcname)) {
                b.create(ObjRef::Function(name));
            }
            // The body of a quoted (`AS $$...$$`) function is not checked when
            // `check_function_bodies` is off, as the loader sets it; a SQL-standard
            // body (`BEGIN ATOMIC`, `RETURN`) is, so its references count.
            b.refs.walk(&s.parameters);
            b.refs.walk(&s.return_type);
            b.refs.walk(&s.sql_body);
            b.finish()
        }
        N::DefineStmt(s) => define(s, sql, r),
        N::CreateDomainStmt(s) => {
            let mut b = Builder::new(K::CreateDomain, r);
            if let Some(name) = r.create_list(&node_strings(&s.domainname)) {
                b.create(ObjRef::Type(name));
            }
            b.refs.walk(&s.type_name);
            b.refs.walk(&s.coll_clause);
            b.refs.walk(&s.constraints);
            b.finish()
        }
        N::CreateEnumStmt(s) => {
            let mut b = Builder::new(K::CreateType, r);
            if let Some(name) = r.create_list(&node_strings(&s.type_name)) {
                b.create(ObjRef::Type(name));
            }
            b.finish()
        }
        N::CreateRangeStmt(s) => create_range(s, r),
        N::CompositeTypeStmt(s) => {
            let mut b = Builder::new(K::CreateType, r);
            if let Some(t) = &s.typevar {
                b.create(ObjRef::Type(r.create(&t.schemaname, &t.relname)));
            }
            b.refs.walk(&s.coldeflist);
            b.finish()
        }
        N::AlterEnumStmt(s) => {
            let mut b = Builder::new(K::AlterType, r);
            let names = node_strings(&s.type_name);
            b.refs.add_type(&names);
            if let Some(name) = r.create_list(&names) {
                b.object = Some(ObjRef::Type(name.clone()));
                b.extend(ObjRef::Type(name));
            }
            // A value added in a transaction cannot be used before it commits.
            if s.old_val.is_empty() {
                b.transaction = TransactionUse::EndsTransaction;
            }
            b.finish()
        }
        N::AlterTypeStmt(s) => {
            let mut b = Builder::new(K::AlterType, r);
            let names = node_strings(&s.type_name);
            b.refs.add_type(&names);
            b.object = r.create_list(&names).map(ObjRef::Type);
            b.refs.walk(&s.options);
            b.finish()
        }
        N::AlterDomainStmt(s) => {
            let mut b = Builder::new(K::AlterDomain, r);
            let names = node_strings(&s.type_name);
            b.refs.add_type(&names);
            b.object = r.create_list(&names).map(ObjRef::Type);
            b.refs.walk(&s.def);
            b.finish()
        }
        N::AlterTableStmt(s) => alter_table(s, sql, r),
        N::RenameStmt(s) => rename(s, sql, r),
        N::AlterObjectSchemaStmt(s) => set_schema(s, sql, r),
        N::CommentStmt(s) => {
            let mut b = Builder::new(K::Comment, r);
            b.object = named_object(&mut b, s.objtype, s.object.as_deref());
            b.finish()
        }
        N::SecLabelStmt(s) => {
            let mut b = Builder::new(K::Other("SECURITY LABEL".into()), r);
            b.object = named_object(&mut b, s.objtype, s.object.as_deref());
            b.finish()
        }
        N::CreateTrigStmt(s) => {
            let mut b = Builder::new(K::CreateTrigger, r);
            if let Some(rel) = &s.relation {
                b.refs.add_relation(&rel.schemaname, &rel.relname);
                let table = r.create(&rel.schemaname, &rel.relname);
                b.create(ObjRef::Trigger(table, s.trigname.clone()));
            }
            b.refs
                .add_list(&node_strings(&s.funcname), ObjRef::Function);
            if let Some(rel) = &s.constrrel {
                b.refs.add_relation(&rel.schemaname, &rel.relname);
            }
            b.refs.walk(&s.when_clause);
            b.finish()
        }
        N::CreatePolicyStmt(s) => {
            let mut b = Builder::new(K::CreatePolicy, r);
            if let Some(rel) = &s.table {
                b.refs.add_relation(&rel.schemaname, &rel.relname);
                let table = r.create(&rel.schemaname, &rel.relname);
                b.create(ObjRef::Policy(table, s.policy_name.clone()));
            }
            b.refs.walk(&s.qual);
            b.refs.walk(&s.with_check);
            b.finish()
        }
        N::AlterPolicyStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER POLICY".into()), r);
            if let Some(rel) = &s.table {
                b.refs.add_relation(&rel.schemaname, &rel.relname);
                for t in r.candidates(&rel.schemaname, &rel.relname) {
                    b.refs.add(ObjRef::Policy(t, s.policy_name.clone()));
                }
                let table = r.create(&rel.schemaname, &rel.relname);
                b.object = Some(ObjRef::Policy(table, s.policy_name.clone()));
            }
            b.refs.walk(&s.qual);
            b.refs.walk(&s.with_check);
            b.finish()
        }
        N::RuleStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE RULE".into()), r);
            if let Some(rel) = &s.relation {
                b.refs.add_relation(&rel.schemaname, &rel.relname);
                let table = r.create(&rel.schemaname, &rel.relname);
                b.create(ObjRef::Rule(table.clone(), s.rulename.clone()));
                b.object = Some(ObjRef::Relation(table));
            }
            b.refs.walk(&s.where_clause);
            b.refs.walk(&s.actions);
            b.finish()
        }
        N::CreateStatsStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE STATISTICS".into()), r);
            b.refs.walk(&s.relations);
            b.refs.walk(&s.exprs);
            let names = node_strings(&s.defnames);
            if let Some(name) = r.create_list(&names) {
                b.create(ObjRef::Statistics(name));
            }
            b.finish()
        }
        N::CreatePublicationStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE PUBLICATION".into()), r);
            b.refs.walk(&s.pubobjects);
            publication_schemas(&mut b, &s.pubobjects);
            b.create(ObjRef::Publication(s.pubname.clone()));
            b.finish()
        }
        N::AlterPublicationStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER PUBLICATION".into()), r);
            b.refs.walk(&s.pubobjects);
            publication_schemas(&mut b, &s.pubobjects);
            b.refs.add(ObjRef::Publication(s.pubname.clone()));
            b.finish()
        }
        N::AlterEventTrigStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER EVENT TRIGGER".into()), r);
            b.refs.add(ObjRef::EventTrigger(s.trigname.clone()));
            b.finish()
        }
        N::AlterTsconfigurationStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER TEXT SEARCH CONFIGURATION".into()), r);
            b.refs
                .add_list(&node_strings(&s.cfgname), ObjRef::TextSearch);
            for d in &s.dicts {
                if let Some(NodeEnum::List(l)) = &d.node {
                    b.refs.add_list(&node_strings(&l.items), ObjRef::TextSearch);
                }
            }
            b.finish()
        }
        N::AlterTsdictionaryStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER TEXT SEARCH DICTIONARY".into()), r);
            b.refs
                .add_list(&node_strings(&s.dictname), ObjRef::TextSearch);
            b.finish()
        }
        N::AlterStatsStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER STATISTICS".into()), r);
            b.refs
                .add_list(&node_strings(&s.defnames), ObjRef::Statistics);
            b.finish()
        }
        N::CreateEventTrigStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE EVENT TRIGGER".into()), r);
            b.refs
                .add_list(&node_strings(&s.funcname), ObjRef::Function);
            b.create(ObjRef::EventTrigger(s.trigname.clone()));
            b.finish()
        }
        N::CreateFdwStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE FOREIGN DATA WRAPPER".into()), r);
            b.refs.walk(&s.func_options);
            b.create(ObjRef::ForeignDataWrapper(s.fdwname.clone()));
            b.finish()
        }
        N::AlterFdwStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER FOREIGN DATA WRAPPER".into()), r);
            b.refs.walk(&s.func_options);
            b.refs.add(ObjRef::ForeignDataWrapper(s.fdwname.clone()));
            b.finish()
        }
        N::CreateForeignServerStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE SERVER".into()), r);
            b.refs.add(ObjRef::ForeignDataWrapper(s.fdwname.clone()));
            b.create(ObjRef::Server(s.servername.clone()));
            b.finish()
        }
        N::AlterForeignServerStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER SERVER".into()), r);
            b.refs.add(ObjRef::Server(s.servername.clone()));
            b.finish()
        }
        N::CreateUserMappingStmt(s) => {
            let mut b = Builder::new(K::Other("CREATE USER MAPPING".into()), r);
            b.refs.add(ObjRef::Server(s.servername.clone()));
            b.finish()
        }
        N::AlterUserMappingStmt(s) => {
            let mut b = Builder::new(K::Other("ALTER USER MAPPING".into()), r);
            b.refs.add(ObjRef::Server(s.servername.clone()));
            b.finish()
        }
        N::CreateCastStmt(s) => {
            let mut b = Builder::new(K::CreateCast, r);
            b.refs.walk(&s.sourcetype);
            b.refs.walk(&s.targettype);
            b.refs.walk(&s.func);
            b.finish()
        }
        N::AlterFunctionStmt(s) => {
            let mut b = Builder::new(K::AlterFunction, r);
            if let Some(func) = &s.func {
                b.object = r
                    .create_list(&node_strings(&func.objname))
                    .map(ObjRef::Function);
            }
            b.refs.walk(&s.func);
            b.refs.walk(&s.actions);
            b.finish()
        }
        N::VariableSetStmt(s) => set(s, sql),
        N::SelectStmt(s) => select(s, sql),

        N::GrantStmt(s) => grant(s, r),
        N::GrantRoleStmt(_) => Outcome::Skip("role memberships"),
        N::AlterDefaultPrivilegesStmt(s) => alter_default_privileges(s, r),
        N::AlterOwnerStmt(s) => alter_owner(s, r),
        N::ReassignOwnedStmt(_) => Outcome::Skip("REASSIGN OWNED statements"),

        N::DropStmt(_)
        | N::DropOwnedStmt(_)
        | N::DropRoleStmt(_)
        | N::DropdbStmt(_)
        | N::DropTableSpaceStmt(_)
        | N::DropSubscriptionStmt(_)
        | N::DropUserMappingStmt(_) => Outcome::Drop(leading_words(sql)),

        N::InsertStmt(_) => Outcome::Refuse("INSERT".into()),
        N::UpdateStmt(_) => Outcome::Refuse("UPDATE".into()),
        N::DeleteStmt(_) => Outcome::Refuse("DELETE".into()),
        N::MergeStmt(_) => Outcome::Refuse("MERGE".into()),
        N::CopyStmt(_) => Outcome::Refuse("COPY".into()),
        N::TruncateStmt(_) => Outcome::Refuse("TRUNCATE".into()),
        N::VacuumStmt(v) => {
            Outcome::Refuse(if v.is_vacuumcmd { "VACUUM" } else { "ANALYZE" }.into())
        }
        N::DoStmt(_) => Outcome::Refuse("DO".into()),
        N::CallStmt(_) => Outcome::Refuse("CALL".into()),
        N::RefreshMatViewStmt(_) => Outcome::Refuse("REFRESH MATERIALIZED VIEW".into()),
        N::TransactionStmt(_)
        | N::ExplainStmt(_)
        | N::LockStmt(_)
        | N::ClusterStmt(_)
        | N::ReindexStmt(_)
        | N::PrepareStmt(_)
        | N::ExecuteStmt(_)
        | N::DeallocateStmt(_)
        | N::NotifyStmt(_)
        | N::ListenStmt(_)
        | N::UnlistenStmt(_)
        | N::DeclareCursorStmt(_)
        | N::FetchStmt(_)
        | N::ClosePortalStmt(_)
        | N::CheckPointStmt(_)
        | N::DiscardStmt(_)
        | N::LoadStmt(_)
        | N::VariableShowStmt(_)
        | N::ConstraintsSetStmt(_)
        | N::CreatedbStmt(_)
        | N::AlterDatabaseStmt(_)
        | N::AlterDatabaseSetStmt(_)
        | N::AlterDatabaseRefreshCollStmt(_)
        | N::CreateRoleStmt(_)
        | N::AlterRoleStmt(_)
        | N::AlterRoleSetStmt(_)
        | N::CreateTableSpaceStmt(_)
        | N::AlterTableSpaceOptionsStmt(_)
        | N::AlterTableMoveAllStmt(_)
        | N::AlterSystemStmt(_)
        | N::CreateSubscriptionStmt(_)
        | N::AlterSubscriptionStmt(_)
        | N::PlassignStmt(_)
        | N::ReturnStmt(_) => Outcome::Refuse(leading_words(sql)),

        _ => other(node, sql, r),
    }
}

/// The schemas of `TABLES IN SCHEMA s` items, and the tables of items written as a bare
/// name after `TABLE a, ...` (the walk finds the others' relations).
fn publication_schemas(b: &mut Builder<'_>, objects: &[Node]) {
    use pg_query::protobuf::PublicationObjSpecType as Spec;
    let mut kind = Spec::Undefined;
    for o in objects {
        if let Some(NodeEnum::PublicationObjSpec(o)) = &o.node {
            let this = Spec::try_from(o.pubobjtype).unwrap_or_default();
            if this != Spec::PublicationobjContinuation {
                kind = this;
            }
            if o.pubtable.is_some() || o.name.is_empty() {
                continue;
            }
            if kind == Spec::PublicationobjTable {
                b.refs.add_relation("", &o.name);
            } else {
                b.refs.add(ObjRef::Schema(o.name.clone()));
            }
        }
    }
}

/// Any other schema statement: kind from its leading keywords, references from a walk
/// over the whole tree, creates nothing that ordering knows of.
fn other(node: &NodeEnum, sql: &str, r: Resolver<'_>) -> Outcome {
    let mut b = Builder::new(StatementKind::Other(leading_words(sql)), r);
    b.refs.walk(node);
    b.finish()
}

fn create_schema(s: &protobuf::CreateSchemaStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    let name = if s.schemaname.is_empty() {
        // `CREATE SCHEMA AUTHORIZATION joe` names the schema after the role.
        s.authrole
            .as_ref()
            .map(|a| a.rolename.clone())
            .unwrap_or_default()
    } else {
        s.schemaname.clone()
    };
    let mut b = Builder::new(StatementKind::CreateSchema, r);
    b.create(ObjRef::Schema(name.clone()));
    // Elements (`CREATE SCHEMA s CREATE TABLE t ...`) are created in the schema.
    let inner_path = vec![name];
    let inner = Resolver {
        search_path: &inner_path,
    };
    for elt in &s.schema_elts {
        let Some(node) = &elt.node else { continue };
        if let Outcome::Statement(a) = analyze(node, sql, inner) {
            for c in a.creates {
                b.create(c);
            }
            for r in a.references {
                b.refs.add(r);
            }
        }
    }
    b.finish()
}

fn create_table(
    s: &protobuf::CreateStmt,
    kind: StatementKind,
    sql: &str,
    r: Resolver<'_>,
) -> Outcome {
    let Some(rel) = &s.relation else {
        return Outcome::Refuse(leading_words(sql));
    };
    let table = r.create(&rel.schemaname, &rel.relname);
    let mut b = Builder::new(kind, r);
    b.create(ObjRef::Relation(table.clone()));
    b.create(ObjRef::Type(table.clone()));
    // Relations PostgreSQL creates along with the table, so that `ALTER SEQUENCE
    // t_id_seq` or `COMMENT ON INDEX t_pkey` find their creator.
    for elt in &s.table_elts {
        if let Some(NodeEnum::ColumnDef(col)) = &elt.node {
            let serial = col.type_name.as_ref().is_some_and(|t| {
                matches!(
                    node_strings(&t.names).as_slice(),
                    [n] if matches!(n.as_str(), "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8")
                )
            });
            let identity = constraints(&col.constraints)
                .any(|c| c.contype == ConstrType::ConstrIdentity as i32);
            if serial || identity {
                b.create(ObjRef::Relation(
                    table.sibling(format!("{}_{}_seq", table.name, col.colname)),
                ));
            }
            for c in constraints(&col.constraints) {
                constraint_index(&mut b, &table, c);
            }
        }
        if let Some(NodeEnum::Constraint(c)) = &elt.node {
            constraint_index(&mut b, &table, c);
        }
    }
    b.refs.walk(&s.table_elts);
    b.refs.walk(&s.inh_relations);
    b.refs.walk(&s.partbound);
    b.refs.walk(&s.partspec);
    b.refs.walk(&s.of_typename);
    b.refs.walk(&s.constraints);
    b.refs.walk(&s.nnconstraints);
    b.finish()
}

/// The index behind a primary key, unique or exclusion constraint.
fn constraint_index(b: &mut Builder<'_>, table: &QualName, c: &protobuf::Constraint) {
    let indexed = [
        ConstrType::ConstrPrimary,
        ConstrType::ConstrUnique,
        ConstrType::ConstrExclusion,
    ]
    .iter()
    .any(|t| c.contype == *t as i32);
    if !indexed {
        return;
    }
    if !c.conname.is_empty() {
        b.create(ObjRef::Relation(table.sibling(c.conname.clone())));
    } else if !c.indexname.is_empty() {
        b.create(ObjRef::Relation(table.sibling(c.indexname.clone())));
    } else if c.contype == ConstrType::ConstrPrimary as i32 {
        b.create(ObjRef::Relation(
            table.sibling(format!("{}_pkey", table.name)),
        ));
    }
}

fn constraints(nodes: &[Node]) -> impl Iterator<Item = &protobuf::Constraint> {
    nodes.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::Constraint(c)) => Some(&**c),
        _ => None,
    })
}

fn create_index(s: &protobuf::IndexStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    let Some(rel) = &s.relation else {
        return Outcome::Refuse(leading_words(sql));
    };
    let mut b = Builder::new(StatementKind::CreateIndex, r);
    b.refs.add_relation(&rel.schemaname, &rel.relname);
    // An index lives in its table's schema.
    let table = r.create(&rel.schemaname, &rel.relname);
    if s.idxname.is_empty() {
        b.object = Some(ObjRef::Relation(table.clone()));
    } else {
        b.create(ObjRef::Relation(table.sibling(s.idxname.clone())));
    }
    // A unique index can be the target of a foreign key: those go after it.
    if s.unique {
        b.extend(ObjRef::Relation(table));
    }
    if s.concurrent {
        b.transaction = TransactionUse::Alone;
    }
    b.refs.walk(&s.index_params);
    b.refs.walk(&s.index_including_params);
    b.refs.walk(&s.where_clause);
    b.finish()
}

/// `AS type` and `OWNED BY table.column` of CREATE / ALTER SEQUENCE.
fn sequence_options(b: &mut Builder<'_>, options: &[Node]) {
    for d in def_elems(options) {
        if d.defname == "owned_by" {
            let names = def_strings(d);
            if names.len() >= 2 {
                b.refs.add_list(&names[..names.len() - 1], ObjRef::Relation);
            }
        } else {
            b.refs.walk(d);
        }
    }
}

/// Options of CREATE AGGREGATE / OPERATOR / TYPE / range types that name functions.
/// PostgreSQL's grammar parses them as type names (`SFUNC = int4pl`), so they are read
/// here rather than by the walk.
const FUNCTION_OPTIONS: &[&str] = &[
    "analyze",
    "canonical",
    "combinefunc",
    "deserialfunc",
    "finalfunc",
    "function",
    "input",
    "join",
    "mfinalfunc",
    "minvfunc",
    "msfunc",
    "output",
    "procedure",
    "receive",
    "restrict",
    "send",
    "serialfunc",
    "sfunc",
    "subscript",
    "subtype_diff",
    "typmod_in",
    "typmod_out",
];

fn definition(b: &mut Builder<'_>, options: &[Node]) {
    for d in def_elems(options) {
        if FUNCTION_OPTIONS.contains(&d.defname.as_str()) {
            let names = def_strings(d);
            b.refs.add_list(&names, ObjRef::Function);
        } else if d.defname != "commutator" && d.defname != "negator" {
            b.refs.walk(d);
        }
    }
}

fn define(s: &protobuf::DefineStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    use StatementKind as K;
    let names = node_strings(&s.defnames);
    let name = r.create_list(&names);
    let (kind, created) = match ObjectType::try_from(s.kind) {
        Ok(ObjectType::ObjectAggregate) => (K::CreateAggregate, name.map(ObjRef::Function)),
        Ok(ObjectType::ObjectOperator) => (K::CreateOperator, name.map(ObjRef::Operator)),
        Ok(ObjectType::ObjectType) => (K::CreateType, name.map(ObjRef::Type)),
        Ok(ObjectType::ObjectCollation) => (K::CreateCollation, name.map(ObjRef::Collation)),
        Ok(ObjectType::ObjectTsdictionary | ObjectType::ObjectTsconfiguration) => {
            (K::Other(leading_words(sql)), name.map(ObjRef::TextSearch))
        }
        _ => (K::Other(leading_words(sql)), None),
    };
    let collation = kind == K::CreateCollation;
    let mut b = Builder::new(kind, r);
    if let Some(c) = created {
        b.create(c);
    }
    b.refs.walk(&s.args);
    let text_search = matches!(
        ObjectType::try_from(s.kind),
        Ok(ObjectType::ObjectTsconfiguration)
    );
    if collation {
        // Collation options are words (`provider = icu`) except `FROM collation`.
        for d in def_elems(&s.definition).filter(|d| d.defname == "from") {
            b.refs.add_list(&def_strings(d), ObjRef::Collation);
        }
    } else if text_search {
        // `COPY = source`: another configuration.
        for d in def_elems(&s.definition).filter(|d| d.defname == "copy") {
            b.refs.add_list(&def_strings(d), ObjRef::TextSearch);
        }
    } else {
        definition(&mut b, &s.definition);
    }
    b.finish()
}

fn create_range(s: &protobuf::CreateRangeStmt, r: Resolver<'_>) -> Outcome {
    let mut b = Builder::new(StatementKind::CreateType, r);
    if let Some(range) = r.create_list(&node_strings(&s.type_name)) {
        // A range type comes with its multirange type and a constructor function of
        // each name.
        let explicit = def_elems(&s.params)
            .find(|d| d.defname == "multirange_type_name")
            .map(def_strings)
            .and_then(|names| r.create_list(&names));
        let multirange = explicit.unwrap_or_else(|| {
            let name = if range.name.contains("range") {
                range.name.replacen("range", "multirange", 1)
            } else {
                format!("{}_multirange", range.name)
            };
            range.sibling(name)
        });
        b.create(ObjRef::Type(range.clone()));
        b.create(ObjRef::Type(multirange.clone()));
        b.create(ObjRef::Function(range));
        b.create(ObjRef::Function(multirange));
    }
    let params: Vec<Node> = s
        .params
        .iter()
        .filter(|n| !matches!(&n.node, Some(NodeEnum::DefElem(d)) if d.defname == "multirange_type_name"))
        .cloned()
        .collect();
    definition(&mut b, &params);
    b.finish()
}

fn alter_table(s: &protobuf::AlterTableStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    use StatementKind as K;
    let objtype = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
    let kind = match objtype {
        ObjectType::ObjectTable | ObjectType::ObjectForeignTable => K::AlterTable,
        ObjectType::ObjectIndex => K::AlterIndex,
        ObjectType::ObjectView => K::AlterView,
        ObjectType::ObjectSequence => K::AlterSequence,
        ObjectType::ObjectType => K::AlterType,
        _ => K::Other(leading_words(sql)),
    };
    let cmds: Vec<&protobuf::AlterTableCmd> = s
        .cmds
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::AlterTableCmd(c)) => Some(&**c),
            _ => None,
        })
        .collect();
    let is = |c: &protobuf::AlterTableCmd, t: AlterTableType| c.subtype == t as i32;
    let Some(rel) = &s.relation else {
        return other(&NodeEnum::AlterTableStmt(s.clone()), sql, r);
    };
    let target = r.create(&rel.schemaname, &rel.relname);
    let mut b = Builder::new(kind, r);
    let composite = objtype == ObjectType::ObjectType;
    if composite {
        b.refs.add_type(&range_var_names(rel));
        b.object = Some(ObjRef::Type(target.clone()));
    } else {
        b.refs.add_relation(&rel.schemaname, &rel.relname);
        b.object = Some(ObjRef::Relation(target.clone()));
    }
    // Statements that change a relation's columns or add what a foreign key needs
    // (primary key, unique constraint) "extend" it: users of the relation go after.
    let extends = cmds.iter().any(|c| {
        use AlterTableType as T;
        [
            T::AtAddColumn,
            T::AtAddColumnToView,
            T::AtAlterColumnType,
            T::AtSetExpression,
            T::AtDropExpression,
            T::AtAddIndex,
            T::AtAddIndexConstraint,
            T::AtAddIdentity,
        ]
        .iter()
        .any(|t| is(c, *t))
            || (is(c, T::AtAddConstraint)
                && matches!(c.def.as_deref().and_then(|d| d.node.as_ref()),
                    Some(NodeEnum::Constraint(k)) if k.contype != ConstrType::ConstrForeign as i32
                        && k.contype != ConstrType::ConstrCheck as i32))
    });
    if extends {
        if composite {
            b.extend(ObjRef::Type(target.clone()));
        } else {
            b.extend(ObjRef::Relation(target.clone()));
            b.extend(ObjRef::Type(target.clone()));
        }
    }
    // ENABLE / DISABLE TRIGGER (or RULE) name needs the trigger (or rule) to exist.
    for c in &cmds {
        use AlterTableType as T;
        let trigger_cmd = [
            T::AtEnableTrig,
            T::AtEnableAlwaysTrig,
            T::AtEnableReplicaTrig,
            T::AtDisableTrig,
        ]
        .iter()
        .any(|t| is(c, *t));
        if trigger_cmd && !composite && !c.name.is_empty() {
            b.refs.add(ObjRef::Trigger(target.clone(), c.name.clone()));
        }
        let rule_cmd = [
            T::AtEnableRule,
            T::AtEnableAlwaysRule,
            T::AtEnableReplicaRule,
            T::AtDisableRule,
        ]
        .iter()
        .any(|t| is(c, *t));
        if rule_cmd && !c.name.is_empty() {
            b.refs.add(ObjRef::Rule(target.clone(), c.name.clone()));
        }
    }
    // DETACH PARTITION ... CONCURRENTLY cannot run in a transaction block.
    let concurrent = cmds.iter().any(|c| {
        matches!(c.def.as_deref().and_then(|d| d.node.as_ref()), Some(NodeEnum::PartitionCmd(p)) if p.concurrent)
    });
    // VALIDATE CONSTRAINT scans the table under a SHARE UPDATE EXCLUSIVE lock; in the
    // transaction of an `ADD CONSTRAINT ... NOT VALID` before it, that statement's
    // ACCESS EXCLUSIVE lock would be held through the scan. It gets a transaction of
    // its own.
    let validates = cmds
        .iter()
        .any(|c| is(c, pg_query::protobuf::AlterTableType::AtValidateConstraint));
    if concurrent || validates {
        b.transaction = TransactionUse::Alone;
    }
    // An OWNER TO combined with other subcommands stays: the statement runs as written.
    b.refs.walk(&s.cmds);
    b.finish()
}

/// The kind of an ALTER on an object of type `t` (for RENAME and SET SCHEMA).
fn alter_kind(t: ObjectType, sql: &str) -> StatementKind {
    use StatementKind as K;
    match t {
        ObjectType::ObjectTable | ObjectType::ObjectForeignTable => K::AlterTable,
        ObjectType::ObjectIndex => K::AlterIndex,
        ObjectType::ObjectView => K::AlterView,
        ObjectType::ObjectSequence => K::AlterSequence,
        ObjectType::ObjectType => K::AlterType,
        ObjectType::ObjectDomain => K::AlterDomain,
        ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => {
            K::AlterFunction
        }
        _ => K::Other(leading_words(sql)),
    }
}

fn is_relation_type(t: ObjectType) -> bool {
    matches!(
        t,
        ObjectType::ObjectTable
            | ObjectType::ObjectForeignTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectIndex
            | ObjectType::ObjectSequence
    )
}

/// Relations with a row type of the same name.
fn has_row_type(t: ObjectType) -> bool {
    matches!(
        t,
        ObjectType::ObjectTable
            | ObjectType::ObjectForeignTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
    )
}

/// `ALTER ... RENAME`: references the old name, creates the new one.
fn rename(s: &protobuf::RenameStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    let what = ObjectType::try_from(s.rename_type).unwrap_or(ObjectType::Undefined);
    let on = ObjectType::try_from(s.relation_type).unwrap_or(ObjectType::Undefined);
    match what {
        t if is_relation_type(t) => {
            let Some(rel) = &s.relation else {
                return other_rename(s, sql, r);
            };
            let mut b = Builder::new(alter_kind(t, sql), r);
            b.refs.add_relation(&rel.schemaname, &rel.relname);
            let new = r
                .create(&rel.schemaname, &rel.relname)
                .sibling(s.newname.clone());
            b.create(ObjRef::Relation(new.clone()));
            if has_row_type(t) {
                b.create(ObjRef::Type(new));
            }
            b.finish()
        }
        ObjectType::ObjectColumn
        | ObjectType::ObjectAttribute
        | ObjectType::ObjectTabconstraint
        | ObjectType::ObjectTrigger
        | ObjectType::ObjectPolicy
        | ObjectType::ObjectRule => {
            let Some(rel) = &s.relation else {
                return other_rename(s, sql, r);
            };
            let kind = match what {
                ObjectType::ObjectColumn | ObjectType::ObjectTabconstraint => alter_kind(on, sql),
                _ => StatementKind::Other(leading_words(sql)),
            };
            let mut b = Builder::new(kind, r);
            b.refs.add_relation(&rel.schemaname, &rel.relname);
            let table = r.create(&rel.schemaname, &rel.relname);
            b.object = Some(ObjRef::Relation(table.clone()));
            match what {
                ObjectType::ObjectColumn | ObjectType::ObjectAttribute => {
                    b.extend(ObjRef::Relation(table.clone()));
                    b.extend(ObjRef::Type(table));
                }
                ObjectType::ObjectTrigger => {
                    b.refs
                        .add(ObjRef::Trigger(table.clone(), s.subname.clone()));
                    b.create(ObjRef::Trigger(table, s.newname.clone()));
                }
                ObjectType::ObjectPolicy => {
                    b.refs.add(ObjRef::Policy(table.clone(), s.subname.clone()));
                    b.create(ObjRef::Policy(table, s.newname.clone()));
                }
                _ => {}
            }
            b.finish()
        }
        ObjectType::ObjectSchema => {
            let mut b = Builder::new(StatementKind::Other(leading_words(sql)), r);
            b.refs.add(ObjRef::Schema(s.subname.clone()));
            b.create(ObjRef::Schema(s.newname.clone()));
            b.finish()
        }
        _ => other_rename(s, sql, r),
    }
}

/// RENAME of a type, function, ... : references the old name through the generic
/// object reference; creates the new name in the same schema when the class is known.
fn other_rename(s: &protobuf::RenameStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    let what = ObjectType::try_from(s.rename_type).unwrap_or(ObjectType::Undefined);
    let mut b = Builder::new(alter_kind(what, sql), r);
    let old = named_object(&mut b, s.rename_type, s.object.as_deref());
    if let Some(new) = old.and_then(|o| renamed(&o, None, &s.newname)) {
        b.create(new);
    }
    b.finish()
}

/// `ALTER ... SET SCHEMA`: references the object, creates it in the new schema.
fn set_schema(s: &protobuf::AlterObjectSchemaStmt, sql: &str, r: Resolver<'_>) -> Outcome {
    let what = ObjectType::try_from(s.object_type).unwrap_or(ObjectType::Undefined);
    let mut b = Builder::new(alter_kind(what, sql), r);
    let old = match &s.relation {
        Some(rel) if is_relation_type(what) => {
            b.refs.add_relation(&rel.schemaname, &rel.relname);
            Some(ObjRef::Relation(r.create(&rel.schemaname, &rel.relname)))
        }
        _ => named_object(&mut b, s.object_type, s.object.as_deref()),
    };
    if let Some(old) = old {
        if let Some(new) = renamed(&old, Some(&s.newschema), "") {
            let row_type = match &new {
                ObjRef::Relation(n) if has_row_type(what) => Some(ObjRef::Type(n.clone())),
                _ => None,
            };
            b.create(new);
            if let Some(t) = row_type {
                b.create(t);
            }
        }
        b.object = Some(old);
    }
    b.finish()
}

/// `obj` under a new schema and/or name (empty keeps the old one).
fn renamed(obj: &ObjRef, schema: Option<&str>, name: &str) -> Option<ObjRef> {
    let re = |n: &QualName| {
        QualName::new(
            schema.unwrap_or(&n.schema),
            if name.is_empty() {
                n.name.as_str()
            } else {
                name
            },
        )
    };
    Some(match obj {
        ObjRef::Relation(n) => ObjRef::Relation(re(n)),
        ObjRef::Type(n) => ObjRef::Type(re(n)),
        ObjRef::Function(n) => ObjRef::Function(re(n)),
        ObjRef::Collation(n) => ObjRef::Collation(re(n)),
        ObjRef::Statistics(n) => ObjRef::Statistics(re(n)),
        ObjRef::TextSearch(n) => ObjRef::TextSearch(re(n)),
        ObjRef::Operator(n) => ObjRef::Operator(re(n)),
        _ => return None,
    })
}

/// The object a generic object reference names (`COMMENT ON`, `SECURITY LABEL ON`,
/// RENAME, SET SCHEMA): adds its references and returns the object itself, resolved
/// where CREATE would put it.
fn named_object(b: &mut Builder<'_>, objtype: i32, object: Option<&Node>) -> Option<ObjRef> {
    let object = object?;
    let t = ObjectType::try_from(objtype).unwrap_or(ObjectType::Undefined);
    let r = b.r;
    let list = match &object.node {
        Some(NodeEnum::List(l)) => node_strings(&l.items),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    };
    let (head, last) = match list.as_slice() {
        [head @ .., last] => (head.to_vec(), last.clone()),
        [] => (Vec::new(), String::new()),
    };
    match t {
        t if is_relation_type(t) => {
            b.refs.add_list(&list, ObjRef::Relation);
            r.create_list(&list).map(ObjRef::Relation)
        }
        ObjectType::ObjectColumn => {
            b.refs.add_list(&head, ObjRef::Relation);
            r.create_list(&head).map(ObjRef::Relation)
        }
        ObjectType::ObjectTrigger
        | ObjectType::ObjectPolicy
        | ObjectType::ObjectRule
        | ObjectType::ObjectTabconstraint => {
            b.refs.add_list(&head, ObjRef::Relation);
            let table = r.create_list(&head)?;
            let make = |q: QualName| match t {
                ObjectType::ObjectTrigger => Some(ObjRef::Trigger(q, last.clone())),
                ObjectType::ObjectPolicy => Some(ObjRef::Policy(q, last.clone())),
                ObjectType::ObjectRule => Some(ObjRef::Rule(q, last.clone())),
                _ => None,
            };
            for q in r.candidates_list(&head) {
                if let Some(o) = make(q) {
                    b.refs.add(o);
                }
            }
            make(table.clone()).or(Some(ObjRef::Relation(table)))
        }
        ObjectType::ObjectSchema => {
            b.refs.add(ObjRef::Schema(last.clone()));
            Some(ObjRef::Schema(last))
        }
        ObjectType::ObjectExtension => {
            b.refs.add(ObjRef::Extension(last.clone()));
            Some(ObjRef::Extension(last))
        }
        ObjectType::ObjectCollation => {
            b.refs.add_list(&list, ObjRef::Collation);
            r.create_list(&list).map(ObjRef::Collation)
        }
        ObjectType::ObjectPublication => {
            b.refs.add(ObjRef::Publication(last.clone()));
            Some(ObjRef::Publication(last))
        }
        ObjectType::ObjectEventTrigger => {
            b.refs.add(ObjRef::EventTrigger(last.clone()));
            Some(ObjRef::EventTrigger(last))
        }
        ObjectType::ObjectFdw => {
            b.refs.add(ObjRef::ForeignDataWrapper(last.clone()));
            Some(ObjRef::ForeignDataWrapper(last))
        }
        ObjectType::ObjectForeignServer => {
            b.refs.add(ObjRef::Server(last.clone()));
            Some(ObjRef::Server(last))
        }
        ObjectType::ObjectTsdictionary | ObjectType::ObjectTsconfiguration => {
            b.refs.add_list(&list, ObjRef::TextSearch);
            r.create_list(&list).map(ObjRef::TextSearch)
        }
        ObjectType::ObjectStatisticExt => {
            b.refs.add_list(&list, ObjRef::Statistics);
            r.create_list(&list).map(ObjRef::Statistics)
        }
        ObjectType::ObjectType | ObjectType::ObjectDomain => {
            let names = match &object.node {
                Some(NodeEnum::TypeName(tn)) => node_strings(&tn.names),
                _ => list,
            };
            b.refs.add_list(&names, ObjRef::Type);
            r.create_list(&names).map(ObjRef::Type)
        }
        ObjectType::ObjectFunction
        | ObjectType::ObjectProcedure
        | ObjectType::ObjectRoutine
        | ObjectType::ObjectAggregate => {
            let Some(NodeEnum::ObjectWithArgs(f)) = &object.node else {
                return None;
            };
            let names = node_strings(&f.objname);
            b.refs.walk(f);
            r.create_list(&names).map(ObjRef::Function)
        }
        ObjectType::ObjectOperator => {
            let Some(NodeEnum::ObjectWithArgs(f)) = &object.node else {
                return None;
            };
            let names = node_strings(&f.objname);
            b.refs.add_list(&names, ObjRef::Operator);
            b.refs.walk(&f.objargs);
            r.create_list(&names).map(ObjRef::Operator)
        }
        _ => {
            // Casts, domain constraints, transforms, operator classes, ...: whatever
            // types and functions they name.
            b.refs.walk(object);
            None
        }
    }
}

/// The parse tree of a GRANT or REVOKE statement; None for any other statement (told
/// by its first word, before parsing) or one that does not parse.
fn parse_grant(sql: &str) -> Option<pg_query::ParseResult> {
    let word = sql
        .trim_start()
        .get(..6)
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !word.starts_with("GRANT") && word != "REVOKE" {
        return None;
    }
    pg_query::parse(sql, 0).ok()
}

/// See [`super::access_changes`].
pub(crate) fn access_changes(sql: &str) -> Vec<super::AccessChange> {
    let Some(tree) = parse_grant(sql).or_else(|| parse_owner(sql)) else {
        return Vec::new();
    };
    let upper = sql.to_ascii_uppercase();
    let mut out = Vec::new();
    for raw in &tree.protobuf.stmts {
        // Default privileges: what objects created from then on get ("new TABLES in
        // schema app").
        let (g, new) = match raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
            Some(NodeEnum::GrantStmt(g)) => (g, None),
            Some(NodeEnum::AlterDefaultPrivilegesStmt(d)) => match &d.action {
                Some(g) => (g, upper.find(" GRANT ").or_else(|| upper.find(" REVOKE "))),
                None => continue,
            },
            _ => continue,
        };
        let to = if g.is_grant { " TO " } else { " FROM " };
        let object = match (upper.find(" ON "), upper.rfind(to)) {
            (Some(a), Some(b)) if a + 4 <= b => sql[a + 4..b].trim().to_string(),
            _ => continue,
        };
        let object = match new {
            Some(at) => {
                let clauses = sql["ALTER DEFAULT PRIVILEGES".len().min(at)..at].trim();
                format!("new {object} {clauses}").trim().to_string()
            }
            None => object,
        };
        let mut privileges = Vec::new();
        for p in &g.privileges {
            if let Some(NodeEnum::AccessPriv(ap)) = &p.node {
                let name = if ap.priv_name.is_empty() {
                    "ALL".to_string()
                } else {
                    ap.priv_name.to_uppercase()
                };
                let cols = node_strings(&ap.cols);
                privileges.push(if cols.is_empty() {
                    name
                } else {
                    format!("{name} ({})", cols.join(", "))
                });
            }
        }
        if privileges.is_empty() {
            privileges.push("ALL".to_string());
        }
        for r in &g.grantees {
            let Some(NodeEnum::RoleSpec(r)) = &r.node else {
                continue;
            };
            let grantee = match protobuf::RoleSpecType::try_from(r.roletype) {
                Ok(protobuf::RoleSpecType::RolespecCstring) => r.rolename.clone(),
                Ok(protobuf::RoleSpecType::RolespecPublic) => "PUBLIC".to_string(),
                _ => continue,
            };
            for p in &privileges {
                out.push(super::AccessChange {
                    grantee: grantee.clone(),
                    privilege: p.clone(),
                    grant_option: g.grant_option && !g.is_grant,
                    object: object.clone(),
                    gains: g.is_grant,
                });
            }
        }
    }
    out
}

/// See [`super::roles_named`].
pub(crate) fn roles_named(sql: &str) -> Vec<String> {
    let Some(tree) = parse_grant(sql).or_else(|| parse_owner(sql)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |r: &protobuf::RoleSpec| {
        if protobuf::RoleSpecType::try_from(r.roletype)
            == Ok(protobuf::RoleSpecType::RolespecCstring)
            && !out.contains(&r.rolename)
        {
            out.push(r.rolename.clone());
        }
    };
    for raw in &tree.protobuf.stmts {
        match raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
            Some(NodeEnum::GrantStmt(g)) => {
                for r in &g.grantees {
                    if let Some(NodeEnum::RoleSpec(r)) = &r.node {
                        add(r);
                    }
                }
            }
            Some(NodeEnum::AlterOwnerStmt(o)) => o.newowner.iter().for_each(&mut add),
            Some(NodeEnum::AlterTableStmt(t)) => {
                for c in &t.cmds {
                    if let Some(NodeEnum::AlterTableCmd(c)) = &c.node {
                        c.newowner.iter().for_each(&mut add);
                    }
                }
            }
            Some(NodeEnum::CreateSchemaStmt(c)) => c.authrole.iter().for_each(&mut add),
            Some(NodeEnum::AlterDefaultPrivilegesStmt(d)) => {
                for r in d.action.iter().flat_map(|a| &a.grantees) {
                    if let Some(NodeEnum::RoleSpec(r)) = &r.node {
                        add(r);
                    }
                }
                for o in &d.options {
                    let Some(NodeEnum::DefElem(e)) = &o.node else {
                        continue;
                    };
                    if e.defname != "roles" {
                        continue;
                    }
                    if let Some(NodeEnum::List(l)) = e.arg.as_ref().and_then(|a| a.node.as_ref()) {
                        for r in &l.items {
                            if let Some(NodeEnum::RoleSpec(r)) = &r.node {
                                add(r);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// See [`super::owner_change`].
pub(crate) fn owner_change(sql: &str) -> Option<(String, String)> {
    let tree = parse_owner(sql)?;
    let is_owner = tree.protobuf.stmts.iter().any(|raw| {
        match raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
            Some(NodeEnum::AlterOwnerStmt(_)) => true,
            Some(NodeEnum::AlterTableStmt(t)) => t.cmds.iter().any(
                |c| matches!(&c.node, Some(NodeEnum::AlterTableCmd(c)) if c.newowner.is_some()),
            ),
            _ => false,
        }
    });
    if !is_owner {
        return None;
    }
    let upper = sql.to_ascii_uppercase();
    let at = upper.rfind(" OWNER TO ")?;
    let object = sql.get(6..at)?.trim().to_string();
    let role = sql[at + 10..]
        .trim()
        .trim_end_matches(';')
        .trim()
        .to_string();
    Some((object, role))
}

/// The table or column an `ALTER TABLE ... RENAME [COLUMN] ... TO ...` statement
/// renames, with its new name; `None` for other statements. An unqualified table is
/// taken to be in `public` (revision files qualify every name).
pub(crate) fn table_rename(sql: &str) -> Option<(crate::model::ObjectId, String)> {
    use crate::model::ObjectId;
    let upper = sql.to_ascii_uppercase();
    if !upper.trim_start().starts_with("ALTER") || !upper.contains("RENAME") {
        return None;
    }
    let tree = pg_query::parse(sql, 0).ok()?;
    let [raw] = tree.protobuf.stmts.as_slice() else {
        return None;
    };
    let Some(NodeEnum::RenameStmt(s)) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else {
        return None;
    };
    let rel = s.relation.as_ref()?;
    let schema = if rel.schemaname.is_empty() {
        "public"
    } else {
        &rel.schemaname
    };
    let table = QualName::new(schema, rel.relname.clone());
    let what = ObjectType::try_from(s.rename_type).unwrap_or(ObjectType::Undefined);
    let on = ObjectType::try_from(s.relation_type).unwrap_or(ObjectType::Undefined);
    match (what, on) {
        (ObjectType::ObjectTable, _) => Some((ObjectId::Table(table), s.newname.clone())),
        (ObjectType::ObjectColumn, ObjectType::ObjectTable) => Some((
            ObjectId::Column(table, s.subname.clone()),
            s.newname.clone(),
        )),
        _ => None,
    }
}

/// The parse tree of `ALTER ... OWNER TO`, `ALTER DEFAULT PRIVILEGES` and `CREATE
/// SCHEMA ... AUTHORIZATION` statements (what else names a role), `None` for others.
fn parse_owner(sql: &str) -> Option<pg_query::ParseResult> {
    let upper = sql.to_ascii_uppercase();
    let trimmed = upper.trim_start();
    let owner = trimmed.starts_with("ALTER")
        && (upper.contains("OWNER") || upper.contains("DEFAULT PRIVILEGES"));
    let authorization = trimmed.starts_with("CREATE") && upper.contains("AUTHORIZATION");
    if !owner && !authorization {
        return None;
    }
    pg_query::parse(sql, 0).ok()
}

/// `ALTER SCHEMA|FUNCTION|PROCEDURE|TYPE|DOMAIN ... OWNER TO r`: after the object it
/// names (tables, views and sequences take `ALTER TABLE ... OWNER TO`).
fn alter_owner(s: &protobuf::AlterOwnerStmt, r: Resolver<'_>) -> Outcome {
    let objtype = ObjectType::try_from(s.object_type).unwrap_or(ObjectType::Undefined);
    if !matches!(
        objtype,
        ObjectType::ObjectSchema
            | ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectType
            | ObjectType::ObjectDomain
    ) {
        return Outcome::Skip(
            "owners of objects other than schemas, tables, views, sequences, routines and types",
        );
    }
    let mut b = Builder::new(StatementKind::Other("ALTER OWNER".into()), r);
    match (s.object.as_ref().and_then(|o| o.node.as_ref()), objtype) {
        (Some(NodeEnum::String(n)), ObjectType::ObjectSchema) => {
            b.refs.add(ObjRef::Schema(n.sval.clone()));
        }
        (Some(NodeEnum::List(l)), ObjectType::ObjectType | ObjectType::ObjectDomain) => {
            b.refs.add_list(&node_strings(&l.items), ObjRef::Type);
        }
        (Some(NodeEnum::TypeName(t)), _) => {
            b.refs.add_list(&node_strings(&t.names), ObjRef::Type);
        }
        _ => {
            b.refs.walk(&s.object);
            b.refs.walk(&s.relation);
        }
    }
    b.finish()
}

/// `ALTER DEFAULT PRIVILEGES [IN SCHEMA s]`: after the schemas it names, before every
/// creation.
fn alter_default_privileges(s: &protobuf::AlterDefaultPrivilegesStmt, r: Resolver<'_>) -> Outcome {
    let mut b = Builder::new(StatementKind::AlterDefaultPrivileges, r);
    for o in &s.options {
        if let Some(NodeEnum::DefElem(d)) = &o.node {
            if d.defname == "schemas" {
                if let Some(NodeEnum::List(l)) = d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                    for n in node_strings(&l.items) {
                        b.refs.add(ObjRef::Schema(n));
                    }
                }
            }
        }
    }
    b.finish()
}

/// `GRANT` / `REVOKE` on objects: after the objects it names (`ON ALL TABLES IN SCHEMA
/// s`: after the schema, and ranked after every creation).
fn grant(s: &protobuf::GrantStmt, r: Resolver<'_>) -> Outcome {
    use protobuf::GrantTargetType;
    let word = if s.is_grant { "GRANT" } else { "REVOKE" };
    let mut b = Builder::new(StatementKind::Other(word.into()), r);
    let objtype = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
    let all_in_schema =
        GrantTargetType::try_from(s.targtype) == Ok(GrantTargetType::AclTargetAllInSchema);
    for o in &s.objects {
        match (&o.node, objtype) {
            (Some(NodeEnum::String(n)), _)
                if all_in_schema || objtype == ObjectType::ObjectSchema =>
            {
                b.refs.add(ObjRef::Schema(n.sval.clone()));
            }
            (Some(NodeEnum::List(l)), ObjectType::ObjectType | ObjectType::ObjectDomain) => {
                b.refs.add_list(&node_strings(&l.items), ObjRef::Type);
            }
            (Some(NodeEnum::TypeName(t)), _) => {
                b.refs.add_list(&node_strings(&t.names), ObjRef::Type);
            }
            _ => b.refs.walk(o),
        }
    }
    b.finish()
}

fn set(s: &protobuf::VariableSetStmt, sql: &str) -> Outcome {
    let kind = VariableSetKind::try_from(s.kind).unwrap_or(VariableSetKind::Undefined);
    // SET LOCAL lasts until the end of a transaction, and schema statements are loaded
    // outside explicit transactions: it has no effect, here as in PostgreSQL.
    if s.is_local || kind == VariableSetKind::VarSetMulti {
        return Outcome::Ignore;
    }
    if kind == VariableSetKind::VarResetAll {
        return Outcome::ResetAll;
    }
    let reset = matches!(
        kind,
        VariableSetKind::VarSetDefault | VariableSetKind::VarReset
    );
    match s.name.as_str() {
        "search_path" if reset => Outcome::SearchPath(vec![DEFAULT_SEARCH_PATH.into()]),
        "search_path" if kind == VariableSetKind::VarSetValue => {
            let path = s
                .args
                .iter()
                .filter_map(|a| match &a.node {
                    Some(NodeEnum::AConst(c)) => match &c.val {
                        Some(a_const::Val::Sval(s)) => Some(s.sval.clone()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            Outcome::SearchPath(path)
        }
        "search_path" => Outcome::Ignore,
        // The loader sets these itself: function bodies are not checked so that they
        // need not be ordered after what they use, and notices stay quiet.
        "check_function_bodies" | "client_min_messages" => Outcome::Ignore,
        "role" | "session_authorization" => Outcome::Skip("roles and owners"),
        name if reset => Outcome::Setting(name.to_string(), None),
        name => Outcome::Setting(name.to_string(), Some(sql.to_string())),
    }
}

/// `SELECT pg_catalog.set_config('search_path', '', false)`, as pg_dump writes, is a
/// SET; any other SELECT is refused.
fn select(s: &protobuf::SelectStmt, sql: &str) -> Outcome {
    if s.into_clause.is_some() {
        return Outcome::Refuse("SELECT INTO".into());
    }
    let plain = s.from_clause.is_empty()
        && s.where_clause.is_none()
        && s.with_clause.is_none()
        && s.larg.is_none()
        && s.target_list.len() == 1;
    let call = plain
        .then(
            || match s.target_list.first().and_then(|t| t.node.as_ref()) {
                Some(NodeEnum::ResTarget(t)) => {
                    match t.val.as_deref().and_then(|v| v.node.as_ref()) {
                        Some(NodeEnum::FuncCall(f)) => Some(f),
                        _ => None,
                    }
                }
                _ => None,
            },
        )
        .flatten();
    let Some(f) = call else {
        return Outcome::Refuse("SELECT".into());
    };
    let name = node_strings(&f.funcname);
    if !matches!(
        name.iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["set_config"] | ["pg_catalog", "set_config"]
    ) {
        return Outcome::Refuse("SELECT".into());
    }
    let args: Vec<Option<&a_const::Val>> = f
        .args
        .iter()
        .map(|a| match &a.node {
            Some(NodeEnum::AConst(c)) => c.val.as_ref(),
            _ => None,
        })
        .collect();
    match args.as_slice() {
        [Some(a_const::Val::Sval(setting)), Some(a_const::Val::Sval(value)), Some(a_const::Val::Boolval(local))] =>
        {
            if local.boolval {
                Outcome::Ignore
            } else if setting.sval == "search_path" {
                // An unparsable list is one odd schema name, as PostgreSQL would
                // refuse it at load time anyway.
                let path =
                    parse_identifier_list(&value.sval).unwrap_or_else(|| vec![value.sval.clone()]);
                Outcome::SearchPath(path)
            } else {
                set_like(&setting.sval, sql)
            }
        }
        _ => Outcome::Refuse("SELECT".into()),
    }
}

fn set_like(name: &str, sql: &str) -> Outcome {
    match name {
        "check_function_bodies" | "client_min_messages" => Outcome::Ignore,
        "role" | "session_authorization" => Outcome::Skip("roles and owners"),
        _ => Outcome::Setting(name.to_string(), Some(sql.to_string())),
    }
}

/// A RangeVar's name as a dotted list.
fn range_var_names(rel: &protobuf::RangeVar) -> Vec<String> {
    [&rel.catalogname, &rel.schemaname, &rel.relname]
        .into_iter()
        .filter(|n| !n.is_empty())
        .cloned()
        .collect()
}

/// A statement derived from another one (the same file, search_path and settings), e.g.
/// a foreign key moved out of a CREATE TABLE: parsed and analysed like one read from
/// the file, placed at `location`.
pub(crate) fn derived_statement(
    sql: String,
    location: Location,
    like: &Statement,
) -> Result<Statement> {
    let tree = pg_query::parse(&sql, 0).map_err(|_| syntax_error(&location, &sql))?;
    let node = tree
        .protobuf
        .stmts
        .first()
        .and_then(|raw| raw.stmt.as_ref())
        .and_then(|n| n.node.as_ref());
    let resolver = Resolver {
        search_path: &like.search_path,
    };
    match node.map(|n| analyze(n, &sql, resolver)) {
        Some(Outcome::Statement(a)) => Ok(Statement {
            sql,
            location,
            kind: a.kind,
            object: a.object,
            creates: a.creates,
            references: a.references,
            extends: a.extends,
            search_path: like.search_path.clone(),
            settings: like.settings.clone(),
            transaction: a.transaction,
        }),
        _ => Err(Error::Unsupported {
            what: format!("rewriting {}", one_line(&sql)),
        }),
    }
}

fn def_elems(nodes: &[Node]) -> impl Iterator<Item = &protobuf::DefElem> {
    nodes.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::DefElem(d)) => Some(&**d),
        _ => None,
    })
}

/// The dotted name a DefElem's argument holds (a string, a list of strings, or a type
/// name).
fn def_strings(d: &protobuf::DefElem) -> Vec<String> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::List(l)) => node_strings(&l.items),
        Some(NodeEnum::TypeName(t)) => node_strings(&t.names),
        _ => Vec::new(),
    }
}

/// A statement's command as people name it, from its leading keywords: `DROP TABLE`,
/// `CREATE MATERIALIZED VIEW`, `GRANT`, `SECURITY LABEL`.
pub(crate) fn leading_words(sql: &str) -> String {
    let words: Vec<String> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut out = vec![first.as_str()];
    match first.as_str() {
        "CREATE" | "ALTER" | "DROP" => {
            let mut rest = words[1..].iter().map(String::as_str).peekable();
            // Modifiers before the object noun.
            while let Some(w) = rest.peek() {
                if matches!(
                    *w,
                    "OR" | "REPLACE"
                        | "UNIQUE"
                        | "TEMP"
                        | "TEMPORARY"
                        | "UNLOGGED"
                        | "GLOBAL"
                        | "LOCAL"
                        | "RECURSIVE"
                        | "TRUSTED"
                        | "PROCEDURAL"
                ) {
                    rest.next();
                } else {
                    break;
                }
            }
            let noun: Vec<&str> = rest.take(3).collect();
            let n = match noun.as_slice() {
                ["FOREIGN", "DATA", ..] | ["TEXT", "SEARCH", ..] => 3,
                ["MATERIALIZED" | "FOREIGN" | "EVENT" | "ACCESS" | "USER" | "CONSTRAINT", ..] => 2,
                ["OPERATOR", "CLASS" | "FAMILY", ..] | ["DEFAULT", ..] => 2,
                _ => 1,
            };
            out.extend(noun.into_iter().take(n));
        }
        "SECURITY" | "IMPORT" | "REFRESH" => out.extend(words.get(1).map(String::as_str)),
        _ => {}
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Statement>> {
        parse_file(Path::new("s.sql"), text)
    }

    fn listing(text: &str) -> Vec<String> {
        parse(text)
            .unwrap()
            .iter()
            .map(|s| {
                let list = |v: &[ObjRef]| {
                    v.iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("{} {} -> {}", s.kind, list(&s.creates), list(&s.references))
            })
            .collect()
    }

    #[test]
    fn statements_that_cannot_share_a_transaction_run_alone() {
        let script = "CREATE TABLE t (a int);\n\
                      CREATE INDEX CONCURRENTLY t_a ON t (a);\n\
                      DROP INDEX CONCURRENTLY t_a;\n\
                      REINDEX (CONCURRENTLY) TABLE t;\n\
                      ALTER TABLE t VALIDATE CONSTRAINT c;\n\
                      ALTER TYPE e ADD VALUE 'x';\n\
                      DROP INDEX t_b;\n";
        let uses: Vec<TransactionUse> = split_script(Path::new("r.sql"), script, 1)
            .unwrap()
            .into_iter()
            .map(|s| s.transaction)
            .collect();
        use TransactionUse::*;
        assert_eq!(
            uses,
            [Any, Alone, Alone, Alone, Alone, EndsTransaction, Any]
        );
    }

    #[test]
    fn long_tokens_in_messages_are_cut() {
        assert_eq!(
            tidy_message(
                "unterminated quoted string at or near \"'oops);\nCREATE TABLE c (id int);\n\""
            ),
            "unterminated quoted string at or near \"'oops);...\""
        );
        assert_eq!(
            tidy_message("syntax error at or near \"tt\""),
            "syntax error at or near \"tt\""
        );
        assert_eq!(
            tidy_message("syntax error at end of input"),
            "syntax error at end of input"
        );
    }

    #[test]
    fn leading_words_name_commands() {
        assert_eq!(leading_words("drop table x"), "DROP TABLE");
        assert_eq!(
            leading_words("CREATE OR REPLACE RECURSIVE VIEW v"),
            "CREATE VIEW"
        );
        assert_eq!(
            leading_words("drop materialized view m"),
            "DROP MATERIALIZED VIEW"
        );
        assert_eq!(
            leading_words("DROP FOREIGN DATA WRAPPER w"),
            "DROP FOREIGN DATA WRAPPER"
        );
        assert_eq!(
            leading_words("create text search configuration c"),
            "CREATE TEXT SEARCH CONFIGURATION"
        );
        assert_eq!(leading_words("begin"), "BEGIN");
        assert_eq!(
            leading_words("security label on table t is 'x'"),
            "SECURITY LABEL"
        );
    }

    #[test]
    fn tables_create_their_row_type_and_implicit_relations() {
        assert_eq!(
            listing("CREATE TABLE t (id serial PRIMARY KEY, m mood REFERENCES u)"),
            ["CREATE TABLE public.t, type public.t, public.t_id_seq, public.t_pkey -> public.u, type public.mood"]
        );
    }

    #[test]
    fn renames_and_moves_create_the_new_name() {
        assert_eq!(
            listing("ALTER TABLE t RENAME TO u;\nALTER TABLE t SET SCHEMA app;\nALTER TYPE mood RENAME TO feeling"),
            [
                "ALTER TABLE public.u, type public.u -> public.t",
                "ALTER TABLE app.t, type app.t -> public.t",
                "ALTER TYPE type public.feeling -> type public.mood",
            ]
        );
    }

    #[test]
    fn schema_elements_are_created_in_the_schema() {
        assert_eq!(
            listing("CREATE SCHEMA s CREATE TABLE t (a int) CREATE VIEW v AS SELECT * FROM t"),
            ["CREATE SCHEMA schema s, s.t, type s.t, s.v, type s.v -> "]
        );
    }

    #[test]
    fn comments_reference_their_object() {
        assert_eq!(
            listing("COMMENT ON FUNCTION app.f(int) IS 'x';\nCOMMENT ON COLUMN t.c IS 'y';\nCOMMENT ON SCHEMA app IS 'z'"),
            ["COMMENT  -> app.f()", "COMMENT  -> public.t", "COMMENT  -> schema app"]
        );
    }

    #[test]
    fn search_path_follows_set_and_set_config() {
        let stmts = parse(
            "SET search_path = app, public;\nCREATE TABLE t (a int);\n\
             SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE x.u (a int);\n\
             RESET search_path;\nCREATE VIEW v AS SELECT * FROM t;",
        )
        .unwrap();
        let paths: Vec<Vec<String>> = stmts.iter().map(|s| s.search_path.clone()).collect();
        assert_eq!(paths, [vec!["app", "public"], vec![], vec!["public"]]);
        assert_eq!(stmts[0].creates[0].to_string(), "app.t");
        assert_eq!(
            stmts[2]
                .references
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>(),
            ["public.t"]
        );
    }

    #[test]
    fn other_settings_ride_along_and_loader_settings_are_ignored() {
        let stmts = parse(
            "SET default_tablespace = '';\nSET check_function_bodies = false;\n\
             CREATE TABLE t (a int);\nRESET default_tablespace;\nCREATE TABLE u (a int);",
        )
        .unwrap();
        assert_eq!(
            stmts[0].settings,
            BTreeMap::from([(
                "default_tablespace".to_string(),
                "SET default_tablespace = ''".to_string()
            )])
        );
        assert!(stmts[1].settings.is_empty());
    }

    #[test]
    fn grants_and_owners_are_kept_after_their_objects() {
        let stmts = parse(
            "CREATE TABLE t (a int);\nGRANT SELECT ON t TO PUBLIC;\nALTER TABLE t OWNER TO someone;\n\
             ALTER FUNCTION f() OWNER TO someone;\nALTER COLLATION c OWNER TO someone;\n\
             REVOKE ALL ON t FROM PUBLIC;",
        )
        .unwrap();
        // The collation's owner is not managed: skipped.
        assert_eq!(stmts.len(), 5);
        assert_eq!(stmts[1].kind, StatementKind::Other("GRANT".into()));
        assert!(stmts[1]
            .references
            .contains(&ObjRef::Relation(QualName::new("public", "t"))));
        assert!(stmts[2]
            .references
            .contains(&ObjRef::Relation(QualName::new("public", "t"))));
        assert_eq!(stmts[3].kind, StatementKind::Other("ALTER OWNER".into()));
        assert!(stmts[3]
            .references
            .contains(&ObjRef::Function(QualName::new("public", "f"))));
        assert_eq!(stmts[4].kind, StatementKind::Other("REVOKE".into()));
        assert_eq!(
            super::roles_named("GRANT SELECT ON t TO a, PUBLIC, CURRENT_USER"),
            vec!["a".to_string()]
        );
        assert_eq!(
            super::roles_named("ALTER VIEW v OWNER TO b"),
            vec!["b".to_string()]
        );
        assert_eq!(
            super::roles_named("CREATE SCHEMA s AUTHORIZATION c"),
            vec!["c".to_string()]
        );
        assert_eq!(
            super::owner_change("ALTER FUNCTION public.f(n integer) OWNER TO r;"),
            Some(("FUNCTION public.f(n integer)".to_string(), "r".to_string()))
        );
        assert_eq!(
            super::owner_change("ALTER TABLE t ADD COLUMN owner int"),
            None
        );
        use crate::model::ObjectId;
        assert_eq!(
            super::table_rename("ALTER TABLE public.users RENAME TO people"),
            Some((
                ObjectId::Table(QualName::new("public", "users")),
                "people".to_string()
            ))
        );
        assert_eq!(
            super::table_rename("ALTER TABLE \"S\".t RENAME COLUMN \"A b\" TO c"),
            Some((
                ObjectId::Column(QualName::new("S", "t"), "A b".into()),
                "c".to_string()
            ))
        );
        assert_eq!(
            super::table_rename("ALTER INDEX public.i RENAME TO j"),
            None
        );
        assert_eq!(
            super::table_rename("ALTER VIEW public.v RENAME COLUMN a TO b"),
            None
        );
        let c = super::access_changes(
            "ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA app GRANT SELECT ON TABLES TO ro",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].object, "new TABLES FOR ROLE o IN SCHEMA app");
        assert!(c[0].gains);
        assert_eq!(
            super::roles_named(
                "ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA app GRANT SELECT ON TABLES TO ro"
            ),
            vec!["ro".to_string(), "o".to_string()]
        );
    }

    #[test]
    fn atomic_function_bodies_stay_whole() {
        let stmts = parse(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT count(*) FROM t;\nEND;\nCREATE TABLE u (a int);",
        )
        .unwrap();
        assert_eq!(stmts.len(), 2);
        assert!(stmts[0].sql.ends_with("END"), "{}", stmts[0].sql);
        assert!(stmts[0]
            .references
            .contains(&ObjRef::Relation(QualName::new("public", "t"))));
        assert_eq!(stmts[1].location.line, 6);
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let err = parse("CREATE TABLE a (x int);\n\nCREATE TABLE b (\n  x int,\n  y intt tt\n);")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.sql:5:10: syntax error at or near \"tt\"\n  CREATE TABLE b ( x int, y intt tt )"
        );
    }

    #[test]
    fn unterminated_strings_are_located() {
        let err = parse("CREATE TABLE a (x int);\nCREATE TABLE b (x text DEFAULT 'abc);\nCREATE TABLE c (x int);")
            .unwrap_err();
        let Error::Syntax {
            location,
            message,
            statement,
        } = err
        else {
            panic!("{err}")
        };
        assert_eq!((location.line, location.column), (2, 32));
        assert!(
            message.starts_with("unterminated quoted string"),
            "{message}"
        );
        assert!(statement.starts_with("CREATE TABLE b"), "{statement}");
    }

    #[test]
    fn refused_statements_name_their_kind() {
        let kind = |sql: &str| match parse(sql).unwrap_err() {
            Error::NotSchemaStatement { kind, .. } | Error::DropInSchema { kind, .. } => kind,
            e => panic!("{e}"),
        };
        assert_eq!(kind("INSERT INTO t VALUES (1)"), "INSERT");
        assert_eq!(kind("COPY t FROM stdin"), "COPY");
        assert_eq!(kind("DO $$ BEGIN END $$"), "DO");
        assert_eq!(kind("BEGIN"), "BEGIN");
        assert_eq!(kind("SELECT 1"), "SELECT");
        assert_eq!(kind("DROP TABLE t"), "DROP TABLE");
        assert_eq!(kind("VACUUM t"), "VACUUM");
        assert_eq!(kind("CREATE DATABASE d"), "CREATE DATABASE");
    }
}
