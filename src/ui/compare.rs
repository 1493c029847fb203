//! Compare mode (`?compare=compare-cap`, or `?compare=raft,cassandra` with
//! a scenario link): two to four panes side by side, each a run of its
//! own drawn by this same page in an `<iframe>` (`?…&pane=i&embed=1`, so a
//! pane is exactly the single-run page, its test ids scoped within it),
//! under one clock: this page's play/pause/speed and timeline set the time
//! every pane shows (`rvPaneT`, `rvPanePlay`, read by each pane's frame
//! loop). The comparison table reads each pane's metric cells and marks
//! the better figure. With "Mirror actions" on, what the user does in one
//! pane (crash S2, cut S1-S3) is done in every pane at the same moment
//! (`rvMirror`, `rvActs`). Panes are same-origin frames, so nothing here
//! duplicates a run: a pane is the run its scenario makes alone.

use super::cmd::clicked_value;
use super::history::{shown, CELLS};
use crate::comparisons::{Plan, Request, MAX_PANES};
use crate::geometry::Fx;
use crate::i18n::{tr, tr_dyn};
use crate::sim::Time;
use leptos::prelude::{document, request_animation_frame};
use std::fmt::Write;
use wasm_bindgen::JsCast;

/// Virtual µs per wall ms at 1x (as the single-run page plays).
const US_PER_MS: f64 = super::state::US_PER_WALL_MS_AT_1X;

/// The shared clock and the page's live elements (the page is markup and
/// these few updates: no view types for a page this plain).
struct Clock {
    t: Time,
    playing: bool,
    speed: f64,
    end: Time,
    labels: Vec<String>,
    last: Option<f64>,
    read: f64,
    shown: (Time, bool),
    table: String,
    /// The time, timeline, play, pause, table and link-output elements.
    els: Vec<Option<web_sys::Element>>,
    /// The address without its cursor: origin, path and the query that
    /// names the panes (`?compare=…`, a built-in's `&seed=`).
    at: String,
    /// A custom comparison's protocols (empty for a built-in).
    ids: Vec<&'static str>,
}

thread_local! {
    static CLOCK: std::cell::RefCell<Option<Clock>> = const { std::cell::RefCell::new(None) };
}

