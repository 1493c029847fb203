//! Keyboard shortcuts for driving the simulation in front of a class:
//! Space plays/pauses, ← and → step back and forward one event, Home and End
//! jump to the start and the end of what has been simulated, Escape closes a
//! menu. Keys typed into inputs are left alone. PageDown and PageUp move
//! through a tour's beats; in presenter mode → and ← do too, F toggles
//! fullscreen, B blanks the screen and Escape leaves the mode.
//!
//! The cluster by keyboard: Tab reaches every server, link and client;
//! Enter opens the focused one's menu with its first action focused; ↑ and
//! ↓ move within the menu; Escape closes it and gives the focus back.

use super::state::{AppState, Menu};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Install the shortcuts for the lifetime of the app.
pub fn use_shortcuts(s: AppState) {
    let handle = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        let target = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let tag = target.as_ref().map(|el| el.tag_name()).unwrap_or_default();
        // Typing into a field; a focused button takes Space itself.
        let field = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
        let typing = field || tag == "BUTTON";
        if e.key() == "Escape" {
            // Closes a node or link menu and the Settings panel, wherever
            // the focus is, and gives the focus back to what the menu was for;
            // with none open, it leaves presenter mode.
            if let Some(m) = s.menu.get_untracked() {
                s.menu.set(None);
                focus(&menu_owner(m));
            } else if s.presenter.get_untracked() {
                s.presenter.set(false);
                s.blank.set(false);
            }
            s.settings_open.set(false);
            return;
        }
        if let Some(el) = &target {
            if e.key() == "Enter" {
                if let Some(m) = el.get_attribute("data-testid").and_then(|t| menu_of(&t)) {
                    s.menu.set(Some(m));
                    // The menu is drawn after this handler: focus it then.
                    request_animation_frame(|| focus("[data-testid=menu] button:not([disabled])"));
                    e.prevent_default();
                    return;
                }
            }
            let step = match e.key().as_str() {
                "ArrowDown" => 1,
                "ArrowUp" => -1,
                _ => 0,
            };
            if step != 0 && el.closest("[data-testid=menu]").ok().flatten().is_some() {
                move_in_menu(el, step);
                e.prevent_default();
                return;
            }
        }
        if e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        // A tour's keys work with a button focused (the one just clicked),
        // not while typing into a field.
        let presenter = s.presenter.get_untracked();
        let handled = match e.key().as_str() {
            _ if field => false,
            "PageDown" => {
                s.tour_next();
                true
            }
            "PageUp" => {
                s.tour_back();
                true
            }
            "ArrowRight" if presenter => {
                s.tour_next();
                true
            }
            "ArrowLeft" if presenter => {
                s.tour_back();
                true
            }
            "f" | "F" if presenter => {
                fullscreen();
                true
            }
            "b" | "B" if presenter => {
                s.blank.update(|b| *b = !*b);
                true
            }
            _ if typing => false,
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

/// Fullscreen on or off (presenter mode's F).
fn fullscreen() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    } else if let Some(el) = doc.document_element() {
        el.request_fullscreen().ok();
    }
}

/// The menu of the element a `data-testid` names: `node-3`, `link-1-2`,
/// `client-2` (a client's links: `link-c2-3` too).
pub(super) fn menu_of(testid: &str) -> Option<Menu> {
    if let Some(id) = testid.strip_prefix("node-") {
        return id.parse().ok().map(Menu::Node);
    }
    if let Some(c) = testid.strip_prefix("client-") {
        return c.parse().ok().map(Menu::Client);
    }
    let (a, b) = testid.strip_prefix("link-")?.split_once('-')?;
    match a.strip_prefix('c') {
        Some(c) => c.parse().ok().map(Menu::Client),
        None => Some(Menu::Link(a.parse().ok()?, b.parse().ok()?)),
    }
}

/// Where the focus goes back when menu `m` closes.
fn menu_owner(m: Menu) -> String {
    match m {
        Menu::Node(id) => format!("[data-testid=node-{id}]"),
        Menu::Link(a, b) => format!("[data-testid=link-{a}-{b}]"),
        Menu::Client(c) => format!("[data-testid=client-{c}]"),
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// Any element with `focus()` (SVG ones too: web-sys binds it to
    /// HTMLElement only).
    type Focusable;
    #[wasm_bindgen(method, structural)]
    fn focus(this: &Focusable);
}

fn focus_el(el: &web_sys::Element) {
    el.unchecked_ref::<Focusable>().focus();
}

/// Focus the first element matching `selector`.
fn focus(selector: &str) {
    if let Some(el) = document().query_selector(selector).ok().flatten() {
        focus_el(&el);
    }
}

/// Focus the next (`step` 1) or previous (-1) enabled button of the menu
/// holding `el`, wrapping around.
fn move_in_menu(el: &web_sys::Element, step: i32) {
    let Ok(items) = document().query_selector_all("[data-testid=menu] button:not([disabled])")
    else {
        return;
    };
    let n = items.length();
    if n == 0 {
        return;
    }
    let node: &web_sys::Node = el;
    let at = (0..n).find(|&i| items.get(i).is_some_and(|x| x == *node));
    let next = match at {
        Some(i) => (i as i32 + step).rem_euclid(n as i32) as u32,
        None => 0,
    };
    if let Some(x) = items
        .get(next)
        .and_then(|x| x.dyn_into::<web_sys::Element>().ok())
    {
        focus_el(&x);
    }
}
