//! A long press on a touch screen opens the menu of the server, link or
//! client under the finger. Chrome on Android sends `contextmenu` for a
//! long press (handled where the click is), but iOS Safari sends none, so
//! the page times the touch itself: held for [`LONG_PRESS_MS`] without
//! moving more than [`SLOP_PX`], it opens the menu, and the touch's end then
//! makes no click (a tap still is a click, as everywhere).
//!
//! One listener on the document takes the four touch events and one
//! browser timeout times the press (a typed handler per event on the
//! cluster and a timer crate cost 1.7 KiB of bundle).

use super::state::{AppState, Menu};
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// How long a touch is held before it opens a menu (iOS's own long press
/// is about half a second).
pub const LONG_PRESS_MS: i32 = 500;

/// How far (CSS px) a held touch may move and still be a press, not a drag.
const SLOP_PX: f64 = 10.0;

/// The touch being held: the menu it will open, where it began, the
/// browser's timeout (0: none) and whether the menu has opened.
#[derive(Clone, Copy, Default)]
struct Press {
    menu: Option<Menu>,
    at: (f64, f64),
    timer: i32,
    fired: bool,
}

thread_local! {
    static PRESS: RefCell<Press> = RefCell::default();
}

/// Where the event's first touch is (client px).
fn touch_xy(ev: &web_sys::Event) -> Option<(f64, f64)> {
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    let touch = get(ev, "touches").and_then(|t| get(&t, "0"))?;
    Some((
        get(&touch, "clientX")?.as_f64()?,
        get(&touch, "clientY")?.as_f64()?,
    ))
}

/// The menu of what the touch is on: the server, link or client whose
/// element (`node-3`, `link-1-2`, `client-2`) holds it, named as the
/// keyboard names it ([`super::keys::menu_of`]).
fn menu_under(ev: &web_sys::Event) -> Option<Menu> {
    super::keys::menu_of(&super::cmd::clicked_value(ev, "data-testid")?)
}

/// Forget the touch, clearing its timeout.
fn cancel(w: &web_sys::Window) {
    let p = PRESS.with(|p| p.replace(Press::default()));
    if p.timer != 0 {
        w.clear_timeout_with_handle(p.timer);
    }
}

/// Listen for touches on the page (once, at start).
pub fn install(s: AppState) {
    let Some(w) = web_sys::window() else { return };
    let Some(doc) = w.document() else { return };
    // The press's timeout: open the menu it is on.
    let fire: js_sys::Function = Closure::<dyn Fn()>::new(move || {
        let menu = PRESS.with(|p| {
            let mut p = p.borrow_mut();
            p.fired = true;
            p.menu
        });
        s.menu.set(menu);
    })
    .into_js_value()
    .unchecked_into();
    let on = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        let Some(w) = web_sys::window() else { return };
        match ev.type_().as_str() {
            // A touch began: time it if it is on something with a menu.
            "touchstart" => {
                cancel(&w);
                if let (Some(menu), Some(at)) = (menu_under(&ev), touch_xy(&ev)) {
                    let timer = w
                        .set_timeout_with_callback_and_timeout_and_arguments_0(&fire, LONG_PRESS_MS)
                        .unwrap_or(0);
                    PRESS.with(|p| {
                        p.replace(Press {
                            menu: Some(menu),
                            at,
                            timer,
                            fired: false,
                        })
                    });
                }
            }
            // Moved farther than SLOP_PX: a drag, not a press.
            "touchmove" => {
                let (x0, y0) = PRESS.with(|p| p.borrow().at);
                if touch_xy(&ev).is_some_and(|(x, y)| {
                    (x - x0) * (x - x0) + (y - y0) * (y - y0) > SLOP_PX * SLOP_PX
                }) {
                    cancel(&w);
                }
            }
            // Ended or cancelled: after a press that opened a menu, the
            // touch makes no click (which would act on what is under it).
            _ => {
                if PRESS.with(|p| p.borrow().fired) {
                    ev.prevent_default();
                }
                cancel(&w);
            }
        }
    });
    for kind in ["touchstart", "touchmove", "touchend", "touchcancel"] {
        let _ = doc.add_event_listener_with_callback(kind, on.as_ref().unchecked_ref());
    }
    // The page's listener lives as long as the page.
    on.forget();
}
