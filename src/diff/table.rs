//! Diff of tables (columns, constraints, policies, partitions), indexes and triggers.

use std::sync::Arc;

use crate::model::{Column, Index, ObjectId, QualName, ReplicaIdentity, Table};

use super::{
    pair_up, retired_type_name, Change, ColumnChange, CommentTarget, Emitter, TableChange,
};

/// Tables and everything inside them.
pub(crate) fn diff_tables(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.tables, &e.to.tables) {
        match (from, to) {
            (Some(f), None) => {
                // Back to DEFAULT first, so that the down section sets `USING INDEX`
                // again once the index is back.
                if f.replica_identity.index().is_some() {
                    replica_identity(e, name, &f.replica_identity, &ReplicaIdentity::Default);
                }
                e.push(Change::DropTable(f.clone()))
            }
            (None, Some(t)) => create_table(e, t),
            (Some(f), Some(t)) => {
                if e.d.is_recreated(&ObjectId::Table(name.clone())) {
                    e.push(Change::DropTable(f.clone()));
                    create_table(e, t);
                } else {
                    if e.d.tables_changed.contains(&t.name) || e.d.touches(&t.name) {
                        alter_table(e, f, t);
                    }
                    identity_index_recreated(e, f, t);
                }
            }
            (None, None) => {}
        }
    }
}

/// `ALTER TABLE ONLY t REPLICA IDENTITY ...` from one identity to another.
fn replica_identity(
    e: &mut Emitter,
    table: &QualName,
    from: &ReplicaIdentity,
    to: &ReplicaIdentity,
) {
    e.push(Change::AlterReplicaIdentity {
        table: table.clone(),
        from: from.clone(),
        to: to.clone(),
    });
}

/// A table whose identity index stays the same by name but is dropped and built again
/// (its definition changes, or its constraint is recreated): the new index is not the
/// identity until told so. Revert to DEFAULT before the drop, set it again after.
fn identity_index_recreated(e: &mut Emitter, f: &Table, t: &Table) {
    let (Some(a), Some(b)) = (f.replica_identity.index(), t.replica_identity.index()) else {
        return;
    };
    if a != b {
        return;
    }
    let recreated = e
        .d
        .is_recreated(&ObjectId::Index(t.name.sibling(a.to_string())))
        || e.d
            .is_recreated(&ObjectId::Constraint(t.name.clone(), a.to_string()))
        || matches!(
            (e.from.indexes.get(&t.name.sibling(a.to_string())), e.to.indexes.get(&t.name.sibling(a.to_string()))),
            (Some(x), Some(y)) if x.definition != y.definition
        );
    if recreated {
        replica_identity(e, &t.name, &f.replica_identity, &ReplicaIdentity::Default);
        replica_identity(e, &t.name, &ReplicaIdentity::Default, &t.replica_identity);
    }
}

/// `CREATE TABLE` with the constraints that can be written inside it, then the rest:
/// constraints added `NOT VALID`, a partition's own constraints, and policies (which
/// may read other tables).
fn create_table(e: &mut Emitter, t: &Arc<Table>) {
    let inline: Vec<String> = if t.partition_of.is_some() {
        Vec::new()
    } else {
        t.constraints
            .values()
            .filter(|c| c.validated)
            .map(|c| c.name.clone())
            .collect()
    };
    for c in t.constraints.values() {
        if !inline.contains(&c.name) {
            e.push(Change::CreateConstraint {
                table: t.name.clone(),
                constraint: c.clone(),
            });
        }
    }
    for p in t.policies.values() {
        e.push(Change::CreatePolicy {
            table: t.name.clone(),
            policy: p.clone(),
        });
    }
    e.push(Change::CreateTable {
        table: t.clone(),
        inline,
    });
    // `PARTITION OF` takes the parent's columns; a NOT NULL of the partition's own
    // follows it.
    for c in e.to.own_not_null(t) {
        let mut nullable = c.clone();
        nullable.not_null = false;
        e.push(Change::AlterColumn {
            table: t.name.clone(),
            from: nullable,
            to: c.clone(),
            what: ColumnChange::NotNull,
        });
    }
    // FULL and NOTHING are written with the table; an index must be built first.
    if t.replica_identity.index().is_some() {
        replica_identity(e, &t.name, &ReplicaIdentity::Default, &t.replica_identity);
    }
}

