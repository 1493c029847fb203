//! Raft's reads without a log entry (§8; Ongaro's thesis §6.4): ReadIndex
//! confirms leadership with a heartbeat round, a lease trusts the leader's
//! clock. Issue 13's lesson: a lease read goes stale when clocks disagree
//! (here the old leader's clock is stepped back a second and runs slow while
//! the others' run fast, so they elect a new leader and commit inside what
//! it believes is its lease); ReadIndex never does, and neither does a lease
//! while clocks agree.

use replviz::anysim::{AnySim, Setup};
use replviz::history::{Outcome, Val, F};
use replviz::protocol::{Command, Key};
use replviz::protocols::ProtocolKind;
use replviz::sim::{Action, TraceMode};

const MS: u64 = 1_000;

/// What the old leader answers to a read of x after it was cut off and the
/// rest of the cluster acknowledged x=2: `Some(value)` or `None` (no
/// answer, or a refusal). `None` when the seed gives no leader to test.
fn read_at_old_leader(settings: serde_json::Value, seed: u64, skew: bool) -> Option<Option<Val>> {
    let raft = ProtocolKind::parse("raft").expect("raft");
    let setup = Setup {
        nodes: 5,
        seed,
        settings,
        ..Setup::default()
    };
    let mut sim = (raft.boot)(&setup, TraceMode::HashOnly);
    sim.advance_to(1_000 * MS);
    let old = sim.leader()?;
    sim.apply(&Action::Request {
        node: old,
        cmd: Command::write(Key(0), 1),
    });
    sim.advance_to(1_500 * MS);
    if skew {
        // Its clock is stepped back a second (as NTP may do) and runs slow.
        sim.apply(&Action::Clock {
            node: old,
            offset: -1_000 * MS as i64,
            rate: 50,
        });
    }
    for f in (1..=5).filter(|&f| f != old) {
        if skew {
            sim.apply(&Action::Clock {
                node: f,
                offset: 0,
                rate: 200,
            });
        }
        sim.apply(&Action::CutBoth { a: old, b: f });
    }
    // The others elect a leader and acknowledge x=2.
    let new = loop {
        sim.advance_to(sim.now() + 5 * MS);
        if let Some(n) = sim.leader().filter(|&n| n != old) {
            // The old leader still believes it leads; ask the others.
            let term = |id| sim.view(id).map(|v| v.term).unwrap_or(0);
            if term(n) > term(old) {
                break n;
            }
        }
        if sim.now() > 4_000 * MS {
            return None;
        }
    };
    sim.apply(&Action::Request {
        node: new,
        cmd: Command::write(Key(0), 2),
    });
    let acked = |sim: &dyn AnySim| {
        sim.history()
            .iter()
            .any(|o| o.f == F::Write && o.arg == Val::Int(2) && o.outcome == Outcome::Ok)
    };
    while !acked(&*sim) {
        sim.advance_to(sim.now() + MS);
        if sim.now() > 5_000 * MS {
            return None;
        }
    }
    sim.apply(&Action::Request {
        node: old,
        cmd: Command::read(Key(0), 3),
    });
    sim.advance_to(sim.now() + 500 * MS);
    assert!(
        sim.violations().is_empty(),
        "seed {seed}: {:?}",
        sim.violations()
    );
    let read = sim.history().iter().rev().find(|o| o.f == F::Read)?.clone();
    Some((read.outcome == Outcome::Ok).then_some(read.out))
}

#[test]
fn a_lease_read_goes_stale_when_clocks_drift_and_never_with_read_index() {
    let lease = serde_json::json!({ "lease_reads": true });
    let read_index = serde_json::json!({ "read_index": true });
    let (mut runs, mut stale) = (0, 0);
    for seed in 1..=40 {
        // ReadIndex: the cut-off leader cannot confirm a round, so it never
        // answers, drift or no drift.
        for skew in [false, true] {
            if let Some(answer) = read_at_old_leader(read_index.clone(), seed, skew) {
                assert_eq!(
                    answer, None,
                    "seed {seed} skew {skew}: ReadIndex answered from a deposed leader"
                );
            }
        }
        // A lease while clocks agree: it has expired before anyone else can
        // be elected, so the old leader does not answer x=1.
        if let Some(answer) = read_at_old_leader(lease.clone(), seed, false) {
            assert_ne!(
                answer,
                Some(Val::Int(1)),
                "seed {seed}: a stale lease read without drift"
            );
        }
        if let Some(answer) = read_at_old_leader(lease.clone(), seed, true) {
            runs += 1;
            stale += usize::from(answer == Some(Val::Int(1)));
        }
    }
    assert!(runs >= 30, "{runs} runs");
    assert!(
        stale * 2 >= runs,
        "stale lease reads under drift in only {stale} of {runs} runs"
    );
    println!("lease reads under drift: stale in {stale} of {runs} runs");
}

/// ReadIndex and lease reads answer on a healthy cluster without writing
/// to the log, and the answer is the latest acknowledged value.
#[test]
fn read_index_and_lease_reads_answer_without_a_log_entry() {
    for settings in [
        serde_json::json!({ "read_index": true }),
        serde_json::json!({ "lease_reads": true }),
    ] {
        let raft = ProtocolKind::parse("raft").expect("raft");
        let setup = Setup {
            nodes: 3,
            seed: 4,
            settings: settings.clone(),
            ..Setup::default()
        };
        let mut sim = (raft.boot)(&setup, TraceMode::Full);
        sim.advance_to(1_000 * MS);
        let l = sim.leader().expect("a leader");
        sim.apply(&Action::Request {
            node: l,
            cmd: Command::write(Key(0), 7),
        });
        sim.advance_to(1_300 * MS);
        let len = sim.view(l).unwrap().log_offset + sim.view(l).unwrap().log.len() as u64;
        sim.apply(&Action::Request {
            node: l,
            cmd: Command::read(Key(0), 8),
        });
        sim.advance_to(1_400 * MS);
        let read = sim
            .history()
            .iter()
            .find(|o| o.f == F::Read)
            .expect("the read")
            .clone();
        assert_eq!(
            (read.outcome, read.out),
            (Outcome::Ok, Val::Int(7)),
            "{settings}"
        );
        let now = sim.view(l).unwrap().log_offset + sim.view(l).unwrap().log.len() as u64;
        assert_eq!(now, len, "{settings}: the read added no log entry");
    }
}
