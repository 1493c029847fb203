//! replviz: a replication-protocol visualizer.
//!
//! Everything the user sees is a pure function of a [`scenario::Scenario`]:
//! protocol + cluster config + network config + seed + timed user actions.
//! Data flows one way through the layers below:
//!
//! 1. [`sim`]: the deterministic simulation kernel (virtual time, event queue,
//!    seeded RNG, network model, crashes, trace).
//! 2. [`protocols`]: sans-IO protocol engines implementing [`protocol::Protocol`].
//! 3. [`check`]: invariants evaluated after every event.
//! 4. [`scenario`]: the serialisable scenario and its query decoding;
//!    [`link`]: its compact, versioned URL-fragment encoding.
//! 5. `ui` (wasm only): Leptos components rendering snapshots of the simulation.

// The browser build (scripts/trunk.sh, `--cfg speed_attr`) is compiled for
// size; the simulation's hottest functions ask for speed.
#![cfg_attr(speed_attr, feature(optimize_attribute))]

pub mod anysim;
pub mod bench;
pub mod compare;
pub mod comparisons;
pub mod descriptor;
pub mod geometry;
pub mod history;
pub mod i18n;
pub mod json;
pub mod link;
pub mod markup;
pub mod measure;
pub mod nemesis;
pub mod partitions;
pub mod protocol;
pub mod protocols;
pub mod scenario;
pub mod scenarios;
pub mod script;
pub mod settings;
pub mod sim;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
pub mod ui;
