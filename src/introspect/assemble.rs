//! Assembly: decoded catalog rows into a [`Catalog`], dependencies included.
//!
//! Input: the [`Rows`] of every catalog query. Output: the Catalog. Rows are attached by
//! oid to the objects they belong to (columns to their table, constraints to their table
//! or domain, ...); `pg_depend` rows are resolved through a map from `(catalog, oid,
//! subid)` to the model object and put into the dependent object's `deps`. Pure: does
//! not touch the database.
//!
//! Objects are collected in vectors and named by [`Handle`]s (plain indexes) while
//! dependencies are resolved, and moved into the Catalog's maps at the end. A large
//! schema has a hundred thousand dependency rows: resolving each through copyable
//! handles, rather than through names, keeps that to a hash lookup and the one clone of
//! the name that ends up in the model.

use crate::model::{ForeignGrantMap, NotNullConstraint};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{
    Attribute, Catalog, Collation, Column, Constraint, DefaultAclKey, DefaultPrivileges, Deps,
    DomainCheck, Extension, Function, FunctionKey, FunctionKind, Identity, IdentityKind, Index,
    ObjectId, OwnerMap, PartitionOf, Policy, PrivilegeMap, ReplicaIdentity, Schema, Sequence,
    SequenceOptions, Statistics, Table, Trigger, Type, TypeKind, Unmanaged, View, ViewColumn,
};

use super::rows::{
    constraint_kind, CastRow, CollationRow, ColumnRow, ConstraintRow, DependRow, EventTriggerRow,
    ExtensionRow, FunctionRow, IndexRow, NotNullRow, OperatorRow, OwnerRow, PolicyRow,
    PrivilegeRow, PublicationMemberRow, PublicationRow, RelationRow, RuleRow, SchemaRow,
    SequenceRow, StatisticsRow, TriggerRow, TsConfigurationRow, TsDictionaryRow, TypeRow,
};

/// Oids of the system catalogs that `pg_depend.classid` / `refclassid` name. They are
/// fixed in PostgreSQL's catalog headers (`CATALOG(pg_class,1259,...)`) and have never
/// changed.
mod class {
    pub const PG_TYPE: u32 = 1247;
    pub const PG_PROC: u32 = 1255;
    pub const PG_CLASS: u32 = 1259;
    pub const PG_ATTRDEF: u32 = 2604;
    pub const PG_CONSTRAINT: u32 = 2606;
    pub const PG_NAMESPACE: u32 = 2615;
    pub const PG_REWRITE: u32 = 2618;
    pub const PG_TRIGGER: u32 = 2620;
    pub const PG_EXTENSION: u32 = 3079;
    pub const PG_POLICY: u32 = 3256;
    pub const PG_COLLATION: u32 = 3456;
    pub const PG_STATISTIC_EXT: u32 = 3381;
    pub const PG_TS_CONFIG: u32 = 3602;
    pub const PG_CAST: u32 = 2605;
    pub const PG_OPERATOR: u32 = 2617;
}

/// The rows of every catalog query, decoded.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    /// PostgreSQL 18's NOT NULL constraints (none before 18).
    pub not_nulls: Vec<NotNullRow>,
    /// The server has NOT NULL constraints of their own (18 and later).
    pub reads_not_nulls: bool,
    pub schemas: Vec<SchemaRow>,
    pub extensions: Vec<ExtensionRow>,
    pub collations: Vec<CollationRow>,
    pub statistics: Vec<StatisticsRow>,
    pub publications: Vec<PublicationRow>,
    pub publication_members: Vec<PublicationMemberRow>,
    pub event_triggers: Vec<EventTriggerRow>,
    pub ts_dictionaries: Vec<TsDictionaryRow>,
    pub ts_configurations: Vec<TsConfigurationRow>,
    pub casts: Vec<CastRow>,
    pub rules: Vec<RuleRow>,
    pub operators: Vec<OperatorRow>,
    pub wrappers: Vec<crate::model::ForeignDataWrapper>,
    /// Servers, with the extension that made each one's wrapper.
    pub servers: Vec<(crate::model::ForeignServer, Option<String>)>,
    /// (server, user, options).
    pub user_mappings: Vec<(String, String, crate::model::FdwOptions)>,
    /// (foreign table, column, options).
    pub foreign_columns: Vec<(crate::model::QualName, String, crate::model::FdwOptions)>,
    pub types: Vec<TypeRow>,
    pub sequences: Vec<SequenceRow>,
    pub relations: Vec<RelationRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub triggers: Vec<TriggerRow>,
    pub policies: Vec<PolicyRow>,
    pub functions: Vec<FunctionRow>,
    pub dependencies: Vec<DependRow>,
    pub unmanaged: Vec<Unmanaged>,
    pub privileges: Vec<PrivilegeRow>,
    pub owners: Vec<OwnerRow>,
    pub default_privileges: Vec<(DefaultAclKey, crate::model::Privileges)>,
}

/// An object being assembled, by its position in [`Assembly`]'s vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Handle {
    Schema(usize),
    Extension(usize),
    Table(usize),
    /// A table's column: (table, position in its columns).
    Column(usize, usize),
    /// A column's default or generation expression (only ever a dependent).
    ColumnDefault(usize, usize),
    View(usize),
    /// A view's column: (view, position).
    ViewColumn(usize, usize),
    Type(usize),
    Sequence(usize),
    Index(usize),
    Constraint(usize),
    Policy(usize),
    Trigger(usize),
    Function(usize),
    Collation(usize),
    Statistics(usize),
    TsConfiguration(usize),
    Cast(usize),
    Rule(usize),
    Operator(usize),
}

/// What one catalog object `(classid, oid, subid)` is for dependency resolution: whose
/// deps its own `pg_depend` rows fill (`owner`), and what a reference to it means
/// (`target`). The two differ for parts that stand for something else: a view's
/// `_RETURN` rule fills the view's deps, an identity sequence stands for its column.
#[derive(Clone, Copy, Debug)]
struct Node {
    owner: Option<Handle>,
    target: Option<Handle>,
}

impl Node {
    /// An object that is both a dependent and a target under the same handle.
    fn both(handle: Handle) -> Node {
        Node {
            owner: Some(handle),
            target: Some(handle),
        }
    }
}

/// What a `pg_class` oid is, to attach columns, constraints, indexes, triggers and
/// policies to.
#[derive(Clone, Copy, Debug)]
enum Rel {
    Table(usize),
    View(usize),
    /// The `pg_class` row behind a standalone composite type.
    Composite(usize),
}

/// A [`Node`] as the node map stores it: 16 bytes where a `Node` takes 48. The map holds
/// an entry for every relation, column and default of the database (about 300,000 at
/// 10,000 tables), and it is largest while the other side of a diff is already whole.
#[derive(Clone, Copy, Debug)]
struct PackedNode {
    owner: PackedHandle,
    target: PackedHandle,
}

impl PackedNode {
    fn pack(node: Node) -> PackedNode {
        PackedNode {
            owner: PackedHandle::pack(node.owner),
            target: PackedHandle::pack(node.target),
        }
    }

    fn unpack(self) -> Node {
        Node {
            owner: self.owner.unpack(),
            target: self.target.unpack(),
        }
    }
}

/// A [`Handle`], or none, in 8 bytes: which kind of object (0 for none), its position,
/// and a column's position within its relation.
#[derive(Clone, Copy, Debug)]
struct PackedHandle {
    index: u32,
    column: u16,
    kind: u8,
}

