//! The space-time diagram: one lane per server and per client, time
//! running left to right around the cursor (the vertical line). Messages
//! between servers are arrows from send to delivery (a dropped one ends in
//! a cross), client requests and answers are arrows between a client's lane
//! and the server's, crashes are red marks and restarts green ones, and
//! each client operation is a bar from invocation to answer: green ok, grey
//! refused, amber dashed no answer (yet, or ever: indeterminate). The
//! operation the checks single out is outlined (red for a violation, amber
//! for a lesson), and a session anomaly's earlier operation too. Hover an
//! arrow or bar for its words; click to seek there; zoom with − and +;
//! export as SVG. An imported Jepsen history is drawn in the same panel
//! (client lanes only, the whole history) with its verdict.
//!
//! The drawing is one markup string, rebuilt when the cursor moves by a
//! 32nd of the window or the run changes (a component per arrow or bar
//! would cost the bundle far more).

use super::state::{AppState, Imported, OpBar};
use crate::geometry::Fx;
use crate::i18n::tr;
use crate::sim::trace::TraceKind;
use crate::sim::Time;
use leptos::prelude::*;
use litemap::LiteMap;
use std::fmt::Write as _;

/// The windows the zoom steps through (µs).
const ZOOM: [Time; 6] = [
    500_000, 1_000_000, 2_000_000, 4_000_000, 8_000_000, 16_000_000,
];
/// Where the cursor sits in the window (the rest shows what follows it).
const CURSOR_AT: f64 = 0.85;
/// Most arrows drawn.
const MAX_ARROWS: usize = 600;

/// The window `[t0, t0 + w]` around `now`.
fn window(now: Time, w: Time) -> (f64, f64) {
    let w = w as f64;
    (now as f64 - w * CURSOR_AT, w)
}

