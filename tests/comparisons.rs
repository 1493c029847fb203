//! Built-in comparisons (issue 17): each states its outcome in its text,
//! and this checks it over many seeds; a pane is an ordinary run (alone it
//! replays to the same trace, and it opens from its link).

use replviz::comparisons::{find, run_pane, COMPARISONS};
use replviz::history::{Outcome, F};
use replviz::measure::{measure, RunMetrics};

const S: u64 = 1_000_000;

fn metrics(id: &str, pane: usize, seeds: u64) -> Vec<RunMetrics> {
    let c = find(id).unwrap();
    (1..=seeds)
        .map(|seed| {
            let tl = run_pane(c, &c.panes[pane], seed).unwrap();
            measure(tl.engine())
        })
        .collect()
}

/// The seeds (1-based) whose run shows `bad`, to reproduce a failure with
/// `examples/compare` or `run_pane`.
fn seeds_where(runs: &[RunMetrics], bad: impl Fn(&RunMetrics) -> bool) -> Vec<usize> {
    (1..)
        .zip(runs)
        .filter(|(_, m)| bad(m))
        .map(|(s, _)| s)
        .collect()
}

/// No run of any pane reports a violation (the seeds that do are named).
fn no_violations(panes: &[(&str, &[RunMetrics])]) {
    for (name, runs) in panes {
        let bad = seeds_where(runs, |m| m.violations > 0);
        assert!(bad.is_empty(), "{name}: violations at seeds {bad:?}");
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// MySQL async loses acknowledged writes in almost every seed and serves
/// stale reads; semi-sync (the crash comes before its timeout) and Raft
/// lose none; semi-sync's writes are slower than async's; no violation.
#[test]
fn compare_durability_states_its_outcome() {
    let [asy, semi, raft] = [0, 1, 2].map(|i| metrics("compare-durability", i, 30));
    let lost = |m: &[RunMetrics]| m.iter().filter(|m| m.lost_writes > 0).count();
    println!(
        "seeds with lost writes: async {}/30 (mean {:.2}), semi-sync {}, Raft {}",
        lost(&asy),
        mean(asy.iter().map(|m| m.lost_writes as f64)),
        lost(&semi),
        lost(&raft)
    );
    assert!(
        lost(&asy) >= 25,
        "async loses writes in almost every seed: {}",
        lost(&asy)
    );
    assert!(
        mean(asy.iter().map(|m| m.history.stale_reads as f64)) > 1.0,
        "async replicas serve stale reads"
    );
    for (name, runs) in [("semi-sync", &semi), ("Raft", &raft)] {
        let bad = seeds_where(runs, |m| m.lost_writes > 0);
        assert!(bad.is_empty(), "{name} loses writes at seeds {bad:?}");
    }
    let p50 = |m: &[RunMetrics]| mean(m.iter().map(|m| m.history.write.p50 as f64));
    assert!(
        p50(&semi) > 1.5 * p50(&asy),
        "semi-sync writes are slower: {} vs {}",
        p50(&semi),
        p50(&asy)
    );
    no_violations(&[("async", &asy), ("semi-sync", &semi), ("Raft", &raft)]);
}

/// Raft: no write C1 sends during the split succeeds, and nobody sees an
/// anomaly. Cassandra at ONE: C1's writes succeed and the majority side
/// reads stale values (a lesson, not a violation).
#[test]
fn compare_cap_states_its_outcome() {
    let c = find("compare-cap").unwrap();
    for seed in 1..=20 {
        let c1_writes_ok = |tl: &replviz::timeline::Timeline| {
            tl.engine()
                .history()
                .iter()
                .filter(|o| o.client == 1 && o.f == F::Write && (3 * S..10 * S).contains(&o.invoke))
                .filter(|o| o.outcome == Outcome::Ok)
                .count()
        };
        let cp = run_pane(c, &c.panes[0], seed).unwrap();
        let m = measure(cp.engine());
        assert_eq!(
            c1_writes_ok(&cp),
            0,
            "Raft seed {seed}: a minority write succeeded"
        );
        assert!(
            m.history.writes_failed + m.history.writes_unknown > 0,
            "seed {seed}"
        );
        assert_eq!(
            (m.history.stale_reads, m.lost_writes, m.violations),
            (0, 0, 0),
            "Raft seed {seed}"
        );
        let ap = run_pane(c, &c.panes[1], seed).unwrap();
        let m = measure(ap.engine());
        assert!(
            c1_writes_ok(&ap) > 0,
            "Cassandra seed {seed}: C1's writes succeed"
        );
        assert!(
            m.history.stale_reads > 0,
            "Cassandra seed {seed}: stale reads"
        );
        assert_eq!(m.violations, 0, "Cassandra seed {seed}");
    }
}

/// A pane is an ordinary scenario: alone, it replays to the same trace,
/// and it opens from its link.
#[test]
fn a_pane_is_an_ordinary_run() {
    for c in COMPARISONS {
        assert!((2..=4).contains(&c.panes.len()), "{}", c.id);
        for p in c.panes {
            let tl = run_pane(c, p, 7).unwrap();
            let mut alone = replviz::timeline::Timeline::new(tl.scenario().clone());
            alone.advance_to(tl.now());
            assert_eq!(
                alone.engine().trace_hash(),
                tl.engine().trace_hash(),
                "{} {}",
                c.id,
                p.label
            );
            let link = replviz::link::encode(tl.scenario(), tl.now());
            assert_eq!(&replviz::link::decode(&link).unwrap().s, tl.scenario());
        }
    }
}

/// Kafka: acks=1 loses acknowledged records in most seeds; acks=all with
/// min.insync.replicas=2 loses none; no violation.
#[test]
fn compare_kafka_acks_states_its_outcome() {
    let [one, all] = [0, 1].map(|i| metrics("compare-kafka-acks", i, 30));
    let lost = |m: &[RunMetrics]| m.iter().filter(|m| m.lost_writes > 0).count();
    println!(
        "seeds with lost records: acks=1 {}/30, acks=all {}/30",
        lost(&one),
        lost(&all)
    );
    assert!(
        lost(&one) >= 20,
        "acks=1 loses records in most seeds: {}",
        lost(&one)
    );
    let bad = seeds_where(&all, |m| m.lost_writes > 0);
    assert!(bad.is_empty(), "acks=all loses records at seeds {bad:?}");
    let bad = seeds_where(&all, |m| m.history.writes_unknown == 0);
    assert!(
        bad.is_empty(),
        "acks=all answers every producer at seeds {bad:?}"
    );
    no_violations(&[("acks=1", &one), ("acks=all", &all)]);
}

/// Cassandra: ONE/ONE serves stale reads; QUORUM/QUORUM serves none and
/// fails or leaves unanswered some writes; no violation.
#[test]
fn compare_quorum_states_its_outcome() {
    let [one, quorum] = [0, 1].map(|i| metrics("compare-quorum", i, 20));
    let stale = |m: &[RunMetrics]| m.iter().filter(|m| m.history.stale_reads > 0).count();
    println!(
        "seeds with stale reads: ONE {}/20, QUORUM {}/20",
        stale(&one),
        stale(&quorum)
    );
    assert!(stale(&one) >= 18, "ONE/ONE reads stale: {}", stale(&one));
    let bad = seeds_where(&quorum, |m| m.history.stale_reads > 0);
    assert!(bad.is_empty(), "QUORUM/QUORUM reads stale at seeds {bad:?}");
    let bad = seeds_where(&quorum, |m| {
        m.history.writes_failed + m.history.writes_unknown == 0
    });
    assert!(
        bad.is_empty(),
        "QUORUM/QUORUM takes every write at seeds {bad:?}"
    );
    no_violations(&[("ONE/ONE", &one), ("QUORUM/QUORUM", &quorum)]);
}

/// A compare page's query: built-in ids (also as `?preset=`), a custom list
/// of protocols, the seed, the pane and the cursor; bad values refused with
/// what is known.
#[test]
fn compare_queries_are_read_and_bad_ones_refused() {
    use replviz::comparisons::{request, Plan};
    let r = request("?preset=compare-cap&seed=9&t=2000000&pane=1")
        .unwrap()
        .unwrap();
    assert!(matches!(r.plan, Plan::BuiltIn(c) if c.id == "compare-cap"));
    assert_eq!((r.seed, r.pane, r.at), (9, Some(1), 2_000_000));
    assert_eq!(r.labels(), ["Raft", "Cassandra ONE/ONE"]);
    let r = request("?compare=raft,cassandra").unwrap().unwrap();
    assert!(matches!(&r.plan, Plan::Custom(p) if p.len() == 2));
    assert_eq!((r.seed, r.pane, r.at), (1, None, 0));
    assert!(request("?preset=leader-crash").is_none());
    assert!(request("?nodes=5").is_none());
    let err = |q: &str| request(q).unwrap().unwrap_err();
    assert!(err("?compare=compare-nothing").starts_with(
        "Unknown comparison \"compare-nothing\" (known: compare-durability, compare-cap"
    ));
    assert_eq!(
        err("?compare=raft"),
        "A comparison has 2 to 4 panes (this one asks for 1)."
    );
    assert_eq!(
        err("?compare=raft,raft,raft,raft,raft"),
        "A comparison has 2 to 4 panes (this one asks for 5)."
    );
    assert!(
        err("?compare=raft,etcd").starts_with("Unknown protocol \"etcd\" in a comparison (known: ")
    );
    assert_eq!(
        err("?compare=compare-cap&pane=2"),
        "This comparison has no pane 2 (it has 2)."
    );
}

/// A custom comparison's pane is the link's scenario in the pane's
/// protocol: the same seed, size, workload and actions.
#[test]
fn a_custom_pane_keeps_the_scenario_in_its_protocol() {
    use replviz::comparisons::request;
    let base = replviz::scenarios::build("leader-crash").unwrap();
    let r = request("?compare=raft,zab").unwrap().unwrap();
    for (i, id) in ["raft", "zab"].iter().enumerate() {
        let s = r.pane_scenario(i, base.clone()).unwrap();
        assert_eq!(s.protocol.id, *id);
        assert_eq!(
            (s.seed, s.nodes, &s.actions, &s.workload),
            (base.seed, base.nodes, &base.actions, &base.workload)
        );
        assert!(s.title.ends_with(s.protocol.title), "{}", s.title);
    }
    // Its clock runs 10 s past the last action, at least 20 s.
    let last = base.actions.iter().map(|a| a.t).max().unwrap();
    assert_eq!(r.end(&base), (last + 10_000_000).max(20_000_000));
}

/// Bytes per write (each message as postcard encodes it, every network
/// copy) at the end of seed 1 of `compare-durability`: async replication
/// sends the least, Raft the most (heartbeats and AppendEntries to its two
/// followers). The browser test `compare.test.mjs` reads the same figures
/// off the page's cells, so the wasm build counts as the native one does.
#[test]
fn compare_durability_bytes_per_write() {
    let [asy, semi, raft] = [0, 1, 2].map(|i| metrics("compare-durability", i, 1).remove(0));
    let bytes =
        [&asy, &semi, &raft].map(|m| format!("{}", replviz::geometry::Fx(m.bytes_per_write(), 3)));
    println!("bytes per write, seed 1: {bytes:?}");
    assert!(asy.bytes_per_write() > 0.0);
    assert!(asy.bytes_per_write() < semi.bytes_per_write());
    assert!(semi.bytes_per_write() < raft.bytes_per_write());
    assert_eq!(bytes, ["38.108", "48.650", "414.330"]);
}
