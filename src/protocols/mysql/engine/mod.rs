//! MySQL source/replica replication with GTIDs, asynchronous or
//! semi-synchronous, and an outside orchestrator that fails over (MySQL
//! Reference Manual, "Replication" and "Semisynchronous Replication";
//! Orchestrator's documentation). Not consensus: the source answers a commit
//! before (asynchronous) or with at most a count of replicas (semi-sync)
//! holding it, and MySQL itself never fails over.
//!
//! - **Source.** A commit gets the GTID `uuid:n` (here `S{id}:n`), is
//!   written to the binary log (`sync_binlog=1`: durable from then on) and
//!   sent by each replica's dump thread. Asynchronous: the storage engine
//!   commits it and the client is told OK at once. Semi-synchronous
//!   (`rpl_semi_sync_source_enabled`): the source waits for
//!   `rpl_semi_sync_source_wait_for_replica_count` acknowledgements, either
//!   before the engine commit (`AFTER_SYNC`, the default since 5.7: no one
//!   sees it before a replica holds it) or after it (`AFTER_COMMIT`: other
//!   sessions already read it). After `rpl_semi_sync_source_timeout`
//!   (10 s) without them it logs "Semi-sync replication switched OFF",
//!   **answers OK anyway** and goes on asynchronously, until a semi-sync
//!   replica acknowledges the end of the binlog: then it switches back ON.
//! - **Replica.** Its receiver (I/O) thread asks with
//!   `COM_BINLOG_DUMP_GTID` for what its GTID set lacks, writes each event
//!   to its relay log and, if semi-sync, acknowledges it then: after the
//!   relay-log write, not after applying. Its applier (SQL thread) applies
//!   the relay log in order after `replica_apply_delay`, which is what
//!   replication lag is made of; applied transactions go to its own binlog
//!   (`log_replica_updates`), so it can serve replicas once promoted. With
//!   no event or heartbeat for `replica_net_timeout` it reconnects every
//!   `SOURCE_CONNECT_RETRY`. A source refuses a replica holding GTIDs it
//!   lacks (error 1236): errant transactions stop replication.
//! - **Orchestrator** (the last server). It probes every server every
//!   `orchestrator_poll`; when the source missed two probes and no replica
//!   that answers is still connected to it, it promotes the replica whose
//!   retrieved GTID set is the largest (it first applies its relay log),
//!   repoints the others (`CHANGE REPLICATION SOURCE TO ...
//!   SOURCE_AUTO_POSITION=1`) and, when the old source shows up again,
//!   makes it a read-only replica of the new one. It decides from what
//!   its probes return, never from a global view.
//! - **Crash recovery.** The binlog is durable: a restarted server commits
//!   every transaction it finds there, so an old source can come back with
//!   transactions no replica ever received (errant GTIDs).
//!
//! Every timer is given in the real system's units and defaults and divided
//! by one `time_scale`, so their order is kept and a demo does not drag.

mod messages;
mod orchestrator;
mod replica;
mod source;

pub use messages::*;

use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, Protocol, Reply, Request, RequestId,
    TimerInfo,
};
use crate::protocols::common::{render, Kv};
use crate::protocols::mysql::gtid::{Gtid, GtidSet};
use crate::protocols::mysql::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// MySQL settings, named as the server variables are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MySqlConfig {
    /// `rpl_semi_sync_source_enabled` (and every replica's
    /// `rpl_semi_sync_replica_enabled`). Off: asynchronous replication.
    pub rpl_semi_sync_source_enabled: bool,
    /// `rpl_semi_sync_source_wait_point = AFTER_COMMIT` (the only behaviour
    /// before 5.7) instead of `AFTER_SYNC`.
    pub after_commit: bool,
    /// `rpl_semi_sync_source_wait_for_replica_count`.
    pub rpl_semi_sync_source_wait_for_replica_count: u32,
    /// `rpl_semi_sync_source_timeout`, in ms (10000).
    pub rpl_semi_sync_source_timeout: u64,
    /// `replica_net_timeout`, in s (60).
    pub replica_net_timeout: u64,
    /// `SOURCE_HEARTBEAT_PERIOD`, in ms (half of `replica_net_timeout`).
    pub source_heartbeat_period: u64,
    /// `SOURCE_CONNECT_RETRY`, in s (60).
    pub source_connect_retry: u64,
    /// How long the applier takes per transaction, in ms (0).
    pub replica_apply_delay: u64,
    /// The orchestrator's probe interval, in ms (Orchestrator's
    /// `InstancePollSeconds`, 5 s).
    pub orchestrator_poll: u64,
    /// Every timer above is divided by this (20: 10 s take 0.5 s).
    pub time_scale: u64,
    /// A deliberately broken variant; tests only.
    pub bug: Option<MySqlBug>,
}

