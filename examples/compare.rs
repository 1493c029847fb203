//! Compare configurations by what a run measures (issue 17): each
//! configuration is a built-in scenario, optionally with settings changed
//! (`mysql-async-loss?rpl_semi_sync_source_enabled=true`), run over many
//! seeds with its script kept at its times; the table gives each metric's
//! mean and standard deviation per configuration, so a lecture's numbers
//! can be reproduced from the command line.
//!
//! ```text
//! cargo run --release --example compare -- [--seeds N] [--secs S] [--clients C] CONFIG...
//! cargo run --release --example compare -- --seeds 50 \
//!     mysql-async-loss 'mysql-async-loss?rpl_semi_sync_source_enabled=true'
//! ```
//!
//! Seeds are 1..=N (the scenario's own seed is replaced); a run lasts S
//! seconds of simulated time (default: the scenario's script end + 10 s);
//! `--clients C` gives the scenario a workload of C clients (its own
//! workload's other settings, by default an operation every 300 ms, half
//! of them reads).
//!
//! `--builtin ID` prints a built-in comparison instead (`src/comparisons.rs`:
//! one role-based fault script and workload against each of its panes):
//!
//! ```text
//! cargo run --release --example compare -- --seeds 30 --builtin compare-durability
//! ```

use replviz::compare::{cell, config, rows, run};
use replviz::comparisons::{find, measure_pane, COMPARISONS};

fn main() {
    let mut seeds = 20u64;
    let mut secs: Option<u64> = None;
    let mut clients: Option<u32> = None;
    let mut configs = Vec::new();
    let mut builtin: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seeds" => seeds = number(args.next(), "--seeds"),
            "--secs" => secs = Some(number(args.next(), "--secs")),
            "--clients" => clients = Some(number(args.next(), "--clients") as u32),
            "--builtin" => builtin = args.next(),
            "-h" | "--help" => return usage(),
            _ => configs.push(a),
        }
    }
    let mut columns = Vec::new();
    if let Some(id) = builtin {
        let Some(c) = find(&id) else {
            eprintln!("no built-in comparison \"{id}\"");
            return usage();
        };
        println!("{}\n{}\n", c.title, c.about);
        for p in c.panes {
            configs.push(p.label.to_string());
            let runs = (1..=seeds).map(|seed| measure_pane(c, p, seed));
            match runs.collect::<Result<Vec<_>, _>>() {
                Ok(r) => columns.push(r),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
    } else if configs.is_empty() {
        return usage();
    }
    for c in configs.iter().skip(columns.len()) {
        match config(c, secs, clients) {
            Ok(cfg) => columns.push((1..=seeds).map(|seed| run(&cfg, seed)).collect::<Vec<_>>()),
            Err(e) => {
                eprintln!("{c}: {e}");
                std::process::exit(2);
            }
        }
    }
    let width = configs.iter().map(|c| c.len()).max().unwrap_or(0).max(16);
    println!("mean ± sd over {seeds} seeds (* the better figure)");
    print!("{:<20}", "metric");
    for c in &configs {
        print!(" {c:>width$}");
    }
    println!();
    for row in rows(&columns) {
        print!("{:<20}", row.metric);
        for (c, best) in row.cells.iter().zip(&row.best) {
            let mark = if *best { "*" } else { "" };
            print!(" {:>width$}", format!("{mark}{}", cell(row.metric, *c)));
        }
        println!();
    }
}

fn usage() {
    eprintln!(
        "usage: compare [--seeds N] [--secs S] [--clients C] SCENARIO[?setting=value&...]..."
    );
    eprintln!("       compare [--seeds N] --builtin COMPARISON");
    eprintln!("scenarios: {}", replviz::scenarios::ids().join(" "));
    let ids: Vec<&str> = COMPARISONS.iter().map(|c| c.id).collect();
    eprintln!("comparisons: {}", ids.join(" "));
}

fn number(v: Option<String>, flag: &str) -> u64 {
    match v.as_deref().map(str::parse) {
        Some(Ok(n)) if n > 0 => n,
        _ => {
            eprintln!("{flag} takes a positive whole number");
            std::process::exit(2);
        }
    }
}
