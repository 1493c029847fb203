//! Check Jepsen histories for linearizability:
//! `cargo run --release --example check_history -- FILE...` prints one line
//! per file: `FILE<TAB>linearizable`, `FILE<TAB>not-linearizable` (then the
//! operation that cannot be ordered, in words) or `FILE<TAB>error: ...`,
//! followed by the time the check took.

use replviz::history::jepsen;
use replviz::history::linear::{check, Verdict};
use std::time::Instant;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: cargo run --release --example check_history -- FILE...");
        std::process::exit(2);
    }
    let mut broken = false;
    for f in files {
        let start = Instant::now();
        let verdict = std::fs::read_to_string(&f)
            .map_err(|e| e.to_string())
            .and_then(|t| jepsen::parse(&t))
            .map(|h| (h.len(), check(&h)));
        let ms = start.elapsed().as_secs_f64() * 1e3;
        match verdict {
            Ok((n, Verdict::Linearizable)) => println!("{f}\tlinearizable\t{ms:.1} ms\t{n} ops"),
            Ok((n, Verdict::NotLinearizable(a))) => {
                println!("{f}\tnot-linearizable\t{ms:.1} ms\t{n} ops\t{}", a.why)
            }
            Ok((n, Verdict::Undecided { key, steps })) => {
                println!("{f}\tundecided\t{ms:.1} ms\t{n} ops\tgave up on key {key:?} after {steps} search steps")
            }
            Err(e) => {
                broken = true;
                println!("{f}\terror: {e}\t{ms:.1} ms");
            }
        }
    }
    if broken {
        std::process::exit(1);
    }
}
