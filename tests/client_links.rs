//! Client links (issue 12, "Clients in the simulation"): each workload
//! client has a link to every server that the user can cut. A request or an
//! answer on a cut client link is lost (the client times out: an
//! indeterminate outcome, not a failure), and a client cut off from the
//! majority side of a partition can no longer write (the CAP demo). A client
//! link action is replayed exactly and survives a link.

use replviz::anysim::{AnySim, Setup};
use replviz::history::{Outcome, F};
use replviz::protocols::ProtocolKind;
use replviz::sim::clients::Workload;
use replviz::sim::trace::TraceKind;
use replviz::sim::{Action, TraceMode};

const MS: u64 = 1_000;

fn raft(clients: u32, seed: u64, settings: serde_json::Value) -> Box<dyn AnySim> {
    let raft = ProtocolKind::parse("raft").expect("raft is registered");
    let setup = Setup {
        nodes: 5,
        seed,
        net: Default::default(),
        settings,
        workload: Workload {
            clients,
            ..Workload::default()
        },
        ..Setup::default()
    };
    (raft.boot)(&setup, TraceMode::Full)
}

/// Operations of client `c` invoked at or after `from`.
fn ops_of(sim: &dyn AnySim, c: u64, from: u64) -> Vec<replviz::history::Op> {
    sim.history()
        .iter()
        .filter(|o| o.client == c && o.invoke >= from)
        .cloned()
        .collect()
}

#[test]
fn a_client_cut_from_every_server_gets_no_answer_while_others_do() {
    for seed in 1..=20 {
        let mut sim = raft(2, seed, serde_json::Value::Null);
        sim.advance_to(1_000 * MS);
        for node in 1..=5 {
            sim.apply(&Action::CutClient { client: 1, node });
        }
        let cut_at = sim.now();
        sim.advance_to(6_000 * MS);
        // Anything C1 already had on the wire may still come back, so look
        // from 100 ms on.
        let c1 = ops_of(&*sim, 1, cut_at + 100 * MS);
        assert!(c1.len() >= 2, "seed {seed}: C1 keeps trying ({c1:?})");
        assert!(
            c1.iter().all(|o| o.outcome == Outcome::Info),
            "seed {seed}: every C1 operation after the cut is indeterminate: {c1:?}"
        );
        let c2 = ops_of(&*sim, 2, cut_at);
        assert!(
            c2.iter().filter(|o| o.outcome == Outcome::Ok).count() >= 5,
            "seed {seed}: C2 is not cut off and is answered"
        );
        let lost = sim
            .trace()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    TraceKind::ClientLost {
                        client: 1,
                        to_server: true,
                        ..
                    }
                )
            })
            .count();
        assert!(
            lost >= c1.len() - 1,
            "seed {seed}: each lost request is in the trace"
        );
        // Healing every link gives C1 its servers back.
        sim.apply(&Action::HealAll);
        let healed = sim.now();
        sim.advance_to(9_000 * MS);
        let back = ops_of(&*sim, 1, healed + 1_100 * MS);
        assert!(
            back.iter().any(|o| o.outcome == Outcome::Ok),
            "seed {seed}: after heal all, C1 is answered again"
        );
    }
}

/// The CAP demo: S1, S2 are cut off from S3, S4, S5 and C1 can reach only
/// S1 and S2. Raft keeps the majority side consistent and available to C2;
/// C1 gets no acknowledged write (it can reach no leader that can commit),
/// and with reads through the log no read answer either. With the
/// `local-reads` setting S1 and S2 answer C1's reads: available, and stale.
#[test]
fn a_client_stuck_with_the_minority_side_cannot_write() {
    for (local, seed) in [(false, 3), (true, 3), (false, 8), (true, 8)] {
        let settings = if local {
            serde_json::json!({ "local_reads": true })
        } else {
            serde_json::Value::Null
        };
        let mut sim = raft(2, seed, settings);
        sim.advance_to(1_500 * MS);
        for a in 1..=2 {
            for b in 3..=5 {
                sim.apply(&Action::CutBoth { a, b });
            }
        }
        for node in 3..=5 {
            sim.apply(&Action::CutClient { client: 1, node });
        }
        let cut_at = sim.now();
        sim.advance_to(20_000 * MS);
        // Give C1 time to give up on what it had sent before the cut.
        let c1 = ops_of(&*sim, 1, cut_at + 1_100 * MS);
        assert!(!c1.is_empty(), "seed {seed}: C1 keeps trying");
        let writes_ok = c1
            .iter()
            .filter(|o| o.f == F::Write && o.outcome == Outcome::Ok)
            .count();
        assert_eq!(
            writes_ok, 0,
            "seed {seed} local={local}: no write of C1 is acknowledged: {c1:?}"
        );
        let reads_ok = c1
            .iter()
            .filter(|o| o.f == F::Read && o.outcome == Outcome::Ok)
            .count();
        if local {
            assert!(
                reads_ok > 0,
                "seed {seed}: local reads answer C1 on the minority side"
            );
        } else {
            assert_eq!(
                reads_ok, 0,
                "seed {seed}: reads through the log need the majority"
            );
        }
        let c2_writes = ops_of(&*sim, 2, cut_at + 1_100 * MS)
            .iter()
            .filter(|o| o.f == F::Write && o.outcome == Outcome::Ok)
            .count();
        assert!(
            c2_writes > 0,
            "seed {seed}: C2, with the majority, still writes"
        );
        assert!(
            sim.violations().is_empty(),
            "seed {seed}: {:?}",
            sim.violations()
        );
    }
}

#[test]
fn client_link_actions_read_back_and_ignore_unknown_clients() {
    let a: Action = serde_json::from_str(r#"{"do":"cut_client","client":2,"node":3}"#).unwrap();
    assert_eq!(a, Action::CutClient { client: 2, node: 3 });
    let text = serde_json::to_string(&Action::HealClient { client: 1, node: 5 }).unwrap();
    assert_eq!(
        serde_json::from_str::<Action>(&text).unwrap(),
        Action::HealClient { client: 1, node: 5 }
    );
    let err = serde_json::from_str::<Action>(r#"{"do":"cut_client","node":3}"#).unwrap_err();
    assert!(err.to_string().contains("lacks \"client\""), "{err}");
    // No workload: cutting client 1 does nothing (and is not in the trace).
    let mut sim = raft(0, 1, serde_json::Value::Null);
    let before = sim.trace_count();
    sim.apply(&Action::CutClient { client: 1, node: 2 });
    sim.apply(&Action::CutClient { client: 9, node: 2 });
    assert_eq!(sim.trace_count(), before);
}
