//! Unit tests of Zab rules, feeding messages to one node by hand. Each test
//! cites Junqueira, Reed & Serafini, "Zab: High-performance broadcast for
//! primary-backup systems" (DSN 2011), or ZooKeeper's fast leader election.

mod common;

use common::sends;
use replviz::protocol::{Out, Protocol};
use replviz::protocols::common::cmd;
use replviz::protocols::zab::{
    Announce, Phase, SyncMode, Txn, Vote, Zab, ZabBug, ZabConfig, ZabDurable, ZabMsg, ZabTimer,
    Zxid,
};
use replviz::sim::{Sim, SimConfig, TraceMode};
use std::collections::BTreeMap;

type O = Out<ZabMsg, ZabTimer, replviz::protocols::zab::ZabObs>;

fn z(epoch: u64, counter: u64) -> Zxid {
    Zxid { epoch, counter }
}

fn txn(epoch: u64, counter: u64) -> Txn {
    Txn {
        zxid: z(epoch, counter),
        cmd: cmd(0, (epoch * 10 + counter) as u32),
    }
}

fn boot(id: u32, d: Option<ZabDurable>) -> (Zab, O) {
    let peers: Vec<u32> = (1..=3).filter(|&p| p != id).collect();
    let mut out = O::new(true);
    let n = Zab::boot(id, &peers, &ZabConfig::default(), d, &mut out);
    (n, out)
}

/// Make `n` (of S1..S3) elect S1: S1 and S3 vote for it in round 1, the
/// finalize wait ends, and `n` follows S1. Returns the session and the
/// acceptedEpoch of the FollowerInfo it sent.
fn follow_s1(n: &mut Zab) -> (u64, u64) {
    let v = Vote {
        epoch: 9,
        zxid: z(9, 9),
        leader: 1,
    };
    let mut out = O::at(true, 1_000);
    for from in [1, 3] {
        let state = Announce::Looking;
        n.on_message(
            from,
            ZabMsg::Notification {
                vote: v,
                round: 1,
                state,
            },
            &mut out,
        );
    }
    let mut out = O::at(true, 2_000);
    n.on_timer(ZabTimer::Finalize, &mut out);
    assert_eq!(n.following(), Some(1));
    sends(&out)
        .into_iter()
        .find_map(|(_, m)| match m {
            ZabMsg::FollowerInfo {
                session,
                accepted_epoch,
            } => Some((session, accepted_epoch)),
            _ => None,
        })
        .expect("FollowerInfo sent")
}

/// Fast leader election: a node starts looking and votes for itself with
/// its (currentEpoch, last zxid, id); it adopts a better vote it hears.
#[test]
fn election_votes_for_the_best_epoch_zxid_id() {
    let d = ZabDurable {
        accepted_epoch: 1,
        current_epoch: 1,
        history: vec![txn(1, 1)],
        delivered: 1,
    };
    let (mut n, out) = boot(1, Some(d));
    assert_eq!(n.phase(), Phase::Election);
    assert!(sends(&out)
        .iter()
        .all(|(_, m)| matches!(m, ZabMsg::Notification { vote, .. } if vote.leader == 1)));
    let better = Vote {
        epoch: 1,
        zxid: z(1, 2),
        leader: 3,
    };
    let worse = Vote {
        epoch: 0,
        zxid: z(0, 3),
        leader: 2,
    };
    let mut out = O::new(true);
    n.on_message(
        2,
        ZabMsg::Notification {
            vote: worse,
            round: 1,
            state: Announce::Looking,
        },
        &mut out,
    );
    assert!(sends(&out).is_empty(), "a worse vote changes nothing");
    n.on_message(
        3,
        ZabMsg::Notification {
            vote: better,
            round: 1,
            state: Announce::Looking,
        },
        &mut out,
    );
    assert!(sends(&out)
        .iter()
        .all(|(_, m)| matches!(m, ZabMsg::Notification { vote, .. } if *vote == better)));
    // Two of three agree on S3: after the finalize wait S1 follows S3.
    n.on_timer(ZabTimer::Finalize, &mut O::new(true));
    assert_eq!(n.following(), Some(3));
}

/// Zab §IV-A (discovery): a follower accepts NEWEPOCH only if it is not
/// older than an epoch it already accepted; otherwise it goes back to
/// election. On accepting it answers with its currentEpoch and last zxid.
#[test]
fn follower_rejects_an_older_new_epoch() {
    let d = ZabDurable {
        accepted_epoch: 4,
        current_epoch: 3,
        history: vec![txn(3, 1)],
        delivered: 1,
    };
    let (mut n2, _) = boot(2, Some(d));
    let (session, accepted_epoch) = follow_s1(&mut n2);
    assert_eq!(accepted_epoch, 4);
    let mut out = O::new(true);
    n2.on_message(1, new_epoch(session, 3), &mut out);
    assert_eq!(n2.phase(), Phase::Election, "epoch 3 < acceptedEpoch 4");
    assert_eq!(n2.following(), None);
}

