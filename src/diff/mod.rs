//! Diff: two Catalogs compared into [`Change`]s.
//!
//! Input: the current catalog (`from`) and the desired one (`to`), made by the same
//! normalizer. Output: an unordered list of changes; `order` sorts them. Does no I/O and
//! renders no SQL.
//!
//! The diff works in two passes. The first decides which existing objects cannot be
//! altered in place and must be dropped and created again ([`plan_disruptions`]): an
//! object PostgreSQL cannot alter that way (a view losing a column, a function whose
//! result type changes, an enum losing a label), and then, transitively, everything
//! that depends on a dropped, recreated or retyped object. The second pass walks every
//! object kind and emits the changes, consulting that set.

mod change;
mod disrupt;
mod privileges;
mod rename;
mod routine;
mod table;
mod types;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

pub use change::{
    Change, ColumnChange, CommentTarget, DomainChange, EnumPosition, PrivilegePhase, TableChange,
};
pub use disrupt::{needs_view_recreate, Disruptions};
pub use privileges::{
    adjust as adjust_privileges, manage_owners, owners_to_settle, settle_owners, SettledOwners,
};
pub use rename::{apply_conversions, apply_hints, check_conversions, conversions, Conversions};
pub use table::{no_cast_between, using_cast};

use crate::model::{Catalog, Constraint, Index, ObjectId, QualName, SmallMap, Table};

/// Compares two catalogs and returns the changes that turn `from` into `to`, unordered.
pub fn diff(from: &Catalog, to: &Catalog) -> Vec<Change> {
    let disruptions = disrupt::plan_disruptions(from, to);
    let mut out = Emitter {
        from,
        to,
        d: &disruptions,
        changes: Vec::new(),
    };
    types::diff_schemas_and_extensions(&mut out);
    types::diff_collations(&mut out);
    types::diff_text_search(&mut out);
    types::diff_types(&mut out);
    types::diff_sequences(&mut out);
    routine::diff_functions(&mut out);
    types::diff_casts(&mut out);
    types::diff_operators(&mut out);
    types::diff_foreign_data_wrappers(&mut out);
    types::diff_foreign_servers(&mut out);
    table::diff_tables(&mut out);
    table::diff_indexes(&mut out);
    table::diff_statistics(&mut out);
    routine::diff_views(&mut out);
    table::diff_triggers(&mut out);
    table::diff_rules(&mut out);
    types::diff_publications(&mut out);
    types::diff_event_triggers(&mut out);
    privileges::diff_privileges(&mut out);
    privileges::diff_owners(&mut out);
    out.changes
}

/// What the second pass writes into, with what it needs to decide.
pub(crate) struct Emitter<'a> {
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    pub d: &'a Disruptions,
    pub changes: Vec<Change>,
}

impl Emitter<'_> {
    fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Emits `AlterComment` when an object present on both sides changed its comment.
    fn comment(
        &mut self,
        object: ObjectId,
        target: CommentTarget,
        from: &Option<String>,
        to: &Option<String>,
    ) {
        if from != to {
            self.push(Change::AlterComment {
                object,
                target,
                from: from.clone(),
                to: to.clone(),
            });
        }
    }
}

/// Whether a table stops being a child of one of its parents (a partition detached, a
/// parent dropped from INHERITS): PostgreSQL then keeps what it had from the parent as
/// its own.
pub(crate) fn leaves_parent(from: &Table, to: &Table) -> bool {
    (from.partition_of.is_some()
        && from.partition_of.as_ref().map(|p| &p.parent)
            != to.partition_of.as_ref().map(|p| &p.parent))
        || from.inherits.iter().any(|p| !to.inherits.contains(p))
}

/// A table's constraints as they stand when the diff applies to it: its own, plus those
/// it had from a parent it leaves.
pub(crate) fn effective_constraints<'a>(
    from: &'a Table,
    to: &Table,
) -> Cow<'a, SmallMap<String, Constraint>> {
    if leaves_parent(from, to) && !from.inherited_constraints.is_empty() {
        let mut all = from.constraints.clone();
        for (k, c) in from.inherited_constraints.iter() {
            all.entry(k.clone()).or_insert_with(|| c.clone());
        }
        Cow::Owned(all)
    } else {
        Cow::Borrowed(&from.constraints)
    }
}

/// The indexes of `from` as they stand for the diff: its own, plus the partition copies
/// of partitions that are detached (they stay, as indexes of their own).
pub(crate) fn effective_indexes<'a>(
    from: &'a Catalog,
    to: &Catalog,
) -> Cow<'a, BTreeMap<QualName, Index>> {
    let mut extra = Vec::new();
    for (name, t) in &from.tables {
        if t.inherited_indexes.is_empty() {
            continue;
        }
        if let Some(new) = to.tables.get(name) {
            if leaves_parent(t, new) {
                extra.extend(t.inherited_indexes.values().cloned());
            }
        }
    }
    if extra.is_empty() {
        return Cow::Borrowed(&from.indexes);
    }
    let mut all = from.indexes.clone();
    for i in extra {
        all.entry(i.name.clone()).or_insert(i);
    }
    Cow::Owned(all)
}

/// Walks two maps by key: `(key, Some(from), Some(to))` for objects on both sides,
/// with `None` for the side an object is missing from. Keys in order; a merge of the
/// two sorted maps, so nothing is copied.
pub(crate) fn pair_up<'a, K: Ord + 'a, V: 'a>(
    from: impl IntoIterator<Item = (&'a K, &'a V)>,
    to: impl IntoIterator<Item = (&'a K, &'a V)>,
) -> Vec<(&'a K, Option<&'a V>, Option<&'a V>)> {
    let mut out = Vec::new();
    let mut a = from.into_iter().peekable();
    let mut b = to.into_iter().peekable();
    loop {
        let next = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((ka, _)), Some((kb, _))) => ka.cmp(kb),
        };
        match next {
            Ordering::Less => {
                if let Some((k, v)) = a.next() {
                    out.push((k, Some(v), None));
                }
            }
            Ordering::Greater => {
                if let Some((k, v)) = b.next() {
                    out.push((k, None, Some(v)));
                }
            }
            Ordering::Equal => {
                if let (Some((k, v)), Some((_, w))) = (a.next(), b.next()) {
                    out.push((k, Some(v), Some(w)));
                }
            }
        }
    }
    out
}

/// What a retired type's name ends with.
const RETIRED_SUFFIX: &str = "__schemaplan_old";

/// The name a type is set aside under while a new one takes its place.
pub fn retired_type_name(name: &QualName) -> QualName {
    // Kept within PostgreSQL's 63-byte identifier limit, cut on a character boundary.
    let mut base = name.name.clone();
    while base.len() + RETIRED_SUFFIX.len() > 63 {
        base.pop();
    }
    name.sibling(format!("{base}{RETIRED_SUFFIX}"))
}

/// Whether a type name is one set aside by [`retired_type_name`].
pub fn is_retired_type_name(name: &QualName) -> bool {
    name.name.ends_with(RETIRED_SUFFIX)
}