/// Draw the compare page for `r` (`base`: the link's scenario, for a
/// custom comparison's title and length).
#[inline(never)]
pub fn mount(r: Request, base: crate::scenario::Scenario) {
    use crate::ui::panels::esc;
    let end = r.end(&base);
    let (title, about) = match &r.plan {
        Plan::BuiltIn(c) => (
            tr_dyn(c.title).to_string(),
            tr_dyn(&crate::scenarios::text_of(c.about, c.id)).to_string(),
        ),
        Plan::Custom(_) => (
            if base.title.is_empty() {
                tr("Comparison").to_string()
            } else {
                base.title.clone()
            },
            tr("The same seed, client workload and actions in each pane; each protocol with its own settings.").to_string(),
        ),
    };
    let labels = r.labels();
    let mut html = format!(
        "<header class=\"rv-header\"><h1>replviz</h1><span class=\"rv-subtitle\" data-testid=\"subtitle\">{}</span><a class=\"rv-btn\" data-testid=\"btn-single\" href=\"./\">{}</a></header>\
         <section class=\"rv-controls rv-card\" aria-label=\"{}\">\
         <button data-testid=\"btn-play\" data-cmd=\"play\" class=\"rv-btn rv-primary\">{}</button>\
         <button data-testid=\"btn-pause\" data-cmd=\"pause\" class=\"rv-btn\" disabled>{}</button>\
         <select data-testid=\"speed\" class=\"rv-num\" aria-label=\"{}\"><option value=\"25\">0.25x</option><option value=\"100\" selected>1x</option><option value=\"400\">4x</option><option value=\"1000\">10x</option></select>\
         <input data-testid=\"timeline\" type=\"range\" min=\"0\" max=\"{end}\" step=\"1000\" value=\"0\" aria-label=\"{}\">\
         <span data-testid=\"time\" class=\"rv-time\"></span>\
         <button data-testid=\"btn-copy-link\" data-cmd=\"link\" class=\"rv-btn\">{}</button>\
         <button data-testid=\"btn-export-csv\" data-cmd=\"csv\" class=\"rv-btn\">CSV</button>\
         <label class=\"rv-btn\" title=\"{}\"><input type=\"checkbox\" data-testid=\"mirror\"> {}</label>\
         <output data-testid=\"link-output\" class=\"rv-link-out\"></output></section>\
         <p class=\"rv-card rv-about\" data-testid=\"scenario-about\">{}</p><div class=\"rv-panes\">",
        esc(&title),
        tr("Single run"),
        tr("Controls and timeline"),
        tr("▶ Play"),
        tr("❚❚ Pause"),
        tr("Speed"),
        tr("Time"),
        tr("Copy link"),
        tr("What you do in one pane is done in the others at the same moment"),
        tr("Mirror actions"),
        esc(&about),
    );
    html += &panes_markup(&r, &labels);
    html +=
        "</div><table class=\"rv-card rv-compare-table\" data-testid=\"compare-table\"></table>";
    let doc = document();
    let Ok(root) = doc.create_element("div") else {
        return;
    };
    let _ = root.set_attribute("class", "rv-app rv-compare");
    let _ = root.set_attribute("data-testid", "compare");
    root.set_inner_html(&html);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&root);
    }
    let els = [
        "time",
        "timeline",
        "btn-play",
        "btn-pause",
        "compare-table",
        "link-output",
    ]
    .iter()
    .map(|id| {
        root.query_selector(&format!("[data-testid={id}]"))
            .ok()
            .flatten()
    })
    .collect();
    let (at, ids) = match &r.plan {
        Plan::BuiltIn(c) => (format!("?compare={}&seed={}", c.id, r.seed), Vec::new()),
        Plan::Custom(p) => {
            let ids: Vec<&'static str> = p.iter().map(|p| p.id).collect();
            (format!("?compare={}", ids.join(",")), ids)
        }
    };
    let at = web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}{at}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"rvActs".into(), &js_sys::Array::new());
    }
    for (event, f) in [("click", click as fn(&web_sys::Event)), ("input", input)] {
        let cb = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |ev| f(&ev));
        let _ = root.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        cb.forget();
    }
    CLOCK.with(|c| {
        *c.borrow_mut() = Some(Clock {
            t: r.at.min(end),
            playing: false,
            speed: 1.0,
            end,
            labels,
            last: None,
            read: 0.0,
            shown: (Time::MAX, false),
            table: String::new(),
            els,
            at,
            ids,
        })
    });
    request_animation_frame(tick);
}

/// The panes: a heading (a protocol menu in a custom comparison) and the
/// pane's frame.
fn panes_markup(r: &Request, labels: &[String]) -> String {
    let (search, hash) = web_sys::window()
        .map(|w| {
            let l = w.location();
            (l.search().unwrap_or_default(), l.hash().unwrap_or_default())
        })
        .unwrap_or_default();
    let mut out = String::new();
    for (i, label) in labels.iter().enumerate() {
        let label = super::panels::esc(label);
        let _ = write!(
            out,
            "<div class=\"rv-pane\" data-testid=\"pane-{i}\"><div class=\"rv-pane-head\">"
        );
        match &r.plan {
            Plan::BuiltIn(_) => {
                let _ = write!(out, "<b>{label}</b>");
            }
            Plan::Custom(chosen) => {
                let _ = write!(
                    out,
                    "<select data-testid=\"pane-protocol-{i}\" data-pane=\"{i}\" aria-label=\"{}\">",
                    crate::i18n::trf("Pane {0}'s protocol", &[&(i + 1).to_string()])
                );
                for p in crate::protocols::ProtocolKind::all() {
                    let sel = if p.id == chosen[i].id {
                        " selected"
                    } else {
                        ""
                    };
                    let _ = write!(
                        out,
                        "<option value=\"{}\"{sel}>{}</option>",
                        p.id,
                        tr(p.title)
                    );
                }
                out.push_str("</select>");
            }
        }
        let _ = write!(
            out,
            "</div><iframe src=\"{}&amp;pane={i}&amp;embed=1{}\" title=\"{label}\"></iframe></div>",
            super::panels::esc(&search),
            super::panels::esc(&hash)
        );
    }
    if matches!(&r.plan, Plan::Custom(p) if p.len() < MAX_PANES) {
        let _ = write!(
            out,
            "<button data-testid=\"pane-add\" data-cmd=\"add\" class=\"rv-btn\">{}</button>",
            tr("+ Pane")
        );
    }
    out
}

