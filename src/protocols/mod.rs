//! Protocol engines, one module each, and the registry that names them.
//!
//! The registry ([`ProtocolKind`]) is the one place a new protocol is added:
//! its name for links, its title, its roles, message labels, invariants and
//! the words the UI uses for its actions. The scenario boots its engine
//! (`crate::scenario::Scenario::boot`).

pub mod paxos;
pub mod raft;
pub mod twopc;
pub mod zab;

use crate::sim::Time;
use serde::{Deserialize, Serialize};

/// Whether every interval is positive (a zero one would re-arm forever at
/// one instant) and at most ten minutes.
fn intervals_ok(v: &[Time]) -> bool {
    v.iter().all(|&t| (1..=600_000_000).contains(&t))
}

/// Every protocol the app knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProtocolKind {
    /// Raft (Ongaro & Ousterhout 2014).
    #[serde(rename = "raft")]
    Raft,
    /// Multi-Paxos (Lamport 2001; van Renesse & Altinbuken 2015).
    #[serde(rename = "paxos")]
    Paxos,
    /// Two-phase commit (Gray 1978).
    #[serde(rename = "2pc")]
    TwoPc,
    /// Zab (Junqueira, Reed & Serafini 2011).
    #[serde(rename = "zab")]
    Zab,
}

impl ProtocolKind {
    /// All protocols, in menu order.
    pub const ALL: [ProtocolKind; 4] = [
        ProtocolKind::Raft,
        ProtocolKind::Paxos,
        ProtocolKind::TwoPc,
        ProtocolKind::Zab,
    ];

