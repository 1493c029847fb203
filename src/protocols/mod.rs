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
    /// Look a protocol up by its link name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
    }
}
