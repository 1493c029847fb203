//! Sharing: copy a link to the exact scenario and moment, open a built-in
//! scenario, import/export the scenario as JSON, export the trace as JSON and
//! the cluster picture as SVG or PNG.

use super::cmd::{on, Cmd};
use super::state::AppState;
use crate::i18n::tr;
use crate::link;
use crate::protocols::ProtocolKind;
use crate::scenarios as presets;
use crate::sim::trace::TraceKind;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

fn download_blob(name: &str, blob: &web_sys::Blob) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

fn text_blob(text: &str, mime: &str) -> Option<web_sys::Blob> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()
}

pub(super) fn download_text(name: &str, text: &str, mime: &str) {
    if let Some(b) = text_blob(text, mime) {
        download_blob(name, &b);
    }
}

/// Download the SVG `selector` picks as a standalone document.
pub fn export_svg(selector: &str, name: &str) {
    if let Some(svg) = svg_document(selector) {
        download_text(name, &svg, "image/svg+xml");
    }
}

/// Read the file an `<input type=file>` was given, then `f(name, text)`.
pub fn read_file(ev: leptos::ev::Event, f: Box<dyn FnOnce(String, String)>) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    input.set_value("");
    let promise = file.text();
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        f(name, text);
    });
}

/// The page's stylesheet rules as text, read from the document (keeping a
/// copy of the stylesheet in the wasm would cost the bundle 4 KiB).
fn page_css(doc: &web_sys::Document) -> String {
    use js_sys::Reflect;
    let get = |o: &wasm_bindgen::JsValue, k: &str| Reflect::get(o, &k.into()).ok();
    let len =
        |o: &wasm_bindgen::JsValue| get(o, "length").and_then(|l| l.as_f64()).unwrap_or(0.0) as u32;
    let mut css = String::new();
    let Some(sheets) = get(doc, "styleSheets") else {
        return css;
    };
    for i in 0..len(&sheets) {
        let Some(rules) = Reflect::get_u32(&sheets, i)
            .ok()
            .and_then(|s| get(&s, "cssRules"))
        else {
            continue;
        };
        for j in 0..len(&rules) {
            if let Some(text) = Reflect::get_u32(&rules, j)
                .ok()
                .and_then(|r| get(&r, "cssText"))
                .and_then(|t| t.as_string())
            {
                css.push_str(&text);
                css.push('\n');
            }
        }
    }
    css
}

/// The SVG `selector` picks as a standalone document, with the page's
/// stylesheet inlined (as character data: media queries read `width<=…`).
fn svg_document(selector: &str) -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let svg = doc.query_selector(selector).ok()??;
    let text = web_sys::XmlSerializer::new()
        .ok()?
        .serialize_to_string(&svg)
        .ok()?;
    let css = page_css(&doc);
    let close = text.find('>')?;
    Some(format!(
        "{}><style><![CDATA[{}]]></style><rect width=\"100%\" height=\"100%\" fill=\"var(--bg)\"/>{}",
        &text[..close],
        css.replace("]]>", ""),
        &text[close + 1..]
    ))
}

pub(super) fn export_png() {
    let Some(svg) = svg_document("[data-testid=cluster]") else {
        return;
    };
    let Some(blob) = text_blob(&svg, "image/svg+xml") else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let img2 = img.clone();
    let url2 = url.clone();
    let onload = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url2);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(canvas) = doc
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width(1200);
        canvas.set_height(1200);
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let _ =
            ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, 1200.0, 1200.0);
        if let Ok(data) = canvas.to_data_url_with_type("image/png") {
            if let Ok(a) = doc.create_element("a") {
                if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
                    a.set_href(&data);
                    a.set_download("cluster.png");
                    a.click();
                }
            }
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
}

/// Copy a link to this exact scenario and moment (and show it). The link's
/// JSON is deflated by the browser (`CompressionStream("deflate-raw")`),
/// so the bundle carries no deflate of its own.
pub(super) fn copy_link(s: AppState) {
    copy_link_as(s, Out::Link)
}

/// Copy an `<iframe>` showing this exact scenario and moment in embed mode
/// (`?embed=1`), for slides and course pages.
pub(super) fn copy_embed(s: AppState) {
    copy_link_as(s, Out::Embed)
}

/// Open this scenario in compare mode: this protocol beside the next one
/// the registry lists (`?compare=raft,paxos#…`).
pub(super) fn open_compare(s: AppState) {
    copy_link_as(s, Out::Compare)
}

/// What a link is made for.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    Link,
    Embed,
    Compare,
}

