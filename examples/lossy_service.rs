//! How many client writes each protocol gets acknowledged on a lossy
//! network: 5 nodes, 20 % of messages lost, a write at the leader every
//! 100 ms of virtual time for 60 s, over 300 seeds. Raft and Paxos run on
//! datagrams, as their papers assume; Zab runs on the kernel's ordered
//! connections (loss becomes retransmission delay), as ZooKeeper runs on TCP.
//!
//! `cargo run --release --example lossy_service`

use replviz::protocols::paxos::Paxos;
use replviz::protocols::raft::Raft;
use replviz::protocols::zab::Zab;
use replviz::sim::check::Checked;
use replviz::sim::net::NetConfig;
use replviz::sim::{Sim, SimConfig, TraceMode};

fn served<P: Checked>(seeds: u64) -> (usize, usize) {
    let (mut ok, mut sent) = (0, 0);
    for seed in 0..seeds {
        let mut sim: Sim<P> = Sim::new(
            SimConfig {
                nodes: 5,
                seed,
                net: NetConfig {
                    drop_ppm: 200_000,
                    ..NetConfig::default()
                },
                proto: P::Config::default(),
            },
            TraceMode::HashOnly,
        );
        sent += replviz::bench::writes_at_leader(&mut sim, 100_000, 60_000_000) as usize;
        ok += sim.acknowledged_ok();
    }
    (ok, sent)
}

fn main() {
    let seeds = 300;
    for (name, (ok, sent)) in [
        ("raft (datagrams)", served::<Raft>(seeds)),
        ("paxos (datagrams)", served::<Paxos>(seeds)),
        ("zab (connections)", served::<Zab>(seeds)),
    ] {
        println!(
            "{name:<20} {ok:>7} writes acknowledged of {sent:>7} sent to a leader ({seeds} seeds x 60 s, 20 % loss)"
        );
    }
}
