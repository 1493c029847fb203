//! Cassandra, one datacenter (`apache/cassandra`: the architecture
//! documentation's "Dynamo" page, `hints.adoc`, `Gossiper.java`,
//! `FailureDetector.java`, `cassandra.yaml`; the read-repair page).
//!
//! - **The ring.** One token per node, evenly spaced; a key's replicas are
//!   the first `replication_factor` nodes clockwise from its token
//!   (SimpleStrategy). Any node coordinates a client's request.
//! - **Writes** carry a timestamp from the client's clock (the drivers'
//!   default) or, with `timestamp-generator: server`, the coordinator's
//!   (so a skewed clock matters), and go to **every** replica the coordinator believes
//!   up; it answers when the consistency level's count has acknowledged.
//!   Too few replicas up in its own view: `UnavailableException`, nothing
//!   written and no hint. No answer within `write_request_timeout`:
//!   `WriteTimeoutException`, and the write is not undone. Replicas known
//!   down (or that time out) get a **hint**, replayed when gossip shows
//!   them up again, not created once they have been down longer than
//!   `max_hint_window`. Only `ANY` counts a hint.
//! - **Reads** ask the consistency level's count of replicas, one for the
//!   data and the rest for digests. Matching: answer. Otherwise the full
//!   data from each, **last write wins** (highest timestamp, then the larger
//!   value), and **blocking read repair** of the stale ones before the
//!   answer (`read_repair = BLOCKING`, the default since 4.0).
//! - **Gossip** every second: the heartbeat version goes up, a Syn of
//!   digests goes to a random live peer (sometimes to an unreachable one,
//!   and to the seed S1), Ack and Ack2 carry what is newer. Each node's
//!   **phi accrual failure detector** turns the arrival times of newer
//!   heartbeats into phi = 0.434 × silence / mean interval and convicts a
//!   peer above `phi_convict_threshold` (8): about 18 s of silence. Up and
//!   down are each node's own judgement; two nodes can disagree.
//! - **Repair** (a node action) exchanges every cell with the other
//!   replicas of the same keys, last write wins.
//!
//! Timers are given in Cassandra's units and defaults and divided by one
//! `time_scale`.

mod coordinator;
mod gossip;
mod messages;

pub use messages::*;

use crate::protocol::{Key, NodeView, Out, Outcome, Protocol, Request};
use crate::protocols::cassandra::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// Cassandra's settings, under `cassandra.yaml`'s and the drivers' names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CassConfig {
    /// The keyspace's `replication_factor` (3).
    pub replication_factor: u32,
    /// The clients' write consistency level: ANY, ONE, TWO, QUORUM, ALL.
    pub write_consistency: String,
    /// The clients' read consistency level: ONE, TWO, QUORUM, ALL.
    pub read_consistency: String,
    /// `phi_convict_threshold` (8).
    pub phi_convict_threshold: u64,
    /// `write_request_timeout`, ms (2000).
    pub write_request_timeout: u64,
    /// `read_request_timeout`, ms (5000).
    pub read_request_timeout: u64,
    /// `max_hint_window`, ms (3 hours).
    pub max_hint_window: u64,
    /// `hints_flush_period`, ms (10000).
    pub hints_flush_period: u64,
    /// `Gossiper.intervalInMillis` (1000).
    pub gossip_interval: u64,
    /// The driver's `timestamp-generator`: `client` (the default since the
    /// Java driver 3.0: the client's clock, which the simulation keeps
    /// true) or `server` (the coordinator's clock, skew and all).
    pub timestamps: String,
    /// Every timer is divided by this (10: 1 s takes 0.1 s).
    pub time_scale: u64,
    /// The Dynamo paper's sloppy quorum (§4.6), which Cassandra does not
    /// do: a write for a replica believed down goes to the next healthy
    /// node clockwise past the key's replicas, which holds it as a hint
    /// for that replica and counts toward the consistency level. Off: a
    /// write that cannot reach the level's count of replicas is refused
    /// (`UnavailableException`), as Cassandra does.
    pub sloppy_quorum: bool,
    /// A deliberately broken variant; tests only.
    pub bug: Option<CassBug>,
}

