//! Cassandra's names for its messages and node roles, as the trace, the
//! animation and the descriptor show them.

/// Message kinds (Cassandra's verbs).
pub mod kind {
    /// `MUTATION_REQ`: a write to a replica (or a hint replayed).
    pub const MUTATION: &str = "MUTATION_REQ";
    /// `MUTATION_RSP`.
    pub const MUTATION_ACK: &str = "MUTATION_RSP";
    /// `READ_REQ`: a data or a digest request.
    pub const READ: &str = "READ_REQ";
    /// `READ_RSP`.
    pub const READ_RESPONSE: &str = "READ_RSP";
    /// `READ_REPAIR_REQ`: the merged value written back to a stale replica.
    pub const READ_REPAIR: &str = "READ_REPAIR_REQ";
    /// `READ_REPAIR_RSP`.
    pub const READ_REPAIR_ACK: &str = "READ_REPAIR_RSP";
    /// `GOSSIP_DIGEST_SYN`.
    pub const SYN: &str = "GOSSIP_DIGEST_SYN";
    /// `GOSSIP_DIGEST_ACK`.
    pub const ACK: &str = "GOSSIP_DIGEST_ACK";
    /// `GOSSIP_DIGEST_ACK2`.
    pub const ACK2: &str = "GOSSIP_DIGEST_ACK2";
    /// Anti-entropy repair: a replica's cells for the ranges both hold.
    pub const REPAIR: &str = "REPAIR_SYNC";
}

/// Roles: a leaderless system has no leader.
pub mod role {
    /// Coordinating a client request.
    pub const COORDINATOR: &str = "coordinator";
    /// Otherwise.
    pub const REPLICA: &str = "replica";
}
