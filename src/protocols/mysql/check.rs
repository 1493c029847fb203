//! MySQL's checks. Asynchronous replication loses acknowledged commits on
//! failover, and replicas serve stale reads: those are the lessons (the
//! client-history checker shows them in amber; MySQL never claims
//! linearizability). What semi-synchronous replication does promise is
//! checked here, and its breach is red:
//!
//! - **Relay-log Acknowledgement**: when the source tells a client OK after
//!   semi-sync acknowledgements, every acknowledging replica that is up
//!   holds the transaction in its relay log (it acknowledges after the
//!   relay-log write and flush, not on receipt).
//! - **Semi-sync Durability**: a replica promoted to source holds every
//!   transaction it acknowledged, so with semi-sync ON and `AFTER_SYNC`, no
//!   commit a client was told OK about is lost when an acknowledging
//!   replica takes over.
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
                MySqlObs::Acked { gtid, ackers } if !ackers.is_empty() => {
                    for &r in ackers {
                        if let Some(Some(node)) = nodes.get(r as usize - 1) {
                            if !node.retrieved().contains(*gtid) {
                                found.push((
                                    RELAY_LOG_ACK,
                                    format!("S{acted} told a client OK for {} on S{r}'s acknowledgement, but S{r}'s relay log lacks it", show(*gtid)),
                                ));
                            }
                        }
                    }
                    self.acked.push((*gtid, ackers.clone()));
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