impl Default for CassConfig {
    fn default() -> Self {
        CassConfig {
            replication_factor: 3,
            write_consistency: "QUORUM".to_string(),
            read_consistency: "QUORUM".to_string(),
            phi_convict_threshold: 8,
            write_request_timeout: 2_000,
            read_request_timeout: 5_000,
            max_hint_window: 10_800_000,
            hints_flush_period: 10_000,
            gossip_interval: 1_000,
            timestamps: "client".to_string(),
            time_scale: 10,
            sloppy_quorum: false,
            bug: None,
        }
    }
}

/// How many replicas a consistency level needs (ANY: 0, counted by hints).
fn level(cl: &str, rf: u32) -> Option<u32> {
    Some(match cl {
        "ANY" => 0,
        "ONE" => 1,
        "TWO" => 2,
        "THREE" => 3,
        "QUORUM" => rf / 2 + 1,
        "ALL" => rf,
        _ => return None,
    })
}

impl crate::protocol::Settings for CassConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U32 replication_factor,
            Str write_consistency,
            Str read_consistency,
            U64 phi_convict_threshold,
            U64 write_request_timeout,
            U64 read_request_timeout,
            U64 max_hint_window,
            U64 hints_flush_period,
            U64 gossip_interval,
            Str timestamps as "timestamp-generator",
            U64 time_scale,
            NewBool sloppy_quorum,
        );
    }
    fn check(&self) -> Result<(), String> {
        let ms = |v: u64| (1..=86_400_000).contains(&v);
        let rf = self.replication_factor;
        let w = level(&self.write_consistency, rf);
        let r = level(&self.read_consistency, rf).filter(|_| self.read_consistency != "ANY");
        let ok = (1..=9).contains(&rf)
            && w.is_some_and(|w| w <= rf)
            && r.is_some_and(|r| (1..=rf).contains(&r))
            && (1..=100).contains(&self.phi_convict_threshold)
            && ms(self.write_request_timeout)
            && ms(self.read_request_timeout)
            && ms(self.max_hint_window)
            && ms(self.hints_flush_period)
            && ms(self.gossip_interval)
            && ["client", "server"].contains(&self.timestamps.as_str())
            && (1..=1000).contains(&self.time_scale);
        ok.then_some(()).ok_or_else(|| {
            "This scenario's Cassandra settings are out of range (replication_factor 1 to 9; consistency levels ANY (writes), ONE, TWO, THREE, QUORUM or ALL, at most the replication factor; phi_convict_threshold 1 to 100; timestamp-generator client or server; times 1 ms to 1 day).".to_string()
        })
    }
}

impl CassConfig {
    /// A duration in ms of the real system, in simulated µs.
    pub fn ms(&self, ms: u64) -> Time {
        crate::protocols::common::scaled_ms(ms, self.time_scale)
    }
    /// Replicas a write needs.
    pub fn write_level(&self) -> u32 {
        level(&self.write_consistency, self.replication_factor).unwrap_or(1)
    }
    /// Replicas a read asks.
    pub fn read_level(&self) -> u32 {
        level(&self.read_consistency, self.replication_factor)
            .unwrap_or(1)
            .max(1)
    }
    /// `R + W > RF` with a strict quorum: every read overlaps every
    /// acknowledged write (a sloppy quorum's stand-ins are not replicas).
    pub fn overlapping(&self) -> bool {
        self.read_level() + self.write_level() > self.replication_factor && !self.sloppy_quorum
    }
    /// The settings of a keyspace on `n` nodes: a replication factor above
    /// the node count is the node count (as one would create it there).
    fn on(&self, n: NodeId) -> CassConfig {
        CassConfig {
            replication_factor: self.replication_factor.min(n),
            ..self.clone()
        }
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CassBug {
    /// Stored hints count toward every consistency level, not only ANY.
    HintsCountTowardQuorum,
}

/// A hint: a mutation kept for a replica that was down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Its id (a replay's acknowledgement deletes it).
    pub id: u64,
    /// The replica it is for.
    pub target: NodeId,
    /// The key and cell.
    pub key: Key,
    /// The cell.
    pub cell: Cell,
}

/// The failure detector's view of one peer.
#[derive(Clone, Debug, Default)]
pub struct Arrival {
    /// When a newer heartbeat last arrived.
    pub last: Time,
    /// The last inter-arrival intervals (at most 1000).
    pub intervals: Vec<Time>,
    /// Believed up.
    pub up: bool,
    /// When it was convicted (down).
    pub down_since: Time,
}

/// A request this node coordinates.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    rid: u64,
    req: crate::protocol::RequestId,
    key: Key,
    began: Time,
    /// Write: the cell; acknowledgements (a node set) and hints stored.
    cell: Option<Cell>,
    acked: u32,
    hinted: u32,
    need: u32,
    /// Read: who was asked, the answers, and the replicas being repaired.
    asked: u32,
    answers: Vec<(NodeId, Option<Cell>, u64)>,
    full: bool,
    repairing: u32,
    merged: Option<Cell>,
}

