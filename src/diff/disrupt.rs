//! The diff's first pass: which existing objects must be dropped and created again.
//!
//! Some changes cannot be made while other objects depend on the thing changed:
//! PostgreSQL refuses to change the type of a column a view reads, to drop a function a
//! default calls, to drop a table another table's foreign key references. For each such
//! *disruption* this pass finds the dependents (from the `from` catalog's dependency
//! edges, transitively) and decides what happens to each: dropped and created again, its
//! default dropped and set again, or its column converted to a type that replaces the old
//! one. Order then puts the drops before the disruption and the creates after.

use std::collections::{BTreeSet, VecDeque};

use rustc_hash::FxHashMap;

use crate::model::{Catalog, Column, ObjectId, QualName, TypeKind, View};

/// What the first pass decided.
#[derive(Debug, Default)]
pub struct Disruptions {
    /// Objects of `from` that are dropped and not created again.
    pub gone: BTreeSet<ObjectId>,
    /// Objects on both sides that are dropped and created again.
    pub recreated: BTreeSet<ObjectId>,
    /// Types set aside (renamed) and replaced by a new type of the same name, with their
    /// columns converted in place: enum labels removed or reordered, a domain's base
    /// type changed.
    pub retyped: BTreeSet<QualName>,
    /// Collations set aside (renamed) and replaced by a changed one of the same name;
    /// the columns using them are moved over (`ALTER COLUMN ... TYPE ... COLLATE`).
    pub recollated: BTreeSet<QualName>,
    /// Columns (table, column) whose type changes, directly or through `retyped`.
    pub type_changed: BTreeSet<(QualName, String)>,
    /// Columns whose type is converted because their type is retyped.
    pub converted: BTreeSet<(QualName, String)>,
    /// Columns whose default is dropped before a recreated object it calls is dropped,
    /// and set again after.
    pub default_reset: BTreeSet<(QualName, String)>,
    /// Tables with a column, constraint or policy in any of the sets above: the others
    /// are compared without looking anything up.
    pub tables_touched: BTreeSet<QualName>,
    /// Tables on both sides that differ in anything (compared once, here).
    pub tables_changed: BTreeSet<QualName>,
}

impl Disruptions {
    /// Whether the object is dropped (for good or to be created again).
    pub fn is_dropped(&self, id: &ObjectId) -> bool {
        self.gone.contains(id) || self.recreated.contains(id)
    }

    /// Whether the object is dropped and created again.
    pub fn is_recreated(&self, id: &ObjectId) -> bool {
        self.recreated.contains(id)
    }

    /// Whether the first pass decided anything about parts of this table.
    pub fn touches(&self, table: &QualName) -> bool {
        self.tables_touched.contains(table)
    }

    /// Whether the relation (table or view) named is dropped.
    pub fn relation_dropped(&self, name: &QualName) -> bool {
        self.is_dropped(&ObjectId::Table(name.clone()))
            || self.is_dropped(&ObjectId::View(name.clone()))
    }
}

/// Why an object is being handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// Dropped for good or recreated: everything depending on it must go first.
    Dropped,
    /// A column whose type changes: views, policies, triggers, functions and generated
    /// columns reading it must go first; PostgreSQL rebuilds indexes and constraints.
    TypeChanged,
    /// A type replaced by a new one of the same name.
    Retyped,
}

/// Runs the first pass.
pub fn plan_disruptions(from: &Catalog, to: &Catalog) -> Disruptions {
    let parents = parent_ids(from);
    let graph = DependencyIndex::new(from, &parents);
    let mut d = Disruptions::default();
    let mut work: VecDeque<(ObjectId, Cause)> = VecDeque::new();

    seed(from, to, &mut d, &mut work);

    while let Some((id, cause)) = work.pop_front() {
        if cause == Cause::Dropped {
            for child in graph.children(from, &id) {
                mark_dropped(to, &mut d, &mut work, child);
            }
        }
        for dep in graph.dependents_of(&id) {
            handle_dependent(from, to, &mut d, &mut work, &id, cause, dep);
        }
    }
    let mut touched: BTreeSet<QualName> = BTreeSet::new();
    for id in d.gone.iter().chain(&d.recreated) {
        if let ObjectId::Column(t, _) | ObjectId::Constraint(t, _) | ObjectId::Policy(t, _) = id {
            touched.insert(t.clone());
        }
    }
    for (t, _) in d
        .type_changed
        .iter()
        .chain(&d.converted)
        .chain(&d.default_reset)
    {
        touched.insert(t.clone());
    }
    d.tables_touched = touched;
    d
}

