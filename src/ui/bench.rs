//! The browser benchmarks and the frozen-run check, built only with the
//! `browser-bench` feature (`scripts/trunk.sh --features browser-bench
//! --dist dist-bench`, which the tests and `scripts/bench.sh` build beside
//! the release bundle): the app's own bundle carries no test hooks (1.5 KiB
//! gzip). The engines and the kernel are the same code in both builds.

/// Run the benchmark `?bench=` names, if any (true: the page is its).
pub fn run(search: &str) -> bool {
    if search.contains("bench=sim") {
        // `&only=raft`: one protocol (to profile it alone).
        let only = search
            .split_once("only=")
            .map(|(_, p)| p.split('&').next().unwrap_or(p));
        run_sim_bench(only);
    } else if search.contains("bench=history") {
        run_history_bench();
    } else if search.contains("bench=frozen") {
        wasm_bindgen_futures::spawn_local(run_frozen_check());
    } else {
        return false;
    }
    true
}

/// `?bench=sim`: the same workload as `cargo bench --bench sim`, timed with
/// `performance.now()`, written to `data-testid="bench-result"` as one line
/// per protocol: `name events wall_ms`.
fn run_sim_bench(only: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let now = || window.performance().map(|p| p.now()).unwrap_or(0.0);
    // A short untimed round first: V8 runs wasm on its baseline compiler
    // until a function is hot, so the first protocol timed (Raft) measured
    // its compile tiers more than its speed (0.17-0.22x against 0.34-0.45x
    // for the rest).
    for p in crate::protocols::ProtocolKind::all() {
        crate::bench::steady_load(p, crate::sim::TraceMode::HashOnly, 5);
    }
    // The best of five rounds (one round is 30-100 ms, and a busy machine
    // moved single rounds by 10-30 %); `native_load` does the same.
    let mut lines = Vec::new();
    for p in crate::protocols::ProtocolKind::all().filter(|p| only.is_none_or(|o| o == p.name())) {
        let (mut events, mut best) = (0, f64::MAX);
        for _ in 0..crate::bench::ROUNDS {
            let start = now();
            events = crate::bench::steady_load(p, crate::sim::TraceMode::HashOnly, 60).0;
            best = best.min(now() - start);
        }
        lines.push(format!(
            "{} {events} {}",
            p.name(),
            crate::geometry::Fx(best, 1)
        ));
    }
    if let Some(doc) = window.document() {
        if let Ok(pre) = doc.create_element("pre") {
            pre.set_attribute("data-testid", "bench-result").ok();
            pre.set_text_content(Some(&lines.join("\n")));
            if let Some(body) = doc.body() {
                body.append_child(&pre).ok();
            }
        }
    }
}

/// `?bench=frozen`: replay the frozen runs of `tests/fixtures/frozen.txt`
/// (its text in `window.frozenRuns`, set by the end-to-end test) in the
/// page and write each run's trace hash (decimal) or its error to
/// `data-testid="bench-result"`, one line per run. The browser build's
/// standard library differs from the native one (`scripts/trunk.sh`), so
/// this is what shows that a link replays in the page exactly as in the
/// native tests.
async fn run_frozen_check() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let text = js_sys::Reflect::get(&window, &"frozenRuns".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let mut lines = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (Some(name), Some(t), Some(link)) = (f.first(), f.get(1), f.get(3)) else {
            lines.push("? malformed line".to_string());
            continue;
        };
        let hash = match (super::share::open_link(link).await, t.parse::<u64>()) {
            (Ok(p), Ok(t)) => {
                let mut tl = crate::timeline::Timeline::new(p.s);
                tl.advance_to(t);
                tl.engine().trace_hash().to_string()
            }
            (Err(e), _) => format!("error: {e}"),
            (_, Err(_)) => "error: bad time".to_string(),
        };
        lines.push(format!("{name}\t{hash}"));
    }
    if let Some(doc) = window.document() {
        if let Ok(pre) = doc.create_element("pre") {
            pre.set_attribute("data-testid", "bench-result").ok();
            pre.set_text_content(Some(&lines.join("\n")));
            if let Some(body) = doc.body() {
                body.append_child(&pre).ok();
            }
        }
    }
}

/// `?bench=history`: a 10-minute Raft run with four clients, then its
/// history checked as the page checks it; `data-testid="bench-result"` gets
/// `operations sim_ms check_ms verdict`.
fn run_history_bench() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let now = || window.performance().map(|p| p.now()).unwrap_or(0.0);
    let raft = crate::protocols::ProtocolKind::default();
    let start = now();
    let sim = crate::bench::clients_run(raft, 600);
    let simulated = now() - start;
    let start = now();
    let lin = crate::history::linear::check(sim.history());
    let sessions = crate::history::session::check(sim.history());
    let checked = now() - start;
    let verdict = match (lin, sessions) {
        (crate::history::linear::Verdict::Linearizable, None) => "ok",
        _ => "anomaly",
    };
    let line = format!(
        "{} {} {} {verdict}",
        sim.history().len(),
        crate::geometry::Fx(simulated, 1),
        crate::geometry::Fx(checked, 1)
    );
    if let Some(doc) = window.document() {
        if let Ok(pre) = doc.create_element("pre") {
            pre.set_attribute("data-testid", "bench-result").ok();
            pre.set_text_content(Some(&line));
            if let Some(body) = doc.body() {
                body.append_child(&pre).ok();
            }
        }
    }
}
