//! The interpreter proper: one parsed statement applied to a [`Catalog`].
//!
//! Input: a statement's text, its `search_path` and location. Output: the catalog
//! changed as PostgreSQL would change its own, or an error saying what could not be
//! modelled. Does no I/O.
//!
//! This file holds the [`Interp`] itself, the helpers every statement family uses and
//! the dispatch from a statement to its family. Each family has a file of its own:
//! `names` (resolving names through the `search_path`, naming what PostgreSQL
//! names), `types`, `expressions` (normalizing expressions and queries),
//! `schemas` (and extensions), `sequences`, `tables`, `alter_table`,
//! `partitions` (and inheritance), `indexes`, `views`, `functions`,
//! `triggers_policies`, `comments`, `drops` and `renames`.

mod aggregates;
mod alter_table;
mod casts;
mod collations;
mod comments;
mod drops;
mod event_triggers;
mod foreign;
mod expressions;
mod functions;
mod indexes;
mod names;
mod operators;
mod partitions;
mod privileges;
mod publications;
mod renames;
mod resolve;
mod rules;
mod schemas;
mod sequences;
mod statistics;
mod tables;
mod text_search;
mod triggers_policies;
mod types;
mod views;

use pg_query::protobuf::{self, Node, ObjectType};
use pg_query::NodeEnum;

use crate::error::{Error, Location, Result};
use crate::model::{Catalog, Constraint, QualName, Table};
use crate::offline::expr::strings;

/// One statement being applied.
pub struct Interp<'c> {
    cat: &'c mut Catalog,
    /// The search_path in effect (changed by `SET search_path`).
    pub search_path: Vec<String>,
    loc: Location,
    one_line: String,
    /// Relations whose columns unqualified and qualified column references resolve
    /// against while normalizing an expression: (alias, relation).
    scope: std::cell::RefCell<Vec<(String, QualName)>>,
    /// The base type `VALUE` has in a domain's constraints.
    domain_base: std::cell::RefCell<Option<String>>,
    /// Index names hidden in tables, kept between statements.
    names: &'c IndexNames,
}

/// The names of the indexes behind tables' primary key, unique and exclusion
/// constraints, and of partitions' index copies: relation names PostgreSQL reserves
/// that the catalog keeps inside each table rather than in `Catalog::indexes`.
///
/// Built on first use and kept while statements only add tables and indexes (the
/// interpreter records the constraints those add); any other statement drops it, to
/// be built again when needed. Without it, naming each new constraint scans every
/// table: quadratic in a schema's size.
///
/// It also remembers where each object was created, so that creating it again names
/// both places (`relation public.t already exists (created at schema/a.sql:1:1)`).
#[derive(Default)]
pub struct IndexNames(
    std::cell::RefCell<Option<std::collections::HashSet<QualName>>>,
    std::cell::RefCell<std::collections::HashMap<String, Location>>,
);

impl IndexNames {
    fn collect(cat: &Catalog) -> std::collections::HashSet<QualName> {
        let mut names = std::collections::HashSet::new();
        for t in cat.tables.values() {
            let own = t.constraints.iter().chain(t.inherited_constraints.iter());
            for (n, _) in own.filter(|(_, c)| c.kind.has_index()) {
                names.insert(t.name.sibling(n.clone()));
            }
            names.extend(t.inherited_indexes.keys().cloned());
        }
        names
    }

    fn contains(&self, cat: &Catalog, name: &QualName) -> bool {
        let mut names = self.0.borrow_mut();
        let found = names
            .get_or_insert_with(|| Self::collect(cat))
            .contains(name);
        debug_assert_eq!(
            found,
            Self::collect(cat).contains(name),
            "IndexNames is stale"
        );
        found
    }

    /// Records a constraint just added to `table`.
    fn added(&self, table: &QualName, c: &Constraint) {
        if let Some(names) = self.0.borrow_mut().as_mut() {
            if c.kind.has_index() {
                names.insert(table.sibling(c.name.clone()));
            }
        }
    }