fn alter_table(e: &mut Emitter, f: &Arc<Table>, t: &Arc<Table>) {
    let name = &t.name;
    let alter = |what| Change::AlterTable {
        from: f.clone(),
        to: t.clone(),
        what,
    };

    // A partition leaves its old parent before its columns change, and joins the new
    // one after.
    let detach = match (&f.partition_of, &t.partition_of) {
        (Some(a), Some(b)) => a != b,
        (Some(_), None) => true,
        _ => false,
    };
    if detach {
        if let Some(of) = &f.partition_of {
            e.push(Change::DetachPartition {
                table: f.clone(),
                of: of.clone(),
            });
        }
    }

    for parent in &f.inherits {
        if !t.inherits.contains(parent) {
            e.push(alter(TableChange::NoInherit(parent.clone())));
        }
    }

    let both_partitions = f.partition_of.is_some() && t.partition_of.is_some();
    if !both_partitions {
        let left = left_parents(e, f, t, detach);
        diff_columns(e, &left, t);
    } else {
        partition_not_null(e, f, t);
    }

    let from_constraints = super::effective_constraints(f, t);
    // ALTER TABLE ... INHERIT wants the child to have the parent's checks already; they
    // merge into the inherited ones.
    let gains_parent = t.inherits.iter().any(|p| !f.inherits.contains(p));
    let mut to_constraints = std::borrow::Cow::Borrowed(&t.constraints);
    if gains_parent {
        for (k, c) in t.inherited_constraints.iter() {
            if c.kind == crate::model::ConstraintKind::Check {
                to_constraints
                    .to_mut()
                    .entry(k.clone())
                    .or_insert_with(|| c.clone());
            }
        }
    }
    for (cname, from, to) in pair_up(from_constraints.iter(), to_constraints.iter()) {
        let id = ObjectId::Constraint(name.clone(), cname.clone());
        match (from, to) {
            (Some(fc), None) => e.push(Change::DropConstraint {
                table: name.clone(),
                constraint: fc.clone(),
            }),
            (None, Some(tc)) => e.push(Change::CreateConstraint {
                table: name.clone(),
                constraint: tc.clone(),
            }),
            (Some(fc), Some(tc)) => {
                if e.d.is_recreated(&id) {
                    e.push(Change::DropConstraint {
                        table: name.clone(),
                        constraint: fc.clone(),
                    });
                    e.push(Change::CreateConstraint {
                        table: name.clone(),
                        constraint: tc.clone(),
                    });
                    continue;
                }
                if !fc.validated && tc.validated {
                    e.push(Change::ValidateConstraint {
                        table: name.clone(),
                        constraint: tc.clone(),
                    });
                }
                e.comment(id, CommentTarget::Constraint, &fc.comment, &tc.comment);
            }
            (None, None) => {}
        }
    }

    for (pname, from, to) in pair_up(f.policies.iter(), t.policies.iter()) {
        let id = ObjectId::Policy(name.clone(), pname.clone());
        match (from, to) {
            (Some(fp), None) => e.push(Change::DropPolicy {
                table: name.clone(),
                policy: fp.clone(),
            }),
            (None, Some(tp)) => e.push(Change::CreatePolicy {
                table: name.clone(),
                policy: tp.clone(),
            }),
            (Some(fp), Some(tp)) => {
                if e.d.is_recreated(&id) {
                    e.push(Change::DropPolicy {
                        table: name.clone(),
                        policy: fp.clone(),
                    });
                    e.push(Change::CreatePolicy {
                        table: name.clone(),
                        policy: tp.clone(),
                    });
                    continue;
                }
                if fp.roles != tp.roles || fp.using != tp.using || fp.with_check != tp.with_check {
                    e.push(Change::AlterPolicy {
                        table: name.clone(),
                        from: fp.clone(),
                        to: tp.clone(),
                    });
                }
                e.comment(id, CommentTarget::Policy, &fp.comment, &tp.comment);
            }
            (None, None) => {}
        }
    }

    if f.rls_enabled != t.rls_enabled {
        e.push(alter(TableChange::RowLevelSecurity));
    }
    if f.rls_forced != t.rls_forced {
        e.push(alter(TableChange::ForceRowLevelSecurity));
    }
    if f.unlogged != t.unlogged {
        e.push(alter(TableChange::Logged));
    }
    if f.options != t.options {
        e.push(alter(TableChange::Options));
    }
    if f.replica_identity != t.replica_identity {
        replica_identity(e, name, &f.replica_identity, &t.replica_identity);
    }
    for parent in &t.inherits {
        if !f.inherits.contains(parent) {
            e.push(alter(TableChange::Inherit(parent.clone())));
        }
    }
    let attach = match (&f.partition_of, &t.partition_of) {
        (Some(a), Some(b)) => a != b,
        (None, Some(_)) => true,
        _ => false,
    };
    if attach {
        if let Some(of) = &t.partition_of {
            e.push(Change::AttachPartition {
                table: t.clone(),
                of: of.clone(),
            });
        }
    }
    e.comment(
        ObjectId::Table(name.clone()),
        if t.foreign.is_some() {
            CommentTarget::ForeignTable
        } else {
            CommentTarget::Table
        },
        &f.comment,
        &t.comment,
    );
}

