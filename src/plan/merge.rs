//! Divergent heads: which branches a plans DAG has since their common ancestors, what
//! each branch does to the schema, and whether two branches touch the same objects.
//!
//! Input: a [`History`], and for each branch the changes it makes (the diff between the
//! schema the common ancestors build and the one the branch builds). Output: the
//! divergence (heads, fork points, branch revisions) and the conflicts, named per object
//! with what each branch did to it. Does not touch the database.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use super::file::RevisionId;
use super::graph::History;
use crate::diff::{Change, ColumnChange, DomainChange, TableChange};
use crate::model::ObjectId;

/// Several heads and how they relate.
#[derive(Clone, Debug, Serialize)]
pub struct Divergence {
    /// The heads, by id.
    pub heads: Vec<RevisionId>,
    /// Revisions every head descends from.
    pub common: BTreeSet<RevisionId>,
    /// The newest of them: where the branches fork (several in a criss-cross history).
    pub fork_points: Vec<RevisionId>,
    /// For each head, the revisions only its branch has, parents first.
    pub branches: Vec<Branch>,
}

/// One branch since the fork.
#[derive(Clone, Debug, Serialize)]
pub struct Branch {
    /// The branch's head.
    pub head: RevisionId,
    /// Its revisions not shared with every other head, parents first.
    pub revisions: Vec<RevisionId>,
}

/// The divergence of a history with more than one head; `None` with one head or none.
pub fn divergence(history: &History) -> Option<Divergence> {
    let heads: Vec<RevisionId> = history.heads().iter().map(|h| h.id.clone()).collect();
    if heads.len() < 2 {
        return None;
    }
    let ancestry: Vec<BTreeSet<RevisionId>> = heads.iter().map(|h| history.ancestors(h)).collect();
    let mut common = ancestry[0].clone();
    for a in &ancestry[1..] {
        common = common.intersection(a).cloned().collect();
    }
    // A fork point is a common ancestor none of whose children is common too.
    let fork_points: Vec<RevisionId> = common
        .iter()
        .filter(|id| history.children(id).all(|c| !common.contains(c)))
        .cloned()
        .collect();
    let branches = heads
        .iter()
        .zip(&ancestry)
        .map(|(head, anc)| Branch {
            head: head.clone(),
            revisions: history
                .in_order()
                .filter(|r| anc.contains(&r.id) && !common.contains(&r.id))
                .map(|r| r.id.clone())
                .collect(),
        })
        .collect();
    Some(Divergence {
        heads,
        common,
        fork_points,
        branches,
    })
}

/// What a branch does to one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Touch {
    /// The object.
    pub object: ObjectId,
    /// The part of it, when the change is to one part only (an enum label, a table's row
    /// level security, a comment); `None` for the object as a whole.
    pub part: Option<String>,
    /// What the branch did, in words.
    pub what: String,
}

impl Touch {
    /// Whether two touches concern the same thing: the same object (unless they are to
    /// two different parts of it), or an object and the relation it lives in when the
    /// relation as a whole is created or dropped.
    pub fn overlaps(&self, other: &Touch) -> bool {
        if self.object == other.object {
            return match (&self.part, &other.part) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
        }
        let whole_relation = |t: &Touch, inner: &Touch| {
            t.part.is_none()
                && matches!(t.object, ObjectId::Table(_) | ObjectId::View(_))
                && inner.object.relation() == t.object.relation()
        };
        whole_relation(self, other) || whole_relation(other, self)
    }
}

/// The touches of a branch's changes, one per change.
pub fn touches(changes: &[Change]) -> Vec<Touch> {
    changes.iter().map(touch).collect()
}

fn touch(change: &Change) -> Touch {
    let object = change.object();
    let part = match change {
        Change::CreateEnumValue { label, .. } => Some(format!("value {label}")),
        Change::AlterDomain { what, .. } => Some(match what {
            DomainChange::Default => "default".to_string(),
            DomainChange::NotNull => "not null".to_string(),
            DomainChange::CreateCheck(c)
            | DomainChange::DropCheck(c)
            | DomainChange::ValidateCheck(c) => format!("check {c}"),
        }),
        Change::AlterTable { what, .. } => Some(match what {
            TableChange::RowLevelSecurity | TableChange::ForceRowLevelSecurity => {
                "row level security".to_string()
            }
            TableChange::Logged => "logging".to_string(),
            TableChange::Options => "storage options".to_string(),
            TableChange::Inherit(p) | TableChange::NoInherit(p) => format!("parent {p}"),
        }),
        Change::AttachPartition { .. } | Change::DetachPartition { .. } => {
            Some("partition".to_string())
        }
        Change::AlterReplicaIdentity { .. } => Some("replica identity".to_string()),
        Change::AlterComment { .. } => Some("comment".to_string()),
        _ => None,
    };
    Touch {
        what: describe(change),
        object,
        part,
    }
}

