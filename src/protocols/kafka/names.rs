//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`), as Kafka calls them.

/// Message kinds (Kafka's API names).
pub mod kind {
    /// `Fetch`: a follower pulls from the leader.
    pub const FETCH: &str = "Fetch";
    /// The leader's answer: records and its high watermark.
    pub const FETCH_RESPONSE: &str = "FetchResponse";
    /// `OffsetsForLeaderEpoch` (KIP-101): where did this epoch end?
    pub const EPOCH_QUERY: &str = "OffsetsForLeaderEpoch";
    /// Its answer.
    pub const EPOCH_END: &str = "EpochEndOffset";
    /// `AlterPartition`: the leader asks the controller to change the ISR.
    pub const ALTER: &str = "AlterPartition";
    /// The controller's answer.
    pub const ALTER_RESPONSE: &str = "AlterPartitionResponse";
    /// `BrokerHeartbeat`.
    pub const HEARTBEAT: &str = "BrokerHeartbeat";
    /// The controller's answer, with the partition's metadata.
    pub const HEARTBEAT_RESPONSE: &str = "BrokerHeartbeatResponse";
    /// The controller's decision (`PartitionChangeRecord`; `LeaderAndIsr`
    /// in ZooKeeper mode).
    pub const PARTITION_CHANGE: &str = "PartitionChange";
}

/// Roles.
pub mod role {
    /// The partition's leader.
    pub const LEADER: &str = "leader";
    /// A follower replica.
    pub const FOLLOWER: &str = "follower";
    /// The controller.
    pub const CONTROLLER: &str = "controller";
    /// A fenced broker, or a replica of a partition with no leader.
    pub const OFFLINE: &str = "offline";
    /// A broker that holds no replica of the partition.
    pub const BROKER: &str = "broker";
}