impl Default for MySqlConfig {
    fn default() -> Self {
        MySqlConfig {
            rpl_semi_sync_source_enabled: false,
            after_commit: false,
            rpl_semi_sync_source_wait_for_replica_count: 1,
            rpl_semi_sync_source_timeout: 10_000,
            replica_net_timeout: 60,
            source_heartbeat_period: 30_000,
            source_connect_retry: 60,
            replica_apply_delay: 0,
            orchestrator_poll: 5_000,
            time_scale: 20,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for MySqlConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            Bool rpl_semi_sync_source_enabled,
            Bool after_commit,
            U32 rpl_semi_sync_source_wait_for_replica_count,
            U64 rpl_semi_sync_source_timeout,
            U64 replica_net_timeout,
            U64 source_heartbeat_period,
            U64 source_connect_retry,
            U64 replica_apply_delay,
            U64 orchestrator_poll,
            U64 time_scale,
        );
    }
    fn check(&self) -> Result<(), String> {
        let ok = (1..=1000).contains(&self.time_scale)
            && (1..=100).contains(&self.rpl_semi_sync_source_wait_for_replica_count)
            && (1..=3_600_000).contains(&self.rpl_semi_sync_source_timeout)
            && (1..=3_600).contains(&self.replica_net_timeout)
            && (1..=3_600_000).contains(&self.source_heartbeat_period)
            && (1..=3_600).contains(&self.source_connect_retry)
            && self.replica_apply_delay <= 600_000
            && (1..=600_000).contains(&self.orchestrator_poll);
        ok.then_some(())
            .ok_or_else(|| "This scenario's MySQL settings are out of range.".to_string())
    }
}

