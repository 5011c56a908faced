//! The model: a whole database schema as plain, deterministic data.
//!
//! Every source (a live database, desired schema files, a replayed plans/ directory)
//! becomes a [`Catalog`]; the diff compares two of them. Maps are `BTreeMap`s (columns:
//! a vector in attribute order) so iteration never depends on hashing. Expressions,
//! types and definitions are kept as the text the source's normalizer produced
//! (PostgreSQL's `pg_get_*def` functions in exact mode), so two catalogs compare equal
//! exactly when the schemas are the same.
//!
//! Dependencies between objects ride along in [`Deps`], which takes no part in equality:
//! they are derived facts that drive ordering, not part of what the user declared.
//!
//! This module does no I/O.

mod aggregate;
mod cast;
mod collation;
mod default_privileges;
mod event_trigger;
mod filter;
mod name;
mod foreign;
mod operator;
mod privileges;
mod publication;
mod relation;
mod rename;
mod routine;
mod statistics;
mod text_search;
mod text;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use aggregate::AggregateParts;
pub use cast::Cast;
pub use collation::{Collation, CollationProvider};
pub use default_privileges::{DefaultAclKey, DefaultAclKind, DefaultPrivileges};
pub use event_trigger::EventTrigger;
pub use filter::SchemaFilter;
pub use text::{split_top_level, unquoted};

/// The holding schema of recoverable drops (`plan --recoverable`): tables dropped by a
/// revision wait there for its rollback. Never part of a managed schema.
pub const TRASH_SCHEMA: &str = "schemaplan_trash";
pub use foreign::{
    alter_options_clause, create_user_mapping, drop_user_mapping, mapping_user, options_clause,
    sorted_options, FdwOptions, ForeignDataWrapper, ForeignServer, SECRET_OPTION,
};
pub use name::{literal, literal_or_null, needs_quotes, quote_ident, Ident, QualName, KEYWORDS};
pub use operator::Operator;
pub use privileges::{
    Access, AclKind, ForeignGrant, ForeignGrantMap, Grant, ObjectMap, OwnerMap, PrivilegeMap,
    PrivilegeMode, Privileges, CURRENT_USER, PUBLIC,
};
pub use publication::{Publication, PublishedTable, PUBLISH_OPERATIONS};
pub use relation::{
    default_operand, not_null_name, Column, Columns, Constraint, ConstraintKind, ForeignTable,
    Identity, IdentityKind, Index, NotNullConstraint, PartitionOf, Policy, ReplicaIdentity, Rule,
    Table, Trigger, TriggerEnabled, ROLE_KEYWORDS,
};
pub use rename::RenameKind;
pub use routine::{Function, FunctionKind, View, ViewColumn};
pub use statistics::{Statistics, STATISTICS_KINDS};
pub use text_search::{
    builtin_configuration, TextSearchConfiguration, TextSearchDictionary, DEFAULT_PARSER_TOKENS,
};
pub use types::{Attribute, DomainCheck, Sequence, SequenceOptions, Type, TypeKind};

