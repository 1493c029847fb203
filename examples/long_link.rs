//! Prints the link fragment of a 10-minute, 5-node Raft run under client
//! load (a request at the leader every 250 ms, a leader crash and restart
//! every minute), positioned at its end. The browser seek benchmark opens it.
//!
//! `cargo run --release --example long_link`

use replviz::link::encode;
use replviz::protocols::common::cmd;
use replviz::scenario::Scenario;
use replviz::sim::Action;
use replviz::timeline::Timeline;

fn main() {
    let mut tl = Timeline::new(Scenario {
        seed: 10,
        ..Scenario::default()
    });
    let (mut t, mut v) = (0u64, 0u32);
    let end = 600_000_000;
    let mut crashed = None;
    while t < end {
        t += 250_000;
        tl.advance_to(t);
        let e = tl.engine();
        let leader = e
            .ids()
            .into_iter()
            .filter_map(|i| e.view(i))
            .find(|n| n.up && n.role == "leader")
            .map(|n| n.id);
        if t % 60_000_000 == 0 {
            if let Some(l) = leader {
                tl.act(t, Action::Crash { node: l });
                crashed = Some(l);
                continue;
            }
        }
        if t % 60_000_000 == 5_000_000 {
            if let Some(c) = crashed.take() {
                tl.act(t, Action::Restart { node: c });
                continue;
            }
        }
        if let Some(l) = leader {
            v += 1;
            tl.act(
                t,
                Action::Request {
                    node: l,
                    cmd: cmd((v % 3) as u8, v),
                },
            );
        }
    }
    eprintln!(
        "{} actions, {} events",
        tl.scenario().actions.len(),
        tl.steps()
    );
    println!("{}", encode(tl.scenario(), end));
}
