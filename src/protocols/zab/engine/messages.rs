//! The messages and timers of Zab, with the names of the paper and of ZooKeeper.

use super::*;
use crate::protocols::zab::names::kind;

/// The messages of Zab. `session`/`seq` make the leader-to-follower stream FIFO.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ZabMsg {
    /// Fast leader election.
    Notification {
        vote: Vote,
        round: u64,
        state: Announce,
    },
    /// Follower to its leader: CEPOCH.
    FollowerInfo { accepted_epoch: u64, session: u64 },
    /// Leader to follower: NEWEPOCH.
    NewEpoch { session: u64, seq: u64, epoch: u64 },
    /// Follower: ACK-E with its currentEpoch and last zxid. `current_epoch`
    /// is `None` (ZooKeeper sends -1) when the follower had already accepted
    /// this epoch before: the leader syncs it but must not count it towards
    /// its discovery quorum (`Learner.registerWithLeader`,
    /// `Leader.waitForEpochAck`).
    AckEpoch {
        session: u64,
        epoch: u64,
        current_epoch: Option<u64>,
        last: Zxid,
    },
    /// Leader: NEWLEADER with the synchronisation.
    NewLeader {
        session: u64,
        seq: u64,
        epoch: u64,
        sync: SyncMode,
    },
    /// Follower: ACK-LD.
    AckNewLeader { session: u64, last: Zxid },
    /// Leader: the initial history is committed up to `committed`.
    UpToDate {
        session: u64,
        seq: u64,
        committed: Zxid,
    },
    /// Leader: PROPOSE.
    Propose { session: u64, seq: u64, txn: Txn },
    /// Follower: ACK (cumulative: I hold everything up to `last`).
    Ack { session: u64, last: Zxid },
    /// Leader: COMMIT everything up to `zxid`.
    Commit { session: u64, seq: u64, zxid: Zxid },
    /// Leader: PING.
    Ping { session: u64, seq: u64 },
    /// Follower to its leader: sync before answering read `req` (ZooKeeper
    /// forwards a client's `sync()` to the leader).
    Sync { session: u64, req: RequestId },
    /// Leader: everything it had proposed when `req`'s sync arrived is
    /// committed, and the commits precede this on the stream.
    SyncDone {
        session: u64,
        seq: u64,
        req: RequestId,
    },
}

impl ZabMsg {
    pub(super) fn seq(&self) -> Option<(u64, u64)> {
        match *self {
            ZabMsg::NewEpoch { session, seq, .. }
            | ZabMsg::NewLeader { session, seq, .. }
            | ZabMsg::UpToDate { session, seq, .. }
            | ZabMsg::Propose { session, seq, .. }
            | ZabMsg::Commit { session, seq, .. }
            | ZabMsg::Ping { session, seq }
            | ZabMsg::SyncDone { session, seq, .. } => Some((session, seq)),
            _ => None,
        }
    }
}

impl Message for ZabMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZabMsg::Notification { .. } => kind::NOTIFICATION,
            ZabMsg::FollowerInfo { .. } => kind::FOLLOWER_INFO,
            ZabMsg::NewEpoch { .. } => kind::NEW_EPOCH,
            ZabMsg::AckEpoch { .. } => kind::ACK_EPOCH,
            ZabMsg::NewLeader { .. } => kind::NEW_LEADER,
            ZabMsg::AckNewLeader { .. } => kind::ACK_NEW_LEADER,
            ZabMsg::UpToDate { .. } => kind::UP_TO_DATE,
            ZabMsg::Propose { .. } => kind::PROPOSE,
            ZabMsg::Ack { .. } => kind::ACK,
            ZabMsg::Commit { .. } => kind::COMMIT,
            ZabMsg::Ping { .. } => kind::PING,
            ZabMsg::Sync { .. } => kind::SYNC,
            ZabMsg::SyncDone { .. } => kind::SYNC_DONE,
        }
    }
    fn describe(&self) -> String {
        match self {
            ZabMsg::Notification { vote, round, state } => format!(
                "vote S{} ({}, {}) in round {round}, {:?}",
                vote.leader, vote.epoch, vote.zxid, state
            ),
            ZabMsg::FollowerInfo { accepted_epoch, .. } => {
                format!("FollowerInfo(acceptedEpoch {accepted_epoch})")
            }
            ZabMsg::NewEpoch { epoch, .. } => format!("NewEpoch({epoch})"),
            ZabMsg::AckEpoch {
                epoch,
                current_epoch,
                last,
                ..
            } => match current_epoch {
                Some(c) => format!("AckEpoch({epoch}; currentEpoch {c}, last {last})"),
                None => format!("AckEpoch({epoch}; already accepted, not counted; last {last})"),
            },
            ZabMsg::NewLeader { epoch, sync, .. } => match sync {
                SyncMode::Diff(t) => format!("NewLeader({epoch}) DIFF +{}", t.len()),
                SyncMode::Trunc(z, t) => format!("NewLeader({epoch}) TRUNC to {z} +{}", t.len()),
                SyncMode::Snap(t) => format!("NewLeader({epoch}) SNAP {}", t.len()),
            },
            ZabMsg::AckNewLeader { last, .. } => format!("AckNewLeader(last {last})"),
            ZabMsg::UpToDate { committed, .. } => format!("UpToDate(committed {committed})"),
            ZabMsg::Propose { txn, .. } => format!("Propose({} {})", txn.zxid, txn.cmd),
            ZabMsg::Ack { last, .. } => format!("Ack({last})"),
            ZabMsg::Commit { zxid, .. } => format!("Commit(up to {zxid})"),
            ZabMsg::Ping { .. } => "ping".into(),
            ZabMsg::Sync { req, .. } => format!("Sync (for read #{req})"),
            ZabMsg::SyncDone { req, .. } => format!("SyncDone (read #{req} may go)"),
        }
    }
}

/// Timers of a Zab node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZabTimer {
    /// Looking: resend notifications.
    Election,
    /// Looking: the finalize wait is over.
    Finalize,
    /// Following: no in-order word from the leader.
    Follower,
    /// Leading: ping and check the quorum.
    Tick,
}

impl TimerInfo for ZabTimer {
    fn name(&self) -> &'static str {
        match self {
            ZabTimer::Election => "election timer",
            ZabTimer::Finalize => "finalize wait",
            ZabTimer::Follower => "follower timeout",
            ZabTimer::Tick => "tick",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, ZabTimer::Election | ZabTimer::Follower)
    }
}