/// One frame of the shared clock: advance it while playing, publish it to
/// the panes, show it, and read the panes' metrics into the table a few
/// times a second.
fn tick() {
    let wall = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now());
    CLOCK.with(|c| {
        let mut c = c.borrow_mut();
        let Some(c) = c.as_mut() else { return };
        if c.playing {
            let dt = c.last.map_or(0.0, |l| (wall - l).clamp(0.0, 100.0));
            c.t = (c.t + (dt * US_PER_MS * c.speed) as Time).min(c.end);
            c.playing = c.t < c.end;
        }
        c.last = Some(wall);
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"rvPaneT".into(), &(c.t as f64).into());
            let _ = js_sys::Reflect::set(&w, &"rvPanePlay".into(), &c.playing.into());
        }
        if c.shown != (c.t, c.playing) {
            c.shown = (c.t, c.playing);
            let set = |k: usize, prop: &str, v: wasm_bindgen::JsValue| {
                if let Some(e) = &c.els[k] {
                    let _ = js_sys::Reflect::set(e, &prop.into(), &v);
                }
            };
            set(
                0,
                "textContent",
                format!("{} s", Fx(c.t as f64 / 1e6, 2)).into(),
            );
            set(1, "value", c.t.to_string().into());
            set(2, "disabled", c.playing.into());
            set(3, "disabled", (!c.playing).into());
        }
        if wall - c.read >= 250.0 {
            c.read = wall;
            let m = table_markup(&c.labels, &read_panes(c.labels.len()));
            if m != c.table {
                if let Some(e) = &c.els[4] {
                    e.set_inner_html(&m);
                }
                c.table = m;
            }
        }
    });
    request_animation_frame(tick);
}

/// Each pane's metrics as it last gave them (`rvM{i}`, in the order of
/// [`CELLS`]; empty before its first).
fn read_panes(n: usize) -> Vec<Vec<f64>> {
    let w = web_sys::window();
    (0..n)
        .map(|i| {
            w.as_ref()
                .and_then(|w| js_sys::Reflect::get(w, &format!("rvM{i}").into()).ok())
                // Copied into this page's own array (the pane's is of its
                // frame's realm: not an instance of this page's type).
                .filter(|a| a.is_object())
                .map_or(Vec::new(), |a| js_sys::Float64Array::new(&a).to_vec())
        })
        .collect()
}

/// The comparison table: a row per metric, a column per pane, the better
/// figure marked (more is better for writes that succeeded and for
/// availability, less for everything else).
fn table_markup(labels: &[String], panes: &[Vec<f64>]) -> String {
    use crate::ui::panels::esc;
    let mut out = String::from("<thead><tr><th></th>");
    for l in labels {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(l));
    }
    out.push_str("</tr></thead><tbody>");
    for (k, (name, label, hint)) in CELLS.iter().enumerate() {
        let values: Vec<Option<f64>> = panes.iter().map(|p| p.get(k).copied()).collect();
        let more = *name == "writes-ok" || *name == "availability";
        let best = values
            .iter()
            .flatten()
            .copied()
            .reduce(|a, b| if more { a.max(b) } else { a.min(b) });
        let differ = values.iter().flatten().any(|v| Some(*v) != best);
        let _ = write!(
            out,
            "<tr><th scope=\"row\" title=\"{}\">{}</th>",
            tr(hint),
            tr(label)
        );
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let mark = differ && Some(*v) == best;
                    let _ = write!(
                        out,
                        "<td data-testid=\"metric-{name}\" data-pane=\"{i}\" data-value=\"{}\"{}>{}{}</td>",
                        Fx(*v, 3),
                        if mark { " class=\"rv-best\"" } else { "" },
                        shown(name, *v),
                        if mark { " ✓" } else { "" }
                    );
                }
                None => out.push_str("<td>…</td>"),
            }
        }
        out.push_str("</tr>");
    }
    out + "</tbody>"
}

