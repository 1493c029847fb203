//! Kafka partition replication (`Partition.scala`, `ReplicaManager`,
//! KRaft's `ReplicationControlManager` and `PartitionChangeBuilder`; the
//! Kafka documentation's "Replication" section; KIP-101, KIP-279, KIP-320,
//! KIP-966). One partition, its replicas on the first brokers, and one
//! controller, the last server.
//!
//! - **Logs and the high watermark.** Each replica holds a log of records
//!   `(offset, leader epoch, record)` with its log end offset (LEO). The
//!   leader appends; followers *pull* with `Fetch` (the leader never
//!   pushes). The leader tracks each follower's LEO and when it last
//!   caught up, and its high watermark (HW) is the minimum LEO over the
//!   ISR (in-sync replicas), not over every replica. Consumers read only
//!   below the HW; followers learn it in fetch responses.
//! - **Producers** choose `acks`: 0 and 1 are answered at once; `all`
//!   (-1) waits until the HW passes the record. With `acks=all` and fewer
//!   ISR members than `min.insync.replicas`, a produce is refused
//!   (`NOT_ENOUGH_REPLICAS`) before appending, or answered
//!   `NOT_ENOUGH_REPLICAS_AFTER_APPEND` when the ISR shrank meanwhile (the
//!   record stays in the log); `request.timeout.ms` gives
//!   `REQUEST_TIMED_OUT`. Both leave the outcome unknown.
//! - **ISR changes.** A follower that has not caught up for
//!   `replica.lag.time.max.ms` is dropped from the ISR, and one whose LEO
//!   reached the HW and the start of the leader's epoch is added back,
//!   both by `AlterPartition` to the controller, fenced by the partition
//!   epoch. While a change is in flight the leader counts the larger set.
//! - **The controller** fences a broker that misses heartbeats for
//!   `broker.session.timeout.ms` (and a broker that registers again after
//!   a restart), removes it from the ISR unless it is the last member,
//!   and if it led, elects the first live ISR replica in assignment order
//!   (no log comparison). With no live ISR member the partition goes
//!   offline, unless `unclean.leader.election.enable` elects any live
//!   replica, whose log becomes the truth. Its decisions reach brokers by
//!   messages (and heartbeat answers), so brokers act on stale views.
//! - **Truncation.** A replica that becomes a follower of a new epoch asks
//!   the leader `OffsetsForLeaderEpoch` for the end of its own last epoch
//!   and truncates there (KIP-101, KIP-279), then fetches with its
//!   `current_leader_epoch` (KIP-320: a stale leader answers
//!   `UNKNOWN_LEADER_EPOCH`, a stale follower gets `FENCED_LEADER_EPOCH`).
//!   A switch restores the pre-0.11 rule, "truncate to the high
//!   watermark", whose data loss KIP-101 describes; another, KIP-966's
//!   eligible leader replicas (Kafka 4): the HW stays while the ISR is
//!   below `min.insync.replicas`, and replicas dropped then stay electable.
//! - **No fsync.** Kafka leaves flushing to the OS: a crash keeps the page
//!   cache, a power loss loses what was written in the last writeback
//!   period.
//!
//! Timers are given in Kafka's units and defaults and divided by one
//! `time_scale`.

mod controller;
mod follower;
mod leader;
mod messages;

pub use messages::*;

