//! The messages of Multi-Paxos (Prepare/Promise = 1a/1b, Accept/Accepted = 2a/2b, Decide, Nack) and its timers.

use super::*;
use crate::protocols::paxos::names::kind;

/// The messages of Multi-Paxos.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum PaxosMsg {
    /// Phase 1a: promise to ignore ballots below `ballot`; report what you
    /// accepted in slots from `from_slot` on.
    Prepare { ballot: Ballot, from_slot: u64 },
    /// Phase 1b: the promise, with the highest-ballot accepted value per slot.
    Promise {
        ballot: Ballot,
        accepted: Vec<(u64, Ballot, Value)>,
    },
    /// Phase 2a: please accept `value` for `slot` at `ballot`.
    Accept {
        ballot: Ballot,
        slot: u64,
        value: Value,
    },
    /// Phase 2b: accepted.
    Accepted { ballot: Ballot, slot: u64 },
    /// Rejection of `ballot`: the acceptor has promised `promised`.
    Nack { ballot: Ballot, promised: Ballot },
    /// The leader tells a learner that `value` was chosen for `slot`.
    Decide { slot: u64, value: Value },
    /// The leader is alive; it has learned every slot up to `learned`.
    Heartbeat { ballot: Ballot, learned: u64 },
    /// A learner asks the leader for the decisions from `from` on.
    CatchUp { from: u64 },
}

impl Message for PaxosMsg {
    fn kind(&self) -> &'static str {
        match self {
            PaxosMsg::Prepare { .. } => kind::PREPARE,
            PaxosMsg::Promise { .. } => kind::PROMISE,
            PaxosMsg::Accept { .. } => kind::ACCEPT,
            PaxosMsg::Accepted { .. } => kind::ACCEPTED,
            PaxosMsg::Nack { .. } => kind::NACK,
            PaxosMsg::Decide { .. } => kind::DECIDE,
            PaxosMsg::Heartbeat { .. } => kind::HEARTBEAT,
            PaxosMsg::CatchUp { .. } => kind::CATCH_UP,
        }
    }
    fn describe(&self) -> String {
        match self {
            PaxosMsg::Prepare { ballot, from_slot } => {
                format!("Prepare(ballot {ballot}, slots {from_slot}+)")
            }
            PaxosMsg::Promise { ballot, accepted } => {
                format!("Promise(ballot {ballot}, {} accepted)", accepted.len())
            }
            PaxosMsg::Accept {
                ballot,
                slot,
                value,
            } => format!("Accept(ballot {ballot}, slot {slot}, {})", show(value)),
            PaxosMsg::Accepted { ballot, slot } => {
                format!("Accepted(ballot {ballot}, slot {slot})")
            }
            PaxosMsg::Nack { ballot, promised } => {
                format!("Nack: ballot {ballot} < promised {promised}")
            }
            PaxosMsg::Decide { slot, value } => format!("Decide(slot {slot}: {})", show(value)),
            PaxosMsg::Heartbeat { ballot, learned } => {
                format!("heartbeat(ballot {ballot}, learned {learned})")
            }
            PaxosMsg::CatchUp { from } => format!("CatchUp(slots {from}+)"),
        }
    }
}

/// Timers of a Paxos node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PaxosTimer {
    /// No word from a leader: run phase 1.
    LeaderTimeout,
    /// Leader or proposer: heartbeat and retransmit.
    Tick,
}

impl TimerInfo for PaxosTimer {
    fn name(&self) -> &'static str {
        match self {
            PaxosTimer::LeaderTimeout => "leader timeout",
            PaxosTimer::Tick => "heartbeat timer",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, PaxosTimer::LeaderTimeout)
    }
}
