//! Elasticsearch's checks (the data-replication model of the
//! Elasticsearch reference and Elastic's `replication.tla`). Dirty reads
//! from a deposed primary and stale reads from a lagging replica are the
//! lesson (amber: Elasticsearch claims no linearizability). What must never
//! break:
//!
//! - **Acknowledged Writes Survive**: a new primary holds every operation a
//!   client was told OK about by a primary of an older term (all in-sync
//!   copies had it, or had been removed from the in-sync set, when the OK
//!   was given). A node that applies a stale cluster state late (paused, or
//!   a slow publication) may act as primary of an older term for a moment:
//!   its replicas and the master refuse it, and it need not hold what
//!   newer primaries acknowledged.
//! - **In-sync Promotion**: the master promotes only an in-sync copy.
//! - **Checkpoint Agreement**: copies agree below the global checkpoint:
//!   every copy's operations below its global checkpoint are the ones the
//!   primaries checkpointed.
//! - **One Primary per Term**.

use super::engine::{Es, EsObs, Op};
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Acknowledged Writes Survive".
pub const ACKED: &str = "Acknowledged Writes Survive";
/// The invariant "In-sync Promotion".
pub const IN_SYNC: &str = "In-sync Promotion";
/// The invariant "Checkpoint Agreement".
pub const CHECKPOINTS: &str = "Checkpoint Agreement";
/// The invariant "One Primary per Term".
pub const ONE_PRIMARY: &str = "One Primary per Term";

/// What the checker remembers.
#[derive(Clone, Debug, Default)]
pub struct EsChecker {
    /// Every acknowledged operation, by seq_no, with the primary term it
    /// was acknowledged in.
    acked: LiteMap<u64, (Op, u64)>,
    /// The checkpointed prefix.
    checkpointed: Vec<Op>,
    primaries: LiteMap<u64, NodeId>,
    /// Per node: (its roll-back count, how far it was checked).
    verified: LiteMap<NodeId, (u64, usize)>,
    /// The newest primary term seen.
    newest: u64,
}

impl Checker<Es> for EsChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Es>],
        seen: &[EsObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(Some(me)) = nodes.get(acted as usize - 1) else {
            return;
        };
        for o in seen {
            match *o {
                EsObs::Promoted { node, in_sync } => {
                    if !in_sync {
                        found.push((
                            IN_SYNC,
                            format!("the master promoted S{node}, whose copy is not in sync"),
                        ));
                    }
                }
                EsObs::Primary { term } => {
                    if let Some(&other) = self.primaries.get(&term) {
                        if other != acted {
                            found.push((
                                ONE_PRIMARY,
                                format!("S{acted} and S{other} were both primary in term {term}"),
                            ));
                        }
                    }
                    self.primaries.insert(term, acted);
                    self.newest = self.newest.max(term);
                    let ops = me.ops();
                    if let Some((seq, (op, _))) = self
                        .acked
                        .iter()
                        .find(|(s, (op, t))| *t < term && ops.get(**s as usize) != Some(op))
                    {
                        found.push((
                            ACKED,
                            format!("S{acted} became primary of term {term} without seq_no {seq} ({}, term {}), which a client was told OK about", op.cmd, op.term),
                        ));
                    }
                }
                EsObs::Acked { seq, op } => {
                    self.acked.insert(seq, (op, me.term()));
                }
                // A deposed primary that has not heard yet computes its
                // global checkpoint over a stale in-sync set; its replicas
                // refuse its operations, and the new primary's count.
                EsObs::Gcp { .. } if me.term() < self.newest => {}
                EsObs::Gcp { from, to } => {
                    let ops = me.ops();
                    let to = (to as usize).min(ops.len());
                    for (i, op) in ops.iter().enumerate().take(to).skip(from as usize) {
                        match self.checkpointed.get(i) {
                            Some(c) if c != op => found.push((
                                CHECKPOINTS,
                                format!("S{acted} checkpointed {} (term {}) at seq_no {i}, where {} (term {}) was checkpointed before", op.cmd, op.term, c.cmd, c.term),
                            )),
                            Some(_) => {}
                            None if i == self.checkpointed.len() => self.checkpointed.push(*op),
                            None => {}
                        }
                    }
                }
            }
        }
        if me.master_state().is_some() || me.term() < self.newest {
            return;
        }
        // Every copy agrees with the checkpointed prefix below its own
        // global checkpoint (checked from where it was last checked).
        let t = me.truncations();
        let entry = self.verified.get(&acted).copied().unwrap_or((t, 0));
        let from = if entry.0 == t { entry.1 } else { 0 };
        let upto = (me.gcp() as usize).min(self.checkpointed.len());
        let ops = me.ops();
        if let Some(i) = (from..upto).find(|&i| ops.get(i) != self.checkpointed.get(i)) {
            found.push((
                CHECKPOINTS,
                format!("S{acted}'s global checkpoint is {} but its seq_no {i} differs from the checkpointed operation", me.gcp()),
            ));
            return;
        }
        self.verified.insert(acted, (t, upto.max(from)));
    }
}