/// Zab §IV-B (synchronization) as ZooKeeper does it: DIFF appends, TRUNC
/// cuts an uncommitted tail, SNAP replaces; the follower then adopts the new
/// epoch as currentEpoch and delivers on UPTODATE.
#[test]
fn sync_modes_bring_the_follower_to_the_leaders_history() {
    for (mode, want) in [
        (
            SyncMode::Diff(vec![txn(2, 1)]),
            vec![z(1, 1), z(1, 2), z(2, 1)],
        ),
        (
            SyncMode::Trunc(z(1, 1), vec![txn(2, 1)]),
            vec![z(1, 1), z(2, 1)],
        ),
        (
            SyncMode::Snap(vec![txn(1, 1), txn(2, 1), txn(2, 2)]),
            vec![z(1, 1), z(2, 1), z(2, 2)],
        ),
    ] {
        let d = ZabDurable {
            accepted_epoch: 1,
            current_epoch: 1,
            history: vec![txn(1, 1), txn(1, 2)],
            delivered: 1,
        };
        let (mut n, _) = boot(2, Some(d));
        let (session, _) = follow_s1(&mut n);
        let mut out = O::new(true);
        n.on_message(1, new_epoch(session, 2), &mut out);
        n.on_message(
            1,
            ZabMsg::NewLeader {
                session,
                seq: 1,
                epoch: 2,
                sync: mode,
            },
            &mut out,
        );
        let got: Vec<Zxid> = n.history().iter().map(|t| t.zxid).collect();
        assert_eq!(got, want);
        assert_eq!(n.current_epoch(), 2);
        assert!(sends(&out)
            .iter()
            .any(|(_, m)| matches!(m, ZabMsg::AckNewLeader { .. })));
        n.on_message(
            1,
            ZabMsg::UpToDate {
                session,
                seq: 2,
                committed: *want.last().unwrap(),
            },
            &mut out,
        );
        assert_eq!(n.delivered(), want.len());
        assert_eq!(n.phase(), Phase::Broadcast);
    }
}

/// Zab assumes FIFO channels: a proposal that arrives before an earlier
/// message of the same session waits for it (here: it is processed only
/// once the gap is filled).
#[test]
fn leader_stream_is_processed_in_order() {
    let d = ZabDurable {
        accepted_epoch: 1,
        current_epoch: 1,
        history: vec![],
        delivered: 0,
    };
    let (mut n, _) = boot(2, Some(d));
    let (session, _) = follow_s1(&mut n);
    let mut out = O::new(true);
    n.on_message(
        1,
        ZabMsg::Propose {
            session,
            seq: 3,
            txn: txn(2, 1),
        },
        &mut out,
    );
    n.on_message(
        1,
        ZabMsg::NewLeader {
            session,
            seq: 1,
            epoch: 2,
            sync: SyncMode::Diff(vec![]),
        },
        &mut out,
    );
    assert!(n.history().is_empty(), "seq 0 (NewEpoch) is still missing");
    n.on_message(
        1,
        ZabMsg::UpToDate {
            session,
            seq: 2,
            committed: Zxid::default(),
        },
        &mut out,
    );
    n.on_message(1, new_epoch(session, 2), &mut out);
    assert_eq!(
        n.history().iter().map(|t| t.zxid).collect::<Vec<_>>(),
        vec![z(2, 1)]
    );
    assert_eq!(n.phase(), Phase::Broadcast);
}

/// Replay a scenario link's actions into a Zab simulation with `bug`, then
/// run to `until`; after every event, record which node leads each epoch.
/// Returns the violations and every epoch that had two different leaders.
fn replay_zab_link(
    link: &str,
    bug: Option<ZabBug>,
    until: u64,
) -> (Vec<String>, Vec<(u64, u32, u32)>) {
    let s = replviz::link::decode(link).expect("the link decodes").s;
    let cfg = ZabConfig {
        bug,
        ..replviz::settings::from_json(&s.protocol_settings()).expect("Zab settings")
    };
    let mut sim: Sim<Zab> = Sim::new(
        SimConfig {
            nodes: s.nodes,
            seed: s.seed,
            net: s.net.clone(),
            proto: cfg,
        },
        TraceMode::HashOnly,
    );
    let mut leader_of: BTreeMap<u64, u32> = BTreeMap::new();
    let mut twice = Vec::new();
    let mut watch = |sim: &Sim<Zab>| {
        for &id in sim.ids() {
            if let Some(e) = sim.node(id).and_then(|n| n.leads()) {
                let first = *leader_of.entry(e).or_insert(id);
                if first != id && !twice.iter().any(|&(te, _, _)| te == e) {
                    twice.push((e, first, id));
                }
            }
        }
    };
    for ta in &s.actions {
        while sim.steps() < ta.step && sim.step() {
            watch(&sim);
        }
        sim.warp_to(ta.t);
        sim.apply(&ta.action);
        watch(&sim);
    }
    while sim.next_event_time().is_some_and(|t| t <= until) {
        sim.step();
        watch(&sim);
    }
    let v = sim
        .violations()
        .iter()
        .map(|v| format!("{} at {} µs: {}", v.invariant, v.time, v.detail))
        .collect();
    (v, twice)
}