use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, PeerProgress, Protocol, Reply, Request,
    RequestId, TimerInfo,
};
use crate::protocols::common::{apply, render, Kv};
use crate::protocols::kafka::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// Kafka's settings, named as in its configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaConfig {
    /// The topic's replication factor (3); at most the brokers there are.
    pub replication_factor: u32,
    /// The producers' `acks`: -1 (`all`, the default since Kafka 3.0), 1 or 0.
    pub acks: i32,
    /// `min.insync.replicas` (1).
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable` (false).
    pub unclean_leader_election_enable: bool,
    /// `replica.lag.time.max.ms` (30000).
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms` (500).
    pub replica_fetch_wait_max_ms: u64,
    /// `broker.heartbeat.interval.ms` (2000).
    pub broker_heartbeat_interval_ms: u64,
    /// `broker.session.timeout.ms` (9000).
    pub broker_session_timeout_ms: u64,
    /// The producers' `request.timeout.ms` (30000).
    pub request_timeout_ms: u64,
    /// How long written data sits in the OS page cache before it reaches
    /// the disk, ms (Linux's `dirty_expire_centisecs`: 30000).
    pub page_cache_writeback_ms: u64,
    /// The pre-0.11 follower rule: truncate to the high watermark instead
    /// of asking `OffsetsForLeaderEpoch` (the bug KIP-101 fixed).
    pub truncate_to_hw: bool,
    /// KIP-966's eligible leader replicas (Kafka 4).
    pub eligible_leader_replicas: bool,
    /// Every timer is divided by this (10: 30 s take 3 s).
    pub time_scale: u64,
    /// A deliberately broken variant; tests only.
    pub bug: Option<KafkaBug>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            replication_factor: 3,
            acks: -1,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            broker_heartbeat_interval_ms: 2_000,
            broker_session_timeout_ms: 9_000,
            request_timeout_ms: 30_000,
            page_cache_writeback_ms: 30_000,
            truncate_to_hw: false,
            eligible_leader_replicas: false,
            time_scale: 10,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for KafkaConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U32 replication_factor,
            I32 acks,
            U32 min_insync_replicas,
            Bool unclean_leader_election_enable,
            U64 replica_lag_time_max_ms,
            U64 replica_fetch_wait_max_ms,
            U64 broker_heartbeat_interval_ms,
            U64 broker_session_timeout_ms,
            U64 request_timeout_ms,
            U64 page_cache_writeback_ms,
            Bool truncate_to_hw,
            Bool eligible_leader_replicas,
            U64 time_scale,
        );
    }
    fn check(&self) -> Result<(), String> {
        let ms = |v: u64| (1..=3_600_000).contains(&v);
        let ok = (1..=1000).contains(&self.time_scale)
            && (1..=9).contains(&self.replication_factor)
            && [-1, 0, 1].contains(&self.acks)
            && (1..=9).contains(&self.min_insync_replicas)
            && ms(self.replica_lag_time_max_ms)
            && ms(self.replica_fetch_wait_max_ms)
            && ms(self.broker_heartbeat_interval_ms)
            && ms(self.broker_session_timeout_ms)
            && ms(self.request_timeout_ms)
            && ms(self.page_cache_writeback_ms);
        ok.then_some(()).ok_or_else(|| {
            "This scenario's Kafka settings are out of range (acks is -1, 0 or 1; replication.factor and min.insync.replicas 1 to 9; times 1 ms to 1 hour).".to_string()
        })
    }
}

impl KafkaConfig {
    /// A duration in ms of the real system, in simulated µs.
    pub fn ms(&self, ms: u64) -> Time {
        crate::protocols::common::scaled_ms(ms, self.time_scale)
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KafkaBug {
    /// A clean election takes the first live replica, in the ISR or not.
    ElectOutsideIsr,
    /// The leader adds a follower back to the ISR as soon as it fetches,
    /// without waiting for it to reach the high watermark.
    ExpandWithoutCatchingUp,
}

/// A server's part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A broker (holding a replica or not).
    Broker,
    /// The controller.
    Controller,
}

/// What the leader knows of one follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Follower {
    /// Its LEO, from its last fetch offset.
    pub leo: u64,
    /// `lastCaughtUpTimeMs`.
    pub caught_up: i64,
    /// When it last fetched, and the leader's LEO then.
    pub last_fetch: (i64, u64),
}

/// What the controller knows of one broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    /// Its last heartbeat.
    pub last: i64,
    /// Its broker epoch (restarts).
    pub incarnation: u64,
    /// Fenced: it missed its session timeout.
    pub fenced: bool,
}

