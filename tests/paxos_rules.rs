//! Unit tests of Multi-Paxos rules, feeding messages to one node by hand.
//! Each test cites Lamport's "Paxos Made Simple" (PMS) or van Renesse &
//! Altinbuken's "Paxos Made Moderately Complex" (PMMC).

mod common;

use common::sends;
use replviz::protocol::{Out, Protocol, Request};
use replviz::protocols::common::cmd;
use replviz::protocols::paxos::{
    Ballot, Paxos, PaxosBug, PaxosConfig, PaxosDurable, PaxosMsg, PaxosTimer, Phase,
};

type O = Out<PaxosMsg, PaxosTimer, replviz::protocols::paxos::PaxosObs>;

fn boot_with(id: u32, cfg: &PaxosConfig, d: Option<PaxosDurable>) -> Paxos {
    let peers: Vec<u32> = (1..=3).filter(|&p| p != id).collect();
    Paxos::boot(id, &peers, cfg, d, &mut O::new(true))
}

fn boot(id: u32) -> Paxos {
    boot_with(id, &PaxosConfig::default(), None)
}

/// S1 (of three) times out, runs phase 1, and S2's empty promise makes it
/// the leader (with its own acceptor, a majority). Returns it and its ballot.
fn leading_s1() -> (Paxos, Ballot) {
    let mut p = boot(1);
    let mut out = O::new(true);
    p.on_timer(PaxosTimer::LeaderTimeout, &mut out);
    let ballot = p.ballot();
    p.on_message(
        2,
        PaxosMsg::Promise {
            ballot,
            accepted: vec![],
        },
        &mut out,
    );
    (p, ballot)
}

fn b(round: u64, node: u32) -> Ballot {
    Ballot { round, node }
}

/// PMS §2.2 (P1a): an acceptor that promised ballot n ignores (here: Nacks)
/// any prepare or accept with a lower ballot.
#[test]
fn acceptor_rejects_ballots_below_its_promise() {
    let mut a = boot(2);
    let mut out = O::new(true);
    a.on_message(
        1,
        PaxosMsg::Prepare {
            ballot: b(5, 1),
            from_slot: 1,
        },
        &mut out,
    );
    assert!(matches!(sends(&out)[0], (1, PaxosMsg::Promise { ballot, .. }) if ballot == b(5, 1)));
    let mut out = O::new(true);
    a.on_message(
        3,
        PaxosMsg::Prepare {
            ballot: b(4, 3),
            from_slot: 1,
        },
        &mut out,
    );
    a.on_message(
        3,
        PaxosMsg::Accept {
            ballot: b(4, 3),
            slot: 1,
            value: Some(cmd(0, 9)),
        },
        &mut out,
    );
    let s = sends(&out);
    assert!(
        s.iter()
            .all(|(_, m)| matches!(m, PaxosMsg::Nack { promised, .. } if *promised == b(5, 1))),
        "{s:?}"
    );
    assert!(a.accepted().is_empty());
}

/// PMS §2.2: a promise reports the accepted proposal with the highest number.
#[test]
fn promise_carries_what_was_accepted() {
    let mut a = boot(2);
    let mut out = O::new(true);
    a.on_message(
        1,
        PaxosMsg::Accept {
            ballot: b(1, 1),
            slot: 3,
            value: Some(cmd(0, 7)),
        },
        &mut out,
    );
    let mut out = O::new(true);
    a.on_message(
        3,
        PaxosMsg::Prepare {
            ballot: b(2, 3),
            from_slot: 1,
        },
        &mut out,
    );
    match &sends(&out)[0] {
        (3, PaxosMsg::Promise { accepted, .. }) => {
            assert_eq!(accepted, &vec![(3, b(1, 1), Some(cmd(0, 7)))])
        }
        other => panic!("{other:?}"),
    }
}

/// PMS §2.2 and §3 (PMMC "pmax"): with promises from a majority the leader
/// proposes, per slot, the value of the highest ballot reported, and fills
/// gaps with no-ops.
#[test]
fn new_leader_reproposes_highest_ballot_values_and_fills_gaps() {
    let mut p = boot(1);
    let mut out = O::new(true);
    p.on_action("timeout", &mut out);
    let ballot = p.ballot();
    assert_eq!(p.phase(), &Phase::Preparing);
    let mut out = O::new(true);
    p.on_message(
        2,
        PaxosMsg::Promise {
            ballot,
            accepted: vec![(1, b(0, 2), Some(cmd(0, 1))), (3, b(0, 3), Some(cmd(2, 3)))],
        },
        &mut out,
    );
    assert_eq!(p.phase(), &Phase::Leading);
    let accepts: Vec<(u64, Option<_>)> = sends(&out)
        .into_iter()
        .filter_map(|(to, m)| match m {
            PaxosMsg::Accept { slot, value, .. } if to == 2 => Some((slot, value)),
            _ => None,
        })
        .collect();
    assert_eq!(
        accepts,
        vec![(1, Some(cmd(0, 1))), (2, None), (3, Some(cmd(2, 3)))]
    );
}

