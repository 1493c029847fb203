//! Shared test helpers: built-in scenario runs, node views, the messages a
//! hand-driven engine sent, and (in [`generic`]) the one chaos harness every
//! protocol's sweep runs through.

#![allow(dead_code)]

pub mod generic;
pub mod toy;

use replviz::sim::{NodeId, Time};

pub const SEC: Time = 1_000_000;

/// Run built-in scenario `id` to `until` µs; it must raise no violation.
pub fn run_preset(id: &str, until: Time) -> replviz::timeline::Timeline {
    let s = replviz::scenarios::build(id).expect(id);
    let mut tl = replviz::timeline::Timeline::new(s);
    tl.advance_to(until);
    assert!(
        tl.engine().violations().is_empty(),
        "{id}: {:?}",
        tl.engine().violations()
    );
    tl
}

/// Every node's view at the timeline's cursor.
pub fn views(tl: &replviz::timeline::Timeline) -> Vec<replviz::protocol::NodeView> {
    let e = tl.engine();
    e.ids().into_iter().filter_map(|i| e.view(i)).collect()
}

/// (id, term) of every up node whose view says it leads.
pub fn leaders(tl: &replviz::timeline::Timeline) -> Vec<(NodeId, u64)> {
    views(tl)
        .into_iter()
        .filter(|v| v.up && v.leading)
        .map(|v| (v.id, v.term))
        .collect()
}

/// The messages an engine handler sent, as (to, message): for rule tests
/// that drive one node by hand.
pub fn sends<M: Clone, T, O>(out: &replviz::protocol::Out<M, T, O>) -> Vec<(NodeId, M)> {
    out.effects()
        .iter()
        .filter_map(|e| match e {
            replviz::protocol::Effect::Send(to, m) => Some((*to, m.clone())),
            _ => None,
        })
        .collect()
}
pub const MS: Time = 1_000;

/// A fresh run of `s` in `mode` with every recorded action applied after
/// exactly the number of events recorded with it (as the timeline replays,
/// but in any trace mode); the caller runs it further.
pub fn replay(
    s: &replviz::scenario::Scenario,
    mode: replviz::sim::TraceMode,
) -> Box<dyn replviz::anysim::AnySim> {
    let mut e = s.boot(mode);
    for ta in &s.actions {
        while e.steps() < ta.step && e.step() {}
        e.warp_to(ta.t);
        e.apply(&ta.action);
    }
    e
}

/// Every client reply of a timeline: (ms, node, request, reply).
pub fn replies(
    tl: &replviz::timeline::Timeline,
) -> Vec<(u64, NodeId, u64, replviz::protocol::Reply)> {
    use replviz::sim::trace::TraceKind;
    tl.trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Reply { node, req, reply } => {
                Some((e.time / 1_000, *node, *req, reply.clone()))
            }
            _ => None,
        })
        .collect()
}

/// When (ms) an event-log note containing `what` was first written.
pub fn note_at(tl: &replviz::timeline::Timeline, what: &str) -> Option<u64> {
    notes_at(tl, what).first().copied()
}

/// When (ms) each event-log note containing `what` was written.
pub fn notes_at(tl: &replviz::timeline::Timeline, what: &str) -> Vec<u64> {
    use replviz::sim::trace::TraceKind;
    tl.trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { text, .. } if text.contains(what) => Some(e.time / 1_000),
            _ => None,
        })
        .collect()
}

/// Node `id`'s view at the timeline's cursor.
pub fn view_of(tl: &replviz::timeline::Timeline, id: NodeId) -> replviz::protocol::NodeView {
    views(tl).into_iter().find(|v| v.id == id).expect("node")
}

/// The run's client history is not linearizable, and its configuration
/// does not claim it: the anomaly is the lesson (amber), not a violation.
pub fn is_lesson(tl: &replviz::timeline::Timeline) {
    use replviz::history::linear::{check, Verdict};
    assert!(
        matches!(check(tl.engine().history()), Verdict::NotLinearizable(_)),
        "the anomaly went unseen"
    );
    let p = tl.scenario().protocol;
    assert!(!(p.linearizable)(&tl.scenario().protocol_settings()));
}

/// The answer to request `req`: (ms, node, reply); panics if there is none.
pub fn reply_of(
    tl: &replviz::timeline::Timeline,
    req: u64,
) -> (u64, NodeId, replviz::protocol::Reply) {
    let r = replies(tl);
    let x = r
        .iter()
        .find(|(_, _, q, _)| *q == req)
        .unwrap_or_else(|| panic!("no reply to #{req}: {r:?}"));
    (x.0, x.1, x.3.clone())
}

/// When request `req` was told Ok (ms); panics on any other answer.
pub fn ok_at(tl: &replviz::timeline::Timeline, req: u64) -> u64 {
    let (t, _, r) = reply_of(tl, req);
    assert!(
        matches!(r, replviz::protocol::Reply::Ok { .. }),
        "#{req}: {r:?}"
    );
    t
}

/// Read request `req`'s answer: (ms, node, value); panics if not a read.
pub fn read_of(tl: &replviz::timeline::Timeline, req: u64) -> (u64, NodeId, Option<u32>) {
    match reply_of(tl, req) {
        (t, n, replviz::protocol::Reply::Read { value, .. }) => (t, n, value),
        other => panic!("#{req}: {other:?}"),
    }
}