/// The review's reproduction (3 nodes, seed 1, user actions only): S1 acks
/// NEWEPOCH(1) to S3, then to S2, then to S3 again. Zab §IV-A acknowledges
/// only an epoch above acceptedEpoch, and ZooKeeper's `registerWithLeader`
/// answers an equal one with -1, which `Leader.waitForEpochAck` does not
/// count: so neither S2 nor S3 can complete discovery of epoch 1 twice.
/// With the repeated ack counted (the old engine, kept as a broken
/// variant), two leaders establish epoch 1 and the checks fire.
#[test]
fn one_follower_cannot_help_two_leaders_establish_one_epoch() {
    let link = include_str!("fixtures/zab-two-leaders.txt").trim();
    let (v, twice) = replay_zab_link(link, None, 3_000_000);
    assert!(v.is_empty(), "violations: {v:#?}");
    assert!(twice.is_empty(), "two leaders of one epoch: {twice:?}");
    let (v, twice) = replay_zab_link(link, Some(ZabBug::CountRepeatedEpochAck), 3_000_000);
    assert!(
        !twice.is_empty(),
        "the broken variant should elect two leaders in one epoch"
    );
    assert!(!v.is_empty(), "the checks should flag the broken variant");
}

/// S2 and S3 vote `vote` in round 1 of S1's election, both still looking.
fn votes_for(n: &mut Zab, vote: Vote, out: &mut O) {
    for from in [2, 3] {
        n.on_message(
            from,
            ZabMsg::Notification {
                vote,
                round: 1,
                state: Announce::Looking,
            },
            out,
        );
    }
}

/// Make S1 (of S1..S3, booted from `d`) lead: S2 and S3 vote for it in
/// round 1 and the finalize wait ends.
fn lead_s1(d: ZabDurable) -> Zab {
    let vote = Vote {
        epoch: d.current_epoch,
        zxid: d.history.last().map(|t| t.zxid).unwrap_or_default(),
        leader: 1,
    };
    let (mut n, _) = boot(1, Some(d));
    votes_for(&mut n, vote, &mut O::at(true, 1_000));
    n.on_timer(ZabTimer::Finalize, &mut O::at(true, 2_000));
    assert!(n.is_leading());
    n
}

/// The leader's first message of a session: NEWEPOCH(epoch), stream seq 0.
fn new_epoch(session: u64, epoch: u64) -> ZabMsg {
    ZabMsg::NewEpoch {
        session,
        seq: 0,
        epoch,
    }
}

fn follower_info(accepted_epoch: u64, session: u64) -> ZabMsg {
    ZabMsg::FollowerInfo {
        accepted_epoch,
        session,
    }
}

/// Zab §IV-A: a follower acknowledges NEWEPOCH(e) only if e >
/// acceptedEpoch. ZooKeeper (`Learner.registerWithLeader`) answers e =
/// acceptedEpoch with currentEpoch -1: "we have already acked an epoch equal
/// to the leaders, we cannot ack again in ZAB".
#[test]
fn follower_answers_an_already_accepted_epoch_with_minus_one() {
    let d = ZabDurable {
        accepted_epoch: 2,
        current_epoch: 1,
        history: vec![txn(1, 1)],
        delivered: 1,
    };
    let (mut n2, _) = boot(2, Some(d));
    let (session, _) = follow_s1(&mut n2);
    let mut out = O::new(true);
    n2.on_message(1, new_epoch(session, 2), &mut out);
    let acks: Vec<Option<u64>> = sends(&out)
        .into_iter()
        .filter_map(|(_, m)| match m {
            ZabMsg::AckEpoch { current_epoch, .. } => Some(current_epoch),
            _ => None,
        })
        .collect();
    assert_eq!(acks, vec![None], "an equal epoch is acked with -1");
    assert_eq!(n2.accepted_epoch(), 2);
}

