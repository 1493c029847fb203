//! Scenarios: the one input everything the user sees is a function of.
//!
//! `Scenario = protocol + cluster config + network config + seed + timed
//! user actions`. Each action records the number of events processed before
//! it and the virtual time at which it happened, so replay is exact even
//! when the user acted between two events due at the same instant.
//!
//! This module also parses the page's query string (`?nodes=5&seed=42`);
//! parsing never panics and reports every problem in plain words while
//! falling back to defaults.

use crate::anysim::{AnySim, Setup};
use crate::protocols::ProtocolKind;
use crate::sim::net::NetConfig;
use crate::sim::{Action, Time, TraceMode, MAX_NODES, MIN_NODES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The current scenario format version. 2: a crash closes the node's
/// connections (runs of format-1 links replay as they were recorded).
pub const VERSION: u32 = 2;
/// Default cluster size.
pub const DEFAULT_NODES: u32 = 5;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Smallest cluster the UI offers.
pub const UI_MIN_NODES: u32 = 3;

/// The step of a scripted action kept after the user changed the run
/// before it: it is applied when the run reaches its time (after every
/// event before that time), and takes the step it was applied at.
pub const FLOATING: u64 = u64::MAX;

/// A user action at a recorded point of the run, stored flat:
/// `{"step":105,"t":600000,"do":"crash","node":3}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimedAction {
    /// Events processed before the action ([`FLOATING`]: not yet known).
    pub step: u64,
    /// Virtual time of the action (µs).
    pub t: Time,
    /// What the user did.
    #[serde(flatten)]
    pub action: Action,
}

impl TimedAction {
    /// Read a timed action as one flat [`crate::sim::RawAction`] (serde's
    /// `flatten` would buffer every action first, and cost the bundle more).
    pub fn from_value(v: &serde_json::Value) -> Result<TimedAction, String> {
        let r = crate::sim::RawAction::from_value(v)?;
        let (step, t) = (r.step, r.t);
        Ok(TimedAction {
            step,
            t,
            action: Action::try_from(r)?,
        })
    }
}

impl<'de> Deserialize<'de> for TimedAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        TimedAction::from_value(&v).map_err(serde::de::Error::custom)
    }
}

/// A complete, replayable scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scenario {
    /// Format version.
    pub v: u32,
    /// Which protocol.
    pub protocol: ProtocolKind,
    /// Cluster size.
    pub nodes: u32,
    /// RNG seed.
    pub seed: u64,
    /// Network at the start.
    pub net: NetConfig,
    /// Each protocol's settings by protocol id (`"raft": {...}`), stored at
    /// the top level as links have always had them; only settings that
    /// differ from a protocol's defaults are kept. Every protocol's are
    /// kept, so that switching protocol and back keeps them.
    /// A `BTreeMap`, the type serde_json uses for its objects: no extra code.
    #[serde(flatten)]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Simulated clients issuing reads and writes (none by default).
    #[serde(skip_serializing_if = "crate::sim::clients::Workload::is_off")]
    pub workload: crate::sim::clients::Workload,
    /// User actions in the order they happened.
    pub actions: Vec<TimedAction>,
    /// A title shown beside the cluster (built-in scenarios; empty otherwise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// A paragraph explaining what to watch for.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub about: String,
    /// A tour a teacher wrote for this run: beats as (time in µs, caption),
    /// in time order (built-in scenarios' own tours are their chapters).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "tour_json")]
    pub tour: Vec<(u64, String)>,
}

