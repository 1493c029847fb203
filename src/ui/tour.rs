//! A guided tour: beats (a built-in scenario's chapters, or a tour a
//! teacher wrote) one at a time, each with a caption and often a question
//! for the class. "Next" plays on to the next beat and pauses there;
//! "Back" returns to the previous one exactly, by time travel. Writing a
//! tour ("✎ Tour"): run or step to a moment, "Add a beat here" asks for
//! its caption; "Delete this beat" removes the beat shown. Beats play in
//! time order (to move one, delete it and add it at its new moment); the
//! tour travels in the scenario, so "Copy link" shares it.

use super::cmd::{on, Cmd};
use super::state::AppState;
use crate::i18n::{tr, tr_dyn, trf};
use leptos::prelude::*;

/// The caption box with its buttons (hidden when the run has no tour and
/// none is being written).
#[component]
pub fn Tour() -> impl IntoView {
    let s = expect_context::<AppState>();
    let n = move || s.tour().len();
    // The beat shown: 1..=n, 0 before the first.
    let at = move || s.beat_at(s.now.get()).map_or(0, |i| i + 1);
    let caption = move || match at() {
        0 if n() == 0 => tr("No beats yet: go to a moment and add one.").to_string(),
        0 => trf(
            "A guided tour in {0} steps: press Next.",
            &[&n().to_string()],
        ),
        i => s
            .tour()
            .get(i - 1)
            .map_or(String::new(), |b| format!("{i}/{} · {}", n(), tr_dyn(&b.1))),
    };
    let writing = move || !s.authoring.get();
    view! {
        <div
            class="rv-card rv-tour"
            data-testid="tour"
            role="region"
            aria-label=tr("Guided tour")
            hidden=move || n() == 0 && !s.authoring.get()
            data-beats=move || n().to_string()
            data-beat=move || at().to_string()
        >
            <p class="rv-tour-caption" aria-live="polite">{caption}</p>
            <span class="rv-tour-nav">
                <button data-testid="btn-tour-add-beat" class="rv-btn" hidden=writing on:click=on(s, Cmd::AddBeat)>
                    {tr("+ Add a beat here")}
                </button>
                <button data-testid="btn-tour-delete-beat" class="rv-btn" hidden=writing disabled=move || at() == 0 on:click=on(s, Cmd::DeleteBeat)>
                    {tr("Delete this beat")}
                </button>
                <button data-testid="btn-tour-back" class="rv-btn" disabled=move || s.now.get() == 0 on:click=on(s, Cmd::TourBack)>
                    {tr("‹ Back")}
                </button>
                <button data-testid="btn-tour-next" class="rv-btn rv-primary" disabled=move || { at() >= n() } on:click=on(s, Cmd::TourNext)>
                    {tr("Next ›")}
                </button>
            </span>
        </div>
    }
}

/// Ask for a caption and add a beat at the cursor.
pub fn add_beat(s: AppState) {
    let t = crate::geometry::Fx(s.now.get_untracked() as f64 / 1e6, 3).to_string();
    let asked = web_sys::window().and_then(|w| {
        w.prompt_with_message_and_default(&trf("Caption for the beat at {0} s:", &[&t]), "")
            .ok()
            .flatten()
    });
    if let Some(text) = asked
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
    {
        s.add_beat(text);
    }
}
