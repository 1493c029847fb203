//! Protocol engines, one module each, and the registry that names them.
//!
//! The registry ([`ProtocolKind`]) is the one place a new protocol is added:
//! its name for links, its engine type, and a constructor of a type-erased
//! [`crate::engine::Engine`] for the UI.

pub mod raft;

use serde::{Deserialize, Serialize};

/// Every protocol the app knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolKind {
    /// Raft (Ongaro & Ousterhout 2014).
    Raft,
}

impl ProtocolKind {
    /// All protocols, in menu order.
    pub const ALL: [ProtocolKind; 1] = [ProtocolKind::Raft];

    /// The protocol's name in links.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "raft",
        }
    }
    /// The protocol's display title.
    pub fn title(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Raft",
        }
    }
    /// A two-or-three letter label drawn on a message of `kind`.
    pub fn msg_label(self, kind: &str) -> &'static str {
        match (self, kind) {
            (ProtocolKind::Raft, "RequestVote") => "RV",
            (ProtocolKind::Raft, "RequestVoteReply") => "vote",
            (ProtocolKind::Raft, "AppendEntries") => "AE",
            (ProtocolKind::Raft, "Heartbeat") => "HB",
            (ProtocolKind::Raft, "AppendEntriesReply") => "ok",
            _ => "msg",
        }
    }
    /// The invariants this protocol's checker enforces, for the UI.
    pub fn invariants(self) -> &'static [&'static str] {
        match self {
            ProtocolKind::Raft => &[
                "Election Safety",
                "Leader Append-Only",
                "Log Matching",
                "Leader Completeness",
                "State Machine Safety",
            ],
        }
    }
    /// Look a protocol up by its link name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
    }
}