fn copy_link_as(s: AppState, out: Out) {
    let json = s.link_json();
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let mut search = loc.search().unwrap_or_default();
    if out == Out::Compare {
        let p = s.protocol.get_untracked();
        let all: Vec<_> = crate::protocols::ProtocolKind::all().collect();
        let i = all.iter().position(|q| q.id == p.id).unwrap_or(0);
        search = format!("?compare={},{}", p.id, all[(i + 1) % all.len()].id);
    }
    let base = format!(
        "{}{}{search}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        match (
            out == Out::Embed && !search.contains("embed=1"),
            search.is_empty()
        ) {
            (false, _) => "",
            (true, true) => "?embed=1",
            (true, false) => "&embed=1",
        }
    );
    wasm_bindgen_futures::spawn_local(async move {
        let Some(packed) = deflate_raw(&json).await else {
            s.errors.set(vec![
                "This browser cannot compress a link (it lacks CompressionStream); nothing was copied.".into(),
            ]);
            return;
        };
        let mut url = format!("{base}#{}", crate::link::fragment(&packed));
        if out == Out::Compare {
            let _ = w.location().assign(&url);
            return;
        }
        if out == Out::Embed {
            url = format!(
                "<iframe src=\"{}\" width=\"960\" height=\"540\" style=\"border:0\" title=\"replviz\" allowfullscreen></iframe>",
                super::panels::esc(&url)
            );
        }
        s.link_out.set(url.clone());
        // Clipboard access may be refused (e.g. headless); the link is shown anyway.
        let _ =
            wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().write_text(&url)).await;
    });
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The Compression Streams API (web-sys has it only behind its
    /// unstable-API flag): `CompressionStream` and `DecompressionStream`
    /// have the same shape.
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, wasm_bindgen::JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &CompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &CompressionStream) -> web_sys::WritableStream;
    #[wasm_bindgen(extends = CompressionStream)]
    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, wasm_bindgen::JsValue>;
}

/// Raw DEFLATE by the browser.
async fn deflate_raw(data: &[u8]) -> Option<Vec<u8>> {
    through(data, CompressionStream::new("deflate-raw").ok()?).await
}

/// Raw INFLATE by the browser.
async fn inflate_raw(data: &[u8]) -> Option<Vec<u8>> {
    through(data, DecompressionStream::new("deflate-raw").ok()?.into()).await
}

/// `new Response(new Blob([data]).stream().pipeThrough(cs)).arrayBuffer()`.
async fn through(data: &[u8], cs: CompressionStream) -> Option<Vec<u8>> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(data));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
    let pair = web_sys::ReadableWritablePair::new(&cs.readable(), &cs.writable());
    let out = blob.stream().pipe_through(&pair);
    let resp = web_sys::Response::new_with_opt_readable_stream(Some(&out)).ok()?;
    let buf = wasm_bindgen_futures::JsFuture::from(resp.array_buffer().ok()?)
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Open a link fragment: [`crate::link::unpack`], the browser's inflate,
/// [`crate::link::from_json`] (the bundle carries no inflate of its own).
/// A damaged deflate stream is refused with [`crate::link::DAMAGED`]; its
/// output is capped by `from_json` (deflate expands at most about 1,000
/// times, so a 64 KiB fragment unpacks to at most some 64 MB).
pub async fn open_link(fragment: &str) -> Result<crate::link::LinkPayload, crate::link::LinkError> {
    use crate::link::{from_json, unpack, LinkError, DAMAGED};
    let packed = unpack(fragment)?;
    let json = inflate_raw(&packed)
        .await
        .ok_or_else(|| LinkError(DAMAGED.into()))?;
    from_json(&json)
}

/// Download the scenario as pretty JSON.
pub(super) fn export_scenario(s: AppState) {
    // Compact first (the link's serializer), then pretty over a Value:
    // a pretty serializer for the scenario's own types costs the
    // bundle more than this detour.
    let compact = crate::json::to_vec(&s.scenario());
    let value: serde_json::Value = serde_json::from_slice(&compact).unwrap_or_default();
    let json = crate::json::to_string_pretty(&value);
    download_text("scenario.json", &json, "application/json");
}

/// Download the trace as JSON.
pub(super) fn export_trace(s: AppState) {
    let json = s.with_trace(|trace| {
            let rows: Vec<serde_json::Value> = trace
                .iter()
                .enumerate()
                .map(|(i, ev)| {
                    let kind = ev.kind.name();
                    let mut v = serde_json::json!({ "i": i, "t_us": ev.time, "kind": kind, "text": ev.describe() });
                    if let TraceKind::Send { msg, from, to, kind, arrive, .. } = &ev.kind {
                        v["msg"] = (*msg).into();
                        v["from"] = (*from).into();
                        v["to"] = (*to).into();
                        v["msg_kind"] = (*kind).into();
                        v["arrive_us"] = (*arrive).into();
                    }
                    v
                })
                .collect();
            crate::json::to_string(&rows)
        });
    download_text("trace.json", &json, "application/json");
}

