//! Built-in classroom scenarios for Zab.

use super::{base, isolate, leader, leader_other_than, request, MS};
use crate::protocols::raft::cmd;
use crate::protocols::ProtocolKind;
use crate::scenario::Scenario;
use crate::sim::Action;

const P: ProtocolKind = ProtocolKind::Zab;

/// (id, title) of the Zab scenarios, in menu order.
pub const LIST: &[(&str, &str)] = &[
    ("zab-leader-crash", "Zab: leader crash mid-broadcast"),
    (
        "zab-truncate",
        "Zab: an isolated leader's uncommitted proposals are truncated",
    ),
    (
        "zab-catch-up",
        "Zab: a follower that missed an epoch is synchronised",
    ),
];

/// Build one by id.
pub fn build(id: &str) -> Option<Scenario> {
    Some(match id {
        "zab-leader-crash" => leader_crash(),
        "zab-truncate" => truncate(),
        "zab-catch-up" => catch_up(),
        _ => return None,
    })
}

fn leader_crash() -> Scenario {
    let mut tl = base(
        P,
        7,
        5,
        "zab-leader-crash",
        "Fast leader election picks the node with the highest (epoch, last zxid, id); it runs \
         discovery (FollowerInfo, NewEpoch, AckEpoch) and synchronisation (NewLeader, \
         AckNewLeader, UpToDate), then broadcasts: each request gets the next zxid, is proposed, \
         acknowledged by a quorum and committed. At 1.2 s the leader proposes one more \
         transaction and crashes a few milliseconds later, when only some followers have it. The \
         election prefers a follower whose last zxid includes it; that leader's history becomes \
         the new epoch's initial history, is synchronised to a quorum and committed, so the \
         proposal is delivered everywhere in the same order. Nothing delivered is lost.",
    );
    tl.advance_to(800 * MS);
    let l = leader(&tl).unwrap_or(1);
    request(&mut tl, 800 * MS, l, cmd(0, 1));
    request(&mut tl, 900 * MS, l, cmd(1, 2));
    request(&mut tl, 1_200 * MS, l, cmd(2, 3));
    tl.act(1_207 * MS, Action::Crash { node: l });
    tl.act(3_500 * MS, Action::Restart { node: l });
    tl.scenario().clone()
}

fn truncate() -> Scenario {
    let mut tl = base(
        P,
        21,
        5,
        "zab-truncate",
        "At 0.8 s the leader is cut off from everyone. It appends two proposals to its own \
         history but no quorum acknowledges them, so they stay uncommitted (dashed). Within its \
         syncLimit it notices it has lost its quorum and goes back to looking. The other four \
         elect a new leader in a higher epoch, which commits a new request. At 3 s the network \
         heals: the old leader joins the new one, and because its last zxid is from an epoch whose \
         tail the new leader never had, it gets TRUNC: its uncommitted proposals are cut, then \
         DIFF brings it up to date.",
    );
    tl.advance_to(800 * MS);
    let l = leader(&tl).unwrap_or(1);
    request(&mut tl, 800 * MS, l, cmd(0, 1));
    tl.advance_to(900 * MS);
    isolate(&mut tl, l, 900 * MS);
    request(&mut tl, 950 * MS, l, cmd(1, 2));
    request(&mut tl, 1_000 * MS, l, cmd(2, 3));
    tl.advance_to(2_400 * MS);
    if let Some(l2) = leader_other_than(&tl, Some(l)) {
        request(&mut tl, 2_400 * MS, l2, cmd(0, 4));
    }
    tl.act(3_000 * MS, Action::HealAll);
    tl.scenario().clone()
}

fn catch_up() -> Scenario {
    let mut tl = base(
        P,
        31,
        5,
        "zab-catch-up",
        "At 0.8 s a follower crashes. The leader keeps committing requests with the remaining \
         quorum; at 1.6 s the leader itself crashes, and the other three elect a new leader in a \
         new epoch, which commits more. At 3 s the follower restarts with its old history and an \
         old epoch. It looks for a leader, hears that a quorum follows one, and joins it: \
         discovery, then NewLeader with a DIFF of every transaction it missed, across both \
         epochs, and UpToDate.",
    );
    tl.advance_to(800 * MS);
    let l = leader(&tl).unwrap_or(1);
    let f = if l == 5 { 4 } else { 5 };
    tl.act(800 * MS, Action::Crash { node: f });
    request(&mut tl, 900 * MS, l, cmd(0, 1));
    request(&mut tl, 1_000 * MS, l, cmd(1, 2));
    tl.act(1_600 * MS, Action::Crash { node: l });
    tl.advance_to(2_600 * MS);
    if let Some(l2) = leader_other_than(&tl, Some(l)) {
        request(&mut tl, 2_600 * MS, l2, cmd(2, 3));
        request(&mut tl, 2_700 * MS, l2, cmd(0, 4));
    }
    tl.act(3_000 * MS, Action::Restart { node: f });
    tl.scenario().clone()
}
