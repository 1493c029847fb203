//! Unit tests of two-phase commit rules, feeding messages to one node by
//! hand. Each test cites Bernstein, Hadzilacos & Goodman, "Concurrency
//! Control and Recovery in Database Systems" (BHG), chapter 7, or Gray 1978.

mod common;

use common::sends;
use replviz::protocol::{Effect, Out, Protocol, Reply, Request};
use replviz::protocols::common::cmd;
use replviz::protocols::twopc::{
    Record, TwoPc, TwoPcBug, TwoPcConfig, TwoPcDurable, TwoPcMsg, TwoPcTimer, TxnState,
};

type O = Out<TwoPcMsg, TwoPcTimer, replviz::protocols::twopc::TwoPcObs>;

fn boot_with(id: u32, cfg: &TwoPcConfig, d: Option<TwoPcDurable>, out: &mut O) -> TwoPc {
    let peers: Vec<u32> = (1..=3).filter(|&p| p != id).collect();
    TwoPc::boot(id, &peers, cfg, d, out)
}

fn boot(id: u32) -> TwoPc {
    boot_with(id, &TwoPcConfig::default(), None, &mut O::new(true))
}

/// BHG §7.3: a participant forces its PREPARED record (and takes its lock)
/// before it sends a yes vote.
#[test]
fn participant_logs_prepared_before_voting_yes() {
    let mut p = boot(2);
    let mut out = O::new(true);
    p.on_message(
        1,
        TwoPcMsg::Prepare {
            txn: 1,
            cmd: cmd(0, 1),
        },
        &mut out,
    );
    assert_eq!(
        p.log(),
        &[Record::Prepared {
            txn: 1,
            cmd: cmd(0, 1)
        }]
    );
    assert!(p.locks().contains_key(&cmd(0, 1).key));
    assert_eq!(sends(&out), vec![(1, TwoPcMsg::Vote { txn: 1, yes: true })]);
}

/// BHG §7.3 (no-wait locking): a key held by a prepared transaction makes
/// the participant vote no on another, and so does the user's switch.
#[test]
fn participant_votes_no_on_a_locked_key_or_when_told() {
    let mut p = boot(2);
    let mut out = O::new(true);
    p.on_message(
        1,
        TwoPcMsg::Prepare {
            txn: 1,
            cmd: cmd(0, 1),
        },
        &mut out,
    );
    let mut out = O::new(true);
    p.on_message(
        1,
        TwoPcMsg::Prepare {
            txn: 2,
            cmd: cmd(0, 2),
        },
        &mut out,
    );
    assert_eq!(
        sends(&out),
        vec![(1, TwoPcMsg::Vote { txn: 2, yes: false })]
    );
    p.on_action("toggle", &mut O::new(true));
    let mut out = O::new(true);
    p.on_message(
        1,
        TwoPcMsg::Prepare {
            txn: 3,
            cmd: cmd(1, 3),
        },
        &mut out,
    );
    assert_eq!(
        sends(&out),
        vec![(1, TwoPcMsg::Vote { txn: 3, yes: false })]
    );
}

/// Gray 1978 / BHG §7.2: the coordinator commits only with every vote yes,
/// forces the decision to its log before sending it, and aborts on any no.
#[test]
fn coordinator_decides_commit_only_on_unanimous_yes_and_logs_first() {
    let mut c = boot(1);
    let mut out = O::new(true);
    c.on_request(
        Request {
            id: 7,
            cmd: cmd(0, 1),
            after: 0,
        },
        &mut out,
    );
    assert_eq!(sends(&out).len(), 2);
    let mut out = O::new(true);
    c.on_message(2, TwoPcMsg::Vote { txn: 1, yes: true }, &mut out);
    assert!(sends(&out).is_empty());
    c.on_message(3, TwoPcMsg::Vote { txn: 1, yes: true }, &mut out);
    assert!(c.log().contains(&Record::Decision {
        txn: 1,
        commit: true
    }));
    assert!(sends(&out)
        .iter()
        .all(|(_, m)| *m == TwoPcMsg::Commit { txn: 1 }));
    assert!(out
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::Reply(7, Reply::Ok { index: 1 }))));
    let mut out = O::new(true);
    c.on_request(
        Request {
            id: 8,
            cmd: cmd(0, 2),
            after: 0,
        },
        &mut out,
    );
    c.on_message(3, TwoPcMsg::Vote { txn: 2, yes: false }, &mut out);
    assert!(c.log().contains(&Record::Decision {
        txn: 2,
        commit: false
    }));
    assert!(out
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::Reply(8, Reply::Aborted { index: 2 }))));
}

/// BHG §7.4: a recovering coordinator aborts every transaction it began but
/// never decided (presumed abort), and resends logged decisions. The broken
/// variant never logs the decision, so it presumes abort for a commit.
#[test]
fn recovering_coordinator_presumes_abort_without_a_logged_decision() {
    for (bug, expect_commit) in [(None, true), (Some(TwoPcBug::DecisionNotLogged), false)] {
        let cfg = TwoPcConfig {
            bug,
            ..TwoPcConfig::default()
        };
        let mut c = boot_with(1, &cfg, None, &mut O::new(true));
        let mut out = O::new(true);
        c.on_request(
            Request {
                id: 1,
                cmd: cmd(0, 1),
                after: 0,
            },
            &mut out,
        );
        c.on_message(2, TwoPcMsg::Vote { txn: 1, yes: true }, &mut out);
        c.on_message(3, TwoPcMsg::Vote { txn: 1, yes: true }, &mut out);
        let mut out = O::new(true);
        let mut c2 = boot_with(1, &cfg, Some(c.durable()), &mut out);
        c2.on_timer(TwoPcTimer::Recover, &mut out);
        let sent = sends(&out);
        let want = if expect_commit {
            TwoPcMsg::Commit { txn: 1 }
        } else {
            TwoPcMsg::Abort { txn: 1 }
        };
        assert!(
            sent.iter().all(|(_, m)| *m == want) && !sent.is_empty(),
            "{bug:?}: {sent:?}"
        );
    }
}

/// BHG §7.3: a prepared participant is uncertain: after a crash it re-takes
/// its locks and asks the coordinator; a timeout never makes it decide alone.
#[test]
fn prepared_participant_blocks_and_asks_after_restart() {
    let mut p = boot(2);
    p.on_message(
        1,
        TwoPcMsg::Prepare {
            txn: 4,
            cmd: cmd(2, 9),
        },
        &mut O::new(true),
    );
    let mut out = O::new(true);
    let mut p2 = boot_with(2, &TwoPcConfig::default(), Some(p.durable()), &mut out);
    assert!(p2.locks().contains_key(&cmd(2, 9).key));
    assert_eq!(sends(&out), vec![(1, TwoPcMsg::DecisionReq { txn: 4 })]);
    let mut out = O::new(true);
    p2.on_timer(TwoPcTimer::InDoubt(4), &mut out);
    assert_eq!(p2.txns()[&4].state, TxnState::Prepared);
    assert_eq!(sends(&out), vec![(1, TwoPcMsg::DecisionReq { txn: 4 })]);
    p2.on_message(1, TwoPcMsg::Commit { txn: 4 }, &mut O::new(true));
    assert_eq!(p2.txns()[&4].state, TxnState::Committed);
    assert!(p2.locks().is_empty());
}
