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
/// the title), or none.
pub fn chapters(title: &str) -> &'static [(u64, &'static str, &'static str)] {
    all()
        .find(|(_, b)| b.title == title)
        .map_or(&[], |(_, b)| b.chapters)
}

/// The title of a built-in scenario (for menus, without building it).
pub fn title(id: &str) -> &'static str {
    all()
        .find(|(_, b)| b.id == id)
        .map(|(_, b)| b.title)
        .unwrap_or("")
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
        about: b.about.to_string(),
        ..Scenario::default()
    };
    if !b.settings.is_empty() {
        let v = serde_json::from_slice(b.settings.as_bytes()).unwrap_or(serde_json::Value::Null);
        s.settings.insert(protocol.id.to_string(), v);
        // A built-in scenario's settings are checked by its test.
        let _ = s.normalize_settings();
    }
    let mut tl = Timeline::new(s);
    (b.script)(&mut tl);
    tl.scenario().clone()
}