/// A partition's columns follow its parent's, but a partition may add its own NOT NULL
/// (`PARTITION OF t (note NOT NULL)`): set or drop it where the parent's NOT NULL stays
/// as it is (a change on the parent reaches every partition by itself).
fn partition_not_null(e: &mut Emitter, f: &Table, t: &Table) {
    for (cname, tc) in &t.columns {
        let Some(fc) = f.columns.get(cname) else {
            continue;
        };
        let parent_not_null =
            |c: &crate::model::Catalog| c.parent_column(t, cname).map(|p| p.not_null);
        let parent = (parent_not_null(e.from), parent_not_null(e.to));
        if fc.not_null != tc.not_null && parent.0 == parent.1 && parent.1 != Some(true) {
            e.push(Change::AlterColumn {
                table: t.name.clone(),
                from: fc.clone(),
                to: tc.clone(),
                what: ColumnChange::NotNull,
            });
        }
    }
}

/// The table as it is once it has left its parents (a partition detached, `NO
/// INHERIT`): on PostgreSQL 18 the NOT NULL constraints it had from them become its
/// own, under the parents' names.
fn left_parents<'t>(
    e: &Emitter,
    f: &'t Table,
    t: &Table,
    detach: bool,
) -> std::borrow::Cow<'t, Table> {
    let mut parents: Vec<&QualName> = f
        .inherits
        .iter()
        .filter(|p| !t.inherits.contains(p))
        .collect();
    if detach {
        parents.extend(f.partition_of.as_ref().map(|of| &of.parent));
    }
    if parents.is_empty() || *e.from.not_null_names_unknown || *e.to.not_null_names_unknown {
        return std::borrow::Cow::Borrowed(f);
    }
    let mut left = f.clone();
    for c in left.columns.values_mut() {
        if !c.not_null || !*c.inherited || c.not_null_constraint.is_some() {
            continue;
        }
        let key = (f.name.clone(), c.name.clone());
        if let Some(name) = e.from.inherited_not_null_names.get(&key) {
            c.not_null_constraint =
                crate::model::NotNullConstraint::of(&f.name.name, &c.name, name, false, false);
        }
    }
    std::borrow::Cow::Owned(left)
}