/// PMS §3: once leader, new commands skip phase 1 (only phase 2 is sent);
/// a value is learned once a majority accepted it.
#[test]
fn leader_skips_phase_one_and_learns_on_majority() {
    let (mut p, ballot) = leading_s1();
    let mut out = O::new(true);
    p.on_request(
        Request {
            id: 1,
            cmd: cmd(0, 5),
            after: 0,
        },
        &mut out,
    );
    let s = sends(&out);
    assert!(
        s.iter()
            .all(|(_, m)| matches!(m, PaxosMsg::Accept { slot: 1, .. })),
        "{s:?}"
    );
    assert!(p.chosen().is_empty());
    p.on_message(3, PaxosMsg::Accepted { ballot, slot: 1 }, &mut out);
    assert_eq!(p.chosen().get(&1), Some(&Some(cmd(0, 5))));
    assert_eq!(p.applied(), 1);
}

/// PMMC §3 ("preempted"): a Nack with a higher ballot makes the leader step
/// down.
#[test]
fn nack_preempts_the_leader() {
    let mut p = boot(1);
    let mut out = O::new(true);
    p.on_action("timeout", &mut out);
    let ballot = p.ballot();
    p.on_message(
        2,
        PaxosMsg::Promise {
            ballot,
            accepted: vec![],
        },
        &mut out,
    );
    assert_eq!(p.phase(), &Phase::Leading);
    p.on_message(
        3,
        PaxosMsg::Nack {
            ballot,
            promised: b(9, 3),
        },
        &mut out,
    );
    assert_eq!(p.phase(), &Phase::Idle);
}

/// PMS §2.3: an acceptor remembers its promise across a crash (the broken
/// variant does not, which the sweep must catch).
#[test]
fn promise_survives_restart_unless_broken() {
    for (bug, kept) in [
        (None, true),
        (Some(PaxosBug::ForgetPromiseOnRestart), false),
    ] {
        let cfg = PaxosConfig {
            bug,
            ..PaxosConfig::default()
        };
        let mut a = boot_with(2, &cfg, None);
        a.on_message(
            1,
            PaxosMsg::Prepare {
                ballot: b(5, 1),
                from_slot: 1,
            },
            &mut O::new(true),
        );
        let a2 = boot_with(2, &cfg, Some(a.durable()));
        assert_eq!(a2.promised() == b(5, 1), kept, "{bug:?}");
    }
}

/// PMMC §2 (the replica's `propose`/`perform`): a command whose slot is
/// decided for another command is proposed again in a later slot rather
/// than answered "unknown".
#[test]
fn command_that_loses_its_slot_is_proposed_again() {
    let (mut p, ballot) = leading_s1();
    p.on_request(
        Request {
            id: 7,
            cmd: cmd(0, 5),
            after: 0,
        },
        &mut O::new(true),
    );
    // Slot 1 is decided for another proposer's command.
    let mut out = O::new(true);
    p.on_message(
        3,
        PaxosMsg::Decide {
            slot: 1,
            value: Some(cmd(1, 9)),
        },
        &mut out,
    );
    assert_eq!(p.applied(), 1);
    let replies: Vec<_> = out
        .effects()
        .iter()
        .filter(|e| matches!(e, replviz::protocol::Effect::Reply(..)))
        .collect();
    assert!(replies.is_empty(), "no answer yet: {replies:?}");
    let s = sends(&out);
    assert!(
        s.iter().any(|(_, m)| matches!(m, PaxosMsg::Accept { slot: 2, value, .. } if *value == Some(cmd(0, 5)))),
        "re-proposed in slot 2: {s:?}"
    );
    // Chosen there, the client is told so, at slot 2.
    let mut out = O::new(true);
    p.on_message(3, PaxosMsg::Accepted { ballot, slot: 2 }, &mut out);
    assert!(out.effects().iter().any(|e| matches!(
        e,
        replviz::protocol::Effect::Reply(7, replviz::protocol::Reply::Ok { index: 2 })
    )));
}
