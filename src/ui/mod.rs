//! The browser UI: Leptos 0.8 client-side components over a type-erased
//! [`crate::engine::Engine`].
//!
//! The UI never mutates engine state directly: clicks become
//! [`crate::sim::Action`]s that are recorded in the scenario and applied by
//! the kernel. Animation is driven by `requestAnimationFrame` and
//! interpolated from virtual time; components are keyed so that a frame only
//! touches the attributes that depend on the clock.

mod cluster;
mod cmd;
mod compare;
mod controls;
mod history;
mod keys;
mod lang;
mod panels;
mod share;
mod state;
mod timeline_bar;
mod tour;

use crate::i18n::tr;
use cmd::{on, Cmd};
use leptos::prelude::*;
use state::AppState;

/// Mount the app (or, with `?bench=sim`, run the throughput benchmark
/// instead). A panic is a trap in the browser build (see
/// `scripts/trunk.sh`); `index.html` turns it into a banner.
pub fn start() {
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
    if search.contains("bench=frozen") {
        wasm_bindgen_futures::spawn_local(run_frozen_check());
        return;
    }
    // The Chinese texts are fetched and a scenario link is inflated by the
    // browser (asynchronously) before the app starts with them.
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        let fail = |e: String| state::START_ERRORS.with(|l| l.borrow_mut().push(e));
        if let Err(e) = lang::start().await {
            fail(e);
        }
        // A compare page, or one of its panes (`?compare=`).
        let compare = crate::comparisons::request(&search).and_then(|r| r.map_err(fail).ok());
        let link = if hash.len() > 1 {
            Some(share::open_link(&hash).await)
        } else {
            None
        };
        // Built-in scenarios' and comparisons' texts are fetched first (a
        // built-in scenario's link: its chapters' texts).
        let built_in = link.as_ref().is_some_and(|l| {
            l.as_ref()
                .is_ok_and(|l| !crate::scenarios::chapters(&l.s.title).is_empty())
        });
        if (built_in || compare.is_some() || search.contains("preset=")) && !lang::abouts().await {
            fail(lang::NO_ABOUTS.into());
        }
        let opened = match compare {
            Some(r) => {
                // The link's scenario, else a fresh run as the query asks.
                let q = crate::scenario::parse_query(&search);
                let base = match link {
                    Some(Ok(l)) => l.s,
                    other => {
                        if let Some(Err(e)) = other {
                            fail(e.to_string());
                        }
                        crate::scenario::Scenario {
                            nodes: q.nodes,
                            seed: q.seed,
                            protocol: q.protocol,
                            ..Default::default()
                        }
                    }
                };
                let Some(i) = r.pane else {
                    return compare::mount(r, base);
                };
                Some(
                    r.pane_scenario(i, base)
                        .map(|s| crate::link::LinkPayload { s, at: 0 })
                        .map_err(crate::link::LinkError),
                )
            }
            None => link,
        };
        state::OPENED_LINK.with(|l| *l.borrow_mut() = opened);
        let state = AppState::new();
        state.start_loop();
        mount(state);
    });
}

thread_local! {
    /// The owner of everything the page's views create.
    static PAGE: std::cell::RefCell<Option<Owner>> = const { std::cell::RefCell::new(None) };
}

/// Draw the page for `state`, in place of the one drawn before (a language
/// change draws it again; the run, kept in `state`, goes on untouched).
/// The old page's reactive nodes are paused (an update already queued for
/// one of them must not run: it would read what is disposed) and disposed
/// with their owner, and its markup removed (cheaper for the bundle than
/// an unmount handle's typed drop).
pub(crate) fn mount(state: AppState) {
    if let Some(old) = PAGE.with(|p| p.borrow_mut().take()) {
        old.pause();
        old.cleanup();
    }
    if let Some(old) = document().query_selector(".rv-app").ok().flatten() {
        old.remove();
    }
    // Texts made outside the views (the lost-writes line) in the language now in force.
    state.refresh(true);
    let page = Owner::new();
    page.with(|| leptos::mount::mount_to_body(move || view! { <App state/> }));
    PAGE.with(|p| *p.borrow_mut() = Some(page));
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
        let hash = match (share::open_link(link).await, t.parse::<u64>()) {
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

/// The whole page.
#[component]
fn App(state: AppState) -> impl IntoView {
    provide_context(state);
    state.watch_menu();
    keys::use_shortcuts(state);
    let class = move || {
        format!(
            "rv-app{}{}{}{}",
            if state.presenter.get() {
                " rv-presenter"
            } else {
                ""
            },
            if state.blank.get() { " rv-blank" } else { "" },
            if state.embed { " rv-embed" } else { "" },
            if state.pane.is_some() {
                " rv-pane-mode"
            } else {
                ""
            },
        )
    };
    view! {
        <div class=class>
            <header class="rv-header">
                <h1>"replviz"</h1>
                <span class="rv-subtitle" data-testid="subtitle">{move || { let p = state.protocol.get(); format!("{} ({})", tr(p.title), p.source) }}</span>
                <share::ShareBar/>
                <button data-testid="btn-tour-record" class="rv-btn" aria-pressed=move || state.authoring.get().to_string() on:click=on(state, Cmd::TourRecord) title=tr("Write a tour for this run: add a caption at any moment; Copy link shares it")>
                    {tr("✎ Tour")}
                </button>
                <button data-testid="btn-compare" class="rv-btn" on:click=on(state, Cmd::Compare) title=tr("This scenario in two protocols side by side, under one clock (add panes, change their protocols)")>
                    {tr("Compare")}
                </button>
                <button data-testid="btn-presenter" class="rv-btn" on:click=on(state, Cmd::Presenter) title=tr("Large type, the tour's controls only; → next beat, ← back, F fullscreen, B blank, Escape leaves")>
                    {tr("Presenter")}
                </button>
                <lang::LangSwitch/>
            </header>
            <section aria-label=tr("Controls and timeline")>
                <panels::ErrorBanner/>
                <controls::Controls/>
                <timeline_bar::TimelineBar/>
            </section>
            <main class="rv-main">
                <section class="rv-cluster-wrap">
                    <cluster::Cluster/>
                    <panels::Legend/>
                </section>
                <section class="rv-side">
                    <div class="rv-side-main">
                        <tour::Tour/>
                        <share::About/>
                        <panels::Invariants/>
                        <panels::LogPanel/>
                        <panels::EventLog/>
                    </div>
                    <history::HistoryPanel/>
                </section>
            </main>
        </div>
    }
}