/// Marks an object dropped: recreated when `to` still has it, gone otherwise.
fn mark_dropped(
    to: &Catalog,
    d: &mut Disruptions,
    work: &mut VecDeque<(ObjectId, Cause)>,
    id: ObjectId,
) {
    if d.is_dropped(&id) {
        return;
    }
    if contains(to, &id) {
        d.recreated.insert(id.clone());
    } else {
        d.gone.insert(id.clone());
    }
    work.push_back((id, Cause::Dropped));
}

/// The disruptions that come from comparing each object with its desired form.
fn seed(from: &Catalog, to: &Catalog, d: &mut Disruptions, work: &mut VecDeque<(ObjectId, Cause)>) {
    for (name, ty) in &from.types {
        match to.types.get(name) {
            None => mark_dropped(to, d, work, ObjectId::Type(name.clone())),
            Some(new) if needs_retype(&ty.kind, &new.kind) => {
                d.retyped.insert(name.clone());
                work.push_back((ObjectId::Type(name.clone()), Cause::Retyped));
            }
            Some(_) => {}
        }
    }
    for (name, c) in &from.collations {
        match to.collations.get(name) {
            None => mark_dropped(to, d, work, ObjectId::Collation(name.clone())),
            Some(new) if !same_collation(c, new) => {
                d.recollated.insert(name.clone());
                work.push_back((ObjectId::Collation(name.clone()), Cause::Retyped));
            }
            Some(_) => {}
        }
    }
    for name in from.schemas.keys() {
        if !to.schemas.contains_key(name) {
            mark_dropped(to, d, work, ObjectId::Schema(name.clone()));
        }
    }
    for name in from.extensions.keys() {
        if !to.extensions.contains_key(name) {
            mark_dropped(to, d, work, ObjectId::Extension(name.clone()));
        }
    }
    for name in from.sequences.keys() {
        if !to.sequences.contains_key(name) {
            mark_dropped(to, d, work, ObjectId::Sequence(name.clone()));
        }
    }
    for (name, old) in &from.tables {
        let Some(new) = to.tables.get(name) else {
            mark_dropped(to, d, work, ObjectId::Table(name.clone()));
            continue;
        };
        // A foreign table holds no rows: one whose server, options or columns change is
        // created again rather than altered (no ANALYZE, no rewrite, nothing to keep).
        let foreign_changed = old.foreign != new.foreign
            || (old.foreign.is_some() && {
                let columns = |t: &crate::model::Table| -> Vec<String> {
                    t.columns.values().map(|c| c.definition()).collect()
                };
                columns(old) != columns(new) || old.constraints != new.constraints
            });
        if old.partition_by != new.partition_by || foreign_changed {
            mark_dropped(to, d, work, ObjectId::Table(name.clone()));
            continue;
        }
        if old == new && old.inherited_constraints.is_empty() {
            // Nothing in the table itself changes (the common case).
            continue;
        }
        d.tables_changed.insert(name.clone());
        let both_partitions = old.partition_of.is_some() && new.partition_of.is_some();
        for (cname, col) in &old.columns {
            let id = || ObjectId::Column(name.clone(), cname.clone());
            match new.columns.get(cname) {
                None => mark_dropped(to, d, work, id()),
                Some(_) if both_partitions => {}
                Some(newcol) if needs_column_recreate(col, newcol) => {
                    mark_dropped(to, d, work, id())
                }
                Some(newcol) => {
                    if col.type_name != newcol.type_name || col.collation != newcol.collation {
                        d.type_changed.insert((name.clone(), cname.clone()));
                        work.push_back((id(), Cause::TypeChanged));
                    }
                }
            }
        }
        for (cname, con) in super::effective_constraints(old, new).iter() {
            let changed = match new.constraints.get(cname) {
                None => true,
                Some(n) => {
                    n.kind != con.kind
                        || n.definition != con.definition
                        || (con.validated && !n.validated)
                }
            };
            if changed {
                mark_dropped(
                    to,
                    d,
                    work,
                    ObjectId::Constraint(name.clone(), cname.clone()),
                );
            }
        }
        for (pname, pol) in &old.policies {
            let changed = match new.policies.get(pname) {
                None => true,
                Some(n) => {
                    n.command != pol.command
                        || n.permissive != pol.permissive
                        || (pol.using.is_some() && n.using.is_none())
                        || (pol.with_check.is_some() && n.with_check.is_none())
                }
            };
            if changed {
                mark_dropped(to, d, work, ObjectId::Policy(name.clone(), pname.clone()));
            }
        }
    }
    for (name, idx) in super::effective_indexes(from, to).iter() {
        match to.indexes.get(name) {
            Some(n) if n.definition == idx.definition && n.valid && idx.valid => {}
            _ => mark_dropped(to, d, work, ObjectId::Index(name.clone())),
        }
    }
    for (name, x) in &from.statistics {
        match to.statistics.get(name) {
            Some(n)
                if n.table == x.table
                    && n.kinds == x.kinds
                    && n.columns == x.columns
                    && n.expressions == x.expressions => {}
            _ => mark_dropped(to, d, work, ObjectId::Statistics(name.clone())),
        }
    }
    for (key, x) in &from.rules {
        match to.rules.get(key) {
            Some(n) if n.definition == x.definition => {}
            _ => mark_dropped(to, d, work, ObjectId::Rule(key.0.clone(), key.1.clone())),
        }
    }
    // A server's wrapper and type cannot be altered.
    for (name, x) in &from.foreign_servers {
        match to.foreign_servers.get(name) {
            Some(n) if n.wrapper == x.wrapper && n.server_type == x.server_type => {}
            _ => mark_dropped(to, d, work, ObjectId::ForeignServer(name.clone())),
        }
    }
    for (key, x) in &from.operators {
        match to.operators.get(key) {
            Some(n) if n.definition() == x.definition() => {}
            _ => mark_dropped(to, d, work, ObjectId::Operator(key.clone())),
        }
    }
    for (key, x) in &from.casts {
        match to.casts.get(key) {
            Some(n) if n.function == x.function && n.inout == x.inout && n.context == x.context => {
            }
            _ => mark_dropped(to, d, work, ObjectId::Cast(key.clone())),
        }
    }
    for (name, x) in &from.ts_dictionaries {
        match to.ts_dictionaries.get(name) {
            Some(n) if n.template == x.template => {}
            _ => mark_dropped(to, d, work, ObjectId::TextSearchDictionary(name.clone())),
        }
    }
    for (name, x) in &from.ts_configurations {
        match to.ts_configurations.get(name) {
            Some(n) if n.parser == x.parser => {}
            _ => mark_dropped(to, d, work, ObjectId::TextSearchConfiguration(name.clone())),
        }
    }
    for (name, x) in &from.event_triggers {
        match to.event_triggers.get(name) {
            Some(n) if n.event == x.event && n.tags == x.tags && n.function == x.function => {}
            _ => mark_dropped(to, d, work, ObjectId::EventTrigger(name.clone())),
        }
    }
    for (name, view) in &from.views {
        match to.views.get(name) {
            Some(n) if !needs_view_recreate(view, n) => {}
            _ => mark_dropped(to, d, work, ObjectId::View(name.clone())),
        }
    }
    for (key, f) in &from.functions {
        match to.functions.get(key) {
            // CREATE OR REPLACE AGGREGATE cannot change everything that can differ.
            Some(n)
                if n.kind == f.kind
                    && n.arguments == f.arguments
                    && n.result == f.result
                    && (f.kind != crate::model::FunctionKind::Aggregate
                        || n.definition == f.definition) => {}
            _ => mark_dropped(to, d, work, ObjectId::Function(key.clone())),
        }
    }
    for (key, t) in &from.triggers {
        match to.triggers.get(key) {
            Some(n) if n.definition == t.definition => {}
            Some(n) if !n.constraint && !t.constraint => {}
            _ => mark_dropped(to, d, work, ObjectId::Trigger(key.0.clone(), key.1.clone())),
        }
    }
}

