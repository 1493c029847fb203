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

/// What `index.html` gave, a promise settled (anything else as it is).
async fn settled(v: JsValue) -> Result<JsValue, JsValue> {
    match v.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

/// Call the page's function `name` (from `index.html`) with `arg`.
fn call_page(name: &str, arg: &str) -> Option<JsValue> {
    let f = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &name.into()).ok())?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    f.call1(&JsValue::NULL, &arg.into()).ok()
}

/// Put in force what `index.html` gave: the Chinese texts to load (or a
/// promise of them), or anything else for English.
async fn settle(v: JsValue) -> Result<Lang, String> {
    let texts = settled(v).await.map_err(|_| FAILED.to_string())?;
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

/// The language the page starts in (`rvStart`).
pub async fn start() -> Result<Lang, String> {
    let start = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"rvStart".into()).ok())
        .unwrap_or(JsValue::UNDEFINED);
    settle(start).await
}

/// Read the built-in scenarios' explanations (`rvFetch`), once; false if
/// they could not be loaded.
pub async fn abouts() -> bool {
    if crate::scenarios::abouts_loaded() {
        return true;
    }
    if let Some(p) = call_page("rvFetch", "scenarios.json") {
        if let Some(t) = settled(p).await.ok().and_then(|t| t.as_string()) {
            crate::scenarios::load_abouts(&t);
        }
    }
    crate::scenarios::abouts_loaded()
}

/// Put `l` in force (`rvLang`).
async fn switch(l: Lang) -> Result<Lang, String> {
    let p = call_page("rvLang", l.code()).ok_or_else(|| FAILED.to_string())?;
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
