//! MySQL's checks. Asynchronous replication loses acknowledged commits on
//! failover, and replicas serve stale reads: those are the lessons (the
//! client-history checker shows them in amber; MySQL never claims
//! linearizability). What semi-synchronous replication does promise is
//! checked here, and its breach is red:
//!
//! - **Relay-log Acknowledgement**: a replica acknowledges a transaction
//!   only once it is in its relay log (after the relay-log write and flush,
//!   not on receipt), and a source tells a client OK only on
//!   acknowledgements the replicas really sent.
//! - **Semi-sync Durability**: a replica promoted to source holds every
//!   transaction it acknowledged, so with semi-sync ON and `AFTER_SYNC`, no
//!   commit a client was told OK about is lost when an acknowledging
//!   replica takes over. An acknowledgement stands until the replica is
//!   pointed at another source: `CHANGE REPLICATION SOURCE TO` purges the
//!   relay log, and what was not applied is fetched again from the new
//!   source (which may never have had it: the loss happened when a replica
//!   that had not acknowledged was promoted, the expected lesson).
//! - **GTID Subset**: a source streams its binlog only to a replica whose
//!   GTID sets (executed and retrieved) are within its own `gtid_executed`;
//!   a replica with errant transactions is refused with error 1236
//!   (MySQL Reference Manual, "GTID auto-positioning").

use super::engine::{MySql, MySqlObs, Role};
use super::gtid::Gtid;
use crate::sim::check::Checker;
use crate::sim::NodeId;

/// The invariant "Relay-log Acknowledgement".
pub const RELAY_LOG_ACK: &str = "Relay-log Acknowledgement";
/// The invariant "Semi-sync Durability".
pub const SEMI_SYNC_DURABILITY: &str = "Semi-sync Durability";
/// The invariant "GTID Subset".
pub const GTID_SUBSET: &str = "GTID Subset";

/// What the checker remembers: each semi-sync acknowledged commit.
#[derive(Clone, Debug, Default)]
pub struct MySqlChecker {
    acked: Vec<(Gtid, Vec<NodeId>)>,
    /// Every semi-sync acknowledgement a replica sent, and whether it still
    /// stands (false once the replica was repointed and purged its relay log).
    sent: litemap::LiteMap<(NodeId, Gtid), bool>,
}

fn show(g: Gtid) -> String {
    format!("S{}:{}", g.0, g.1)
}

impl Checker<MySql> for MySqlChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<MySql>],
        seen: &[MySqlObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        for o in seen {
            match o {
                MySqlObs::AckSent { gtid } => {
                    if let Some(Some(node)) = nodes.get(acted as usize - 1) {
                        if !node.retrieved().contains(*gtid) {
                            found.push((
                                RELAY_LOG_ACK,
                                format!(
                                    "S{acted} acknowledged {} before writing it to its relay log",
                                    show(*gtid)
                                ),
                            ));
                        }
                    }
                    self.sent.insert((acted, *gtid), true);
                }
                MySqlObs::Acked { gtid, ackers } if !ackers.is_empty() => {
                    let mut standing = Vec::new();
                    for &r in ackers {
                        match self.sent.get(&(r, *gtid)) {
                            None => found.push((
                                RELAY_LOG_ACK,
                                format!("S{acted} told a client OK for {} on an acknowledgement S{r} never sent", show(*gtid)),
                            )),
                            Some(true) => standing.push(r),
                            // Sent, then purged by a repoint while in flight.
                            Some(false) => {}
                        }
                    }
                    self.acked.push((*gtid, standing));
                }
                MySqlObs::Acked { .. } => {}
                MySqlObs::DumpStarted { replica } => {
                    let (Some(Some(src)), Some(Some(r))) = (
                        nodes.get(acted as usize - 1),
                        nodes.get(*replica as usize - 1),
                    ) else {
                        continue;
                    };
                    // A request that crossed a change of role (the replica was
                    // promoted meanwhile) streams to no one.
                    if r.role() != Role::Replica || r.source() != acted {
                        continue;
                    }
                    for set in [r.executed(), r.retrieved()] {
                        if !src.executed().is_superset(set) {
                            found.push((
                                GTID_SUBSET,
                                format!("S{acted} streams to S{replica}, which holds GTIDs S{acted} never executed ({})", set.minus(src.executed())),
                            ));
                            break;
                        }
                    }
                }
                MySqlObs::Repointed => {
                    // Its purged relay log took its acknowledgements with it.
                    for (_, ackers) in &mut self.acked {
                        ackers.retain(|&r| r != acted);
                    }
                    for (_, stands) in self.sent.iter_mut().filter(|((r, _), _)| *r == acted) {
                        *stands = false;
                    }
                }
                MySqlObs::Promoted { .. } => {
                    let Some(Some(node)) = nodes.get(acted as usize - 1) else {
                        continue;
                    };
                    for (g, ackers) in &self.acked {
                        if ackers.contains(&acted) && !node.executed().contains(*g) {
                            found.push((
                                SEMI_SYNC_DURABILITY,
                                format!("S{acted} was promoted without {}, which it had acknowledged (semi-sync) and a client was told OK about", show(*g)),
                            ));
                        }
                    }
                }
            }
        }
    }
}
