//! The faults beyond crash and cut (issue 13): pauses, clocks, power loss
//! and per-link network settings. Each is a scenario action: replayed
//! exactly, in links, on the timeline; the chaos sweeps of every protocol
//! include them (tests/common/generic.rs).

use replviz::anysim::{AnySim, Setup};
use replviz::protocols::ProtocolKind;
use replviz::sim::clients::Workload;
use replviz::sim::net::NetConfig;
use replviz::sim::trace::TraceKind;
use replviz::sim::{Action, NodeId, TraceMode};

const MS: u64 = 1_000;

fn boot(protocol: &str, nodes: u32, seed: u64, clients: u32) -> Box<dyn AnySim> {
    let p = ProtocolKind::parse(protocol).expect("registered");
    let setup = Setup {
        nodes,
        seed,
        net: NetConfig::default(),
        settings: serde_json::Value::Null,
        workload: Workload {
            clients,
            ..Workload::default()
        },
        ..Setup::default()
    };
    (p.boot)(&setup, TraceMode::Full)
}

fn view(sim: &dyn AnySim, id: NodeId) -> replviz::protocol::NodeView {
    sim.view(id).expect("a node")
}

/// A paused Raft leader keeps its beliefs while the others elect a new
/// leader and commit; when it resumes it handles what waited for it, sees
/// the higher term and steps down (Raft §5.1: "If a server receives a
/// request with a stale term number, it rejects the request"; a leader that
/// sees a higher term reverts to follower). It never commits in its old term
/// after the new leader committed: the invariant checks stay silent.
#[test]
fn a_paused_raft_leader_resumes_with_old_beliefs_and_steps_down() {
    let mut paused_runs = 0;
    for seed in 1..=40 {
        let mut sim = boot("raft", 5, seed, 2);
        sim.advance_to(1_000 * MS);
        let Some(old) = sim.leader() else { continue };
        let term = view(&*sim, old).term;
        sim.apply(&Action::Pause {
            node: old,
            us: 2_000 * MS,
        });
        let until = sim.faults(old).0;
        assert_eq!(until, 3_000 * MS, "seed {seed}");
        let frozen = view(&*sim, old);
        sim.advance_to(until - 1);
        // Stop-the-world: nothing of it moved, while the others went on.
        assert_eq!(
            view(&*sim, old),
            frozen,
            "seed {seed}: a paused node handles nothing"
        );
        let new = sim.leader().filter(|&l| l != old);
        let new = new.unwrap_or_else(|| panic!("seed {seed}: the others elect a leader"));
        assert!(view(&*sim, new).term > term, "seed {seed}");
        sim.advance_to(until + 200 * MS);
        let v = view(&*sim, old);
        assert!(
            !v.leading && v.term > term,
            "seed {seed}: S{old} stepped down ({v:?})"
        );
        // What arrived while it was paused was handled when it resumed.
        let resumed = sim.trace().iter().any(|e| {
            e.time == until && matches!(e.kind, TraceKind::Deliver { to, .. } if to == old)
        });
        assert!(resumed, "seed {seed}: messages waited for S{old}");
        assert!(
            sim.violations().is_empty(),
            "seed {seed}: {:?}",
            sim.violations()
        );
        paused_runs += 1;
    }
    assert!(
        paused_runs >= 35,
        "{paused_runs} runs had a leader to pause"
    );
}

/// A node whose clock runs fast times out first: with S3's timers at twice
/// the speed, S3 is the one that starts the election after the leader
/// crashes, in nearly every seed.
#[test]
fn a_fast_clock_times_out_first() {
    let (mut first, mut runs) = (0, 0);
    for seed in 1..=40 {
        let mut sim = boot("raft", 5, seed, 0);
        sim.advance_to(1_000 * MS);
        let Some(l) = sim.leader().filter(|&l| l != 3) else {
            continue;
        };
        sim.apply(&Action::Clock {
            node: 3,
            offset: 250 * MS as i64,
            rate: 200,
        });
        assert_eq!(sim.faults(3), (0, 250_000, 200));
        sim.advance_to(1_200 * MS); // every timer re-armed at the new rate
        sim.apply(&Action::Crash { node: l });
        sim.advance_to(3_000 * MS);
        runs += 1;
        let candidate = sim.trace().iter().find_map(|e| match e.kind {
            TraceKind::Timer { node, name } if e.time > 1_200 * MS && name.contains("election") => {
                Some(node)
            }
            _ => None,
        });
        if candidate == Some(3) {
            first += 1;
        }
    }
    assert!(
        runs >= 30 && first * 10 >= runs * 9,
        "S3 timed out first in {first} of {runs} runs"
    );
}