/// Columns of a table present on both sides: dropped, added, recreated or altered.
fn diff_columns(e: &mut Emitter, f: &Table, t: &Table) {
    let name = &t.name;
    for (cname, fc) in &f.columns {
        if !t.columns.contains_key(cname) {
            e.push(Change::DropColumn {
                table: name.clone(),
                column: fc.clone(),
            });
        }
    }
    for (cname, tc) in &t.columns {
        match f.columns.get(cname) {
            None => e.push(Change::CreateColumn {
                table: name.clone(),
                column: tc.clone(),
            }),
            Some(fc) if fc == tc && !e.d.touches(name) => {}
            Some(fc) => {
                if e.d
                    .is_recreated(&ObjectId::Column(name.clone(), cname.clone()))
                {
                    e.push(Change::DropColumn {
                        table: name.clone(),
                        column: fc.clone(),
                    });
                    e.push(Change::CreateColumn {
                        table: name.clone(),
                        column: tc.clone(),
                    });
                } else {
                    alter_column(e, name, fc, tc);
                }
            }
        }
    }
}

/// The alterations of one column, in the order PostgreSQL needs them: an expression
/// dropped first; a default removed before an identity is added; NOT NULL set before an
/// identity is added; the type; a default set after an identity is dropped; NOT NULL
/// dropped last.
fn alter_column(e: &mut Emitter, table: &QualName, fc: &Column, tc: &Column) {
    let key = (table.clone(), tc.name.clone());
    let alter = |from: &Column, to: &Column, what| Change::AlterColumn {
        table: table.clone(),
        from: from.clone(),
        to: to.clone(),
        what,
    };
    let type_changes = fc.type_name != tc.type_name
        || fc.collation != tc.collation
        || e.d.type_changed.contains(&key);
    let reset = e.d.default_reset.contains(&key) && !type_changes;

    if fc.generated.is_some() && tc.generated.is_none() {
        e.push(alter(fc, tc, ColumnChange::DropExpression));
    }
    // A column's default, as it stands after any removal below.
    let mut current = fc.clone();
    current.generated = tc.generated.clone();
    if !type_changes && current.default.is_some() && (reset || tc.default.is_none()) {
        let mut next = current.clone();
        next.default = None;
        next.default_deps = Default::default();
        e.push(alter(&current, &next, ColumnChange::Default));
        current = next;
    }
    if tc.not_null && !fc.not_null {
        e.push(alter(fc, tc, ColumnChange::NotNull));
    }
    let names_known = !*e.from.not_null_names_unknown && !*e.to.not_null_names_unknown;
    if tc.not_null && fc.not_null && names_known && fc.not_null_constraint != tc.not_null_constraint
    {
        e.push(alter(fc, tc, ColumnChange::NotNullConstraint));
    }
    // An identity whose column changes type: PostgreSQL moves the sequence to the new
    // type with the column (and its default bounds with it), so option changes follow
    // the type, where they are checked against the new type's range.
    let identity_kept = fc.identity.is_some() && tc.identity.is_some();
    let identity_after_type = type_changes && identity_kept;
    if fc.identity != tc.identity && !identity_after_type {
        e.push(alter(fc, tc, ColumnChange::Identity));
    }
    if type_changes {
        let mut old = fc.clone();
        retire_deps(e, &mut old);
        let using = if e.d.converted.contains(&key) {
            Some(conversion(e, tc))
        } else if using_cast(&fc.type_name, &tc.type_name) {
            // Between an enum and another user type there is no cast but the one
            // through text (labels are text).
            let through_text = [&fc.type_name, &tc.type_name]
                .iter()
                .any(|t| is_enum(e.from, t) || is_enum(e.to, t))
                && !is_string_type(&fc.type_name);
            let col = crate::model::Ident(&tc.name);
            Some(if through_text {
                let array = if tc.type_name.ends_with("[]") {
                    "[]"
                } else {
                    ""
                };
                format!("{col}::text{array}::{}", tc.type_name)
            } else {
                format!("{col}::{}", tc.type_name)
            })
        } else {
            None
        };
        e.push(alter(&old, tc, ColumnChange::Type { using }));
        if identity_after_type {
            let mut retyped = fc.clone();
            retyped.type_name = tc.type_name.clone();
            if let Some(id) = retyped.identity.as_mut() {
                id.options = id.options.retyped(&fc.type_name, &tc.type_name);
            }
            if retyped.identity != tc.identity {
                e.push(alter(&retyped, tc, ColumnChange::Identity));
            }
        }
    } else if current.default != tc.default {
        e.push(alter(&current, tc, ColumnChange::Default));
    }
    if !tc.not_null && fc.not_null {
        e.push(alter(fc, tc, ColumnChange::NotNull));
    }
    e.comment(
        ObjectId::Column(table.clone(), tc.name.clone()),
        CommentTarget::Column,
        &fc.comment,
        &tc.comment,
    );
}