/// A scenario is read field by field from a JSON object: every field is
/// optional (defaults stand in), and the keys left over are protocol
/// settings by protocol id. (Serde's `flatten` would do the same with a
/// buffer of every value and much more code in the browser bundle.)
impl<'de> Deserialize<'de> for Scenario {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let serde_json::Value::Object(mut m) = serde_json::Value::deserialize(d)? else {
            return Err(D::Error::custom("a scenario is a JSON object"));
        };
        fn take<T: serde::de::DeserializeOwned, E: Error>(
            m: &mut serde_json::Map<String, serde_json::Value>,
            key: &str,
            into: &mut T,
        ) -> Result<(), E> {
            if let Some(v) = m.remove(key) {
                *into = serde_json::from_value(v).map_err(|e| E::custom(format!("{key}: {e}")))?;
            }
            Ok(())
        }
        let mut s = Scenario::default();
        take(&mut m, "v", &mut s.v)?;
        take(&mut m, "protocol", &mut s.protocol)?;
        take(&mut m, "nodes", &mut s.nodes)?;
        take(&mut m, "seed", &mut s.seed)?;
        // The network, the workload and the actions by hand (field tables,
        // [`TimedAction::from_value`]): less code than serde's readers.
        let table = |m: &mut serde_json::Map<String, serde_json::Value>, key: &str| {
            m.remove(key).unwrap_or_default()
        };
        let named = |key: &'static str| move |e: String| D::Error::custom(format!("{key}: {e}"));
        s.net = crate::settings::from_json(&table(&mut m, "net")).map_err(named("net"))?;
        s.workload =
            crate::settings::from_json(&table(&mut m, "workload")).map_err(named("workload"))?;
        if let Some(list) = m.remove("actions") {
            let Some(list) = list.as_array() else {
                return Err(D::Error::custom("actions: a list of actions"));
            };
            s.actions = list
                .iter()
                .map(TimedAction::from_value)
                .collect::<Result<_, _>>()
                .map_err(named("actions"))?;
        }
        take(&mut m, "title", &mut s.title)?;
        take(&mut m, "about", &mut s.about)?;
        // By hand: serde's reader for a list of pairs costs the bundle more.
        if let Some(serde_json::Value::Array(list)) = m.remove("tour") {
            for beat in list {
                match beat.as_array().map(Vec::as_slice) {
                    Some([t, text]) if t.is_u64() && text.is_string() => s.tour.push((
                        t.as_u64().unwrap_or_default(),
                        text.as_str().unwrap_or_default().to_string(),
                    )),
                    _ => return Err(D::Error::custom("tour: a list of [time in µs, caption]")),
                }
            }
        }
        s.tour.sort_by_key(|b| b.0);
        s.settings = m.into_iter().collect();
        Ok(s)
    }
}

/// A tour written as JSON `[[time, caption], …]` through serde_json's
/// `Value` (whose writer the bundle has already).
fn tour_json<S: serde::Serializer>(tour: &[(u64, String)], ser: S) -> Result<S::Ok, S::Error> {
    let v: Vec<serde_json::Value> = tour
        .iter()
        .map(|(t, text)| serde_json::Value::Array(vec![(*t).into(), text.as_str().into()]))
        .collect();
    serde::Serialize::serialize(&serde_json::Value::Array(v), ser)
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            v: VERSION,
            protocol: ProtocolKind::default(),
            nodes: DEFAULT_NODES,
            seed: DEFAULT_SEED,
            net: NetConfig::default(),
            settings: BTreeMap::new(),
            workload: Default::default(),
            actions: Vec::new(),
            title: String::new(),
            about: String::new(),
            tour: Vec::new(),
        }
    }
}

impl Scenario {
    /// A fresh run at time 0 with no actions applied.
    pub fn boot(&self, mode: TraceMode) -> Box<dyn AnySim> {
        let setup = Setup {
            nodes: self.nodes,
            seed: self.seed,
            net: self.net.clone(),
            settings: self.protocol_settings(),
            workload: self.workload.clone(),
            keep_connections_on_crash: self.v < 2,
        };
        (self.protocol.boot)(&setup, mode)
    }

    /// The settings of the scenario's protocol in full (defaults filled in).
    pub fn protocol_settings(&self) -> serde_json::Value {
        let v = self
            .settings
            .get(self.protocol.id)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        (self.protocol.settings)(&v).unwrap_or(serde_json::Value::Null)
    }

    /// Set this scenario's protocol's settings from a JSON object of the
    /// ones that differ from the defaults (`""`: none), then
    /// [`Scenario::normalize_settings`].
    pub fn set_settings_json(&mut self, json: &str) -> Result<(), String> {
        if json.is_empty() {
            return Ok(());
        }
        let v = serde_json::from_slice(json.as_bytes()).map_err(|e| e.to_string())?;
        self.settings.insert(self.protocol.id.to_string(), v);
        self.normalize_settings()
    }

