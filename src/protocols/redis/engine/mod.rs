//! Redis master/replica replication with Sentinel (redis.conf's
//! REPLICATION section, `replication.c`, the replication and Sentinel
//! documentation). Not consensus: the master answers a write at once and
//! replicates it afterwards; Sentinel, a separate set of processes, fails
//! over by majority vote with a configuration epoch.
//!
//! - **Replication ids and offsets.** A master's history is its `replid`
//!   and `master_repl_offset` (here 16 bytes a write). A replica that
//!   connects sends `PSYNC <replid> <offset+1>`; the master answers
//!   `+CONTINUE` and the missing part of its backlog (`repl-backlog-size`)
//!   when the replid is its own (or its `replid2` up to
//!   `second_replid_offset`) and the offset is still in the backlog,
//!   otherwise `+FULLRESYNC` and an RDB snapshot that replaces the
//!   replica's data. Replicas send `REPLCONF ACK <offset>` every second.
//! - **Writes are asynchronous.** With `min-replicas-to-write` a master
//!   refuses writes (`-NOREPLICAS`) unless that many replicas acknowledged
//!   within `min-replicas-max-lag` seconds, which bounds what an isolated
//!   master can accept.
//! - **Promotion** (`REPLICAOF NO ONE`) keeps the old replid as `replid2`
//!   and takes a new one, so the other replicas continue with `+CONTINUE`
//!   (PSYNC2). A demoted master asks with its own replid and offset; if it
//!   took writes its successor never had, its offset is past
//!   `second_replid_offset` and it must resync in full: those writes vanish.
//! - **Sentinels** (the last servers) ping every instance; a master silent
//!   for `down-after-milliseconds` is subjectively down (SDOWN), and
//!   objectively down (ODOWN) once `quorum` sentinels say so. The first to
//!   see ODOWN asks for votes in a new epoch; each sentinel votes once per
//!   epoch; with a majority of sentinels (and at least `quorum`) it
//!   promotes the replica with the highest offset (then the lowest id),
//!   repoints the others, spreads the new configuration, and later turns
//!   the old master into a replica when it shows up again.
//!
//! Timers are given in Redis's units and defaults and divided by one
//! `time_scale`.

mod messages;
mod replication;
mod sentinel;

pub use messages::*;

use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, Protocol, Reply, Request, TimerInfo,
};
use crate::protocols::common::{render, Kv};
use crate::protocols::redis::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;
use std::collections::VecDeque;

/// The bytes one write adds to the replication offset.
pub const WRITE_BYTES: u64 = 16;

/// Redis and Sentinel settings, named as in redis.conf and sentinel.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisConfig {
    /// `repl-backlog-size`, bytes (1 MB).
    pub repl_backlog_size: u64,
    /// `min-replicas-to-write` (0: off).
    pub min_replicas_to_write: u32,
    /// `min-replicas-max-lag`, seconds (10).
    pub min_replicas_max_lag: u64,
    /// `repl-ping-replica-period`, seconds (10).
    pub repl_ping_replica_period: u64,
    /// `repl-timeout`, seconds (60).
    pub repl_timeout: u64,
    /// Every client follows each write with `WAIT numreplicas timeout`:
    /// the answer waits until this many replicas acknowledged the write
    /// (0: no WAIT).
    pub wait_numreplicas: u32,
    /// WAIT's timeout, ms (0: wait for ever, as in Redis).
    pub wait_timeout: u64,
    /// `replica-serve-stale-data` (yes): a replica whose link to its master
    /// is down still answers reads; no: it answers `-MASTERDOWN`.
    pub replica_serve_stale_data: bool,
    /// `down-after-milliseconds` (30000).
    pub down_after_milliseconds: u64,
    /// `failover-timeout` (180000 ms): how long a failover a sentinel
    /// started or voted for keeps it from starting another.
    pub failover_timeout: u64,
    /// How many of the last servers are sentinels (3).
    pub sentinels: u32,
    /// The sentinels' `quorum` (2).
    pub quorum: u32,
    /// Every timer is divided by this (20: 30 s take 1.5 s).
    pub time_scale: u64,
    /// A deliberately broken variant; tests only.
    pub bug: Option<RedisBug>,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            repl_backlog_size: 1 << 20,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            repl_ping_replica_period: 10,
            repl_timeout: 60,
            wait_numreplicas: 0,
            wait_timeout: 1_000,
            replica_serve_stale_data: true,
            down_after_milliseconds: 30_000,
            failover_timeout: 180_000,
            sentinels: 3,
            quorum: 2,
            time_scale: 20,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for RedisConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U64 repl_backlog_size,
            U32 min_replicas_to_write,
            U64 min_replicas_max_lag,
            U64 repl_ping_replica_period,
            U64 repl_timeout,
            U32 wait_numreplicas,
            U64 wait_timeout,
            Bool replica_serve_stale_data,
            U64 down_after_milliseconds,
            U64 failover_timeout,
            U32 sentinels,
            U32 quorum,
            U64 time_scale,
        );
    }
    fn check(&self) -> Result<(), String> {
        let ok = (1..=1000).contains(&self.time_scale)
            && (WRITE_BYTES..=1 << 30).contains(&self.repl_backlog_size)
            && self.min_replicas_to_write <= 100
            && (1..=3_600).contains(&self.min_replicas_max_lag)
            && (1..=3_600).contains(&self.repl_ping_replica_period)
            && (1..=3_600).contains(&self.repl_timeout)
            && self.wait_numreplicas <= 100
            && self.wait_timeout <= 3_600_000
            && (1..=3_600_000).contains(&self.down_after_milliseconds)
            && (1..=3_600_000).contains(&self.failover_timeout)
            && (1..=7).contains(&self.sentinels)
            && (1..=7).contains(&self.quorum);
        ok.then_some(())
            .ok_or_else(|| "This scenario's Redis settings are out of range.".to_string())
    }
}