    fn forget(&self) {
        self.0.borrow_mut().take();
    }

    /// Records that the object `what` (e.g. `relation public.t`) was created at `loc`.
    fn created(&self, what: String, loc: &Location) {
        self.1.borrow_mut().insert(what, loc.clone());
    }

    /// Where `what` was created, when a statement the interpreter ran created it.
    fn created_at(&self, what: &str) -> Option<Location> {
        self.1.borrow().get(what).cloned()
    }
}

/// Whether the statement may create objects default privileges apply to.
fn creates_objects(stmt: &NodeEnum) -> bool {
    matches!(
        stmt,
        NodeEnum::CreateSchemaStmt(_)
            | NodeEnum::CreateStmt(_)
            | NodeEnum::CreateForeignTableStmt(_)
            | NodeEnum::ViewStmt(_)
            | NodeEnum::CreateTableAsStmt(_)
            | NodeEnum::CreateSeqStmt(_)
            | NodeEnum::CreateFunctionStmt(_)
            | NodeEnum::CreateEnumStmt(_)
            | NodeEnum::CreateDomainStmt(_)
            | NodeEnum::CompositeTypeStmt(_)
            | NodeEnum::CreateRangeStmt(_)
            | NodeEnum::AlterTableStmt(_)
    )
}

fn node(n: NodeEnum) -> Node {
    Node { node: Some(n) }
}

fn inner(n: &Node) -> Option<&NodeEnum> {
    n.node.as_ref()
}