/// ZooKeeper's `Leader.waitForEpochAck` counts only acks whose epoch is not
/// -1 towards the discovery quorum; the -1 follower is still synchronised
/// once the quorum is there (`LearnerHandler.run`).
#[test]
fn leader_does_not_count_minus_one_acks_towards_discovery() {
    let mut n1 = lead_s1(ZabDurable::default());
    let mut out = O::at(true, 3_000);
    n1.on_message(2, follower_info(0, 20), &mut out);
    n1.on_message(3, follower_info(0, 30), &mut out);
    assert_eq!(n1.accepted_epoch(), 1, "S1 proposes epoch 1");
    let ack = |session, current_epoch| ZabMsg::AckEpoch {
        session,
        epoch: 1,
        current_epoch,
        last: Zxid::default(),
    };
    let mut out = O::at(true, 4_000);
    n1.on_message(2, ack(20, None), &mut out);
    assert_eq!(n1.phase(), Phase::Discovery, "a -1 ack does not count");
    assert!(!sends(&out)
        .iter()
        .any(|(_, m)| matches!(m, ZabMsg::NewLeader { .. })));
    n1.on_message(3, ack(30, Some(0)), &mut out);
    assert_eq!(n1.phase(), Phase::Sync, "S1 and S3 are a quorum");
    let synced: Vec<u32> = sends(&out)
        .into_iter()
        .filter(|(_, m)| matches!(m, ZabMsg::NewLeader { .. }))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(synced, vec![2, 3], "both followers are synchronised");
}

/// Zab §IV-B: a follower accepts NEWLEADER(e') only if acceptedEpoch = e';
/// otherwise it goes back to election.
#[test]
fn follower_rejects_new_leader_of_another_epoch() {
    let (mut n2, _) = boot(2, None);
    let (session, _) = follow_s1(&mut n2);
    let mut out = O::new(true);
    n2.on_message(1, new_epoch(session, 2), &mut out);
    n2.on_message(
        1,
        ZabMsg::NewLeader {
            session,
            seq: 1,
            epoch: 3,
            sync: SyncMode::Diff(vec![txn(3, 1)]),
        },
        &mut out,
    );
    assert_eq!(n2.phase(), Phase::Election);
    assert_eq!(n2.current_epoch(), 0, "nothing of epoch 3 was accepted");
    assert!(n2.history().is_empty());
}

/// A follower that decides before its leader has finished the election
/// connects at once; ZooKeeper's leader accepts the connection once it
/// leads. So a FollowerInfo that arrives during the leader's finalize wait is
/// served when it starts leading, not lost (which cost a whole timeout).
#[test]
fn follower_info_during_the_leaders_finalize_wait_is_served() {
    let (mut n1, _) = boot(1, None);
    let vote = Vote {
        epoch: 0,
        zxid: Zxid::default(),
        leader: 1,
    };
    let mut out = O::at(true, 1_000);
    votes_for(&mut n1, vote, &mut out);
    n1.on_message(2, follower_info(0, 20), &mut out);
    assert!(!n1.is_leading(), "still in its finalize wait");
    let mut out = O::at(true, 2_000);
    n1.on_timer(ZabTimer::Finalize, &mut out);
    assert!(n1.is_leading());
    assert!(sends(&out)
        .iter()
        .any(|(to, m)| *to == 2 && matches!(m, ZabMsg::NewEpoch { epoch: 1, .. })));
}

/// ZooKeeper's `LearnerHandler.syncFollower` truncates across epochs: a
/// follower whose last zxid (here 2:1, from an epoch that never
/// established) is not in the leader's history is cut back to the last zxid
/// they share below it and then diffed, not sent a whole snapshot.
#[test]
fn leader_truncates_across_epochs() {
    let mut n1 = lead_s1(ZabDurable {
        accepted_epoch: 3,
        current_epoch: 3,
        history: vec![txn(1, 1), txn(1, 2), txn(3, 1)],
        delivered: 3,
    });
    let mut out = O::at(true, 3_000);
    n1.on_message(2, follower_info(2, 20), &mut out);
    assert_eq!(n1.accepted_epoch(), 4);
    n1.on_message(
        2,
        ZabMsg::AckEpoch {
            session: 20,
            epoch: 4,
            current_epoch: Some(2),
            last: z(2, 1),
        },
        &mut out,
    );
    let sync = sends(&out).into_iter().find_map(|(_, m)| match m {
        ZabMsg::NewLeader { sync, .. } => Some(sync),
        _ => None,
    });
    assert_eq!(sync, Some(SyncMode::Trunc(z(1, 2), vec![txn(3, 1)])));
}
