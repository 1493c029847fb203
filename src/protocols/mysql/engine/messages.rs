//! The replication protocol's messages (the binlog dump stream, semi-sync
//! acknowledgements) and the orchestrator's, and the timers.

use super::*;
use crate::protocols::mysql::names::kind;

/// One transaction as the binlog holds it (row-based: its effect).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Trx {
    /// Its global transaction id.
    pub gtid: Gtid,
    /// What it wrote.
    pub cmd: Command,
}

impl Trx {
    /// What applying it does (row-based replication logs the row's new
    /// value, so a compare-and-set that succeeded on the source is a plain
    /// write everywhere it is applied).
    pub fn effect(&self) -> Command {
        Command {
            cas: None,
            ..self.cmd
        }
    }
}

/// What a server tells the orchestrator's probe.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// It is a writable source.
    pub source: bool,
    /// The failover epoch it knows.
    pub epoch: u64,
    /// `gtid_executed`.
    pub executed: GtidSet,
    /// `Retrieved_Gtid_Set` joined with what it executed.
    pub retrieved: GtidSet,
    /// Its receiver (I/O) thread is connected to a live source.
    pub io: bool,
}

/// Messages between source, replicas and the orchestrator.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum MySqlMsg {
    /// `COM_BINLOG_DUMP_GTID`: start streaming what `have` lacks, as the
    /// replica's stream number `stream`.
    Dump {
        have: GtidSet,
        semi: bool,
        stream: u64,
    },
    /// One binlog event of a stream; `pos` is its position in the
    /// source's binlog.
    Event {
        trx: Trx,
        pos: u64,
        ack: bool,
        stream: u64,
    },
    /// The source is alive; its binlog ends at `pos` (sent first on a new
    /// stream, with the position the stream starts after).
    Heartbeat { pos: u64, stream: u64 },
    /// A semi-sync replica wrote (and flushed) the event at `pos` to its relay log.
    Ack { pos: u64 },
    /// Error 1236: the replica has GTIDs the source lacks (errant transactions).
    DumpError { errant: String },
    /// The orchestrator asks for a server's status.
    Probe { round: u64 },
    /// The answer.
    ProbeReply { round: u64, status: Status },
    /// Become the source of the given epoch (after applying the relay log).
    Promote { epoch: u64 },
    /// Replicate from `to` (auto-position), read-only, in the given epoch.
    ChangeSource { to: NodeId, epoch: u64 },
}

impl Message for MySqlMsg {
    fn kind(&self) -> &'static str {
        match self {
            MySqlMsg::Dump { .. } => kind::DUMP,
            MySqlMsg::Event { .. } => kind::EVENT,
            MySqlMsg::Heartbeat { .. } => kind::HEARTBEAT,
            MySqlMsg::Ack { .. } => kind::ACK,
            MySqlMsg::DumpError { .. } => kind::DUMP_ERROR,
            MySqlMsg::Probe { .. } => kind::PROBE,
            MySqlMsg::ProbeReply { .. } => kind::PROBE_REPLY,
            MySqlMsg::Promote { .. } => kind::PROMOTE,
            MySqlMsg::ChangeSource { .. } => kind::CHANGE_SOURCE,
        }
    }
    fn describe(&self) -> String {
        match self {
            MySqlMsg::Dump { have, semi, .. } => {
                let semi = if *semi { ", semi-sync" } else { "" };
                format!("COM_BINLOG_DUMP_GTID (has {have}{semi})")
            }
            MySqlMsg::Event { trx, pos, ack, .. } => {
                let ack = if *ack { ", ack requested" } else { "" };
                format!("binlog event {} at {pos}: {}{ack}", show(trx.gtid), trx.cmd)
            }
            MySqlMsg::Heartbeat { pos, .. } => format!("heartbeat (binlog at {pos})"),
            MySqlMsg::Ack { pos } => format!("semi-sync ack of {pos}"),
            MySqlMsg::DumpError { errant } => {
                format!("error 1236: the replica has GTIDs the source lacks ({errant})")
            }
            MySqlMsg::Probe { round } => format!("probe #{round}"),
            MySqlMsg::ProbeReply { status, .. } => {
                let role = if status.source { "source" } else { "replica" };
                if status.io {
                    format!("{role}, executed {}", status.executed)
                } else {
                    format!(
                        "{role}, executed {}, I/O thread not connected",
                        status.executed
                    )
                }
            }
            MySqlMsg::Promote { epoch } => format!("promote (epoch {epoch})"),
            MySqlMsg::ChangeSource { to, .. } => {
                format!("CHANGE REPLICATION SOURCE TO S{to}, SOURCE_AUTO_POSITION=1")
            }
        }
    }
}

/// `S1:5`.
pub fn show(g: Gtid) -> String {
    format!("S{}:{}", g.0, g.1)
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MySqlTimer {
    /// `rpl_semi_sync_source_timeout` for the commit waiting at this position.
    SemiSync(u64),
    /// The source's heartbeat to its replicas.
    Heartbeat,
    /// `replica_net_timeout`: the replica heard nothing from its source.
    NetTimeout,
    /// `SOURCE_CONNECT_RETRY`: try the source again.
    Reconnect,
    /// The applier finishes the next relay-log transaction.
    Apply,
    /// The orchestrator's poll.
    Poll,
}

impl TimerInfo for MySqlTimer {
    fn name(&self) -> &'static str {
        match self {
            MySqlTimer::SemiSync(_) => "rpl_semi_sync_source_timeout",
            MySqlTimer::Heartbeat => "heartbeat",
            MySqlTimer::NetTimeout => "replica_net_timeout",
            MySqlTimer::Reconnect => "SOURCE_CONNECT_RETRY",
            MySqlTimer::Apply => "applier",
            MySqlTimer::Poll => "orchestrator poll",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(
            self,
            MySqlTimer::NetTimeout | MySqlTimer::Poll | MySqlTimer::SemiSync(_)
        )
    }
}
