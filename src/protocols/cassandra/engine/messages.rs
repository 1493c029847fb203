//! Cassandra's messages: mutations and reads with their responses, read
//! repair, the three gossip messages, and anti-entropy repair.

use crate::protocol::{Key, Message, TimerInfo};
use crate::protocols::cassandra::names::kind;
use crate::sim::NodeId;

/// A cell: the value, its write timestamp (µs, the coordinator's clock)
/// and the write's id (for the client checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Cell {
    /// The value.
    pub value: u32,
    /// `writetime`, µs.
    pub ts: i64,
    /// Which write: coordinator << 32 | its counter.
    pub id: u64,
}

impl Cell {
    /// Last write wins: the higher timestamp, then the larger value.
    pub fn wins_over(&self, o: &Cell) -> bool {
        (self.ts, self.value) > (o.ts, o.value)
    }
}

/// A gossip digest or delta: endpoint, heartbeat generation and version.
pub type Beat = (NodeId, u64, u64);

/// A message between nodes.
#[derive(Clone, Debug, serde::Serialize)]
pub enum CassMsg {
    /// A write to a replica; `hint` when a coordinator replays a hint.
    Mutation {
        rid: u64,
        key: Key,
        cell: Cell,
        hint: bool,
    },
    /// Sloppy quorum (Dynamo §4.6, not Cassandra): a write for `target`,
    /// believed down, to a stand-in outside the key's replicas, which
    /// holds it as a hint for `target`.
    HintedHandoff {
        rid: u64,
        key: Key,
        cell: Cell,
        target: NodeId,
    },
    /// The replica applied it.
    MutationAck { rid: u64 },
    /// A read: the data, or only its digest.
    Read { rid: u64, key: Key, digest: bool },
    /// The answer: the cell (for a data request) and the digest.
    ReadResponse {
        rid: u64,
        cell: Option<Cell>,
        digest: u64,
        data: bool,
    },
    /// Blocking read repair: the merged cell.
    ReadRepair { rid: u64, key: Key, cell: Cell },
    /// The stale replica applied it.
    ReadRepairAck { rid: u64 },
    /// `GossipDigestSyn`: what the sender knows, as digests.
    Syn { digests: Vec<Beat> },
    /// `GossipDigestAck`: what the receiver wants, and what it has newer.
    Ack {
        want: Vec<NodeId>,
        deltas: Vec<Beat>,
    },
    /// `GossipDigestAck2`: what was wanted.
    Ack2 { deltas: Vec<Beat> },
    /// Anti-entropy: the sender's cells of keys both replicate; `reply`
    /// asks for the receiver's in return.
    Repair {
        cells: Vec<(Key, Cell)>,
        reply: bool,
    },
}

impl Message for CassMsg {
    fn kind(&self) -> &'static str {
        match self {
            CassMsg::Mutation { .. } | CassMsg::HintedHandoff { .. } => kind::MUTATION,
            CassMsg::MutationAck { .. } => kind::MUTATION_ACK,
            CassMsg::Read { .. } => kind::READ,
            CassMsg::ReadResponse { .. } => kind::READ_RESPONSE,
            CassMsg::ReadRepair { .. } => kind::READ_REPAIR,
            CassMsg::ReadRepairAck { .. } => kind::READ_REPAIR_ACK,
            CassMsg::Syn { .. } => kind::SYN,
            CassMsg::Ack { .. } => kind::ACK,
            CassMsg::Ack2 { .. } => kind::ACK2,
            CassMsg::Repair { .. } => kind::REPAIR,
        }
    }
    fn describe(&self) -> String {
        match self {
            CassMsg::Mutation {
                key, cell, hint, ..
            } => format!(
                "{}mutation {key}={} (writetime {})",
                if *hint { "hinted " } else { "" },
                cell.value,
                cell.ts
            ),
            CassMsg::HintedHandoff {
                key, cell, target, ..
            } => format!(
                "mutation {key}={} (writetime {}) to hold for S{target}",
                cell.value, cell.ts
            ),
            CassMsg::MutationAck { .. } => "mutation applied".to_string(),
            CassMsg::Read { key, digest, .. } => {
                format!("read {key} ({})", if *digest { "digest" } else { "data" })
            }
            CassMsg::ReadResponse {
                cell, digest, data, ..
            } => match (data, cell) {
                (true, Some(c)) => format!("data {} (writetime {})", c.value, c.ts),
                (true, None) => "data: nothing".to_string(),
                _ => format!("digest {digest:x}"),
            },
            CassMsg::ReadRepair { key, cell, .. } => {
                format!("read repair {key}={} (writetime {})", cell.value, cell.ts)
            }
            CassMsg::ReadRepairAck { .. } => "read repair applied".to_string(),
            CassMsg::Syn { digests } => format!("GossipDigestSyn ({} digests)", digests.len()),
            CassMsg::Ack { want, deltas } => format!(
                "GossipDigestAck (wants {}, sends {})",
                want.len(),
                deltas.len()
            ),
            CassMsg::Ack2 { deltas } => format!("GossipDigestAck2 ({} states)", deltas.len()),
            CassMsg::Repair { cells, .. } => format!("repair: {} cells", cells.len()),
        }
    }
}

/// A node's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CassTimer {
    /// The gossip round (`Gossiper.intervalInMillis`).
    Gossip,
    /// A coordinated request's `write_request_timeout` or
    /// `read_request_timeout`.
    Timeout(u64),
    /// `hints_flush_period`: replay hints to nodes seen up.
    Hints,
}

impl TimerInfo for CassTimer {
    fn name(&self) -> &'static str {
        match self {
            CassTimer::Gossip => "gossip round",
            CassTimer::Timeout(_) => "request timeout",
            CassTimer::Hints => "hints_flush_period",
        }
    }
    fn shown_as_ring(&self) -> bool {
        false
    }
}
