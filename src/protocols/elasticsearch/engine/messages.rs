//! Elasticsearch's messages (replication, shard failure and start, the
//! published cluster state, fault detection, primary-replica resync and
//! peer recovery), the cluster state they carry, and the timers.

use super::*;
use crate::protocols::elasticsearch::names::kind;

/// One indexing operation: the primary term it was indexed in and the
/// document (a key and value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Op {
    /// The primary term.
    pub term: u64,
    /// The document.
    pub cmd: Command,
}

/// The master's cluster state for the one shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct ClusterState {
    /// Bumped at every change.
    pub version: u64,
    /// The node holding the primary (0: none, the index is red).
    pub primary: NodeId,
    /// The primary term.
    pub term: u64,
    /// `inSyncAllocationIds`: the copies in sync, bit `i` for `S(i+1)`.
    pub in_sync: u32,
}

/// The copies in a bit set, as `S1,S2`.
pub fn copies(set: u32) -> String {
    let v: Vec<String> = (0..32)
        .filter(|i| set >> i & 1 == 1)
        .map(|i| format!("S{}", i + 1))
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(",")
    }
}

pub use crate::protocols::common::bit;

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum EsMsg {
    /// The primary's operation at `seq`, with its global checkpoint.
    Replicate { seq: u64, op: Op, gcp: u64 },
    /// A replica's answer: its local checkpoint, or that it cannot take
    /// operations (its copy is not started).
    ReplicaResponse { term: u64, lcp: u64, failed: bool },
    /// A replica refuses an operation from an older primary term.
    ReplicaReject { term: u64 },
    /// The primary reports a failed copy: its allocation (the primary
    /// term and recovery attempt that started it; 0 for one it did not
    /// recover).
    ShardFailed {
        copy: NodeId,
        term: u64,
        alloc: (u64, u64),
    },
    /// The master's answer: removed (`ok`) or refused (a stale primary),
    /// for the copy's allocation the failure named.
    ShardFailedAck {
        copy: NodeId,
        ok: bool,
        state: ClusterState,
        alloc: (u64, u64),
    },
    /// The primary reports a recovered copy, by its allocation (the
    /// node's incarnation when it started recovering).
    ShardStarted {
        copy: NodeId,
        term: u64,
        incarnation: u64,
        alloc: (u64, u64),
    },
    /// A new cluster state.
    Publish(ClusterState),
    /// The master's follower check, with its cluster state (a node that
    /// missed a publication catches up).
    FollowerCheck(ClusterState),
    /// A node's answer; `incarnation` counts its restarts.
    FollowerCheckOk { incarnation: u64 },
    /// A restarted node (re)joins the cluster.
    Join { incarnation: u64 },
    /// The master's answer to a join, with the cluster state.
    JoinAck {
        incarnation: u64,
        state: ClusterState,
    },
    /// A new primary's operations from `from` (its global checkpoint) on.
    Resync {
        term: u64,
        from: u64,
        ops: Vec<Op>,
        gcp: u64,
    },
    /// A stale copy asks the primary to recover it.
    StartRecovery { term: u64, incarnation: u64 },
    /// The primary's operations for a recovering copy (`attempt` tells
    /// recoveries apart).
    Recovery {
        term: u64,
        ops: Vec<Op>,
        gcp: u64,
        attempt: u64,
    },
    /// The recovered copy's local checkpoint.
    RecoveryDone { term: u64, lcp: u64, attempt: u64 },
}

impl Message for EsMsg {
    fn kind(&self) -> &'static str {
        match self {
            EsMsg::Replicate { .. } => kind::REPLICA_REQUEST,
            EsMsg::ReplicaResponse { .. } => kind::REPLICA_RESPONSE,
            EsMsg::ReplicaReject { .. } => kind::REPLICA_REJECT,
            EsMsg::ShardFailed { .. } => kind::SHARD_FAILED,
            EsMsg::ShardFailedAck { .. } => kind::SHARD_FAILED_ACK,
            EsMsg::ShardStarted { .. } => kind::SHARD_STARTED,
            EsMsg::Publish(_) | EsMsg::JoinAck { .. } => kind::PUBLISH,
            EsMsg::FollowerCheck(_) => kind::FOLLOWER_CHECK,
            EsMsg::FollowerCheckOk { .. } | EsMsg::Join { .. } => kind::FOLLOWER_CHECK_OK,
            EsMsg::Resync { .. } => kind::RESYNC,
            EsMsg::StartRecovery { .. } => kind::START_RECOVERY,
            EsMsg::Recovery { .. } => kind::RECOVERY,
            EsMsg::RecoveryDone { .. } => kind::RECOVERY_DONE,
        }
    }
    fn describe(&self) -> String {
        match self {
            EsMsg::Replicate { seq, op, gcp } => format!(
                "index {} as seq_no {seq}, primary term {}, global checkpoint {gcp}",
                op.cmd, op.term
            ),
            EsMsg::ReplicaResponse { failed: true, .. } => "failed: the copy is not started".into(),
            EsMsg::ReplicaResponse { lcp, .. } => format!("done, local checkpoint {lcp}"),
            EsMsg::ReplicaReject { term } => format!("rejected: primary term {term} is newer"),
            EsMsg::ShardFailed { copy, term, .. } => {
                format!("shard failed: the copy on S{copy} (primary term {term})")
            }
            EsMsg::ShardFailedAck { copy, ok, .. } => format!(
                "{} the copy on S{copy}",
                if *ok {
                    "removed from the in-sync set:"
                } else {
                    "refused (stale primary):"
                }
            ),
            EsMsg::ShardStarted { copy, .. } => format!("shard started: the copy on S{copy}"),
            EsMsg::Publish(s) | EsMsg::JoinAck { state: s, .. } => describe_state(s),
            EsMsg::FollowerCheck(s) => format!("follower check (cluster state {})", s.version),
            EsMsg::FollowerCheckOk { .. } => "follower check ok".into(),
            EsMsg::Join { .. } => "join the cluster".into(),
            EsMsg::Resync { from, ops, .. } => {
                format!("resync {} operation(s) from seq_no {from}", ops.len())
            }
            EsMsg::StartRecovery { .. } => "start recovery".into(),
            EsMsg::Recovery { ops, .. } => format!("recovery: {} operation(s)", ops.len()),
            EsMsg::RecoveryDone { lcp, .. } => format!("recovered, local checkpoint {lcp}"),
        }
    }
}

/// A cluster state in words.
pub fn describe_state(s: &ClusterState) -> String {
    let primary = if s.primary == 0 {
        "none (red)".to_string()
    } else {
        format!("S{}", s.primary)
    };
    format!(
        "cluster state {}: primary {primary}, primary term {}, in-sync {}",
        s.version,
        s.term,
        copies(s.in_sync)
    )
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EsTimer {
    /// The master's `cluster.fault_detection.follower_check.interval`.
    FollowerCheck,
    /// A node's check that it still hears a master (and its retries of
    /// join and recovery).
    LeaderCheck,
    /// A write waiting for `wait_for_active_shards` gives up (`timeout`).
    WriteTimeout(RequestId),
}

impl TimerInfo for EsTimer {
    fn name(&self) -> &'static str {
        match self {
            EsTimer::FollowerCheck => "follower_check.interval",
            EsTimer::LeaderCheck => "leader_check.interval",
            EsTimer::WriteTimeout(_) => "timeout",
        }
    }
    fn shown_as_ring(&self) -> bool {
        false
    }
}