/// Decides what happens to `dep`, which depends on `id`, disrupted for `cause`.
fn handle_dependent(
    from: &Catalog,
    to: &Catalog,
    d: &mut Disruptions,
    work: &mut VecDeque<(ObjectId, Cause)>,
    id: &ObjectId,
    cause: Cause,
    dep: &Dependent,
) {
    let target = &dep.id();
    if target == id {
        return;
    }
    if d.is_dropped(target) {
        return;
    }
    match target {
        ObjectId::Column(rel, col) => {
            if d.relation_dropped(rel) {
                return;
            }
            let Some(column) = from.tables.get(rel).and_then(|t| t.columns.get(col)) else {
                // A view's column: the view itself is handled through its own edges.
                return;
            };
            let key = (rel.clone(), col.clone());
            if dep.via_default() {
                // A generated column cannot lose its expression for a while; a plain
                // default can (and a type change of the column handles its own).
                if column.generated.is_some() {
                    mark_dropped(to, d, work, target.clone());
                } else if cause != Cause::TypeChanged {
                    d.default_reset.insert(key);
                }
                return;
            }
            if cause == Cause::Retyped && !d.type_changed.contains(&key) {
                d.type_changed.insert(key.clone());
                // A column moved to a replaced collation keeps its values: no USING.
                if !matches!(id, ObjectId::Collation(_)) {
                    d.converted.insert(key);
                }
                work.push_back((target.clone(), Cause::TypeChanged));
            }
        }
        ObjectId::Table(name) => {
            if cause == Cause::TypeChanged {
                return;
            }
            // A partition or inheriting child stays when the desired schema detaches
            // it; otherwise dropping the parent takes it along, so it is recreated.
            if let Some(t) = to.tables.get(name) {
                let parent = id.relation();
                let still_child = parent.is_some_and(|p| {
                    t.partition_of.as_ref().is_some_and(|po| &po.parent == p)
                        || t.inherits.contains(p)
                });
                if !still_child && parent.is_some() {
                    return;
                }
            }
            mark_dropped(to, d, work, target.clone());
        }
        ObjectId::Type(name) => {
            if cause == Cause::Retyped && !d.retyped.contains(name) {
                d.retyped.insert(name.clone());
                work.push_back((target.clone(), Cause::Retyped));
            }
        }
        ObjectId::Sequence(_)
        | ObjectId::Schema(_)
        | ObjectId::Extension(_)
        | ObjectId::Collation(_) => {}
        ObjectId::Constraint(..) | ObjectId::Index(_) if cause == Cause::TypeChanged => {
            // ALTER COLUMN ... TYPE rebuilds indexes and constraints itself.
        }
        _ => mark_dropped(to, d, work, target.clone()),
    }
}