impl RedisConfig {
    /// A duration in ms of the real system, in simulated µs.
    pub fn ms(&self, ms: u64) -> Time {
        crate::protocols::common::scaled_ms(ms, self.time_scale)
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisBug {
    /// Accept a partial resync whatever replid the replica names, as long
    /// as its offset is in the backlog.
    PsyncAnyReplid,
}

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Accepts writes.
    Master,
    /// Replicates a master.
    Replica,
    /// A Sentinel process.
    Sentinel,
}

/// What survives a restart: the dataset with its replication id and offset
/// (as an RDB or AOF with `appendfsync everysec` keeps them across a
/// process crash), the replication configuration, and a sentinel's
/// `sentinel.conf` (current master and epochs).
#[derive(Clone, Debug)]
pub struct RedisDurable {
    role: Role,
    kv: Kv,
    applied: LiteMap<(u64, u64), Command>,
    replid: u64,
    offset: u64,
    master: NodeId,
    epoch: u64,
    current_epoch: u64,
    voted: (u64, NodeId),
}

/// One Redis instance, or one sentinel.
#[derive(Clone, Debug)]
pub struct Redis {
    id: NodeId,
    n: NodeId,
    cfg: RedisConfig,
    role: Role,
    kv: Kv,
    /// Every write applied, by (replid's low 23 bits, offset): what a
    /// client's acknowledgement names.
    applied: LiteMap<(u64, u64), Command>,
    replid: u64,
    replid2: u64,
    second_offset: u64,
    offset: u64,
    backlog: VecDeque<(u64, Command)>,
    /// Replication generations (a new replid each promotion).
    epoch: u64,
    // Master.
    replicas: LiteMap<NodeId, (u64, i64)>,
    /// Clients blocked in WAIT: their write's request and offset.
    waits: Vec<(crate::protocol::RequestId, u64)>,
    // Replica.
    master: NodeId,
    link: bool,
    last_io: i64,
    // Sentinel.
    current_epoch: u64,
    voted: (u64, NodeId),
    last_ok: LiteMap<NodeId, i64>,
    /// Since when a command to each instance has waited for any answer
    /// (sentinel.c's `act_ping_time`).
    pending: LiteMap<NodeId, i64>,
    infos: LiteMap<NodeId, Info>,
    down: LiteMap<NodeId, bool>,
    votes: Vec<NodeId>,
    election: u64,
    election_at: i64,
    now_wall: i64,
    /// A replica's PSYNC in flight since (own clock).
    sync_at: Option<i64>,
    /// A sentinel: since when its master has said it is a replica.
    mismatch_since: Option<i64>,
}

type RedisOut = Out<RedisMsg, RedisTimer>;

/// A write's identity as a client is told it: bit 63, the replid's low 23
/// bits, the offset's low 40.
pub fn write_index(replid: u64, offset: u64) -> u64 {
    1 << 63 | (replid & 0x7f_ffff) << 40 | (offset & ((1 << 40) - 1))
}

impl Redis {
    /// Role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// The dataset.
    pub fn kv(&self) -> &Kv {
        &self.kv
    }
    /// `(replid, master_repl_offset)`.
    pub fn position(&self) -> (u64, u64) {
        (self.replid, self.offset)
    }
    /// A sentinel's (config epoch, master).
    pub fn sentinel_config(&self) -> Option<(u64, NodeId)> {
        (self.role == Role::Sentinel).then_some((self.epoch, self.master))
    }
    /// The last `sentinels` servers (fewer in small clusters, none below
    /// three servers, so that at least two data servers remain).
    fn sentinel_ids(&self) -> std::ops::RangeInclusive<NodeId> {
        let s = self.cfg.sentinels.min(self.n.saturating_sub(2));
        self.n - s + 1..=self.n
    }
    fn data_ids(&self) -> std::ops::RangeInclusive<NodeId> {
        1..=*self.sentinel_ids().start() - 1
    }
}

impl Protocol for Redis {
    type Config = RedisConfig;
    type Msg = RedisMsg;
    type Timer = RedisTimer;
    type Obs = ();
    type Durable = RedisDurable;
    const NAME: &'static str = "redis";
    const TRANSPORT: crate::protocol::Transport = crate::protocol::Transport::Connection;
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &RedisConfig,
        durable: Option<RedisDurable>,
        out: &mut RedisOut,
    ) -> Self {
        let n = peers.len() as NodeId + 1;
        let mut node = Redis {
            id,
            n,
            cfg: cfg.clone(),
            role: Role::Replica,
            kv: Kv::new(),
            applied: LiteMap::new(),
            replid: 0,
            replid2: 0,
            second_offset: 0,
            offset: 0,
            backlog: VecDeque::new(),
            epoch: 0,
            replicas: LiteMap::new(),
            waits: Vec::new(),
            master: 1,
            link: false,
            last_io: 0,
            current_epoch: 0,
            voted: (0, 0),
            last_ok: LiteMap::new(),
            pending: LiteMap::new(),
            infos: LiteMap::new(),
            down: LiteMap::new(),
            votes: Vec::new(),
            election: 0,
            election_at: i64::MIN / 2,
            now_wall: 0,
            sync_at: None,
            mismatch_since: None,
        };
        node.role = if node.sentinel_ids().contains(&id) {
            Role::Sentinel
        } else if id == 1 {
            Role::Master
        } else {
            Role::Replica
        };
        if node.role == Role::Master {
            node.replid = new_replid(id, 0);
        }
        if let Some(d) = durable {
            node.role = d.role;
            node.kv = d.kv;
            node.applied = d.applied;
            node.replid = d.replid;
            node.offset = d.offset;
            node.master = d.master;
            node.epoch = d.epoch;
            node.current_epoch = d.current_epoch;
            node.voted = d.voted;
        }
        node.last_io = mono(out);
        match node.role {
            Role::Master => node.start_master(out),
            Role::Replica => {
                let t = node.cfg.ms(1_000);
                out.set_timer(RedisTimer::Cron, t, t);
                node.connect(out);
            }
            Role::Sentinel => node.arm_sentinel_timer(out),
        }
        node
    }

