//! The cluster picture: nodes on a circle, links between every pair,
//! messages animating along links, and the node/link popup menus.
//!
//! Nodes are keyed views (by id), whose clock-driven attributes change per
//! frame; the links and the messages in flight are markup strings (the
//! messages drawn again each frame: at 10x most live about one frame).

use super::cmd::{on, Cmd};
use super::state::{AppState, Menu};
use crate::geometry::Fx;
use crate::i18n::{tr, tr_sentence, trf};
use crate::protocol::NodeView;
use crate::sim::net::{LinkState, CLIENT_BASE};
use crate::sim::{Action, NodeId};
use leptos::prelude::*;
use std::fmt::Write as _;

const SIZE: f64 = 600.0;
const CENTER: f64 = 300.0;

fn radius(n: u32) -> f64 {
    if n <= 5 {
        200.0
    } else {
        225.0
    }
}

/// The picture's layout: the node count, and the nodes drawn off the ring
/// (bit `i` for `Si`: outside the configuration the leader uses).
pub type Layout = (u32, u32);

/// The layout now (tracked: redraw when it changes).
pub fn layout(s: AppState, tracked: bool) -> Layout {
    if tracked {
        (s.node_count.get(), s.off_ring.get())
    } else {
        (s.node_count.get_untracked(), s.off_ring.get_untracked())
    }
}

/// Position of node `id`: the ring's nodes on a circle, clockwise from the
/// top (turned by half a step when their number is even, so that no node
/// sits at the bottom, where its label would leave a 720-pixel screen),
/// and the others in a column at the top right.
pub fn node_pos(id: NodeId, (n, off): Layout) -> (f64, f64) {
    use std::f64::consts::{FRAC_PI_2, PI, TAU};
    let out = |i: NodeId| i < 32 && off >> i & 1 == 1;
    let before = |f: &dyn Fn(NodeId) -> bool| (1..id).filter(|&i| f(i)).count() as f64;
    if out(id) {
        return (SIZE - 52.0, 70.0 + 100.0 * before(&out));
    }
    let ring = (1..=n).filter(|&i| !out(i)).count().max(1);
    let turn = if ring % 2 == 0 { PI / ring as f64 } else { 0.0 };
    let a = -FRAC_PI_2 + turn + before(&|i| !out(i)) * TAU / ring as f64;
    let (sin, cos) = crate::geometry::sin_cos(a);
    (CENTER + radius(n) * cos, CENTER + radius(n) * sin)
}

/// Left edge and width of the picture: a column for the workload's
/// clients is added left of the ring when there are any.
pub fn view_x(clients: u32) -> (f64, f64) {
    if clients > 0 {
        (-130.0, SIZE + 130.0)
    } else {
        (0.0, SIZE)
    }
}

/// Position of workload client `c` of `k`, in a column left of the ring.
pub fn client_pos(c: u32, k: u32) -> (f64, f64) {
    let gap = (SIZE - 60.0) / f64::from(k.max(1));
    (-80.0, 30.0 + gap * (f64::from(c) - 0.5))
}

fn node_r(n: u32) -> f64 {
    if n <= 5 {
        46.0
    } else if n <= 7 {
        42.0
    } else {
        38.0
    }
}

/// The SVG cluster with its overlay menus.
#[component]
pub fn Cluster() -> impl IntoView {
    let s = expect_context::<AppState>();
    view! {
        <div class=move || if s.clients_drawn.get() != 0 { "rv-cluster rv-wide" } else { "rv-cluster" }>
            <svg
                data-testid="cluster"
                class="rv-svg"
                viewBox=move || {
                    let (x, w) = view_x(s.clients_drawn.get());
                    format!("{} 0 {} 600", Fx(x, 0), Fx(w, 0))
                }
                role="img"
                aria-label=tr("Cluster of servers exchanging messages")
                on:click=move |_| s.menu.set(None)
            >
                <g
                    class="rv-links"
                    inner_html=move || links_markup(s)
                    on:click=move |ev| link_menu(s, &ev)
                    // A long press on a touch screen (or a right click).
                    on:contextmenu=move |ev| {
                        ev.prevent_default();
                        link_menu(s, &ev)
                    }
                ></g>
                <g
                    class="rv-clients"
                    inner_html=move || clients_markup(s)
                    on:click=move |ev| link_menu(s, &ev)
                    on:contextmenu=move |ev| {
                        ev.prevent_default();
                        link_menu(s, &ev)
                    }
                ></g>
                // The messages in flight, as one string drawn again each
                // frame (see [`msgs_markup`]).
                <g class="rv-msgs" inner_html=move || msgs_markup(s)></g>
                // Nodes above messages: labels stay readable under traffic.
                <g class="rv-nodes">
                    <For
                        each=move || {
                            let n = layout(s, true);
                            let p = s.protocol.get().name();
                            s.nodes.with(|v| v.iter().map(|x| (n, p, x.id)).collect::<Vec<_>>())
                        }
                        key=|k| *k
                        children=move |(_, _, id)| view! { <NodeCircle id=id/> }
                    />
                </g>
            </svg>
            {move || s.menu.get().map(|m| view! { <PopupMenu menu=m n=layout(s, true)/> })}
        </div>
    }
}

