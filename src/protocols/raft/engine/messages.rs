//! Raft's RPCs and their replies (Figure 2) and its timers.

use super::*;
use crate::protocols::raft::names::kind;

/// Raft RPCs and their replies (Figure 2). The sender id (`candidateId`,
/// `leaderId`) is the message's `from`, which the kernel supplies.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum RaftMsg {
    /// Invoked by candidates to gather votes (§5.2).
    RequestVote {
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
    },
    /// Reply to RequestVote.
    RequestVoteReply { term: u64, vote_granted: bool },
    /// Invoked by the leader to replicate entries (§5.3); also the heartbeat (§5.2).
    AppendEntries {
        term: u64,
        prev_log_index: u64,
        prev_log_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
        /// The leader's heartbeat round, echoed in the reply: how a leader
        /// learns that a majority still followed it after a given moment
        /// (ReadIndex and leases, §8 and the Raft thesis §6.4).
        seq: u64,
    },
    /// Reply to AppendEntries. On success `match_index` is the index of the
    /// last entry the follower now holds from this request; on rejection,
    /// `reject_prev` echoes `prevLogIndex` and `last_log_index` hints where
    /// the follower's log ends (the back-off shortcut mentioned in §5.3).
    AppendEntriesReply {
        term: u64,
        success: bool,
        match_index: u64,
        reject_prev: u64,
        last_log_index: u64,
        /// The `seq` of the AppendEntries this answers.
        seq: u64,
    },
}

impl RaftMsg {
    /// The term carried by any Raft message.
    pub fn term(&self) -> u64 {
        match self {
            RaftMsg::RequestVote { term, .. }
            | RaftMsg::RequestVoteReply { term, .. }
            | RaftMsg::AppendEntries { term, .. }
            | RaftMsg::AppendEntriesReply { term, .. } => *term,
        }
    }
}

impl Message for RaftMsg {
    fn kind(&self) -> &'static str {
        match self {
            RaftMsg::RequestVote { .. } => kind::REQUEST_VOTE,
            RaftMsg::RequestVoteReply { .. } => kind::REQUEST_VOTE_REPLY,
            RaftMsg::AppendEntries { entries, .. } if entries.is_empty() => kind::HEARTBEAT,
            RaftMsg::AppendEntries { .. } => kind::APPEND_ENTRIES,
            RaftMsg::AppendEntriesReply { .. } => kind::APPEND_ENTRIES_REPLY,
        }
    }
    fn describe(&self) -> String {
        match self {
            RaftMsg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => format!("RequestVote(term {term}, last log {last_log_index}@t{last_log_term})"),
            RaftMsg::RequestVoteReply { term, vote_granted } => {
                let verdict = if *vote_granted {
                    crate::en!("granted")
                } else {
                    crate::en!("denied")
                };
                format!("vote {verdict} (term {term})")
            }
            RaftMsg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            } if entries.is_empty() => {
                format!("heartbeat(term {term}, prev {prev_log_index}@t{prev_log_term}, commit {leader_commit})")
            }
            RaftMsg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            } => format!(
                "AppendEntries(term {term}, prev {prev_log_index}@t{prev_log_term}, {} entr{}, commit {leader_commit})",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" }
            ),
            RaftMsg::AppendEntriesReply {
                term,
                success: true,
                match_index,
                ..
            } => format!("AppendEntries ok, has up to {match_index} (term {term})"),
            RaftMsg::AppendEntriesReply {
                term,
                success: false,
                ..
            } => format!("AppendEntries rejected (term {term})"),
        }
    }
}

/// Raft's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RaftTimer {
    /// Followers and candidates: start an election when it fires (§5.2).
    Election,
    /// Leaders: send heartbeats when it fires.
    Heartbeat,
}

impl TimerInfo for RaftTimer {
    fn name(&self) -> &'static str {
        match self {
            RaftTimer::Election => "election timeout",
            RaftTimer::Heartbeat => "heartbeat timer",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, RaftTimer::Election)
    }
}
