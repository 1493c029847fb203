//! Multi-Paxos safety, checked after every event (Paxos Made Simple §2.1):
//!
//! - **Agreement**: at most one value is chosen per slot. A value is chosen
//!   when a majority of acceptors have accepted it at the same ballot; the
//!   checker counts acceptances per (slot, ballot) as they happen, so it sees
//!   a value become chosen even if the acceptors later move on.
//! - **Validity**: a chosen value was proposed: it is a no-op or a command
//!   some client sent.
//! - **Learners Agree**: no two learners learn different values for a slot,
//!   and a learner learns only a value that was in fact chosen.

use super::engine::{Ballot, Paxos, PaxosObs, Value};
use crate::protocol::Command;
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Agreement".
pub const AGREEMENT: &str = "Agreement";
/// The invariant "Validity".
pub const VALIDITY: &str = "Validity";
/// The invariant "Learners Agree".
pub const LEARNERS_AGREE: &str = "Learners Agree";

fn show(v: &Value) -> String {
    v.map(|c| c.to_string()).unwrap_or_else(|| "no-op".into())
}

/// The Paxos checker's memory. Its maps are only looked up, never iterated.
#[derive(Clone, Debug, Default)]
pub struct PaxosChecker {
    requested: rustc_hash::FxHashSet<Command>,
    // (slot, ballot) -> (value, acceptors as a bit set)
    votes: LiteMap<(u64, Ballot), (Value, u32)>,
    chosen: LiteMap<u64, Value>,
    learned: LiteMap<u64, (Value, NodeId)>,
}

impl Checker<Paxos> for PaxosChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Paxos>],
        seen: &[PaxosObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let majority = crate::protocols::common::majority(nodes.len());
        for o in seen {
            if let PaxosObs::Requested(c) = *o {
                self.requested.insert(c);
            }
        }
        let accepted = seen.iter().filter_map(|o| match *o {
            PaxosObs::Accepted {
                slot,
                ballot,
                value,
            } => Some((slot, ballot, value)),
            _ => None,
        });
        for (slot, b, v) in accepted {
            if let Some(c) = v {
                if !self.requested.contains(&c) {
                    found.push((
                        VALIDITY,
                        format!("S{acted} accepted {c} in slot {slot}, which no client proposed"),
                    ));
                }
            }
            let e = self.votes.entry((slot, b)).or_insert((v, 0));
            if e.0 != v {
                found.push((
                    AGREEMENT,
                    format!(
                        "ballot {b} carries two values for slot {slot}: {} and {}",
                        show(&e.0),
                        show(&v)
                    ),
                ));
                continue;
            }
            let before = e.1.count_ones() as usize;
            e.1 |= 1 << acted;
            if before < majority && e.1.count_ones() as usize >= majority {
                match self.chosen.get(&slot) {
                    Some(w) if *w != v => found.push((
                        AGREEMENT,
                        format!(
                            "two values chosen for slot {slot}: {} earlier, now {} at ballot {b}",
                            show(w),
                            show(&v)
                        ),
                    )),
                    Some(_) => {}
                    None => {
                        self.chosen.insert(slot, v);
                    }
                }
            }
        }
        let learned = seen.iter().filter_map(|o| match *o {
            PaxosObs::Learned { slot, value } => Some((slot, value)),
            _ => None,
        });
        for (slot, v) in learned {
            match self.learned.get(&slot) {
                Some(&(w, by)) if w != v => found.push((
                    LEARNERS_AGREE,
                    format!(
                        "S{acted} learned {} for slot {slot} but S{by} learned {}",
                        show(&v),
                        show(&w)
                    ),
                )),
                Some(_) => {}
                None => {
                    self.learned.insert(slot, (v, acted));
                }
            }
            if self.chosen.get(&slot) != Some(&v) {
                found.push((
                    LEARNERS_AGREE,
                    format!(
                        "S{acted} learned {} for slot {slot}, which no majority accepted",
                        show(&v)
                    ),
                ));
            }
        }
    }
}
