//! Built-in classroom scenarios, each with a title and a paragraph on what
//! to watch, one module per protocol. They are built by driving a real run
//! through a [`Timeline`], so "crash the leader" crashes whoever actually
//! leads at that moment, and the result is an ordinary scenario (it opens
//! from a link). This module is the registry the menu and `?preset=` use.

mod paxos;
mod raft;
mod twopc;
mod zab;

use crate::protocols::ProtocolKind;
use crate::scenario::Scenario;
use crate::sim::{NodeId, Time};
use crate::timeline::Timeline;

const MS: Time = 1_000;

fn list(p: ProtocolKind) -> &'static [(&'static str, &'static str)] {
    match p {
        ProtocolKind::Raft => raft::LIST,
        ProtocolKind::Paxos => paxos::LIST,
        ProtocolKind::TwoPc => twopc::LIST,
        ProtocolKind::Zab => zab::LIST,
    }
}

/// Ids of every built-in scenario, in menu order.
pub fn ids() -> Vec<&'static str> {
    ProtocolKind::ALL
        .into_iter()
        .flat_map(|p| list(p).iter().map(|(id, _)| *id))
        .collect()
}

/// Ids of one protocol's built-in scenarios.
pub fn ids_for(p: ProtocolKind) -> Vec<&'static str> {
    list(p).iter().map(|(id, _)| *id).collect()
}

/// Which protocol a built-in scenario runs.
pub fn protocol_of(id: &str) -> Option<ProtocolKind> {
    ProtocolKind::ALL
        .into_iter()
        .find(|&p| list(p).iter().any(|(i, _)| *i == id))
}

/// Build a built-in scenario by id.
pub fn build(id: &str) -> Option<Scenario> {
    match protocol_of(id)? {
        ProtocolKind::Raft => raft::build(id),
        ProtocolKind::Paxos => paxos::build(id),
        ProtocolKind::TwoPc => twopc::build(id),
        ProtocolKind::Zab => zab::build(id),
    }
}

/// The title of a built-in scenario (for menus, without building it).
pub fn title(id: &str) -> &'static str {
    ProtocolKind::ALL
        .into_iter()
        .flat_map(|p| list(p).iter())
        .find(|(i, _)| *i == id)
        .map(|(_, t)| *t)
        .unwrap_or("")
}

fn leader(tl: &Timeline) -> Option<NodeId> {
    tl.engine().leader()
}

/// The up node whose view says it leads (highest term), leaving out `not`.
fn leader_other_than(tl: &Timeline, not: Option<NodeId>) -> Option<NodeId> {
    let e = tl.engine();
    e.ids()
        .into_iter()
        .filter(|&id| Some(id) != not)
        .filter_map(|id| e.view(id))
        .filter(|v| v.up && v.leading)
        .max_by_key(|v| v.term)
        .map(|v| v.id)
}

fn base(protocol: ProtocolKind, seed: u64, nodes: u32, id: &str, about: &str) -> Timeline {
    Timeline::new(scenario(protocol, seed, nodes, id, about))
}

fn scenario(protocol: ProtocolKind, seed: u64, nodes: u32, id: &str, about: &str) -> Scenario {
    Scenario {
        protocol,
        seed,
        nodes,
        title: title(id).to_string(),
        about: about.to_string(),
        ..Scenario::default()
    }
}

/// A client request for `cmd` at `node` at time `t`.
fn request(tl: &mut Timeline, t: Time, node: NodeId, cmd: crate::protocol::Command) {
    tl.act(t, crate::sim::Action::Request { node, cmd });
}

/// Cut `node` off from every other node at time `t`.
fn isolate(tl: &mut Timeline, node: NodeId, t: Time) {
    for o in tl.engine().ids() {
        if o != node {
            tl.act(t, crate::sim::Action::CutBoth { a: node, b: o });
        }
    }
}

/// Advance in 1 ms steps (up to `limit`) until `cond` holds; the time reached.
fn advance_until(tl: &mut Timeline, limit: Time, cond: impl Fn(&Timeline) -> bool) -> Time {
    let mut t = tl.engine().now();
    while t < limit && !cond(tl) {
        t += MS;
        tl.advance_to(t);
    }
    t
}