/// [`PackedHandle::pack`] and [`PackedHandle::unpack`] from one list of the handle kinds,
/// so the two cannot disagree: each kind with its number (1 and up; 0 is none).
macro_rules! handle_packing {
    (objects: [$($object:ident = $n:literal,)*] columns: [$($column:ident = $m:literal,)*]) => {
        impl PackedHandle {
            fn pack(handle: Option<Handle>) -> PackedHandle {
                let (kind, index, column) = match handle {
                    None => return PackedHandle { index: 0, column: 0, kind: 0 },
                    $(Some(Handle::$object(i)) => ($n, i, 0),)*
                    $(Some(Handle::$column(i, c)) => ($m, i, c),)*
                };
                PackedHandle {
                    index: u32::try_from(index).expect("fewer than 2^32 objects of a kind"),
                    // PostgreSQL allows at most 1,600 columns in a relation.
                    column: u16::try_from(column).expect("at most 1,600 columns in a relation"),
                    kind,
                }
            }

            fn unpack(self) -> Option<Handle> {
                let (i, c) = (self.index as usize, usize::from(self.column));
                match self.kind {
                    $($n => Some(Handle::$object(i)),)*
                    $($m => Some(Handle::$column(i, c)),)*
                    _ => None,
                }
            }
        }
    };
}

handle_packing! {
    objects: [
        Schema = 1,
        Extension = 2,
        Table = 3,
        View = 4,
        Type = 5,
        Sequence = 6,
        Index = 7,
        Constraint = 8,
        Policy = 9,
        Trigger = 10,
        Function = 11,
        Collation = 12,
        Statistics = 13,
        TsConfiguration = 14,
        Cast = 15,
        Rule = 16,
        Operator = 17,
    ]
    columns: [
        Column = 18,
        ColumnDefault = 19,
        ViewColumn = 20,
    ]
}

/// A hasher for keys made of oids. Oids are small distinct integers from a trusted
/// source (the server's catalog), so SipHash's protection against chosen keys buys
/// nothing here, and a multiply-rotate hash makes the lookups of a large schema cheap.
#[derive(Default)]
struct OidHasher(u64);

impl Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n as u32));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type OidMap<K, V> = HashMap<K, V, BuildHasherDefault<OidHasher>>;

/// The objects being assembled, and the maps from oids to them.
#[derive(Default)]
struct Assembly {
    schemas: Vec<Schema>,
    extensions: Vec<Extension>,
    collations: Vec<Collation>,
    statistics: Vec<Statistics>,
    ts_configurations: Vec<crate::model::TextSearchConfiguration>,
    casts: Vec<crate::model::Cast>,
    rules: Vec<crate::model::Rule>,
    operators: Vec<crate::model::Operator>,
    types: Vec<Type>,
    sequences: Vec<Sequence>,
    tables: Vec<Table>,
    views: Vec<View>,
    indexes: Vec<Index>,
    /// The relation each index is on (a table or a materialized view).
    index_relations: Vec<Handle>,
    /// Constraints with the table they belong to.
    constraints: Vec<(usize, Constraint)>,
    /// Constraints a table has through its parent, with the table.
    inherited_constraints: Vec<(usize, Constraint)>,
    /// Partition indexes attached to a parent index, with the partition.
    inherited_indexes: Vec<(usize, Index)>,
    /// Policies with the table they belong to.
    policies: Vec<(usize, Policy)>,
    triggers: Vec<Trigger>,
    /// The relation each trigger is on (a table or a view).
    trigger_relations: Vec<Handle>,
    functions: Vec<Function>,
    /// pg_class oid → relation.
    relations: OidMap<u32, Rel>,
    /// pg_type oid of a domain → its position in `types`.
    domains: OidMap<u32, usize>,
    /// `(classid, objid, objsubid)` → node, for `pg_depend` rows. Tables' columns are
    /// left out (they are most of a catalog's objects): [`Assembly::lookup`] finds them
    /// through `relations` and `table_attnums`.
    nodes: OidMap<(u32, u32, i32), PackedNode>,
    /// Each table's column numbers (`attnum`), in the order of its columns (ascending).
    table_attnums: Vec<Vec<i16>>,
}

/// A vector's items from the last to the first, its buffer shrunk each time it is half
/// empty. The column and dependency rows of a large database take as much memory as
/// what is made from them: consumed whole, both were held at once, at introspection's
/// peak.
fn from_the_back<T>(mut rows: Vec<T>) -> impl Iterator<Item = T> {
    std::iter::from_fn(move || {
        let row = rows.pop()?;
        if rows.capacity() > 1024 && rows.len() < rows.capacity() / 2 {
            rows.shrink_to_fit();
        }
        Some(row)
    })
}

/// An error for rows that contradict each other (which a consistent snapshot rules out).
fn inconsistent(message: String) -> Error {
    Error::Database {
        context: "introspection: assembling the catalog".into(),
        message,
    }
}