    /// Check every protocol's settings and keep them in their full form,
    /// leaving out those equal to the defaults and those of protocols this
    /// version does not know (a link from a later version).
    pub fn normalize_settings(&mut self) -> Result<(), String> {
        let mut kept = BTreeMap::new();
        for (id, v) in std::mem::take(&mut self.settings) {
            let Some(p) = ProtocolKind::parse(&id) else {
                continue;
            };
            let full = (p.settings)(&v)?;
            if full != (p.settings)(&serde_json::Value::Null)? {
                kept.insert(p.id.to_string(), full);
            }
        }
        self.settings = kept;
        Ok(())
    }

    /// The protocol's on/off settings the UI offers, as (id, label, value).
    pub fn flags(&self) -> Vec<(&'static str, String, bool)> {
        let full = self.protocol_settings();
        self.protocol
            .flags
            .iter()
            .map(|f| {
                let key = format!("{}:flag:{}", self.protocol.id, f.id);
                (
                    f.id,
                    crate::i18n::text_of(f.label, &key),
                    full[f.field].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }

    /// The protocol's settings under their real names, as (name, hint,
    /// value): the settings panel's inputs.
    pub fn params(&self) -> Vec<(&'static str, String, serde_json::Value)> {
        let full = self.protocol_settings();
        self.protocol
            .params
            .iter()
            .map(|p| {
                let key = format!("{}:{}", self.protocol.id, p.name);
                (
                    p.name,
                    crate::i18n::text_of(p.hint, &key),
                    full[p.field].clone(),
                )
            })
            .collect()
    }

    /// A setting's value as the user would type it ([`Scenario::set_param`]
    /// takes it back): a word without its quotes, numbers and on/off as such.
    pub fn param_text(value: &serde_json::Value) -> String {
        match value {
            // A setting added later, left out while unset.
            serde_json::Value::Null => String::new(),
            _ => value
                .as_str()
                .map_or_else(|| crate::json::to_string(value), str::to_string),
        }
    }

    /// Set one of [`Scenario::params`] from what the user typed. A value
    /// of the wrong type or out of the protocol's range is refused with a
    /// message naming the setting, and nothing changes.
    pub fn set_param(&mut self, name: &str, typed: &str) -> Result<(), String> {
        let Some(param) = self.protocol.params.iter().find(|p| p.name == name) else {
            return Err(format!("Unknown setting \"{name}\"."));
        };
        let value = match &self.protocol_settings()[param.field] {
            serde_json::Value::Bool(_) => match typed {
                "true" | "on" | "1" => serde_json::Value::Bool(true),
                "false" | "off" | "0" => serde_json::Value::Bool(false),
                _ => return Err(format!("{name} is on or off, not \"{typed}\".")),
            },
            // A word setting (MongoDB's `w`, `readConcern`): the
            // protocol's check says which words it takes.
            serde_json::Value::String(_) => serde_json::Value::from(typed.trim()),
            // A setting added later and unset (MongoDB's `priority` list):
            // a whole number as such, anything else as a word.
            serde_json::Value::Null => typed.trim().parse::<i64>().map_or_else(
                |_| serde_json::Value::from(typed.trim()),
                serde_json::Value::from,
            ),
            // Whole numbers, negative ones too (Kafka's `acks=-1`).
            _ => match typed.trim().parse::<i64>() {
                Ok(n) => serde_json::Value::from(n),
                Err(_) => return Err(format!("{name} must be a whole number, not \"{typed}\".")),
            },
        };
        self.set_field(param.field, value)
            .map_err(|e| format!("{name} = {typed} is refused: {e}"))
    }

    /// Set one of [`Scenario::flags`]; unknown ids are ignored.
    pub fn set_flag(&mut self, id: &str, on: bool) {
        let Some(flag) = self.protocol.flags.iter().find(|f| f.id == id) else {
            return;
        };
        // An on/off value always passes the protocol's check.
        let _ = self.set_field(flag.field, serde_json::Value::Bool(on));
    }

    /// Set one field of the protocol's settings, if the protocol's own
    /// check accepts the result; otherwise nothing changes.
    fn set_field(&mut self, field: &str, value: serde_json::Value) -> Result<(), String> {
        let mut full = self.protocol_settings();
        if let Some(obj) = full.as_object_mut() {
            obj.insert(field.to_string(), value);
        }
        (self.protocol.settings)(&full)?;
        self.settings.insert(self.protocol.id.to_string(), full);
        // Dropping defaults cannot fail on settings just checked.
        let _ = self.normalize_settings();
        Ok(())
    }
}

/// The start of a run as requested by the page's query string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryStart {
    /// Cluster size.
    pub nodes: u32,
    /// Seed.
    pub seed: u64,
    /// Protocol.
    pub protocol: ProtocolKind,
    /// A built-in scenario to open (`?preset=leader-crash`).
    pub preset: Option<String>,
    /// Problems found, in plain words (empty when all was well).
    pub errors: Vec<String>,
}

/// Validate a node count typed by the user.
pub fn parse_nodes(s: &str) -> Result<u32, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (i64::from(UI_MIN_NODES)..=i64::from(MAX_NODES)).contains(&n) => Ok(n as u32),
        Ok(n) => Err(format!(
            "Node count {n} is out of range: choose {UI_MIN_NODES} to {MAX_NODES}."
        )),
        Err(_) => Err(format!(
            "Node count \"{}\" is not a number: choose {UI_MIN_NODES} to {MAX_NODES}.",
            s.trim()
        )),
    }
}

