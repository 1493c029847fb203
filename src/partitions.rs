//! The partition shapes Jepsen made famous, as the pairs of nodes to cut
//! (both ways): each is one click in the UI, and becomes ordinary cut
//! actions on the timeline and in links, healed selectively or all at once.
//!
//! - `isolate`: one node loses every link.
//! - `halves`: the first ⌊n/2⌋ nodes against the rest (a minority and a
//!   majority).
//! - `leader`: the node that leads now is isolated.
//! - `bridge`: two halves joined by one node in the middle that sees both
//!   (Jepsen's `bridge` nemesis; 5 nodes: {1,2} | 3 | {4,5}).
//! - `ring`: each node sees a majority, but no two see the same one (Jepsen's
//!   `majorities-ring`): nodes on a ring keep their links to the ones within
//!   distance k, with 2k + 1 the smallest count that is a majority.

use crate::sim::{Action, NodeId};

/// The shapes, by the id the UI and tests use.
pub const SHAPES: [&str; 4] = ["halves", "leader", "bridge", "ring"];

/// The pairs `(a, b)`, `a < b`, to cut for `shape` on nodes `1..=n`
/// (`leader`: the current leader, S1 when there is none).
pub fn cuts(shape: &str, n: u32, leader: Option<NodeId>) -> Vec<(NodeId, NodeId)> {
    let pairs = (1..=n).flat_map(|a| (a + 1..=n).map(move |b| (a, b)));
    match shape {
        "halves" => {
            let side = |x: NodeId| x <= n / 2;
            pairs.filter(|&(a, b)| side(a) != side(b)).collect()
        }
        "leader" => isolate(leader.unwrap_or(1), n),
        "bridge" => {
            let mid = n.div_ceil(2);
            pairs
                .filter(|&(a, b)| a != mid && b != mid && (a < mid) != (b < mid))
                .collect()
        }
        "ring" => {
            let majority = n / 2 + 1;
            let k = (majority - 1).div_ceil(2);
            let dist = |a: NodeId, b: NodeId| {
                let d = a.abs_diff(b);
                d.min(n - d)
            };
            pairs.filter(|&(a, b)| dist(a, b) > k).collect()
        }
        _ => Vec::new(),
    }
}

/// The pairs as the actions the timeline records: a cut both ways each.
pub fn as_actions(pairs: Vec<(NodeId, NodeId)>) -> Vec<Action> {
    pairs
        .into_iter()
        .map(|(a, b)| Action::CutBoth { a, b })
        .collect()
}

/// The pairs that cut `node` off from every other.
pub fn isolate(node: NodeId, n: u32) -> Vec<(NodeId, NodeId)> {
    (1..=n)
        .filter(|&x| x != node)
        .map(|x| (x.min(node), x.max(node)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who each node can still reach (itself included).
    fn sees(n: u32, cut: &[(NodeId, NodeId)]) -> Vec<Vec<NodeId>> {
        (1..=n)
            .map(|a| {
                (1..=n)
                    .filter(|&b| a == b || !cut.contains(&(a.min(b), a.max(b))))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn halves_make_a_minority_and_a_majority() {
        let s = sees(5, &cuts("halves", 5, None));
        assert_eq!(s[0], vec![1, 2]);
        assert_eq!(s[4], vec![3, 4, 5]);
    }

    #[test]
    fn the_bridge_sees_both_halves_and_the_halves_do_not_see_each_other() {
        let s = sees(5, &cuts("bridge", 5, None));
        assert_eq!(s[2], vec![1, 2, 3, 4, 5]);
        assert_eq!(s[0], vec![1, 2, 3]);
        assert_eq!(s[4], vec![3, 4, 5]);
    }

    #[test]
    fn in_the_ring_every_node_sees_a_majority_but_not_the_same_one() {
        for n in [5, 7, 9] {
            let s = sees(n, &cuts("ring", n, None));
            let majority = (n / 2 + 1) as usize;
            assert!(s.iter().all(|v| v.len() >= majority), "{n}: {s:?}");
            assert!(s.windows(2).any(|w| w[0] != w[1]), "{n}");
            // No node sees everyone: it is a real partition.
            assert!(s.iter().all(|v| v.len() < n as usize), "{n}: {s:?}");
        }
    }

    #[test]
    fn the_leader_is_isolated() {
        let s = sees(5, &cuts("leader", 5, Some(4)));
        assert_eq!(s[3], vec![4]);
        assert_eq!(s[0], vec![1, 2, 3, 5]);
        assert!(cuts("nonsense", 5, None).is_empty());
    }
}
