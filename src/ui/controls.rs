//! The control bar: play/pause/step, speed, time, seed, node count, restart,
//! heal all.

use super::cmd::{on, Cmd};
use super::state::AppState;
use crate::i18n::{tr, trf};
use crate::protocols::ProtocolKind;
use crate::scenario::{parse_nodes, parse_seed};
use leptos::prelude::*;

/// The row of controls above the cluster.
#[component]
pub fn Controls() -> impl IntoView {
    let s = expect_context::<AppState>();
    let seed_text = RwSignal::new(s.seed.get_untracked().to_string());
    let nodes_text = RwSignal::new(s.node_count.get_untracked().to_string());
    // A loaded scenario (link, preset, import) brings its own seed and size.
    Effect::new(move |_| seed_text.set(s.seed.get().to_string()));
    Effect::new(move |_| nodes_text.set(s.node_count.get().to_string()));
    // Invalid input keeps the user's text, says what is wrong and leaves the
    // current run untouched; valid input restarts the run.
    let apply_settings = move || {
        let nodes = parse_nodes(&nodes_text.get_untracked());
        let seed = parse_seed(&seed_text.get_untracked());
        match (nodes, seed) {
            (Ok(n), Ok(sd)) => {
                s.errors.set(Vec::new());
                if n != s.node_count.get_untracked()
                    || sd != s.seed.get_untracked()
                    || s.now.get_untracked() > 0
                {
                    s.restart(n, sd);
                }
            }
            (n, sd) => s.errors.set(n.err().into_iter().chain(sd.err()).collect()),
        }
    };
    let new_seed = move |_| {
        // A fresh seed from the wall clock is fine here: it only picks which
        // deterministic run to show, and it is displayed and editable.
        let seed = (js_sys_now() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) % 1_000_000;
        seed_text.set(seed.to_string());
        apply_settings();
    };
    let speed_label = move || {
        let x = crate::geometry::pow10(s.speed_log.get());
        if x < 1.0 {
            format!("{}×", crate::geometry::Fx(x, 2))
        } else {
            format!("{}×", crate::geometry::Fx(x, 1))
        }
    };
    // The settings grid's markup and how many settings differ from the
    // defaults (shown while closed).
    // The settings' hints come with the scenarios' texts (fetched before
    // the app starts).
    let settings = Memo::new(move |_| {
        s.seed.track();
        s.protocol.track();
        s.node_count.track();
        let sc = s.scenario();
        let defaults = (sc.protocol.settings)(&serde_json::Value::Null).unwrap_or_default();
        let full = sc.protocol_settings();
        let changed = sc
            .protocol
            .flags
            .iter()
            .map(|f| f.field)
            .chain(sc.protocol.params.iter().map(|p| p.field))
            .filter(|f| full[*f] != defaults[*f])
            .count();
        (settings_markup(&sc.flags(), &sc.params()), changed)
    });
    view! {
        <div class="rv-controls" role="toolbar" aria-label=tr("Simulation controls")>
            <div class="rv-group">
                <button
                    data-testid="btn-play"
                    class="rv-btn rv-primary"
                    disabled=move || s.playing.get()
                    on:click=on(s, Cmd::Play)
                    title=tr("Play")
                >
                    {tr("▶ Play")}
                </button>
                <button
                    data-testid="btn-pause"
                    class="rv-btn"
                    disabled=move || !s.playing.get()
                    on:click=on(s, Cmd::Pause)
                    title=tr("Pause")
                >
                    {tr("❚❚ Pause")}
                </button>
                <button data-testid="btn-step" class="rv-btn" on:click=on(s, Cmd::Step) title=tr("Process exactly one event")>
                    {tr("Step ›")}
                </button>
            </div>
            <label class="rv-group rv-speed">
                <span>{tr("Speed")}</span>
                <input
                    data-testid="speed"
                    type="range"
                    min="-1"
                    max="1"
                    step="0.05"
                    prop:value=move || crate::geometry::Fx(s.speed_log.get(), 2).to_string()
                    on:input=move |ev| {
                        // The browser parses the number (no float parser in the bundle).
                        let v = event_target::<web_sys::HtmlInputElement>(&ev).value_as_number();
                        if v.is_finite() {
                            s.speed_log.set(v.clamp(-1.0, 1.0));
                        }
                    }
                    title=tr("0.1× to 10× (1× = a tenth of real time)")
                />
                <output>{speed_label}</output>
            </label>
            <div class="rv-group rv-time">
                <span
                    data-testid="sim-time"
                    data-us=move || s.now.get().to_string()
                >
                    {move || format!("t = {} s", crate::geometry::Fx(s.now.get() as f64 / 1e6, 3))}
                </span>
            </div>
            <form
                class="rv-group"
                on:submit=move |ev| {
                    ev.prevent_default();
                    apply_settings();
                }
            >
                <label>
                    {tr("Protocol ")}
                    <select
                        data-testid="protocol-picker"
                        class="rv-picker"
                        // The options as markup, set before the value.
                        inner_html={ProtocolKind::all().map(|p| format!("<option value=\"{}\">{}</option>", p.name(), super::panels::esc(tr(p.title)))).collect::<String>()}
                        prop:value=move || s.protocol.get().name()
                        on:change=move |ev| {
                            if let Some(p) = ProtocolKind::parse(&event_target_value(&ev)) {
                                s.switch_protocol(p);
                            }
                        }
                    >
                    </select>
                </label>
                <label>
                    {tr("Seed ")}
                    <input
                        data-testid="seed"
                        class="rv-seed"
                        inputmode="numeric"
                        prop:value=move || seed_text.get()
                        on:input=move |ev| seed_text.set(event_target_value(&ev))
                        on:change=move |_| apply_settings()
                    />
                </label>
                <label>
                    {tr("Nodes ")}
                    <input
                        data-testid="node-count"
                        class="rv-nodes-input"
                        type="number"
                        min="3"
                        max="9"
                        prop:value=move || nodes_text.get()
                        on:input=move |ev| nodes_text.set(event_target_value(&ev))
                        on:change=move |_| apply_settings()
                    />
                </label>
                <label title=tr("Simulated clients, each sending a read or a write about every 0.3 s to the server it believes leads")>
                    {tr("Clients ")}
                    <input
                        data-testid="clients"
                        class="rv-nodes-input"
                        type="number"
                        min="0"
                        max="8"
                        prop:value=move || s.clients.get().to_string()
                        on:change=move |ev| {
                            match event_target_value(&ev).trim().parse::<u32>() {
                                Ok(n) if n <= crate::sim::clients::MAX_CLIENTS => s.set_clients(n),
                                _ => s.errors.update(|e| e.push(format!(
                                    "Clients must be a whole number from 0 to {}.",
                                    crate::sim::clients::MAX_CLIENTS
                                ))),
                            }
                        }
                    />
                </label>
                <button type="submit" data-testid="btn-restart" class="rv-btn" title=tr("Restart with this seed and size")>
                    {tr("↺ Restart")}
                </button>
                <button type="button" data-testid="btn-new-seed" class="rv-btn" on:click=new_seed>
                    {tr("New seed")}
                </button>
            </form>
            <div class="rv-group" data-testid="flags">
                // Redrawn when a new scenario loads (protocol, preset, link);
                // the panel stays open across the new run a change starts.
                <details
                    class="rv-params"
                    data-testid="settings"
                    hidden=move || settings.with(|x| x.0.is_empty())
                    prop:open=move || s.settings_open.get()
                    on:toggle=move |ev| {
                        let open = event_target::<web_sys::Element>(&ev).has_attribute("open");
                        if s.settings_open.get_untracked() != open {
                            s.settings_open.set(open);
                        }
                    }
                >
                    <summary title=tr("The protocol's settings; a change starts a new run with the same seed")>
                        {move || settings.with(|x| if x.1 == 0 { tr("Settings").to_string() } else { trf("Settings ({0} changed)", &[&x.1.to_string()]) })}
                    </summary>
                    // Markup with one change handler (cheaper for the bundle
                    // than a view per setting).
                    <div
                        class="rv-params-grid"
                        inner_html=move || settings.with(|x| x.0.clone())
                        on:change=move |ev| {
                            let el = event_target::<web_sys::HtmlInputElement>(&ev);
                            let typed = if el.type_() == "checkbox" { el.checked().to_string() } else { el.value() };
                            if let Some(id) = el.get_attribute("data-flag") {
                                s.set_flag(&id, el.checked());
                            } else if let Some(name) = el.get_attribute("data-param") {
                                if !s.set_param(&name, &typed) {
                                    // Refused: show the value in force again.
                                    let shown = el.get_attribute("data-shown").unwrap_or_default();
                                    el.set_checked(shown == "true");
                                    el.set_value(&shown);
                                }
                            }
                        }
                    ></div>
                </details>
                <span
                    class="rv-group rv-small"
                    title=tr("Partitions as Jepsen's nemeses make them; heal with Heal all links or link by link")
                    inner_html=crate::i18n::tr_dyn(&crate::i18n::text_of(crate::markup::SPLITS, "ui:splits"))
                    on:click=move |ev| {
                        use wasm_bindgen::JsCast;
                        let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
                        match el.get_attribute("data-shape").as_deref() {
                            Some("random") => {
                                let on = s.toggle_nemesis();
                                el.set_attribute("data-on", if on { "true" } else { "false" }).ok();
                            }
                            Some(shape) => s.partition(shape),
                            None => {}
                        }
                    }
                ></span>
                <button
                    data-testid="btn-add-server"
                    class="rv-btn"
                    hidden=move || !s.protocol.get().membership
                    disabled=move || s.off_ring.get() == 0
                    title=tr("The leader adds the first server drawn off the ring: it catches up as a non-voter, then joins the configuration")
                    on:click=on(s, Cmd::AddServer)
                >
                    {tr("Add server")}
                </button>
                <button data-testid="btn-heal-all" class="rv-btn" on:click=on(s, Cmd::HealAll)>
                    {tr("Heal all links")}
                </button>
            </div>
        </div>
    }
}