/// Change the clock.
fn with_clock(f: impl FnOnce(&mut Clock)) {
    CLOCK.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            f(c)
        }
    })
}

/// The page's buttons (`data-cmd`).
fn click(ev: &web_sys::Event) {
    match clicked_value(ev, "data-cmd").as_deref() {
        Some("play") => with_clock(|c| {
            if c.t >= c.end {
                c.t = 0;
            }
            c.playing = true;
        }),
        Some("pause") => with_clock(|c| c.playing = false),
        // The table as CSV: a row per pane, a column per metric (the
        // figures as `data-value` has them), at the time shown.
        Some("csv") => with_clock(|c| {
            let mut csv = String::from("pane,t_us");
            for (name, ..) in CELLS {
                csv = csv + "," + name;
            }
            for (label, values) in c.labels.iter().zip(read_panes(c.labels.len())) {
                let _ = write!(csv, "\n\"{}\",{}", label.replace('"', "\"\""), c.t);
                for v in values {
                    let _ = write!(csv, ",{}", Fx(v, 3));
                }
            }
            super::share::download_text("comparison.csv", &(csv + "\n"), "text/csv");
        }),
        Some("link") => with_clock(|c| {
            let url = format!("{}&t={}{}", c.at, c.t, hash());
            if let Some(e) = &c.els[5] {
                e.set_text_content(Some(&url));
            }
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&url);
            }
        }),
        Some("add") => with_clock(|c| {
            let mut ids = c.ids.clone();
            let next = crate::protocols::ProtocolKind::all()
                .map(|p| p.id)
                .find(|p| !ids.contains(p))
                .unwrap_or("raft");
            ids.push(next);
            go(&ids);
        }),
        _ => {}
    }
}

/// The timeline, the speed and the panes' protocol menus.
fn input(ev: &web_sys::Event) {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let value = js_sys::Reflect::get(&el, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    match el.get_attribute("data-testid").as_deref() {
        Some("timeline") => with_clock(|c| {
            c.playing = false;
            c.t = value.parse::<Time>().unwrap_or(0).min(c.end);
        }),
        // Actions made in a pane are queued for the others (`rvActs`,
        // read by their frame loops) while this is on.
        Some("mirror") => {
            if let Some(w) = web_sys::window() {
                let on = js_sys::Reflect::get(&el, &"checked".into()).unwrap_or_default();
                let _ = js_sys::Reflect::set(&w, &"rvMirror".into(), &on);
            }
        }
        Some("speed") => {
            with_clock(|c| c.speed = f64::from(value.parse::<u32>().unwrap_or(100)) / 100.0)
        }
        _ => {
            if let Some(i) = el
                .get_attribute("data-pane")
                .and_then(|i| i.parse::<usize>().ok())
            {
                with_clock(|c| {
                    let mut ids = c.ids.clone();
                    if let (Some(slot), Some(p)) = (
                        ids.get_mut(i),
                        crate::protocols::ProtocolKind::parse(&value),
                    ) {
                        *slot = p.id;
                        go(&ids);
                    }
                })
            }
        }
    }
}

/// The page's fragment (a custom comparison's scenario link).
fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Open the custom comparison of `ids` (the same scenario link).
fn go(ids: &[&str]) {
    if let Some(w) = web_sys::window() {
        let l = w.location();
        let url = format!(
            "{}{}?compare={}{}",
            l.origin().unwrap_or_default(),
            l.pathname().unwrap_or_default(),
            ids.join(","),
            hash()
        );
        let _ = l.assign(&url);
    }
}