/// The diagram panel.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let s = expect_context::<AppState>();
    let zoom = RwSignal::new(1usize);
    let imported = s.imported;
    // Client lanes: the user's lane 0 ("you"), Cn as n; in an import the
    // processes.
    let lanes = Memo::new(move |_| {
        let of = |b: &[OpBar]| {
            let mut l: Vec<u32> = b.iter().map(|x| x.lane).collect();
            l.sort_unstable();
            l.dedup();
            l
        };
        match imported.get() {
            Some(i) => of(&i.bars),
            None => s.bars.with(|b| of(b)),
        }
    });
    let servers = move || {
        if imported.with(|i| i.is_some()) {
            0
        } else {
            s.node_count.get()
        }
    };
    let rows = move || servers() as usize + lanes.with(|l| l.len());
    let span = move || -> (f64, f64) {
        match imported.get() {
            Some(i) => (i.lo as f64, (i.hi - i.lo).max(1) as f64),
            None => window(s.now.get(), ZOOM[zoom.get()]),
        }
    };
    // The drawing is rebuilt when the cursor has moved by a `step`: a 32nd
    // of the window at 1x or slower, as much more as the speed is higher
    // (about every other frame at any speed), and drawn a step wider on
    // each side so that the window, scrolled every frame by its viewBox,
    // stays drawn in between. Off screen while playing (the side column
    // scrolled away from it) it is not rebuilt at all until it shows again
    // or the run pauses.
    let step = move || {
        s.speed_log.track();
        ((ZOOM[zoom.get()] / 32) as f64 * s.speed().max(1.0)) as Time
    };
    let tick = Memo::new(move |_| s.now.get() / step().max(1));
    let shown = s.diagram_shown;
    let draw = move || {
        let lanes = lanes.get();
        let n = servers();
        let mut m = String::new();
        if let Some(i) = imported.get() {
            bars_into(
                &mut m,
                &i.bars,
                &lanes,
                0,
                &i.lin,
                i.lo as f64,
                (i.hi - i.lo).max(1) as f64,
            );
            return m;
        }
        let w = ZOOM[zoom.get_untracked()];
        let (t0, wf) = window(s.now.get_untracked(), w);
        let margin = step() as f64;
        if n > 0 {
            s.with_trace(|trace| {
                arrows_into(
                    &mut m,
                    trace,
                    n,
                    &lanes,
                    (t0, wf, margin),
                    s.show_routine.get_untracked(),
                    s.protocol.get_untracked(),
                )
            });
        }
        s.lin.with(|l| {
            s.bars
                .with(|b| bars_into(&mut m, b, &lanes, n, l, t0 - margin, wf + 2.0 * margin))
        });
        m
    };
    let last = StoredValue::new(String::new());
    let markup = move || {
        // Hidden while playing: keep what is drawn, and do not even follow
        // the cursor until it shows again or the run pauses.
        if !shown.get() && s.playing.get() && imported.with(|i| i.is_none()) {
            return last.get_value();
        }
        tick.track();
        s.markers.track();
        let m = draw();
        last.set_value(m.clone());
        m
    };
    let seek = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        if imported.with(|i| i.is_some()) {
            return;
        }
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let width = f64::from(el.client_width().max(1));
        let (t0, w) = window(s.now.get_untracked(), ZOOM[zoom.get_untracked()]);
        let t = t0 + w * f64::from(ev.offset_x()) / width;
        s.seek(t.max(0.0) as Time);
    };
    let names = move || {
        let n = servers();
        let import = imported.with(|i| i.is_some());
        let mut v: Vec<String> = (1..=n).map(|i| format!("S{i}")).collect();
        v.extend(lanes.get().into_iter().map(|c| match (import, c) {
            (true, c) => format!("P{c}"),
            (false, 0) => "you".to_string(),
            (false, c) => format!("C{c}"),
        }));
        v.into_iter()
            .map(|n| format!("<div>{n}</div>"))
            .collect::<String>()
    };
    view! {
        <div
            class="rv-card rv-history"
            data-testid="history"
            data-source=move || if imported.with(|i| i.is_some()) { "import" } else { "run" }
            data-ops=move || match imported.get() { Some(i) => i.bars.len().to_string(), None => s.lin.with(|l| l.ops.to_string()) }
            data-anomalies=move || match imported.get() { Some(i) => usize::from(!i.ok).to_string(), None => s.lin.with(|l| usize::from(l.op.is_some()).to_string()) }
        >
            <h2>
                {tr("Space-time diagram")}
                <span class="rv-history-tools">
                    // The zoom and export buttons as markup (one closure and
                    // one click handler for five buttons: cheaper for the
                    // bundle than a view each); `data-cmd` says what a click does.
                    <span inner_html=move || tools_markup(zoom.get())
                        on:click=move |ev| match super::cmd::clicked_value(&ev, "data-cmd").as_deref() {
                            Some("in") => zoom.update(|z| *z = z.saturating_sub(1)),
                            Some("out") => zoom.update(|z| *z = (*z + 1).min(ZOOM.len() - 1)),
                            Some("svg") => super::share::export_svg("[data-testid=diagram]", "diagram.svg"),
                            Some("chart") => super::share::export_svg("[data-testid=metrics-chart]", "metrics.svg"),
                            Some("csv") => export_csv(s),
                            _ => {}
                        }
                    ></span>
                    <label class="rv-btn rv-file" data-testid="btn-import-history" title=tr("Check a history written by Jepsen (its log lines or EDN maps)")>
                        {tr("Import history…")}
                        <input data-testid="import-history-file" type="file" on:change=move |ev| super::share::read_file(ev, Box::new(move |name, text| import_history(s, name, &text)))/>
                    </label>
                    <button class="rv-btn" data-testid="btn-close-import" hidden=move || imported.with(|i| i.is_none()) on:click=move |_| imported.set(None)>{tr("Back to the run")}</button>
                </span>
            </h2>
            // The imported history's verdict (markup: one closure instead of
            // a reactive attribute each).
            <div inner_html=move || imported.with(|i| i.as_ref().map_or(String::new(), |i| format!(
                "<div data-testid=\"import-verdict\" data-verdict=\"{}\" class=\"rv-small rv-{}-text\">{}</div>",
                if i.ok { "linearizable" } else { "not-linearizable" },
                if i.ok { "ok" } else { "bad" },
                super::panels::esc(&i.verdict)
            )))></div>
            <div class="rv-history-body">
                <div class="rv-history-lanes rv-muted" inner_html=names></div>
                <svg
                    data-testid="diagram"
                    data-window=move || ZOOM[zoom.get()].to_string()
                    class="rv-history-svg"
                    preserveAspectRatio="none"
                    style=move || format!("height:{}px", rows().max(1) * 18)
                    viewBox=move || {
                        let (t0, w) = span();
                        format!("{} 0 {} {}", Fx(t0, 0), Fx(w, 0), rows().max(1))
                    }
                    on:click=seek
                >
                    <g inner_html=markup></g>
                    <line class="rv-diagram-cursor" x1=move || s.now.get() x2=move || s.now.get() y1="0" y2=rows/>
                </svg>
            </div>
            <div class="rv-metrics" data-testid="metrics" hidden=move || imported.with(|i| i.is_some()) inner_html=move || s.metrics.get()></div>
            <div class="rv-muted rv-history-legend">
                {tr("arrows = messages (× dropped) · bars = client operations: green ok · grey refused · amber dashed no answer · outlined = the anomaly · click to seek")}
            </div>
        </div>
    }
}

