//! MongoDB's names for its messages and member states, as the trace, the
//! animation and the descriptor show them.

/// Message kinds.
pub mod kind {
    /// `replSetHeartbeat`.
    pub const HEARTBEAT: &str = "replSetHeartbeat";
    /// Its response.
    pub const HEARTBEAT_RESPONSE: &str = "replSetHeartbeatResponse";
    /// `replSetRequestVotes` (a dry run or a real one).
    pub const REQUEST_VOTES: &str = "replSetRequestVotes";
    /// Its response.
    pub const VOTE: &str = "replSetRequestVotesResponse";
    /// The oplog fetcher's `getMore` on the sync source's oplog.
    pub const GET_MORE: &str = "getMore";
    /// A batch of oplog entries (or the news that the oplogs diverged).
    pub const BATCH: &str = "getMoreResponse";
    /// `replSetUpdatePosition`.
    pub const UPDATE_POSITION: &str = "replSetUpdatePosition";
    /// Bully (textbook, not MongoDB): ELECTION, to every higher id.
    pub const ELECTION: &str = "ELECTION";
    /// Bully: ANSWER, "a higher member is alive".
    pub const ANSWER: &str = "ANSWER";
    /// Bully: COORDINATOR, the winner's announcement.
    pub const COORDINATOR: &str = "COORDINATOR";
}

/// Member states (`rs.status()`'s `stateStr`, lower case).
pub mod role {
    /// PRIMARY.
    pub const PRIMARY: &str = "primary";
    /// SECONDARY.
    pub const SECONDARY: &str = "secondary";
    /// A secondary standing for election (still SECONDARY in `rs.status()`).
    pub const CANDIDATE: &str = "candidate";
    /// ROLLBACK.
    pub const ROLLBACK: &str = "rollback";
    /// ARBITER.
    pub const ARBITER: &str = "arbiter";
    /// RECOVERING (after a rollback, until minValid).
    pub const RECOVERING: &str = "recovering";
}