/// The integer or numeric text of a constant-ish node (`Integer`, `Float`, `String`).
fn node_i64(n: Option<&Node>) -> Option<i64> {
    match n.and_then(inner)? {
        NodeEnum::Integer(i) => Some(i64::from(i.ival)),
        NodeEnum::Float(f) => f.fval.parse().ok(),
        NodeEnum::String(s) => s.sval.parse().ok(),
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            protobuf::a_const::Val::Ival(i) => Some(i64::from(i.ival)),
            protobuf::a_const::Val::Fval(f) => f.fval.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// A DefElem's value as text (`70`, `on`, `local`).
fn def_value(n: Option<&Node>) -> Option<String> {
    match n.and_then(inner)? {
        NodeEnum::Integer(i) => Some(i.ival.to_string()),
        NodeEnum::Float(f) => Some(f.fval.clone()),
        NodeEnum::String(s) => Some(s.sval.clone()),
        NodeEnum::Boolean(b) => Some(if b.boolval { "true" } else { "false" }.into()),
        NodeEnum::TypeName(t) => Some(strings(&t.names).join(".")),
        _ => None,
    }
}

fn def_bool(n: Option<&Node>) -> bool {
    match n.and_then(inner) {
        None => true,
        Some(NodeEnum::Boolean(b)) => b.boolval,
        Some(NodeEnum::Integer(i)) => i.ival != 0,
        Some(NodeEnum::String(s)) => matches!(s.sval.as_str(), "true" | "on" | "yes" | "1"),
        _ => true,
    }
}

/// `[schema.]name` of a dotted list: (schema or "", name).
fn split2(names: &[String]) -> Option<(&str, &str)> {
    match names {
        [] => None,
        [n] => Some(("", n)),
        [.., s, n] => Some((s, n)),
    }
}

/// An error for what offline mode cannot model in the statement at `loc`, pointing at
/// exact mode.
fn unsupported(loc: &Location, one_line: &str, what: impl std::fmt::Display) -> Error {
    Error::Unsupported {
        what: format!(
            "{loc}: {what} (in `{one_line}`): offline mode cannot model this; pass --dev-url to plan in exact mode, which runs the statements on a PostgreSQL server. Offline interpretation of it"
        ),
    }
}

/// What [`unsupported`] says of a name that does not exist.
fn missing(what: impl std::fmt::Display) -> String {
    format!("{what} does not exist in the offline catalog")
}

impl<'c> Interp<'c> {
    /// An interpreter for one statement.
    pub fn new(
        cat: &'c mut Catalog,
        names: &'c IndexNames,
        search_path: Vec<String>,
        loc: Location,
        sql: &str,
    ) -> Interp<'c> {
        Interp {
            cat,
            search_path,
            loc,
            one_line: crate::error::one_line(sql),
            scope: Default::default(),
            domain_base: Default::default(),
            names,
        }
    }

    /// An error for what offline mode cannot model, pointing at exact mode.
    fn unsupported(&self, what: impl std::fmt::Display) -> Error {
        unsupported(&self.loc, &self.one_line, what)
    }

    /// The error PostgreSQL gives for creating `what` (`relation public.t`, `type
    /// public.mood`, ...) a second time, naming where it was created first when a
    /// statement of this run did.
    fn already_exists(&self, what: &str) -> Error {
        Error::AlreadyExists {
            object: what.to_string(),
            location: self.loc.clone(),
            first: self.names.created_at(what),
        }
    }

    /// Records that this statement created `what`, for [`Interp::already_exists`].
    fn created(&self, what: String) {
        self.names.created(what, &self.loc);
    }

    /// An error for a statement that names something that does not exist.
    fn missing(&self, what: impl std::fmt::Display) -> Error {
        self.unsupported(missing(what))
    }

    /// The table `q` names, for a statement that found it already: should the
    /// interpreter's bookkeeping slip on an unusual schema, an error naming the
    /// statement rather than a panic.
    fn table(&self, q: &QualName) -> Result<&Table> {
        self.cat
            .tables
            .get(q)
            .map(|t| &**t)
            .ok_or_else(|| self.missing(format!("table {q}")))
    }

    /// [`Interp::table`], to change.
    fn table_mut(&mut self, q: &QualName) -> Result<&mut Table> {
        let Interp {
            cat, loc, one_line, ..
        } = self;
        let gone = || unsupported(loc, one_line, missing(format!("table {q}")));
        cat.table_mut(q).ok_or_else(gone)
    }

    /// Parses the statement text and applies every statement in it.
    pub fn run_sql(&mut self, sql: &str) -> Result<()> {
        self.run_parsed(pg_query::parse(sql, 0))
    }

    /// Interprets what `pg_query::parse` gave for the statement (parsed elsewhere, e.g.
    /// on another thread).
    pub fn run_parsed(&mut self, parsed: pg_query::Result<pg_query::ParseResult>) -> Result<()> {
        let tree = parsed.map_err(|e| Error::Syntax {
            location: self.loc.clone(),
            message: e.to_string(),
            statement: self.one_line.clone(),
        })?;
        for raw in tree.protobuf.stmts {
            if let Some(stmt) = raw.stmt.and_then(|s| s.node) {
                self.statement(&stmt)?;
            }
        }
        Ok(())
    }

    // ---- dispatch ----------------------------------------------------------------

    fn statement(&mut self, stmt: &NodeEnum) -> Result<()> {
        let only_adds = match stmt {
            NodeEnum::CreateStmt(s) => s.partbound.is_none() && s.inh_relations.is_empty(),
            NodeEnum::IndexStmt(_) => true,
            _ => false,
        };
        if !only_adds {
            self.names.forget();
        }
        // Objects created under default privileges get them.
        let before = (!self.cat.default_privileges.is_empty() && creates_objects(stmt))
            .then(|| self.cat.grantable_ids());
        self.dispatch(stmt)?;
        if let Some(before) = before {
            self.apply_default_privileges(&before);
        }
        Ok(())
    }

    fn dispatch(&mut self, stmt: &NodeEnum) -> Result<()> {
        match stmt {
            NodeEnum::CreateSchemaStmt(s) => self.create_schema(s),
            NodeEnum::CreateExtensionStmt(s) => self.create_extension(s),
            NodeEnum::AlterExtensionStmt(s) => {
                let err = self.missing(format!("extension {}", s.extname));
                let version = s.options.iter().find_map(|o| match inner(o) {
                    Some(NodeEnum::DefElem(d)) if d.defname == "new_version" => {
                        def_value(d.arg.as_deref())
                    }
                    _ => None,
                });
                let e = self.cat.extensions.get_mut(&s.extname).ok_or(err)?;
                // UPDATE without TO goes to the default version, which only a server
                // knows.
                e.version = version.unwrap_or_default();
                Ok(())
            }
            NodeEnum::AlterObjectSchemaStmt(s)
                if ObjectType::try_from(s.object_type).unwrap_or_default()
                    == ObjectType::ObjectTable
                    && s.newschema == crate::model::TRASH_SCHEMA =>
            {
                // A recoverable drop: the held table leaves the schema as if dropped.
                let relation = s.relation.as_ref().ok_or_else(|| {
                    self.missing("the table of ALTER TABLE ... SET SCHEMA".to_string())
                })?;
                let name = self.find_table(relation)?;
                self.drop_table(&name, false);
                Ok(())
            }
            NodeEnum::AlterObjectSchemaStmt(s)
                if ObjectType::try_from(s.object_type).unwrap_or_default()
                    == ObjectType::ObjectExtension =>
            {
                let name = self.list_name(s.object.as_deref()).join(".");
                let err = self.missing(format!("extension {name}"));
                let e = self.cat.extensions.get_mut(&name).ok_or(err)?;
                e.schema = s.newschema.clone();
                Ok(())
            }
            NodeEnum::DefineStmt(s)
                if ObjectType::try_from(s.kind).unwrap_or_default()
                    == ObjectType::ObjectCollation =>
            {
                self.create_collation(s)
            }
            NodeEnum::DefineStmt(s)
                if ObjectType::try_from(s.kind).unwrap_or_default()
                    == ObjectType::ObjectAggregate =>
            {
                self.create_aggregate(s)
            }
            NodeEnum::DefineStmt(s)
                if ObjectType::try_from(s.kind).unwrap_or_default()
                    == ObjectType::ObjectOperator =>
            {
                self.create_operator(s)
            }
            NodeEnum::DefineStmt(s)
                if ObjectType::try_from(s.kind).unwrap_or_default()
                    == ObjectType::ObjectTsdictionary =>
            {
                self.create_ts_dictionary(s)
            }
            NodeEnum::DefineStmt(s)
                if ObjectType::try_from(s.kind).unwrap_or_default()
                    == ObjectType::ObjectTsconfiguration =>
            {
                self.create_ts_configuration(s)
            }
            NodeEnum::AlterTsdictionaryStmt(s) => self.alter_ts_dictionary(s),
            NodeEnum::AlterTsconfigurationStmt(s) => self.alter_ts_configuration(s),
            // Records the library version a server has: nothing a schema declares.
            NodeEnum::AlterCollationStmt(_) => Ok(()),
            NodeEnum::CreateStatsStmt(s) => self.create_statistics(s),
            NodeEnum::CreateCastStmt(s) => self.create_cast(s),
            NodeEnum::RuleStmt(s) => self.create_rule(s),
            NodeEnum::CreatePublicationStmt(s) => self.create_publication(s),
            NodeEnum::CreateEventTrigStmt(s) => self.create_event_trigger(s),
            NodeEnum::CreateFdwStmt(s) => self.create_wrapper(s),
            NodeEnum::AlterFdwStmt(s) => self.alter_wrapper(s),
            NodeEnum::CreateForeignServerStmt(s) => self.create_server(s),
            NodeEnum::AlterForeignServerStmt(s) => self.alter_server(s),
            NodeEnum::CreateUserMappingStmt(s) => self.create_user_mapping(s),
            NodeEnum::AlterUserMappingStmt(s) => self.alter_user_mapping(s),
            NodeEnum::DropUserMappingStmt(s) => self.drop_user_mapping(s),
            NodeEnum::AlterEventTrigStmt(s) => self.alter_event_trigger(s),
            NodeEnum::AlterPublicationStmt(s) => self.alter_publication(s),
            NodeEnum::AlterStatsStmt(s) => self.alter_statistics(s),
            NodeEnum::CreateEnumStmt(s) => self.create_enum(s),
            NodeEnum::AlterEnumStmt(s) => self.alter_enum(s),
            NodeEnum::CreateDomainStmt(s) => self.create_domain(s),
            NodeEnum::AlterDomainStmt(s) => self.alter_domain(s),
            NodeEnum::CompositeTypeStmt(s) => self.create_composite(s),
            NodeEnum::CreateSeqStmt(s) => self.create_sequence(s),
            NodeEnum::AlterSeqStmt(s) => self.alter_sequence(s),
            NodeEnum::CreateStmt(s) => self.create_table(s),
            NodeEnum::CreateForeignTableStmt(s) => self.create_foreign_table(s),
            NodeEnum::AlterTableStmt(s) => self
                .alter_table(s)
                .map(|()| self.cat.forget_dropped_privileges()),
            NodeEnum::IndexStmt(s) => self.create_index(s),
            NodeEnum::ViewStmt(s) => self.create_view(s),
            NodeEnum::CreateTableAsStmt(s)
                if s.into
                    .as_ref()
                    .and_then(|i| i.rel.as_ref())
                    .is_some_and(|r| r.schemaname == crate::model::TRASH_SCHEMA) =>
            {
                // A dropped column's rows copied into a holding table (recoverable
                // drops): held objects are no part of a schema.
                Ok(())
            }
            NodeEnum::CreateTableAsStmt(s) => self.create_matview(s),
            NodeEnum::CreateFunctionStmt(s) => self.create_function(s),
            NodeEnum::CreateTrigStmt(s) => self.create_trigger(s),
            NodeEnum::CreatePolicyStmt(s) => self.create_policy(s),
            NodeEnum::AlterPolicyStmt(s) => self.alter_policy(s),
            NodeEnum::CommentStmt(s) => self.comment(s),
            NodeEnum::DropStmt(s) => self.drop(s).map(|()| self.cat.forget_dropped_privileges()),
            NodeEnum::RenameStmt(s) => self.rename(s),
            NodeEnum::GrantStmt(s) => self.grant(s),
            NodeEnum::AlterOwnerStmt(s) => self.alter_owner(s),
            NodeEnum::AlterDefaultPrivilegesStmt(s) => self.alter_default_privileges(s),
            NodeEnum::VariableSetStmt(s) => {
                if s.name == "search_path" {
                    let kind = protobuf::VariableSetKind::try_from(s.kind).unwrap_or_default();
                    if kind == protobuf::VariableSetKind::VarSetValue {
                        self.search_path = s
                            .args
                            .iter()
                            .filter_map(|a| match a.node.as_ref() {
                                Some(NodeEnum::AConst(c)) => match &c.val {
                                    Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                                    _ => None,
                                },
                                _ => None,
                            })
                            .collect();
                    } else {
                        self.search_path = vec!["$user".into(), "public".into()];
                    }
                }
                Ok(())
            }
            // Settings, data, transaction control and role memberships change nothing
            // schemaplan models.
            NodeEnum::TransactionStmt(_)
            | NodeEnum::VariableShowStmt(_)
            | NodeEnum::SelectStmt(_)
            | NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::GrantRoleStmt(_)
            | NodeEnum::RefreshMatViewStmt(_)
            | NodeEnum::VacuumStmt(_)
            | NodeEnum::LockStmt(_) => Ok(()),
            _ => {
                let tag: Vec<&str> = self.one_line.split_whitespace().take(2).collect();
                Err(self.unsupported(tag.join(" ").to_uppercase()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_qualified_string;

    #[test]
    fn quoted_names_in_strings_split() {
        assert_eq!(
            parse_qualified_string("App.\"Users_Seq\"").unwrap(),
            vec!["app".to_string(), "Users_Seq".to_string()]
        );
    }
}