/// What survives a restart: the data (the commit log replays it), the hint
/// store, and the write counter.
#[derive(Clone, Debug)]
pub struct CassDurable {
    data: LiteMap<Key, Cell>,
    hints: Vec<Hint>,
    writes: u64,
    generation: u64,
}

/// One node.
#[derive(Clone, Debug)]
pub struct Cass {
    id: NodeId,
    n: NodeId,
    cfg: CassConfig,
    data: LiteMap<Key, Cell>,
    hints: Vec<Hint>,
    /// Writes coordinated so far (ids).
    writes: u64,
    next_rid: u64,
    pending: Vec<Pending>,
    /// Heartbeat state per endpoint (itself included): generation, version.
    beats: LiteMap<NodeId, (u64, u64)>,
    fd: LiteMap<NodeId, Arrival>,
    rounds: u64,
    /// The time of the last event this node handled (true time).
    last_event: Time,
}

type CassOut = Out<CassMsg, CassTimer, CassObs>;

/// What the engine reports to the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CassObs {
    /// A write was acknowledged at its consistency level with this many
    /// replicas holding it (hints not counted).
    WriteAcked { key: Key, cell: Cell, need: u32 },
    /// A read that began at `began` returned this cell.
    ReadReturned {
        key: Key,
        cell: Option<Cell>,
        began: Time,
    },
}

/// A write's identity as a client is told it: bit 59, the key (8 bits),
/// its write timestamp (µs, 40 bits) and the low 11 bits of the write's id
/// (coordinator and counter: two writes of one key can share a timestamp),
/// so that a key's writes are ordered as last write wins orders them.
pub fn write_index(key: Key, cell: &Cell) -> u64 {
    let id = (cell.id >> 32 & 0xf) << 7 | (cell.id & 0x7f);
    1 << 59 | u64::from(key.0) << 51 | (cell.ts.max(0) as u64 & ((1 << 40) - 1)) << 11 | id
}

/// Request ids of hint replays carry this bit (and the hint's id).
pub(super) const HINT_RID: u64 = 1 << 63;

/// A deterministic hash (splitmix64): gossip's random peer choice.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Cass {
    /// The key's token position on the ring of `n` evenly spaced nodes:
    /// the node whose range holds it (a key hashes to a token).
    fn owner(&self, key: Key) -> NodeId {
        (mix(u64::from(key.0)) % u64::from(self.n)) as NodeId + 1
    }
    /// The key's replicas: the first `replication_factor` nodes clockwise.
    pub fn replicas(&self, key: Key) -> Vec<NodeId> {
        let first = self.owner(key);
        (0..self.cfg.replication_factor.min(self.n))
            .map(|i| (first - 1 + i) % self.n + 1)
            .collect()
    }
    /// Whether this node believes `p` up (itself always).
    pub fn believes_up(&self, p: NodeId) -> bool {
        p == self.id || self.fd.get(&p).is_some_and(|a| a.up)
    }
    /// The stored cells.
    pub fn data(&self) -> &LiteMap<Key, Cell> {
        &self.data
    }
    /// The hints stored here.
    pub fn hints(&self) -> &[Hint] {
        &self.hints
    }
    /// Phi for peer `p` now.
    pub fn phi(&self, p: NodeId, now: Time) -> f64 {
        let Some(a) = self.fd.get(&p) else {
            return 0.0;
        };
        let mean = if a.intervals.is_empty() {
            self.cfg.ms(self.cfg.gossip_interval) as f64
        } else {
            a.intervals.iter().sum::<Time>() as f64 / a.intervals.len() as f64
        };
        gossip::PHI_FACTOR * now.saturating_sub(a.last) as f64 / mean.max(1.0)
    }
    /// When this node last handled an event (true time).
    pub fn last_event(&self) -> Time {
        self.last_event
    }
    /// The settings.
    pub fn cfg(&self) -> &CassConfig {
        &self.cfg
    }
    /// Apply a cell if it wins over what is stored.
    fn store(&mut self, key: Key, cell: Cell) {
        match self.data.get(&key) {
            Some(old) if !cell.wins_over(old) => {}
            _ => {
                self.data.insert(key, cell);
            }
        }
    }
}