/// The settings grid as markup: flags (`data-flag`) and settings
/// (`data-param`, with the value in force in `data-shown`).
fn settings_markup(
    flags: &[(&str, String, bool)],
    params: &[(&str, String, serde_json::Value)],
) -> String {
    use super::panels::esc;
    use std::fmt::Write as _;
    let mut m = String::new();
    for (id, label, on) in flags {
        let checked = if *on { " checked" } else { "" };
        let _ = write!(
            m,
            "<label class=\"rv-flag\"><input type=\"checkbox\" data-testid=\"flag-{id}\" data-flag=\"{id}\"{checked}/> {}</label>",
            esc(&crate::i18n::tr_dyn(label))
        );
    }
    for (name, hint, value) in params {
        let shown = esc(&crate::scenario::Scenario::param_text(value));
        let input = match value.as_bool() {
            Some(on) => format!("type=\"checkbox\"{}", if on { " checked" } else { "" }),
            None if value.is_string() || value.is_null() => {
                format!("type=\"text\" size=\"12\" value=\"{shown}\"")
            }
            None => format!("type=\"number\" min=\"0\" value=\"{shown}\""),
        };
        let _ = write!(
            m,
            "<label title=\"{}\">{name}<input {input} data-testid=\"setting-{name}\" data-param=\"{name}\" data-shown=\"{shown}\"/></label>",
            esc(&crate::i18n::tr_dyn(hint))
        );
    }
    m
}

fn js_sys_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now() * 1000.0 + p.time_origin())
        .unwrap_or(0.0)
}