fn link_state_attr(st: LinkState) -> String {
    match st {
        LinkState::Up => "up".into(),
        LinkState::Cut => "cut".into(),
        LinkState::CutOneWay(f, t) => format!("cut-{f}-{t}"),
    }
}

/// The links between servers, as markup (one string, redrawn when a link
/// changes: a view per link costs the bundle more). A click on one opens
/// its menu.
fn links_markup(s: AppState) -> String {
    use std::fmt::Write as _;
    let n = layout(s, true);
    let mut m = String::new();
    s.links.with(|links| {
        for &(a, b, st) in links.iter().filter(|l| l.0 < CLIENT_BASE) {
            let (x1, y1) = node_pos(a, n);
            let (x2, y2) = node_pos(b, n);
            let (class, title, mark) = match st {
                LinkState::Up => ("rv-link", format!("S{a} ↔ S{b}: {}", tr("up (click to cut)")), None),
                LinkState::Cut => ("rv-link rv-link-cut", format!("S{a} ↔ S{b}: {}", tr("cut both ways")), Some(0.5)),
                // The mark a quarter of the way from the sender whose
                // messages are dropped.
                LinkState::CutOneWay(f, t) => (
                    "rv-link rv-link-oneway",
                    format!("Link S{f} → S{t} cut; S{t} → S{f} works"),
                    Some(if f == a { 0.3 } else { 0.7 }),
                ),
            };
            let (x1, y1, x2, y2) = (Fx(x1, 1), Fx(y1, 1), Fx(x2, 1), Fx(y2, 1));
            let _ = write!(
                m,
                "<g data-testid=\"link-{a}-{b}\" data-state=\"{}\" class=\"{class}\" tabindex=\"0\"><title>{title}</title><line class=\"rv-link-hit\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"/><line class=\"rv-link-line\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"/>",
                link_state_attr(st)
            );
            if let Some(f) = mark {
                let (mx, my) = (x1.0 + (x2.0 - x1.0) * f, y1.0 + (y2.0 - y1.0) * f);
                let _ = write!(
                    m,
                    "<g class=\"rv-cut-mark\" transform=\"translate({},{})\"><circle r=\"11\"/><path d=\"M-5,-5 L5,5 M5,-5 L-5,5\"/></g>",
                    Fx(mx, 1),
                    Fx(my, 1)
                );
            }
            m.push_str("</g>");
        }
    });
    m
}

