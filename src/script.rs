//! What a built-in scenario's script drives: a run it can advance, act on
//! and look at ([`Script`]), and the helpers scripts share ("whoever leads
//! now", "isolate this node", "run until"). The timeline implements
//! [`Script`]; protocol folders write their scenarios against it, so that
//! they never import the scenario layer that imports the registry that
//! imports them.

use crate::anysim::AnySim;
use crate::protocol::Command;
use crate::sim::{Action, NodeId, Time};

/// One millisecond of virtual time.
pub const MS: Time = 1_000;

/// A run being recorded into a scenario.
pub trait Script {
    /// Run up to `t`.
    fn advance_to(&mut self, t: Time);
    /// Apply (and record) a user action at `t`.
    fn act(&mut self, t: Time, action: Action);
    /// The run as it stands.
    fn sim(&self) -> &dyn AnySim;
}

/// The node that leads now, if any.
pub fn leader(s: &dyn Script) -> Option<NodeId> {
    s.sim().leader()
}

/// The up node whose view says it leads (highest term), leaving out `not`.
pub fn leader_other_than(s: &dyn Script, not: Option<NodeId>) -> Option<NodeId> {
    let e = s.sim();
    e.ids()
        .into_iter()
        .filter(|&id| Some(id) != not)
        .filter_map(|id| e.view(id))
        .filter(|v| v.up && v.leading)
        .max_by_key(|v| v.term)
        .map(|v| v.id)
}

/// A client request for `cmd` at `node` at time `t`.
pub fn request(s: &mut dyn Script, t: Time, node: NodeId, cmd: Command) {
    s.act(t, Action::Request { node, cmd });
}

/// Cut `node` off from every other node at time `t`.
pub fn isolate(s: &mut dyn Script, node: NodeId, t: Time) {
    for o in s.sim().ids() {
        if o != node {
            s.act(t, Action::CutBoth { a: node, b: o });
        }
    }
}

/// Advance in 1 ms steps (up to `limit`) until `cond` holds; the time reached.
pub fn advance_until(s: &mut dyn Script, limit: Time, cond: impl Fn(&dyn Script) -> bool) -> Time {
    let mut t = s.sim().now();
    while t < limit && !cond(s) {
        t += MS;
        s.advance_to(t);
    }
    t
}