impl MySqlConfig {
    /// A duration given in ms of the real system, in simulated µs.
    pub fn ms(&self, ms: u64) -> Time {
        crate::protocols::common::scaled_ms(ms, self.time_scale)
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MySqlBug {
    /// A semi-sync replica acknowledges an event when it arrives, and writes
    /// it to its relay log only later (the replica must acknowledge after
    /// the relay-log write and flush).
    AckBeforeRelayWrite,
    /// A promoted replica becomes source without first applying its relay
    /// log (a failover that ignores the relay-log backlog).
    PromoteWithoutRelayLog,
    /// A source serves a replica whose GTID set it does not contain
    /// (the source must refuse with error 1236).
    DumpIgnoresErrantGtids,
}

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Accepts writes and streams its binlog.
    Source,
    /// Replicates from a source.
    Replica,
    /// The outside failover tool.
    Orchestrator,
}

/// A commit waiting for semi-sync acknowledgements.
#[derive(Clone, Debug)]
struct Waiting {
    req: RequestId,
    pos: u64,
    trx: Trx,
}

/// What survives a crash: the binlog (`sync_binlog=1`), the relay log,
/// and the replication configuration.
#[derive(Clone, Debug)]
pub struct MySqlDurable {
    binlog: Vec<Trx>,
    relay: Vec<Trx>,
    role: Role,
    source: NodeId,
    epoch: u64,
    next_seq: u64,
}

/// What the engine tells its checker.
#[derive(Clone, Debug)]
pub enum MySqlObs {
    /// The source told a client OK for `trx` after these replicas'
    /// semi-sync acknowledgements (empty: asynchronously).
    Acked { gtid: Gtid, ackers: Vec<NodeId> },
    /// This server became the source of `epoch`.
    Promoted { epoch: u64 },
    /// This source started a dump thread for `replica` (auto-position).
    DumpStarted { replica: NodeId },
    /// This replica sent a semi-sync acknowledgement of `gtid`.
    AckSent { gtid: Gtid },
    /// This server was pointed at a new source: its relay log was purged,
    /// so the acknowledgements it gave no longer stand.
    Repointed,
}

/// One MySQL server (or the orchestrator).
#[derive(Clone, Debug)]
pub struct MySql {
    id: NodeId,
    n: NodeId,
    cfg: MySqlConfig,
    role: Role,
    epoch: u64,
    /// Binary log: every transaction this server executed, in order.
    binlog: Vec<Trx>,
    /// `gtid_executed`, and each transaction's position in the binlog.
    executed: GtidSet,
    at: LiteMap<Gtid, usize>,
    next_seq: u64,
    /// What other sessions see (engine-committed).
    kv: Kv,
    /// What the binlog says (where a new transaction's conditions are read).
    head: Kv,
    // Source.
    semi_on: bool,
    waiting: Vec<Waiting>,
    /// Dump threads: replica -> next binlog index to send, semi-sync or
    /// not, and the replica's stream number.
    dumps: LiteMap<NodeId, (usize, bool, u64)>,
    /// Highest binlog position each replica acknowledged.
    acked: LiteMap<NodeId, u64>,
    // Replica.
    source: NodeId,
    relay: Vec<Trx>,
    retrieved: GtidSet,
    applied: usize,
    applying: bool,
    io: bool,
    error: String,
    /// Events received but not yet written to the relay log (the broken
    /// variant only).
    unflushed: Vec<Trx>,
    /// The receiver's current stream, and the source position it has
    /// received up to on it (None until the stream's first message).
    stream: u64,
    stream_pos: Option<u64>,
    // Orchestrator.
    round: u64,
    seen: LiteMap<NodeId, (u64, Status)>,
    missed: u64,
    current: NodeId,
}

type MyOut = Out<MySqlMsg, MySqlTimer, MySqlObs>;

/// A GTID as the index a client is told (origin in the high bits).
pub fn gtid_index(g: Gtid) -> u64 {
    u64::from(g.0) << 40 | g.1
}

impl MySql {
    /// This server's role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// `gtid_executed`.
    pub fn executed(&self) -> &GtidSet {
        &self.executed
    }
    /// What it received (relay log) and executed.
    pub fn retrieved(&self) -> &GtidSet {
        &self.retrieved
    }
    /// The source it replicates from.
    pub fn source(&self) -> NodeId {
        self.source
    }
    /// Is semi-sync on (`Rpl_semi_sync_source_status`)?
    pub fn semi_sync_on(&self) -> bool {
        self.semi_on
    }
    /// The committed state.
    pub fn kv(&self) -> &Kv {
        &self.kv
    }
    /// The binlog.
    pub fn binlog(&self) -> &[Trx] {
        &self.binlog
    }
    /// Is this server a writable source?
    pub fn is_source(&self) -> bool {
        self.role == Role::Source
    }

    fn orchestrator_id(&self) -> NodeId {
        self.n
    }

    /// Execute `trx` here: binlog, `gtid_executed`, the binlog's state.
    fn log(&mut self, trx: Trx) {
        self.at.insert(trx.gtid, self.binlog.len());
        self.binlog.push(trx);
        self.executed.insert(trx.gtid);
        self.retrieved.insert(trx.gtid);
        crate::protocols::common::apply(&mut self.head, &trx.effect());
    }
}

impl Protocol for MySql {
    type Config = MySqlConfig;
    type Msg = MySqlMsg;
    type Timer = MySqlTimer;
    type Obs = MySqlObs;
    type Durable = MySqlDurable;
    const NAME: &'static str = "mysql";
    const TRANSPORT: crate::protocol::Transport = crate::protocol::Transport::Connection;
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &MySqlConfig,
        durable: Option<MySqlDurable>,
        out: &mut MyOut,
    ) -> Self {
        let n = peers.len() as NodeId + 1;
        let fresh = MySqlDurable {
            binlog: Vec::new(),
            relay: Vec::new(),
            role: match id {
                1 => Role::Source,
                _ if id == n && n >= 3 => Role::Orchestrator,
                _ => Role::Replica,
            },
            source: 1,
            epoch: 1,
            next_seq: 1,
        };
        let d = durable.unwrap_or(fresh);
        let mut node = MySql {
            id,
            n,
            cfg: cfg.clone(),
            role: d.role,
            epoch: d.epoch,
            binlog: Vec::new(),
            executed: GtidSet::default(),
            at: LiteMap::new(),
            next_seq: d.next_seq,
            kv: Kv::new(),
            head: Kv::new(),
            semi_on: cfg.rpl_semi_sync_source_enabled,
            waiting: Vec::new(),
            dumps: LiteMap::new(),
            acked: LiteMap::new(),
            source: d.source,
            relay: Vec::new(),
            retrieved: GtidSet::default(),
            applied: 0,
            applying: false,
            io: false,
            error: String::new(),
            unflushed: Vec::new(),
            stream: 0,
            stream_pos: None,
            round: 0,
            seen: LiteMap::new(),
            missed: 0,
            // The orchestrator keeps its topology in its backend database.
            current: d.source,
        };
        // Crash recovery: every transaction in the binlog is committed.
        for trx in d.binlog {
            node.log(trx);
        }
        node.kv = node.head.clone();
        // The relay log survives too; the applier resumes where it was.
        for trx in d.relay {
            node.retrieved.insert(trx.gtid);
            node.relay.push(trx);
        }
        node.applied = node
            .relay
            .iter()
            .take_while(|t| node.executed.contains(t.gtid))
            .count();
        match node.role {
            Role::Source => node.start_source(out),
            Role::Replica => node.connect(out),
            Role::Orchestrator => {
                let poll = node.cfg.ms(node.cfg.orchestrator_poll);
                out.set_timer(MySqlTimer::Poll, poll, poll);
            }
        }
        node.resume_applier(out);
        node
    }

