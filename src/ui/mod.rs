//! The browser UI: Leptos 0.8 client-side components over a type-erased
//! [`crate::engine::Engine`].
//!
//! The UI never mutates engine state directly: clicks become
//! [`crate::sim::Action`]s that are recorded in the scenario and applied by
//! the kernel. Animation is driven by `requestAnimationFrame` and
//! interpolated from virtual time; components are keyed so that a frame only
//! touches the attributes that depend on the clock.

mod cluster;
mod controls;
mod history;
mod keys;
mod panels;
mod share;
mod state;
mod timeline_bar;

use leptos::prelude::*;
use state::AppState;

/// Install the panic hook and mount the app (or, with `?bench=sim`, run
/// the throughput benchmark instead).
pub fn start() {
    install_panic_hook();
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if search.contains("bench=sim") {
        run_sim_bench();
        return;
    }
    if search.contains("bench=history") {
        run_history_bench();
        return;
    }
    leptos::mount::mount_to_body(App);
}

/// `?bench=sim`: the same workload as `cargo bench --bench sim`, timed with
/// `performance.now()`, written to `data-testid="bench-result"` as one line
/// per protocol: `name events wall_ms`.
fn run_sim_bench() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let now = || window.performance().map(|p| p.now()).unwrap_or(0.0);
    let mut lines = Vec::new();
    for p in crate::protocols::ProtocolKind::all() {
        let start = now();
        let (events, _) = crate::bench::steady_load(p, crate::sim::TraceMode::HashOnly, 60);
        lines.push(format!(
            "{} {events} {}",
            p.name(),
            crate::geometry::Fx(now() - start, 1)
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

/// A panic in wasm kills the page; show a banner that says so instead of a
/// silently frozen picture, and keep the message in the console.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // The message and the JS stack to the console, as
        // console_error_panic_hook does (without the extra crate).
        let stack = js_sys::Reflect::get(&js_sys::Error::new(""), &"stack".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        web_sys::console::error_1(&format!("{info}\n\nStack:\n{stack}").into());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Ok(div) = doc.create_element("div") {
                div.set_id("panic-banner");
                div.set_attribute("data-testid", "panic-banner").ok();
                div.set_attribute("role", "alert").ok();
                div.set_text_content(Some(&format!(
                    "Internal error — the simulation stopped. Please reload the page and report this: {info}"
                )));
                if let Some(body) = doc.body() {
                    body.append_child(&div).ok();
                }
            }
        }
    }));
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    state.start_loop();
    state.watch_menu();
    keys::use_shortcuts(state);
    view! {
        <div class="rv-app">
            <header class="rv-header">
                <h1>"replviz"</h1>
                <span class="rv-subtitle" data-testid="subtitle">{move || { let p = state.protocol.get(); format!("{} ({})", p.title, p.source) }}</span>
                <share::ShareBar/>
            </header>
            <panels::ErrorBanner/>
            <controls::Controls/>
            <timeline_bar::TimelineBar/>
            <main class="rv-main">
                <section class="rv-cluster-wrap">
                    <cluster::Cluster/>
                    <panels::Legend/>
                </section>
                <section class="rv-side">
                    <share::About/>
                    <panels::Invariants/>
                    <history::HistoryPanel/>
                    <panels::LogPanel/>
                    <panels::EventLog/>
                </section>
            </main>
        </div>
    }
}
