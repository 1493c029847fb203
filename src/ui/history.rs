//! The client history panel: one lane per client (the user's own requests
//! share the lane "you"), each operation a bar from its invocation to the
//! answer, over the last four seconds up to the cursor. Green bars were
//! answered ok, grey ones refused, amber dashed ones have no answer (yet,
//! or ever: indeterminate). The operation the checks single out is
//! outlined (red for a violation, amber for a lesson), and a session
//! anomaly's earlier operation is outlined too. Hover a bar for its words.

use super::state::AppState;
use leptos::prelude::*;

/// The time the panel shows, up to the cursor (µs).
const WINDOW: f64 = 4_000_000.0;

/// The history panel (shown once a client has sent something).
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let s = expect_context::<AppState>();
    let lanes = Memo::new(move |_| {
        s.bars.with(|b| {
            let mut l: Vec<u32> = b.iter().map(|x| x.lane).collect();
            l.sort_unstable();
            l.dedup();
            l
        })
    });
    let height = move || lanes.with(|l| l.len().max(1));
    // The bars as markup, rebuilt only when the history or its verdict
    // changes (one string instead of a component per bar keeps the bundle
    // small); an operation without an answer runs off the right edge.
    let bars_markup = move || {
        let lanes = lanes.get();
        s.lin.with(|l| {
            s.bars.with(|bars| {
                let mut m = String::new();
                for b in bars {
                    let row = lanes.iter().position(|&x| x == b.lane).unwrap_or(0);
                    let end = b.end.unwrap_or(b.start + 10 * WINDOW as u64);
                    let width = (end.saturating_sub(b.start) as f64).max(40_000.0);
                    let anomaly = if l.op == Some(b.i) { l.kind } else { "" };
                    let expected = !anomaly.is_empty() && l.verdict == "lesson";
                    let extra = if anomaly.is_empty() {
                        if l.earlier == Some(b.i) { " rv-op-earlier" } else { "" }
                    } else if expected {
                        " rv-op-lesson"
                    } else {
                        " rv-op-bad"
                    };
                    m.push_str(&format!(
                        "<rect data-testid=\"op\" data-client=\"{}\" data-f=\"{}\" data-type=\"{}\" data-anomaly=\"{anomaly}\" data-expected=\"{expected}\" class=\"rv-op rv-op-{}{extra}\" x=\"{}\" y=\"{}\" width=\"{width}\" height=\"0.7\"><title>{}</title></rect>",
                        b.client, b.f, b.kind, b.kind, b.start, row as f64 + 0.15, escape(&b.text)
                    ));
                }
                m
            })
        })
    };
    view! {
        <Show when=move || s.lin.with(|l| l.ops > 0)>
            <div
                class="rv-card rv-history"
                data-testid="history"
                data-ops=move || s.lin.with(|l| l.ops.to_string())
                data-anomalies=move || s.lin.with(|l| usize::from(l.op.is_some()).to_string())
            >
                <h2>"Client history"</h2>
                <div class="rv-history-body">
                    <div class="rv-history-lanes rv-muted">
                        {move || {
                            let names: Vec<String> = lanes.with(|l| {
                                l.iter()
                                    .map(|&n| if n == 0 { "you".to_string() } else { format!("C{n}") })
                                    .collect()
                            });
                            names.into_iter().map(|n| view! { <div>{n}</div> }).collect_view()
                        }}
                    </div>
                    <svg
                        class="rv-history-svg"
                        preserveAspectRatio="none"
                        style=move || format!("height:{}px", height() * 16)
                        viewBox=move || {
                            let now = s.now.get() as f64;
                            format!("{} 0 {WINDOW} {}", now - WINDOW, height())
                        }
                        inner_html=bars_markup
                    ></svg>
                </div>
                <div class="rv-muted rv-history-legend">
                    "last 4 s up to the cursor · green = ok · grey = refused · amber dashed = no answer · outlined = the anomaly"
                </div>
            </div>
        </Show>
    }
}

/// Text for markup.
fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