/// The controller's state: the partition and the brokers.
#[derive(Clone, Debug, Default)]
pub struct Controller {
    /// The partition's metadata.
    pub part: Partition,
    /// Every broker's registration.
    pub brokers: LiteMap<NodeId, Registration>,
    /// Unclean elections so far.
    pub unclean: u32,
}

/// What survives a restart: the log on disk (all of it after a crash, the
/// written-back part after a power loss), the HW checkpoint, the broker's
/// copy of the metadata, and the controller's metadata log.
#[derive(Clone, Debug)]
pub struct KafkaDurable {
    log: Vec<Rec>,
    flushed: u64,
    hw: u64,
    meta: Partition,
    epoch: u64,
    incarnation: u64,
    power_lost: bool,
    truncations: u64,
    ctl: Controller,
}

/// One broker or the controller.
#[derive(Clone, Debug)]
pub struct Kafka {
    id: NodeId,
    n: NodeId,
    cfg: KafkaConfig,
    role: Role,
    log: Vec<Rec>,
    /// Offsets below this are on disk.
    flushed: u64,
    /// The LEO at the last writeback.
    dirty_mark: u64,
    hw: u64,
    /// The records below the HW applied, and how far.
    kv: Kv,
    kv_at: u64,
    /// The broker's last metadata for the partition.
    meta: Partition,
    /// The leader epoch this replica acts in.
    epoch: u64,
    leading: bool,
    fenced: bool,
    /// Restarted, waiting for the controller's metadata.
    starting: bool,
    incarnation: u64,
    /// Lost unflushed records in a power loss (sticky).
    power_lost: bool,
    /// How many times the log was truncated.
    truncations: u64,
    /// A fetch or an epoch query is in flight.
    fetching: bool,
    /// When the controller last answered a heartbeat.
    heard: i64,
    // Leader.
    epoch_start: u64,
    followers: LiteMap<NodeId, Follower>,
    /// An ISR change sent to the controller, and when.
    pending_isr: Option<(u32, i64)>,
    /// `acks=all` produces waiting for the HW: (request, offset).
    delayed: Vec<(RequestId, u64)>,
    /// Fetches parked by long poll: follower and fetch offset.
    parked: LiteMap<NodeId, u64>,
    ctl: Controller,
}

type KafkaOut = Out<KafkaMsg, KafkaTimer, KafkaObs>;

/// What the engine reports to the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaObs {
    /// This broker became the leader of `epoch`.
    Leader { epoch: u64 },
    /// The leader's HW moved from `from` to `to`.
    Hw { from: u64, to: u64 },
    /// A consumer read everything below `upto`.
    Consumed { upto: u64 },
}

/// A record's identity as a producer is told it: bit 62, the leader
/// epoch's low 22 bits, the offset's low 40.
pub fn record_index(epoch: u64, offset: u64) -> u64 {
    1 << 62 | (epoch & 0x3f_ffff) << 40 | (offset & ((1 << 40) - 1))
}