/// Validate a seed typed by the user (a non-negative integer below 2^64).
pub fn parse_seed(s: &str) -> Result<u64, String> {
    s.trim().parse::<u64>().map_err(|_| {
        format!(
            "Seed \"{}\" is not a whole number from 0 to {}.",
            s.trim(),
            u64::MAX
        )
    })
}

/// Parse `?nodes=5&seed=42&protocol=raft`. Unknown parameters and bad values
/// are reported; defaults stand in for bad values.
pub fn parse_query(query: &str) -> QueryStart {
    let _ = MIN_NODES;
    let mut q = QueryStart {
        nodes: DEFAULT_NODES,
        seed: DEFAULT_SEED,
        protocol: ProtocolKind::default(),
        preset: None,
        errors: Vec::new(),
    };
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "nodes" => match parse_nodes(&v) {
                Ok(n) => q.nodes = n,
                Err(e) => q.errors.push(format!("{e} Using {DEFAULT_NODES}.")),
            },
            "seed" => match parse_seed(&v) {
                Ok(s) => q.seed = s,
                Err(e) => q.errors.push(format!("{e} Using {DEFAULT_SEED}.")),
            },
            // A comparison (`crate::comparisons::request` reads it).
            "preset" if v.starts_with("compare-") => {}
            "compare" | "pane" | "t" => {}
            "preset" => {
                // Built-in scenarios as the registry lists them (this layer
                // sits below `crate::scenarios`, which builds them).
                let ids: Vec<&str> = ProtocolKind::all()
                    .flat_map(|p| p.scenarios.iter().map(|b| b.id))
                    .collect();
                match ids.iter().find(|id| **id == v) {
                    Some(id) => q.preset = Some(id.to_string()),
                    None => q.errors.push(format!(
                        "Unknown built-in scenario \"{v}\" (known: {}).",
                        ids.join(", ")
                    )),
                }
            }
            "protocol" => match ProtocolKind::parse(&v) {
                Some(p) => q.protocol = p,
                None => q.errors.push(format!(
                    "Unknown protocol \"{v}\" (known: {}). Using {}.",
                    ProtocolKind::known(),
                    ProtocolKind::default().title
                )),
            },
            // Read by the page itself (`index.html`, `ui`).
            "lang" if crate::i18n::Lang::parse(&v).is_some() => {}
            "lang" => q.errors.push(format!(
                "Unknown language \"{v}\" (known: en, zh): the page's language is kept."
            )),
            "embed" => {}
            other => q.errors.push(format!(
                "Unknown parameter \"{}\" ignored.",
                percent_decode(other)
            )),
        }
    }
    q
}

/// Decode `%XX` escapes and `+`; invalid escapes are kept literally.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