/// The workload's clients and their links to every server, as markup (one
/// string: a component per link would cost the bundle several KiB). A
/// click on a client or one of its links opens that client's menu.
fn clients_markup(s: AppState) -> String {
    let n = layout(s, true);
    let k = s.clients_drawn.get();
    let mut m = String::new();
    s.links.with(|links| {
        for c in 1..=k {
            let (x1, y1) = client_pos(c, k);
            let (x1, y1) = (Fx(x1, 1), Fx(y1, 1));
            let mut reach = false;
            let mut boxes = String::new();
            for &(_, b, st) in links.iter().filter(|l| l.0 == CLIENT_BASE + c) {
                let (x2, y2) = node_pos(b, n);
                let (x2, y2) = (Fx(x2, 1), Fx(y2, 1));
                let cut = st != LinkState::Up;
                reach |= !cut;
                let (state, class) = if cut { ("cut", " rv-link-cut") } else { ("up", "") };
                m.push_str(&format!(
                    "<g data-testid=\"link-c{c}-{b}\" data-state=\"{state}\" class=\"rv-link rv-clink{class}\"><title>Link C{c} ↔ S{b}: {state} (click for C{c}'s links)</title><line class=\"rv-link-hit\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"/><line class=\"rv-link-line\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"/></g>"
                ));
                if cut {
                    let (mx, my) = (x1.0 + (x2.0 - x1.0) * 0.3, y1.0 + (y2.0 - y1.0) * 0.3);
                    boxes.push_str(&format!("<g class=\"rv-cut-mark\" transform=\"translate({},{})\"><circle r=\"8\"/><path d=\"M-4,-4 L4,4 M4,-4 L-4,4\"/></g>", Fx(mx, 1), Fx(my, 1)));
                }
            }
            let down = if reach { "" } else { " rv-down" };
            boxes.push_str(&format!(
                "<g data-testid=\"client-{c}\" data-up=\"{reach}\" class=\"rv-client{down}\" tabindex=\"0\" transform=\"translate({x1},{y1})\"><title>Client C{c}: reads and writes at the server it believes leads (click to cut its links)</title><rect x=\"-24\" y=\"-14\" width=\"48\" height=\"28\" rx=\"6\"/><text y=\"5\">C{c}</text></g>"
            ));
            m.push_str(&boxes);
        }
    });
    m
}

#[component]
fn NodeCircle(id: NodeId) -> impl IntoView {
    let s = expect_context::<AppState>();
    let view_of = Memo::new(move |_| s.nodes.with(|v| v.iter().find(|x| x.id == id).cloned()));
    let ring = Memo::new(move |_| s.rings.with(|r| r.get(id as usize - 1).copied().flatten()));
    let n = layout(s, false);
    let (x, y) = node_pos(id, n);
    let r = node_r(n.0);
    let circ = std::f64::consts::TAU * (r + 7.0);
    let get = move |f: fn(&NodeView) -> String| {
        move || view_of.with(|v| v.as_ref().map(f).unwrap_or_default())
    };
    let role = get(|v| v.role.to_string());
    let up = move || view_of.with(|v| v.as_ref().is_some_and(|v| v.up));
    let proto = s.protocol.get_untracked();
    let class = move || {
        let role = view_of.with(|v| v.as_ref().map(|v| v.role).unwrap_or(""));
        if up() {
            format!("rv-node rv-tone-{}", proto.role_tone(role))
        } else {
            "rv-node rv-down".to_string()
        }
    };
    let progress = move || {
        let now = s.now.get();
        match ring.get() {
            Some((a, b)) if b > a && up() => {
                ((now.saturating_sub(a)) as f64 / (b - a) as f64).clamp(0.0, 1.0)
            }
            _ => 0.0,
        }
    };
    let fault = move || {
        s.faults
            .with(|f| f.get(id as usize - 1).copied().unwrap_or((0, 0, 100)))
    };
    let role_text = move || {
        if !up() {
            return tr("✕ down").to_string();
        }
        let (paused, offset, rate) = fault();
        if paused != 0 {
            return tr("‖ paused").to_string();
        }
        if offset != 0 || rate != 100 {
            let role = view_of.with(|v| v.as_ref().map(|v| v.role).unwrap_or(""));
            return format!(
                "{} · {} {:+} ms ×{}%",
                tr(role),
                tr("clock"),
                offset / 1000,
                rate
            );
        }
        let role = view_of.with(|v| v.as_ref().map(|v| v.role).unwrap_or(""));
        match proto.role_label(role) {
            "" => tr(role).to_string(),
            label => tr(label).to_string(),
        }
    };
    let vote = get(|v| tr_sentence(&v.subline));
    let badge = get(|v| v.badge.clone());
    let badge_text = move || tr_sentence(&badge());
    // A CJK character is about two Latin ones wide.
    let badge_w = move || {
        let w: f64 = badge_text()
            .chars()
            .map(|c| if c > '\u{2e80}' { 2.0 } else { 1.0 })
            .sum();
        (w * 10.4 + 16.0).max(40.0)
    };
    view! {
        <g
            data-testid=format!("node-{id}")
            data-role=role
            data-term=get(|v| v.term.to_string())
            data-up=move || up().to_string()
            data-paused=move || (fault().0 != 0).to_string()
            data-clock-offset=move || fault().1.to_string()
            data-badge=badge
            class=move || {
                let c = class();
                if badge().is_empty() { c } else { format!("{c} rv-flagged") }
            }
            transform=format!("translate({},{})", Fx(x, 1), Fx(y, 1))
            tabindex="0"
            on:click=move |ev| {
                ev.stop_propagation();
                s.menu.set(Some(Menu::Node(id)));
            }
            // A long press on a touch screen (or a right click) opens it too.
            on:contextmenu=move |ev| {
                ev.prevent_default();
                s.menu.set(Some(Menu::Node(id)));
            }
        >
            <title>{move || format!("S{id}: {} — {}", role_text(), tr("click for actions"))}</title>
            <circle class="rv-ring-track" r=Fx(r + 7.0, 1).to_string()/>
            <circle
                class="rv-ring"
                r=Fx(r + 7.0, 1).to_string()
                stroke-dasharray=Fx(circ, 1).to_string()
                stroke-dashoffset=move || Fx(circ * (1.0 - progress()), 1).to_string()
                transform="rotate(-90)"
            />
            <circle class="rv-node-body" r=Fx(r, 1).to_string()/>
            <text class="rv-node-name" y="-13">{format!("S{id}")}</text>
            <text class="rv-node-term" y="6">{get(|v| tr_sentence(&v.headline))}</text>
            <text class="rv-node-vote" y="24">{vote}</text>
            <text class="rv-node-role" y=Fx(r + 27.0, 1).to_string()>{role_text}</text>
            // A state the class must notice, in words (not colour alone).
            {move || (!badge().is_empty()).then(|| view! {
                <g class="rv-badge" transform=format!("translate(0,{})", Fx(-r - 24.0, 1))>
                    <rect x=Fx(-badge_w() / 2.0, 1).to_string() y="-13" width=Fx(badge_w(), 1).to_string() height="26" rx="6"/>
                    <text y="6">{badge_text()}</text>
                </g>
            })}
        </g>
    }
}

