//! The language switch, and the texts the bundle leaves out. Which
//! language the page starts in, keeping the choice (`html[lang]`, local
//! storage, `?lang=` in the link) and fetching files from `i18n/` are a few
//! lines of script in `index.html` (`rvStart`, `rvLang`, `rvFetch`), far
//! cheaper there than in the bundle; this side loads the Chinese texts into
//! [`crate::i18n`] and draws the page again, and loads the built-in
//! scenarios' explanations before one is built.

use super::state::AppState;
use crate::i18n::{self, Lang};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Said when the scenarios' explanations could not be fetched.
pub const NO_ABOUTS: &str = "The scenarios' explanations could not be loaded (i18n/scenarios.json): the scenario runs without its text.";

const FAILED: &str =
    "The Chinese texts could not be loaded (i18n/zh.json); the page stays in English.";

/// Settle what `index.html` gave: a promise of the Chinese texts to
/// load, or anything else for English.
async fn settle(promise: JsValue) -> Result<Lang, String> {
    let texts = match promise.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .map_err(|_| FAILED.to_string())?,
        Err(_) => JsValue::NULL,
    };
    match texts.as_string() {
        Some(t) => {
            i18n::load_zh(&t)?;
            i18n::set_lang(Lang::Zh);
            Ok(Lang::Zh)
        }
        None => {
            i18n::set_lang(Lang::En);
            Ok(Lang::En)
        }
    }
}

fn window_get(name: &str) -> JsValue {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &name.into()).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// The language the page starts in (`rvStart`).
pub async fn start() -> Result<Lang, String> {
    settle(window_get("rvStart")).await
}

/// Read the built-in scenarios' explanations (`rvFetch`), once; false if
/// they could not be loaded.
pub async fn abouts() -> bool {
    if crate::scenarios::abouts_loaded() {
        return true;
    }
    let Ok(f) = window_get("rvFetch").dyn_into::<js_sys::Function>() else {
        return false;
    };
    let Ok(p) = f.call1(&JsValue::NULL, &"scenarios.json".into()) else {
        return false;
    };
    let Ok(p) = p.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    if let Some(t) = wasm_bindgen_futures::JsFuture::from(p)
        .await
        .ok()
        .and_then(|t| t.as_string())
    {
        crate::scenarios::load_abouts(&t);
    }
    crate::scenarios::abouts_loaded()
}

/// Put `l` in force (`rvLang`).
async fn switch(l: Lang) -> Result<Lang, String> {
    let f = window_get("rvLang")
        .dyn_into::<js_sys::Function>()
        .map_err(|_| FAILED.to_string())?;
    let p = f
        .call1(&JsValue::NULL, &l.code().into())
        .map_err(|_| FAILED.to_string())?;
    settle(p).await
}

/// The language menu in the header.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let s = expect_context::<AppState>();
    view! {
        <select
            data-testid="lang-switch"
            class="rv-lang"
            aria-label="Language / 语言"
            prop:value=i18n::lang().code()
            on:change=move |ev| {
                let Some(l) = Lang::parse(&event_target_value(&ev)) else { return };
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = switch(l).await {
                        s.errors.set(vec![e]);
                    }
                    super::mount(s);
                });
            }
        >
            <option value="en">"English"</option>
            <option value="zh">"中文"</option>
        </select>
    }
}
