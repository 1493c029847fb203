//! Built-in classroom scenarios: the registry's scenarios by id, for the
//! menu and `?preset=`. Each protocol folder declares its own as data plus a
//! script ([`crate::descriptor::BuiltIn`]); this module builds one by
//! running its script against a timeline, so "crash the leader" crashes
//! whoever actually leads at that moment, and the result is an ordinary
//! scenario (it opens from a link).

use crate::descriptor::BuiltIn;
use crate::protocols::ProtocolKind;
use crate::scenario::Scenario;
use crate::timeline::Timeline;

/// Every built-in scenario with its protocol, in menu order.
fn all() -> impl Iterator<Item = (ProtocolKind, &'static BuiltIn)> {
    ProtocolKind::all().flat_map(|p| p.scenarios.iter().map(move |b| (p, b)))
}

/// Ids of every built-in scenario, in menu order.
pub fn ids() -> Vec<&'static str> {
    all().map(|(_, b)| b.id).collect()
}

/// Ids of one protocol's built-in scenarios.
pub fn ids_for(p: ProtocolKind) -> Vec<&'static str> {
    p.scenarios.iter().map(|b| b.id).collect()
}

/// Which protocol a built-in scenario runs.
pub fn protocol_of(id: &str) -> Option<ProtocolKind> {
    all().find(|(_, b)| b.id == id).map(|(p, _)| p)
}

/// The chapters of the built-in scenario with this title (a link keeps
/// the title), or none: (start in ms, label, text). In the browser the
/// texts come from `i18n/scenarios.json` (see [`crate::about`]).
pub fn chapters(title: &str) -> Vec<(u64, &'static str, String)> {
    let Some((_, b)) = all().find(|(_, b)| b.title == title) else {
        return Vec::new();
    };
    b.chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.0, c.1, text_of(c.2, &format!("{}#{}", b.id, i + 1))))
        .collect()
}

/// The title of a built-in scenario (for menus, without building it).
pub fn title(id: &str) -> &'static str {
    all()
        .find(|(_, b)| b.id == id)
        .map(|(_, b)| b.title)
        .unwrap_or("")
}

pub use crate::i18n::{abouts_loaded, load_abouts, text_of};

/// A built-in scenario's explanation: its own, or (in the browser) the
/// one [`load_abouts`] read; empty if neither.
fn about_of(b: &BuiltIn) -> String {
    text_of(b.about, b.id)
}

/// What `i18n/scenarios.json` holds: every built-in scenario's explanation
/// by id, and its chapters' texts by `id#n` (native builds;
/// `tests/i18n.rs` keeps the file current).
pub fn abouts_json() -> String {
    let mut m = serde_json::Map::new();
    for (_, b) in all() {
        m.insert(b.id.to_string(), b.about.into());
        for (i, c) in b.chapters.iter().enumerate() {
            m.insert(format!("{}#{}", b.id, i + 1), c.2.into());
        }
    }
    for c in crate::comparisons::COMPARISONS {
        m.insert(c.id.to_string(), c.about.into());
    }
    for (key, text) in crate::markup::ALL {
        m.insert(key.to_string(), text.into());
    }
    // The protocols' explanations and their settings' hints (shown when
    // the settings panel is opened).
    for p in ProtocolKind::all() {
        for f in p.flags {
            m.insert(format!("{}:flag:{}", p.id, f.id), f.label.into());
        }
        if !p.about.is_empty() {
            m.insert(p.id.to_string(), p.about.into());
        }
        for (field, text) in [
            ("source", p.source),
            ("log_legend", p.log_legend),
            ("request_hint", p.request_hint),
        ] {
            m.insert(format!("{}:{field}", p.id), text.into());
        }
        for param in p.params {
            m.insert(format!("{}:{}", p.id, param.name), param.hint.into());
        }
    }
    crate::json::to_string_pretty(&serde_json::Value::Object(m))
}

/// Build a built-in scenario by id.
pub fn build(id: &str) -> Option<Scenario> {
    let (protocol, b) = all().find(|(_, b)| b.id == id)?;
    Some(build_from(protocol, b))
}

/// Build one of `protocol`'s built-in scenarios.
pub fn build_from(protocol: ProtocolKind, b: &BuiltIn) -> Scenario {
    let mut s = Scenario {
        protocol,
        seed: b.seed,
        nodes: b.nodes,
        title: b.title.to_string(),
        about: about_of(b),
        ..Scenario::default()
    };
    // A built-in scenario's settings are checked by its test.
    let _ = s.set_settings_json(b.settings);
    let mut tl = Timeline::new(s);
    (b.script)(&mut tl);
    tl.scenario().clone()
}