/// Messages, client traffic, crashes and restarts in the window `[t0, t0 +
/// w]` widened by `margin` on each side.
fn arrows_into(
    m: &mut String,
    trace: &[crate::sim::trace::TraceEvent],
    n: u32,
    lanes: &[u32],
    (t0, w, margin): (f64, f64, f64),
    routine_too: bool,
    proto: crate::protocols::ProtocolKind,
) {
    let max_arrows = (MAX_ARROWS as f64 * (1.0 + 2.0 * margin / w)) as usize;
    let (t0, t1) = (t0 - margin, t0 + w + margin);
    let from = trace.partition_point(|e| (e.time as f64) < t0 - w);
    let row = |id: u32| f64::from(id) - 0.5;
    let client_row = |c: u32| {
        lanes
            .iter()
            .position(|&l| l == c)
            .map(|p| f64::from(n) + p as f64 + 0.5)
    };
    // Which messages were dropped on arrival, and where client requests
    // and answers started.
    let mut dropped: LiteMap<u64, ()> = LiteMap::new();
    let mut sent: LiteMap<u64, (Time, f64)> = LiteMap::new();
    let mut answered: LiteMap<u64, (Time, f64)> = LiteMap::new();
    for e in &trace[from..] {
        if let TraceKind::Drop { msg, .. } = e.kind {
            dropped.insert(msg, ());
        }
    }
    let x_of = |t: Time| t as f64;
    let mut count = 0;
    let cross = |m: &mut String, x: f64, y: f64| {
        let (dx, dy) = (w / 160.0, 0.25);
        let _ = write!(
            m,
            "<path class=\"rv-d-x\" d=\"M{} {} L{} {} M{} {} L{} {}\"/>",
            Fx(x - dx, 0),
            Fx(y - dy, 2),
            Fx(x + dx, 0),
            Fx(y + dy, 2),
            Fx(x - dx, 0),
            Fx(y + dy, 2),
            Fx(x + dx, 0),
            Fx(y - dy, 2)
        );
    };
    for e in &trace[from..] {
        let t = e.time;
        if t as f64 > t1 || count >= max_arrows {
            break;
        }
        match &e.kind {
            TraceKind::Send {
                msg,
                from,
                to,
                kind,
                text,
                arrive,
                doomed,
                ..
            } if (*arrive as f64) >= t0 && *from <= n && *to <= n => {
                let tone = proto.msg_tone(kind);
                if tone == "beat" && !routine_too {
                    continue;
                }
                count += 1;
                let lost = *doomed || dropped.contains_key(msg);
                let (y1, mut y2) = (row(*from), row(*to));
                if *doomed {
                    y2 = (y1 + y2) / 2.0;
                }
                let _ = write!(
                    m,
                    "<line data-testid=\"arrow\" class=\"rv-d-msg rv-mt-{tone}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"><title>{}{}</title></line>",
                    Fx(x_of(t), 0),
                    Fx(y1, 2),
                    Fx(x_of(*arrive), 0),
                    Fx(y2, 2),
                    super::panels::esc(text),
                    if lost { " (dropped)" } else { "" }
                );
                if lost {
                    cross(m, x_of(*arrive), y2);
                }
            }
            TraceKind::ClientSend { client, req, .. } => {
                if let Some(y) = client_row(*client) {
                    sent.insert(*req, (t, y));
                }
            }
            TraceKind::Request { node, req, .. } => {
                if let Some((ts, y)) = sent.remove(req) {
                    count += 1;
                    let _ = write!(m, "<line class=\"rv-d-client\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"><title>request #{req} reaches S{node}</title></line>", Fx(x_of(ts), 0), Fx(y, 2), Fx(x_of(t), 0), Fx(row(*node), 2));
                }
            }
            TraceKind::ClientLost {
                req,
                node,
                to_server: true,
                ..
            } => {
                if let Some((ts, y)) = sent.remove(req) {
                    let y2 = (y + row(*node)) / 2.0;
                    let _ = write!(m, "<line class=\"rv-d-client\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"><title>request #{req} lost (link cut)</title></line>", Fx(x_of(ts), 0), Fx(y, 2), Fx(x_of(t), 0), Fx(y2, 2));
                    cross(m, x_of(t), y2);
                }
            }
            TraceKind::Reply { node, req, .. } => {
                answered.insert(*req, (t, row(*node)));
            }
            TraceKind::ClientHear {
                client,
                req,
                reply: Some(_),
            } => {
                if let (Some((ts, y1)), Some(y2)) = (answered.remove(req), client_row(*client)) {
                    count += 1;
                    let _ = write!(m, "<line class=\"rv-d-client rv-d-answer\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"><title>answer to request #{req}</title></line>", Fx(x_of(ts), 0), Fx(y1, 2), Fx(x_of(t), 0), Fx(y2, 2));
                }
            }
            TraceKind::Crash { node } | TraceKind::Restart { node } => {
                let crash = matches!(e.kind, TraceKind::Crash { .. });
                let _ = write!(
                    m,
                    "<rect data-testid=\"{}\" class=\"rv-d-{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"0.9\"><title>S{node} {}</title></rect>",
                    if crash { "crash-mark" } else { "restart-mark" },
                    if crash { "crash" } else { "restart" },
                    Fx(x_of(t) - w / 400.0, 0),
                    Fx(row(*node) - 0.45, 2),
                    Fx(w / 200.0, 0),
                    if crash { "crashes" } else { "restarts" }
                );
            }
            _ => {}
        }
    }
}

/// The client operations as bars, the checks' anomaly outlined.
fn bars_into(
    m: &mut String,
    bars: &[OpBar],
    lanes: &[u32],
    n: u32,
    l: &crate::ui::state::LinStatus,
    t0: f64,
    w: f64,
) {
    for b in bars {
        let end = b.end.map_or(t0 + 2.0 * w, |e| e as f64);
        if end < t0 || b.start as f64 > t0 + w {
            continue;
        }
        let row = lanes.iter().position(|&x| x == b.lane).unwrap_or(0) + n as usize;
        let width = (end - b.start as f64).max(w / 100.0);
        let anomaly = if l.op == Some(b.i) { l.kind } else { "" };
        let expected = !anomaly.is_empty() && l.verdict == "lesson";
        let extra = if anomaly.is_empty() {
            if l.earlier == Some(b.i) {
                " rv-op-earlier"
            } else {
                ""
            }
        } else if expected {
            " rv-op-lesson"
        } else {
            " rv-op-bad"
        };
        let _ = write!(
            m,
            "<rect data-testid=\"op\" data-client=\"{}\" data-f=\"{}\" data-type=\"{}\" data-anomaly=\"{anomaly}\" data-expected=\"{expected}\" data-t=\"{}\" class=\"rv-op rv-op-{}{extra}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"0.7\"><title>{}</title></rect>",
            b.client, b.f, b.kind, b.start, b.kind, b.start, Fx(row as f64 + 0.15, 2), Fx(width, 0), super::panels::esc(&b.text)
        );
    }
}

/// The metrics the page shows: (name, label, hint).
pub const CELLS: [(&str, &str, &str); 12] = [
    (
        "writes-ok",
        crate::en!("writes ok"),
        crate::en!("told they succeeded"),
    ),
    (
        "writes-failed",
        crate::en!("failed"),
        crate::en!("refused: not done"),
    ),
    (
        "writes-unknown",
        crate::en!("no answer"),
        crate::en!("done or not: unknown"),
    ),
    (
        "write-p50-ms",
        crate::en!("p50"),
        crate::en!("median write latency"),
    ),
    (
        "write-p99-ms",
        crate::en!("p99"),
        crate::en!("99th percentile write latency"),
    ),
    (
        "availability",
        crate::en!("available"),
        crate::en!("100 ms windows with a write tried where one succeeded"),
    ),
    (
        "longest-outage-ms",
        crate::en!("longest outage"),
        crate::en!("from a refused write to the next accepted one"),
    ),
    (
        "messages-per-write",
        crate::en!("messages/write"),
        crate::en!("messages sent per write that succeeded"),
    ),
    (
        "bytes-per-write",
        crate::en!("bytes/write"),
        crate::en!("bytes of the messages sent per write that succeeded"),
    ),
    (
        "lost-writes",
        crate::en!("lost writes"),
        crate::en!("acknowledged, not on the current leader"),
    ),
    (
        "stale-reads",
        crate::en!("stale reads"),
        crate::en!("returned a value overwritten before they began"),
    ),
    (
        "violations",
        crate::en!("violations"),
        crate::en!("broken guarantees the configuration claims"),
    ),
];

/// The [`CELLS`]' figures of `m`, in their order.
pub fn cell_values(m: &crate::measure::RunMetrics) -> Vec<f64> {
    let named = m.named();
    CELLS
        .iter()
        .map(|c| named.iter().find(|n| n.0 == c.0).map_or(0.0, |n| n.1))
        .collect()
}

/// The history panel's zoom and export buttons (zoom level `z` of [`ZOOM`]).
fn tools_markup(z: usize) -> String {
    let off = |b: bool| if b { " disabled" } else { "" };
    let mut m = String::new();
    for (testid, cmd, title, label, disabled) in [
        ("diagram-zoom-in", "in", crate::en!("Zoom in"), "+", z == 0),
        (
            "diagram-zoom-out",
            "out",
            crate::en!("Zoom out"),
            "−",
            z + 1 == ZOOM.len(),
        ),
        (
            "btn-export-diagram",
            "svg",
            crate::en!("Download the diagram as SVG"),
            "SVG",
            false,
        ),
        (
            "btn-export-chart",
            "chart",
            crate::en!("Download the metrics chart as SVG"),
            tr("Chart SVG"),
            false,
        ),
        (
            "btn-export-metrics",
            "csv",
            crate::en!("Download the metrics as CSV"),
            "CSV",
            false,
        ),
    ] {
        let _ = write!(
            m,
            "<button class=\"rv-btn\" data-testid=\"{testid}\" data-cmd=\"{cmd}\" title=\"{}\"{}>{label}</button> ",
            tr(title),
            off(disabled)
        );
    }
    m
}

/// Download the metric cells as CSV: a header and a row (the protocol,
/// the time shown in µs, then each cell's `data-value`, as the compare
/// page's CSV has them).
fn export_csv(s: AppState) {
    let mut head = String::from("protocol,t_us");
    let mut row = format!(
        "{},{}",
        s.protocol.get_untracked().id,
        s.now.get_untracked()
    );
    // Read from the cells' markup: `data-testid="metric-{name}"
    // data-value="{v}"` are the quoted pieces 1 and 3 of a cell (split at
    // a char: a string pattern would link a searcher, +0.6 KiB).
    s.metrics.with_untracked(|m| {
        let q: Vec<&str> = m.split('"').collect();
        for (i, name) in q.iter().enumerate() {
            if let (Some(name), Some(v)) = (name.strip_prefix("metric-"), q.get(i + 2)) {
                head.push(',');
                head.push_str(name);
                row.push(',');
                row.push_str(v);
            }
        }
    });
    super::share::download_text("metrics.csv", &format!("{head}\n{row}\n"), "text/csv");
}

/// A metric's figure as shown (latencies in ms, availability in %).
pub fn shown(name: &str, v: f64) -> String {
    match name {
        "availability" => format!("{}%", Fx(v * 100.0, 1)),
        n if n.ends_with("-ms") => format!("{} ms", Fx(v, 0)),
        "messages-per-write" => Fx(v, 1).to_string(),
        _ => Fx(v, 0).to_string(),
    }
}

/// The run's metrics as cells (`metric-{name}`, the figure in
/// `data-value`; latencies in ms, availability as a share): what the
/// clients got, how fast, how often the system took writes, and the
/// anomalies (lost acknowledged writes and stale reads are a lesson where
/// the configuration allows them; violations never are).
pub fn metrics_markup(values: &[f64]) -> String {
    let mut out = String::new();
    for ((name, label, hint), &v) in CELLS.iter().zip(values) {
        let bad = (*name == "violations" && v > 0.0) as u8;
        let _ = write!(
            out,
            "<span data-testid=\"metric-{name}\" data-value=\"{}\" class=\"rv-metric rv-metric-{bad}\" title=\"{}\">{} <b>{}</b></span>",
            Fx(v, 3),
            tr(hint),
            tr(label),
            shown(name, v)
        );
    }
    out
}

/// Parse, check and show a Jepsen history (nothing of the run changes).
fn import_history(s: AppState, name: String, text: &str) {
    use crate::history::linear::{check, Verdict};
    match crate::history::jepsen::parse(text) {
        Ok(h) if !h.is_empty() => {
            let mut lin = crate::ui::state::LinStatus::default();
            let (ok, verdict) = match check(&h) {
                Verdict::Linearizable => (
                    true,
                    format!("{name}: linearizable ({} operations)", h.len()),
                ),
                Verdict::NotLinearizable(a) => {
                    lin.op = Some(a.op);
                    lin.kind = "not-linearizable";
                    lin.verdict = "violation";
                    (false, format!("{name}: not linearizable: {}", a.why))
                }
                Verdict::Undecided { key, .. } => (
                    false,
                    format!("{name}: undecided (the search gave up on key {key:?})"),
                ),
            };
            let bars = super::state::bars_of(&h, usize::MAX, |c| format!("P{c}"));
            let lo = h.iter().map(|o| o.invoke).min().unwrap_or(0);
            let hi = h
                .iter()
                .map(|o| o.complete.unwrap_or(o.invoke + 1))
                .max()
                .unwrap_or(1);
            s.errors.set(Vec::new());
            s.imported.set(Some(Imported {
                bars,
                lin,
                ok,
                verdict,
                lo,
                hi: hi + 1,
            }));
        }
        Ok(_) => s.errors.set(vec![format!(
            "{name} holds no operation. Nothing was changed."
        )]),
        Err(e) => s.errors.set(vec![format!(
            "{name} is not a Jepsen history ({e}). Nothing was changed."
        )]),
    }
}
