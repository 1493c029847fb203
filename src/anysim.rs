//! A type-erased simulation handle: a [`Sim`] of any protocol.
//!
//! The UI, the timeline, built-in scenario scripts and the conformance
//! tests drive whichever protocol the scenario names through [`AnySim`],
//! so that none of them branches on protocol. [`boot`] is the generic boot
//! function each protocol's descriptor points at.

use crate::protocol::{NodeView, Protocol};
use crate::sim::check::Checked;
use crate::sim::net::{LinkState, NetConfig};
use crate::sim::trace::TraceEvent;
use crate::sim::{Action, NodeId, Sim, SimConfig, Time, TraceMode, Violation};

/// What a run needs besides its protocol: size, seed, network and the
/// protocol's settings (as stored in the scenario, by protocol id).
#[derive(Clone, Debug, Default)]
pub struct Setup {
    /// Cluster size.
    pub nodes: u32,
    /// RNG seed.
    pub seed: u64,
    /// Network at the start.
    pub net: NetConfig,
    /// The protocol's settings (`Null` = defaults).
    pub settings: serde_json::Value,
    /// Simulated clients.
    pub workload: crate::sim::clients::Workload,
    /// Scenario format 1: a crash keeps the node's connections.
    pub keep_connections_on_crash: bool,
}

/// Boot a run of `P` (settings that do not parse fall back to the defaults:
/// links are checked before they get here, and a run must never panic).
pub fn boot<P: Checked>(setup: &Setup, mode: TraceMode) -> Box<dyn AnySim> {
    boot_with::<P>(setup, mode, |_| {})
}

/// Boot a run of `P` with its settings adjusted by `tweak` (broken variants
/// set their bug here).
pub fn boot_with<P: Checked>(
    setup: &Setup,
    mode: TraceMode,
    tweak: impl FnOnce(&mut P::Config),
) -> Box<dyn AnySim> {
    let mut proto = settings::<P>(&setup.settings)
        .map(|(c, _)| c)
        .unwrap_or_default();
    tweak(&mut proto);
    let mut sim = Sim::<P>::new(
        SimConfig {
            nodes: setup.nodes,
            seed: setup.seed,
            net: setup.net.clone(),
            proto,
        },
        mode,
    );
    sim.keep_connections_on_crash(setup.keep_connections_on_crash);
    if !setup.workload.is_off() {
        sim.set_workload(&setup.workload);
    }
    Box::new(sim)
}

/// Parse and check `P`'s settings (`Null` = defaults): the config and its
/// full form as JSON.
pub fn settings<P: Protocol>(
    v: &serde_json::Value,
) -> Result<(P::Config, serde_json::Value), String> {
    let mut cfg = P::Config::default();
    let full = crate::settings::read_checked(v, &mut cfg, P::NAME)?;
    Ok((cfg, full))
}

/// [`settings`] in full form only: what a descriptor's `settings` is.
pub fn settings_json<P: Protocol>(v: &serde_json::Value) -> Result<serde_json::Value, String> {
    settings::<P>(v).map(|(_, full)| full)
}

