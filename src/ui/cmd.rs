//! One click-handler type for the page's plain buttons. Each button names a
//! [`Cmd`] and gets its handler from [`on`]: every distinct closure given
//! to `on:click` is compiled into its own copy of Leptos's event plumbing,
//! so one closure type for all of them keeps the bundle smaller.

use super::state::AppState;
use crate::sim::Time;

/// What a plain button does.
#[derive(Clone, Copy)]
pub enum Cmd {
    /// ▶ Play.
    Play,
    /// ❚❚ Pause.
    Pause,
    /// Step one event.
    Step,
    /// Heal every link.
    HealAll,
    /// Add the first server off the ring.
    AddServer,
    /// Dismiss the error banner.
    DismissErrors,
    /// Copy a link to this moment.
    CopyLink,
    /// Download the scenario as JSON.
    ExportScenario,
    /// Download the trace as JSON.
    ExportTrace,
    /// Download the cluster as SVG.
    ExportSvg,
    /// Download the cluster as PNG.
    ExportPng,
    /// Go back one event.
    StepBack,
    /// Go to the end of what has been simulated.
    SeekEnd,
    /// Bring back the run before a change in the past.
    UndoFork,
    /// Close the node or link menu.
    CloseMenu,
    /// Go to a time.
    Seek(Time),
    /// A tour's next beat.
    TourNext,
    /// A tour's previous beat.
    TourBack,
    /// Presenter mode on or off.
    Presenter,
    /// Copy an `<iframe>` for this page.
    CopyEmbed,
    /// Writing a tour on or off.
    TourRecord,
    /// Add a beat at the cursor (asks for its caption).
    AddBeat,
    /// Delete the beat shown.
    DeleteBeat,
    /// Open this scenario in compare mode.
    Compare,
}

/// The click handler for `c`.
pub fn on(s: AppState, c: Cmd) -> impl Fn(web_sys::MouseEvent) + Copy + 'static {
    move |_| run(s, c)
}

/// Do what `c` says.
pub fn run(s: AppState, c: Cmd) {
    use leptos::prelude::*;
    match c {
        Cmd::Play => s.playing.set(true),
        Cmd::Pause => s.playing.set(false),
        Cmd::Step => s.step_once(),
        Cmd::HealAll => s.act(crate::sim::Action::HealAll),
        Cmd::AddServer => s.change_membership(true, None),
        Cmd::DismissErrors => s.errors.set(Vec::new()),
        Cmd::CopyLink => super::share::copy_link(s),
        Cmd::ExportScenario => super::share::export_scenario(s),
        Cmd::ExportTrace => super::share::export_trace(s),
        Cmd::ExportSvg => super::share::export_svg("[data-testid=cluster]", "cluster.svg"),
        Cmd::ExportPng => super::share::export_png(),
        Cmd::StepBack => s.step_back(),
        Cmd::SeekEnd => s.seek(s.frontier.get_untracked()),
        Cmd::UndoFork => s.undo_fork(),
        Cmd::CloseMenu => s.menu.set(None),
        Cmd::Seek(t) => s.seek(t),
        Cmd::TourNext => s.tour_next(),
        Cmd::TourBack => s.tour_back(),
        Cmd::Presenter => s.presenter.update(|p| *p = !*p),
        Cmd::CopyEmbed => super::share::copy_embed(s),
        Cmd::TourRecord => s.authoring.update(|a| *a = !*a),
        Cmd::AddBeat => super::tour::add_beat(s),
        Cmd::DeleteBeat => s.delete_beat(),
        Cmd::Compare => super::share::open_compare(s),
    }
}

/// For a click handled once for many markup buttons: the element the click
/// landed in that carries `attr` (the clicked one or its nearest ancestor).
pub fn clicked(ev: &web_sys::Event, attr: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest(&format!("[{attr}]")).ok().flatten())
}

/// [`clicked`]'s value of `attr`.
pub fn clicked_value(ev: &web_sys::Event, attr: &str) -> Option<String> {
    clicked(ev, attr).and_then(|e| e.get_attribute(attr))
}
