//! Side panels: invariant status, per-node logs with commit index and the
//! leader's nextIndex/matchIndex, the plain-words event log, the legend and
//! the error banner.

use super::cmd::{on, Cmd};
use super::state::AppState;
use crate::i18n::{tr, tr_sentence, trf};
use crate::protocol::NodeView;
use leptos::prelude::*;

/// Live invariant status, and the client history's verdict: linearizable,
/// a violation of what the configuration claims (red), or the lesson its
/// setting allows (amber). One piece of markup, made again when one of
/// them changes: far less code than a view with a reactive attribute each.
#[component]
pub fn Invariants() -> impl IntoView {
    let s = expect_context::<AppState>();
    view! { <div class="rv-inv-wrap" role="status" inner_html=move || invariants_markup(s)></div> }
}

fn invariants_markup(s: AppState) -> String {
    let hidden = |h: bool| if h { " hidden" } else { "" };
    // A client history that breaks a claimed guarantee counts as one.
    let count =
        s.violations.with(|v| v.len()) + usize::from(s.lin.with(|l| l.verdict == "violation"));
    let names = esc(&s
        .protocol
        .get()
        .invariants
        .iter()
        .map(|n| tr(n))
        .collect::<Vec<_>>()
        .join(" · "));
    let broken = trf(
        if count == 1 {
            "✗ {0} invariant violation"
        } else {
            "✗ {0} invariant violations"
        },
        &[&count.to_string()],
    );
    let list = s.violations.with(|v| {
        v.iter()
            .take(5)
            .map(|v| format!("<li>{}</li>", esc(v)))
            .collect::<String>()
    });
    let (verdict, ops, lin) = s.lin.with(|l| {
        let (n, why) = (l.ops, &l.text);
        let text = match l.verdict {
            "none" => String::new(),
            "ok" => trf(
                if n == 1 {
                    "✓ Linearizable, sessions kept: {0} client operation"
                } else {
                    "✓ Linearizable, sessions kept: {0} client operations"
                },
                &[&n.to_string()],
            ),
            // The checker's sentences in the page's language.
            "violation" => trf(
                "✗ {0}: {1}",
                &[&tr_sentence(&l.kind.replace('-', " ")), &tr_sentence(why)],
            ),
            "lesson" => trf(
                "⚠ {0} (expected here): {1}",
                &[&tr_sentence(&l.kind.replace('-', " ")), &tr_sentence(why)],
            ),
            _ => trf("? Linearizability undecided: {0}", &[&tr_sentence(why)]),
        };
        (l.verdict, n, esc(&text))
    });
    let lost = s.lost.with(|l| esc(l));
    format!(
        "<div data-testid=\"invariants\" data-violations=\"{count}\" class=\"rv-card rv-inv rv-inv-{}\">\
         <div class=\"rv-inv-head\"{}><strong>{}</strong> <span class=\"rv-muted\" title=\"{names}\">{names}</span></div>\
         <div{}><strong>{broken}</strong><ul class=\"rv-violations\">{list}</ul></div>\
         <div data-testid=\"linearizability\" data-verdict=\"{verdict}\" data-ops=\"{ops}\" class=\"rv-lin rv-lin-{verdict}\">{lin}</div>\
         <div data-testid=\"lost-writes\" class=\"rv-lin rv-lin-lesson\"{}>{lost}</div></div>",
        if count == 0 { "ok" } else { "bad" },
        hidden(count != 0),
        tr("✓ All safety checks hold"),
        hidden(count == 0),
        hidden(lost.is_empty()),
    )
}

fn term_hue(term: u64) -> u64 {
    (term * 67 + 200) % 360
}

/// Per-node logs (markup, redrawn whole at most every 100 ms while playing:
/// cheaper for the bundle than a keyed view per row).
#[component]
pub fn LogPanel() -> impl IntoView {
    let s = expect_context::<AppState>();
    let rows = move || {
        use std::fmt::Write as _;
        let p = s.protocol.get();
        s.logs.with(|nodes| {
            let leader = nodes
                .iter()
                .filter(|n| n.up && n.leading)
                .max_by_key(|n| n.term);
            let mut m = String::new();
            for n in nodes {
                let id = n.id;
                let progress = leader
                    .and_then(|l| {
                        l.progress
                            .iter()
                            .find(|p| p.peer == id)
                            .map(|p| format!("S{}: next {} · match {}", l.id, p.next, p.matched))
                    })
                    .unwrap_or_default();
                let _ = write!(
                    m,
                    "<div class=\"rv-log-row\" data-testid=\"log-{id}\" data-commit=\"{}\" data-len=\"{}\"><div class=\"rv-log-head\"><span class=\"rv-badge rv-tone-{}{}\">S{id}</span><span class=\"rv-muted rv-small\">{progress}</span></div><div class=\"rv-log-details rv-muted\" data-testid=\"details-{id}\">",
                    n.commit_index,
                    n.log_offset + n.log.len() as u64,
                    p.role_tone(n.role),
                    if n.up { "" } else { " rv-down" },
                );
                for d in &n.details {
                    let _ = write!(m, "<span>{}</span>", esc(&tr_sentence(d)));
                }
                let state = if n.state_machine.is_empty() {
                    tr("(empty)").to_string()
                } else {
                    esc(&n.state_machine)
                };
                let _ = write!(
                    m,
                    "</div><div class=\"rv-log-entries\">{}</div><div class=\"rv-kv rv-muted rv-small\">{}</div></div>",
                    entries(n, p.commit_mark),
                    trf("state: {0}", &[&state])
                );
            }
            m
        })
    };
    view! {
        <div class="rv-card rv-logs" data-testid="logs">
            <h2 class="rv-logs-head">{tr("Logs")}" " <span class="rv-log-legend rv-muted" inner_html=move || { let p = s.protocol.get(); let l = esc(&crate::i18n::tr_dyn(&p.text(p.log_legend, "log_legend"))); format!("<span title=\"{l}\">{l}</span>") }></span></h2>
            <div inner_html=rows></div>
        </div>
    }
}