    /// The protocol's name in links and `?protocol=`.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "raft",
            ProtocolKind::Paxos => "paxos",
            ProtocolKind::TwoPc => "2pc",
            ProtocolKind::Zab => "zab",
        }
    }
    /// The protocol's display title.
    pub fn title(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Raft",
            ProtocolKind::Paxos => "Multi-Paxos",
            ProtocolKind::TwoPc => "Two-phase commit",
            ProtocolKind::Zab => "Zab",
        }
    }
    /// The source the engine follows.
    pub fn source(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Ongaro & Ousterhout 2014",
            ProtocolKind::Paxos => "Lamport 2001; van Renesse & Altinbuken 2015",
            ProtocolKind::TwoPc => "Gray 1978; Bernstein, Hadzilacos & Goodman ch. 7",
            ProtocolKind::Zab => "Junqueira, Reed & Serafini 2011",
        }
    }
    /// Roles as `(data-role value, label drawn under the node, colour class)`.
    /// The colour class is one of `lead`, `try`, `follow`.
    pub fn roles(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            ProtocolKind::Raft => &[
                ("leader", "★ leader", "lead"),
                ("candidate", "? candidate", "try"),
                ("follower", "follower", "follow"),
            ],
            ProtocolKind::Paxos => &[
                ("leader", "★ leader", "lead"),
                ("proposer", "? proposer (phase 1)", "try"),
                ("acceptor", "acceptor", "follow"),
            ],
            ProtocolKind::TwoPc => &[
                ("coordinator", "★ coordinator", "lead"),
                ("participant", "participant", "follow"),
            ],
            ProtocolKind::Zab => &[
                ("leading", "★ leading", "lead"),
                ("looking", "? looking", "try"),
                ("following", "following", "follow"),
            ],
        }
    }
    /// The label drawn under a node in `role`.
    pub fn role_label(self, role: &str) -> &'static str {
        self.roles()
            .iter()
            .find(|r| r.0 == role)
            .map(|r| r.1)
            .unwrap_or("")
    }
    /// The colour class (`lead`, `try`, `follow`) of `role`.
    pub fn role_tone(self, role: &str) -> &'static str {
        self.roles()
            .iter()
            .find(|r| r.0 == role)
            .map(|r| r.2)
            .unwrap_or("follow")
    }
    /// What "force timeout" does, in the node menu.
    pub fn timeout_label(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Force election timeout",
            ProtocolKind::Paxos => "Propose now (start phase 1)",
            ProtocolKind::TwoPc => "Time out now (abort undecided / ask coordinator)",
            ProtocolKind::Zab => "Force back to LOOKING (new election)",
        }
    }
    /// The node's protocol-specific switch, if the protocol has one.
    pub fn toggle_label(self) -> Option<&'static str> {
        match self {
            ProtocolKind::TwoPc => Some("Toggle: vote no on new transactions"),
            _ => None,
        }
    }
    /// What the boxes of the log panel mean.
    pub fn log_legend(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "solid = committed · dashed = not yet committed · ▏= commit index · label and colour = term",
            ProtocolKind::Paxos => "one box per slot · label = ballot accepted · solid = chosen · dashed = accepted only · dotted = hole · ▏= applied up to",
            ProtocolKind::TwoPc => "one box per transaction · solid = committed · red, struck = aborted · amber dashed = prepared, waiting for the decision · dotted = collecting votes",
            ProtocolKind::Zab => "history · label = zxid (epoch:counter) · solid = delivered · dashed = proposed, not yet committed · ▏= delivered up to",
        }
    }
    /// Where client requests should go, in words, for the help text.
    pub fn request_hint(self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Send client requests to the leader (★).",
            ProtocolKind::Paxos => "Send client requests to the leader (★), which skips phase 1.",
            ProtocolKind::TwoPc => {
                "Send client requests to the coordinator S1: each is a transaction."
            }
            ProtocolKind::Zab => "Send client requests to the leading node (★).",
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
            (ProtocolKind::Paxos, "Prepare") => "1a",
            (ProtocolKind::Paxos, "Promise") => "1b",
            (ProtocolKind::Paxos, "Accept") => "2a",
            (ProtocolKind::Paxos, "Accepted") => "2b",
            (ProtocolKind::Paxos, "Nack") => "nak",
            (ProtocolKind::Paxos, "Decide") => "dec",
            (ProtocolKind::Paxos, "Heartbeat") => "HB",
            (ProtocolKind::Paxos, "CatchUp") => "cu",
            (ProtocolKind::TwoPc, "Prepare") => "prep",
            (ProtocolKind::TwoPc, "VoteYes") => "yes",
            (ProtocolKind::TwoPc, "VoteNo") => "no",
            (ProtocolKind::TwoPc, "Commit") => "C",
            (ProtocolKind::TwoPc, "Abort") => "A",
            (ProtocolKind::TwoPc, "Ack") => "ack",
            (ProtocolKind::TwoPc, "DecisionReq") => "?",
            (ProtocolKind::Zab, "Notification") => "vote",
            (ProtocolKind::Zab, "FollowerInfo") => "FI",
            (ProtocolKind::Zab, "NewEpoch") => "NE",
            (ProtocolKind::Zab, "AckEpoch") => "AE",
            (ProtocolKind::Zab, "NewLeader") => "NL",
            (ProtocolKind::Zab, "AckNewLeader") => "ANL",
            (ProtocolKind::Zab, "UpToDate") => "UTD",
            (ProtocolKind::Zab, "Propose") => "P",
            (ProtocolKind::Zab, "Ack") => "ack",
            (ProtocolKind::Zab, "Commit") => "C",
            (ProtocolKind::Zab, "Ping") => "ping",
            _ => "msg",
        }
    }
    /// The message kinds, in legend order, as `(kind, colour class)`; the
    /// colour class is one of `elect`, `elect-reply`, `repl`, `repl-reply`,
    /// `beat`, `decide`, `nack`.
    pub fn msg_kinds(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ProtocolKind::Raft => &[
                ("RequestVote", "elect"),
                ("RequestVoteReply", "elect-reply"),
                ("AppendEntries", "repl"),
                ("AppendEntriesReply", "repl-reply"),
                ("Heartbeat", "beat"),
            ],
            ProtocolKind::Paxos => &[
                ("Prepare", "elect"),
                ("Promise", "elect-reply"),
                ("Accept", "repl"),
                ("Accepted", "repl-reply"),
                ("Decide", "decide"),
                ("Nack", "nack"),
                ("Heartbeat", "beat"),
                ("CatchUp", "beat"),
            ],
            ProtocolKind::TwoPc => &[
                ("Prepare", "elect"),
                ("VoteYes", "elect-reply"),
                ("VoteNo", "nack"),
                ("Commit", "decide"),
                ("Abort", "nack"),
                ("Ack", "repl-reply"),
                ("DecisionReq", "beat"),
            ],
            ProtocolKind::Zab => &[
                ("Notification", "elect"),
                ("FollowerInfo", "elect-reply"),
                ("NewEpoch", "elect"),
                ("AckEpoch", "elect-reply"),
                ("NewLeader", "repl"),
                ("AckNewLeader", "repl-reply"),
                ("UpToDate", "decide"),
                ("Propose", "repl"),
                ("Ack", "repl-reply"),
                ("Commit", "decide"),
                ("Ping", "beat"),
            ],
        }
    }
    /// The colour class of a message kind.
    pub fn msg_tone(self, kind: &str) -> &'static str {
        self.msg_kinds()
            .iter()
            .find(|k| k.0 == kind)
            .map(|k| k.1)
            .unwrap_or("beat")
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
                crate::sim::acks::INVARIANT,
            ],
            ProtocolKind::Paxos => &[
                "Agreement",
                "Validity",
                "Learners Agree",
                crate::sim::acks::INVARIANT,
            ],
            ProtocolKind::TwoPc => &[
                "Atomicity",
                "Commit Validity",
                "No Reversal",
                crate::sim::acks::INVARIANT,
            ],
            ProtocolKind::Zab => &[
                "Integrity",
                "Total Order",
                "Agreement",
                "Primary Order",
                "One Primary per Epoch",
                crate::sim::acks::INVARIANT,
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
