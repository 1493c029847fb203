//! A run's metrics: the client history's figures
//! ([`crate::history::metrics`]) with what only the simulation knows:
//! messages sent between servers, acknowledged writes the current leader
//! lacks (the lost-write lesson), and invariant violations. The page's
//! metric cells, the tests and `examples/compare.rs` all read [`measure`].

use crate::anysim::AnySim;
use crate::history::metrics::{self, HistoryMetrics};
use crate::sim::Time;

/// Availability windows: 100 ms of simulated time.
pub const WINDOW: Time = 100_000;

/// Everything measured of one run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunMetrics {
    /// The client history's figures.
    pub history: HistoryMetrics,
    /// Messages sent between servers (network duplicates included).
    pub messages: usize,
    /// Acknowledged writes the current leader or primary lacks.
    pub lost_writes: usize,
    /// Invariant violations (red).
    pub violations: usize,
    /// The run's length so far (simulated seconds).
    pub seconds: f64,
    /// Bytes of the messages sent, when the run counted them (every
    /// [`crate::timeline::Timeline`] does: [`crate::sim::Sim::count_bytes`]; 0 otherwise).
    pub bytes: u64,
}

impl RunMetrics {
    /// Messages per successful write (0 when none succeeded).
    pub fn messages_per_write(&self) -> f64 {
        if self.history.writes_ok == 0 {
            0.0
        } else {
            self.messages as f64 / self.history.writes_ok as f64
        }
    }

    /// Bytes sent per successful write (0 when none succeeded or none
    /// were counted).
    pub fn bytes_per_write(&self) -> f64 {
        if self.history.writes_ok == 0 {
            0.0
        } else {
            self.bytes as f64 / self.history.writes_ok as f64
        }
    }

    /// Writes acknowledged per simulated second (the run's throughput).
    pub fn writes_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.history.writes_ok as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The figures by name, as the page's `metric-{name}` cells and the
    /// compare table print them (latencies in ms, availability as a share).
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        let h = &self.history;
        let ms = |us: u64| us as f64 / 1000.0;
        vec![
            ("writes-ok", h.writes_ok as f64),
            ("writes-failed", h.writes_failed as f64),
            ("writes-unknown", h.writes_unknown as f64),
            ("writes-per-s", self.writes_per_s()),
            ("write-p50-ms", ms(h.write.p50)),
            ("write-p99-ms", ms(h.write.p99)),
            ("read-p50-ms", ms(h.read.p50)),
            ("availability", h.availability),
            ("longest-outage-ms", ms(h.longest_outage)),
            ("messages-per-write", self.messages_per_write()),
            ("bytes-per-write", self.bytes_per_write()),
            ("lost-writes", self.lost_writes as f64),
            ("stale-reads", h.stale_reads as f64),
            ("violations", self.violations as f64),
        ]
    }
}

/// Measure a run up to its current time.
pub fn measure(e: &dyn AnySim) -> RunMetrics {
    RunMetrics {
        history: metrics::measure(e.history(), e.now(), WINDOW),
        messages: e.messages_sent() as usize,
        lost_writes: e.lost_writes().map_or(0, |(_, l)| l.len()),
        violations: e.violations().len(),
        seconds: e.now() as f64 / 1e6,
        bytes: e.bytes_sent().unwrap_or(0),
    }
}
