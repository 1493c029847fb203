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

use replviz::measure::{measure, RunMetrics};
use replviz::scenario::FLOATING;
use replviz::timeline::Timeline;

fn main() {
    let mut seeds = 20u64;
    let mut secs: Option<u64> = None;
    let mut clients: Option<u32> = None;
    let mut configs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seeds" => seeds = number(args.next(), "--seeds"),
            "--secs" => secs = Some(number(args.next(), "--secs")),
            "--clients" => clients = Some(number(args.next(), "--clients") as u32),
            "-h" | "--help" => return usage(),
            _ => configs.push(a),
        }
    }
    if configs.is_empty() {
        return usage();
    }
    let mut columns = Vec::new();
    for c in &configs {
        match run_config(c, seeds, secs, clients) {
            Ok(runs) => columns.push((c.clone(), runs)),
            Err(e) => {
                eprintln!("{c}: {e}");
                std::process::exit(2);
            }
        }
    }
    print_table(&columns, seeds);
}

fn usage() {
    eprintln!(
        "usage: compare [--seeds N] [--secs S] [--clients C] SCENARIO[?setting=value&...]..."
    );
    eprintln!("scenarios: {}", replviz::scenarios::ids().join(" "));
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

/// Every seed's metrics of one configuration.
fn run_config(
    config: &str,
    seeds: u64,
    secs: Option<u64>,
    clients: Option<u32>,
) -> Result<Vec<RunMetrics>, String> {
    let (id, changes) = config.split_once('?').unwrap_or((config, ""));
    let mut base = replviz::scenarios::build(id).ok_or_else(|| {
        format!(
            "no built-in scenario \"{id}\" (known: {})",
            replviz::scenarios::ids().join(", ")
        )
    })?;
    for change in changes.split('&').filter(|c| !c.is_empty()) {
        let (name, value) = change
            .split_once('=')
            .ok_or_else(|| format!("\"{change}\" is not setting=value"))?;
        if base.flags().iter().any(|f| f.0 == name) {
            base.set_flag(name, value == "true" || value == "on" || value == "1");
        } else {
            base.set_param(name, value)?;
        }
    }
    if let Some(n) = clients {
        base.workload.clients = n;
        base.workload.check()?;
    }
    // The script stays at its times whatever the seed does to the steps.
    for a in &mut base.actions {
        a.step = FLOATING;
    }
    let last = base.actions.iter().map(|a| a.t).max().unwrap_or(0);
    let until = secs.map_or(last + 10_000_000, |s| s * 1_000_000);
    Ok((1..=seeds)
        .map(|seed| {
            let mut s = base.clone();
            s.seed = seed;
            let mut tl = Timeline::new(s);
            tl.advance_to(until);
            measure(tl.engine(), tl.trace())
        })
        .collect())
}

/// Mean and standard deviation.
fn spread(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn print_table(columns: &[(String, Vec<RunMetrics>)], seeds: u64) {
    let names: Vec<&str> = RunMetrics::default()
        .named()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let width = columns
        .iter()
        .map(|(c, _)| c.len())
        .max()
        .unwrap_or(0)
        .max(16);
    println!("mean ± sd over {seeds} seeds");
    print!("{:<20}", "metric");
    for (c, _) in columns {
        print!(" {c:>width$}");
    }
    println!();
    for (k, name) in names.iter().enumerate() {
        print!("{name:<20}");
        for (_, runs) in columns {
            let xs: Vec<f64> = runs.iter().map(|m| m.named()[k].1).collect();
            let (mean, sd) = spread(&xs);
            let cell = if *name == "availability" {
                format!("{:.1}% ± {:.1}", mean * 100.0, sd * 100.0)
            } else {
                format!("{mean:.1} ± {sd:.1}")
            };
            print!(" {cell:>width$}");
        }
        println!();
    }
}