/// More messages in flight than this are drawn as dots, without labels.
pub const DENSE: usize = 64;

/// The messages in flight at the cursor, as markup: one string the
/// browser parses each frame. Under load (9 nodes at 10x, a write every
/// 2.5 ms: 125 messages in flight, 5,000 new ones a second) this costs far
/// less than an element per message kept by a keyed view, which made and
/// removed several DOM nodes per message and ran an effect per message
/// per frame.
fn msgs_markup(s: AppState) -> String {
    use std::fmt::Write as _;
    let now = s.now.get();
    let n = layout(s, true);
    let proto = s.protocol.get();
    // Keep the dots off the node circles.
    let r = node_r(n.0) / radius(n.0) / 2.0;
    let mut out = String::new();
    s.msgs.with(|msgs| {
        // Under heavy traffic each message is a dot of its kind's colour:
        // past [`DENSE`] the labels overlap into an unreadable wall, and
        // laying out and painting ~130 new labels a frame was most of a
        // frame's time (README, Frames). The dots of one look (kind,
        // dropped, retransmitted) are one path: a few elements to parse,
        // lay out and paint a frame instead of one per message.
        let dense = msgs.len() > DENSE;
        let mut dots: Vec<(String, String, usize)> = Vec::new();
        for m in msgs {
            let (x1, y1) = node_pos(m.from, n);
            let (x2, y2) = node_pos(m.to, n);
            let span = m.arrive.saturating_sub(m.sent).max(1) as f64;
            let f = (now.saturating_sub(m.sent) as f64 / span).clamp(0.0, 1.0);
            // Less motion: two places, the sender's side, then the receiver's.
            let f = match (s.reduced_motion, f < 0.5) {
                (false, _) => f,
                (true, true) => 0.25,
                (true, false) => 0.75,
            };
            // A doomed message stops where it is lost (its "arrive" is the drop point).
            let f = if m.half { f * 0.5 } else { f };
            let f = r + f * (1.0 - 2.0 * r);
            let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
            let class = format!(
                "rv-msg rv-mt-{}{}{}",
                proto.msg_tone(m.kind),
                if m.dropped { " rv-msg-dropped" } else { "" },
                if m.retries > 0 { " rv-msg-retx" } else { "" },
            );
            if dense {
                // A circle of radius 8 as two arcs.
                let i = dots.iter().position(|d| d.0 == class).unwrap_or_else(|| {
                    dots.push((class, String::new(), 0));
                    dots.len() - 1
                });
                let d = &mut dots[i];
                let _ = write!(d.1, "M{} {}a8 8 0 1 0 16 0a8 8 0 1 0-16 0", Fx(x - 8.0, 1), Fx(y, 1));
                d.2 += 1;
                continue;
            }
            // A lost message fades out (a labelled pill; a dot stays dashed red).
            let fade = if m.dropped && now > m.arrive {
                1.0 - ((now - m.arrive) as f64 / super::state::DROP_FADE as f64).clamp(0.0, 1.0)
            } else {
                1.0
            };
            let _ = write!(
                out,
                "<g data-testid=\"msg\" data-id=\"{}\" data-kind=\"{}\" data-from=\"{}\" data-to=\"{}\" data-state=\"{}\" data-retries=\"{}\" class=\"{class}\" transform=\"translate({},{})\" opacity=\"{}\">",
                m.id,
                m.kind,
                m.from,
                m.to,
                if m.dropped { "dropped" } else { "flying" },
                m.retries,
                Fx(x, 1),
                Fx(y, 1),
                Fx(fade, 2),
            );
            let label = proto.msg_label(m.kind);
            let retx = if m.retries > 0 { "↻" } else { "" };
            // The pill fits its label (a retransmitted message's carries ↻).
            let width = ((label.chars().count() + usize::from(m.retries > 0)) as f64 * 10.5 + 12.0)
                .max(40.0);
            let _ = write!(
                out,
                "<title>{}{}</title><rect x=\"{}\" y=\"-12\" width=\"{}\" height=\"24\" rx=\"12\"/><text y=\"6\">{retx}{}</text>{}</g>",
                // What a screen reader says of it: the message, and its
                // fate when the network drops it (the colour and cross show it).
                super::panels::esc(&tr_sentence(&m.text)),
                if m.dropped { tr(" (dropped)") } else { "" },
                Fx(-width / 2.0, 1),
                Fx(width, 1),
                super::panels::esc(label),
                if m.dropped { "<path class=\"rv-msg-x\" d=\"M-8,-8 L8,8 M8,-8 L-8,8\"/>" } else { "" },
            );
        }
        for (class, d, k) in dots {
            let _ = write!(out, "<path data-testid=\"msg-dots\" data-n=\"{k}\" class=\"{class}\" d=\"{d}\"/>");
        }
    });
    out
}

