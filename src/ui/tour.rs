//! A guided tour: beats (a built-in scenario's chapters, or a tour a
//! teacher wrote) one at a time, each with a caption and often a question
//! for the class. "Next" plays on to the next beat and pauses there;
//! "Back" returns to the previous one exactly, by time travel. Writing a
//! tour ("✎ Tour"): run or step to a moment, "Add a beat here" asks for
//! its caption; "Delete this beat" removes the beat shown. Beats play in
//! time order (to move one, delete it and add it at its new moment); the
//! tour travels in the scenario, so "Copy link" shares it.

use super::cmd::{clicked_value, Cmd};
use super::state::AppState;
use crate::i18n::{tr, tr_dyn, trf};
use leptos::prelude::*;

/// The caption box with its buttons (none when the run has no tour and
/// none is being written). It is one piece of markup, made again only when
/// it changes (at a beat, not every frame): far less code than a view
/// with a reactive attribute per button.
#[component]
pub fn Tour() -> impl IntoView {
    let s = expect_context::<AppState>();
    let html = Memo::new(move |_| markup(s));
    view! {
        <div class="rv-tour-wrap" aria-live="polite" inner_html=html on:click=move |ev| {
            let cmd = match clicked_value(&ev, "data-cmd").as_deref() {
                Some("next") => Cmd::TourNext,
                Some("back") => Cmd::TourBack,
                Some("add") => Cmd::AddBeat,
                Some("delete") => Cmd::DeleteBeat,
                _ => return,
            };
            super::cmd::run(s, cmd);
        }></div>
    }
}

/// The tour box: the beat shown (`data-beat`, 1..=n, 0 before the first),
/// its caption and the buttons.
fn markup(s: AppState) -> String {
    let tour = s.tour();
    let n = tour.len();
    let writing = s.authoring.get();
    if n == 0 && !writing {
        return String::new();
    }
    let at = s.beat_at(s.now.get()).map_or(0, |i| i + 1);
    let caption = match at {
        0 if n == 0 => tr("No beats yet: go to a moment and add one.").to_string(),
        0 => trf("A guided tour in {0} steps: press Next.", &[&n.to_string()]),
        i => tour
            .get(i - 1)
            .map_or(String::new(), |b| format!("{i}/{n} · {}", tr_dyn(&b.1))),
    };
    let button = |id: &str, cmd: &str, show: bool, on: bool, text: &'static str| {
        format!(
            "<button data-testid=\"btn-tour-{id}\" data-cmd=\"{cmd}\" class=\"rv-btn{}\"{}{}>{}</button>",
            if cmd == "next" { " rv-primary" } else { "" },
            if show { "" } else { " hidden" },
            if on { "" } else { " disabled" },
            tr(text)
        )
    };
    format!(
        "<div class=\"rv-card rv-tour\" data-testid=\"tour\" role=\"region\" aria-label=\"{}\" data-beats=\"{n}\" data-beat=\"{at}\"><p class=\"rv-tour-caption\">{}</p><span class=\"rv-tour-nav\">{}{}{}{}</span></div>",
        tr("Guided tour"),
        super::panels::esc(&caption),
        button("add-beat", "add", writing, true, crate::en!("+ Add a beat here")),
        button("delete-beat", "delete", writing, at > 0, crate::en!("Delete this beat")),
        button("back", "back", true, s.now.get() > 0, crate::en!("‹ Back")),
        button("next", "next", true, at < n, crate::en!("Next ›")),
    )
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
