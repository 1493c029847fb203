//! The timeline: a scrubber over virtual time with markers (user actions,
//! new leaders, violations), step back/forward, jump to start/end, and the
//! undo for a discarded future.

use super::cmd::{on, Cmd};
use super::state::AppState;
use crate::geometry::Fx;
use crate::i18n::tr;
use crate::sim::Time;
use crate::timeline::MarkerKind;
use leptos::prelude::*;

/// Where time `t` sits on a track spanning `span`, as a style.
fn left(t: Time, span: Time) -> String {
    format!(
        "left:{}%",
        Fx((t as f64 / span.max(1) as f64 * 100.0).min(100.0), 3)
    )
}

/// The scrubber row.
#[component]
pub fn TimelineBar() -> impl IntoView {
    let s = expect_context::<AppState>();
    let frontier = move || s.frontier.get().max(s.now.get()).max(1);
    // The track spans the whole scenario (its script included, with a
    // little room after its last action), so markers of actions not yet
    // simulated sit on the track and do not drift while playing. A memo:
    // it changes only when the span does, not on every frame.
    let span = Memo::new(move |_| {
        let end = s.script_end.get();
        let padded = if end > 0 { end + end / 10 } else { 0 };
        frontier().max(padded)
    });
    // Markers that would overlap (within 0.5 % of the track) are drawn as
    // one, which names how many it holds: a run with thousands of client
    // requests draws a few hundred markers at most.
    let groups = Memo::new(move |_| {
        let sp = span.get().max(1) as f64;
        let mut out: Vec<(u64, MarkerKind, Time, usize, String)> = Vec::new();
        s.markers.with(|ms| {
            for m in ms {
                let bucket = (m.t as f64 / sp * 200.0) as u64;
                match out
                    .iter_mut()
                    .rev()
                    .take(3)
                    .find(|g| g.0 == bucket && g.1 == m.kind)
                {
                    Some(g) => g.3 += 1,
                    None => out.push((bucket, m.kind, m.t, 1, m.label.clone())),
                }
            }
        });
        out
    });
    view! {
        <div class="rv-timeline" role="group" aria-label=tr("Timeline")>
            <button data-testid="btn-start" class="rv-btn" title=tr("Jump to the start") on:click=on(s, Cmd::Seek(0))>"|◀"</button>
            <button data-testid="btn-step-back" class="rv-btn" title=tr("Step back one event") on:click=on(s, Cmd::StepBack)>{tr("‹ Back")}</button>
            <div class="rv-scrub">
                <div class="rv-markers">
                    // Markers and the chapters a built-in scenario's text
                    // names, as markup with one click handler (cheaper for
                    // the bundle than a view per marker).
                    <span
                        inner_html=move || {
                            use std::fmt::Write as _;
                            let sp = span.get();
                            let mut m = String::new();
                            groups.with(|gs| for (_, kind, t, count, label) in gs {
                                let name = match kind {
                                    MarkerKind::Action => "action",
                                    MarkerKind::Leader => "leader",
                                    MarkerKind::Violation => "violation",
                                };
                                let more = if *count > 1 { format!(" (and {} more here)", count - 1) } else { String::new() };
                                let _ = write!(
                                    m,
                                    "<button data-testid=\"marker\" data-kind=\"{name}\" data-us=\"{t}\" data-count=\"{count}\" class=\"rv-marker rv-marker-{name}\" style=\"{}\" title=\"{} ms: {}{more}\"></button>",
                                    left(*t, sp),
                                    Fx(*t as f64 / 1000.0, 1),
                                    super::panels::esc(label)
                                );
                            });
                            for (ms, label, text) in crate::scenarios::chapters(&s.about.with(|a| a.0.clone())) {
                                let _ = write!(
                                    m,
                                    "<button data-testid=\"chapter\" data-us=\"{}\" class=\"rv-chapter\" style=\"{}\" title=\"{}\">{label}</button>",
                                    ms * 1000,
                                    left(ms * 1000, sp),
                                    super::panels::esc(&crate::i18n::tr_dyn(&text))
                                );
                            }
                            // The client history's anomaly, where the diagram outlines it.
                            s.lin.with(|l| if let Some(at) = l.at {
                                let _ = write!(
                                    m,
                                    "<button data-testid=\"marker\" data-kind=\"anomaly\" data-us=\"{at}\" class=\"rv-marker rv-marker-violation rv-marker-{}\" style=\"{}\" title=\"{}: {}\"></button>",
                                    l.verdict,
                                    left(at, sp),
                                    l.kind.replace('-', " "),
                                    super::panels::esc(&l.text)
                                );
                            });
                            m
                        }
                        on:click=move |ev| {
                            let us = super::cmd::clicked_value(&ev, "data-us").and_then(|v| v.parse().ok());
                            if let Some(us) = us {
                                s.seek(us);
                            }
                        }
                    ></span>
                </div>
                <input
                    data-testid="timeline"
                    data-us=move || s.now.get().to_string()
                    data-frontier=move || frontier().to_string()
                    data-seek-ms=move || Fx(s.seek_ms.get(), 3).to_string()
                    type="range"
                    min="0"
                    max=move || span.get().to_string()
                    step="1000"
                    prop:value=move || s.now.get().to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                            s.seek(v);
                        }
                    }
                    aria-label=tr("Virtual time")
                />
            </div>
            <button data-testid="btn-end" class="rv-btn" title=tr("Jump to the end of what has been simulated") on:click=on(s, Cmd::SeekEnd)>"▶|"</button>
            <span class="rv-muted rv-small rv-timeline-info">
                {move || format!("{} / {} s", Fx(s.now.get() as f64 / 1e6, 2), Fx(frontier() as f64 / 1e6, 2))}
            </span>
            <button data-testid="btn-undo-fork" hidden=move || !s.can_undo.get() class="rv-btn rv-warn" title=tr("Bring back the run as it was before your change in the past") on:click=on(s, Cmd::UndoFork)>
                {tr("↶ Undo my change")}
            </button>
        </div>
    }
}