/// The whole schema of one database (or what a set of files or revisions describes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Schemas (namespaces) by name.
    pub schemas: BTreeMap<String, Schema>,
    /// Installed extensions by name.
    pub extensions: BTreeMap<String, Extension>,
    /// Enum, domain and composite types.
    pub types: BTreeMap<QualName, Type>,
    /// Sequences that stand on their own (serial sequences included; identity sequences
    /// are part of their column).
    pub sequences: BTreeMap<QualName, Sequence>,
    /// Tables, partitioned tables and partitions, with their columns, constraints and
    /// policies. Shared: a change that creates, drops or alters a table holds the same
    /// allocation as the catalog it came from (a 5,000-table plan would otherwise copy
    /// every table twice); `Arc::make_mut` copies one before it is changed.
    pub tables: BTreeMap<QualName, Arc<Table>>,
    /// Indexes that are not owned by a constraint, on tables and materialized views.
    pub indexes: BTreeMap<QualName, Index>,
    /// Views and materialized views.
    pub views: BTreeMap<QualName, View>,
    /// Functions and procedures, keyed by name and identity arguments.
    pub functions: BTreeMap<FunctionKey, Function>,
    /// Triggers on tables and views, keyed by (relation, trigger name).
    pub triggers: BTreeMap<(QualName, String), Trigger>,
    /// Collations made with `CREATE COLLATION`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub collations: BTreeMap<QualName, Collation>,
    /// Extended statistics objects (`CREATE STATISTICS`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<QualName, Statistics>,
    /// Publications for logical replication, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publications: BTreeMap<String, Publication>,
    /// Event triggers, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub event_triggers: BTreeMap<String, EventTrigger>,
    /// Text search dictionaries.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ts_dictionaries: BTreeMap<QualName, TextSearchDictionary>,
    /// Text search configurations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ts_configurations: BTreeMap<QualName, TextSearchConfiguration>,
    /// Casts made with `CREATE CAST`, keyed `(source AS target)`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub casts: BTreeMap<String, Cast>,
    /// Rewrite rules, keyed by (relation, rule name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<(QualName, String), Rule>,
    /// Operators made with `CREATE OPERATOR`, keyed by their signature
    /// (`schema.op(left, right)`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Operator>,
    /// Foreign-data wrappers, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_data_wrappers: BTreeMap<String, ForeignDataWrapper>,
    /// Foreign servers with their user mappings, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_servers: BTreeMap<String, ForeignServer>,
    /// Privileges of the objects whose ACL differs from their kind's default (columns
    /// included). Desired catalogs list only what they declare: an object without an
    /// entry there keeps whatever privileges it has.
    #[serde(default)]
    pub privileges: PrivilegeMap,
    /// Default privileges (`ALTER DEFAULT PRIVILEGES`): what objects created from then
    /// on get.
    #[serde(default, skip_serializing_if = "no_default_privileges")]
    pub default_privileges: DefaultPrivileges,
    /// Grants made by other roles than their object's owner (introspection only), so
    /// that a plan revokes them as their grantor. Never compared.
    #[serde(default, skip_serializing_if = "no_foreign_grants")]
    pub foreign_grants: NotCompared<ForeignGrantMap>,
    /// Owners of objects owned by another role than the one that read the source; in
    /// a desired catalog, the owners it declares. Not part of equality: the diff
    /// hands over declared owners and gives recreated objects their owner back.
    #[serde(default, skip_serializing_if = "no_owners")]
    pub owners: NotCompared<OwnerMap>,
    /// Objects found in the source that schemaplan does not manage yet. Reported as
    /// warnings; never compared.
    pub unmanaged: NotCompared<Vec<Unmanaged>>,
    /// Read from a source that has no NOT NULL constraints of their own (a server
    /// before PostgreSQL 18, or a schema read for such a target): columns carry no
    /// [`NotNullConstraint`], and the diff leaves those of the other side alone.
    #[serde(default, skip_serializing_if = "not_set")]
    pub not_null_names_unknown: NotCompared<bool>,
    /// Read from a PostgreSQL 18 server, where a renamed table or column keeps the NOT
    /// NULL constraint names it had: a rename in this catalog keeps them too. Offline
    /// readings rename as earlier servers do (the target server is not known there), so
    /// their plans never rename a constraint a server before 18 does not have.
    #[serde(default, skip_serializing_if = "not_set")]
    pub keeps_not_null_names: NotCompared<bool>,
    /// The NOT NULL constraints a child has only from its parent (a partition's,
    /// PostgreSQL 18) under another name than its own default, by (table, column):
    /// detached, it keeps that name. Read from servers only; never compared.
    #[serde(default, skip_serializing_if = "no_inherited_not_nulls")]
    pub inherited_not_null_names: NotCompared<BTreeMap<(QualName, String), String>>,
}

/// Whether no child has a NOT NULL constraint under its parent's name.
fn no_inherited_not_nulls(m: &NotCompared<BTreeMap<(QualName, String), String>>) -> bool {
    m.is_empty()
}

/// Whether a flag is unset (the field is then left out of the serialized catalog).
fn not_set(flag: &NotCompared<bool>) -> bool {
    !flag.0
}

impl Catalog {
    /// The table `name`, to change: copied first if a change or another catalog shares it.
    pub fn table_mut(&mut self, name: &QualName) -> Option<&mut Table> {
        self.tables.get_mut(name).map(Arc::make_mut)
    }

    /// Every table, to change, as [`Catalog::table_mut`] gives one.
    pub fn tables_mut(&mut self) -> impl Iterator<Item = &mut Table> {
        self.tables.values_mut().map(Arc::make_mut)
    }

    /// Forgets every column's [`NotNullConstraint`], as a server before PostgreSQL 18
    /// would read the same schema.
    pub fn forget_not_null_names(&mut self) {
        self.not_null_names_unknown = NotCompared(true);
        for table in self.tables_mut() {
            for column in table.columns.values_mut() {
                column.not_null_constraint = None;
            }
        }
    }

    /// The name of the NOT NULL constraint of column `column` of `table` as the server
    /// has it: its own, the one it has from its parent, or the default.
    pub fn not_null_name_of(&self, table: &QualName, column: &Column) -> String {
        if column.not_null_constraint.is_none() && *column.inherited {
            if let Some(name) = self
                .inherited_not_null_names
                .get(&(table.clone(), column.name.clone()))
            {
                return name.clone();
            }
        }
        column.not_null_constraint_name(&table.name)
    }

