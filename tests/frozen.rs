//! Frozen runs: every built-in scenario (and a few hand-made scenarios that
//! switch every protocol setting on and use every kind of action), frozen
//! as a link plus the trace hash of its run to a fixed time. Refactors must
//! not change behaviour: every frozen link must keep opening, replay to the
//! same hash, and every built-in scenario must still build to the same run.
//!
//! `FREEZE=1 cargo test --test frozen` rewrites `tests/fixtures/frozen.txt`
//! (only do that on purpose, when a behaviour change is intended, and say
//! why in the commit). A new built-in scenario is frozen by appending its
//! line from such a run, keeping the older links as they were written.

mod common;

use replviz::link::{decode, encode};
use replviz::sim::TraceMode;
use replviz::timeline::Timeline;

const FILE: &str = "tests/fixtures/frozen.txt";

/// How far a frozen run goes: 5 s past its last action, at least 10 s.
fn until(s: &replviz::scenario::Scenario) -> u64 {
    let last = s.actions.last().map(|a| a.t).unwrap_or(0);
    (last + 5_000_000).max(10_000_000)
}

/// The trace hash of a scenario's run to `t`, through the UI's timeline
/// (full trace); the hash-only run must agree.
fn hash(s: &replviz::scenario::Scenario, t: u64) -> u64 {
    let mut tl = Timeline::new(s.clone());
    tl.advance_to(t);
    let full = tl.engine().trace_hash();
    let mut quick = common::replay(s, TraceMode::HashOnly);
    quick.advance_to(t);
    assert_eq!(quick.trace_hash(), full, "hash-only replay differs");
    full
}

