//! A run's metrics (issue 17) on real runs: the counts add up to the
//! history, and the durability comparison a lecture makes holds over seeds
//! (MySQL's asynchronous replication loses acknowledged writes when its
//! source crashes; semi-synchronous replication and Raft lose none).

use replviz::history::F;
use replviz::measure::{measure, RunMetrics};
use replviz::scenario::FLOATING;
use replviz::timeline::Timeline;

/// Built-in scenario `id` with `changes` applied, three clients, its script
/// kept at its times, run with `seed` for 10 s past its last action.
fn run(id: &str, changes: &[(&str, &str)], seed: u64) -> (Timeline, RunMetrics) {
    let mut s = replviz::scenarios::build(id).expect(id);
    for (name, value) in changes {
        s.set_param(name, value).unwrap();
    }
    s.workload.clients = 3;
    for a in &mut s.actions {
        a.step = FLOATING;
    }
    s.seed = seed;
    let until = s.actions.iter().map(|a| a.t).max().unwrap_or(0) + 10_000_000;
    let mut tl = Timeline::new(s);
    tl.advance_to(until);
    let m = measure(tl.engine());
    // The kernel's count of message copies is the trace's count of sends.
    let sends = tl
        .trace()
        .iter()
        .filter(|t| matches!(t.kind, replviz::sim::trace::TraceKind::Send { .. }))
        .count();
    assert_eq!(m.messages, sends, "{id} seed {seed}");
    (tl, m)
}

#[test]
fn counts_add_up_to_the_history() {
    for id in [
        "leader-crash",
        "mysql-async-loss",
        "kafka-acks1-loss",
        "zab-leader-crash",
    ] {
        let (tl, m) = run(id, &[], 3);
        let h = tl.engine().history();
        let writes = h.iter().filter(|o| o.f != F::Read).count();
        let reads = h.len() - writes;
        let hm = &m.history;
        assert_eq!(
            hm.writes_ok + hm.writes_failed + hm.writes_unknown,
            writes,
            "{id}"
        );
        assert_eq!(hm.reads_ok + hm.reads_failed, reads, "{id}");
        assert_eq!(
            hm.write.n, hm.writes_ok,
            "{id}: every ok write has a latency"
        );
        assert!(hm.write.p50 <= hm.write.p99 && hm.write.p99 <= hm.write.max);
        assert!(hm.writes_ok > 10, "{id}: the workload ran ({hm:?})");
        assert!((0.0..=1.0).contains(&hm.availability));
        assert!(m.messages > 0, "{id}: messages are counted from the trace");
        assert_eq!(m.violations, 0, "{id}: a correct engine");
    }
}

#[test]
fn durability_async_loses_acknowledged_writes_semisync_and_raft_do_not() {
    let seeds = 1..=10;
    let lost = |id: &str, changes: &[(&str, &str)]| -> Vec<usize> {
        seeds
            .clone()
            .map(|seed| run(id, changes, seed).1.lost_writes)
            .collect()
    };
    let asynchronous = lost("mysql-async-loss", &[]);
    let semisync = lost(
        "mysql-async-loss",
        &[("rpl_semi_sync_source_enabled", "on")],
    );
    let raft = lost("leader-crash", &[]);
    assert!(
        asynchronous.iter().all(|&n| n >= 1),
        "async replication loses an acknowledged write in every seed: {asynchronous:?}"
    );
    assert_eq!(semisync.iter().sum::<usize>(), 0, "semi-sync: {semisync:?}");
    assert_eq!(raft.iter().sum::<usize>(), 0, "Raft: {raft:?}");
}
