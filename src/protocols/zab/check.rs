//! Zab's broadcast properties (Junqueira, Reed & Serafini 2011, §III),
//! checked after every event:
//!
//! - **Integrity**: a process delivers a transaction only if some primary
//!   broadcast it.
//! - **Total Order**: each process delivers transactions in zxid order, and
//!   never changes one it has delivered.
//! - **Agreement**: all delivery sequences are prefixes of one another (so
//!   any two processes deliver the same transactions in the same order).
//! - **Primary Order**: a primary delivers every transaction of earlier
//!   epochs that anyone delivers before it broadcasts its own (the paper's
//!   "primary integrity"; with Agreement this gives "global primary order"),
//!   checked for every node that broadcasts in an epoch.
//! - **One Primary per Epoch**: at most one node establishes each epoch, and
//!   a zxid names at most one transaction (§III: "for each epoch e there is
//!   at most one primary"; zxids are unique).

use super::engine::{Zab, ZabObs, Zxid};
use crate::protocol::Command;
use crate::protocol::Protocol;
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Integrity".
pub const INTEGRITY: &str = "Integrity";
/// The invariant "Total Order".
pub const TOTAL_ORDER: &str = "Total Order";
/// The invariant "Agreement".
pub const AGREEMENT: &str = "Agreement";
/// The invariant "Primary Order".
pub const PRIMARY_ORDER: &str = "Primary Order";
/// The invariant "One Primary per Epoch".
pub const ONE_PRIMARY_PER_EPOCH: &str = "One Primary per Epoch";

/// The Zab checker's memory.
#[derive(Clone, Debug, Default)]
pub struct ZabChecker {
    // Zxid -> the transaction and the primary that broadcast it.
    broadcast: LiteMap<Zxid, (Command, NodeId)>,
    // The one delivery sequence every process's is a prefix of.
    global: Vec<(Zxid, Command)>,
    // (epoch, primary) -> how many transactions it had delivered when it first broadcast.
    first_broadcast: LiteMap<(u64, NodeId), usize>,
    // Epoch -> the node that established it.
    primary: LiteMap<u64, NodeId>,
    // (epoch, node) pairs already reported as a second primary.
    second: LiteMap<(u64, NodeId), ()>,
}

impl Checker<Zab> for ZabChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Zab>],
        seen: &[ZabObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(Some(node)) = nodes.get((acted as usize).wrapping_sub(1)) else {
            return;
        };
        for o in seen {
            if let ZabObs::RewroteDelivered(why) = o {
                found.push((TOTAL_ORDER, why.clone()));
            }
        }
        if let Some(epoch) = node.leads() {
            let first = *self.primary.entry(epoch).or_insert(acted);
            if first != acted && self.second.insert((epoch, acted), ()).is_none() {
                found.push((
                    ONE_PRIMARY_PER_EPOCH,
                    format!("S{acted} established epoch {epoch}, which S{first} had established"),
                ));
            }
        }
        let broadcast = seen.iter().find_map(|o| match o {
            ZabObs::Broadcast(t) => Some(*t),
            _ => None,
        });
        if let Some(t) = broadcast {
            match self.broadcast.get(&t.zxid) {
                Some(&(c, by)) if (c, by) != (t.cmd, acted) => found.push((
                    ONE_PRIMARY_PER_EPOCH,
                    format!(
                        "S{acted} broadcasts {} {} but S{by} broadcast {c} under that zxid",
                        t.zxid, t.cmd
                    ),
                )),
                Some(_) => {}
                None => {
                    self.broadcast.insert(t.zxid, (t.cmd, acted));
                }
            }
            let epoch = t.zxid.epoch;
            if let litemap::Entry::Vacant(e) = self.first_broadcast.entry((epoch, acted)) {
                let d = node.delivered();
                e.insert(d);
                let earlier = self.global.iter().filter(|(z, _)| z.epoch < epoch).count();
                if d < earlier {
                    found.push((
                        PRIMARY_ORDER,
                        format!(
                            "S{acted} broadcasts {} having delivered {d} transactions, but {earlier} from earlier epochs were delivered",
                            t.zxid
                        ),
                    ));
                }
            }
        }
        let delivered = seen.iter().filter_map(|o| match o {
            ZabObs::Delivered { pos, txn } => Some((*pos, txn)),
            _ => None,
        });
        let mut prev = None;
        for (n, (pos, t)) in delivered.enumerate() {
            if n == 0 && pos > 0 {
                prev = node.history().get(pos - 1).map(|t| t.zxid);
            }
            match self.broadcast.get(&t.zxid) {
                Some(&(c, _)) if c == t.cmd => {}
                Some(&(c, by)) => found.push((
                    INTEGRITY,
                    format!(
                        "S{acted} delivers {} {}, but the primary S{by} broadcast {c} under that zxid",
                        t.zxid, t.cmd
                    ),
                )),
                None => found.push((
                    INTEGRITY,
                    format!(
                        "S{acted} delivers {} {} that no primary broadcast",
                        t.zxid, t.cmd
                    ),
                )),
            }
            if prev.is_some_and(|p| p >= t.zxid) {
                found.push((
                    TOTAL_ORDER,
                    format!(
                        "S{acted} delivers {} after {}",
                        t.zxid,
                        prev.unwrap_or_default()
                    ),
                ));
            }
            prev = Some(t.zxid);
            if pos < self.global.len() {
                let (z, c) = self.global[pos];
                if (z, c) != (t.zxid, t.cmd) {
                    found.push((
                        AGREEMENT,
                        format!(
                            "S{acted}'s delivery #{} is {} {} but another process delivered {z} {c} there",
                            pos + 1,
                            t.zxid,
                            t.cmd
                        ),
                    ));
                }
            } else if pos == self.global.len() {
                self.global.push((t.zxid, t.cmd));
                let all = self.first_broadcast.as_slice();
                let later = all.partition_point(|&(k, _)| k < (t.zxid.epoch + 1, 0));
                for &((e, _), d) in &all[later..] {
                    if d <= pos {
                        found.push((
                            PRIMARY_ORDER,
                            format!(
                                "{} {} of epoch {} is delivered after the primary of epoch {e} broadcast without it",
                                t.zxid, t.cmd, t.zxid.epoch
                            ),
                        ));
                        break;
                    }
                }
            } else {
                found.push((
                    AGREEMENT,
                    format!("S{acted} delivers {} with a gap before it", t.zxid),
                ));
            }
        }
    }
}