/// A column being converted still depends on the old type, which by then has been set
/// aside under its retired name: point its dependencies there so ordering drops the old
/// type only after the conversion.
fn retire_deps(e: &Emitter, col: &mut Column) {
    for deps in [&mut col.deps.0, &mut col.default_deps.0] {
        let retired: crate::model::DepSet = deps
            .iter()
            .map(|id| match id {
                ObjectId::Type(n) if e.d.retyped.contains(n) => {
                    ObjectId::Type(retired_type_name(n))
                }
                ObjectId::Collation(n) if e.d.recollated.contains(n) => {
                    ObjectId::Collation(retired_type_name(n))
                }
                other => other.clone(),
            })
            .collect();
        *deps = retired;
    }
}

/// `USING` for a column whose type is replaced by a new type of the same name: through
/// text for enums and composites (their labels and fields survive), directly for
/// domains (cast to the base type).
fn conversion(e: &Emitter, to: &Column) -> String {
    let col = crate::model::Ident(&to.name);
    let (base, array) = match to.type_name.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (to.type_name.as_str(), ""),
    };
    let is_domain = e.to.types.values().any(|t| {
        t.name.to_string() == base && matches!(t.kind, crate::model::TypeKind::Domain { .. })
    });
    if is_domain {
        format!("{col}::{}", to.type_name)
    } else {
        format!("{col}::text{array}::{}", to.type_name)
    }
}

/// Whether `ALTER COLUMN ... TYPE` needs `USING` to go from one type to another: false
/// when PostgreSQL has an implicit or assignment cast (numbers among themselves, any type
/// to a string type, json and jsonb, timestamps, a typmod change), true otherwise.
pub fn using_cast(from: &str, to: &str) -> bool {
    let (from, to) = (strip_typmod(from), strip_typmod(to));
    let (from, to) = match (from.strip_suffix("[]"), to.strip_suffix("[]")) {
        (Some(a), Some(b)) => (a.to_string(), b.to_string()),
        (None, None) => (from, to),
        _ => return true,
    };
    if from == to {
        return false;
    }
    const STRINGS: &[&str] = &["text", "character varying", "character", "name", "\"char\""];
    if STRINGS.contains(&to.as_str()) {
        return false;
    }
    const FAMILIES: &[&[&str]] = &[
        &[
            "smallint",
            "integer",
            "bigint",
            "numeric",
            "real",
            "double precision",
        ],
        &["json", "jsonb"],
        &[
            "date",
            "timestamp without time zone",
            "timestamp with time zone",
        ],
        &["time without time zone", "time with time zone"],
        &["inet", "cidr"],
        &["bit", "bit varying"],
    ];
    !FAMILIES
        .iter()
        .any(|fam| fam.contains(&from.as_str()) && fam.contains(&to.as_str()))
}

