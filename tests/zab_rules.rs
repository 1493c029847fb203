//! Unit tests of Zab rules, feeding messages to one node by hand. Each test
//! cites Junqueira, Reed & Serafini, "Zab: High-performance broadcast for
//! primary-backup systems" (DSN 2011), or ZooKeeper's fast leader election.

mod common;

use common::sends;
use replviz::protocol::{Out, Protocol};
use replviz::protocols::raft::cmd;
use replviz::protocols::zab::{
    Announce, Phase, SyncMode, Txn, Vote, Zab, ZabConfig, ZabDurable, ZabMsg, ZabTimer, Zxid,
};

type O = Out<ZabMsg, ZabTimer>;

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
    n2.on_message(
        1,
        ZabMsg::NewEpoch {
            session,
            seq: 0,
            epoch: 3,
        },
        &mut out,
    );
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
        n.on_message(
            1,
            ZabMsg::NewEpoch {
                session,
                seq: 0,
                epoch: 2,
            },
            &mut out,
        );
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
    n.on_message(
        1,
        ZabMsg::NewEpoch {
            session,
            seq: 0,
            epoch: 2,
        },
        &mut out,
    );
    assert_eq!(
        n.history().iter().map(|t| t.zxid).collect::<Vec<_>>(),
        vec![z(2, 1)]
    );
    assert_eq!(n.phase(), Phase::Broadcast);
}