    fn on_message(&mut self, from: NodeId, msg: RedisMsg, out: &mut RedisOut) {
        if self.role == Role::Sentinel {
            // Anything from an instance answers what waited on its link.
            self.pending.remove(&from);
        }
        match msg {
            RedisMsg::Psync { replid, offset } => self.on_psync(from, replid, offset, out),
            RedisMsg::FullResync {
                replid,
                offset,
                data,
            } => self.on_full_resync(from, replid, offset, data, out),
            RedisMsg::Continue { replid } => self.on_continue(from, replid, out),
            RedisMsg::Command { cmd, offset } => self.on_command(from, cmd, offset, out),
            RedisMsg::Ping { .. } => {
                if self.role == Role::Replica && from == self.master && self.link {
                    self.last_io = mono(out);
                }
            }
            RedisMsg::Ack { offset } => {
                if let Some(r) = self.replicas.get_mut(&from) {
                    *r = (r.0.max(offset), mono(out));
                    self.release_waits(out);
                }
            }
            RedisMsg::GetAck => {
                if self.role == Role::Replica && from == self.master && self.link {
                    let offset = self.offset;
                    out.send(from, RedisMsg::Ack { offset });
                }
            }
            RedisMsg::InfoReq => {
                let info = Info {
                    master: self.role == Role::Master,
                    of: self.master,
                    offset: self.offset,
                    link: self.link,
                };
                if self.role != Role::Sentinel {
                    out.send(from, RedisMsg::InfoReply(info));
                }
            }
            RedisMsg::InfoReply(info) => self.on_info(from, info, out),
            RedisMsg::IsMasterDown {
                master,
                epoch,
                vote,
            } => self.on_is_master_down(from, master, epoch, vote, out),
            RedisMsg::Vote {
                down,
                leader,
                epoch,
                current,
            } => self.on_vote(from, down, leader, (epoch, current), out),
            RedisMsg::ReplicaOf { master, epoch } => self.replica_of(master, epoch, out),
            RedisMsg::Hello {
                master,
                epoch,
                current,
            } => self.on_hello(master, epoch, current),
        }
    }

    fn on_timer(&mut self, timer: RedisTimer, out: &mut RedisOut) {
        match timer {
            RedisTimer::Cron => self.cron(out),
            RedisTimer::Ping => self.ping(out),
            RedisTimer::Sentinel => self.sentinel_tick(out),
            RedisTimer::Wait(offset) => self.wait_timeout(offset, out),
        }
    }

