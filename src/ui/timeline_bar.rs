//! The timeline: a scrubber over virtual time with markers (user actions,
//! new leaders, violations), step back/forward, jump to start/end, and the
//! undo for a discarded future.

use super::state::AppState;
use crate::timeline::MarkerKind;
use leptos::prelude::*;

/// The scrubber row.
#[component]
pub fn TimelineBar() -> impl IntoView {
    let s = expect_context::<AppState>();
    let frontier = move || s.frontier.get().max(s.now.get()).max(1);
    // The track spans the whole scenario (its script included, with a
    // little room after its last action), so markers of actions not yet
    // simulated sit on the track and do not drift while playing.
    let span = move || {
        let end = s.script_end.get();
        let padded = if end > 0 { end + end / 10 } else { 0 };
        frontier().max(padded)
    };
    let marker_list = move || s.markers.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <div class="rv-timeline" role="group" aria-label="Timeline">
            <button data-testid="btn-start" class="rv-btn" title="Jump to the start" on:click=move |_| s.seek(0)>"|◀"</button>
            <button data-testid="btn-step-back" class="rv-btn" title="Step back one event" on:click=move |_| s.step_back()>"‹ Back"</button>
            <div class="rv-scrub">
                <div class="rv-markers">
                    <For
                        each=marker_list
                        key=|(i, m)| (*i, m.t, m.label.clone())
                        children=move |(_, m)| {
                            let t = m.t;
                            let class = match m.kind {
                                MarkerKind::Action => "rv-marker rv-marker-action",
                                MarkerKind::Leader => "rv-marker rv-marker-leader",
                                MarkerKind::Violation => "rv-marker rv-marker-violation",
                            };
                            let kind = match m.kind {
                                MarkerKind::Action => "action",
                                MarkerKind::Leader => "leader",
                                MarkerKind::Violation => "violation",
                            };
                            view! {
                                <button
                                    data-testid="marker"
                                    data-kind=kind
                                    data-us=t.to_string()
                                    class=class
                                    style=move || format!("left:{:.3}%", (t as f64 / span() as f64 * 100.0).min(100.0))
                                    title=format!("{:.1} ms: {}", t as f64 / 1000.0, m.label)
                                    on:click=move |_| s.seek(t)
                                ></button>
                            }
                        }
                    />
                </div>
                <input
                    data-testid="timeline"
                    data-us=move || s.now.get().to_string()
                    data-frontier=move || frontier().to_string()
                    data-seek-ms=move || format!("{:.3}", s.seek_ms.get())
                    type="range"
                    min="0"
                    max=move || span().to_string()
                    step="1000"
                    prop:value=move || s.now.get().to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                            s.seek(v);
                        }
                    }
                    aria-label="Virtual time"
                />
            </div>
            <button data-testid="btn-end" class="rv-btn" title="Jump to the end of what has been simulated" on:click=move |_| {
                let f = s.frontier.get_untracked();
                s.seek(f)
            }>"▶|"</button>
            <span class="rv-muted rv-small rv-timeline-info">
                {move || format!("{:.2} / {:.2} s", s.now.get() as f64 / 1e6, frontier() as f64 / 1e6)}
            </span>
            <Show when=move || s.can_undo.get()>
                <button data-testid="btn-undo-fork" class="rv-btn rv-warn" title="Your action in the past discarded the recorded future; bring it back" on:click=move |_| s.undo_fork()>
                    "↶ Undo discard of the future"
                </button>
            </Show>
        </div>
    }
}
