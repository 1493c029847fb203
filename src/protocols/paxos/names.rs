//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`). The conformance suite
//! fails if an engine emits a name its descriptor lacks.

/// Message kinds.
pub mod kind {
    /// `Prepare`.
    pub const PREPARE: &str = "Prepare";
    /// `Promise`.
    pub const PROMISE: &str = "Promise";
    /// `Accept`.
    pub const ACCEPT: &str = "Accept";
    /// `Accepted`.
    pub const ACCEPTED: &str = "Accepted";
    /// `Decide`.
    pub const DECIDE: &str = "Decide";
    /// `Nack`.
    pub const NACK: &str = "Nack";
    /// `Heartbeat`.
    pub const HEARTBEAT: &str = "Heartbeat";
    /// `CatchUp`.
    pub const CATCH_UP: &str = "CatchUp";
}

/// Roles.
pub mod role {
    /// `leader`.
    pub const LEADER: &str = "leader";
    /// `proposer`.
    pub const PROPOSER: &str = "proposer";
    /// `acceptor`.
    pub const ACCEPTOR: &str = "acceptor";
}
