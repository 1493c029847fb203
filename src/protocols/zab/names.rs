//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`). The conformance suite
//! fails if an engine emits a name its descriptor lacks.

/// Message kinds.
pub mod kind {
    /// `Notification`.
    pub const NOTIFICATION: &str = "Notification";
    /// `FollowerInfo`.
    pub const FOLLOWER_INFO: &str = "FollowerInfo";
    /// `NewEpoch`.
    pub const NEW_EPOCH: &str = "NewEpoch";
    /// `AckEpoch`.
    pub const ACK_EPOCH: &str = "AckEpoch";
    /// `NewLeader`.
    pub const NEW_LEADER: &str = "NewLeader";
    /// `AckNewLeader`.
    pub const ACK_NEW_LEADER: &str = "AckNewLeader";
    /// `UpToDate`.
    pub const UP_TO_DATE: &str = "UpToDate";
    /// `Propose`.
    pub const PROPOSE: &str = "Propose";
    /// `Ack`.
    pub const ACK: &str = "Ack";
    /// `Commit`.
    pub const COMMIT: &str = "Commit";
    /// `Ping`.
    pub const PING: &str = "Ping";
    /// `Sync`: a follower asks its leader to flush the channel (ZooKeeper's `sync()`).
    pub const SYNC: &str = "Sync";
    /// `SyncDone`: everything proposed before the sync is committed.
    pub const SYNC_DONE: &str = "SyncDone";
}

/// Roles.
pub mod role {
    /// `leading`.
    pub const LEADING: &str = "leading";
    /// `looking`.
    pub const LOOKING: &str = "looking";
    /// `following`.
    pub const FOLLOWING: &str = "following";
}
