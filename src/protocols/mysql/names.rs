//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`), as MySQL and Orchestrator
//! call them.

/// Message kinds.
pub mod kind {
    /// `BinlogDumpGtid`: a replica (re)starts its stream from its GTID set.
    pub const DUMP: &str = "BinlogDumpGtid";
    /// A binlog event (one transaction).
    pub const EVENT: &str = "BinlogEvent";
    /// The source's heartbeat to an idle replica.
    pub const HEARTBEAT: &str = "Heartbeat";
    /// A semi-sync replica's acknowledgement (after the relay-log write).
    pub const ACK: &str = "SemiSyncAck";
    /// The source refuses a replica that has GTIDs it lacks (error 1236).
    pub const DUMP_ERROR: &str = "DumpError";
    /// The orchestrator's probe.
    pub const PROBE: &str = "Probe";
    /// A server's answer to a probe.
    pub const PROBE_REPLY: &str = "ProbeReply";
    /// The orchestrator promotes a replica.
    pub const PROMOTE: &str = "Promote";
    /// The orchestrator repoints a server (CHANGE REPLICATION SOURCE TO).
    pub const CHANGE_SOURCE: &str = "ChangeSource";
}

/// Roles.
pub mod role {
    /// The source (master), accepting writes.
    pub const SOURCE: &str = "source";
    /// A replica (slave).
    pub const REPLICA: &str = "replica";
    /// The orchestrator: the outside tool that fails over.
    pub const ORCHESTRATOR: &str = "orchestrator";
}