impl Kafka {
    /// The controller's id (the last server).
    fn controller(&self) -> NodeId {
        self.n
    }
    /// How many brokers: every server but the controller (a lone server
    /// is a broker without one).
    fn brokers(&self) -> NodeId {
        self.n.saturating_sub(1).max(1)
    }
    /// The partition's replicas, in assignment order: the first
    /// `replication.factor` brokers.
    pub fn replicas(&self) -> std::ops::RangeInclusive<NodeId> {
        1..=(self.cfg.replication_factor).min(self.brokers())
    }
    fn is_replica(&self) -> bool {
        self.role == Role::Broker && self.replicas().contains(&self.id)
    }
    /// The log (offset = position).
    pub fn log(&self) -> &[Rec] {
        &self.log
    }
    /// The high watermark.
    pub fn hw(&self) -> u64 {
        self.hw
    }
    /// The controller's state (the controller only).
    pub fn controller_state(&self) -> Option<&Controller> {
        (self.role == Role::Controller).then_some(&self.ctl)
    }
    /// Whether this replica's log may have lost committed records by a
    /// setting or a fault that allows it: a power loss, an unclean
    /// election of this leader, the pre-KIP-101 truncation.
    pub fn loss_expected(&self) -> bool {
        self.power_lost || self.cfg.truncate_to_hw || (self.leading && self.meta.unclean)
    }
    /// How many times the log was truncated.
    pub fn truncations(&self) -> u64 {
        self.truncations
    }
    fn leo(&self) -> u64 {
        self.log.len() as u64
    }
    /// The end offset of `epoch` in this log: the start of the first later
    /// epoch, or the LEO; with the largest epoch at most `epoch` it has.
    fn epoch_end(&self, epoch: u64) -> (u64, u64) {
        let i = self.log.partition_point(|r| r.epoch <= epoch);
        let found = if i == 0 { 0 } else { self.log[i - 1].epoch };
        let found = if self.leading && epoch >= self.epoch {
            epoch
        } else {
            found
        };
        (found, i as u64)
    }
    /// Cut the log to `len` records (an HW above it comes down too).
    fn truncate(&mut self, len: u64, out: &mut KafkaOut) {
        if len >= self.leo() {
            return;
        }
        let (id, from) = (self.id, self.leo());
        out.note(|| format!("S{id} truncates its log from offset {len} (LEO was {from})"));
        self.log.truncate(len as usize);
        self.flushed = self.flushed.min(len);
        self.dirty_mark = self.dirty_mark.min(len);
        self.truncations += 1;
        if self.hw > len {
            self.hw = len;
        }
        if self.kv_at > len {
            self.kv = Kv::new();
            self.kv_at = 0;
            self.apply_to_hw();
        }
    }
    /// Apply the records below the HW to the consumer's view.
    fn apply_to_hw(&mut self) {
        while self.kv_at < self.hw {
            apply(&mut self.kv, &self.log[self.kv_at as usize].cmd);
            self.kv_at += 1;
        }
    }
}