/// Raft, Paxos and Zab write to disk before they answer, so a power loss of
/// every node at once loses no acknowledged write: after all restart, the
/// acknowledgement checks (Client Acknowledgement) and the history checks
/// find nothing, and the cluster serves again.
#[test]
fn power_loss_of_every_node_loses_no_acknowledged_write() {
    for protocol in ["raft", "paxos", "zab"] {
        for seed in 1..=10 {
            let mut sim = boot(protocol, 5, seed, 3);
            sim.advance_to(3_000 * MS);
            let acked = sim
                .history()
                .iter()
                .filter(|o| o.outcome == replviz::history::Outcome::Ok)
                .count();
            assert!(
                acked > 5,
                "{protocol} seed {seed}: writes were acknowledged"
            );
            for node in 1..=5 {
                sim.apply(&Action::PowerLoss { node });
            }
            assert!(sim
                .trace()
                .iter()
                .any(|e| matches!(e.kind, TraceKind::PowerLoss { node: 1 })));
            sim.advance_to(3_500 * MS);
            for node in 1..=5 {
                sim.apply(&Action::Restart { node });
            }
            sim.advance_to(8_000 * MS);
            assert!(
                sim.violations().is_empty(),
                "{protocol} seed {seed}: {:?}",
                sim.violations()
            );
            let verdict = replviz::history::linear::check(sim.history());
            assert!(
                matches!(verdict, replviz::history::linear::Verdict::Linearizable),
                "{protocol} seed {seed}: {verdict:?}"
            );
            let late = sim
                .history()
                .iter()
                .filter(|o| o.invoke > 4_000 * MS && o.outcome == replviz::history::Outcome::Ok)
                .count();
            assert!(
                late > 0,
                "{protocol} seed {seed}: served again after the power came back"
            );
        }
    }
}

/// A link's own settings apply to its direction only.
#[test]
fn a_slow_link_delays_its_direction_only() {
    let mut sim = boot("raft", 3, 7, 0);
    sim.advance_to(1_000 * MS);
    let l = sim.leader().expect("a leader");
    let f = if l == 1 { 2 } else { 1 };
    let slow = NetConfig {
        latency_min: 300 * MS,
        latency_max: 320 * MS,
        drop_ppm: 0,
        dup_ppm: 0,
        fifo: false,
    };
    sim.apply(&Action::SetLink {
        from: l,
        to: f,
        net: slow.clone(),
    });
    assert_eq!(sim.link_net(l, f), Some(slow));
    assert_eq!(sim.link_net(f, l), None);
    let from_now = sim.now();
    sim.advance_to(3_000 * MS);
    let (mut slow_seen, mut fast_seen) = (0, 0);
    for e in sim.trace().iter().filter(|e| e.time >= from_now) {
        if let TraceKind::Send {
            from, to, arrive, ..
        } = e.kind
        {
            let took = arrive - e.time;
            if (from, to) == (l, f) {
                assert!(
                    (300 * MS..=320 * MS).contains(&took),
                    "S{l} -> S{f} took {took}"
                );
                slow_seen += 1;
            } else if (from, to) == (f, l) {
                assert!(took <= 25 * MS, "S{f} -> S{l} took {took}");
                fast_seen += 1;
            }
        }
    }
    assert!(slow_seen > 0 && fast_seen > 0);
}

/// Messages on a link whose latency varies overtake each other (datagrams),
/// unless the link keeps them in order (FIFO, as over TCP): then no message
/// arrives before one sent earlier on the same direction.
#[test]
fn a_fifo_link_keeps_the_order_of_sends() {
    let overtakes = |fifo: bool| {
        let mut sim = boot("raft", 3, 7, 0);
        sim.advance_to(1_000 * MS);
        let l = sim.leader().expect("a leader");
        let f = if l == 1 { 2 } else { 1 };
        let net = NetConfig {
            latency_min: 5 * MS,
            latency_max: 200 * MS,
            drop_ppm: 0,
            dup_ppm: 0,
            fifo,
        };
        sim.apply(&Action::SetLink {
            from: l,
            to: f,
            net,
        });
        let from_now = sim.now();
        sim.advance_to(4_000 * MS);
        let arrivals: Vec<u64> = sim
            .trace()
            .iter()
            .filter(|e| e.time > from_now)
            .filter_map(|e| match e.kind {
                TraceKind::Send {
                    from, to, arrive, ..
                } if (from, to) == (l, f) => Some(arrive),
                _ => None,
            })
            .collect();
        assert!(arrivals.len() > 40, "{} messages", arrivals.len());
        arrivals.windows(2).filter(|w| w[1] < w[0]).count()
    };
    let free = overtakes(false);
    assert!(free > 5, "only {free} overtakes without FIFO");
    assert_eq!(overtakes(true), 0, "an overtake on a FIFO link");
}

/// Every new action reads back from its link form, and a scenario with all
/// of them replays to the same trace.
#[test]
fn fault_actions_round_trip_and_replay_exactly() {
    let actions = [
        Action::Pause {
            node: 2,
            us: 500 * MS,
        },
        Action::Clock {
            node: 3,
            offset: -40 * MS as i64,
            rate: 80,
        },
        Action::PowerLoss { node: 1 },
        Action::SetLink {
            from: 1,
            to: 3,
            net: NetConfig {
                latency_min: 50 * MS,
                latency_max: 90 * MS,
                drop_ppm: 100_000,
                dup_ppm: 0,
                fifo: true,
            },
        },
    ];
    for a in &actions {
        let text = serde_json::to_string(a).unwrap();
        assert_eq!(&serde_json::from_str::<Action>(&text).unwrap(), a, "{text}");
    }
    let err = serde_json::from_str::<Action>(r#"{"do":"pause","node":1}"#).unwrap_err();
    assert!(err.to_string().contains("lacks \"us\""), "{err}");
    let run = || {
        let mut sim = boot("zab", 3, 11, 2);
        for (i, a) in actions.iter().enumerate() {
            sim.advance_to((i as u64 + 1) * 700 * MS);
            sim.apply(a);
        }
        sim.advance_to(6_000 * MS);
        sim.apply(&Action::Restart { node: 1 });
        sim.advance_to(9_000 * MS);
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
        sim.trace_hash()
    };
    assert_eq!(run(), run());
}
