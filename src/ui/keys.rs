//! Keyboard shortcuts for driving the simulation in front of a class:
//! Space plays/pauses, ← and → step back and forward one event, Home and End
//! jump to the start and the end of what has been simulated, Escape closes a
//! menu. Keys typed into inputs are left alone.

use super::state::AppState;
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Install the shortcuts for the lifetime of the app.
pub fn use_shortcuts(s: AppState) {
    let handle = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        let typing = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|el| {
                matches!(
                    el.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                )
            })
            .unwrap_or(false);
        if e.key() == "Escape" {
            // Closes a node or link menu and the Settings panel, wherever
            // the focus is.
            s.menu.set(None);
            s.settings_open.set(false);
            return;
        }
        if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let handled = match e.key().as_str() {
            " " => {
                s.playing.update(|p| *p = !*p);
                true
            }
            "ArrowRight" => {
                s.step_once();
                true
            }
            "ArrowLeft" => {
                s.step_back();
                true
            }
            "Home" => {
                s.seek(0);
                true
            }
            "End" => {
                s.seek(s.frontier.get_untracked());
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}
