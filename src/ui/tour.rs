//! A built-in scenario's guided tour: its beats (the chapters on the
//! timeline) one at a time, each with a caption and often a question for
//! the class. "Next" plays on to the next beat and pauses there; "Back"
//! returns to the previous one exactly, by time travel.

use super::cmd::{on, Cmd};
use super::state::AppState;
use crate::i18n::{tr, trf};
use leptos::prelude::*;

/// The caption box with its two buttons (hidden when the run has no tour).
#[component]
pub fn Tour() -> impl IntoView {
    let s = expect_context::<AppState>();
    let n = move || {
        s.about.track();
        s.beats().len()
    };
    // The beat shown: 1..=n, 0 before the first.
    let at = move || s.beat_at(s.now.get()).map_or(0, |i| i + 1);
    let caption = move || match at() {
        0 => trf(
            "A guided tour in {0} steps: press Next.",
            &[&n().to_string()],
        ),
        i => s
            .beats()
            .get(i - 1)
            .map_or(String::new(), |b| format!("{i}/{} · {}", n(), tr(b.2))),
    };
    view! {
        <div
            class="rv-card rv-tour"
            data-testid="tour"
            role="region"
            aria-label=tr("Guided tour")
            hidden=move || n() == 0
            data-beats=move || n().to_string()
            data-beat=move || at().to_string()
        >
            <p class="rv-tour-caption" aria-live="polite">{caption}</p>
            <span class="rv-tour-nav">
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