/// Hand-made scenarios, as JSON: every setting switched on, forced
/// timeouts, toggles, cuts, heals, network changes and crashes.
fn handmade() -> Vec<(&'static str, String)> {
    let acts = r#"[
        {"step":0,"t":300000,"do":"timeout","node":2},
        {"step":0,"t":900000,"do":"request","node":1,"cmd":{"key":0,"value":7}},
        {"step":0,"t":1000000,"do":"toggle","node":3},
        {"step":0,"t":1100000,"do":"request","node":1,"cmd":{"key":1,"value":8}},
        {"step":0,"t":1500000,"do":"cut_both","a":1,"b":2},
        {"step":0,"t":1600000,"do":"cut_one_way","from":3,"to":1},
        {"step":0,"t":2000000,"do":"crash","node":1},
        {"step":0,"t":2400000,"do":"request","node":2,"cmd":{"key":2,"value":9}},
        {"step":0,"t":3000000,"do":"set_net","net":{"latency_min":10000,"latency_max":40000,"drop_ppm":100000,"dup_ppm":50000}},
        {"step":0,"t":3500000,"do":"restart","node":1},
        {"step":0,"t":4000000,"do":"heal","a":1,"b":2},
        {"step":0,"t":4500000,"do":"heal_all"},
        {"step":0,"t":5000000,"do":"request","node":3,"cmd":{"key":0,"value":10}}
    ]"#;
    let settings = [
        (
            "raft",
            r#""raft":{"noop_on_election":false,"client_serials":true}"#,
        ),
        ("paxos", r#""paxos":{"retry_at_once":true}"#),
        ("2pc", r#""2pc":{"presumed_abort":true}"#),
        ("zab", r#""zab":{"finalize_wait":300000}"#),
    ];
    settings
        .iter()
        .map(|(p, set)| {
            let json =
                format!(r#"{{"v":1,"protocol":"{p}","nodes":4,"seed":9,{set},"actions":{acts}}}"#);
            (*p, json)
        })
        .collect()
}

/// Hand-made scenarios with the faults of issue 13 (pause, clock, power
/// loss, a link's own settings) and client links, with four clients.
fn handmade_faults() -> Vec<(&'static str, String)> {
    let acts = r#"[
        {"step":0,"t":400000,"do":"clock","node":2,"offset":-30000,"rate":150},
        {"step":0,"t":800000,"do":"pause","node":1,"us":900000},
        {"step":0,"t":1200000,"do":"set_link","from":3,"to":4,"net":{"latency_min":120000,"latency_max":200000,"drop_ppm":200000,"dup_ppm":0}},
        {"step":0,"t":1500000,"do":"cut_client","client":2,"node":1},
        {"step":0,"t":1600000,"do":"cut_client","client":2,"node":2},
        {"step":0,"t":2200000,"do":"power_loss","node":3},
        {"step":0,"t":2600000,"do":"pause","node":4,"us":400000},
        {"step":0,"t":3200000,"do":"restart","node":3},
        {"step":0,"t":3600000,"do":"heal_client","client":2,"node":1},
        {"step":0,"t":4200000,"do":"heal_all"}
    ]"#;
    ["raft", "paxos", "2pc", "zab"]
        .iter()
        .map(|p| {
            let json = format!(
                r#"{{"v":1,"protocol":"{p}","nodes":4,"seed":21,"workload":{{"clients":4}},"actions":{acts}}}"#
            );
            (*p, json)
        })
        .collect()
}

/// Every frozen case: (name, scenario).
fn cases() -> Vec<(String, replviz::scenario::Scenario)> {
    let mut v = Vec::new();
    for id in replviz::scenarios::ids() {
        v.push((
            format!("builtin:{id}"),
            replviz::scenarios::build(id).unwrap(),
        ));
    }
    let made = handmade()
        .into_iter()
        .map(|(p, j)| (format!("handmade:{p}"), j));
    let faults = handmade_faults()
        .into_iter()
        .map(|(p, j)| (format!("faults:{p}"), j));
    for (name, json) in made.chain(faults) {
        let mut s = replviz::link::scenario_from_json(&json).expect(&name);
        // Actions must carry the steps a real run recorded: record them by
        // replaying through a timeline.
        let acts = std::mem::take(&mut s.actions);
        let mut tl = Timeline::new(s);
        for a in acts {
            tl.act(a.t, a.action);
        }
        v.push((name, tl.scenario().clone()));
    }
    let s1 = decode(include_str!("fixtures/link-s1.txt").trim())
        .unwrap()
        .s;
    v.push(("fixture:link-s1".into(), s1));
    let zab = decode(include_str!("fixtures/zab-two-leaders.txt").trim())
        .unwrap()
        .s;
    v.push(("fixture:zab-two-leaders".into(), zab));
    v
}

#[test]
fn frozen_runs_reproduce() {
    if std::env::var("FREEZE").is_ok() {
        let mut out = String::new();
        for (name, s) in cases() {
            let t = until(&s);
            let h = hash(&s, t);
            out.push_str(&format!("{name}\t{t}\t{h:016x}\t{}\n", encode(&s, 0)));
        }
        std::fs::write(FILE, out).unwrap();
        println!("froze {FILE}");
        return;
    }
    let text = std::fs::read_to_string(FILE).expect("frozen fixtures");
    let now: std::collections::BTreeMap<String, replviz::scenario::Scenario> =
        cases().into_iter().collect();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, t, want, link) = (f[0], f[1].parse::<u64>().unwrap(), f[2], f[3]);
        let s = decode(link)
            .unwrap_or_else(|e| panic!("{name}: the frozen link no longer opens: {e}"))
            .s;
        assert_eq!(
            format!("{:016x}", hash(&s, t)),
            want,
            "{name}: the frozen link replays differently"
        );
        if name.starts_with("builtin:") {
            let built = now
                .get(name)
                .unwrap_or_else(|| panic!("{name}: this built-in scenario is gone"));
            assert_eq!(built, &s, "{name}: builds to a different scenario");
        }
        n += 1;
    }
    assert!(n >= 27, "only {n} frozen runs");
}