    fn on_message(&mut self, from: NodeId, msg: MySqlMsg, out: &mut MyOut) {
        match msg {
            MySqlMsg::Dump { have, semi, stream } => self.on_dump(from, have, semi, stream, out),
            MySqlMsg::Ack { pos } => self.on_ack(from, pos, out),
            MySqlMsg::Event {
                trx,
                pos,
                ack,
                stream,
            } => self.on_event(from, (trx, pos, ack), stream, out),
            MySqlMsg::Heartbeat { pos, stream } => self.on_heartbeat(from, pos, stream, out),
            MySqlMsg::DumpError { errant } => self.on_dump_error(from, errant, out),
            MySqlMsg::Probe { round } => {
                let status = self.status();
                out.send(from, MySqlMsg::ProbeReply { round, status });
            }
            MySqlMsg::ProbeReply { round, status } => {
                if self.role == Role::Orchestrator {
                    self.seen.insert(from, (round, status));
                }
            }
            MySqlMsg::Promote { epoch } => self.promote(epoch, out),
            MySqlMsg::ChangeSource { to, epoch } => self.change_source(to, epoch, out),
        }
    }

    fn on_timer(&mut self, timer: MySqlTimer, out: &mut MyOut) {
        match timer {
            MySqlTimer::SemiSync(pos) => self.on_semi_sync_timeout(pos, out),
            MySqlTimer::Heartbeat => self.on_heartbeat_timer(out),
            MySqlTimer::NetTimeout => self.on_net_timeout(out),
            MySqlTimer::Reconnect => self.connect(out),
            MySqlTimer::Apply => self.apply_next(out),
            MySqlTimer::Poll => self.poll(out),
        }
    }

    fn on_request(&mut self, req: Request, out: &mut MyOut) {
        if self.role == Role::Orchestrator {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(self.current),
                },
            );
            return;
        }
        if req.cmd.read {
            // A SELECT on any server reads what it has committed.
            let last = self.binlog.last().map_or(0, |t| gtid_index(t.gtid));
            out.reply(
                req.id,
                crate::protocols::common::answer(&self.kv, &req.cmd, last),
            );
            return;
        }
        if self.role != Role::Source {
            // read_only = ON.
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(self.source),
                },
            );
            return;
        }
        self.commit(req, out);
    }

    fn on_action(&mut self, id: &str, out: &mut MyOut) {
        if id == "promote" && self.role == Role::Replica {
            let epoch = self.epoch + 1;
            let me = self.id;
            out.note(|| format!("The user promotes S{me} by hand (STOP REPLICA; RESET REPLICA ALL; read_only=OFF)"));
            self.promote(epoch, out);
            // Tell the orchestrator, which repoints the others.
            let orch = self.orchestrator_id();
            if orch != self.id {
                out.send(
                    orch,
                    MySqlMsg::ProbeReply {
                        round: 0,
                        status: self.status(),
                    },
                );
            }
        }
    }

    fn durable(&self) -> MySqlDurable {
        MySqlDurable {
            binlog: self.binlog.clone(),
            relay: self.relay.clone(),
            role: self.role,
            source: if self.role == Role::Orchestrator {
                self.current
            } else {
                self.source
            },
            epoch: self.epoch,
            next_seq: self.next_seq,
        }
    }

    fn leads(&self) -> Option<u64> {
        (self.role == Role::Source).then_some(self.epoch)
    }

    fn outcome(&self, index: u64) -> Outcome {
        let g = ((index >> 40) as NodeId, index & ((1 << 40) - 1));
        match self.at.get(&g) {
            Some(&i) if self.kv_has(i) => Outcome::Committed(Some(self.binlog[i].cmd)),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        self.view_of(max)
    }
}

