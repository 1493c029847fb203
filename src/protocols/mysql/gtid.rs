//! GTID sets (`uuid:1-5,uuid2:1-3`). A server executes each origin's
//! transactions in the order that origin wrote them, so a set is one
//! prefix `1..=n` per origin server; that is all this type stores.

use crate::sim::NodeId;
use litemap::LiteMap;

/// A global transaction id: the origin server and its sequence number.
pub type Gtid = (NodeId, u64);

/// A GTID set: for each origin, the highest sequence number held.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GtidSet(LiteMap<NodeId, u64>);

impl GtidSet {
    /// Does the set hold `g`?
    pub fn contains(&self, g: Gtid) -> bool {
        self.0.get(&g.0).is_some_and(|&n| g.1 <= n)
    }
    /// Add `g` (the next of its origin).
    pub fn insert(&mut self, g: Gtid) {
        let n = self.0.entry(g.0).or_insert(0);
        *n = (*n).max(g.1);
    }
    /// Does this set hold every GTID of `other`?
    pub fn is_superset(&self, other: &GtidSet) -> bool {
        other.0.iter().all(|(&o, &n)| self.contains((o, n)))
    }
    /// How many transactions the set holds.
    pub fn len(&self) -> u64 {
        self.0.values().sum()
    }
    /// Is it empty?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The part of this set that `other` lacks, as text (`S1:6-8`).
    pub fn minus(&self, other: &GtidSet) -> String {
        let mut parts = Vec::new();
        for (&o, &n) in &self.0 {
            let m = other.0.get(&o).copied().unwrap_or(0);
            if n > m {
                parts.push(range(o, m + 1, n));
            }
        }
        parts.join(",")
    }
}

fn range(o: NodeId, a: u64, b: u64) -> String {
    if a == b {
        format!("S{o}:{a}")
    } else {
        format!("S{o}:{a}-{b}")
    }
}

impl std::fmt::Display for GtidSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(&o, &n)| range(o, 1, n))
            .collect();
        if parts.is_empty() {
            f.write_str("∅")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}