/// A change in words: `dropped table public.carts`, `changed the type of column
/// public.users.email to citext`.
pub fn describe(change: &Change) -> String {
    let object = change.object();
    match change {
        Change::CreateColumn { column, .. } => {
            format!("added {object} {}", column.type_name)
        }
        Change::AlterColumn { to, what, .. } => match what {
            ColumnChange::Type { .. } => {
                format!("changed the type of {object} to {}", to.type_name)
            }
            ColumnChange::Default => match &to.default {
                Some(d) => format!("set the default of {object} to {d}"),
                None => format!("dropped the default of {object}"),
            },
            ColumnChange::NotNull => format!(
                "{} NOT NULL on {object}",
                if to.not_null { "set" } else { "dropped" }
            ),
            ColumnChange::NotNullConstraint => {
                format!("changed the NOT NULL constraint of {object}")
            }
            ColumnChange::Identity => format!("changed the identity of {object}"),
            ColumnChange::DropExpression => {
                format!("dropped the generation expression of {object}")
            }
        },
        Change::CreateEnumValue { label, .. } => format!("added value '{label}' to {object}"),
        Change::AlterComment { to, .. } => match to {
            Some(text) => format!("set the comment on {object} to '{text}'"),
            None => format!("removed the comment on {object}"),
        },
        _ => {
            let verb = match change.kind().split('-').next().unwrap_or("") {
                "create" => "created",
                "drop" => "dropped",
                "replace" => "replaced",
                "rename" => "set aside",
                "validate" => "validated",
                "attach" => "attached",
                "detach" => "detached",
                _ => "altered",
            };
            format!("{verb} {object}")
        }
    }
}

/// One object both (or several) branches touch, with what each did.
#[derive(Clone, Debug, Serialize)]
pub struct Conflict {
    /// The object, as a user reads it.
    pub object: String,
    /// For each branch head that touched it, what that branch did.
    pub branches: BTreeMap<RevisionId, Vec<String>>,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:", self.object)?;
        for (head, whats) in &self.branches {
            writeln!(f, "  branch {head}: {}", whats.join("; "))?;
        }
        Ok(())
    }
}