/// What the UI needs from a running simulation, whatever the protocol.
pub trait AnySim {
    /// Current virtual time.
    fn now(&self) -> Time;
    /// Events processed so far.
    fn steps(&self) -> u64;
    /// Process one event; false when nothing is queued.
    fn step(&mut self) -> bool;
    /// Process all events up to `t` and move the clock there.
    fn advance_to(&mut self, t: Time);
    /// Move the clock without processing events.
    fn warp_to(&mut self, t: Time);
    /// Apply a user action now.
    fn apply(&mut self, a: &Action);
    /// Node ids.
    fn ids(&self) -> Vec<NodeId>;
    /// One node's picture.
    fn view(&self, id: NodeId) -> Option<NodeView>;
    /// One node's picture with only the last `max` log entries.
    fn view_tail(&self, id: NodeId, max: usize) -> Option<NodeView>;
    /// The ring timer of one node: (armed at, fires at).
    fn ring_timer(&self, id: NodeId) -> Option<(Time, Time)>;
    /// A link's state.
    fn link(&self, a: NodeId, b: NodeId) -> LinkState;
    /// Paused until (0: running), clock offset (µs) and rate (percent).
    fn faults(&self, id: NodeId) -> (Time, i64, u32);
    /// The direction's own network settings, if it has any.
    fn link_net(&self, from: NodeId, to: NodeId) -> Option<NetConfig>;
    /// The trace events not yet taken.
    fn trace(&self) -> &[TraceEvent];
    /// Trace events produced since the start.
    fn trace_count(&self) -> usize;
    /// Take the trace events produced so far.
    fn take_trace(&mut self) -> Vec<TraceEvent>;
    /// Violations so far.
    fn violations(&self) -> &[Violation];
    /// The client operations so far.
    fn history(&self) -> &[crate::history::Op];
    /// The writes clients were told Ok about that the current leader (the
    /// live node leading the highest term) does not hold: (leader, when
    /// each was acknowledged). `None` while no live node leads.
    fn lost_writes(&self) -> Option<(NodeId, Vec<Time>)>;
    /// Network settings.
    fn net(&self) -> NetConfig;
    /// The running trace hash.
    fn trace_hash(&self) -> u64;
    /// No node leads: any node coordinates ([`Protocol::LEADERLESS`]).
    fn leaderless(&self) -> bool;
    /// Time of the next queued event.
    fn next_event_time(&self) -> Option<Time>;
    /// A deep copy (checkpoints).
    fn boxed_clone(&self) -> Box<dyn AnySim>;
    /// The up node whose view says it leads (the highest term if several
    /// think so), whatever the protocol calls it.
    fn leader(&self) -> Option<NodeId>;
    /// Count the bytes of the messages sent from now on ([`Sim::count_bytes`]).
    fn count_bytes(&mut self);
    /// The bytes counted, if counting.
    fn bytes_sent(&self) -> Option<u64>;
    /// Message copies sent so far (each a `Send` in the trace).
    fn messages_sent(&self) -> u64;
}

impl<P: Checked> AnySim for Sim<P> {
    fn now(&self) -> Time {
        Sim::now(self)
    }
    fn steps(&self) -> u64 {
        Sim::steps(self)
    }
    fn step(&mut self) -> bool {
        Sim::step(self)
    }
    fn advance_to(&mut self, t: Time) {
        Sim::advance_to(self, t)
    }
    fn warp_to(&mut self, t: Time) {
        Sim::warp_to(self, t)
    }
    fn apply(&mut self, a: &Action) {
        Sim::apply(self, a)
    }
    fn ids(&self) -> Vec<NodeId> {
        Sim::ids(self).to_vec()
    }
    fn view(&self, id: NodeId) -> Option<NodeView> {
        Sim::view(self, id)
    }
    fn view_tail(&self, id: NodeId, max: usize) -> Option<NodeView> {
        Sim::view_tail(self, id, max)
    }
    fn ring_timer(&self, id: NodeId) -> Option<(Time, Time)> {
        Sim::ring_timer(self, id)
    }
    fn link(&self, a: NodeId, b: NodeId) -> LinkState {
        Sim::link(self, a, b)
    }
    fn faults(&self, id: NodeId) -> (Time, i64, u32) {
        Sim::faults(self, id)
    }
    fn link_net(&self, from: NodeId, to: NodeId) -> Option<NetConfig> {
        Sim::link_net(self, from, to)
    }
    fn trace(&self) -> &[TraceEvent] {
        Sim::trace(self)
    }
    fn trace_count(&self) -> usize {
        Sim::trace_count(self)
    }
    fn take_trace(&mut self) -> Vec<TraceEvent> {
        Sim::take_trace(self)
    }
    fn violations(&self) -> &[Violation] {
        Sim::violations(self)
    }
    fn history(&self) -> &[crate::history::Op] {
        Sim::history(self)
    }
    fn lost_writes(&self) -> Option<(NodeId, Vec<Time>)> {
        Sim::lost_writes(self)
    }
    fn net(&self) -> NetConfig {
        Sim::net(self).clone()
    }
    fn leaderless(&self) -> bool {
        P::LEADERLESS
    }
    fn trace_hash(&self) -> u64 {
        Sim::trace_hash(self)
    }
    fn next_event_time(&self) -> Option<Time> {
        Sim::next_event_time(self)
    }
    fn boxed_clone(&self) -> Box<dyn AnySim> {
        Box::new(self.clone())
    }
    fn leader(&self) -> Option<NodeId> {
        Sim::leader(self)
    }
    fn count_bytes(&mut self) {
        Sim::count_bytes(self)
    }
    fn bytes_sent(&self) -> Option<u64> {
        Sim::bytes_sent(self)
    }
    fn messages_sent(&self) -> u64 {
        Sim::messages_sent(self)
    }
}
