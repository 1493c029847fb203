//! The workload the throughput benchmarks run, natively (`cargo bench
//! --bench sim`) and in the browser (`?bench=sim`), so that the two figures
//! compare the same work: a 5-node cluster of one protocol under steady
//! client load (a request every 10 ms of virtual time at whoever leads) with
//! every invariant check on. The caller times it.

use crate::anysim::AnySim;
use crate::protocol::{Command, Key};
use crate::protocols::ProtocolKind;
use crate::scenario::Scenario;
use crate::sim::{Action, Time, TraceMode};

/// Rounds of [`steady_load`] the simulation speed benchmarks time, keeping
/// the fastest (`?bench=sim` in the page, `examples/native_load.rs`).
pub const ROUNDS: usize = 5;

/// Run `sim_seconds` of the workload; the number of events processed and
/// the number of violations found (0 for a correct engine).
pub fn steady_load(protocol: ProtocolKind, mode: TraceMode, sim_seconds: u64) -> (u64, usize) {
    let s = Scenario {
        protocol,
        nodes: 5,
        seed: 2024,
        ..Scenario::default()
    };
    let mut sim = s.boot(mode);
    writes_at_leader(sim.as_mut(), 10_000, sim_seconds * 1_000_000);
    (sim.steps(), sim.violations().len())
}

/// Client load: a write at whoever leads every `every` µs of virtual time
/// until `end`, looking the leader up every 100 ms (or while there is none).
/// Returns how many writes were sent.
pub fn writes_at_leader(sim: &mut dyn AnySim, every: Time, end: Time) -> u32 {
    let mut v = 0;
    let mut leader = None;
    while sim.now() < end {
        let t = sim.now() + every;
        sim.advance_to(t);
        if t % 100_000 == 0 || leader.is_none() {
            leader = sim.leader();
        }
        if let Some(l) = leader {
            v += 1;
            sim.apply(&Action::Request {
                node: l,
                cmd: Command::write(Key((v % 3) as u8), v),
            });
        }
    }
    v
}

/// A run of `protocol` with four simulated clients (defaults: a read or
/// write about every 0.3 s each) for `sim_seconds`, hash-only trace: the
/// history the page checks (`?bench=history` times it in the browser).
pub fn clients_run(protocol: ProtocolKind, sim_seconds: u64) -> Box<dyn AnySim> {
    let s = Scenario {
        protocol,
        nodes: 5,
        seed: 2024,
        workload: crate::sim::clients::Workload {
            clients: 4,
            ..Default::default()
        },
        ..Scenario::default()
    };
    let mut sim = s.boot(TraceMode::HashOnly);
    sim.advance_to(sim_seconds * 1_000_000);
    sim
}