/// Builds the Catalog from the decoded rows.
pub(crate) fn assemble(mut rows: Rows) -> Result<Catalog> {
    let mut a = Assembly::default();
    // Sized once for every object that can be named by a pg_depend row: grown by
    // doubling, the map held its old and new tables at once in the middle of a large
    // catalog's assembly, which is when introspection's memory peaks.
    // Tables' columns have no node: only views' and composite types' columns count.
    let tables: HashSet<u32, BuildHasherDefault<OidHasher>> = rows
        .relations
        .iter()
        .filter(|r| matches!(r.relkind.as_str(), "r" | "p" | "f"))
        .map(|r| r.oid)
        .collect();
    a.nodes.reserve(
        rows.schemas.len()
            + rows.extensions.len()
            + rows.collations.len()
            + rows.sequences.len()
            + 2 * rows.relations.len()
            + rows.types.len()
            + rows
                .columns
                .iter()
                .filter(|c| !tables.contains(&c.relid))
                .count()
            + rows
                .columns
                .iter()
                .filter(|c| c.attrdef_oid.is_some())
                .count()
            + rows.constraints.len()
            + rows.indexes.len()
            + rows.triggers.len()
            + rows.policies.len()
            + rows.functions.len()
            + rows.statistics.len()
            + rows.ts_configurations.len()
            + rows.operators.len()
            + rows.rules.len()
            + rows.casts.len(),
    );
    a.relations.reserve(rows.relations.len());
    a.add_schemas(rows.schemas);
    a.add_extensions(rows.extensions);
    a.add_collations(rows.collations);
    let identities = a.add_sequences(rows.sequences);
    a.add_relations(rows.relations)?;
    a.add_types(rows.types)?;
    a.add_columns(rows.columns, identities)?;
    a.add_constraints(rows.constraints)?;
    a.add_indexes(rows.indexes)?;
    a.add_triggers(rows.triggers);
    a.add_policies(rows.policies);
    a.add_functions(rows.functions)?;
    a.add_statistics(rows.statistics);
    a.add_ts_configurations(rows.ts_configurations);
    for row in rows.operators {
        let handle = Handle::Operator(a.operators.len());
        a.node(class::PG_OPERATOR, row.oid, 0, Node::both(handle));
        a.operators.push(row.operator);
    }
    for row in rows.rules {
        let handle = Handle::Rule(a.rules.len());
        a.node(class::PG_REWRITE, row.oid, 0, Node::both(handle));
        a.rules.push(row.rule);
    }
    for row in rows.casts {
        let handle = Handle::Cast(a.casts.len());
        a.node(class::PG_CAST, row.oid, 0, Node::both(handle));
        a.casts.push(row.cast);
    }
    // The dependency rows are the largest result and are done with once resolved:
    // given back as they are resolved, while the sets they fill grow.
    a.resolve_dependencies(std::mem::take(&mut rows.dependencies));
    let (privileges, foreign_grants) = a.resolve_privileges(rows.privileges);
    let owners = a.resolve_owners(rows.owners);
    let mut unmanaged = rows.unmanaged;
    unmanaged.sort();
    let mut catalog = a.into_catalog(unmanaged);
    catalog.publications = publications(rows.publications, rows.publication_members);
    catalog.ts_dictionaries = rows
        .ts_dictionaries
        .into_iter()
        .map(|r| (r.dictionary.name.clone(), r.dictionary))
        .collect();
    catalog.event_triggers = rows
        .event_triggers
        .into_iter()
        .map(|r| (r.event_trigger.name.clone(), r.event_trigger))
        .collect();
    catalog.foreign_data_wrappers = rows
        .wrappers
        .into_iter()
        .map(|w| (w.name.clone(), w))
        .collect();
    for (mut server, extension) in rows.servers {
        let wrapper = ObjectId::ForeignDataWrapper(server.wrapper.clone());
        server.deps.insert(match extension {
            Some(e) => ObjectId::Extension(e),
            None => wrapper,
        });
        catalog.foreign_servers.insert(server.name.clone(), server);
    }
    for (table, column, options) in rows.foreign_columns {
        if let Some(f) = catalog.table_mut(&table).and_then(|t| t.foreign.as_mut()) {
            f.column_options.insert(column, options);
        }
    }
    for (server, user, options) in rows.user_mappings {
        if let Some(s) = catalog.foreign_servers.get_mut(&server) {
            s.mappings.insert(user, options);
        }
    }
    *catalog.not_null_names_unknown = !rows.reads_not_nulls;
    *catalog.keeps_not_null_names = rows.reads_not_nulls;
    for row in rows.not_nulls {
        let Some(table) = catalog.table_mut(&row.table) else {
            continue;
        };
        let own = row.table.name.clone();
        if !row.is_local {
            if row.name != crate::model::not_null_name(&own, &row.column) {
                catalog
                    .inherited_not_null_names
                    .insert((row.table, row.column), row.name);
            }
            continue;
        }
        if let Some(column) = table.columns.get_mut(&row.column) {
            column.not_null_constraint =
                NotNullConstraint::of(&own, &row.column, &row.name, row.not_valid, row.no_inherit);
        }
    }
    catalog.privileges = privileges;
    catalog.foreign_grants = foreign_grants.into();
    catalog.owners = owners.into();
    catalog.default_privileges = DefaultPrivileges(rows.default_privileges.into_iter().collect());
    catalog.shrink_to_fit();
    Ok(catalog)
}

/// Publications with the tables and schemas they list.
fn publications(
    rows: Vec<PublicationRow>,
    members: Vec<PublicationMemberRow>,
) -> std::collections::BTreeMap<String, crate::model::Publication> {
    let mut out: std::collections::BTreeMap<String, crate::model::Publication> = rows
        .into_iter()
        .map(|r| (r.publication.name.clone(), r.publication))
        .collect();
    for m in members {
        let Some(p) = out.get_mut(&m.publication) else {
            continue;
        };
        match m.name {
            Some(name) => {
                p.tables
                    .insert(crate::model::QualName::new(m.schema, name), m.table);
            }
            None => {
                p.schemas.insert(m.schema);
            }
        }
    }
    out
}

impl Assembly {
    /// The node of catalog object `(classid, oid, subid)`, if the model has one.
    fn lookup(&self, classid: u32, oid: u32, subid: i32) -> Option<Node> {
        if let Some(node) = self.nodes.get(&(classid, oid, subid)) {
            return Some(node.unpack());
        }
        if classid != class::PG_CLASS || subid <= 0 {
            return None;
        }
        let Some(&Rel::Table(t)) = self.relations.get(&oid) else {
            return None;
        };
        let attnum = i16::try_from(subid).ok()?;
        let position = self.table_attnums[t].binary_search(&attnum).ok()?;
        Some(Node::both(Handle::Column(t, position)))
    }

    fn node(&mut self, classid: u32, oid: u32, subid: i32, node: Node) {
        self.nodes
            .insert((classid, oid, subid), PackedNode::pack(node));
    }

    fn add_schemas(&mut self, rows: Vec<SchemaRow>) {
        for row in rows {
            let handle = Handle::Schema(self.schemas.len());
            self.node(
                class::PG_NAMESPACE,
                row.oid,
                0,
                Node {
                    owner: None,
                    target: Some(handle),
                },
            );
            self.schemas.push(Schema {
                name: row.name,
                comment: row.comment,
            });
        }
    }

    fn add_collations(&mut self, rows: Vec<CollationRow>) {
        for row in rows {
            let handle = Handle::Collation(self.collations.len());
            self.node(
                class::PG_COLLATION,
                row.oid,
                0,
                Node {
                    owner: None,
                    target: Some(handle),
                },
            );
            self.collations.push(row.collation);
        }
    }

    fn add_statistics(&mut self, rows: Vec<StatisticsRow>) {
        for row in rows {
            let handle = Handle::Statistics(self.statistics.len());
            let oid = row.oid;
            let mut x = row.statistics;
            // On its table as a whole (pg_depend has its columns and what its
            // expressions call).
            x.deps.insert(ObjectId::Table(x.table.clone()));
            self.node(class::PG_STATISTIC_EXT, oid, 0, Node::both(handle));
            self.statistics.push(x);
        }
    }

    fn add_ts_configurations(&mut self, rows: Vec<TsConfigurationRow>) {
        for row in rows {
            let handle = Handle::TsConfiguration(self.ts_configurations.len());
            self.node(
                class::PG_TS_CONFIG,
                row.oid,
                0,
                Node {
                    owner: None,
                    target: Some(handle),
                },
            );
            self.ts_configurations.push(row.configuration);
        }
    }

    fn add_extensions(&mut self, rows: Vec<ExtensionRow>) {
        for row in rows {
            let handle = Handle::Extension(self.extensions.len());
            self.node(
                class::PG_EXTENSION,
                row.oid,
                0,
                Node {
                    owner: None,
                    target: Some(handle),
                },
            );
            self.extensions.push(Extension {
                name: row.name,
                schema: row.schema,
                version: row.version,
                comment: row.comment,
            });
        }
    }

    /// Adds the sequences of their own and returns the identity sequences' options by
    /// (table oid, column name): those belong to their column.
    fn add_sequences(
        &mut self,
        rows: Vec<SequenceRow>,
    ) -> HashMap<(u32, String), (u32, SequenceOptions)> {
        let mut identities = HashMap::new();
        for row in rows {
            match row.owner {
                Some(owner) if owner.identity => {
                    identities.insert((owner.relid, owner.column), (row.oid, row.options));
                }
                owner => {
                    let handle = Handle::Sequence(self.sequences.len());
                    self.node(class::PG_CLASS, row.oid, 0, Node::both(handle));
                    self.sequences.push(Sequence {
                        name: row.name,
                        data_type: row.data_type,
                        options: row.options,
                        owned_by: owner.map(|o| (o.table, o.column)),
                        comment: row.comment,
                        deps: Deps::default(),
                    });
                }
            }
        }
        identities
    }