    /// A child created under `parent` (a partition, or `INHERITS`) on a server that
    /// keeps NOT NULL constraint names (PostgreSQL 18): each NOT NULL column it has from
    /// the parent has the parent's constraint name.
    pub fn inherit_not_null_names(&mut self, child: &QualName, parent: &QualName) {
        if !*self.keeps_not_null_names {
            return;
        }
        let (Some(p), Some(c)) = (self.tables.get(parent), self.tables.get(child)) else {
            return;
        };
        let named: Vec<(String, String)> = c
            .columns
            .values()
            .filter(|col| col.not_null && *col.inherited && col.not_null_constraint.is_none())
            .filter_map(|col| {
                let pc = p.columns.get(&col.name).filter(|pc| pc.not_null)?;
                let name = self.not_null_name_of(parent, pc);
                (name != not_null_name(&child.name, &col.name)).then(|| (col.name.clone(), name))
            })
            .collect();
        for (column, name) in named {
            self.inherited_not_null_names
                .insert((child.clone(), column), name);
        }
    }

    /// A child's columns `columns` no longer inherited (detached, `NO INHERIT`) on a
    /// server that keeps NOT NULL constraint names: each keeps, as its own, the name it
    /// had from the parent.
    pub fn keep_inherited_not_null_names(&mut self, child: &QualName, columns: &[String]) {
        let Some(t) = self.tables.get_mut(child).map(Arc::make_mut) else {
            return;
        };
        for column in columns {
            let key = (child.clone(), column.clone());
            let Some(name) = self.inherited_not_null_names.remove(&key) else {
                continue;
            };
            if let Some(c) = t.columns.get_mut(column) {
                if c.not_null && *c.inherited && c.not_null_constraint.is_none() {
                    c.not_null_constraint =
                        NotNullConstraint::of(&child.name, column, &name, false, false);
                }
            }
        }
    }
}

/// Whether no default privileges are set (the field is then left out of the
/// serialized catalog).
fn no_default_privileges(d: &DefaultPrivileges) -> bool {
    d.is_empty()
}

/// Whether no grant was made by another role than its object's owner.
fn no_foreign_grants(g: &NotCompared<ForeignGrantMap>) -> bool {
    g.is_empty()
}

/// Whether no owner is known (the field is then left out of the serialized catalog).
fn no_owners(owners: &NotCompared<OwnerMap>) -> bool {
    owners.is_empty()
}

