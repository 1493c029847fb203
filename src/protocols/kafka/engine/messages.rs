//! Kafka's messages (Fetch, OffsetsForLeaderEpoch, AlterPartition, broker
//! heartbeats, the controller's partition changes), the partition metadata
//! they carry, and the timers.

use super::*;
use crate::protocols::kafka::names::kind;

/// A record: the leader epoch it was appended in and the client's command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rec {
    /// `partitionLeaderEpoch` of its batch.
    pub epoch: u64,
    /// Key and value.
    pub cmd: Command,
}

/// The partition's metadata as the controller decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Partition {
    /// The leader (0: none, the partition is offline).
    pub leader: NodeId,
    /// `leader_epoch`: bumped at every leader change.
    pub leader_epoch: u64,
    /// `partition_epoch`: bumped at every change.
    pub partition_epoch: u64,
    /// The ISR, bit `i` for broker `S(i+1)`.
    pub isr: u32,
    /// The eligible leader replicas (KIP-966), same encoding.
    pub elr: u32,
    /// The current leader was elected from outside the ISR.
    pub unclean: bool,
}

/// The brokers in a bit set, as `1,2,3`.
pub fn members(set: u32) -> String {
    let v: Vec<String> = (0..32)
        .filter(|i| set >> i & 1 == 1)
        .map(|i| (i + 1).to_string())
        .collect();
    if v.is_empty() {
        "∅".into()
    } else {
        v.join(",")
    }
}

pub use crate::protocols::common::bit;

/// Why a fetch was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum FetchError {
    /// `FENCED_LEADER_EPOCH`: the follower's epoch is older than the leader's.
    Fenced,
    /// `UNKNOWN_LEADER_EPOCH`: the follower knows a newer epoch than the leader.
    Unknown,
    /// `NOT_LEADER_OR_FOLLOWER`.
    NotLeader,
    /// `OFFSET_OUT_OF_RANGE`: the follower is past the leader's log end
    /// (only without epoch-based truncation); the leader's log end offset.
    OutOfRange(u64),
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum KafkaMsg {
    /// A follower's fetch from `offset` in `epoch` (its `current_leader_epoch`).
    Fetch { epoch: u64, offset: u64 },
    /// The records from `base`, the leader's high watermark, or an error.
    FetchResponse {
        epoch: u64,
        base: u64,
        records: Vec<Rec>,
        hw: u64,
        error: Option<FetchError>,
    },
    /// `OffsetsForLeaderEpoch`: the end offset of `epoch` in the leader's
    /// log; `current` is the asker's leader epoch.
    EpochQuery { epoch: u64, current: u64 },
    /// The answer: the largest epoch at most the asked one, and its end offset.
    EpochEnd { epoch: u64, end: u64, current: u64 },
    /// The leader's request to set the ISR.
    AlterPartition {
        leader_epoch: u64,
        partition_epoch: u64,
        isr: u32,
    },
    /// The controller's answer: accepted or not, and the metadata now.
    AlterResponse { ok: bool, state: Partition },
    /// A broker's heartbeat; `incarnation` counts its restarts (the broker
    /// epoch of a new registration).
    Heartbeat { incarnation: u64 },
    /// The controller's answer to the heartbeat of broker epoch
    /// `incarnation`, with the partition's metadata.
    HeartbeatResponse {
        incarnation: u64,
        fenced: bool,
        state: Partition,
    },
    /// The controller's new metadata for the partition.
    PartitionChange(Partition),
}