    fn add_relations(&mut self, rows: Vec<RelationRow>) -> Result<()> {
        for row in rows {
            let handle = match row.relkind.as_str() {
                "r" | "p" | "f" => {
                    let index = self.tables.len();
                    let mut table = Table::new(row.name);
                    if let Some(server) = row.foreign_server {
                        table.deps.insert(ObjectId::ForeignServer(server.clone()));
                        table.foreign = Some(crate::model::ForeignTable {
                            server,
                            options: super::rows::foreign_table_options(row.foreign_options),
                            column_options: Default::default(),
                        });
                    }
                    table.partition_by = row.partition_by;
                    if row.is_partition {
                        let parent = row.parents.first().cloned().ok_or_else(|| {
                            inconsistent(format!("partition {} has no parent", table.name))
                        })?;
                        table.partition_of = Some(PartitionOf {
                            parent,
                            bound: row.bound.unwrap_or_default(),
                        });
                    } else {
                        table.inherits = row.parents;
                    }
                    // A partition needs its parent, an inheriting table its parents,
                    // whatever pg_depend says.
                    let parent_deps: Vec<ObjectId> = table
                        .parents()
                        .map(|p| ObjectId::Table(p.clone()))
                        .collect();
                    table.deps.extend(parent_deps);
                    table.unlogged = row.persistence == "u";
                    table.rls_enabled = row.rls_enabled;
                    table.rls_forced = row.rls_forced;
                    table.replica_identity = match (row.replident.as_str(), row.replident_index) {
                        ("f", _) => ReplicaIdentity::Full,
                        ("n", _) | ("i", None) => ReplicaIdentity::Nothing,
                        ("i", Some(index)) => ReplicaIdentity::Index(index),
                        _ => ReplicaIdentity::Default,
                    };
                    if table.foreign.is_some() {
                        // A foreign table has no replica identity to speak of.
                        table.replica_identity = ReplicaIdentity::Default;
                    }
                    table.options = row.options;
                    table.comment = row.comment;
                    self.tables.push(table);
                    self.relations.insert(row.oid, Rel::Table(index));
                    Handle::Table(index)
                }
                "v" | "m" => {
                    let index = self.views.len();
                    self.views.push(View {
                        name: row.name,
                        materialized: row.relkind == "m",
                        definition: row.view_definition.unwrap_or_default(),
                        columns: Vec::new(),
                        options: row.options,
                        comment: row.comment,
                        column_comments: Default::default(),
                        deps: Deps::default(),
                    });
                    self.relations.insert(row.oid, Rel::View(index));
                    if let Some(rule) = row.rule_oid {
                        // The view's query lives in its _RETURN rule: the rule's deps are
                        // the view's.
                        let node = Node {
                            owner: Some(Handle::View(index)),
                            target: None,
                        };
                        self.node(class::PG_REWRITE, rule, 0, node);
                    }
                    Handle::View(index)
                }
                other => {
                    return Err(inconsistent(format!(
                        "unexpected relkind {other:?} for {}",
                        row.name
                    )))
                }
            };
            self.node(class::PG_CLASS, row.oid, 0, Node::both(handle));
            // A column of the relation's row type needs the relation.
            self.node(
                class::PG_TYPE,
                row.row_type,
                0,
                Node {
                    owner: None,
                    target: Some(handle),
                },
            );
        }
        Ok(())
    }

    fn add_types(&mut self, rows: Vec<TypeRow>) -> Result<()> {
        for row in rows {
            let index = self.types.len();
            let handle = Handle::Type(index);
            let kind = match row.typtype.as_str() {
                "e" => TypeKind::Enum {
                    labels: row.labels.unwrap_or_default(),
                },
                "d" => {
                    self.domains.insert(row.oid, index);
                    TypeKind::Domain {
                        base: row.base.unwrap_or_default(),
                        not_null: row.not_null,
                        default: row.default,
                        collation: row.collation,
                        checks: Default::default(),
                    }
                }
                "c" => {
                    // The attributes' deps (pg_class rows) are the type's.
                    self.relations.insert(row.relid, Rel::Composite(index));
                    self.node(class::PG_CLASS, row.relid, 0, Node::both(handle));
                    TypeKind::Composite {
                        attributes: Vec::new(),
                    }
                }
                other => {
                    return Err(inconsistent(format!(
                        "unexpected typtype {other:?} for {}",
                        row.name
                    )))
                }
            };
            self.node(class::PG_TYPE, row.oid, 0, Node::both(handle));
            self.types.push(Type {
                name: row.name,
                kind,
                comment: row.comment,
                deps: Deps::default(),
            });
        }
        Ok(())
    }

