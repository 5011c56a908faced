//! The revision DAG: revisions point at their parents; heads are revisions no other
//! revision names as a parent. Topological orders are stable (ties broken by id, which
//! sorts by creation time), so every machine applies pending revisions in the same order.

use std::collections::{BTreeMap, BTreeSet};

use super::file::{Revision, RevisionId, Tenancy};
use crate::toposort::stable_toposort;

/// The revisions of a plans directory, with their DAG.
#[derive(Clone, Debug, Default)]
pub struct History {
    revisions: BTreeMap<RevisionId, Revision>,
    children: BTreeMap<RevisionId, BTreeSet<RevisionId>>,
    /// Every revision, parents before children.
    order: Vec<RevisionId>,
}

impl History {
    /// Builds the DAG. The caller has checked that every parent exists and ids are
    /// unique; a cycle (only possible by hand-editing headers) leaves the cyclic
    /// revisions out of the order, and [`History::cycle`] names them.
    pub fn new(revisions: Vec<Revision>) -> History {
        let revisions: BTreeMap<RevisionId, Revision> =
            revisions.into_iter().map(|r| (r.id.clone(), r)).collect();
        let mut children: BTreeMap<RevisionId, BTreeSet<RevisionId>> = BTreeMap::new();
        for r in revisions.values() {
            children.entry(r.id.clone()).or_default();
            for p in &r.parents {
                children.entry(p.clone()).or_default().insert(r.id.clone());
            }
        }
        let ids: Vec<&RevisionId> = revisions.keys().collect();
        let index: BTreeMap<&RevisionId, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut edges = Vec::new();
        for r in revisions.values() {
            for p in &r.parents {
                if let (Some(&a), Some(&b)) = (index.get(p), index.get(&r.id)) {
                    edges.push((a, b));
                }
            }
        }
        let order = match stable_toposort(ids.len(), &edges, |i| ids[i]) {
            Ok(order) => order.into_iter().map(|i| ids[i].clone()).collect(),
            Err(_) => Vec::new(),
        };
        History {
            revisions,
            children,
            order,
        }
    }

    /// Every revision's statements written for `tenancy.template`, run as
    /// `tenancy.tenant` says (see [`Tenancy`]); `None`: as written.
    pub fn set_tenancy(&mut self, tenancy: Option<&Tenancy>) {
        for r in self.revisions.values_mut() {
            r.tenancy = tenancy.cloned();
        }
    }

    /// The revision with this id.
    pub fn get(&self, id: &RevisionId) -> Option<&Revision> {
        self.revisions.get(id)
    }

    /// Every revision, parents before children (ties by id).
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &Revision> {
        self.order.iter().filter_map(|id| self.revisions.get(id))
    }

    /// How many revisions there are.
    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// Revisions no other revision follows, by id.
    pub fn heads(&self) -> Vec<&Revision> {
        self.children
            .iter()
            .filter(|(_, c)| c.is_empty())
            .filter_map(|(id, _)| self.revisions.get(id))
            .collect()
    }

    /// Revisions that follow this one directly.
    pub fn children(&self, id: &RevisionId) -> impl Iterator<Item = &RevisionId> {
        self.children.get(id).into_iter().flatten()
    }

    /// The revision and everything it descends from.
    pub fn ancestors(&self, id: &RevisionId) -> BTreeSet<RevisionId> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.clone()];
        while let Some(next) = stack.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if let Some(r) = self.revisions.get(&next) {
                stack.extend(r.parents.iter().cloned());
            }
        }
        seen
    }

    /// Revisions in a cycle, when the headers make one (the order then leaves them out).
    pub fn cycle(&self) -> Vec<RevisionId> {
        if self.order.len() == self.revisions.len() {
            return Vec::new();
        }
        let placed: BTreeSet<&RevisionId> = self.order.iter().collect();
        self.revisions
            .keys()
            .filter(|id| !placed.contains(id))
            .cloned()
            .collect()
    }
}