impl Catalog {
    /// The schema a freshly created database already has: the `public` schema with its
    /// standard comment. `inspect` and `diff` against "nothing" start from here, so they
    /// never try to create `public`.
    pub fn new_database() -> Catalog {
        let mut catalog = Catalog::default();
        catalog.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
                comment: Some("standard public schema".into()),
            },
        );
        catalog
    }

    /// Number of objects of every kind, for progress and summaries.
    pub fn object_count(&self) -> usize {
        self.schemas.len()
            + self.extensions.len()
            + self.types.len()
            + self.sequences.len()
            + self.tables.len()
            + self.indexes.len()
            + self.views.len()
            + self.functions.len()
            + self.triggers.len()
            + self.collations.len()
            + self.statistics.len()
            + self.publications.len()
            + self.event_triggers.len()
            + self.ts_dictionaries.len()
            + self.ts_configurations.len()
            + self.casts.len()
            + self.rules.len()
            + self.operators.len()
            + self.foreign_data_wrappers.len()
            + self.foreign_servers.len()
    }

    /// Releases the spare capacity left by building the catalog piece by piece (column
    /// maps and dependency sets grow by doubling); a 5,000-table catalog is held twice
    /// during a diff, so it matters.
    pub fn shrink_to_fit(&mut self) {
        for t in self.tables_mut() {
            t.columns.shrink_to_fit();
            t.deps.shrink_to_fit();
            for c in t.columns.values_mut() {
                c.deps.shrink_to_fit();
                c.default_deps.shrink_to_fit();
            }
            for (_, c) in t.constraints.iter_mut() {
                c.deps.shrink_to_fit();
            }
            for (_, p) in t.policies.iter_mut() {
                p.deps.shrink_to_fit();
            }
        }
        for i in self.indexes.values_mut() {
            i.deps.shrink_to_fit();
        }
        for v in self.views.values_mut() {
            v.deps.shrink_to_fit();
            v.columns.shrink_to_fit();
        }
        for f in self.functions.values_mut() {
            f.deps.shrink_to_fit();
        }
        for t in self.triggers.values_mut() {
            t.deps.shrink_to_fit();
        }
        for t in self.types.values_mut() {
            t.deps.shrink_to_fit();
        }
        for s in self.sequences.values_mut() {
            s.deps.shrink_to_fit();
        }
        for s in self.statistics.values_mut() {
            s.deps.shrink_to_fit();
        }
        for e in self.event_triggers.values_mut() {
            e.deps.shrink_to_fit();
        }
        for c in self.casts.values_mut() {
            c.deps.shrink_to_fit();
        }
        for r in self.rules.values_mut() {
            r.deps.shrink_to_fit();
        }
        for o in self.operators.values_mut() {
            o.deps.shrink_to_fit();
        }
        for w in self.foreign_data_wrappers.values_mut() {
            w.deps.shrink_to_fit();
        }
        for v in self.foreign_servers.values_mut() {
            v.deps.shrink_to_fit();
        }
    }

    /// The whole catalog as JSON (`inspect --format json`): each map a list of `[key,
    /// value]` pairs, since JSON objects only take string keys and the catalog's keys
    /// are names with a schema, signatures and (relation, name) pairs.
    pub fn to_json(&self) -> serde_json::Value {
        fn json<T: Serialize>(v: &T) -> serde_json::Value {
            serde_json::to_value(v).expect("catalog objects serialize to JSON")
        }
        let mut value = self.objects_json();
        value["privileges"] = json(&self.privileges);
        value["default_privileges"] = json(&self.default_privileges);
        value["owners"] = json(&self.owners);
        value["unmanaged"] = json(&self.unmanaged);
        value
    }

    /// The objects (not their privileges, owners or what is unmanaged) as JSON, maps as
    /// lists of pairs: what [`Catalog::to_json`] and [`Catalog::fingerprint`] share.
    fn objects_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "schemas": pairs(&self.schemas),
            "extensions": pairs(&self.extensions),
            "types": pairs(&self.types),
            "sequences": pairs(&self.sequences),
            "tables": pairs(&self.tables),
            "indexes": pairs(&self.indexes),
            "views": pairs(&self.views),
            "functions": pairs(&self.functions),
            "triggers": pairs(&self.triggers),
        });
        // Only when there are any, so that fingerprints of catalogs without them stay
        // what they were before these kinds were modelled.
        if !self.collations.is_empty() {
            value["collations"] = serde_json::json!(pairs(&self.collations));
        }
        if !self.statistics.is_empty() {
            value["statistics"] = serde_json::json!(pairs(&self.statistics));
        }
        if !self.publications.is_empty() {
            value["publications"] = serde_json::json!(pairs(&self.publications));
        }
        if !self.event_triggers.is_empty() {
            value["event_triggers"] = serde_json::json!(pairs(&self.event_triggers));
        }
        if !self.ts_dictionaries.is_empty() {
            value["ts_dictionaries"] = serde_json::json!(pairs(&self.ts_dictionaries));
        }
        if !self.ts_configurations.is_empty() {
            value["ts_configurations"] = serde_json::json!(pairs(&self.ts_configurations));
        }
        if !self.casts.is_empty() {
            value["casts"] = serde_json::json!(pairs(&self.casts));
        }
        if !self.rules.is_empty() {
            value["rules"] = serde_json::json!(pairs(&self.rules));
        }
        if !self.operators.is_empty() {
            value["operators"] = serde_json::json!(pairs(&self.operators));
        }
        if !self.foreign_data_wrappers.is_empty() {
            value["foreign_data_wrappers"] = serde_json::json!(pairs(&self.foreign_data_wrappers));
        }
        if !self.foreign_servers.is_empty() {
            value["foreign_servers"] = serde_json::json!(pairs(&self.foreign_servers));
        }
        value
    }

    /// A digest of what the catalog describes (`sha256:...`): equal catalogs give equal
    /// fingerprints. Dependencies, inherited copies and unmanaged objects are left out,
    /// as equality leaves them out, and columns count by name, not position.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut value = self.objects_json();
        // Only when there are any, so that the fingerprints of catalogs without
        // grants stay what they were before privileges were modelled.
        if !self.privileges.is_empty() {
            value["privileges"] =
                serde_json::to_value(&self.privileges).expect("catalog objects serialize to JSON");
        }
        canonical(&mut value);
        let digest = Sha256::digest(value.to_string().as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// Keeps only the objects whose schema passes `keep` (for `--schema` and
    /// `--exclude-schema`). Extensions are kept when their schema passes.
    pub fn retain_schemas(&mut self, keep: impl Fn(&str) -> bool) {
        self.schemas.retain(|name, _| keep(name));
        self.extensions.retain(|_, e| keep(&e.schema));
        self.types.retain(|n, _| keep(&n.schema));
        self.sequences.retain(|n, _| keep(&n.schema));
        self.tables.retain(|n, _| keep(&n.schema));
        self.indexes.retain(|n, _| keep(&n.schema));
        self.views.retain(|n, _| keep(&n.schema));
        self.functions.retain(|k, _| keep(&k.name.schema));
        self.triggers.retain(|(t, _), _| keep(&t.schema));
        self.rules.retain(|(t, _), _| keep(&t.schema));
        self.operators.retain(|_, o| keep(&o.name.schema));
        self.collations.retain(|n, _| keep(&n.schema));
        self.statistics.retain(|n, _| keep(&n.schema));
        self.ts_dictionaries.retain(|n, _| keep(&n.schema));
        self.ts_configurations.retain(|n, _| keep(&n.schema));
        // Publications belong to the database: they stay, listing what is kept.
        for p in self.publications.values_mut() {
            p.tables.retain(|n, _| keep(&n.schema));
            p.schemas.retain(|s| keep(s));
        }
        // Event triggers belong to the database: kept when their function is.
        self.event_triggers
            .retain(|_, e| keep(&e.function.name.schema));
        self.privileges
            .retain(|id, _| id.schema().is_none_or(&keep));
        self.owners.retain(|id, _| id.schema().is_none_or(&keep));
        self.foreign_grants
            .retain(|id, _| id.schema().is_none_or(&keep));
        self.default_privileges
            .retain(|k, _| k.schema.as_deref().is_none_or(&keep));
        self.unmanaged
            .0
            .retain(|u| u.schema.as_deref().is_none_or(&keep));
    }

    /// Only what is inside `schema` (and the schema itself): a tenant schema's part of
    /// a database. What belongs to the database as a whole (publications, event
    /// triggers, casts, foreign data wrappers and servers, extensions) is left out, and
    /// so are grants and owners of it.
    pub fn keep_only_schema(&mut self, schema: &str) {
        self.retain_schemas(|s| s == schema);
        self.publications.clear();
        self.event_triggers.clear();
        self.casts.clear();
        self.foreign_data_wrappers.clear();
        self.foreign_servers.clear();
        self.extensions.clear();
        self.privileges.retain(|id, _| id.schema() == Some(schema));
        self.owners.retain(|id, _| id.schema() == Some(schema));
        self.foreign_grants
            .retain(|id, _| id.schema() == Some(schema));
        self.default_privileges
            .retain(|k, _| k.schema.as_deref() == Some(schema));
    }

    /// Tables whose `REPLICA IDENTITY USING INDEX` index is gone (dropped, or dropped
    /// with its constraint or column) become `NOTHING`, as PostgreSQL treats them and as
    /// introspection reads them. For catalogs built without a server.
    pub fn settle_replica_identities(&mut self) {
        let indexes = &self.indexes;
        for t in self.tables.values_mut().map(Arc::make_mut) {
            let Some(i) = t.replica_identity.index() else {
                continue;
            };
            let own = indexes
                .get(&t.name.sibling(i.to_string()))
                .is_some_and(|x| x.table == t.name)
                || t.constraints.get(i).is_some_and(|c| c.kind.has_index())
                || t.inherited_constraints
                    .get(i)
                    .is_some_and(|c| c.kind.has_index())
                || t.inherited_indexes
                    .contains_key(&t.name.sibling(i.to_string()));
            if !own {
                t.replica_identity = ReplicaIdentity::Nothing;
            }
        }
    }

    /// Whether the catalog holds the object.
    pub fn contains(&self, id: &ObjectId) -> bool {
        let c = self;
        match id {
            ObjectId::Schema(s) => c.schemas.contains_key(s),
            ObjectId::Extension(e) => c.extensions.contains_key(e),
            ObjectId::Type(n) => c.types.contains_key(n),
            ObjectId::Sequence(n) => c.sequences.contains_key(n),
            ObjectId::Table(n) => c.tables.contains_key(n),
            ObjectId::Column(n, col) => {
                c.tables.get(n).is_some_and(|t| t.columns.contains_key(col))
                    || c.views
                        .get(n)
                        .is_some_and(|v| v.columns.iter().any(|vc| &vc.name == col))
            }
            ObjectId::Constraint(n, k) => c
                .tables
                .get(n)
                .is_some_and(|t| t.constraints.contains_key(k)),
            ObjectId::Index(n) => c.indexes.contains_key(n),
            ObjectId::View(n) => c.views.contains_key(n),
            ObjectId::Function(k) => c.functions.contains_key(k),
            ObjectId::Trigger(n, g) => c.triggers.contains_key(&(n.clone(), g.clone())),
            ObjectId::Policy(n, p) => c.tables.get(n).is_some_and(|t| t.policies.contains_key(p)),
            ObjectId::Collation(n) => c.collations.contains_key(n),
            ObjectId::Statistics(n) => c.statistics.contains_key(n),
            ObjectId::Publication(p) => c.publications.contains_key(p),
            ObjectId::EventTrigger(e) => c.event_triggers.contains_key(e),
            ObjectId::TextSearchDictionary(n) => c.ts_dictionaries.contains_key(n),
            ObjectId::TextSearchConfiguration(n) => c.ts_configurations.contains_key(n),
            ObjectId::Cast(k) => c.casts.contains_key(k),
            ObjectId::Rule(n, r) => c.rules.contains_key(&(n.clone(), r.clone())),
            ObjectId::Operator(k) => c.operators.contains_key(k),
            ObjectId::ForeignDataWrapper(w) => c.foreign_data_wrappers.contains_key(w),
            ObjectId::ForeignServer(v) => c.foreign_servers.contains_key(v),
            ObjectId::DefaultPrivileges(k) => c.default_privileges.contains_key(k),
        }
    }

    /// The objects default privileges apply to: schemas, tables, views, sequences,
    /// functions and types.
    pub fn grantable_ids(&self) -> BTreeSet<ObjectId> {
        let mut out = BTreeSet::new();
        out.extend(self.schemas.keys().cloned().map(ObjectId::Schema));
        out.extend(self.tables.keys().cloned().map(ObjectId::Table));
        out.extend(self.views.keys().cloned().map(ObjectId::View));
        out.extend(self.sequences.keys().cloned().map(ObjectId::Sequence));
        out.extend(self.functions.keys().cloned().map(ObjectId::Function));
        out.extend(self.types.keys().cloned().map(ObjectId::Type));
        out
    }

    /// Forgets the privileges and owners of objects the catalog no longer holds (after
    /// a drop).
    pub fn forget_dropped_privileges(&mut self) {
        let gone: Vec<ObjectId> = self
            .privileges
            .keys()
            .chain(self.owners.keys())
            .filter(|id| !self.contains(id))
            .cloned()
            .collect();
        for id in gone {
            self.privileges.remove(&id);
            self.owners.remove(&id);
        }
    }

    /// For a partition, its parent's column `column` (the one it takes its own from).
    pub fn parent_column(&self, partition: &Table, column: &str) -> Option<&Column> {
        let of = partition.partition_of.as_ref()?;
        self.tables.get(&of.parent)?.columns.get(column)
    }

    /// The NOT NULL columns of a partition whose parent's column is nullable: the
    /// partition's own (`PARTITION OF t (note NOT NULL)`).
    pub fn own_not_null<'t>(&self, partition: &'t Table) -> Vec<&'t Column> {
        partition
            .columns
            .values()
            .filter(|c| {
                c.not_null
                    && self
                        .parent_column(partition, &c.name)
                        .is_some_and(|p| !p.not_null)
            })
            .collect()
    }

    /// The objects left alone (not managed, not compared), named for messages.
    pub fn unmanaged_names(&self) -> Vec<String> {
        self.unmanaged.iter().map(|u| u.to_string()).collect()
    }
}