impl Message for KafkaMsg {
    fn kind(&self) -> &'static str {
        match self {
            KafkaMsg::Fetch { .. } => kind::FETCH,
            KafkaMsg::FetchResponse { .. } => kind::FETCH_RESPONSE,
            KafkaMsg::EpochQuery { .. } => kind::EPOCH_QUERY,
            KafkaMsg::EpochEnd { .. } => kind::EPOCH_END,
            KafkaMsg::AlterPartition { .. } => kind::ALTER,
            KafkaMsg::AlterResponse { .. } => kind::ALTER_RESPONSE,
            KafkaMsg::Heartbeat { .. } => kind::HEARTBEAT,
            KafkaMsg::HeartbeatResponse { .. } => kind::HEARTBEAT_RESPONSE,
            KafkaMsg::PartitionChange(_) => kind::PARTITION_CHANGE,
        }
    }
    fn describe(&self) -> String {
        match self {
            KafkaMsg::Fetch { epoch, offset } => {
                format!("Fetch offset {offset}, current_leader_epoch {epoch}")
            }
            KafkaMsg::FetchResponse { error: Some(e), .. } => {
                format!("Fetch error {}", error_name(*e))
            }
            KafkaMsg::FetchResponse {
                base, records, hw, ..
            } => format!(
                "{} record(s) from offset {base}, high watermark {hw}",
                records.len()
            ),
            KafkaMsg::EpochQuery { epoch, .. } => {
                format!("OffsetsForLeaderEpoch epoch {epoch}")
            }
            KafkaMsg::EpochEnd { epoch, end, .. } => {
                format!("epoch {epoch} ends at offset {end}")
            }
            KafkaMsg::AlterPartition {
                partition_epoch,
                isr,
                ..
            } => format!(
                "AlterPartition ISR {} (partition epoch {partition_epoch})",
                members(*isr)
            ),
            KafkaMsg::AlterResponse { ok, state } => format!(
                "{} ISR {} (partition epoch {})",
                if *ok { "accepted:" } else { "rejected; now" },
                members(state.isr),
                state.partition_epoch
            ),
            KafkaMsg::Heartbeat { incarnation } => {
                format!("BrokerHeartbeat (broker epoch {incarnation})")
            }
            KafkaMsg::HeartbeatResponse { fenced, state, .. } => format!(
                "{}; leader S{} epoch {}",
                if *fenced { "fenced" } else { "unfenced" },
                state.leader,
                state.leader_epoch
            ),
            KafkaMsg::PartitionChange(p) => describe_partition(p),
        }
    }
}

/// The partition's metadata in words.
pub fn describe_partition(p: &Partition) -> String {
    let leader = if p.leader == 0 {
        "none (offline)".to_string()
    } else {
        format!("S{}", p.leader)
    };
    format!(
        "leader {leader}, leader epoch {}, ISR {}, partition epoch {}",
        p.leader_epoch,
        members(p.isr),
        p.partition_epoch
    )
}

/// A fetch error's Kafka name.
pub fn error_name(e: FetchError) -> &'static str {
    match e {
        FetchError::Fenced => "FENCED_LEADER_EPOCH",
        FetchError::Unknown => "UNKNOWN_LEADER_EPOCH",
        FetchError::NotLeader => "NOT_LEADER_OR_FOLLOWER",
        FetchError::OutOfRange(_) => "OFFSET_OUT_OF_RANGE",
    }
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KafkaTimer {
    /// A broker's `broker.heartbeat.interval.ms`.
    Heartbeat,
    /// The controller's check of broker sessions.
    Sessions,
    /// The leader's ISR check, every `replica.lag.time.max.ms` / 2.
    IsrExpiration,
    /// A follower's fetch parked at the leader expires
    /// (`replica.fetch.wait.max.ms`).
    FetchWait(NodeId),
    /// A follower's pause before fetching again after an error
    /// (`replica.fetch.backoff.ms`).
    FetchBackoff,
    /// A follower's fetch (or epoch query) went unanswered for
    /// `replica.socket.timeout.ms`: it reconnects and starts again.
    FetchTimeout,
    /// An `acks=all` produce's `request.timeout.ms`.
    ProduceTimeout(RequestId),
    /// The OS writes the page cache back to disk.
    Writeback,
}

impl TimerInfo for KafkaTimer {
    fn name(&self) -> &'static str {
        match self {
            KafkaTimer::Heartbeat => "broker.heartbeat.interval.ms",
            KafkaTimer::Sessions => "broker.session.timeout.ms check",
            KafkaTimer::IsrExpiration => "isr-expiration",
            KafkaTimer::FetchWait(_) => "replica.fetch.wait.max.ms",
            KafkaTimer::FetchBackoff => "replica.fetch.backoff.ms",
            KafkaTimer::FetchTimeout => "replica.socket.timeout.ms",
            KafkaTimer::ProduceTimeout(_) => "request.timeout.ms",
            KafkaTimer::Writeback => "page cache writeback",
        }
    }
    fn shown_as_ring(&self) -> bool {
        false
    }
}
