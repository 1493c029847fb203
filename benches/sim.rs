//! Throughput benchmark: a 5-node cluster of each protocol under steady
//! client load (one request every 10 ms of virtual time at the leader,
//! coordinator or primary) with every
//! invariant check on. Prints simulated events per wall second and
//! simulated seconds per wall second, in hash-only and full-trace modes.
//!
//! Run with `cargo bench --bench sim`.

use replviz::protocol::{Command, Key};
use replviz::protocols::ProtocolKind;
use replviz::sim::{Action, TraceMode};
use std::time::Instant;

fn run(protocol: ProtocolKind, mode: TraceMode, sim_seconds: u64) -> (u64, f64) {
    let start = Instant::now();
    let (steps, violations) = replviz::bench::steady_load(protocol, mode, sim_seconds);
    assert_eq!(violations, 0, "{protocol:?}");
    (steps, start.elapsed().as_secs_f64())
}

/// Encode and decode time of scenario links: a built-in scenario and a
/// 10-minute recording with about 2,400 actions.
fn links() {
    use replviz::link::{decode, encode};
    use replviz::scenario::Scenario;
    use replviz::timeline::Timeline;
    let mut long = Timeline::new(Scenario::default());
    for k in 1..=2400u64 {
        let t = k * 250_000;
        long.advance_to(t);
        long.act(
            t,
            Action::Request {
                node: 1 + (k % 5) as u32,
                cmd: Command::write(Key((k % 3) as u8), k as u32),
            },
        );
    }
    let cases = [
        (
            "built-in figure-8",
            replviz::scenarios::build("figure-8").unwrap_or_default(),
        ),
        ("10-minute recording", long.scenario().clone()),
    ];
    for (name, s) in cases {
        let reps = 200;
        let start = Instant::now();
        let mut link = String::new();
        for _ in 0..reps {
            link = encode(&s, 1_000_000);
        }
        let enc = start.elapsed().as_secs_f64() / reps as f64;
        let start = Instant::now();
        for _ in 0..reps {
            assert!(decode(&link).is_ok());
        }
        let dec = start.elapsed().as_secs_f64() / reps as f64;
        println!(
            "link {name}: {} actions, {} characters, encode {:.3} ms, decode {:.3} ms",
            s.actions.len(),
            link.len(),
            enc * 1e3,
            dec * 1e3
        );
    }
}

/// A Jepsen-style register log: `clients` processes against a
/// linearizable register (each operation takes effect at one instant inside
/// its span), a mix of reads, writes and cas over values 0..5, and one
/// operation in `timeouts` timing out (`:info`, after which Jepsen gives
/// the process a new id), as Jepsen's etcd tests print them.
fn jepsen_log(seed: u64, clients: u64, ops: usize, timeouts: u64) -> String {
    use replviz::sim::rng::SimRng;
    let mut rng = SimRng::new(seed);
    let mut value: Option<u64> = None;
    // (time, line) pairs, sorted at the end.
    let mut lines: Vec<(u64, u64, String)> = Vec::new();
    let mut free_at = vec![0u64; clients as usize];
    let mut pid: Vec<u64> = (0..clients).collect();
    let mut next_pid = clients;
    let mut t_effect = 0;
    for k in 0..ops {
        let c = (k as u64 % clients) as usize;
        // Effects in program order; each inside its operation's span.
        t_effect = (t_effect + rng.range(1, 10)).max(free_at[c] + 1);
        let invoke = free_at[c].max(t_effect.saturating_sub(rng.range(1, 40)));
        let effect = t_effect;
        let complete = effect + rng.range(1, 40);
        let p = pid[c];
        let (f, arg, res) = match rng.range(0, 2) {
            0 => (
                "read",
                "nil".to_string(),
                value.map_or("nil".into(), |v| v.to_string()),
            ),
            1 => {
                let v = rng.range(0, 4);
                value = Some(v);
                ("write", v.to_string(), v.to_string())
            }
            _ => {
                let (from, to) = (rng.range(0, 4), rng.range(0, 4));
                let a = format!("[{from} {to}]");
                if value == Some(from) {
                    value = Some(to);
                    ("cas", a.clone(), a)
                } else {
                    lines.push((
                        effect,
                        1,
                        format!("INFO  jepsen.util - {p}\t:invoke\t:cas\t{a}"),
                    ));
                    lines.push((
                        complete,
                        2,
                        format!("INFO  jepsen.util - {p}\t:fail\t:cas\t{a}"),
                    ));
                    free_at[c] = complete + 1;
                    continue;
                }
            }
        };
        lines.push((
            invoke,
            1,
            format!("INFO  jepsen.util - {p}\t:invoke\t:{f}\t{arg}"),
        ));
        if rng.range(1, timeouts) == 1 && f != "read" {
            lines.push((
                complete,
                2,
                format!("INFO  jepsen.util - {p}\t:info\t:{f}\t:timed-out"),
            ));
            pid[c] = next_pid;
            next_pid += 1;
        } else {
            lines.push((
                complete,
                2,
                format!("INFO  jepsen.util - {p}\t:ok\t:{f}\t{res}"),
            ));
        }
        free_at[c] = complete + 1;
    }
    lines.sort();
    lines.into_iter().map(|l| l.2 + "\n").collect()
}

