//! The random nemesis: a seeded schedule of faults for students who want to
//! watch a protocol survive. While it is on, every 0.4 to 1.6 s of play it
//! picks one fault (crash or restart, pause, clock drift, a partition shape
//! or a heal, a slow link) and the page applies it as ordinary actions, so
//! the run, its link and its timeline hold them like any click. It never
//! leaves a majority crashed for long: a crash is only chosen while a
//! majority is up, and restarts come as often as crashes.

use crate::sim::net::NetConfig;
use crate::sim::rng::SimRng;
use crate::sim::{Action, NodeId, Time};

/// The nemesis's state: its own generator (the run's stays untouched) and
/// when it strikes next.
#[derive(Clone, Debug)]
pub struct Nemesis {
    rng: SimRng,
    /// When the next fault is due.
    pub next: Time,
}

impl Nemesis {
    /// A nemesis for a run with `seed`, starting at `now`.
    pub fn new(seed: u64, now: Time) -> Nemesis {
        let mut rng = SimRng::new(seed ^ 0x6e65_6d65_7369_7321);
        let next = now + rng.range(400_000, 1_600_000);
        Nemesis { rng, next }
    }

    /// The faults due at `now` on nodes `1..=n` (`up` says which run; the
    /// leader, if any, for the partition that isolates it): empty until
    /// the next one is due.
    pub fn strike(&mut self, now: Time, up: &[bool], leader: Option<NodeId>) -> Vec<Action> {
        if now < self.next {
            return Vec::new();
        }
        self.next = now + self.rng.range(400_000, 1_600_000);
        let n = up.len() as u32;
        let node = self.rng.range(1, u64::from(n.max(1))) as NodeId;
        let is_up = |id: NodeId| {
            up.get((id as usize).wrapping_sub(1))
                .copied()
                .unwrap_or(false)
        };
        let running = up.iter().filter(|&&u| u).count() as u32;
        match self.rng.range(0, 9) {
            0 | 1 => {
                if !is_up(node) {
                    vec![Action::Restart { node }]
                } else if running > n / 2 + 1 {
                    vec![Action::Crash { node }]
                } else {
                    Vec::new()
                }
            }
            2 => match (1..=n).find(|&id| !is_up(id)) {
                Some(node) => vec![Action::Restart { node }],
                None => vec![Action::HealAll],
            },
            3 => vec![Action::Pause {
                node,
                us: self.rng.range(100, 1_500) * 1_000,
            }],
            4 => vec![Action::Clock {
                node,
                offset: self.rng.range(0, 400) as i64 * 1_000 - 200_000,
                rate: self.rng.range(80, 125) as u32,
            }],
            5 | 6 => {
                let shape = crate::partitions::SHAPES[self.rng.range(0, 3) as usize];
                let mut v = vec![Action::HealAll];
                v.extend(crate::partitions::as_actions(crate::partitions::cuts(
                    shape, n, leader,
                )));
                v
            }
            7 => {
                let other = self.rng.range(1, u64::from(n.max(1))) as NodeId;
                let lo = self.rng.range(20, 200) * 1_000;
                let net = NetConfig {
                    latency_min: lo,
                    latency_max: lo + self.rng.range(1, 100) * 1_000,
                    drop_ppm: self.rng.range(0, 200_000) as u32,
                    dup_ppm: 0,
                    fifo: false,
                };
                if other == node {
                    Vec::new()
                } else {
                    vec![Action::SetLink {
                        from: node,
                        to: other,
                        net,
                    }]
                }
            }
            _ => vec![Action::HealAll],
        }
    }
}