/// Strips what equality ignores from a catalog's JSON, and puts columns in name order.
/// A map as a list of `[key, value]` pairs: JSON objects only take string keys.
fn pairs<K: Serialize, V: Serialize>(map: &BTreeMap<K, V>) -> serde_json::Value {
    let list: Vec<(&K, &V)> = map.iter().collect();
    serde_json::to_value(list).expect("catalog objects serialize to JSON")
}

fn canonical(v: &mut serde_json::Value) {
    const IGNORED: [&str; 6] = [
        "deps",
        "default_deps",
        "inherited",
        "inherited_constraints",
        "inherited_indexes",
        "unmanaged",
    ];
    match v {
        serde_json::Value::Object(map) => {
            for key in IGNORED {
                map.remove(key);
            }
            // A table's columns (not a view's, whose order is part of it).
            let is_table = map.contains_key("partition_by");
            if let (true, Some(serde_json::Value::Array(columns))) =
                (is_table, map.get_mut("columns"))
            {
                columns.sort_by(|a, b| {
                    let name = |x: &serde_json::Value| {
                        x.get("name").and_then(|n| n.as_str()).map(str::to_string)
                    };
                    name(a).cmp(&name(b))
                });
            }
            for child in map.values_mut() {
                canonical(child);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(canonical),
        _ => {}
    }
}

/// A schema (namespace).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The schema's name.
    pub name: String,
    /// `COMMENT ON SCHEMA`.
    pub comment: Option<String>,
}

/// An installed extension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The extension's name, e.g. `citext`.
    pub name: String,
    /// The schema its objects were installed into.
    pub schema: String,
    /// The installed version.
    pub version: String,
    /// `COMMENT ON EXTENSION`.
    pub comment: Option<String>,
}