/// Linearizability checker time on Jepsen-style register histories.
fn histories() {
    use replviz::history::{jepsen, linear};
    for (clients, ops, timeouts) in [
        (5, 200, 20),
        (5, 1000, 20),
        (20, 1000, 10),
        (50, 1000, 10),
        (50, 5000, 20),
    ] {
        let mut worst: f64 = 0.0;
        let mut total = 0.0;
        let n = 20;
        for seed in 0..n {
            let log = jepsen_log(seed, clients, ops, timeouts);
            let h = jepsen::parse(&log).expect("generated log parses");
            let start = Instant::now();
            let v = linear::check(&h);
            let dt = start.elapsed().as_secs_f64() * 1e3;
            assert_eq!(v, linear::Verdict::Linearizable, "seed {seed}");
            worst = worst.max(dt);
            total += dt;
        }
        println!(
            "linearizability: {clients} clients, {ops} ops, 1 in {timeouts} writes timed out: mean {:.2} ms, worst {worst:.2} ms over {n} histories",
            total / n as f64
        );
        // The same histories with the middle read changed to another value
        // that was written: mostly stale reads the search must rule out.
        let (mut not, mut undecided, mut worst) = (0, 0, 0.0f64);
        for seed in 0..n {
            let log = jepsen_log(seed, clients, ops, timeouts);
            let mut h = jepsen::parse(&log).expect("generated log parses");
            let reads: Vec<usize> = (0..h.len())
                .filter(|&i| {
                    h[i].f == replviz::history::F::Read
                        && h[i].outcome == replviz::history::Outcome::Ok
                })
                .collect();
            let i = reads[reads.len() / 2];
            h[i].out = match h[i].out {
                replviz::history::Val::Int(v) => replviz::history::Val::Int((v + 1) % 5),
                _ => replviz::history::Val::Int(0),
            };
            let start = Instant::now();
            match linear::check(&h) {
                linear::Verdict::NotLinearizable(_) => not += 1,
                linear::Verdict::Undecided { .. } => undecided += 1,
                linear::Verdict::Linearizable => {}
            }
            worst = worst.max(start.elapsed().as_secs_f64() * 1e3);
        }
        println!("  with one read changed: {not} not linearizable, {undecided} undecided (budget {} steps), {} still linearizable; worst {worst:.1} ms", linear::BUDGET, n - not - undecided);
    }
    if let Ok(dir) = std::env::var("WRITE_HISTORIES") {
        for seed in 0..3 {
            let path = format!("{dir}/register-{seed}.log");
            std::fs::write(&path, jepsen_log(seed, 50, 1000, 10)).expect("write");
            println!("wrote {path}");
        }
    }
}

