//! The messages of two-phase commit (Prepare, VoteYes/VoteNo, Commit/Abort, Ack, DecisionReq) and its timers.

use super::*;
use crate::protocols::twopc::names::kind;

/// The messages of 2PC.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum TwoPcMsg {
    /// Phase 1: can you commit `txn` (writing `cmd`)?
    Prepare { txn: TxnId, cmd: Command },
    /// A participant's vote.
    Vote { txn: TxnId, yes: bool },
    /// Phase 2: commit.
    Commit { txn: TxnId },
    /// Phase 2: abort.
    Abort { txn: TxnId },
    /// The participant has recorded the decision.
    Ack { txn: TxnId },
    /// An in-doubt participant asks for the decision.
    DecisionReq { txn: TxnId },
}

impl Message for TwoPcMsg {
    fn kind(&self) -> &'static str {
        match self {
            TwoPcMsg::Prepare { .. } => kind::PREPARE,
            TwoPcMsg::Vote { yes: true, .. } => kind::VOTE_YES,
            TwoPcMsg::Vote { yes: false, .. } => kind::VOTE_NO,
            TwoPcMsg::Commit { .. } => kind::COMMIT,
            TwoPcMsg::Abort { .. } => kind::ABORT,
            TwoPcMsg::Ack { .. } => kind::ACK,
            TwoPcMsg::DecisionReq { .. } => kind::DECISION_REQ,
        }
    }
    fn describe(&self) -> String {
        match self {
            TwoPcMsg::Prepare { txn, cmd } => format!("Prepare(T{txn}: {cmd})"),
            TwoPcMsg::Vote { txn, yes } => {
                format!("vote {} on T{txn}", if *yes { "YES" } else { "NO" })
            }
            TwoPcMsg::Commit { txn } => format!("Commit(T{txn})"),
            TwoPcMsg::Abort { txn } => format!("Abort(T{txn})"),
            TwoPcMsg::Ack { txn } => format!("Ack(T{txn})"),
            TwoPcMsg::DecisionReq { txn } => format!("what was decided for T{txn}?"),
        }
    }
}

/// Timers of 2PC nodes, one per transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TwoPcTimer {
    /// Coordinator: stop waiting for votes on this transaction.
    Votes(TxnId),
    /// Coordinator: resend the decision to those that have not acknowledged.
    Resend(TxnId),
    /// Participant: still in doubt; ask the coordinator again.
    InDoubt(TxnId),
    /// Coordinator: recovery after a restart.
    Recover,
}

impl TimerInfo for TwoPcTimer {
    fn name(&self) -> &'static str {
        match self {
            TwoPcTimer::Votes(_) => "vote timeout",
            TwoPcTimer::Resend(_) => "resend timer",
            TwoPcTimer::InDoubt(_) => "in-doubt timer",
            TwoPcTimer::Recover => "recovery",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, TwoPcTimer::Votes(_) | TwoPcTimer::InDoubt(_))
    }
}
