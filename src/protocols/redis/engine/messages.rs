//! Redis replication messages (PSYNC, the stream, REPLCONF ACK), the
//! sentinels' (INFO, is-master-down-by-addr with its vote, REPLICAOF,
//! hello), and the timers.

use super::*;
use crate::protocols::redis::names::kind;

/// What an instance tells a sentinel's INFO.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Info {
    /// It is a master.
    pub master: bool,
    /// Its master, if a replica.
    pub of: NodeId,
    /// `master_repl_offset`.
    pub offset: u64,
    /// Its link to its master is up.
    pub link: bool,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum RedisMsg {
    /// `PSYNC <replid> <offset>` (`replid` 0: `PSYNC ? -1`).
    Psync { replid: u64, offset: u64 },
    /// `+FULLRESYNC <replid> <offset>` and the RDB snapshot.
    FullResync { replid: u64, offset: u64, data: Kv },
    /// `+CONTINUE <replid>`.
    Continue { replid: u64 },
    /// A write on the replication stream; `offset` after it.
    Command { cmd: Command, offset: u64 },
    /// The master's `PING`.
    Ping { offset: u64 },
    /// `REPLCONF ACK <offset>`.
    Ack { offset: u64 },
    /// `REPLCONF GETACK *`, sent when a client blocks in WAIT.
    GetAck,
    /// A sentinel's `INFO`.
    InfoReq,
    /// The answer.
    InfoReply(Info),
    /// `SENTINEL is-master-down-by-addr`, asking for a vote when `vote`.
    IsMasterDown {
        master: NodeId,
        epoch: u64,
        vote: bool,
    },
    /// The answer: is it down for the asked sentinel, and whom it voted for in `epoch`.
    Vote {
        down: bool,
        leader: Option<NodeId>,
        epoch: u64,
        /// The answering sentinel's current epoch.
        current: u64,
    },
    /// `REPLICAOF master` (0: `REPLICAOF NO ONE`), in the failover's epoch.
    ReplicaOf { master: NodeId, epoch: u64 },
    /// The new configuration, spread among sentinels.
    Hello {
        master: NodeId,
        epoch: u64,
        /// The sender's current epoch.
        current: u64,
    },
}

impl Message for RedisMsg {
    fn kind(&self) -> &'static str {
        match self {
            RedisMsg::Psync { .. } => kind::PSYNC,
            RedisMsg::FullResync { .. } => kind::FULLRESYNC,
            RedisMsg::Continue { .. } => kind::CONTINUE,
            RedisMsg::Command { .. } => kind::COMMAND,
            RedisMsg::Ping { .. } => kind::PING,
            RedisMsg::Ack { .. } => kind::ACK,
            RedisMsg::GetAck => kind::GETACK,
            RedisMsg::InfoReq => kind::INFO,
            RedisMsg::InfoReply(_) => kind::INFO_REPLY,
            RedisMsg::IsMasterDown { .. } => kind::IS_MASTER_DOWN,
            RedisMsg::Vote { .. } => kind::VOTE,
            RedisMsg::ReplicaOf { .. } => kind::REPLICAOF,
            RedisMsg::Hello { .. } => kind::HELLO,
        }
    }
    fn describe(&self) -> String {
        match self {
            RedisMsg::Psync { replid: 0, .. } => "PSYNC ? -1".into(),
            RedisMsg::Psync { replid, offset } => format!("PSYNC {} {}", hex(*replid), offset + 1),
            RedisMsg::FullResync {
                replid,
                offset,
                data,
            } => format!(
                "+FULLRESYNC {} {offset} and an RDB snapshot of {} key(s)",
                hex(*replid),
                data.len()
            ),
            RedisMsg::Continue { replid } => format!("+CONTINUE {}", hex(*replid)),
            RedisMsg::Command { cmd, offset } => format!("SET {cmd} (offset {offset})"),
            RedisMsg::Ping { offset } => format!("PING (offset {offset})"),
            RedisMsg::Ack { offset } => format!("REPLCONF ACK {offset}"),
            RedisMsg::GetAck => "REPLCONF GETACK *".into(),
            RedisMsg::InfoReq => "INFO".into(),
            RedisMsg::InfoReply(i) => format!(
                "role:{} offset:{}",
                if i.master { "master" } else { "slave" },
                i.offset
            ),
            RedisMsg::IsMasterDown {
                master,
                epoch,
                vote,
            } => format!(
                "SENTINEL is-master-down-by-addr S{master} {epoch} {}",
                if *vote { "(vote for me)" } else { "*" }
            ),
            RedisMsg::Vote {
                down,
                leader,
                epoch,
                ..
            } => format!(
                "{}, leader {} (epoch {epoch})",
                if *down { "down" } else { "up" },
                leader.map_or("*".to_string(), |l| format!("S{l}"))
            ),
            RedisMsg::ReplicaOf { master: 0, .. } => "REPLICAOF NO ONE".into(),
            RedisMsg::ReplicaOf { master, .. } => format!("REPLICAOF S{master}"),
            RedisMsg::Hello { master, epoch, .. } => {
                format!("hello: master S{master}, epoch {epoch}")
            }
        }
    }
}

/// A replication id as Redis prints a prefix of it.
pub fn hex(id: u64) -> String {
    format!("{:06x}", id & 0xff_ffff)
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RedisTimer {
    /// The replica's once-a-second cron: REPLCONF ACK, reconnect, timeouts.
    Cron,
    /// The master's `repl-ping-replica-period`.
    Ping,
    /// A sentinel's once-a-second check.
    Sentinel,
    /// The timeout of the client blocked in WAIT for the write at this offset.
    Wait(u64),
}

impl TimerInfo for RedisTimer {
    fn name(&self) -> &'static str {
        match self {
            RedisTimer::Cron => "replicationCron",
            RedisTimer::Ping => "repl-ping-replica-period",
            RedisTimer::Sentinel => "sentinel timer",
            RedisTimer::Wait(_) => "WAIT timeout",
        }
    }
    fn shown_as_ring(&self) -> bool {
        false
    }
}