/// A function's identity: its qualified name and its identity argument types, as
/// `pg_get_function_identity_arguments` spells them (`a integer, b text`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FunctionKey {
    /// The function's schema-qualified name.
    pub name: QualName,
    /// Identity arguments, without defaults.
    pub args: String,
}

impl fmt::Display for FunctionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name, self.args)
    }
}

/// An object found in a source that schemaplan does not manage yet (a foreign table,
/// an event trigger, a rule, an aggregate, ...). Listed in a warning.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmanaged {
    /// What kind of object, e.g. `foreign table`.
    pub kind: String,
    /// The schema it lives in, when it has one.
    pub schema: Option<String>,
    /// Its name as PostgreSQL describes it.
    pub name: String,
}

impl fmt::Display for Unmanaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

/// Names one object of the catalog, for dependencies and ordering. Columns of views are
/// `Column` too (a view's column can be referenced like a table's).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ObjectId {
    /// A schema by name.
    Schema(String),
    /// An extension by name.
    Extension(String),
    /// An enum, domain or composite type.
    Type(QualName),
    /// A sequence.
    Sequence(QualName),
    /// A table (plain, partitioned or partition).
    Table(QualName),
    /// A column of a table or view.
    Column(QualName, String),
    /// A table constraint: (table, constraint name).
    Constraint(QualName, String),
    /// An index (schema-qualified index name).
    Index(QualName),
    /// A view or materialized view.
    View(QualName),
    /// A function or procedure.
    Function(FunctionKey),
    /// A trigger: (table or view, trigger name).
    Trigger(QualName, String),
    /// A row level security policy: (table, policy name).
    Policy(QualName, String),
    /// A collation made with `CREATE COLLATION`.
    Collation(QualName),
    /// An extended statistics object.
    Statistics(QualName),
    /// A publication by name.
    Publication(String),
    /// An event trigger by name.
    EventTrigger(String),
    /// A text search dictionary.
    TextSearchDictionary(QualName),
    /// A text search configuration.
    TextSearchConfiguration(QualName),
    /// A cast, by `(source AS target)`.
    Cast(String),
    /// A rewrite rule: (table or view, rule name).
    Rule(QualName, String),
    /// An operator, by its signature `schema.op(left, right)`.
    Operator(String),
    /// A foreign-data wrapper by name.
    ForeignDataWrapper(String),
    /// A foreign server by name (its user mappings are part of it).
    ForeignServer(String),
    /// One entry of default privileges.
    DefaultPrivileges(DefaultAclKey),
}

