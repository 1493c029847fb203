//! MongoDB's replication messages (`src/mongo/db/repl/README.md`): the
//! heartbeat, the vote request, the oplog fetcher's `getMore` and its
//! batches, and `replSetUpdatePosition`.

use crate::protocol::{Message, TimerInfo};
use crate::protocols::mongodb::names::kind;

/// An oplog entry's `OpTime`: its term, then its timestamp (here the
/// entry's position, 1-based). OpTimes compare by term first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct OpTime {
    /// The term of the primary that wrote it.
    pub term: u64,
    /// Its timestamp (position in the oplog, from 1).
    pub ts: u64,
}

impl std::fmt::Display for OpTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(ts {}, t{})", self.ts, self.term)
    }
}

/// A message between members.
#[derive(Clone, Debug, serde::Serialize)]
pub enum MongoMsg {
    /// `replSetHeartbeat`: the sender's term.
    Heartbeat { term: u64 },
    /// Its answer: the responder's term, whether it is primary, its
    /// `lastApplied` and its commit point.
    HeartbeatResponse {
        term: u64,
        primary: bool,
        applied: OpTime,
        commit: OpTime,
    },
    /// `replSetRequestVotes`: the candidate's term (a dry run does not bump
    /// it) and `lastAppliedOpTime`.
    RequestVotes { term: u64, last: OpTime, dry: bool },
    /// The answer.
    Vote { term: u64, granted: bool, dry: bool },
    /// The oplog fetcher asks for the entries after `after`.
    GetMore { term: u64, after: OpTime },
    /// Entries after `after` with the source's metadata (`lastCommitted`,
    /// term, its `lastApplied`); or, when `diverged`, the terms of the
    /// source's oplog up to `after`'s timestamp (rollback finds the common
    /// point with them, if the source is ahead: `OplogStartMissing`).
    Batch {
        term: u64,
        after: OpTime,
        last: OpTime,
        entries: Vec<super::Op>,
        commit: OpTime,
        diverged: bool,
        terms: Vec<u64>,
    },
    /// `replSetUpdatePosition`: the sender's `lastApplied` (= `lastDurable`).
    UpdatePosition { term: u64, applied: OpTime },
    /// Bully (not MongoDB): "I am holding an election", to every member of
    /// higher id.
    Election,
    /// Bully: "I am alive and higher; I take over the election".
    Answer,
    /// Bully: "I am the coordinator (primary)", with the term its reign
    /// writes under.
    Coordinator { term: u64 },
}

impl Message for MongoMsg {
    fn kind(&self) -> &'static str {
        match self {
            MongoMsg::Heartbeat { .. } => kind::HEARTBEAT,
            MongoMsg::HeartbeatResponse { .. } => kind::HEARTBEAT_RESPONSE,
            MongoMsg::RequestVotes { .. } => kind::REQUEST_VOTES,
            MongoMsg::Vote { .. } => kind::VOTE,
            MongoMsg::GetMore { .. } => kind::GET_MORE,
            MongoMsg::Batch { .. } => kind::BATCH,
            MongoMsg::UpdatePosition { .. } => kind::UPDATE_POSITION,
            MongoMsg::Election => kind::ELECTION,
            MongoMsg::Answer => kind::ANSWER,
            MongoMsg::Coordinator { .. } => kind::COORDINATOR,
        }
    }
    fn describe(&self) -> String {
        match self {
            MongoMsg::Heartbeat { term } => format!("replSetHeartbeat term {term}"),
            MongoMsg::HeartbeatResponse {
                term,
                primary,
                applied,
                commit,
            } => format!(
                "heartbeat reply term {term}{}, lastApplied {applied}, commit point {commit}",
                if *primary { ", PRIMARY" } else { "" }
            ),
            MongoMsg::RequestVotes { term, last, dry } => format!(
                "replSetRequestVotes{} term {term}, lastApplied {last}",
                if *dry { crate::en!(" (dry run)") } else { "" }
            ),
            MongoMsg::Vote { term, granted, dry } => format!(
                "{}vote {} (term {term})",
                if *dry { crate::en!("dry-run ") } else { "" },
                if *granted {
                    crate::en!("granted")
                } else {
                    crate::en!("denied")
                }
            ),
            MongoMsg::GetMore { after, .. } => format!("getMore oplog after {after}"),
            MongoMsg::Batch {
                entries,
                commit,
                diverged,
                after,
                ..
            } => {
                if *diverged {
                    format!("OplogStartMissing: no entry {after} here")
                } else {
                    format!("{} oplog entries, commit point {commit}", entries.len())
                }
            }
            MongoMsg::UpdatePosition { applied, .. } => {
                format!("replSetUpdatePosition lastApplied {applied}")
            }
            MongoMsg::Election => "Bully ELECTION".to_string(),
            MongoMsg::Answer => "Bully ANSWER: a higher member is alive".to_string(),
            MongoMsg::Coordinator { term } => format!("Bully COORDINATOR (writes as t{term})"),
        }
    }
}

/// A member's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MongoTimer {
    /// `heartbeatIntervalMillis`.
    Heartbeat,
    /// `electionTimeoutMillis` plus up to 15 % jitter.
    Election,
    /// A caught-up secondary of higher priority than the primary stands
    /// after `(rank + 1)` election timeouts.
    PriorityTakeover,
    /// The primary's `awaitData` wait for a parked `getMore`.
    AwaitData(u32),
    /// The oplog fetcher gives up on an unanswered `getMore`.
    FetchTimeout,
    /// A write concern's `wtimeout` for a request.
    WTimeout(u64),
    /// The end of the catch-up phase (`catchUpTimeoutMillis`).
    CatchUp,
    /// The rollback finishes (the node returns to SECONDARY).
    Rollback,
    /// Bully: no ANSWER from a higher member in time; it is coordinator.
    BullyAnswer,
}

impl TimerInfo for MongoTimer {
    fn name(&self) -> &'static str {
        match self {
            MongoTimer::Heartbeat => "heartbeatIntervalMillis",
            MongoTimer::Election => "electionTimeoutMillis",
            MongoTimer::PriorityTakeover => "priority takeover",
            MongoTimer::AwaitData(_) => "awaitData",
            MongoTimer::FetchTimeout => "oplog fetcher timeout",
            MongoTimer::WTimeout(_) => "wtimeout",
            MongoTimer::CatchUp => "catchUpTimeoutMillis",
            MongoTimer::Rollback => "rollback",
            MongoTimer::BullyAnswer => "Bully answer timeout",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, MongoTimer::Election)
    }
}