/// The objects more than one branch touches. `branches` pairs each head with the
/// touches of its branch; every pair of branches is compared.
pub fn conflicts(branches: &[(RevisionId, Vec<Touch>)]) -> Vec<Conflict> {
    let mut found: BTreeMap<String, BTreeMap<RevisionId, BTreeSet<String>>> = BTreeMap::new();
    for (i, (head_a, a)) in branches.iter().enumerate() {
        for (head_b, b) in &branches[i + 1..] {
            for ta in a {
                for tb in b.iter().filter(|tb| ta.overlaps(tb)) {
                    // Name the conflict after the larger object: the table a dropped
                    // table's column lives in.
                    let name = [ta, tb]
                        .into_iter()
                        .find(|t| matches!(t.object, ObjectId::Table(_) | ObjectId::View(_)))
                        .unwrap_or(ta)
                        .object
                        .to_string();
                    let entry = found.entry(name).or_default();
                    entry
                        .entry(head_a.clone())
                        .or_default()
                        .insert(ta.what.clone());
                    entry
                        .entry(head_b.clone())
                        .or_default()
                        .insert(tb.what.clone());
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(object, by)| Conflict {
            object,
            branches: by
                .into_iter()
                .map(|(h, w)| (h, w.into_iter().collect()))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, QualName, Table};
    use crate::plan::file::{parse, NewRevision};

    /// A history from `(id, parents)` pairs.
    fn history(revisions: &[(&str, &[&str])]) -> History {
        let revisions = revisions
            .iter()
            .map(|(id, parents)| {
                let id = rid(id);
                let parents: Vec<RevisionId> = parents.iter().map(|p| rid(p)).collect();
                let text = NewRevision {
                    id: &id,
                    parents: &parents,
                    message: id.0.as_str(),
                    created: "2026-11-24T00:00:00Z",
                    fingerprint: "sha256:0",
                    hazards: &[],
                    renames: &[],
                    alembic: &[],
                    up: "",
                    down: "",
                }
                .render(true);
                parse(std::path::Path::new("t.sql"), &text).unwrap()
            })
            .collect();
        History::new(revisions)
    }

    /// `"7"` as a well-formed id that sorts by the number.
    fn rid(n: &str) -> RevisionId {
        RevisionId(format!("202611240000{n:0>2}-a"))
    }

    /// Ids back to their numbers.
    fn ids(v: &[RevisionId]) -> Vec<&str> {
        v.iter()
            .map(|r| r.0[12..14].trim_start_matches('0'))
            .collect()
    }

    #[test]
    fn a_branch_that_is_an_ancestor_of_another_is_not_divergent() {
        let h = history(&[("1", &[]), ("2", &["1"]), ("3", &["2"])]);
        assert!(divergence(&h).is_none());
        // A merge of merges ends with one head again.
        let h = history(&[
            ("1", &[]),
            ("2", &["1"]),
            ("3", &["1"]),
            ("4", &["2", "3"]),
            ("5", &["4"]),
            ("6", &["4"]),
            ("7", &["5", "6"]),
        ]);
        assert!(divergence(&h).is_none());
    }

    #[test]
    fn three_heads_fork_from_one_point() {
        let h = history(&[
            ("1", &[]),
            ("2", &["1"]),
            ("3", &["2"]),
            ("4", &["2"]),
            ("5", &["4"]),
            ("6", &["2"]),
        ]);
        let d = divergence(&h).unwrap();
        assert_eq!(ids(&d.heads), ["3", "5", "6"]);
        assert_eq!(ids(&d.fork_points), ["2"]);
        let branches: Vec<Vec<&str>> = d.branches.iter().map(|b| ids(&b.revisions)).collect();
        assert_eq!(branches, vec![vec!["3"], vec!["4", "5"], vec!["6"]]);
    }

    #[test]
    fn a_criss_cross_history_has_two_fork_points() {
        // 2 and 3 fork from 1; 4 and 5 each merge both: two heads whose common
        // ancestors end in two revisions.
        let h = history(&[
            ("1", &[]),
            ("2", &["1"]),
            ("3", &["1"]),
            ("4", &["2", "3"]),
            ("5", &["3", "2"]),
        ]);
        let d = divergence(&h).unwrap();
        assert_eq!(ids(&d.heads), ["4", "5"]);
        assert_eq!(ids(&d.fork_points), ["2", "3"]);
        let branches: Vec<Vec<&str>> = d.branches.iter().map(|b| ids(&b.revisions)).collect();
        assert_eq!(branches, vec![vec!["4"], vec!["5"]]);
    }

    fn q(n: &str) -> QualName {
        QualName::new("public", n)
    }

    #[test]
    fn different_columns_of_one_table_do_not_conflict() {
        let a = touches(&[Change::CreateColumn {
            table: q("users"),
            column: Column::new("phone", "text"),
        }]);
        let b = touches(&[Change::CreateColumn {
            table: q("users"),
            column: Column::new("bio", "text"),
        }]);
        let heads = [RevisionId("1".into()), RevisionId("2".into())];
        assert!(conflicts(&[(heads[0].clone(), a), (heads[1].clone(), b)]).is_empty());
    }

    #[test]
    fn a_dropped_table_conflicts_with_a_column_added_to_it() {
        let a = touches(&[Change::DropTable(Table::new(q("carts")).into())]);
        let b = touches(&[Change::CreateColumn {
            table: q("carts"),
            column: Column::new("note", "text"),
        }]);
        let (ha, hb) = (RevisionId("a".into()), RevisionId("b".into()));
        let found = conflicts(&[(ha.clone(), a), (hb.clone(), b)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].object, "table public.carts");
        assert_eq!(found[0].branches[&ha], vec!["dropped table public.carts"]);
        assert_eq!(
            found[0].branches[&hb],
            vec!["added column public.carts.note text"]
        );
    }
}
