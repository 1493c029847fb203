//! Two-phase commit safety (Bernstein, Hadzilacos & Goodman §7.2, the
//! atomic commitment conditions AC1–AC3), checked after every event from what
//! each node forces to its stable log:
//!
//! - **Atomicity** (AC1): no transaction commits at one participant and
//!   aborts at another.
//! - **Commit Validity** (AC3): a transaction commits (at the coordinator or
//!   any participant) only if every participant voted yes.
//! - **No Reversal** (AC2): a node that logged an outcome never logs the
//!   other one for the same transaction.

use crate::check::Checker;
use crate::protocols::twopc::{Record, TwoPc, TxnId, COORDINATOR};
use crate::sim::NodeId;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
struct Seen {
    yes: u32,
    committed: u32,
    aborted: u32,
}

/// The 2PC checker's memory (looked up only, never iterated).
#[derive(Clone, Debug, Default)]
pub struct TpcChecker {
    txns: HashMap<TxnId, Seen>,
}

impl Checker<TwoPc> for TpcChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<TwoPc>],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(Some(node)) = nodes.get((acted as usize).wrapping_sub(1)) else {
            return;
        };
        // Every node except the coordinator is a participant.
        let all: u32 = (1..=nodes.len() as u32)
            .filter(|&p| p != COORDINATOR)
            .fold(0, |m, p| m | 1 << p);
        let bit = 1u32 << acted;
        for r in node.recent() {
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
                            "Commit Validity",
                            format!(
                                "S{acted} commits T{txn} but {} did not vote yes",
                                missing.join(", ")
                            ),
                        ));
                    }
                    if s.aborted & bit != 0 {
                        found.push((
                            "No Reversal",
                            format!("S{acted} commits T{txn} after aborting it"),
                        ));
                    }
                    s.committed |= bit;
                }
                Record::Decision { txn, commit: false } | Record::Aborted { txn } => {
                    let s = self.txns.entry(txn).or_default();
                    if s.committed & bit != 0 {
                        found.push((
                            "No Reversal",
                            format!("S{acted} aborts T{txn} after committing it"),
                        ));
                    }
                    s.aborted |= bit;
                }
                _ => {}
            }
            let txn = match *r {
                Record::Committed { txn } | Record::Aborted { txn } => txn,
                Record::Decision { txn, .. } => txn,
                _ => continue,
            };
            let s = &self.txns[&txn];
            let (c, a) = (s.committed & all, s.aborted & all);
            if c != 0 && a != 0 {
                let name = |m: u32| {
                    (1..=nodes.len() as u32)
                        .filter(|&p| m & (1 << p) != 0)
                        .map(|p| format!("S{p}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                found.push((
                    "Atomicity",
                    format!("T{txn} committed at {} but aborted at {}", name(c), name(a)),
                ));
            }
        }
    }
}
