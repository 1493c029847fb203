//! ZooKeeper's `sync()` then read (issue 12's read options): a follower
//! asks its leader to flush the channel, and answers the read once
//! everything the leader had proposed is committed and delivered. A read
//! right after a write was acknowledged sees it with sync, where a plain
//! local read at the same follower may not (ZooKeeper Programmer's Guide,
//! "Consistency Guarantees": sync makes a follower catch up with the leader).

use replviz::anysim::Setup;
use replviz::history::{Outcome, Val, F};
use replviz::protocol::{Command, Key};
use replviz::protocols::ProtocolKind;
use replviz::sim::{Action, TraceMode};

const MS: u64 = 1_000;

/// What a follower answers to a read sent the moment x=7 is acknowledged.
fn read_after_ack(settings: serde_json::Value, seed: u64) -> Option<Val> {
    let zab = ProtocolKind::parse("zab").expect("zab");
    let setup = Setup {
        nodes: 5,
        seed,
        settings,
        ..Setup::default()
    };
    let mut sim = (zab.boot)(&setup, TraceMode::HashOnly);
    sim.advance_to(3_000 * MS);
    let leader = sim.leader()?;
    let follower = (1..=5).find(|&n| n != leader)?;
    sim.apply(&Action::Request {
        node: leader,
        cmd: Command::write(Key(0), 7),
    });
    let acked = |s: &dyn replviz::anysim::AnySim| {
        s.history()
            .iter()
            .any(|o| o.f == F::Write && o.outcome == Outcome::Ok)
    };
    while !acked(&*sim) {
        let next = sim.next_event_time()?;
        sim.advance_to(next);
        if sim.now() > 5_000 * MS {
            return None;
        }
    }
    sim.apply(&Action::Request {
        node: follower,
        cmd: Command::read(Key(0), 8),
    });
    sim.advance_to(sim.now() + 500 * MS);
    assert!(
        sim.violations().is_empty(),
        "seed {seed}: {:?}",
        sim.violations()
    );
    let read = sim.history().iter().find(|o| o.f == F::Read)?.clone();
    (read.outcome == Outcome::Ok).then_some(read.out)
}

#[test]
fn a_read_after_sync_sees_the_acknowledged_write() {
    let (mut local_stale, mut runs) = (0, 0);
    for seed in 1..=30 {
        let synced = read_after_ack(serde_json::json!({ "sync_reads": true }), seed);
        let Some(synced) = synced else { continue };
        runs += 1;
        assert_eq!(
            synced,
            Val::Int(7),
            "seed {seed}: a read after sync missed the write"
        );
        let local = read_after_ack(serde_json::json!({ "local_reads": true }), seed);
        local_stale += usize::from(local == Some(Val::Nil));
    }
    assert!(runs >= 25, "{runs} runs");
    // The difference sync makes: without it the follower often has not
    // delivered the commit yet.
    assert!(
        local_stale * 2 >= runs,
        "local reads stale in only {local_stale} of {runs}"
    );
    println!("read right after the ack at a follower: local stale in {local_stale} of {runs}, after sync in 0");
}