/// Whether two collations compare strings alike (everything but the comment equal).
fn same_collation(a: &crate::model::Collation, b: &crate::model::Collation) -> bool {
    a.provider == b.provider
        && a.deterministic == b.deterministic
        && a.lc_collate == b.lc_collate
        && a.lc_ctype == b.lc_ctype
        && a.locale == b.locale
        && a.rules == b.rules
}

/// Whether a type cannot be altered in place into its desired form.
fn needs_retype(from: &TypeKind, to: &TypeKind) -> bool {
    match (from, to) {
        (TypeKind::Enum { labels: a }, TypeKind::Enum { labels: b }) => !is_subsequence(a, b),
        (
            TypeKind::Domain {
                base: a,
                collation: ca,
                ..
            },
            TypeKind::Domain {
                base: b,
                collation: cb,
                ..
            },
        ) => a != b || ca != cb,
        (TypeKind::Composite { attributes: a }, TypeKind::Composite { attributes: b }) => {
            // ALTER TYPE can drop attributes, change their types and add new ones at the
            // end; it cannot move one.
            let kept_from: Vec<&str> = a
                .iter()
                .filter(|x| b.iter().any(|y| y.name == x.name))
                .map(|x| x.name.as_str())
                .collect();
            let kept_to: Vec<&str> = b
                .iter()
                .take(kept_from.len())
                .map(|y| y.name.as_str())
                .collect();
            kept_from != kept_to
        }
        _ => true,
    }
}

