//! The names the engine, its checker and its descriptor share: message
//! kinds (`data-kind`) and roles (`data-role`). The conformance suite
//! fails if an engine emits a name its descriptor lacks.

/// Message kinds.
pub mod kind {
    /// `RequestVote`.
    pub const REQUEST_VOTE: &str = "RequestVote";
    /// `RequestVoteReply`.
    pub const REQUEST_VOTE_REPLY: &str = "RequestVoteReply";
    /// `AppendEntries`.
    pub const APPEND_ENTRIES: &str = "AppendEntries";
    /// `AppendEntriesReply`.
    pub const APPEND_ENTRIES_REPLY: &str = "AppendEntriesReply";
    /// `Heartbeat`.
    pub const HEARTBEAT: &str = "Heartbeat";
}

/// Roles.
pub mod role {
    /// `leader`.
    pub const LEADER: &str = "leader";
    /// `candidate`.
    pub const CANDIDATE: &str = "candidate";
    /// `follower`.
    pub const FOLLOWER: &str = "follower";
    /// `non-voter`: outside the configuration it uses (thesis §4.1).
    pub const NON_VOTER: &str = "non-voter";
}
