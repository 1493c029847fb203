//! Cassandra's checks. Stale reads with `R + W <= RF`, updates lost to
//! clock skew (last write wins) and timed-out writes that show up later
//! are the lessons (amber). What the configuration claims, and must hold:
//!
//! - **Consistency Level Met**: a write is acknowledged only when as many
//!   replicas as its consistency level asks have applied it (hints count
//!   only for ANY).
//! - **Quorum Reads See Completed Writes**: with `R + W > RF`, a read
//!   returns a cell at least as new (by write timestamp) as every write to
//!   its key acknowledged before the read began. (Clock skew makes a later
//!   write lose to an earlier one, but never makes a read miss the newest
//!   acknowledged timestamp: the read overlaps the write's replicas and
//!   last write wins.)

use super::engine::{Cass, CassObs};
use crate::protocol::Key;
use crate::sim::check::Checker;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// The invariant "Consistency Level Met".
pub const LEVEL_MET: &str = "Consistency Level Met";
/// The invariant "Quorum Reads See Completed Writes".
pub const QUORUM_READS: &str = "Quorum Reads See Completed Writes";

/// What the checker remembers: per key, the acknowledged writes' times and
/// write timestamps, in order.
#[derive(Clone, Debug, Default)]
pub struct CassChecker {
    acked: LiteMap<Key, Vec<(Time, i64)>>,
}

impl Checker<Cass> for CassChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Cass>],
        seen: &[CassObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(Some(node)) = nodes.get((acted as usize).wrapping_sub(1)) else {
            return;
        };
        let cfg = node.cfg();
        for o in seen {
            match *o {
                CassObs::WriteAcked { key, cell, need } => {
                    let level = cfg.write_level();
                    if level > 0 && need < level {
                        found.push((
                            LEVEL_MET,
                            format!(
                                "S{acted} acknowledged {key}={} at {} with {need} replica(s)",
                                cell.value, cfg.write_consistency
                            ),
                        ));
                    }
                    self.acked
                        .entry(key)
                        .or_default()
                        .push((node.last_event(), cell.ts));
                }
                CassObs::ReadReturned { key, cell, began } => {
                    if !cfg.overlapping() {
                        continue;
                    }
                    let got = cell.map_or(i64::MIN, |c| c.ts);
                    let newest = self
                        .acked
                        .get(&key)
                        .into_iter()
                        .flatten()
                        .filter(|(at, _)| *at < began)
                        .map(|&(_, ts)| ts)
                        .max();
                    if let Some(ts) = newest.filter(|&ts| ts > got) {
                        found.push((
                            QUORUM_READS,
                            format!(
                                "S{acted} read {key} at {} and returned writetime {} though a write with writetime {ts} was acknowledged before the read began",
                                cfg.read_consistency,
                                if got == i64::MIN { "none".to_string() } else { got.to_string() }
                            ),
                        ));
                    }
                }
            }
        }
    }
}
