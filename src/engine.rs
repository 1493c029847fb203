//! A type-erased simulation handle for the UI.
//!
//! The UI drives whichever protocol the scenario names through [`Engine`],
//! so that the cluster view, controls and links never branch on protocol.

use crate::protocol::{NodeView, Protocol};
use crate::sim::net::{LinkState, NetConfig};
use crate::sim::trace::TraceEvent;
use crate::sim::{Action, NodeId, Sim, Time, Violation};

/// What the UI needs from a running simulation, whatever the protocol.
pub trait Engine {
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
    /// The trace events not yet taken.
    fn trace(&self) -> &[TraceEvent];
    /// Trace events produced since the start.
    fn trace_count(&self) -> usize;
    /// Take the trace events produced so far.
    fn take_trace(&mut self) -> Vec<TraceEvent>;
    /// Violations so far.
    fn violations(&self) -> &[Violation];
    /// Network settings.
    fn net(&self) -> NetConfig;
    /// The running trace hash.
    fn trace_hash(&self) -> u64;
    /// Time of the next queued event.
    fn next_event_time(&self) -> Option<Time>;
    /// A deep copy (checkpoints).
    fn boxed_clone(&self) -> Box<dyn Engine>;
    /// The up node whose view says it leads (the highest term if several
    /// think so), whatever the protocol calls it.
    fn leader(&self) -> Option<NodeId>;
}

impl<P: Protocol> Engine for Sim<P> {
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
    fn net(&self) -> NetConfig {
        Sim::net(self).clone()
    }
    fn trace_hash(&self) -> u64 {
        Sim::trace_hash(self)
    }
    fn next_event_time(&self) -> Option<Time> {
        Sim::next_event_time(self)
    }
    fn boxed_clone(&self) -> Box<dyn Engine> {
        Box::new(self.clone())
    }
    fn leader(&self) -> Option<NodeId> {
        Sim::leader(self)
    }
}