/// Simulated clients: 4 clients (a read or write every 100 ms each) and
/// the 100 writes/s at the leader, every check on, then the history checked
/// for linearizability and session guarantees.
fn clients() {
    use replviz::scenario::Scenario;
    for protocol in ProtocolKind::all().filter(|p| p.reads) {
        let s = Scenario {
            protocol,
            nodes: 5,
            seed: 2024,
            workload: replviz::sim::clients::Workload {
                clients: 4,
                interval: 100_000,
                ..Default::default()
            },
            ..Scenario::default()
        };
        let start = Instant::now();
        let mut sim = s.boot(TraceMode::HashOnly);
        replviz::bench::writes_at_leader(sim.as_mut(), 10_000, 120_000_000);
        let wall = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let lin = replviz::history::linear::check(sim.history());
        let sessions = replviz::history::session::check(sim.history());
        let check = start.elapsed().as_secs_f64();
        // Every protocol with a log keeps its history linearizable and its
        // sessions on this fault-free run; a leaderless one (Cassandra's
        // last write wins, positions per key) only reports.
        if !sim.leaderless() {
            assert_eq!(lin, replviz::history::linear::Verdict::Linearizable);
            assert_eq!(sessions, None);
        }
        println!(
            "{}: 5 nodes, 4 clients + 100 writes/s, checks on: {} events in {wall:.3} s = {:.2} M events/s; history of {} operations checked in {:.1} ms",
            protocol.title,
            sim.steps(),
            sim.steps() as f64 / wall / 1e6,
            sim.history().len(),
            check * 1e3
        );
    }
}

/// The time to compute a 10-minute run's metrics (issue 17): the figures
/// of the page's cells and the compare table, and the metrics chart, for
/// Raft and Cassandra with three workload clients and a leader crash.
fn metrics() {
    use replviz::history::chart;
    use replviz::timeline::Timeline;
    for spec in ["leader-crash", "cassandra-stale-read"] {
        let c = replviz::compare::config(spec, Some(600), Some(3)).expect("a built-in scenario");
        let mut tl = Timeline::new(c.base.clone());
        tl.advance_to(c.until);
        let reps = 20;
        let start = Instant::now();
        let mut m = replviz::measure::measure(tl.engine());
        for _ in 1..reps {
            m = replviz::measure::measure(tl.engine());
        }
        let figures = start.elapsed().as_secs_f64() / reps as f64;
        let start = Instant::now();
        let mut svg = String::new();
        for _ in 0..reps {
            svg = chart::svg(
                tl.engine().history(),
                c.until,
                replviz::measure::WINDOW,
                &tl.faults(),
                "chart",
            )
            .0;
        }
        let drawn = start.elapsed().as_secs_f64() / reps as f64;
        println!(
            "metrics of a 10-minute {spec} run: {} operations, {} trace events: figures {:.2} ms, chart {:.2} ms ({} bytes)",
            tl.engine().history().len(),
            tl.trace().len(),
            figures * 1e3,
            drawn * 1e3,
            svg.len()
        );
        assert_eq!(m.violations, 0, "{spec}");
    }
}

fn main() {
    metrics();
    histories();
    clients();
    links();
    for protocol in ProtocolKind::all() {
        for (mode, name, secs) in [
            (TraceMode::HashOnly, "hash-only trace", 120),
            (TraceMode::Full, "full trace", 30),
        ] {
            let (steps, wall) = run(protocol, mode, secs);
            println!(
                "{}: 5 nodes, 100 req/s, checks on, {name}: {steps} events in {wall:.3} s = {:.2} M events/s, {:.0} simulated s per wall s",
                protocol.title,
                steps as f64 / wall / 1e6,
                secs as f64 / wall
            );
        }
    }
}