/// Open the menu of the link, client or client's link clicked (or
/// right-clicked) in the links' or clients' layer.
fn link_menu(s: AppState, ev: &leptos::ev::MouseEvent) {
    ev.stop_propagation();
    // The keyboard's parser: a client's link (`link-c1-2`) opens the
    // client's menu, as its title says.
    let m = super::cmd::clicked_value(ev, "data-testid").and_then(|t| super::keys::menu_of(&t));
    s.menu.set(m);
}

/// The fault items of a node's menu, as markup (a view per item costs the
/// bundle several KiB; clicks are read by [`fault_click`]).
fn node_faults(up: bool) -> String {
    let off = if up { "" } else { " disabled" };
    crate::i18n::tr_dyn(&crate::i18n::text_of(
        crate::markup::NODE_FAULTS,
        "ui:node-faults",
    ))
    .replace("{off}", off)
}

/// What a menu acts on.
#[derive(Clone, Copy)]
enum Target {
    Node(NodeId),
    Link(NodeId, NodeId),
    Client(u32),
}

/// One menu button as markup: `act` is what [`menu_click`] reads.
fn button(m: &mut String, testid: &str, act: &str, label: &str, hint: &str, enabled: bool) {
    let off = if enabled { "" } else { " disabled" };
    let _ = write!(
        m,
        "<button data-testid=\"{testid}\" data-act=\"{act}\" class=\"rv-menu-item\" title=\"{}\"{off}>{}</button>",
        super::panels::esc(&crate::i18n::tr_dyn(hint)),
        super::panels::esc(&crate::i18n::tr_dyn(label))
    );
}

