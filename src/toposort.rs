//! A stable topological sort over petgraph: among the nodes whose dependencies are all
//! placed, the one with the smallest key goes next. The same nodes, edges and keys
//! always give the same order, whatever order they were inserted in.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

/// Sorts nodes `0..n` so that for every edge `(a, b)`, `a` comes before `b`. Ties are
/// broken by `key` (smallest first), then by node number.
///
/// Self edges are ignored (a table whose foreign key references itself is no cycle).
/// On a cycle, returns the strongly connected components of two or more nodes, each
/// sorted, in order of their smallest key.
pub fn stable_toposort<K: Ord>(
    n: usize,
    edges: &[(usize, usize)],
    key: impl Fn(usize) -> K,
) -> Result<Vec<usize>, Vec<Vec<usize>>> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        graph.add_node(());
    }
    for &(a, b) in edges {
        if a != b {
            graph.update_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        }
    }
    let mut indegree: Vec<usize> = (0..n)
        .map(|i| {
            graph
                .neighbors_directed(NodeIndex::new(i), petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Reverse<(K, usize)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse((key(i), i)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for next in graph.neighbors_directed(NodeIndex::new(i), petgraph::Direction::Outgoing) {
            let j = next.index();
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse((key(j), j)));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    let mut cycles: Vec<Vec<usize>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let mut v: Vec<usize> = scc.into_iter().map(|x| x.index()).collect();
            v.sort();
            v
        })
        .collect();
    cycles.sort_by_key(|c| c.iter().map(|&i| key(i)).min());
    cycles.dedup();
    Err(cycles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_follow_the_key() {
        let order = stable_toposort(4, &[(3, 0)], |i| [2, 0, 1, 3][i]).unwrap();
        // 1 (key 0), 2 (key 1), then 3 must precede 0.
        assert_eq!(order, vec![1, 2, 3, 0]);
    }

    #[test]
    fn cycles_are_reported() {
        let err = stable_toposort(3, &[(0, 1), (1, 0), (1, 2)], |i| i).unwrap_err();
        assert_eq!(err, vec![vec![0, 1]]);
    }

    #[test]
    fn self_edges_are_ignored() {
        assert_eq!(
            stable_toposort(2, &[(0, 0), (1, 0)], |i| i).unwrap(),
            vec![1, 0]
        );
    }
}