impl ObjectId {
    /// The schema the object lives in, if any (extensions have none of their own here).
    pub fn schema(&self) -> Option<&str> {
        match self {
            ObjectId::Schema(s) => Some(s),
            ObjectId::Extension(_)
            | ObjectId::Publication(_)
            | ObjectId::EventTrigger(_)
            | ObjectId::Cast(_)
            | ObjectId::Operator(_)
            | ObjectId::ForeignDataWrapper(_)
            | ObjectId::ForeignServer(_) => None,
            ObjectId::Type(n)
            | ObjectId::Sequence(n)
            | ObjectId::Table(n)
            | ObjectId::Column(n, _)
            | ObjectId::Constraint(n, _)
            | ObjectId::Index(n)
            | ObjectId::View(n)
            | ObjectId::Trigger(n, _)
            | ObjectId::Policy(n, _)
            | ObjectId::Rule(n, _)
            | ObjectId::Collation(n)
            | ObjectId::Statistics(n)
            | ObjectId::TextSearchDictionary(n)
            | ObjectId::TextSearchConfiguration(n) => Some(&n.schema),
            ObjectId::Function(k) => Some(&k.name.schema),
            ObjectId::DefaultPrivileges(k) => k.schema.as_deref(),
        }
    }

    /// The relation this object belongs to, for columns, constraints, triggers and
    /// policies; the object itself for tables and views.
    pub fn relation(&self) -> Option<&QualName> {
        match self {
            ObjectId::Table(n) | ObjectId::View(n) => Some(n),
            ObjectId::Column(n, _)
            | ObjectId::Constraint(n, _)
            | ObjectId::Trigger(n, _)
            | ObjectId::Policy(n, _)
            | ObjectId::Rule(n, _) => Some(n),
            _ => None,
        }
    }

    /// The object's kind as a user reads it (`table`, `column`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            ObjectId::Schema(_) => "schema",
            ObjectId::Extension(_) => "extension",
            ObjectId::Type(_) => "type",
            ObjectId::Sequence(_) => "sequence",
            ObjectId::Table(_) => "table",
            ObjectId::Column(..) => "column",
            ObjectId::Constraint(..) => "constraint",
            ObjectId::Index(_) => "index",
            ObjectId::View(_) => "view",
            ObjectId::Function(_) => "function",
            ObjectId::Trigger(..) => "trigger",
            ObjectId::Policy(..) => "policy",
            ObjectId::Collation(_) => "collation",
            ObjectId::Statistics(_) => "statistics",
            ObjectId::Publication(_) => "publication",
            ObjectId::EventTrigger(_) => "event trigger",
            ObjectId::TextSearchDictionary(_) => "text search dictionary",
            ObjectId::TextSearchConfiguration(_) => "text search configuration",
            ObjectId::Cast(_) => "cast",
            ObjectId::Rule(..) => "rule",
            ObjectId::Operator(_) => "operator",
            ObjectId::ForeignDataWrapper(_) => "foreign-data wrapper",
            ObjectId::ForeignServer(_) => "server",
            ObjectId::DefaultPrivileges(_) => "default privileges",
        }
    }
}

/// Renders as `kind name`, e.g. `column public.users.email`.
impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            ObjectId::Schema(s)
            | ObjectId::Extension(s)
            | ObjectId::Publication(s)
            | ObjectId::EventTrigger(s)
            | ObjectId::ForeignDataWrapper(s)
            | ObjectId::ForeignServer(s) => write!(f, "{kind} {}", Ident(s)),
            ObjectId::Cast(k) | ObjectId::Operator(k) => write!(f, "{kind} {k}"),
            ObjectId::Type(n)
            | ObjectId::Sequence(n)
            | ObjectId::Table(n)
            | ObjectId::Index(n)
            | ObjectId::View(n)
            | ObjectId::Collation(n)
            | ObjectId::Statistics(n)
            | ObjectId::TextSearchDictionary(n)
            | ObjectId::TextSearchConfiguration(n) => write!(f, "{kind} {n}"),
            ObjectId::Column(n, c) => write!(f, "{kind} {n}.{}", Ident(c)),
            ObjectId::Constraint(n, c)
            | ObjectId::Trigger(n, c)
            | ObjectId::Policy(n, c)
            | ObjectId::Rule(n, c) => write!(f, "{kind} {} on {n}", Ident(c)),
            ObjectId::Function(k) => write!(f, "{kind} {k}"),
            ObjectId::DefaultPrivileges(k) => write!(f, "{kind} on {k}"),
        }
    }
}

