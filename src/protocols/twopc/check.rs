//! Two-phase commit safety (Bernstein, Hadzilacos & Goodman §7.2, the
//! atomic commitment conditions AC1–AC3), checked after every event from what
//! each node forces to its stable log:
//!
//! - **Atomicity** (AC1): no transaction commits at one node and aborts at
//!   another, the coordinator's logged decision included; a participant
//!   that voted no has aborted (AC1 with BHG's "a process that votes No may
//!   unilaterally abort"), and a participant told to commit a transaction it
//!   never prepared or already aborted is a violation, not a silent ack.
//! - **Commit Validity** (AC3): a transaction commits (at the coordinator or
//!   any participant) only if every participant voted yes.
//! - **No Reversal** (AC2): a node that logged an outcome never logs the
//!   other one for the same transaction.

use super::engine::{Record, TwoPc, TwoPcObs, TxnId, COORDINATOR};
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Atomicity".
pub const ATOMICITY: &str = "Atomicity";
/// The invariant "Commit Validity".
pub const COMMIT_VALIDITY: &str = "Commit Validity";
/// The invariant "No Reversal".
pub const NO_REVERSAL: &str = "No Reversal";

#[derive(Clone, Debug, Default)]
struct Seen {
    yes: u32,
    committed: u32,
    aborted: u32,
}

/// The 2PC checker's memory.
#[derive(Clone, Debug, Default)]
pub struct TwoPcChecker {
    txns: LiteMap<TxnId, Seen>,
}

impl Checker<TwoPc> for TwoPcChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<TwoPc>],
        seen: &[TwoPcObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        // Every node except the coordinator is a participant.
        let all: u32 = (1..=nodes.len() as u32)
            .filter(|&p| p != COORDINATOR)
            .fold(0, |m, p| m | 1 << p);
        let bit = 1u32 << acted;
        for o in seen {
            if let TwoPcObs::Contradiction(why) = o {
                found.push((ATOMICITY, why.clone()));
            }
        }
        let logged = seen.iter().filter_map(|o| match o {
            TwoPcObs::Logged(r) => Some(r),
            _ => None,
        });
        for r in logged {
            match *r {
                Record::Prepared { txn, .. } => self.txns.entry(txn).or_default().yes |= bit,
                Record::Decision { txn, commit: true } | Record::Committed { txn } => {
                    let s = self.txns.entry(txn).or_default();
                    if s.yes & all != all {
                        let missing: Vec<String> = (1..=nodes.len() as u32)
                            .filter(|&p| all & (1 << p) != 0 && s.yes & (1 << p) == 0)
                            .map(|p| format!("S{p}"))
                            .collect();
                        found.push((
                            COMMIT_VALIDITY,
                            format!(
                                "S{acted} commits T{txn} but {} did not vote yes",
                                missing.join(", ")
                            ),
                        ));
                    }
                    if s.aborted & bit != 0 {
                        found.push((
                            NO_REVERSAL,
                            format!("S{acted} commits T{txn} after aborting it"),
                        ));
                    }
                    s.committed |= bit;
                }
                Record::Decision { txn, commit: false }
                | Record::Aborted { txn }
                | Record::VotedNo { txn } => {
                    let s = self.txns.entry(txn).or_default();
                    if s.committed & bit != 0 {
                        found.push((
                            NO_REVERSAL,
                            format!("S{acted} aborts T{txn} after committing it"),
                        ));
                    }
                    s.aborted |= bit;
                }
                _ => {}
            }
            let txn = match *r {
                Record::Committed { txn } | Record::Aborted { txn } | Record::VotedNo { txn } => {
                    txn
                }
                Record::Decision { txn, .. } => txn,
                _ => continue,
            };
            let Some(s) = self.txns.get(&txn) else {
                continue;
            };
            // Every node, the coordinator's decision included.
            let (c, a) = (s.committed, s.aborted);
            if c != 0 && a != 0 {
                let name = |m: u32| {
                    (1..=nodes.len() as u32)
                        .filter(|&p| m & (1 << p) != 0)
                        .map(|p| format!("S{p}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                found.push((
                    ATOMICITY,
                    format!("T{txn} committed at {} but aborted at {}", name(c), name(a)),
                ));
            }
        }
    }
}
