//! The network model: latency range, loss and duplication rates, and link cuts.
//!
//! Probabilities are integers in parts per million so that no floating point
//! enters the engine. Cuts are directed: cutting `a -> b` drops messages from
//! `a` to `b` only; a two-way cut is both directions.
//!
//! Two transports sit on this network ([`Transport`]): independent
//! datagrams, lost, duplicated and reordered as the settings say (what the
//! Raft and Paxos papers assume), and ordered connections (TCP, as ZooKeeper
//! and the real systems use): a lost segment is retransmitted, so loss shows
//! up as delay; nothing is duplicated or reordered; and a cut breaks the
//! connection, so nothing sent on it arrives after a message that was lost to
//! the cut, until a new connection carries the next message.

use crate::sim::{NodeId, Time};
use serde::{Deserialize, Serialize};

/// Network parameters applied to every link. Read through its field table
/// ([`crate::settings`]), as protocol settings are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetConfig {
    /// Minimum one-way latency in microseconds.
    pub latency_min: Time,
    /// Maximum one-way latency in microseconds.
    pub latency_max: Time,
    /// Probability that a message is lost, in parts per million.
    pub drop_ppm: u32,
    /// Probability that a message is delivered twice, in parts per million.
    pub dup_ppm: u32,
    /// Keep each direction's messages in the order they were sent, as a
    /// TCP connection would (a later message waits for an earlier, slower
    /// one); off, messages overtake each other when latencies vary.
    /// Protocols on connections are always in order.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fifo: bool,
}

impl crate::settings::Settings for NetConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U64 latency_min, U64 latency_max, U32 drop_ppm, U32 dup_ppm, NewBool fifo);
    }
}

impl<'de> Deserialize<'de> for NetConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        crate::settings::from_json(&v).map_err(serde::de::Error::custom)
    }
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            latency_min: 10_000,
            latency_max: 25_000,
            drop_ppm: 0,
            dup_ppm: 0,
            fifo: false,
        }
    }
}

pub use crate::protocol::Transport;

impl NetConfig {
    /// One message's one-way latency, drawn from the configured range.
    pub fn latency(&self, rng: &mut crate::sim::rng::SimRng) -> Time {
        rng.range(self.latency_min, self.latency_max)
    }
}

/// Most retransmissions of one segment before its connection gives up
/// (then the message is lost and the connection broken).
pub const MAX_RETRIES: u8 = 8;

/// The retransmission timeout before retry `k` (from 0): twice the
/// largest latency, doubled after each retry up to 32 times (TCP's
/// exponential back-off, capped).
pub fn rto(latency_max: Time, k: u8) -> Time {
    (2 * latency_max.max(1)) << k.min(5)
}

/// The state of the undirected link between two nodes, as the UI shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkState {
    /// Both directions carry messages.
    Up,
    /// Neither direction carries messages.
    Cut,
    /// Only messages from `.0` to `.1` are dropped.
    CutOneWay(NodeId, NodeId),
}

/// A workload client's end of a link in [`Cuts`]: client `c` is
/// `CLIENT_BASE + c` (node ids stay below it).
pub const CLIENT_BASE: NodeId = 100;

/// The set of directed cuts currently in force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cuts(litemap::LiteMap<(NodeId, NodeId), ()>);

impl Cuts {
    /// Is the direction `from -> to` cut?
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        !self.0.is_empty() && self.0.contains_key(&(from, to))
    }
    /// Cut the direction `from -> to`.
    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.0.insert((from, to), ());
    }
    /// Restore both directions between `a` and `b`.
    pub fn heal(&mut self, a: NodeId, b: NodeId) {
        self.0.remove(&(a, b));
        self.0.remove(&(b, a));
    }
    /// Restore every link.
    pub fn heal_all(&mut self) {
        self.0.clear();
    }
    /// The UI state of the link between `a` and `b`.
    pub fn state(&self, a: NodeId, b: NodeId) -> LinkState {
        match (self.is_cut(a, b), self.is_cut(b, a)) {
            (false, false) => LinkState::Up,
            (true, true) => LinkState::Cut,
            (true, false) => LinkState::CutOneWay(a, b),
            (false, true) => LinkState::CutOneWay(b, a),
        }
    }
    /// Number of directed cuts.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// No cut at all?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
