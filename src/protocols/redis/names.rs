//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`), as Redis calls them.

/// Message kinds.
pub mod kind {
    /// `PSYNC <replid> <offset>`.
    pub const PSYNC: &str = "PSYNC";
    /// `+FULLRESYNC` with the RDB snapshot.
    pub const FULLRESYNC: &str = "FULLRESYNC";
    /// `+CONTINUE`.
    pub const CONTINUE: &str = "CONTINUE";
    /// A write command on the replication stream.
    pub const COMMAND: &str = "Command";
    /// The master's `PING` to its replicas.
    pub const PING: &str = "PING";
    /// `REPLCONF ACK <offset>`.
    pub const ACK: &str = "REPLCONF ACK";
    /// `REPLCONF GETACK *`: the master asks for an ACK now (WAIT).
    pub const GETACK: &str = "REPLCONF GETACK";
    /// A sentinel's `PING`/`INFO` to an instance.
    pub const INFO: &str = "INFO";
    /// An instance's answer.
    pub const INFO_REPLY: &str = "InfoReply";
    /// `SENTINEL is-master-down-by-addr`.
    pub const IS_MASTER_DOWN: &str = "is-master-down-by-addr";
    /// The answer (and the vote).
    pub const VOTE: &str = "Vote";
    /// `REPLICAOF`.
    pub const REPLICAOF: &str = "REPLICAOF";
    /// A sentinel's new configuration (`__sentinel__:hello`).
    pub const HELLO: &str = "hello";
}

/// Roles.
pub mod role {
    /// `master`.
    pub const MASTER: &str = "master";
    /// `replica`.
    pub const REPLICA: &str = "replica";
    /// `sentinel`.
    pub const SENTINEL: &str = "sentinel";
}