/// A click in a menu: the button's `data-act` says what to do.
fn menu_click(s: AppState, target: Target, ev: &leptos::ev::MouseEvent) {
    ev.stop_propagation();
    let act = super::cmd::clicked(ev, "data-act")
        .filter(|e| !e.has_attribute("disabled"))
        .and_then(|e| e.get_attribute("data-act"))
        .unwrap_or_default();
    let actions = match (target, act.as_str()) {
        (Target::Node(node), "crash") => vec![Action::Crash { node }],
        (Target::Node(node), "restart") => vec![Action::Restart { node }],
        (Target::Node(node), "request") => vec![Action::Request {
            node,
            cmd: s.next_command(),
        }],
        (Target::Node(node), "read") => vec![Action::Request {
            node,
            cmd: s.next_read(),
        }],
        (Target::Node(node), a) if a.starts_with("node:") => {
            vec![Action::node_action(node, &a[5..])]
        }
        (Target::Client(client), a) if a.starts_with("client:") => {
            let mut parts = a[7..].split(':');
            let Some(node) = parts.next().and_then(|n| n.parse().ok()) else {
                return;
            };
            if parts.next() == Some("heal") {
                vec![Action::HealClient { client, node }]
            } else {
                vec![Action::CutClient { client, node }]
            }
        }
        (Target::Link(a, b), "cut") => vec![Action::CutBoth { a, b }],
        (Target::Link(a, b), "cut-ab") => vec![Action::CutOneWay { from: a, to: b }],
        (Target::Link(a, b), "cut-ba") => vec![Action::CutOneWay { from: b, to: a }],
        (Target::Link(a, b), "heal") => vec![Action::Heal { a, b }],
        (Target::Node(node), "power") => vec![Action::PowerLoss { node }],
        (Target::Node(node), "add" | "remove") => {
            s.change_membership(act == "add", Some(node));
            return;
        }
        (Target::Node(node), "pause") => vec![Action::Pause {
            node,
            us: num("pause-ms", 1000).clamp(1, 60_000) as u64 * 1000,
        }],
        (Target::Node(node), "clock") => vec![Action::Clock {
            node,
            offset: num("clock-offset", 0) * 1000,
            rate: num("clock-rate", 100).clamp(50, 200) as u32,
        }],
        (Target::Node(node), "isolate") => {
            let n = s.node_count.get_untracked();
            crate::partitions::as_actions(crate::partitions::isolate(node, n))
        }
        (Target::Link(a, b), "link" | "net") => {
            let ms = num("link-latency", 100).max(1) as u64;
            let net = crate::sim::net::NetConfig {
                latency_min: ms * 800,
                latency_max: ms * 1200,
                drop_ppm: num("link-loss", 0).clamp(0, 100) as u32 * 10_000,
                dup_ppm: num("link-dup", 0).clamp(0, 100) as u32 * 10_000,
                fifo: num("link-fifo", 0) == 1,
            };
            if act == "net" {
                return s.act(Action::SetNet { net });
            }
            vec![
                Action::SetLink {
                    from: a,
                    to: b,
                    net: net.clone(),
                },
                Action::SetLink {
                    from: b,
                    to: a,
                    net,
                },
            ]
        }
        _ => return,
    };
    s.act_all(actions);
}

/// The number in the menu's input `id` (`default` when empty or not a
/// number; a checkbox is 1 when checked).
fn num(id: &str, default: i64) -> i64 {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| match i.type_().as_str() {
            "checkbox" => Some(i64::from(i.checked())),
            _ => i.value().trim().parse().ok(),
        })
        .unwrap_or(default)
}