    fn on_request(&mut self, req: Request, out: &mut RedisOut) {
        match self.role {
            Role::Sentinel => out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(self.master),
                },
            ),
            Role::Replica if req.cmd.read && !self.link && !self.cfg.replica_serve_stale_data => {
                let id = self.id;
                out.note(|| format!("S{id}: -MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'"));
                out.reply(
                    req.id,
                    Reply::NotLeader {
                        leader: Some(self.master),
                    },
                );
            }
            // replica-serve-stale-data yes: a replica answers reads from
            // whatever it has, even with its link down.
            _ if req.cmd.read => {
                let index = write_index(self.replid, self.offset);
                out.reply(
                    req.id,
                    crate::protocols::common::answer(&self.kv, &req.cmd, index),
                );
            }
            Role::Replica => out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(self.master),
                },
            ),
            Role::Master => self.write(req, out),
        }
    }

    /// `promote`: an operator's `REPLICAOF NO ONE` on a replica, behind
    /// Sentinel's back (Sentinel turns it back into a replica of the master
    /// it knows, by +convert-to-slave).
    fn on_action(&mut self, id: &str, out: &mut RedisOut) {
        if id == "promote" && self.role == Role::Replica {
            self.replica_of(0, self.epoch, out);
        }
    }

    fn durable(&self) -> RedisDurable {
        RedisDurable {
            role: self.role,
            kv: self.kv.clone(),
            applied: self.applied.clone(),
            replid: self.replid,
            offset: self.offset,
            master: self.master,
            epoch: self.epoch,
            current_epoch: self.current_epoch,
            voted: self.voted,
        }
    }

    fn leads(&self) -> Option<u64> {
        (self.role == Role::Master).then_some(self.epoch)
    }

    fn outcome(&self, index: u64) -> Outcome {
        let key = ((index >> 40) & 0x7f_ffff, index & ((1 << 40) - 1));
        match self.applied.get(&key) {
            Some(c) => Outcome::Committed(Some(*c)),
            None => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let role_name = match self.role {
            Role::Master => role::MASTER,
            Role::Replica => role::REPLICA,
            Role::Sentinel => role::SENTINEL,
        };
        let skip = self.backlog.len().saturating_sub(max);
        let log = if self.role == Role::Sentinel {
            Vec::new()
        } else {
            self.backlog
                .iter()
                .skip(skip)
                .map(|(o, c)| EntryView {
                    term: self.epoch,
                    text: c.to_string(),
                    committed: true,
                    tag: o.to_string(),
                    mark: "",
                })
                .collect()
        };
        let mut details = Vec::new();
        match self.role {
            Role::Sentinel => {
                details.push(format!(
                    "master S{} (config epoch {})",
                    self.master, self.epoch
                ));
            }
            _ => {
                details.push(format!(
                    "replid {} offset {}",
                    hex(self.replid),
                    self.offset
                ));
                if self.replid2 != 0 {
                    details.push(format!(
                        "replid2 {} up to {}",
                        hex(self.replid2),
                        self.second_offset
                    ));
                }
                if self.role == Role::Master {
                    for (r, (ack, _)) in &self.replicas {
                        details.push(format!("S{r} acked {ack}"));
                    }
                }
            }
        }
        let badge = match self.role {
            Role::Sentinel if self.is_sdown() => "SDOWN".to_string(),
            Role::Replica if !self.link => "link down".to_string(),
            _ => String::new(),
        };
        NodeView {
            id: self.id,
            up: true,
            role: role_name,
            term: self.epoch,
            leading: self.role == Role::Master,
            headline: match self.role {
                Role::Sentinel => format!("epoch {}", self.current_epoch),
                _ => format!("offset {}", self.offset),
            },
            subline: match self.role {
                Role::Master => format!("replid {}", hex(self.replid)),
                Role::Replica => format!("of S{}", self.master),
                Role::Sentinel => format!("watches S{}", self.master),
            },
            badge,
            details,
            log,
            log_offset: skip as u64,
            commit_index: 0,
            progress: Vec::new(),
            state_machine: if self.role == Role::Sentinel {
                String::new()
            } else {
                render(&self.kv)
            },
            members: 0,
        }
    }
}

/// A new replication id (Redis draws 40 random hex characters; here it is
/// derived from the server and the epoch, so runs replay exactly).
pub fn new_replid(id: NodeId, epoch: u64) -> u64 {
    let x = (u64::from(id) << 32 | epoch).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (x >> 20) | 1
}

/// The monotonic clock Redis measures its timeouts with (since 6.2):
/// true elapsed time, unmoved when the user steps a node's wall clock.
pub(super) fn mono(out: &RedisOut) -> i64 {
    out.now() as i64
}
