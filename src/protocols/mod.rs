//! The registry: every protocol the app knows, as a list of descriptors.
//!
//! Each protocol is one folder (`raft/`, `paxos/`, ...) holding its engine,
//! its checker, its built-in scenarios, its broken variants and one
//! [`Descriptor`] constant. Adding a protocol is a new folder plus one line
//! in [`REGISTRY`]; the UI, links, the scenario menu and the conformance
//! tests read the table and never name a protocol.

pub mod cassandra;
pub mod common;
pub mod elasticsearch;
pub mod kafka;
pub mod mongodb;
pub mod mysql;
pub mod paxos;
pub mod raft;
pub mod redis;
pub mod twopc;
pub mod zab;

use crate::descriptor::Descriptor;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every registered protocol, in menu order. The first is the default.
pub const REGISTRY: &[&Descriptor] = &[
    &raft::PROTOCOL,
    &paxos::PROTOCOL,
    &twopc::PROTOCOL,
    &zab::PROTOCOL,
    &mysql::PROTOCOL,
    &redis::PROTOCOL,
    &kafka::PROTOCOL,
    &elasticsearch::PROTOCOL,
    &mongodb::PROTOCOL,
    &cassandra::PROTOCOL,
];

/// A registered protocol: a handle on its descriptor, stored in scenarios
/// and links by its id (`"raft"`).
#[derive(Clone, Copy)]
pub struct ProtocolKind(pub &'static Descriptor);

impl ProtocolKind {
    /// Every registered protocol, in menu order.
    pub fn all() -> impl Iterator<Item = ProtocolKind> {
        REGISTRY.iter().map(|d| ProtocolKind(d))
    }
    /// Look a protocol up by its id (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Self::all().find(|p| p.0.id.eq_ignore_ascii_case(s))
    }
    /// The ids of every protocol, for messages.
    pub fn known() -> String {
        Self::all().map(|p| p.0.id).collect::<Vec<_>>().join(", ")
    }
    /// The protocol's id in links and `?protocol=`.
    pub fn name(self) -> &'static str {
        self.0.id
    }
}

impl std::ops::Deref for ProtocolKind {
    type Target = Descriptor;
    fn deref(&self) -> &Descriptor {
        self.0
    }
}

impl Default for ProtocolKind {
    fn default() -> Self {
        ProtocolKind(REGISTRY[0])
    }
}

impl PartialEq for ProtocolKind {
    fn eq(&self, o: &Self) -> bool {
        self.0.id == o.0.id
    }
}
impl Eq for ProtocolKind {}

impl std::fmt::Debug for ProtocolKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.id)
    }
}

impl Serialize for ProtocolKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.id)
    }
}

impl<'de> Deserialize<'de> for ProtocolKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        ProtocolKind::parse(&id).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown protocol \"{id}\" (known: {})",
                ProtocolKind::known()
            ))
        })
    }
}
