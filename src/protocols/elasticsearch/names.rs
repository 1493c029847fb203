//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`), as Elasticsearch calls them.

/// Message kinds (Elasticsearch's transport actions, shortened).
pub mod kind {
    /// `indices:data/write/bulk[s][r]`: the primary's operation to a replica.
    pub const REPLICA_REQUEST: &str = "ReplicaRequest";
    /// A replica's answer, with its local checkpoint.
    pub const REPLICA_RESPONSE: &str = "ReplicaResponse";
    /// A replica refuses an operation from an older primary term.
    pub const REPLICA_REJECT: &str = "ReplicaReject";
    /// `internal:cluster/shard/failure`: the primary reports a failed copy.
    pub const SHARD_FAILED: &str = "ShardFailed";
    /// The master's acknowledgement of a shard failure.
    pub const SHARD_FAILED_ACK: &str = "ShardFailedAck";
    /// `internal:cluster/shard/started`: a recovered copy is in sync.
    pub const SHARD_STARTED: &str = "ShardStarted";
    /// `PublishClusterState`: the master's new cluster state.
    pub const PUBLISH: &str = "PublishClusterState";
    /// `FollowerCheck` (master to node) and its answer.
    pub const FOLLOWER_CHECK: &str = "FollowerCheck";
    /// A node's answer to the follower check.
    pub const FOLLOWER_CHECK_OK: &str = "FollowerCheckResponse";
    /// `ResyncRequest`: a new primary's operations above the global checkpoint.
    pub const RESYNC: &str = "ResyncRequest";
    /// `StartRecovery`: a stale copy asks the primary to recover it.
    pub const START_RECOVERY: &str = "StartRecovery";
    /// The primary's operations for a recovering copy.
    pub const RECOVERY: &str = "RecoveryOperations";
    /// The recovering copy's answer, with its local checkpoint.
    pub const RECOVERY_DONE: &str = "RecoveryFinalized";
}

/// Roles.
pub mod role {
    /// The shard's primary.
    pub const PRIMARY: &str = "primary";
    /// An in-sync replica.
    pub const REPLICA: &str = "replica";
    /// A copy that is not in sync (stale, or recovering).
    pub const STALE: &str = "stale";
    /// The master node.
    pub const MASTER: &str = "master";
    /// A data node that holds no copy.
    pub const NODE: &str = "node";
}