impl MySql {
    /// Is binlog entry `i` engine-committed (visible)? Everything is, but
    /// the source's commits still waiting for acknowledgements under
    /// `AFTER_SYNC`.
    fn kv_has(&self, i: usize) -> bool {
        !(self.role == Role::Source
            && !self.cfg.after_commit
            && self
                .waiting
                .iter()
                .any(|w| w.trx.gtid == self.binlog[i].gtid))
    }

    /// What the orchestrator's probe returns.
    fn status(&self) -> Status {
        Status {
            source: self.role == Role::Source,
            epoch: self.epoch,
            executed: self.executed.clone(),
            retrieved: self.retrieved.clone(),
            io: self.io,
        }
    }

    fn view_of(&self, max: usize) -> NodeView {
        let role_name = match self.role {
            Role::Source => role::SOURCE,
            Role::Replica => role::REPLICA,
            Role::Orchestrator => role::ORCHESTRATOR,
        };
        let (log, skip) = match self.role {
            Role::Orchestrator => (Vec::new(), 0),
            Role::Source => {
                let skip = self.binlog.len().saturating_sub(max);
                let log = self.binlog[skip..]
                    .iter()
                    .map(|t| {
                        let waiting = self.waiting.iter().any(|w| w.trx.gtid == t.gtid);
                        EntryView {
                            term: u64::from(t.gtid.0),
                            text: t.cmd.to_string(),
                            committed: !waiting,
                            tag: show(t.gtid),
                            mark: if waiting { "prepared" } else { "" },
                        }
                    })
                    .collect();
                (log, skip)
            }
            Role::Replica => {
                // The relay log: applied entries solid, the backlog dashed.
                let skip = self.relay.len().saturating_sub(max);
                let log = self.relay[skip..]
                    .iter()
                    .map(|t| EntryView {
                        term: u64::from(t.gtid.0),
                        text: t.cmd.to_string(),
                        committed: self.executed.contains(t.gtid),
                        tag: show(t.gtid),
                        mark: "",
                    })
                    .collect();
                (log, skip)
            }
        };
        let mut details = Vec::new();
        match self.role {
            Role::Source => {
                let status = if self.semi_on { "ON" } else { "OFF" };
                if self.cfg.rpl_semi_sync_source_enabled {
                    details.push(format!("Rpl_semi_sync_source_status {status}"));
                }
                details.push(format!("gtid_executed {}", self.executed));
            }
            Role::Replica => {
                details.push(format!("source S{}", self.source));
                details.push(format!("Retrieved_Gtid_Set {}", self.retrieved));
                details.push(format!("Executed_Gtid_Set {}", self.executed));
                let lag = self.relay.len() - self.applied;
                if lag > 0 {
                    details.push(format!("{lag} transaction(s) behind"));
                }
            }
            Role::Orchestrator => {
                details.push(format!("source S{} (epoch {})", self.current, self.epoch));
            }
        }
        let badge = if !self.error.is_empty() {
            self.error.clone()
        } else if self.role == Role::Source
            && self.cfg.rpl_semi_sync_source_enabled
            && !self.semi_on
        {
            "semi-sync OFF".to_string()
        } else {
            String::new()
        };
        NodeView {
            id: self.id,
            up: true,
            role: role_name,
            term: self.epoch,
            leading: self.role == Role::Source,
            headline: match self.role {
                Role::Orchestrator => format!("epoch {}", self.epoch),
                _ => format!("{} trx", self.executed.len()),
            },
            subline: match self.role {
                Role::Source => "read_only OFF".into(),
                Role::Replica => {
                    if self.io {
                        format!("I/O ← S{}", self.source)
                    } else {
                        "I/O not connected".into()
                    }
                }
                Role::Orchestrator => format!("round {}", self.round),
            },
            badge,
            details,
            log,
            log_offset: skip as u64,
            commit_index: 0,
            progress: Vec::new(),
            state_machine: if self.role == Role::Orchestrator {
                String::new()
            } else {
                render(&self.kv)
            },
            members: 0,
        }
    }
}