/// Whether PostgreSQL has no cast at all from one built-in type to another (`bigint` to
/// `timestamp`, `boolean` to `date`): `ALTER COLUMN ... TYPE` then needs a conversion
/// the user writes. False when a cast exists or when either type is not a built-in
/// scalar type this knows (a user type, an array), so it never refuses a change that
/// could work.
pub fn no_cast_between(from: &str, to: &str) -> bool {
    let family = |t: &str| -> Option<&'static str> {
        Some(match strip_typmod(t).as_str() {
            "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => "number",
            "boolean" => "boolean",
            "date" | "timestamp without time zone" | "timestamp with time zone" => "instant",
            "time without time zone" | "time with time zone" | "interval" => "time",
            "uuid" => "uuid",
            "bytea" => "bytea",
            "json" | "jsonb" => "json",
            "inet" | "cidr" | "macaddr" | "macaddr8" => "network",
            _ => return None,
        })
    };
    let (Some(a), Some(b)) = (family(from), family(to)) else {
        return false;
    };
    if a == b {
        return false;
    }
    let (from, to) = (strip_typmod(from), strip_typmod(to));
    // The casts between families PostgreSQL has.
    let exists = match (a, b) {
        ("number", "boolean") | ("boolean", "number") => from == "integer" || to == "integer",
        ("json", "number") | ("json", "boolean") => from == "jsonb",
        ("instant", "time") => from != "date" && to != "interval",
        _ => false,
    };
    !exists
}

/// Whether `type_name` (or its array) names an enum of `catalog`.
fn is_enum(catalog: &crate::model::Catalog, type_name: &str) -> bool {
    let base = type_name.strip_suffix("[]").unwrap_or(type_name);
    catalog.types.values().any(|t| {
        t.name.to_string() == base && matches!(t.kind, crate::model::TypeKind::Enum { .. })
    })
}

/// `text`, `varchar` and `char`, with or without typmod: they cast to anything.
fn is_string_type(type_name: &str) -> bool {
    matches!(
        strip_typmod(type_name).as_str(),
        "text" | "character varying" | "character"
    )
}