/// How many of the last log entries the panel draws (views are built with
/// only these).
pub const LOG_WINDOW: usize = 24;

/// The last entries of one log, as coloured boxes (markup: a view per
/// box costs the bundle more, and the row is redrawn whole either way).
/// One element a box, its term and text as one line: the panel is redrawn
/// ten times a second while playing, and its layout cost grows with the
/// elements (9 logs of 24 boxes: 4.5 ms with three a box, 2.4 ms with one,
/// in headless Chromium here).
fn entries(n: &NodeView, commit_mark: &str) -> String {
    use std::fmt::Write as _;
    let skip = n.log.len().saturating_sub(LOG_WINDOW);
    let before = n.log_offset + skip as u64;
    let mut out = String::new();
    if before > 0 {
        let _ = write!(out, "<span class=\"rv-log-more\">…{before}</span>");
    }
    for (i, e) in n.log.iter().enumerate().skip(skip) {
        let idx = n.log_offset + i as u64 + 1;
        let state = if e.committed {
            "rv-committed"
        } else {
            "rv-uncommitted"
        };
        let (mark_class, mark_note) = if e.mark.is_empty() {
            (String::new(), String::new())
        } else {
            (format!(" rv-mark-{}", e.mark), format!(" ({})", e.mark))
        };
        let done = if e.committed { " (committed)" } else { "" };
        let _ = write!(
            out,
            "<span class=\"rv-entry {state}{mark_class}\" style=\"--term-hue:{}\" title=\"#{idx} [{}]: {}{done}{mark_note}\" data-term=\"{}\" data-mark=\"{}\" data-committed=\"{}\">{} {}</span>",
            term_hue(e.term),
            esc(&e.tag),
            esc(&e.text),
            e.term,
            e.mark,
            e.committed,
            esc(&e.tag),
            esc(&e.text)
        );
        if idx == n.commit_index && idx > 0 {
            let _ = write!(
                out,
                "<span class=\"rv-commit-mark\" data-testid=\"commit-mark\" title=\"{commit_mark} = {idx}\"></span>"
            );
        }
    }
    if n.log.is_empty() {
        out.push_str("<span class=\"rv-muted rv-small\">(empty)</span>");
    }
    out
}

/// Text for markup (element content and quoted attributes).
pub fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The plain-words event log, newest first.
#[component]
pub fn EventLog() -> impl IntoView {
    let s = expect_context::<AppState>();
    view! {
        <div class="rv-card rv-events">
            <h2>
                {tr("Events ")}
                <label class="rv-small rv-muted rv-routine">
                    <input type="checkbox" data-testid="show-routine"
                        prop:checked=move || s.show_routine.get()
                        on:change=move |ev| { s.show_routine.set(event_target_checked(&ev)); s.refresh(true); }
                    />
                    {tr(" show heartbeats")}
                </label>
            </h2>
            // Markup, redrawn whole (at most every 100 ms while playing):
            // cheaper for the bundle than a keyed view per line.
            <ol class="rv-event-list" data-testid="event-log" tabindex="0" aria-label=tr("Events, newest first")
                inner_html=move || s.events.with(|ev| ev.iter().map(|(_, t, text, weight)| format!(
                    "<li class=\"{}\"><span class=\"rv-event-time\">{} ms</span> {}</li>",
                    ["", "rv-event-key", "rv-event-bad"][usize::from((*weight).min(2))],
                    crate::geometry::Fx(*t as f64 / 1000.0, 1),
                    esc(text)
                )).collect::<String>())
            ></ol>
        </div>
    }
}

/// Colour key for roles and messages (markup: it changes only with the
/// protocol).
#[component]
pub fn Legend() -> impl IntoView {
    let s = expect_context::<AppState>();
    let keys = move || {
        use std::fmt::Write as _;
        let p = s.protocol.get();
        let mut m = String::new();
        for r in p.roles {
            let _ = write!(
                m,
                "<span><i class=\"rv-swatch rv-tone-{}\"></i>{}</span>",
                r.tone,
                esc(tr(r.label))
            );
        }
        let _ = write!(m, "<span><i class=\"rv-swatch rv-down\"></i>{}</span><span class=\"rv-legend-sep\"></span>", tr("✕ down"));
        for k in p.messages {
            let _ = write!(
                m,
                "<span><i class=\"rv-chip rv-mt-{}\"></i>{} {}</span>",
                k.tone,
                esc(k.label),
                esc(k.kind)
            );
        }
        let _ = write!(
            m,
            "<span class=\"rv-muted\">{}</span>",
            esc(&crate::i18n::tr_dyn(
                &p.text(p.request_hint, "request_hint")
            ))
        );
        m
    };
    view! {
        <div class="rv-legend rv-muted" data-testid="legend">
            <span class="rv-legend-keys" inner_html=keys></span>
            <span class="rv-muted">{tr("Ring = the node's main timer. Click a server or a link for faults. Keys: Space play/pause · ← → step · Home/End.")}</span>
        </div>
    }
}

/// Clear messages about bad input; dismissible.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let s = expect_context::<AppState>();
    view! {
        <div class="rv-error" data-testid="error-banner" role="alert" hidden=move || s.errors.with(|e| e.is_empty())>
            <ul inner_html=move || s.errors.with(|es| es.iter().map(|e| format!("<li>{}</li>", esc(e))).collect::<String>())></ul>
            <button class="rv-btn" on:click=on(s, Cmd::DismissErrors)>{tr("Dismiss")}</button>
        </div>
    }
}