/// Whether every element of `a` appears in `b` in the same relative order.
pub(crate) fn is_subsequence(a: &[String], b: &[String]) -> bool {
    let mut it = b.iter();
    a.iter().all(|x| it.any(|y| y == x))
}

/// Whether a column must be dropped and added again: its generation expression or kind
/// (stored, virtual) changes, a plain column becomes generated (PostgreSQL 15 can only
/// drop an expression), or a virtual column becomes plain (it has no stored values to
/// keep: PostgreSQL refuses DROP EXPRESSION on it).
fn needs_column_recreate(from: &Column, to: &Column) -> bool {
    match (&from.generated, &to.generated) {
        (Some(a), Some(b)) => {
            a != b
                || from.type_name != to.type_name
                || from.virtual_generated != to.virtual_generated
        }
        (None, Some(_)) => true,
        (Some(_), None) => from.virtual_generated,
        (None, None) => false,
    }
}

/// Whether a view must be dropped and created rather than replaced: materialized views
/// always; plain views when the existing columns are not kept, in order and type, at
/// the start of the new column list.
pub fn needs_view_recreate(from: &View, to: &View) -> bool {
    if from.materialized != to.materialized {
        return true;
    }
    if from.materialized {
        return from.definition != to.definition
            || from.options != to.options
            || from.columns != to.columns;
    }
    to.columns.len() < from.columns.len() || to.columns[..from.columns.len()] != from.columns[..]
}

