//! Built-in classroom scenarios for Multi-Paxos.

use crate::descriptor::BuiltIn;
use crate::protocols::common::cmd;
use crate::script::{isolate, leader, leader_other_than, request, Script, MS};
use crate::sim::Action;

fn leader_crash(tl: &mut dyn Script) {
    tl.advance_to(600 * MS);
    let l = leader(tl).unwrap_or(1);
    request(tl, 600 * MS, l, cmd(0, 1));
    request(tl, 700 * MS, l, cmd(1, 2));
    request(tl, 1_000 * MS, l, cmd(2, 3));
    tl.act(1_004 * MS, Action::Crash { node: l });
    tl.act(3_000 * MS, Action::Restart { node: l });
}

fn dueling(tl: &mut dyn Script) {
    tl.act(50 * MS, Action::Timeout { node: 1 });
    tl.act(50 * MS, Action::Timeout { node: 3 });
    request(tl, 60 * MS, 1, cmd(0, 1));
    tl.act(2_500 * MS, Action::Crash { node: 3 });
    request(tl, 3_000 * MS, 1, cmd(0, 2));
}

fn partition(tl: &mut dyn Script) {
    tl.advance_to(800 * MS);
    let l = leader(tl).unwrap_or(1);
    isolate(tl, l, 800 * MS);
    request(tl, 900 * MS, l, cmd(0, 1));
    request(tl, 1_000 * MS, l, cmd(1, 2));
    tl.advance_to(2_000 * MS);
    if let Some(l2) = leader_other_than(tl, Some(l)) {
        request(tl, 2_000 * MS, l2, cmd(2, 3));
    }
    tl.act(3_000 * MS, Action::HealAll);
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "paxos-leader-crash",
        title: "Paxos: leader crash; phase 1 recovers what was accepted",
        about: crate::about!("A node's leader timeout fires; it runs phase 1 (Prepare/Promise) once and becomes the \
         distinguished leader, after which each client request needs only phase 2 \
         (Accept/Accepted) in the next slot. At 1.0 s the leader sends Accept for a third request \
         (z=3) and crashes 4 ms later, before any Accepted reaches it: it never learns that slot 3 \
         is chosen, but its Accepts are on their way and the acceptors accept z=3. Other nodes time \
         out and run phase 1 with higher ballots (the higher one wins): the promises carry the \
         values accepted per slot, and the new leader must re-propose the highest-ballot one (Paxos \
         Made Simple §2.2), so z=3, chosen though nobody knew it, is never lost. Watch slot 3."),
        nodes: 5,
        seed: 3,
        settings: "",
        script: leader_crash,
        chapters: &[],
    },
    BuiltIn {
        id: "paxos-dueling",
        title: "Paxos: dueling proposers (livelock)",
        about: crate::about!("Here a preempted proposer retries at once with a higher ballot instead of backing off. \
         At 50 ms S1 and S3 are both told to propose. Each one's Prepare makes acceptors promise \
         its ballot, which makes the other's Accepts fail (Nack); the loser immediately prepares a \
         higher ballot, which preempts the winner, and so on: ballots climb and the client's \
         request is never chosen (the livelock of Paxos Made Moderately Complex §3). At 2.5 s S3 \
         crashes; S1 is left alone, becomes the distinguished leader and the next request is \
         chosen. A stable leader with randomized backoff (the default setting) avoids the duel."),
        nodes: 5,
        seed: 5,
        settings: r#"{"retry_at_once":true,"leader_timeout_min":5000000,"leader_timeout_max":6000000}"#,
        script: dueling,
        chapters: &[
            (300, "1", crate::about!("S1 and S3 were both told to propose at 50 ms. Each one's Prepare makes the acceptors promise its ballot, which fails the other's Accepts.")),
            (2_000, "2", crate::about!("The ballots climb and the request is still not chosen: a livelock (PMMC §3). What would stop it?")),
            (2_600, "3", crate::about!("S3 crashed at 2.5 s: S1, left alone, can become the distinguished leader.")),
            (4_500, "4", crate::about!("The next request is chosen. A stable leader with randomized backoff (the default setting) avoids the duel.")),
        ],
    },
    BuiltIn {
        id: "paxos-partition",
        title: "Paxos: a cut-off leader cannot choose; a higher ballot takes over",
        about: crate::about!("At 0.8 s the leader is cut off from everyone. It still sends Accepts for two client \
         requests, but no majority can accept them, so nothing is chosen (dashed boxes). The \
         other side hears no heartbeats; one node runs phase 1 with a higher ballot, gets promises \
         from the majority of four, and becomes leader; a new request is chosen there. At 3 s the \
         network heals: the new leader's heartbeat carries its higher ballot, the old leader \
         learns it was preempted and steps down, and the Accepts it still had in flight are \
         refused with Nacks by acceptors that promised the higher ballot. It then learns the \
         chosen value from the new leader."),
        nodes: 5,
        seed: 21,
        settings: "",
        script: partition,
        chapters: &[],
    },
];