impl Protocol for Kafka {
    type Config = KafkaConfig;
    type Msg = KafkaMsg;
    type Timer = KafkaTimer;
    type Obs = KafkaObs;
    type Durable = KafkaDurable;
    const NAME: &'static str = "kafka";
    const TRANSPORT: crate::protocol::Transport = crate::protocol::Transport::Connection;
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &KafkaConfig,
        durable: Option<KafkaDurable>,
        out: &mut KafkaOut,
    ) -> Self {
        let n = peers.len() as NodeId + 1;
        let mut node = Kafka {
            id,
            n,
            cfg: cfg.clone(),
            role: if id == n && n > 1 {
                Role::Controller
            } else {
                Role::Broker
            },
            log: Vec::new(),
            flushed: 0,
            dirty_mark: 0,
            hw: 0,
            kv: Kv::new(),
            kv_at: 0,
            meta: Partition::default(),
            epoch: 0,
            leading: false,
            fenced: false,
            starting: false,
            incarnation: 0,
            power_lost: false,
            truncations: 0,
            fetching: false,
            heard: out.now() as i64,
            epoch_start: 0,
            followers: LiteMap::new(),
            pending_isr: None,
            delayed: Vec::new(),
            parked: LiteMap::new(),
            ctl: Controller::default(),
        };
        // The topic exists before the run: S1 leads epoch 0 with every
        // replica in sync.
        let replicas: u32 = node.replicas().map(bit).fold(0, |a, b| a | b);
        let initial = Partition {
            leader: 1,
            isr: replicas,
            ..Partition::default()
        };
        match durable {
            Some(d) => {
                node.log = d.log;
                node.flushed = d.flushed;
                node.dirty_mark = d.flushed;
                node.hw = d.hw.min(node.leo());
                node.meta = d.meta;
                node.epoch = d.epoch;
                node.incarnation = d.incarnation + 1;
                node.power_lost = d.power_lost;
                node.truncations = d.truncations;
                node.ctl = d.ctl;
                node.starting = node.role == Role::Broker;
                node.apply_to_hw();
            }
            None => {
                node.meta = initial;
                if node.role == Role::Controller {
                    node.ctl.part = initial;
                    for b in 1..n {
                        node.ctl.brokers.insert(
                            b,
                            Registration {
                                last: 0,
                                incarnation: 0,
                                fenced: false,
                            },
                        );
                    }
                }
            }
        }
        match node.role {
            Role::Controller => {
                // A restarted controller gives every broker a fresh session.
                let now = out.now() as i64;
                for (_, r) in node.ctl.brokers.iter_mut() {
                    r.last = r.last.max(now);
                }
                let t = node.cfg.ms(node.cfg.broker_heartbeat_interval_ms);
                out.set_timer(KafkaTimer::Sessions, t, t);
            }
            Role::Broker => {
                let t = node.cfg.ms(node.cfg.broker_heartbeat_interval_ms);
                out.set_timer(KafkaTimer::Heartbeat, t / 2, t);
                let w = node.cfg.ms(node.cfg.page_cache_writeback_ms);
                out.set_timer(KafkaTimer::Writeback, w, w);
                if node.starting {
                    // Register again at once: the controller answers with
                    // the metadata this broker waits for.
                    let incarnation = node.incarnation;
                    out.send(node.controller(), KafkaMsg::Heartbeat { incarnation });
                } else if node.is_replica() {
                    node.follow_metadata(initial, out);
                }
            }
        }
        node
    }

    fn on_message(&mut self, from: NodeId, msg: KafkaMsg, out: &mut KafkaOut) {
        // A restarted broker waits for the answer to its own registration:
        // metadata sent before the controller saw it come back still names
        // its old incarnation. Only the answer to the request in flight
        // counts (answers to the old incarnation's requests are not for it).
        let stale = match msg {
            KafkaMsg::FetchResponse { .. } | KafkaMsg::EpochEnd { .. } => {
                self.starting || !self.fetching
            }
            KafkaMsg::AlterResponse { .. } | KafkaMsg::PartitionChange(_) => self.starting,
            KafkaMsg::HeartbeatResponse { incarnation, .. } => incarnation != self.incarnation,
            _ => false,
        };
        if stale {
            return;
        }
        match msg {
            KafkaMsg::Fetch { epoch, offset } => self.on_fetch(from, epoch, offset, out),
            KafkaMsg::FetchResponse {
                epoch,
                base,
                records,
                hw,
                error,
            } => self.on_fetch_response(from, epoch, base, records, hw, error, out),
            KafkaMsg::EpochQuery { epoch, current } => {
                self.on_epoch_query(from, epoch, current, out)
            }
            KafkaMsg::EpochEnd {
                epoch,
                end,
                current,
            } => self.on_epoch_end(from, epoch, end, current, out),
            KafkaMsg::AlterPartition {
                leader_epoch,
                partition_epoch,
                isr,
            } => self.on_alter_partition(from, leader_epoch, partition_epoch, isr, out),
            KafkaMsg::AlterResponse { ok, state } => {
                if !ok {
                    self.pending_isr = None;
                }
                self.on_metadata(state, out);
            }
            KafkaMsg::Heartbeat { incarnation } => self.on_heartbeat(from, incarnation, out),
            KafkaMsg::HeartbeatResponse { fenced, state, .. } => {
                self.heard = mono(out);
                self.fenced = fenced;
                if !fenced {
                    self.on_metadata(state, out);
                }
            }
            KafkaMsg::PartitionChange(state) => self.on_metadata(state, out),
        }
    }

    fn on_timer(&mut self, timer: KafkaTimer, out: &mut KafkaOut) {
        match timer {
            KafkaTimer::Heartbeat => {
                let t = self.cfg.ms(self.cfg.broker_heartbeat_interval_ms);
                out.set_timer(KafkaTimer::Heartbeat, t, t);
                if mono(out) - self.heard > self.cfg.ms(30_000) as i64 {
                    // NetworkClient's request timeout: the connection is
                    // stuck (retransmissions after a cut), open a new one.
                    let id = self.id;
                    out.note(|| format!("S{id}: no heartbeat answer within controller.socket.timeout.ms; it reconnects to the controller"));
                    out.reconnect(self.controller());
                    self.heard = mono(out);
                }
                let incarnation = self.incarnation;
                out.send(self.controller(), KafkaMsg::Heartbeat { incarnation });
            }
            KafkaTimer::Sessions => self.check_sessions(out),
            KafkaTimer::IsrExpiration => self.isr_expiration(out),
            KafkaTimer::FetchWait(f) => {
                if let Some(offset) = self.parked.remove(&f) {
                    self.answer_fetch(f, offset, out);
                }
            }
            KafkaTimer::FetchBackoff => self.fetch(out),
            KafkaTimer::FetchTimeout => {
                if self.fetching && !self.leading {
                    let (id, l) = (self.id, self.meta.leader);
                    out.note(|| format!("S{id}: no answer from S{l} within replica.socket.timeout.ms; it reconnects"));
                    out.reconnect(l);
                    self.become_follower(out);
                }
            }
            KafkaTimer::ProduceTimeout(req) => {
                if let Some(i) = self.delayed.iter().position(|d| d.0 == req) {
                    let (_, offset) = self.delayed.remove(i);
                    let id = self.id;
                    out.note(|| format!("S{id}: REQUEST_TIMED_OUT for the record at offset {offset} (acks=all): the HW did not reach it within request.timeout.ms"));
                    out.reply(req, Reply::Unknown);
                }
            }
            KafkaTimer::Writeback => {
                let w = self.cfg.ms(self.cfg.page_cache_writeback_ms);
                out.set_timer(KafkaTimer::Writeback, w, w);
                // Pages dirty for a whole period reach the disk.
                self.flushed = self.flushed.max(self.dirty_mark.min(self.leo()));
                self.dirty_mark = self.leo();
            }
        }
    }

    fn on_request(&mut self, req: Request, out: &mut KafkaOut) {
        if !self.leading {
            let leader = (self.meta.leader != 0).then_some(self.meta.leader);
            out.reply(req.id, Reply::NotLeader { leader });
            return;
        }
        if req.cmd.read {
            // A consumer: only what is below the HW.
            let (hw, index) = (self.hw, record_index(self.epoch, self.hw));
            out.observe(KafkaObs::Consumed { upto: hw });
            out.reply(
                req.id,
                Reply::Read {
                    index,
                    value: self.kv.get(&req.cmd.key).copied(),
                },
            );
            return;
        }
        if req.cmd.cas.is_some() {
            // Kafka has no conditional write.
            out.reply(req.id, Reply::Aborted { index: 0 });
            return;
        }
        self.produce(req, out);
    }

    fn on_action(&mut self, _id: &str, _out: &mut KafkaOut) {}

    fn durable(&self) -> KafkaDurable {
        KafkaDurable {
            log: self.log.clone(),
            flushed: self.flushed,
            hw: self.hw,
            meta: self.meta,
            epoch: self.epoch,
            incarnation: self.incarnation,
            power_lost: self.power_lost,
            truncations: self.truncations,
            ctl: self.ctl.clone(),
        }
    }

    fn power_loss(mut d: KafkaDurable) -> KafkaDurable {
        if d.log.len() as u64 > d.flushed {
            d.log.truncate(d.flushed as usize);
            d.power_lost = true;
            d.truncations += 1;
            d.hw = d.hw.min(d.flushed);
        }
        d
    }

    fn leads(&self) -> Option<u64> {
        self.leading.then_some(self.epoch)
    }

    fn outcome(&self, index: u64) -> Outcome {
        let (epoch, offset) = ((index >> 40) & 0x3f_ffff, index & ((1 << 40) - 1));
        if index >> 62 != 1 {
            // Not a record's index (a refusal's 0).
            return Outcome::Pending;
        }
        match self.log.get(offset as usize) {
            Some(r) if r.epoch & 0x3f_ffff == epoch => Outcome::Committed(Some(r.cmd)),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let controller = self.role == Role::Controller;
        let offline = !controller
            && (self.fenced || self.starting || (self.is_replica() && self.meta.leader == 0));
        let role_name = if controller {
            role::CONTROLLER
        } else if offline {
            role::OFFLINE
        } else if self.leading {
            role::LEADER
        } else if self.is_replica() {
            role::FOLLOWER
        } else {
            role::BROKER
        };
        let skip = self.log.len().saturating_sub(max);
        let log = self
            .log
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(o, r)| EntryView {
                term: r.epoch,
                text: r.cmd.to_string(),
                committed: (o as u64) < self.hw,
                tag: o.to_string(),
                mark: "",
            })
            .collect();
        let mut details = Vec::new();
        let p = if controller { self.ctl.part } else { self.meta };
        if controller {
            details.push(describe_partition(&p));
            let fenced: Vec<String> = self
                .ctl
                .brokers
                .iter()
                .filter(|(_, r)| r.fenced)
                .map(|(b, _)| format!("S{b}"))
                .collect();
            if !fenced.is_empty() {
                details.push(format!("fenced: {}", fenced.join(", ")));
            }
            if p.elr != 0 {
                details.push(format!("ELR {}", members(p.elr)));
            }
            if self.ctl.unclean > 0 {
                details.push(format!("unclean elections: {}", self.ctl.unclean));
            }
        } else if self.is_replica() {
            details.push(format!(
                "LEO {} HW {} (on disk below {})",
                self.leo(),
                self.hw,
                self.flushed
            ));
            let mut cache = Vec::new();
            let mut last = None;
            for (o, r) in self.log.iter().enumerate() {
                if last != Some(r.epoch) {
                    cache.push(format!("{}@{o}", r.epoch));
                    last = Some(r.epoch);
                }
            }
            if !cache.is_empty() {
                details.push(format!("leader-epoch cache {}", cache.join(" ")));
            }
            if self.leading {
                let pending = self.pending_isr.map_or(String::new(), |(s, _)| {
                    format!(" (AlterPartition {} pending)", members(s))
                });
                details.push(format!("ISR {}{pending}", members(self.meta.isr)));
            }
        }
        let badge = if self.fenced {
            "FENCED".to_string()
        } else if controller && p.leader == 0 {
            "OFFLINE".to_string()
        } else {
            String::new()
        };
        NodeView {
            id: self.id,
            up: true,
            role: role_name,
            term: p.leader_epoch,
            leading: self.leading,
            headline: if controller {
                format!("ISR {}", members(p.isr))
            } else {
                format!("epoch {}", self.epoch)
            },
            subline: if controller {
                if p.leader == 0 {
                    "no leader".to_string()
                } else {
                    format!("leader S{}", p.leader)
                }
            } else if self.is_replica() {
                format!("LEO {} HW {}", self.leo(), self.hw)
            } else {
                "no replica".to_string()
            },
            badge,
            details,
            log,
            log_offset: skip as u64,
            commit_index: self.hw,
            progress: self
                .followers
                .iter()
                .map(|(&peer, f)| PeerProgress {
                    peer,
                    next: f.leo,
                    matched: f.leo,
                })
                .collect(),
            state_machine: if self.is_replica() {
                render(&self.kv)
            } else {
                String::new()
            },
            members: 0,
        }
    }
}

/// The monotonic clock Kafka measures its timeouts with.
pub(super) fn mono(out: &KafkaOut) -> i64 {
    out.now() as i64
}