/// One object depending on another, and whether through a column's default (or
/// generation) expression rather than its type. Borrowed from the catalog; its
/// [`ObjectId`] is built only when the dependency is followed.
#[derive(Debug, Clone, Copy)]
enum Dependent<'a> {
    Type(&'a QualName),
    Sequence(&'a QualName),
    Table(&'a QualName),
    Column {
        table: &'a QualName,
        column: &'a str,
        via_default: bool,
    },
    Constraint(&'a QualName, &'a str),
    Policy(&'a QualName, &'a str),
    Index(&'a QualName),
    View(&'a QualName),
    Function(&'a crate::model::FunctionKey),
    Trigger(&'a QualName, &'a str),
    Statistics(&'a QualName),
    EventTrigger(&'a str),
    TsConfiguration(&'a QualName),
    Cast(&'a str),
    Rule(&'a QualName, &'a str),
    Operator(&'a str),
    Wrapper(&'a str),
    Server(&'a str),
}

impl Dependent<'_> {
    fn id(&self) -> ObjectId {
        match *self {
            Dependent::Type(n) => ObjectId::Type(n.clone()),
            Dependent::Sequence(n) => ObjectId::Sequence(n.clone()),
            Dependent::Table(n) => ObjectId::Table(n.clone()),
            Dependent::Column { table, column, .. } => {
                ObjectId::Column(table.clone(), column.to_string())
            }
            Dependent::Constraint(t, c) => ObjectId::Constraint(t.clone(), c.to_string()),
            Dependent::Policy(t, p) => ObjectId::Policy(t.clone(), p.to_string()),
            Dependent::Index(n) => ObjectId::Index(n.clone()),
            Dependent::View(n) => ObjectId::View(n.clone()),
            Dependent::Function(k) => ObjectId::Function(k.clone()),
            Dependent::Trigger(t, g) => ObjectId::Trigger(t.clone(), g.to_string()),
            Dependent::Statistics(n) => ObjectId::Statistics(n.clone()),
            Dependent::EventTrigger(n) => ObjectId::EventTrigger(n.to_string()),
            Dependent::TsConfiguration(n) => ObjectId::TextSearchConfiguration(n.clone()),
            Dependent::Cast(k) => ObjectId::Cast(k.to_string()),
            Dependent::Rule(t, r) => ObjectId::Rule(t.clone(), r.to_string()),
            Dependent::Operator(k) => ObjectId::Operator(k.to_string()),
            Dependent::Wrapper(w) => ObjectId::ForeignDataWrapper(w.to_string()),
            Dependent::Server(v) => ObjectId::ForeignServer(v.to_string()),
        }
    }

    fn via_default(&self) -> bool {
        matches!(
            self,
            Dependent::Column {
                via_default: true,
                ..
            }
        )
    }
}

/// `ObjectId::Table` of every parent of a partition or inheriting child, in the order
/// of the catalog's tables and each table's parents: the edges
/// [`DependencyIndex::new`] borrows for them, since the catalog holds no such id.
fn parent_ids(c: &Catalog) -> Vec<ObjectId> {
    c.tables
        .values()
        .flat_map(|t| t.parents())
        .map(|p| ObjectId::Table(p.clone()))
        .collect()
}

/// Reverse dependency edges of a catalog: for each object, what depends on it. Keys
/// and values borrow from the catalog, so building it allocates little.
struct DependencyIndex<'a> {
    /// What depends on each object, grouped by object; one group lists its dependents
    /// in the order the catalog lists them. One flat vector rather than a vector per
    /// object: a large catalog has a hundred thousand edges, most objects one or two
    /// dependents, and a vector each cost several times the edge. Built whole for
    /// every diff, so its size is part of every plan's peak memory.
    dependents: Vec<Dependent<'a>>,
    /// Each object's group in `dependents` (start, end). Hashed rather than found by
    /// binary search in a sorted vector: dropping a large schema asks for the
    /// dependents of every column, and the string comparisons of the search and of
    /// the sort were half of such a plan's diff.
    groups: FxHashMap<&'a ObjectId, (u32, u32)>,
    /// Each relation's indexes, statistics, rules and triggers, in the catalog's order
    /// (so that dropping a relation does not scan every index of the catalog).
    members: FxHashMap<&'a QualName, Vec<Dependent<'a>>>,
}

impl<'a> DependencyIndex<'a> {
    /// The index of `c`'s edges; `parents` is [`parent_ids`] of `c`.
    fn new(c: &'a Catalog, parents: &'a [ObjectId]) -> Self {
        type Edges<'a> = Vec<(&'a ObjectId, Dependent<'a>)>;
        fn add<'a>(edges: &mut Edges<'a>, deps: &'a crate::model::DepSet, who: Dependent<'a>) {
            edges.extend(deps.iter().map(|dep| (dep, who)));
        }
        let mut edges: Edges<'a> = Vec::new();
        let mut parents = parents.iter();
        for t in c.types.values() {
            add(&mut edges, &t.deps, Dependent::Type(&t.name));
        }
        for s in c.sequences.values() {
            add(&mut edges, &s.deps, Dependent::Sequence(&s.name));
        }
        for t in c.tables.values() {
            add(&mut edges, &t.deps, Dependent::Table(&t.name));
            for p in parents.by_ref().take(t.parents().count()) {
                edges.push((p, Dependent::Table(&t.name)));
            }
            for col in t.columns.values() {
                let column = |via_default| Dependent::Column {
                    table: &t.name,
                    column: &col.name,
                    via_default,
                };
                add(&mut edges, &col.deps, column(false));
                add(&mut edges, &col.default_deps, column(true));
            }
            for con in t.constraints.values() {
                add(
                    &mut edges,
                    &con.deps,
                    Dependent::Constraint(&t.name, &con.name),
                );
            }
            for pol in t.policies.values() {
                add(&mut edges, &pol.deps, Dependent::Policy(&t.name, &pol.name));
            }
        }
        for i in c.indexes.values() {
            add(&mut edges, &i.deps, Dependent::Index(&i.name));
        }
        for v in c.views.values() {
            add(&mut edges, &v.deps, Dependent::View(&v.name));
        }
        for f in c.functions.values() {
            add(&mut edges, &f.deps, Dependent::Function(&f.key));
        }
        for t in c.triggers.values() {
            add(&mut edges, &t.deps, Dependent::Trigger(&t.table, &t.name));
        }
        for x in c.statistics.values() {
            add(&mut edges, &x.deps, Dependent::Statistics(&x.name));
        }
        for x in c.event_triggers.values() {
            add(&mut edges, &x.deps, Dependent::EventTrigger(&x.name));
        }
        for x in c.ts_configurations.values() {
            add(&mut edges, &x.deps, Dependent::TsConfiguration(&x.name));
        }
        for (k, x) in &c.casts {
            add(&mut edges, &x.deps, Dependent::Cast(k));
        }
        for x in c.rules.values() {
            add(&mut edges, &x.deps, Dependent::Rule(&x.table, &x.name));
        }
        for (k, x) in &c.operators {
            add(&mut edges, &x.deps, Dependent::Operator(k));
        }
        for (k, x) in &c.foreign_data_wrappers {
            add(&mut edges, &x.deps, Dependent::Wrapper(k));
        }
        for (k, x) in &c.foreign_servers {
            add(&mut edges, &x.deps, Dependent::Server(k));
        }
        // Grouped by a counting pass: each object's count, then its group's start, then
        // every edge placed at its group's next free slot, in the catalog's order.
        let mut groups: FxHashMap<&'a ObjectId, (u32, u32)> = FxHashMap::default();
        for (id, _) in &edges {
            groups.entry(id).or_default().1 += 1;
        }
        let mut next = 0u32;
        for (start, end) in groups.values_mut() {
            *start = next;
            next += *end;
            *end = *start;
        }
        let mut slots = vec![0u32; edges.len()];
        for (edge, (id, _)) in edges.iter().enumerate() {
            let group = groups.get_mut(id).expect("counted above");
            slots[group.1 as usize] = edge as u32;
            group.1 += 1;
        }
        let dependents: Vec<Dependent<'a>> = slots
            .into_iter()
            .map(|edge| edges[edge as usize].1)
            .collect();
        drop(edges);
        let mut members: FxHashMap<&'a QualName, Vec<Dependent<'a>>> = FxHashMap::default();
        for i in c.indexes.values() {
            members
                .entry(&i.table)
                .or_default()
                .push(Dependent::Index(&i.name));
        }
        for x in c.statistics.values() {
            members
                .entry(&x.table)
                .or_default()
                .push(Dependent::Statistics(&x.name));
        }
        for (t, r) in c.rules.keys() {
            members.entry(t).or_default().push(Dependent::Rule(t, r));
        }
        for (t, g) in c.triggers.keys() {
            members.entry(t).or_default().push(Dependent::Trigger(t, g));
        }
        DependencyIndex {
            dependents,
            groups,
            members,
        }
    }

    /// What depends on `id`, in the catalog's order.
    fn dependents_of<'s>(&'s self, id: &ObjectId) -> impl Iterator<Item = &'s Dependent<'a>> {
        let (start, end) = self.groups.get(id).copied().unwrap_or_default();
        self.dependents[start as usize..end as usize].iter()
    }

    /// The objects that live inside a relation and go when it is dropped: its
    /// columns, constraints, policies, indexes and triggers. A column's "children" are
    /// none.
    fn children(&self, c: &Catalog, id: &ObjectId) -> Vec<ObjectId> {
        let mut out = Vec::new();
        let name = match id {
            ObjectId::Table(n) => {
                if let Some(t) = c.tables.get(n) {
                    out.extend(
                        t.columns
                            .keys()
                            .map(|k| ObjectId::Column(n.clone(), k.clone())),
                    );
                    out.extend(
                        t.constraints
                            .keys()
                            .map(|k| ObjectId::Constraint(n.clone(), k.clone())),
                    );
                    out.extend(
                        t.policies
                            .keys()
                            .map(|k| ObjectId::Policy(n.clone(), k.clone())),
                    );
                }
                n
            }
            ObjectId::View(n) => {
                if let Some(v) = c.views.get(n) {
                    out.extend(
                        v.columns
                            .iter()
                            .map(|col| ObjectId::Column(n.clone(), col.name.clone())),
                    );
                }
                n
            }
            _ => return out,
        };
        out.extend(
            self.members
                .get(name)
                .into_iter()
                .flatten()
                .map(Dependent::id),
        );
        out
    }
}

/// Whether the catalog has the object.
pub fn contains(c: &Catalog, id: &ObjectId) -> bool {
    c.contains(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn enum_labels_added_in_place_but_not_removed_or_moved() {
        let a = TypeKind::Enum {
            labels: labels(&["a", "b"]),
        };
        let added = TypeKind::Enum {
            labels: labels(&["a", "x", "b", "y"]),
        };
        let removed = TypeKind::Enum {
            labels: labels(&["a"]),
        };
        let moved = TypeKind::Enum {
            labels: labels(&["b", "a"]),
        };
        assert!(!needs_retype(&a, &added));
        assert!(needs_retype(&a, &removed));
        assert!(needs_retype(&a, &moved));
    }
}