    fn add_columns(
        &mut self,
        mut rows: Vec<ColumnRow>,
        mut identities: HashMap<(u32, String), (u32, SequenceOptions)>,
    ) -> Result<()> {
        // Columns come unordered (sorting is cheaper here than on the server, which runs
        // the queries one after the other); the model keeps attribute order. Sorted
        // backwards, to be taken from the back as their memory goes back.
        rows.sort_unstable_by_key(|c| std::cmp::Reverse((c.relid, c.num)));
        // Each table's column map is sized once: grown by doubling, the maps of a large
        // schema would hold a third more than they need.
        let mut counts: HashMap<u32, usize> = HashMap::new();
        for row in &rows {
            *counts.entry(row.relid).or_default() += 1;
        }
        self.table_attnums = vec![Vec::new(); self.tables.len()];
        for row in from_the_back(rows) {
            let Some(&rel) = self.relations.get(&row.relid) else {
                // A column of an extension's table or type.
                continue;
            };
            let subid = i32::from(row.num);
            match rel {
                Rel::Table(t) => {
                    let position = self.tables[t].columns.len();
                    if position == 0 {
                        let n = counts.get(&row.relid).copied().unwrap_or(0);
                        self.tables[t].columns.reserve_exact(n);
                        self.table_attnums[t].reserve_exact(n);
                    }
                    let handle = Handle::Column(t, position);
                    // Found through `table_attnums`, not a node of its own.
                    self.table_attnums[t].push(row.num);
                    if let Some(oid) = row.attrdef_oid {
                        let owner = Handle::ColumnDefault(t, position);
                        self.node(
                            class::PG_ATTRDEF,
                            oid,
                            0,
                            Node {
                                owner: Some(owner),
                                target: None,
                            },
                        );
                    }
                    // From PostgreSQL 17 a partition's column shows its parent's identity
                    // (attidentity set) but the sequence is the parent's, with no
                    // pg_depend row to the partition: the identity is the parent's, which
                    // ATTACH gives and DETACH takes away, and it cannot be altered on the
                    // partition. Read as the partition's column without identity, as
                    // PostgreSQL 13 to 16 store it.
                    let parents_identity = self.tables[t].partition_of.is_some()
                        && !identities.contains_key(&(row.relid, row.name.clone()));
                    let identity = match row.identity.as_str() {
                        "" => None,
                        _ if parents_identity => None,
                        code => {
                            let kind = match code {
                                "a" => IdentityKind::Always,
                                "d" => IdentityKind::ByDefault,
                                other => {
                                    return Err(inconsistent(format!(
                                        "unexpected attidentity {other:?} on {}",
                                        self.tables[t].name
                                    )))
                                }
                            };
                            let (sequence, options) = identities
                                .remove(&(row.relid, row.name.clone()))
                                .ok_or_else(|| {
                                    inconsistent(format!(
                                        "identity column {}.{} has no sequence",
                                        self.tables[t].name, row.name
                                    ))
                                })?;
                            // Another table's default calling nextval() on the identity
                            // sequence needs the column.
                            let node = Node {
                                owner: None,
                                target: Some(handle),
                            };
                            self.node(class::PG_CLASS, sequence, 0, node);
                            Some(Box::new(Identity { kind, options }))
                        }
                    };
                    // attgenerated: '' plain, 's' stored, 'v' virtual (PostgreSQL 18).
                    let (default, generated) = if row.generated.is_empty() {
                        (row.expr, None)
                    } else {
                        (None, row.expr.map(Into::into))
                    };
                    let column = Column {
                        name: row.name,
                        type_name: row.type_name,
                        not_null: row.not_null,
                        not_null_constraint: None,
                        default,
                        identity,
                        generated,
                        virtual_generated: row.generated == "v",
                        collation: row.collation.map(Into::into),
                        comment: row.comment,
                        deps: Deps::default(),
                        default_deps: Deps::default(),
                        inherited: crate::model::NotCompared(!row.is_local),
                    };
                    self.tables[t].columns.insert(column);
                }
                Rel::View(v) => {
                    let view = &mut self.views[v];
                    // A view column's own deps (its type) are the view's.
                    let node = Node {
                        owner: Some(Handle::View(v)),
                        target: Some(Handle::ViewColumn(v, view.columns.len())),
                    };
                    if let Some(comment) = row.comment {
                        view.column_comments.insert(row.name.clone(), comment);
                    }
                    view.columns.push(ViewColumn {
                        name: row.name,
                        type_name: row.type_name,
                    });
                    self.node(class::PG_CLASS, row.relid, subid, node);
                }
                Rel::Composite(ty) => {
                    self.node(
                        class::PG_CLASS,
                        row.relid,
                        subid,
                        Node::both(Handle::Type(ty)),
                    );
                    if let TypeKind::Composite { attributes } = &mut self.types[ty].kind {
                        attributes.push(Attribute {
                            name: row.name,
                            type_name: row.type_name,
                            collation: row.collation,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn add_constraints(&mut self, rows: Vec<ConstraintRow>) -> Result<()> {
        for row in rows {
            if row.relid != 0 {
                // Constraints of foreign tables and extension tables have no table here.
                let Some(&Rel::Table(t)) = self.relations.get(&row.relid) else {
                    continue;
                };
                let mut constraint = Constraint {
                    name: row.name,
                    kind: constraint_kind(row.contype.as_str())?,
                    definition: row.definition,
                    validated: row.validated,
                    references: row.references,
                    comment: row.comment,
                    deps: Deps::default(),
                };
                if row.inherited {
                    // The parent's business while the table is a child: kept aside (no
                    // node, so nothing resolves a dependency to it) for when it is not.
                    self.inherited_constraints.push((t, constraint));
                    continue;
                }
                let handle = Handle::Constraint(self.constraints.len());
                self.node(class::PG_CONSTRAINT, row.oid, 0, Node::both(handle));
                // pg_depend ties a foreign key to the referenced columns and key index;
                // the referenced table itself is named too, so ordering need not infer it.
                if let Some(referenced) = constraint
                    .references
                    .as_ref()
                    .filter(|r| **r != self.tables[t].name)
                {
                    constraint.deps.insert(ObjectId::Table(referenced.clone()));
                }
                self.constraints.push((t, constraint));
            } else {
                let Some(&ty) = self.domains.get(&row.typid) else {
                    continue;
                };
                // A domain check stands for its domain, both ways.
                self.node(
                    class::PG_CONSTRAINT,
                    row.oid,
                    0,
                    Node::both(Handle::Type(ty)),
                );
                if let TypeKind::Domain { checks, .. } = &mut self.types[ty].kind {
                    checks.insert(
                        row.name.clone(),
                        DomainCheck {
                            name: row.name,
                            definition: row.definition,
                            validated: row.validated,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    fn add_indexes(&mut self, rows: Vec<IndexRow>) -> Result<()> {
        for row in rows {
            let (relation, table_name) = match self.relations.get(&row.relid) {
                Some(&Rel::Table(t)) => (Handle::Table(t), &self.tables[t].name),
                Some(&Rel::View(v)) => (Handle::View(v), &self.views[v].name),
                _ => continue,
            };
            let backed = row
                .constraint_oid
                .and_then(|oid| self.lookup(class::PG_CONSTRAINT, oid, 0))
                .and_then(|node| node.target);
            if let (true, None, Some(definition), Handle::Table(t)) = (
                row.is_attached,
                row.constraint_oid,
                &row.definition,
                relation,
            ) {
                let name = row.name.clone();
                self.inherited_indexes.push((
                    t,
                    Index {
                        name,
                        table: self.tables[t].name.clone(),
                        definition: definition.clone(),
                        valid: row.valid,
                        comment: row.comment.clone(),
                        deps: Deps::default(),
                    },
                ));
            }
            let node = match (row.is_attached, row.constraint_oid, backed) {
                // A partition's index attached to its parent's, or one backing a
                // constraint that is a partition's copy, comes with the partition.
                (true, _, _) | (false, Some(_), None) => Node {
                    owner: None,
                    target: Some(relation),
                },
                // What the index needs (an operator class from an extension, a function
                // in an expression), its constraint needs; a foreign key that depends on
                // the referenced key's index depends on the key constraint.
                (false, Some(_), Some(constraint)) => Node::both(constraint),
                (false, None, _) => {
                    let definition = row.definition.ok_or_else(|| {
                        inconsistent(format!("index {} has no definition", row.name))
                    })?;
                    let handle = Handle::Index(self.indexes.len());
                    self.indexes.push(Index {
                        name: row.name,
                        table: table_name.clone(),
                        definition,
                        valid: row.valid,
                        comment: row.comment,
                        deps: Deps::default(),
                    });
                    self.index_relations.push(relation);
                    Node::both(handle)
                }
            };
            self.node(class::PG_CLASS, row.oid, 0, node);
        }
        Ok(())
    }

    fn add_triggers(&mut self, rows: Vec<TriggerRow>) {
        for row in rows {
            let (relation, table) = match self.relations.get(&row.relid) {
                Some(&Rel::Table(t)) => (Handle::Table(t), &self.tables[t].name),
                Some(&Rel::View(v)) => (Handle::View(v), &self.views[v].name),
                _ => continue,
            };
            let trigger = Trigger {
                table: table.clone(),
                name: row.name,
                definition: row.definition,
                enabled: row.enabled,
                constraint: row.is_constraint,
                comment: row.comment,
                deps: Deps::default(),
            };
            let handle = Handle::Trigger(self.triggers.len());
            self.triggers.push(trigger);
            self.trigger_relations.push(relation);
            self.node(class::PG_TRIGGER, row.oid, 0, Node::both(handle));
        }
    }

    fn add_policies(&mut self, rows: Vec<PolicyRow>) {
        for row in rows {
            let Some(&Rel::Table(t)) = self.relations.get(&row.relid) else {
                continue;
            };
            let handle = Handle::Policy(self.policies.len());
            self.policies.push((
                t,
                Policy {
                    name: row.name,
                    permissive: row.permissive,
                    command: row.command,
                    roles: row.roles,
                    using: row.using,
                    with_check: row.with_check,
                    comment: row.comment,
                    deps: Deps::default(),
                },
            ));
            self.node(class::PG_POLICY, row.oid, 0, Node::both(handle));
        }
    }

    fn add_functions(&mut self, rows: Vec<FunctionRow>) -> Result<()> {
        for row in rows {
            let key = FunctionKey {
                name: row.name,
                args: row.identity_args,
            };
            let kind = match row.prokind.as_str() {
                "f" => FunctionKind::Function,
                "p" => FunctionKind::Procedure,
                "a" => FunctionKind::Aggregate,
                other => {
                    return Err(inconsistent(format!(
                        "unexpected prokind {other:?} for {key}"
                    )))
                }
            };
            let handle = Handle::Function(self.functions.len());
            self.functions.push(Function {
                key,
                kind,
                definition: row.definition,
                arguments: row.arguments,
                result: if kind != FunctionKind::Function {
                    None
                } else {
                    row.result
                },
                comment: row.comment,
                deps: Deps::default(),
            });
            self.node(class::PG_PROC, row.oid, 0, Node::both(handle));
        }
        Ok(())
    }

    /// Puts each `pg_depend` row's referenced object into its dependent's `deps` (sets:
    /// the rows' order does not matter, so they are taken from the back).
    fn resolve_dependencies(&mut self, rows: Vec<DependRow>) {
        for row in from_the_back(rows) {
            let Some(owner) = self
                .lookup(row.classid, row.objid, row.objsubid)
                .and_then(|n| n.owner)
            else {
                continue;
            };
            let target = match &row.ref_extension {
                Some(name) => {
                    // plpgsql (a function's language) is in every database and not in
                    // the model: no edge to it.
                    if !self.extensions.iter().any(|e| e.name == *name) {
                        continue;
                    }
                    ObjectId::Extension(name.clone())
                }
                None => {
                    let node = match self.lookup(row.refclassid, row.refobjid, row.refobjsubid) {
                        Some(node) => node,
                        // A column the model has no node for (an index's): the relation.
                        None if row.refobjsubid != 0 => {
                            match self.lookup(row.refclassid, row.refobjid, 0) {
                                Some(node) => node,
                                None => continue,
                            }
                        }
                        None => continue,
                    };
                    let Some(target) = node.target else { continue };
                    if !self.keep(owner, target) {
                        continue;
                    }
                    self.object_id(target)
                }
            };
            if let Some(deps) = self.deps_mut(owner) {
                deps.insert(target);
            }
        }
    }

    /// The model object of each ACL row, with its grants when they differ from its
    /// default. Rows of objects the model does not hold (extension members, identity
    /// sequences, a table's row type) are left out.
    fn resolve_privileges(&self, rows: Vec<PrivilegeRow>) -> (PrivilegeMap, ForeignGrantMap) {
        let mut out = PrivilegeMap::default();
        let mut foreign = ForeignGrantMap::default();
        for row in rows {
            if row.grants == row.defaults {
                continue;
            }
            let Some(target) = self
                .lookup(row.classid, row.objid, row.objsubid)
                .and_then(|n| n.target)
            else {
                continue;
            };
            let fits = match row.classid {
                class::PG_CLASS => matches!(
                    target,
                    Handle::Table(_)
                        | Handle::View(_)
                        | Handle::Sequence(_)
                        | Handle::Column(..)
                        | Handle::ViewColumn(..)
                ),
                class::PG_PROC => matches!(target, Handle::Function(_)),
                class::PG_TYPE => matches!(target, Handle::Type(_)),
                class::PG_NAMESPACE => matches!(target, Handle::Schema(_)),
                _ => false,
            };
            // An identity sequence's node stands for its column: its own ACL is not
            // the column's.
            let sequence_row = row.classid == class::PG_CLASS
                && row.objsubid == 0
                && matches!(target, Handle::Column(..));
            if fits && !sequence_row {
                let id = self.object_id(target);
                if !row.foreign.is_empty() {
                    foreign.insert(id.clone(), row.foreign);
                }
                out.insert(id, row.grants);
            }
        }
        (out, foreign)
    }

    /// The model object of each owner row. Rows of objects the model does not hold
    /// (extension members, a table's row type) and identity sequences (their node
    /// stands for their column) are left out.
    fn resolve_owners(&self, rows: Vec<OwnerRow>) -> OwnerMap {
        let mut out = OwnerMap::default();
        for row in rows {
            let Some(target) = self
                .lookup(row.classid, row.objid, 0)
                .and_then(|n| n.target)
            else {
                continue;
            };
            let fits = match row.classid {
                class::PG_CLASS => {
                    matches!(
                        target,
                        Handle::Table(_) | Handle::View(_) | Handle::Sequence(_)
                    )
                }
                class::PG_PROC => matches!(target, Handle::Function(_)),
                class::PG_TYPE => matches!(target, Handle::Type(_)),
                class::PG_NAMESPACE => matches!(target, Handle::Schema(_)),
                _ => false,
            };
            if fits {
                out.insert(self.object_id(target), row.owner);
            }
        }
        out
    }

    /// Whether `owner` depending on `target` is worth keeping: not a reference to
    /// itself, not a part's reference to its own relation as a whole (a column needs
    /// its table; so does a constraint or trigger), not a sequence's OWNED BY column
    /// (that is `owned_by`, and as a dependency it would make a cycle with the default
    /// that calls `nextval` on the sequence).
    fn keep(&self, owner: Handle, target: Handle) -> bool {
        if owner == target {
            return false;
        }
        let own_relation = match owner {
            Handle::ColumnDefault(t, c) if target == Handle::Column(t, c) => return false,
            Handle::Column(t, _) | Handle::ColumnDefault(t, _) => Some(Handle::Table(t)),
            Handle::Constraint(k) => Some(Handle::Table(self.constraints[k].0)),
            Handle::Policy(p) => Some(Handle::Table(self.policies[p].0)),
            Handle::Trigger(g) => Some(self.trigger_relations[g]),
            Handle::Index(i) => Some(self.index_relations[i]),
            Handle::Sequence(_) if matches!(target, Handle::Column(..)) => return false,
            _ => None,
        };
        own_relation != Some(target)
    }

    /// The model's name for a handle.
    fn object_id(&self, handle: Handle) -> ObjectId {
        match handle {
            Handle::Schema(i) => ObjectId::Schema(self.schemas[i].name.clone()),
            Handle::Extension(i) => ObjectId::Extension(self.extensions[i].name.clone()),
            Handle::Table(i) => ObjectId::Table(self.tables[i].name.clone()),
            Handle::Column(t, c) | Handle::ColumnDefault(t, c) => {
                let table = &self.tables[t];
                let name = table
                    .columns
                    .values()
                    .nth(c)
                    .map(|col| col.name.clone())
                    .unwrap_or_default();
                ObjectId::Column(table.name.clone(), name)
            }
            Handle::View(i) => ObjectId::View(self.views[i].name.clone()),
            Handle::ViewColumn(v, c) => {
                let view = &self.views[v];
                ObjectId::Column(view.name.clone(), view.columns[c].name.clone())
            }
            Handle::Type(i) => ObjectId::Type(self.types[i].name.clone()),
            Handle::Sequence(i) => ObjectId::Sequence(self.sequences[i].name.clone()),
            Handle::Index(i) => ObjectId::Index(self.indexes[i].name.clone()),
            Handle::Constraint(k) => {
                let (t, constraint) = &self.constraints[k];
                ObjectId::Constraint(self.tables[*t].name.clone(), constraint.name.clone())
            }
            Handle::Policy(p) => {
                let (t, policy) = &self.policies[p];
                ObjectId::Policy(self.tables[*t].name.clone(), policy.name.clone())
            }
            Handle::Trigger(g) => {
                let trigger = &self.triggers[g];
                ObjectId::Trigger(trigger.table.clone(), trigger.name.clone())
            }
            Handle::Function(f) => ObjectId::Function(self.functions[f].key.clone()),
            Handle::Collation(i) => ObjectId::Collation(self.collations[i].name.clone()),
            Handle::Statistics(i) => ObjectId::Statistics(self.statistics[i].name.clone()),
            Handle::Cast(i) => ObjectId::Cast(self.casts[i].signature()),
            Handle::Operator(i) => ObjectId::Operator(self.operators[i].signature()),
            Handle::Rule(i) => {
                let r = &self.rules[i];
                ObjectId::Rule(r.table.clone(), r.name.clone())
            }
            Handle::TsConfiguration(i) => {
                ObjectId::TextSearchConfiguration(self.ts_configurations[i].name.clone())
            }
        }
    }

    /// The `deps` a handle's own dependencies go into.
    fn deps_mut(&mut self, owner: Handle) -> Option<&mut Deps> {
        Some(match owner {
            Handle::Table(i) => &mut self.tables[i].deps,
            Handle::Column(t, c) => &mut self.tables[t].columns.get_index_mut(c)?.deps,
            Handle::ColumnDefault(t, c) => {
                &mut self.tables[t].columns.get_index_mut(c)?.default_deps
            }
            Handle::View(i) => &mut self.views[i].deps,
            Handle::Type(i) => &mut self.types[i].deps,
            Handle::Sequence(i) => &mut self.sequences[i].deps,
            Handle::Index(i) => &mut self.indexes[i].deps,
            Handle::Constraint(k) => &mut self.constraints[k].1.deps,
            Handle::Policy(p) => &mut self.policies[p].1.deps,
            Handle::Trigger(g) => &mut self.triggers[g].deps,
            Handle::Function(f) => &mut self.functions[f].deps,
            Handle::Statistics(i) => &mut self.statistics[i].deps,
            Handle::Cast(i) => &mut self.casts[i].deps,
            Handle::Operator(i) => &mut self.operators[i].deps,
            Handle::Rule(i) => &mut self.rules[i].deps,
            Handle::Schema(_)
            | Handle::Extension(_)
            | Handle::Collation(_)
            | Handle::TsConfiguration(_)
            | Handle::ViewColumn(..) => return None,
        })
    }

    /// Moves everything into the Catalog's maps.
    fn into_catalog(self, unmanaged: Vec<Unmanaged>) -> Catalog {
        // The oid maps served resolution: freed before the catalog's maps are built.
        drop((self.nodes, self.relations, self.domains, self.table_attnums));
        let mut tables = self.tables;
        for (t, constraint) in self.constraints {
            tables[t]
                .constraints
                .insert(constraint.name.clone(), constraint);
        }
        for (t, constraint) in self.inherited_constraints {
            tables[t]
                .inherited_constraints
                .insert(constraint.name.clone(), constraint);
        }
        for (t, index) in self.inherited_indexes {
            tables[t]
                .inherited_indexes
                .insert(index.name.clone(), index);
        }
        for (t, policy) in self.policies {
            tables[t].policies.insert(policy.name.clone(), policy);
        }
        Catalog {
            schemas: self
                .schemas
                .into_iter()
                .map(|s| (s.name.clone(), s))
                .collect(),
            extensions: self
                .extensions
                .into_iter()
                .map(|e| (e.name.clone(), e))
                .collect(),
            types: self
                .types
                .into_iter()
                .map(|t| (t.name.clone(), t))
                .collect(),
            sequences: self
                .sequences
                .into_iter()
                .map(|s| (s.name.clone(), s))
                .collect(),
            tables: tables
                .into_iter()
                .map(|t| (t.name.clone(), Arc::new(t)))
                .collect(),
            indexes: self
                .indexes
                .into_iter()
                .map(|i| (i.name.clone(), i))
                .collect(),
            views: self
                .views
                .into_iter()
                .map(|v| (v.name.clone(), v))
                .collect(),
            functions: self
                .functions
                .into_iter()
                .map(|f| (f.key.clone(), f))
                .collect(),
            triggers: self
                .triggers
                .into_iter()
                .map(|t| ((t.table.clone(), t.name.clone()), t))
                .collect(),
            collations: self
                .collations
                .into_iter()
                .map(|c| (c.name.clone(), c))
                .collect(),
            statistics: self
                .statistics
                .into_iter()
                .map(|x| (x.name.clone(), x))
                .collect(),
            ts_configurations: self
                .ts_configurations
                .into_iter()
                .map(|x| (x.name.clone(), x))
                .collect(),
            ts_dictionaries: Default::default(),
            casts: self.casts.into_iter().map(|c| (c.signature(), c)).collect(),
            operators: self
                .operators
                .into_iter()
                .map(|o| (o.signature(), o))
                .collect(),
            rules: self
                .rules
                .into_iter()
                .map(|r| ((r.table.clone(), r.name.clone()), r))
                .collect(),
            publications: Default::default(),
            event_triggers: Default::default(),
            foreign_data_wrappers: Default::default(),
            foreign_servers: Default::default(),
            unmanaged: unmanaged.into(),
            privileges: PrivilegeMap::default(),
            default_privileges: DefaultPrivileges::default(),
            foreign_grants: Default::default(),
            owners: Default::default(),
            not_null_names_unknown: Default::default(),
            keeps_not_null_names: Default::default(),
            inherited_not_null_names: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::rows::Code;
    use super::*;
    use crate::model::QualName;

    fn q(name: &str) -> QualName {
        QualName::new("public", name)
    }

    fn relation(oid: u32, name: &str, relkind: &str) -> RelationRow {
        RelationRow {
            oid,
            name: q(name),
            relkind: relkind.into(),
            persistence: "p".into(),
            is_partition: false,
            rls_enabled: false,
            rls_forced: false,
            replident: "d".into(),
            replident_index: None,
            options: vec![],
            row_type: oid + 1,
            partition_by: None,
            bound: None,
            view_definition: None,
            rule_oid: None,
            parents: vec![],
            comment: None,
            foreign_server: None,
            foreign_options: vec![],
        }
    }

    fn column(relid: u32, num: i16, name: &str) -> ColumnRow {
        ColumnRow {
            relid,
            num,
            name: name.into(),
            type_name: "integer".into(),
            not_null: false,
            identity: Code::default(),
            generated: Code::default(),
            expr: None,
            attrdef_oid: None,
            collation: None,
            collation_oid: 0,
            is_local: true,
            comment: None,
        }
    }

    fn dep(
        classid: u32,
        objid: u32,
        objsubid: i32,
        refclassid: u32,
        refobjid: u32,
        refobjsubid: i32,
    ) -> DependRow {
        DependRow {
            classid,
            objid,
            objsubid,
            refclassid,
            refobjid,
            refobjsubid,
            ref_extension: None,
        }
    }

    fn deps(d: &Deps) -> Vec<ObjectId> {
        d.0.iter().cloned().collect()
    }

    /// A table t(a, b) with a check on a, a view v over t.a, a sequence owned by t.b.
    fn rows() -> Rows {
        let mut rows = Rows::default();
        rows.schemas.push(SchemaRow {
            oid: 2200,
            name: "public".into(),
            comment: None,
        });
        rows.relations.push(relation(100, "t", "r"));
        rows.relations.push(RelationRow {
            rule_oid: Some(201),
            view_definition: Some("SELECT t.a FROM public.t".into()),
            ..relation(200, "v", "v")
        });
        // Unordered, as the server sends them.
        rows.columns = vec![
            column(100, 2, "b"),
            column(200, 1, "a"),
            column(100, 1, "a"),
        ];
        rows.constraints.push(ConstraintRow {
            oid: 300,
            name: "t_a_check".into(),
            contype: "c".into(),
            relid: 100,
            typid: 0,
            definition: "CHECK ((a > 0))".into(),
            parts: None,
            check: None,
            validated: true,
            references: None,
            comment: None,
            inherited: false,
        });
        rows.sequences.push(SequenceRow {
            oid: 400,
            name: q("t_b_seq"),
            data_type: "integer".into(),
            options: SequenceOptions::defaults_for("integer", 1),
            owner: Some(super::super::rows::SequenceOwner {
                identity: false,
                relid: 100,
                table: q("t"),
                column: "b".into(),
            }),
            comment: None,
        });
        rows
    }

    #[test]
    fn columns_are_put_in_attribute_order() {
        let catalog = assemble(rows()).unwrap();
        let t = &catalog.tables[&q("t")];
        assert_eq!(t.columns.keys().collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(
            t.constraints.get("t_a_check").unwrap().definition,
            "CHECK ((a > 0))"
        );
        assert_eq!(catalog.views[&q("v")].columns[0].name, "a");
    }

    /// PostgreSQL 17's catalog for `CREATE TABLE p (id bigint GENERATED ALWAYS AS
    /// IDENTITY) PARTITION BY LIST (id)` with a partition `p1`: both columns have
    /// attidentity `a`, only p's has a sequence.
    fn partitioned_identity_rows() -> Rows {
        let mut rows = Rows::default();
        rows.schemas.push(SchemaRow {
            oid: 2200,
            name: "public".into(),
            comment: None,
        });
        rows.relations.push(RelationRow {
            partition_by: Some("LIST (id)".into()),
            ..relation(100, "p", "p")
        });
        rows.relations.push(RelationRow {
            is_partition: true,
            bound: Some("FOR VALUES IN ('1')".into()),
            parents: vec![q("p")],
            ..relation(110, "p1", "r")
        });
        let identity = |relid| ColumnRow {
            identity: "a".into(),
            not_null: true,
            is_local: relid == 100,
            ..column(relid, 1, "id")
        };
        rows.columns = vec![identity(110), identity(100)];
        rows.sequences.push(SequenceRow {
            oid: 400,
            name: q("p_id_seq"),
            data_type: "bigint".into(),
            options: SequenceOptions::defaults_for("bigint", 1),
            owner: Some(super::super::rows::SequenceOwner {
                identity: true,
                relid: 100,
                table: q("p"),
                column: "id".into(),
            }),
            comment: None,
        });
        rows
    }

    #[test]
    fn a_partitions_identity_is_its_parents() {
        let catalog = assemble(partitioned_identity_rows()).unwrap();
        let parent = &catalog.tables[&q("p")].columns["id"];
        assert_eq!(
            parent.identity.as_ref().map(|i| i.kind),
            Some(IdentityKind::Always)
        );
        let partition = &catalog.tables[&q("p1")].columns["id"];
        assert!(partition.identity.is_none());
        assert!(partition.not_null);
    }

    #[test]
    fn an_identity_without_sequence_outside_partitions_is_an_error() {
        let mut rows = partitioned_identity_rows();
        rows.relations[1] = relation(110, "p1", "r");
        let err = assemble(rows).unwrap_err().to_string();
        assert!(
            err.contains("identity column public.p1.id has no sequence"),
            "{err}"
        );
    }

    #[test]
    fn dependency_rows_resolve_to_model_objects() {
        let mut rows = rows();
        rows.dependencies = vec![
            // The view's rule: on t.a, on the view itself (dropped), on the schema.
            dep(class::PG_REWRITE, 201, 0, class::PG_CLASS, 100, 1),
            dep(class::PG_REWRITE, 201, 0, class::PG_CLASS, 200, 0),
            dep(class::PG_CLASS, 100, 0, class::PG_NAMESPACE, 2200, 0),
            // The check: on its column (kept), on its table as a whole (dropped).
            dep(class::PG_CONSTRAINT, 300, 0, class::PG_CLASS, 100, 1),
            dep(class::PG_CONSTRAINT, 300, 0, class::PG_CLASS, 100, 0),
            // OWNED BY is owned_by, not a dependency.
            dep(class::PG_CLASS, 400, 0, class::PG_CLASS, 100, 2),
            // Unknown dependents and targets are skipped.
            dep(class::PG_CLASS, 999, 0, class::PG_NAMESPACE, 2200, 0),
            dep(class::PG_CLASS, 100, 0, class::PG_PROC, 999, 0),
        ];
        let catalog = assemble(rows).unwrap();
        let a = ObjectId::Column(q("t"), "a".into());
        assert_eq!(deps(&catalog.views[&q("v")].deps), vec![a.clone()]);
        assert_eq!(
            deps(&catalog.tables[&q("t")].deps),
            vec![ObjectId::Schema("public".into())]
        );
        assert_eq!(
            deps(
                &catalog.tables[&q("t")]
                    .constraints
                    .get("t_a_check")
                    .unwrap()
                    .deps
            ),
            vec![a]
        );
        assert!(catalog.sequences[&q("t_b_seq")].deps.0.is_empty());
        assert_eq!(
            catalog.sequences[&q("t_b_seq")].owned_by,
            Some((q("t"), "b".into()))
        );
    }

    #[test]
    fn references_to_extension_members_name_the_extension() {
        let mut rows = rows();
        rows.extensions.push(ExtensionRow {
            oid: 500,
            name: "citext".into(),
            schema: "public".into(),
            version: "1.6".into(),
            comment: None,
        });
        rows.dependencies = vec![
            DependRow {
                ref_extension: Some("citext".into()),
                ..dep(class::PG_CLASS, 100, 2, class::PG_TYPE, 501, 0)
            },
            // plpgsql is not in the catalog: no edge.
            DependRow {
                ref_extension: Some("plpgsql".into()),
                ..dep(class::PG_CLASS, 100, 1, class::PG_PROC, 13, 0)
            },
        ];
        let catalog = assemble(rows).unwrap();
        let t = &catalog.tables[&q("t")];
        assert_eq!(
            deps(&t.columns["b"].deps),
            vec![ObjectId::Extension("citext".into())]
        );
        assert!(t.columns["a"].deps.0.is_empty());
    }
}