impl Protocol for Cass {
    type Config = CassConfig;
    type Msg = CassMsg;
    type Timer = CassTimer;
    type Obs = CassObs;
    type Durable = CassDurable;
    const NAME: &'static str = "cassandra";
    const TRANSPORT: crate::protocol::Transport = crate::protocol::Transport::Connection;
    const READS: bool = true;
    const LEADERLESS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &CassConfig,
        durable: Option<CassDurable>,
        out: &mut CassOut,
    ) -> Self {
        let n = peers.len() as NodeId + 1;
        let mut node = Cass {
            id,
            n,
            cfg: cfg.on(n),
            data: LiteMap::new(),
            hints: Vec::new(),
            writes: 0,
            next_rid: 0,
            pending: Vec::new(),
            beats: LiteMap::new(),
            fd: LiteMap::new(),
            rounds: 0,
            last_event: out.now(),
        };
        // The generation is the node's start time: a restart is newer.
        let mut generation = out.now() + 1;
        if let Some(d) = durable {
            node.data = d.data;
            node.hints = d.hints;
            node.writes = d.writes;
            generation = generation.max(d.generation + 1);
        }
        node.beats.insert(id, (generation, 0));
        let now = out.now();
        for &p in peers {
            node.fd.insert(
                p,
                Arrival {
                    last: now,
                    intervals: Vec::new(),
                    up: true,
                    down_since: 0,
                },
            );
        }
        let g = node.cfg.ms(node.cfg.gossip_interval);
        out.set_timer(CassTimer::Gossip, g / 2, g);
        let h = node.cfg.ms(node.cfg.hints_flush_period);
        out.set_timer(CassTimer::Hints, h, h);
        node
    }

    fn on_message(&mut self, from: NodeId, msg: CassMsg, out: &mut CassOut) {
        self.last_event = out.now();
        match msg {
            CassMsg::Mutation { rid, key, cell, .. } => {
                self.store(key, cell);
                out.send(from, CassMsg::MutationAck { rid });
            }
            CassMsg::HintedHandoff {
                rid,
                key,
                cell,
                target,
            } => {
                // A stand-in of the sloppy quorum: it holds the write as a
                // hint for `target`, not as its own data.
                self.stand_in_for(target, key, cell, out);
                out.send(from, CassMsg::MutationAck { rid });
            }
            CassMsg::MutationAck { rid } if rid & HINT_RID != 0 => {
                // A replayed hint was applied: it is delivered.
                self.hints.retain(|h| h.id != rid & !HINT_RID);
            }
            CassMsg::MutationAck { rid } => self.on_mutation_ack(from, rid, out),
            CassMsg::Read { rid, key, digest } => {
                let cell = self.data.get(&key).copied();
                out.send(
                    from,
                    CassMsg::ReadResponse {
                        rid,
                        cell: if digest { None } else { cell },
                        digest: digest_of(cell),
                        data: !digest,
                    },
                );
            }
            CassMsg::ReadResponse {
                rid, cell, digest, ..
            } => self.on_read_response(from, rid, cell, digest, out),
            CassMsg::ReadRepair { rid, key, cell } => {
                self.store(key, cell);
                out.send(from, CassMsg::ReadRepairAck { rid });
            }
            CassMsg::ReadRepairAck { rid } => self.on_repair_ack(from, rid, out),
            CassMsg::Syn { digests } => self.on_syn(from, digests, out),
            CassMsg::Ack { want, deltas } => self.on_ack(from, want, deltas, out),
            CassMsg::Ack2 { deltas } => self.apply_beats(&deltas, out),
            CassMsg::Repair { cells, reply } => self.on_repair(from, cells, reply, out),
        }
    }

    fn on_timer(&mut self, timer: CassTimer, out: &mut CassOut) {
        self.last_event = out.now();
        match timer {
            CassTimer::Gossip => self.gossip_round(out),
            CassTimer::Timeout(rid) => self.on_timeout(rid, out),
            CassTimer::Hints => {
                let h = self.cfg.ms(self.cfg.hints_flush_period);
                out.set_timer(CassTimer::Hints, h, h);
                self.replay_hints(None, out);
            }
        }
    }

    fn on_request(&mut self, req: Request, out: &mut CassOut) {
        self.last_event = out.now();
        self.coordinate(req, out);
    }

    fn on_action(&mut self, id: &str, out: &mut CassOut) {
        if id == "repair" {
            self.start_repair(out);
        }
    }

    fn durable(&self) -> CassDurable {
        CassDurable {
            data: self.data.clone(),
            hints: self.hints.clone(),
            writes: self.writes,
            generation: self.beats.get(&self.id).map_or(0, |b| b.0),
        }
    }

    fn leads(&self) -> Option<u64> {
        None
    }

    fn outcome(&self, index: u64) -> Outcome {
        if index >> 59 != 1 {
            return Outcome::Pending;
        }
        let key = Key(((index >> 51) & 0xff) as u8);
        match self.data.get(&key) {
            Some(c) if write_index(key, c) == index => {
                Outcome::Committed(Some(crate::protocol::Command::write(key, c.value)))
            }
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, _max: usize) -> NodeView {
        let down: Vec<String> = self
            .fd
            .iter()
            .filter(|(_, a)| !a.up)
            .map(|(p, _)| format!("S{p}"))
            .collect();
        let mut details = vec![format!(
            "token range {} of {}; replication_factor {}",
            self.id, self.n, self.cfg.replication_factor
        )];
        if !self.data.is_empty() {
            let cells: Vec<String> = self
                .data
                .iter()
                .map(|(k, c)| format!("{k}={} @{}", c.value, c.ts))
                .collect();
            details.push(format!("data: {}", cells.join(", ")));
        }
        if !self.hints.is_empty() {
            let h: Vec<String> = self
                .hints
                .iter()
                .map(|h| format!("{}={} for S{}", h.key, h.cell.value, h.target))
                .collect();
            details.push(format!("hints: {}", h.join(", ")));
        }
        details.push(if down.is_empty() {
            "sees every node UP".to_string()
        } else {
            format!("sees DOWN: {}", down.join(" "))
        });
        NodeView {
            id: self.id,
            up: true,
            role: if self.pending.is_empty() {
                role::REPLICA
            } else {
                role::COORDINATOR
            },
            term: 0,
            leading: false,
            // The gossip heartbeat version (`nodetool gossipinfo`: heartbeat).
            headline: format!("hb {}", self.beats.get(&self.id).map_or(0, |b| b.1)),
            subline: if down.is_empty() {
                "all UP".to_string()
            } else {
                format!("DOWN {}", down.join(" "))
            },
            badge: if self.hints.is_empty() {
                String::new()
            } else {
                format!("{} HINTS", self.hints.len())
            },
            details,
            log: Vec::new(),
            log_offset: 0,
            commit_index: 0,
            progress: Vec::new(),
            state_machine: {
                let kv: Vec<String> = self
                    .data
                    .iter()
                    .map(|(k, c)| format!("{k}={}", c.value))
                    .collect();
                kv.join(" ")
            },
            members: 0,
        }
    }
}

/// A cell's digest (what a digest read compares).
pub(super) fn digest_of(cell: Option<Cell>) -> u64 {
    cell.map_or(0, |c| mix(c.ts as u64 ^ u64::from(c.value) << 1))
}
