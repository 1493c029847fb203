//! The browser UI: Leptos 0.8 client-side components over a type-erased
//! [`crate::engine::Engine`].
//!
//! The UI never mutates engine state directly: clicks become
//! [`crate::sim::Action`]s that are recorded in the scenario and applied by
//! the kernel. Animation is driven by `requestAnimationFrame` and
//! interpolated from virtual time; components are keyed so that a frame only
//! touches the attributes that depend on the clock.

#[cfg(feature = "browser-bench")]
mod bench;
mod cluster;
mod cmd;
mod compare;
mod controls;
mod history;
mod keys;
mod lang;
mod panels;
mod press;
mod share;
mod state;
mod timeline_bar;
mod tour;

use crate::i18n::tr;
use cmd::{on, Cmd};
use leptos::prelude::*;
use state::AppState;

/// Mount the app (or, in the benchmark build, run a benchmark the query
/// names: [`bench`]). A panic is a trap in the browser build (see
/// `scripts/trunk.sh`); `index.html` turns it into a banner.
pub fn start() {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    #[cfg(feature = "browser-bench")]
    if bench::run(&search) {
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
        // The texts the bundle leaves out (the real systems' and the
        // built-in scenarios' explanations, chapters, settings' hints) are
        // fetched first.
        if !lang::abouts().await {
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
        press::install(state);
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
                <span class="rv-subtitle" data-testid="subtitle">{move || { let p = state.protocol.get(); format!("{} ({})", tr(p.title), p.text(p.source, "source")) }}</span>
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