/// A map for the few entries an object holds (a table's constraints and policies): a
/// sorted vector, iterated in key order like a `BTreeMap`, without a B-tree node of
/// room for eleven entries per table.
pub type SmallMap<K, V> = litemap::LiteMap<K, V>;

/// The objects something depends on. Derived from `pg_depend` (or from parse trees),
/// used for ordering; never part of equality.
pub type Deps = NotCompared<DepSet>;

/// A small set of object ids: a sorted vector without duplicates. Most objects depend
/// on one to three others; a `BTreeSet` would allocate a whole node for each, which
/// made dependencies the largest part of a 5,000-table catalog. A `ThinVec` keeps its
/// length and capacity with the ids, so an empty set (most columns' two sets) is one
/// pointer in the struct that holds it rather than three words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DepSet(thin_vec::ThinVec<ObjectId>);

impl DepSet {
    /// Adds an id; false when it was there already.
    pub fn insert(&mut self, id: ObjectId) -> bool {
        match self.0.binary_search(&id) {
            Ok(_) => false,
            Err(at) => {
                // Room for one more at a time up to four: `Vec` would jump straight to
                // four ids (320 bytes) for the first, and most sets hold one or two. The
                // sets live that large until the catalog is complete, beside the
                // assembly's node map, which is when introspection's memory peaks.
                if self.0.len() == self.0.capacity() && self.0.len() < 4 {
                    self.0.reserve_exact(1);
                }
                self.0.insert(at, id);
                true
            }
        }
    }

    /// Whether the id is in the set.
    pub fn contains(&self, id: &ObjectId) -> bool {
        self.0.binary_search(id).is_ok()
    }

    /// The ids in order.
    pub fn iter(&self) -> std::slice::Iter<'_, ObjectId> {
        self.0.iter()
    }

    /// How many ids there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Releases spare capacity once the set is complete.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl Extend<ObjectId> for DepSet {
    fn extend<I: IntoIterator<Item = ObjectId>>(&mut self, iter: I) {
        for id in iter {
            self.insert(id);
        }
    }
}

impl FromIterator<ObjectId> for DepSet {
    fn from_iter<I: IntoIterator<Item = ObjectId>>(iter: I) -> Self {
        let mut v: thin_vec::ThinVec<ObjectId> = iter.into_iter().collect();
        v.sort();
        v.dedup();
        v.shrink_to_fit();
        DepSet(v)
    }
}

impl<'a> IntoIterator for &'a DepSet {
    type Item = &'a ObjectId;
    type IntoIter = std::slice::Iter<'a, ObjectId>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A value carried alongside the model that never takes part in equality: dependencies,
/// warnings, source positions. Like a span on a token, it describes where a thing came
/// from or what it touches, not what it is.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotCompared<T>(pub T);

impl<T> PartialEq for NotCompared<T> {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<T> Eq for NotCompared<T> {}

impl<T> std::ops::Deref for NotCompared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for NotCompared<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for NotCompared<T> {
    fn from(value: T) -> Self {
        NotCompared(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_do_not_take_part_in_equality() {
        let a: Deps = NotCompared([ObjectId::Schema("a".into())].into_iter().collect());
        let b: Deps = NotCompared::default();
        assert_eq!(a, b);
    }

    #[test]
    fn fingerprints_follow_equality() {
        let a = Catalog::new_database();
        let mut b = a.clone();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let mut t = Table::new(QualName::new("public", "t"));
        t.columns.insert(Column::new("a", "integer"));
        t.columns.insert(Column::new("b", "text"));
        let mut t2 = Table::new(QualName::new("public", "t"));
        t2.columns.insert(Column::new("b", "text"));
        t2.columns.insert(Column::new("a", "integer"));
        t2.deps.insert(ObjectId::Schema("public".into()));
        b.tables.insert(t.name.clone(), t.into());
        let mut c = a.clone();
        c.tables.insert(t2.name.clone(), t2.into());
        assert_eq!(b, c);
        assert_eq!(b.fingerprint(), c.fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn object_ids_read_well() {
        let t = QualName::new("public", "Users");
        assert_eq!(
            ObjectId::Column(t.clone(), "e mail".into()).to_string(),
            "column public.\"Users\".\"e mail\""
        );
        assert_eq!(
            ObjectId::Constraint(t, "users_pkey".into()).to_string(),
            "constraint users_pkey on public.\"Users\""
        );
    }
}