/// Built-in scenario menu, explanation card, and share/export buttons.
#[component]
pub fn ShareBar() -> impl IntoView {
    let s = expect_context::<AppState>();
    let import = move |ev: leptos::ev::Event| {
        read_file(
            ev,
            Box::new(move |_, text| match link::scenario_from_json(&text) {
                Ok(sc) => {
                    s.errors.set(Vec::new());
                    s.load(sc, true);
                }
                Err(e) => s.errors.set(vec![format!("{e} Nothing was changed.")]),
            }),
        );
    };
    view! {
        <div class="rv-share" role="group" aria-label=tr("Scenarios and sharing")>
            <label class="rv-group">
                {tr("Scenario ")}
                <select
                    data-testid="scenario-menu"
                    // The options as markup (one string: cheaper for the
                    // bundle than a view per option), set before the value.
                    inner_html=scenario_options()
                    // Keep the chosen scenario's name shown while it runs;
                    // any other run (a protocol switch, a restart) shows the
                    // placeholder.
                    prop:value=move || s.about.with(|(title, _)| {
                        presets::ids().into_iter().find(|id| !title.is_empty() && presets::title(id) == title).unwrap_or("").to_string()
                    })
                    on:change=move |ev| {
                        let id = event_target_value(&ev);
                        wasm_bindgen_futures::spawn_local(async move {
                            let texts = super::lang::abouts().await;
                            if let Some(sc) = presets::build(&id) {
                                s.errors.set(if texts { Vec::new() } else { vec![super::lang::NO_ABOUTS.into()] });
                                s.load(sc, true);
                            }
                        });
                    }
                >
                </select>
            </label>
            <button data-testid="btn-copy-link" class="rv-btn rv-primary-outline" on:click=on(s, Cmd::CopyLink) title=tr("Copy a link to this exact scenario and moment")>
                {tr("Copy link")}
            </button>
            <button data-testid="btn-copy-embed" class="rv-btn" on:click=on(s, Cmd::CopyEmbed) title=tr("Copy an <iframe> that shows this scenario and moment in a slide or a course page")>
                {tr("Embed")}
            </button>
            <span hidden=move || s.link_out.with(|l| l.is_empty())>
                <input data-testid="link-output" class="rv-link-out" readonly=true prop:value=move || s.link_out.get()
                    on:focus=move |ev| { if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); } } />
                <span class="rv-muted rv-small">{move || format!(" {} characters", s.link_out.get().len())}</span>
            </span>
            <span class="rv-share-more">
                <button class="rv-btn" data-testid="btn-export-scenario" on:click=on(s, Cmd::ExportScenario)>{tr("Export scenario")}</button>
                <label class="rv-btn rv-file">
                    {tr("Import…")}
                    <input data-testid="import-file" type="file" accept=".json,application/json" on:change=import/>
                </label>
                <button class="rv-btn" data-testid="btn-export-trace" on:click=on(s, Cmd::ExportTrace)>{tr("Export trace")}</button>
                <button class="rv-btn" data-testid="btn-export-svg" on:click=on(s, Cmd::ExportSvg)>"SVG"</button>
                <button class="rv-btn" data-testid="btn-export-png" on:click=on(s, Cmd::ExportPng)>"PNG"</button>
            </span>
        </div>
    }
}

/// The explanation of a built-in scenario, beside the cluster.
#[component]
pub fn About() -> impl IntoView {
    let s = expect_context::<AppState>();
    view! {
        <details class="rv-card rv-about" data-testid="scenario-about" open hidden=move || s.about.with(|(t, _)| t.is_empty())>
            <summary><h2>{move || crate::i18n::tr_dyn(&s.about.get().0)}</h2></summary>
            <p tabindex="0">{move || crate::i18n::tr_dyn(&s.about.get().1)}</p>
            // Said once the user changed the run (markup: one closure; its
            // button drops the script's remaining actions).
            <div
                inner_html=move || s.departed.get().map_or(String::new(), |t| {
                    let future = s.future_actions.get();
                    format!(
                        "<p class=\"rv-departed\" data-testid=\"about-departed\">You changed this run at {} s: from then on the text may no longer describe it.{} <button class=\"rv-btn rv-small\" data-testid=\"btn-discard-script\" title=\"{}\"{}>{}</button></p>",
                        crate::geometry::Fx(t as f64 / 1e6, 2),
                        if future { " The script's remaining actions still run at their times." } else { "" },
                        tr("Drop the actions still to come (undoable)"),
                        if future { "" } else { " hidden" },
                        tr("Discard the rest of the script"),
                    )
                })
                on:click=move |ev| {
                    if super::cmd::clicked(&ev, "data-testid").is_some_and(|b| b.get_attribute("data-testid").as_deref() == Some("btn-discard-script")) {
                        s.discard_future();
                    }
                }
            ></div>
        </details>
    }
}

/// The scenario menu's options, grouped by protocol.
fn scenario_options() -> String {
    use std::fmt::Write as _;
    let mut m = format!(
        "<option value=\"\" selected>{}</option>",
        tr("— built-in scenarios —")
    );
    for p in ProtocolKind::all() {
        let _ = write!(
            m,
            "<optgroup label=\"{}\">",
            super::panels::esc(tr(p.title))
        );
        for id in presets::ids_for(p) {
            let _ = write!(
                m,
                "<option value=\"{id}\">{}</option>",
                super::panels::esc(tr(presets::title(id)))
            );
        }
        m.push_str("</optgroup>");
    }
    m
}