/// A type name without its modifiers: `character varying(20)` → `character varying`,
/// `timestamp(3) with time zone` → `timestamp with time zone`.
fn strip_typmod(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut depth = 0;
    for ch in t.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Indexes not owned by constraints. An index goes with its table when the table is
/// dropped, so only indexes of surviving tables are dropped explicitly.
pub(crate) fn diff_indexes(e: &mut Emitter) {
    let from_indexes = super::effective_indexes(e.from, e.to);
    for (name, from, to) in pair_up(from_indexes.iter(), &e.to.indexes) {
        match (from, to) {
            (Some(f), None) => {
                if !e.d.relation_dropped(&f.table) && !adopted_by_new_parent_index(e, f) {
                    e.push(Change::DropIndex(f.clone()));
                }
            }
            (None, Some(t)) => e.push(Change::CreateIndex(t.clone())),
            (Some(f), Some(t)) => {
                if e.d.is_recreated(&ObjectId::Index(name.clone())) {
                    if !e.d.relation_dropped(&f.table) {
                        e.push(Change::DropIndex(f.clone()));
                    }
                    e.push(Change::CreateIndex(t.clone()));
                } else {
                    e.comment(
                        ObjectId::Index(name.clone()),
                        CommentTarget::Index,
                        &f.comment,
                        &t.comment,
                    );
                }
            }
            (None, None) => {}
        }
    }
}

/// Extended statistics: dropped and created again when what they cover changes (or a
/// column they cover is retyped), altered in place when only the target does.
pub(crate) fn diff_statistics(e: &mut Emitter) {
    for (name, from, to) in pair_up(&e.from.statistics, &e.to.statistics) {
        let id = ObjectId::Statistics(name.clone());
        match (from, to) {
            (Some(f), None) => {
                if !e.d.relation_dropped(&f.table) {
                    e.push(Change::DropStatistics(f.clone()));
                }
            }
            (None, Some(t)) => e.push(Change::CreateStatistics(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                if !e.d.relation_dropped(&f.table) {
                    e.push(Change::DropStatistics(f.clone()));
                }
                e.push(Change::CreateStatistics(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.target != t.target {
                    e.push(Change::AlterStatistics {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(id, CommentTarget::Statistics, &f.comment, &t.comment);
            }
            (None, None) => {}
        }
    }
}

/// Whether a partition's own index becomes, unchanged, its copy of an index created on
/// the partitioned table in this plan: `CREATE INDEX` on the parent attaches a matching
/// index a partition already has instead of building one, so the index is kept (no
/// drop, no rebuild) and keeps its name.
fn adopted_by_new_parent_index(e: &Emitter, f: &Index) -> bool {
    let Some(part) = e.to.tables.get(&f.table) else {
        return false;
    };
    let (Some(of), Some(copy)) = (&part.partition_of, part.inherited_indexes.get(&f.name)) else {
        return false;
    };
    if copy.definition != f.definition {
        return false;
    }
    e.to.indexes.values().any(|p| {
        p.table == of.parent
            && p.same_shape(f)
            && (!e.from.indexes.contains_key(&p.name)
                || e.d.is_recreated(&ObjectId::Index(p.name.clone())))
    })
}

/// Rewrite rules: dropped and created again when their definition changes (or what
/// they use is recreated), altered when only their firing does.
pub(crate) fn diff_rules(e: &mut Emitter) {
    for ((rel, name), from, to) in pair_up(&e.from.rules, &e.to.rules) {
        let id = ObjectId::Rule(rel.clone(), name.clone());
        match (from, to) {
            (Some(f), None) => {
                if !e.d.relation_dropped(rel) {
                    e.push(Change::DropRule(f.clone()));
                }
            }
            (None, Some(t)) => e.push(Change::CreateRule(t.clone())),
            (Some(f), Some(t)) if e.d.is_recreated(&id) => {
                if !e.d.relation_dropped(rel) {
                    e.push(Change::DropRule(f.clone()));
                }
                e.push(Change::CreateRule(t.clone()));
            }
            (Some(f), Some(t)) => {
                if f.enabled != t.enabled {
                    e.push(Change::AlterRule {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(id, CommentTarget::Rule, &f.comment, &t.comment);
            }
            (None, None) => {}
        }
    }
}

/// Triggers on tables and views.
pub(crate) fn diff_triggers(e: &mut Emitter) {
    let pairs: Vec<_> = pair_up(&e.from.triggers, &e.to.triggers);
    for ((rel, name), from, to) in pairs {
        let id = ObjectId::Trigger(rel.clone(), name.clone());
        match (from, to) {
            (Some(f), None) => {
                if !e.d.relation_dropped(rel) {
                    e.push(Change::DropTrigger(f.clone()));
                }
            }
            (None, Some(t)) => e.push(Change::CreateTrigger(t.clone())),
            (Some(f), Some(t)) => {
                if e.d.is_recreated(&id) {
                    if !e.d.relation_dropped(rel) {
                        e.push(Change::DropTrigger(f.clone()));
                    }
                    e.push(Change::CreateTrigger(t.clone()));
                    continue;
                }
                if f.definition != t.definition {
                    e.push(Change::ReplaceTrigger {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                if f.enabled != t.enabled {
                    e.push(Change::AlterTrigger {
                        from: f.clone(),
                        to: t.clone(),
                    });
                }
                e.comment(id, CommentTarget::Trigger, &f.comment, &t.comment);
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_that_need_using() {
        assert!(!using_cast("integer", "bigint"));
        assert!(!using_cast("bigint", "integer"));
        assert!(!using_cast(
            "character varying(20)",
            "character varying(50)"
        ));
        assert!(!using_cast("integer", "text"));
        assert!(!using_cast("json", "jsonb"));
        assert!(!using_cast("numeric(10,2)", "numeric(12,4)"));
        assert!(!using_cast("integer[]", "bigint[]"));
        assert!(using_cast("text", "integer"));
        assert!(using_cast("text", "jsonb"));
        assert!(using_cast("integer", "boolean"));
        assert!(using_cast("text", "public.mood"));
        assert!(using_cast("text[]", "text"));
    }

    #[test]
    fn typmods_are_stripped() {
        assert_eq!(
            strip_typmod("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(strip_typmod("numeric(10,2)[]"), "numeric[]");
    }
}