#[component]
fn PopupMenu(menu: Menu, n: Layout) -> impl IntoView {
    let s = expect_context::<AppState>();
    let (x, y) = match menu {
        Menu::Node(id) => node_pos(id, n),
        Menu::Client(c) => client_pos(c, s.clients_drawn.get_untracked()),
        Menu::Link(a, b) => {
            let (x1, y1) = node_pos(a, n);
            let (x2, y2) = node_pos(b, n);
            ((x1 + x2) / 2.0, (y1 + y2) / 2.0)
        }
    };
    // Keep the menu inside the cluster (and so the viewport): it opens
    // towards the centre, above points in the lower part, beside points
    // in the middle band (a node's menu is tall).
    let (x0, w) = view_x(s.clients_drawn.get_untracked());
    let (fx, fy) = ((x - x0) / w, y / SIZE);
    let tx = if fx < 0.35 {
        "-10%"
    } else if fx > 0.65 {
        "-90%"
    } else {
        "-50%"
    };
    let ty = if fy > 0.62 {
        "calc(-100% - 12px)"
    } else if fy > 0.3 && !(0.35..=0.65).contains(&fx) {
        "-50%"
    } else {
        "12px"
    };
    let style = format!(
        "left:{}%;top:{}%;transform:translate({tx},{ty})",
        Fx(fx * 100.0, 2),
        Fx(fy * 100.0, 2)
    );
    // The menus are markup (a view per item costs the bundle several KiB);
    // a click is read from the button's `data-act` by `menu_click`.
    let proto = s.protocol.get_untracked();
    let mut m = String::new();
    let target = match menu {
        Menu::Node(id) => {
            let up = s
                .nodes
                .with_untracked(|v| v.iter().any(|x| x.id == id && x.up));
            let _ = write!(
                m,
                "<div class=\"rv-menu-title\">{} S{id}</div>",
                tr("Server")
            );
            button(&mut m, "action-crash", "crash", "Crash", "", up);
            button(&mut m, "action-restart", "restart", "Restart", "", !up);
            m.push_str(&node_faults(up));
            for a in proto.actions {
                button(
                    &mut m,
                    &format!("action-{}", a.id),
                    &format!("node:{}", a.id),
                    a.label,
                    a.hint,
                    up,
                );
            }
            if proto.membership {
                let (act, label) = if s.off_ring.get_untracked() >> id & 1 == 1 {
                    ("add", "Add to the cluster")
                } else {
                    ("remove", "Remove from the cluster")
                };
                let hint = "Asks the leader to change the configuration by this one server (Raft thesis §4.1)";
                button(&mut m, &format!("action-{act}"), act, label, hint, true);
            }
            let cmd = s.next_command_preview();
            button(
                &mut m,
                "action-client-write",
                "request",
                &trf("Client request ({0})", &[&cmd.to_string()]),
                "",
                up,
            );
            if proto.reads {
                let read = s.next_read_preview();
                let hint = "A client reads the key through the log: the answer is the value when the read is applied";
                button(
                    &mut m,
                    "action-client-read",
                    "read",
                    &trf("Client {0}", &[&read.to_string()]),
                    hint,
                    up,
                );
            }
            Target::Node(id)
        }
        Menu::Client(c) => {
            let _ = write!(m, "<div class=\"rv-menu-title\">Client C{c}</div>");
            s.links.with_untracked(|l| {
                for x in l.iter().filter(|x| x.0 == CLIENT_BASE + c) {
                    let (node, cut) = (x.1, x.2 != LinkState::Up);
                    let label = trf(
                        if cut {
                            "Heal link to {0}"
                        } else {
                            "Cut link to {0}"
                        },
                        &[&format!("S{node}")],
                    );
                    let act = format!("client:{node}:{}", if cut { "heal" } else { "cut" });
                    button(
                        &mut m,
                        &format!("action-client-link-{node}"),
                        &act,
                        &label,
                        "",
                        true,
                    );
                }
            });
            Target::Client(c)
        }
        Menu::Link(a, b) => {
            let _ = write!(m, "<div class=\"rv-menu-title\">Link S{a} ↔ S{b}</div>");
            button(&mut m, "action-cut-both", "cut", "Cut both ways", "", true);
            button(
                &mut m,
                &format!("action-cut-{a}-{b}"),
                "cut-ab",
                &trf("Cut {0} → {1} only", &[&format!("S{a}"), &format!("S{b}")]),
                "",
                true,
            );
            button(
                &mut m,
                &format!("action-cut-{b}-{a}"),
                "cut-ba",
                &trf("Cut {0} → {1} only", &[&format!("S{b}"), &format!("S{a}")]),
                "",
                true,
            );
            button(&mut m, "action-heal", "heal", "Heal", "", true);
            m.push_str(&crate::i18n::tr_dyn(&crate::i18n::text_of(
                crate::markup::LINK_FAULTS,
                "ui:link-faults",
            )));
            Target::Link(a, b)
        }
    };
    view! {
        <div class="rv-menu" data-testid="menu" style=style on:click=|ev| ev.stop_propagation()>
            <div inner_html=m on:click=move |ev| menu_click(s, target, &ev)></div>
            <button class="rv-menu-item rv-menu-close" on:click=on(s, Cmd::CloseMenu)>{tr("Close")}</button>
        </div>
    }
}
