//! MongoDB's checks (the RaftMongo / AbstractDynamicRaft TLA+ properties
//! and the manual's guarantees for protocol version 1). `w:1` writes
//! rolled back and `local` reads of data that later rolls back are the
//! lessons (amber). What must never break:
//!
//! - **Election Safety**: at most one primary per term.
//! - **Majority Writes Survive**: every write acknowledged with
//!   `w:"majority"` is in the oplog of every primary of its term or a
//!   later one once it takes writes, at the same OpTime.
//! - **No Committed Rollback**: no member rolls back an entry at or below
//!   the commit point it knew.

use super::engine::{Mongo, MongoObs, OpTime};
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Election Safety".
pub const ELECTION_SAFETY: &str = "Election Safety";
/// The invariant "Majority Writes Survive".
pub const MAJORITY_SURVIVES: &str = "Majority Writes Survive";
/// The invariant "No Committed Rollback".
pub const NO_COMMITTED_ROLLBACK: &str = "No Committed Rollback";

/// What the checker remembers.
#[derive(Clone, Debug, Default)]
pub struct MongoChecker {
    /// Who was primary of each term.
    primaries: LiteMap<u64, NodeId>,
    /// Every `w:"majority"` acknowledgement, in order.
    acked: Vec<OpTime>,
    /// Per primary: (its term, how many acknowledgements were checked).
    verified: LiteMap<NodeId, (u64, usize)>,
}

impl Checker<Mongo> for MongoChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Mongo>],
        seen: &[MongoObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        // The textbook Bully switch claims none of this: its lost
        // majority writes and rollbacks are the lesson, counted as lost
        // acknowledged writes.
        if nodes.iter().flatten().any(Mongo::bully) {
            return;
        }
        for o in seen {
            match *o {
                MongoObs::Primary { term } => {
                    if let Some(&other) = self.primaries.get(&term) {
                        if other != acted {
                            found.push((
                                ELECTION_SAFETY,
                                format!("S{acted} and S{other} are both primary of term {term}"),
                            ));
                        }
                    } else {
                        self.primaries.insert(term, acted);
                    }
                }
                MongoObs::MajorityAck { at } => self.acked.push(at),
                MongoObs::RolledBack { from, committed } if from <= committed => found.push((
                    NO_COMMITTED_ROLLBACK,
                    format!("S{acted} rolled back from ts {from}, below its commit point ts {committed}"),
                )),
                _ => {}
            }
        }
        let Some(Some(node)) = nodes.get((acted as usize).wrapping_sub(1)) else {
            return;
        };
        if !node.writable() {
            return;
        }
        let (term, mut from) = self.verified.get(&acted).copied().unwrap_or_default();
        if term != node.term() {
            from = 0;
        }
        // Only writes of its term or earlier: a deposed primary that has not
        // heard of a later term yet is not a later primary.
        for &at in self.acked[from..].iter().filter(|a| a.term <= node.term()) {
            let held = at
                .ts
                .checked_sub(1)
                .and_then(|i| node.oplog().get(i as usize))
                .is_some_and(|op| op.term == at.term);
            if !held {
                found.push((
                    MAJORITY_SURVIVES,
                    format!(
                        "S{acted}, primary of term {}, lacks the w:\"majority\" write at {at}",
                        node.term()
                    ),
                ));
                break;
            }
        }
        self.verified.insert(acted, (node.term(), self.acked.len()));
    }
}
