//! Shareable scenario links: the scenario and a playback position in a URL
//! fragment, compact and versioned, as the TypeScript playground and
//! mermaid.live do it.
//!
//! Format: `s1.` + base64url (no padding) of raw-deflated compact JSON of
//! [`LinkPayload`]. The `s1` prefix is the format version; a later format gets
//! a new prefix and this decoder keeps reading `s1`. Decoding never panics:
//! every failure is a [`LinkError`] with a plain-words message, and both the
//! fragment and the inflated JSON are size-capped so that a hostile link
//! cannot exhaust memory.

use crate::scenario::{Scenario, VERSION};
use crate::sim::{Time, MAX_NODES};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The current link prefix.
pub const PREFIX: &str = "s1.";
/// Longest fragment accepted (characters).
pub const MAX_FRAGMENT: usize = 64 * 1024;
/// Largest inflated payload accepted (bytes).
pub const MAX_INFLATED: usize = 1024 * 1024;
/// Most actions a scenario may carry.
pub const MAX_ACTIONS: usize = 20_000;

/// What a link carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPayload {
    /// The scenario.
    pub s: Scenario,
    /// Playback position (virtual µs); the page opens paused there.
    pub at: Time,
}

/// Why a link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError(pub String);

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, LinkError> {
    Err(LinkError(msg.into()))
}

/// Encode a scenario and position as a fragment (without the leading `#`).
pub fn encode(s: &Scenario, at: Time) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(&payload_json(s, at), 9);
    fragment(&packed)
}

/// The compact JSON a link carries, before deflate ([`encode`] packs it
/// with miniz_oxide; the page with the browser's own deflate, which any
/// inflate reads back: the bundle then carries no deflate of its own).
pub fn payload_json(s: &Scenario, at: Time) -> Vec<u8> {
    // Serialising plain data with derived impls cannot fail.
    crate::json::to_vec(&LinkPayload { s: s.clone(), at })
}

/// The fragment of raw-deflated [`payload_json`].
pub fn fragment(packed: &[u8]) -> String {
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Decode a fragment (with or without the leading `#`): [`unpack`], inflate
/// (miniz_oxide), [`from_json`]. The page inflates with the browser's own
/// `DecompressionStream` instead and calls the two halves.
pub fn decode(fragment: &str) -> Result<LinkPayload, LinkError> {
    let packed = unpack(fragment)?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED).or_else(|e| {
            if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
                err(too_big())
            } else {
                err(DAMAGED)
            }
        })?;
    from_json(&json)
}

/// What a link whose data does not inflate is told.
pub const DAMAGED: &str = "This link is damaged: its data does not decompress (was it cut short?).";

fn too_big() -> String {
    format!(
        "This link unpacks to more than {} KiB and was refused.",
        MAX_INFLATED / 1024
    )
}

/// A fragment's deflated bytes: its prefix, length and base64url checked.
pub fn unpack(fragment: &str) -> Result<Vec<u8>, LinkError> {
    let f = fragment.strip_prefix('#').unwrap_or(fragment).trim();
    if f.len() > MAX_FRAGMENT {
        return err(format!(
            "This link is too long ({} characters; at most {MAX_FRAGMENT}).",
            f.len()
        ));
    }
    let Some(body) = f.strip_prefix(PREFIX) else {
        if let Some(v) = f
            .strip_prefix('s')
            .and_then(|r| r.split_once('.'))
            .map(|(v, _)| v)
        {
            if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() {
                return err(format!(
                    "This link uses scenario format s{v}, which this version of the app cannot read (it reads s1)."
                ));
            }
        }
        return err("This is not a replviz scenario link (it should start with #s1.).");
    };
    URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .or_else(|_| {
            err("This link is damaged: its data is not valid base64url (was it cut short?).")
        })
}

/// A link's inflated JSON, parsed and checked.
pub fn from_json(json: &[u8]) -> Result<LinkPayload, LinkError> {
    if json.len() > MAX_INFLATED {
        return err(too_big());
    }
    let payload: LinkPayload = serde_json::from_slice(json).or_else(|e| {
        err(format!(
            "This link is damaged: its scenario does not parse ({e})."
        ))
    })?;
    validate(payload)
}

/// Parse and check a scenario exported as JSON (the "Import" button).
pub fn scenario_from_json(text: &str) -> Result<Scenario, LinkError> {
    if text.len() > MAX_INFLATED {
        return err(format!(
            "This file is larger than {} KiB and was refused.",
            MAX_INFLATED / 1024
        ));
    }
    let s: Scenario = serde_json::from_slice(text.as_bytes())
        .or_else(|e| err(format!("This file is not a replviz scenario ({e}).")))?;
    validate(LinkPayload { s, at: 0 }).map(|p| p.s)
}

/// Check ranges that serde cannot express.
fn validate(mut p: LinkPayload) -> Result<LinkPayload, LinkError> {
    let s = &mut p.s;
    if s.v == 0 || s.v > VERSION {
        return err(format!(
            "This scenario has version {}, which this version of the app cannot read (it reads up to {VERSION}).",
            s.v
        ));
    }
    if !(1..=MAX_NODES).contains(&s.nodes) {
        return err(format!(
            "This scenario asks for {} nodes; 1 to {MAX_NODES} are supported.",
            s.nodes
        ));
    }
    if s.actions.len() > MAX_ACTIONS {
        return err(format!(
            "This scenario has {} actions; at most {MAX_ACTIONS} are supported.",
            s.actions.len()
        ));
    }
    if s.actions
        .windows(2)
        .any(|w| w[1].step < w[0].step || w[1].t < w[0].t)
    {
        return err("This scenario's actions are out of order.");
    }
    // Each protocol checks its own settings (all are checked: a link keeps
    // them all, and switching protocol would use them).
    s.normalize_settings().or_else(err)?;
    s.workload.check().or_else(err)?;
    let n = &s.net;
    if n.latency_min == 0
        || n.latency_max < n.latency_min
        || n.latency_max > 10_000_000
        || n.drop_ppm > 1_000_000
        || n.dup_ppm > 1_000_000
    {
        return err("This scenario's network settings are out of range.");
    }
    Ok(p)
}
