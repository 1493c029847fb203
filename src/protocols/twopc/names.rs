//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`). The conformance suite
//! fails if an engine emits a name its descriptor lacks.

/// Message kinds.
pub mod kind {
    /// `Prepare`.
    pub const PREPARE: &str = "Prepare";
    /// `VoteYes`.
    pub const VOTE_YES: &str = "VoteYes";
    /// `VoteNo`.
    pub const VOTE_NO: &str = "VoteNo";
    /// `Commit`.
    pub const COMMIT: &str = "Commit";
    /// `Abort`.
    pub const ABORT: &str = "Abort";
    /// `Ack`.
    pub const ACK: &str = "Ack";
    /// `DecisionReq`.
    pub const DECISION_REQ: &str = "DecisionReq";
}

/// Roles.
pub mod role {
    /// `coordinator`.
    pub const COORDINATOR: &str = "coordinator";
    /// `participant`.
    pub const PARTICIPANT: &str = "participant";
}
