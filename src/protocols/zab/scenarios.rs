//! Built-in classroom scenarios for Zab.

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{isolate, leader, leader_other_than, request, Script, MS};
use crate::sim::Action;

fn leader_crash(tl: &mut dyn Script) {
    tl.advance_to(800 * MS);
    let l = leader(tl).unwrap_or(1);
    request(tl, 800 * MS, l, cmd(0, 1));
    request(tl, 900 * MS, l, cmd(1, 2));
    request(tl, 1_200 * MS, l, cmd(2, 3));
    tl.act(1_207 * MS, Action::Crash { node: l });
    tl.act(3_500 * MS, Action::Restart { node: l });
}

fn truncate(tl: &mut dyn Script) {
    tl.advance_to(800 * MS);
    let l = leader(tl).unwrap_or(1);
    request(tl, 800 * MS, l, cmd(0, 1));
    tl.advance_to(900 * MS);
    isolate(tl, l, 900 * MS);
    request(tl, 950 * MS, l, cmd(1, 2));
    request(tl, 1_000 * MS, l, cmd(2, 3));
    tl.advance_to(2_400 * MS);
    if let Some(l2) = leader_other_than(tl, Some(l)) {
        request(tl, 2_400 * MS, l2, cmd(0, 4));
    }
    tl.act(3_000 * MS, Action::HealAll);
}

fn catch_up(tl: &mut dyn Script) {
    tl.advance_to(800 * MS);
    let l = leader(tl).unwrap_or(1);
    let f = if l == 5 { 4 } else { 5 };
    tl.act(800 * MS, Action::Crash { node: f });
    request(tl, 900 * MS, l, cmd(0, 1));
    request(tl, 1_000 * MS, l, cmd(1, 2));
    tl.act(1_600 * MS, Action::Crash { node: l });
    tl.advance_to(2_600 * MS);
    if let Some(l2) = leader_other_than(tl, Some(l)) {
        request(tl, 2_600 * MS, l2, cmd(2, 3));
        request(tl, 2_700 * MS, l2, cmd(0, 4));
    }
    tl.act(3_000 * MS, Action::Restart { node: f });
}

/// The built-in scenarios, in menu order.
/// ZooKeeper's local reads: a follower cut off from the quorum answers a
/// read from its own, older state.
fn stale_read(tl: &mut dyn Script) {
    tl.advance_to(1_500 * MS);
    let l = leader(tl).unwrap_or(1);
    let f = if l == 1 { 2 } else { 1 };
    request(tl, 1_500 * MS, l, cmd(0, 1));
    isolate(tl, f, 1_800 * MS);
    request(tl, 1_900 * MS, l, cmd(0, 2));
    request(tl, 2_000 * MS, f, Command::read(Key(0), 3));
    request(tl, 2_050 * MS, l, Command::read(Key(0), 4));
    request(tl, 2_300 * MS, f, Command::read(Key(0), 5));
    tl.act(3_000 * MS, Action::HealAll);
}

pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "zab-leader-crash",
        title: "Zab: leader crash mid-broadcast",
        about:
            crate::about!("Fast leader election picks the node with the highest (epoch, last zxid, id); it runs \
         discovery (FollowerInfo, NewEpoch, AckEpoch) and synchronisation (NewLeader, \
         AckNewLeader, UpToDate), then broadcasts: each request gets the next zxid, is proposed, \
         acknowledged by a quorum and committed. At 1.2 s the leader proposes one more \
         transaction (z=3) and crashes 7 ms later, before any acknowledgement reaches it: it never \
         commits z=3, but its proposals are already on their way to the followers. The election \
         prefers the highest last zxid, which includes z=3 (ties go to the highest id); that \
         leader's history becomes the new epoch's initial history, is synchronised to a quorum and \
         committed, so z=3 is delivered everywhere in the same order. Nothing delivered is lost."),
        nodes: 5,
        seed: 7,
        settings: "",
        script: leader_crash,
        chapters: &[],
    },
    BuiltIn {
        id: "zab-truncate",
        title: "Zab: an isolated leader's uncommitted proposals are truncated",
        about: crate::about!("At 0.9 s the leader is cut off from everyone. It appends two proposals to its own \
         history but no quorum acknowledges them, so they stay uncommitted (dashed). Within its \
         syncLimit it notices it has lost its quorum and goes back to looking. The other four \
         elect a new leader in a higher epoch, which commits a new request. At 3 s the network \
         heals: the old leader joins the new one, and because its last zxid is from an epoch whose \
         tail the new leader never had, it gets TRUNC: its uncommitted proposals are cut, then \
         DIFF brings it up to date."),
        nodes: 5,
        seed: 21,
        settings: "",
        script: truncate,
        chapters: &[
            (1_100, "1", crate::about!("The leader is cut off from everyone. It appends two proposals, but no quorum acknowledges them: they stay uncommitted (dashed).")),
            (2_600, "2", crate::about!("It lost its quorum and went back to looking; the other four elected a new leader in a higher epoch, which commits a new request.")),
            (3_600, "3", crate::about!("The network healed at 3 s. The old leader's last zxid is from an epoch whose tail the new leader never had: TRUNC cuts its uncommitted proposals, then DIFF brings it up to date.")),
        ],
    },
    BuiltIn {
        id: "zab-catch-up",
        title: "Zab: a follower that missed an epoch is synchronised",
        about:
            crate::about!("At 0.8 s a follower crashes. The leader keeps committing requests with the remaining \
         quorum; at 1.6 s the leader itself crashes, and the other three elect a new leader in a \
         new epoch, which commits more. At 3 s the follower restarts with its old history and an \
         old epoch. It looks for a leader, hears that a quorum follows one, and joins it: \
         discovery, then NewLeader with a DIFF of every transaction it missed, across both \
         epochs, and UpToDate."),
        nodes: 5,
        seed: 31,
        settings: "",
        script: catch_up,
        chapters: &[],
    },
    BuiltIn {
        id: "zab-stale-read",
        title: "Zab: ZooKeeper's local reads can be stale",
        about: crate::about!("ZooKeeper serves a read from the server the client reaches, from the transactions \
                that server has delivered (the setting \"Reads served locally, as ZooKeeper does\" is \
                on); it promises sequential consistency, not linearizability. S5 leads epoch 1 and \
                commits x=1 (1.53 s). At 1.8 s S1 is cut off from everyone, but it has not noticed yet. \
                S5 commits x=2 with the others and acknowledges it at 1.94 s. At 2.0 s a client reads x \
                at S1: it answers 1, a stale read, since x=2 was acknowledged before the read began. The \
                same read at S5 at 2.05 s answers 2. At 2.11 s S1 has heard nothing from its leader for \
                too long and goes back to LOOKING; a server without a leader serves no client, so a read \
                at S1 at 2.3 s is refused. The history is not linearizable, which this setting allows \
                (amber). At 3 s the network heals and S1 follows again."),
        nodes: 5,
        seed: 7,
        settings: r#"{"local_reads":true}"#,
        script: stale_read,
        chapters: &[],
    },
];
