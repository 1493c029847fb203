//! Gossip (`Gossiper.java`: a round every second, Syn/Ack/Ack2 with
//! heartbeat generation and version digests), the phi accrual failure
//! detector (`FailureDetector.java`), hint replay, and anti-entropy repair.

use super::{mix, Beat, Cass, CassMsg, CassOut, CassTimer};
use crate::protocol::Key;
use crate::sim::NodeId;

/// Phi's factor (`FailureDetector.PHI_FACTOR`, 1 / ln 10).
pub(super) const PHI_FACTOR: f64 = 0.434;

impl Cass {
    /// A gossip round: bump the heartbeat, Syn to a random live peer (and
    /// sometimes an unreachable one, and the seed S1), then judge phi.
    pub(super) fn gossip_round(&mut self, out: &mut CassOut) {
        let g = self.cfg.ms(self.cfg.gossip_interval);
        out.set_timer(CassTimer::Gossip, g, g);
        self.rounds += 1;
        if let Some(b) = self.beats.get_mut(&self.id) {
            b.1 += 1;
        }
        let digests: Vec<Beat> = self.beats.iter().map(|(&e, &(g, v))| (e, g, v)).collect();
        let live: Vec<NodeId> = self
            .fd
            .iter()
            .filter(|(_, a)| a.up)
            .map(|(&p, _)| p)
            .collect();
        let dead: Vec<NodeId> = self
            .fd
            .iter()
            .filter(|(_, a)| !a.up)
            .map(|(&p, _)| p)
            .collect();
        let r = mix(u64::from(self.id) << 32 ^ self.rounds);
        let mut to_seed = true;
        if !live.is_empty() {
            let p = live[(r % live.len() as u64) as usize];
            to_seed = p != 1;
            out.send(
                p,
                CassMsg::Syn {
                    digests: digests.clone(),
                },
            );
        }
        // An unreachable node, with probability unreachable / (live + 1).
        if !dead.is_empty() && (r >> 20) % (live.len() as u64 + 1) < dead.len() as u64 {
            let p = dead[((r >> 40) % dead.len() as u64) as usize];
            out.send(
                p,
                CassMsg::Syn {
                    digests: digests.clone(),
                },
            );
        }
        if to_seed && self.id != 1 && self.n > 1 {
            out.send(1, CassMsg::Syn { digests });
        }
        self.interpret(out);
    }

    /// Convict every peer whose phi passed the threshold.
    fn interpret(&mut self, out: &mut CassOut) {
        let now = out.now();
        // Written as the setting's integer: a float's `Display` would link
        // core's float printer into the bundle (README, Size).
        let limit = self.cfg.phi_convict_threshold;
        let threshold = limit as f64;
        let peers: Vec<NodeId> = self
            .fd
            .iter()
            .filter(|(_, a)| a.up)
            .map(|(&p, _)| p)
            .collect();
        for p in peers {
            let phi = self.phi(p, now);
            if phi > threshold {
                if let Some(a) = self.fd.get_mut(&p) {
                    a.up = false;
                    a.down_since = now;
                }
                let id = self.id;
                out.note(|| {
                    format!("S{id} convicts S{p}: phi {} > phi_convict_threshold {limit}; S{p} is DOWN for S{id}", crate::geometry::Fx(phi, 1))
                });
            }
        }
    }

    pub(super) fn on_syn(&mut self, from: NodeId, digests: Vec<Beat>, out: &mut CassOut) {
        let mut want = Vec::new();
        let mut deltas = Vec::new();
        for &(e, g, v) in &digests {
            match self.beats.get(&e) {
                Some(&mine) if mine >= (g, v) => {
                    if mine > (g, v) {
                        deltas.push((e, mine.0, mine.1));
                    }
                }
                _ => want.push(e),
            }
        }
        // Endpoints the sender did not mention at all.
        for (&e, &(g, v)) in self.beats.iter() {
            if !digests.iter().any(|d| d.0 == e) {
                deltas.push((e, g, v));
            }
        }
        out.send(from, CassMsg::Ack { want, deltas });
    }

    pub(super) fn on_ack(
        &mut self,
        from: NodeId,
        want: Vec<NodeId>,
        deltas: Vec<Beat>,
        out: &mut CassOut,
    ) {
        self.apply_beats(&deltas, out);
        let back: Vec<Beat> = want
            .iter()
            .filter_map(|e| self.beats.get(e).map(|&(g, v)| (*e, g, v)))
            .collect();
        if !back.is_empty() {
            out.send(from, CassMsg::Ack2 { deltas: back });
        }
    }

    /// Newer heartbeat states: each is an arrival for the failure detector;
    /// a convicted node heard again is UP (and gets its hints).
    pub(super) fn apply_beats(&mut self, beats: &[Beat], out: &mut CassOut) {
        let now = out.now();
        for &(e, g, v) in beats {
            if e == self.id || e == 0 || e > self.n {
                continue;
            }
            let old = self.beats.get(&e).copied();
            if old.is_some_and(|o| o >= (g, v)) {
                continue;
            }
            self.beats.insert(e, (g, v));
            let a = self.fd.entry(e).or_default();
            if old.is_some_and(|o| o.0 != g) {
                // A restart: a new generation, a new arrival window.
                a.intervals.clear();
            } else if old.is_some() {
                let gap = now.saturating_sub(a.last);
                if a.intervals.len() >= 1000 {
                    a.intervals.remove(0);
                }
                a.intervals.push(gap.max(1));
            }
            a.last = now;
            if !a.up {
                a.up = true;
                let id = self.id;
                out.note(|| format!("S{id}: InetAddress S{e} is now UP"));
                self.replay_hints(Some(e), out);
            }
        }
    }

    /// Replay stored hints to `to` (or to every target seen up); a hint
    /// is deleted when its replay is acknowledged.
    pub(super) fn replay_hints(&mut self, to: Option<NodeId>, out: &mut CassOut) {
        let due: Vec<super::Hint> = self
            .hints
            .iter()
            .filter(|h| to.is_none_or(|t| t == h.target) && self.believes_up(h.target))
            .copied()
            .collect();
        for h in due {
            let (id, t, k, v) = (self.id, h.target, h.key, h.cell.value);
            out.note(|| format!("S{id} replays the hint {k}={v} to S{t}"));
            out.send(
                h.target,
                CassMsg::Mutation {
                    rid: super::HINT_RID | h.id,
                    key: h.key,
                    cell: h.cell,
                    hint: true,
                },
            );
        }
    }

    /// The repair node action: send every cell to the other replicas of
    /// its key, asking for theirs.
    pub(super) fn start_repair(&mut self, out: &mut CassOut) {
        let id = self.id;
        out.note(|| format!("S{id} starts a repair of its ranges"));
        for p in 1..=self.n {
            if p == self.id {
                continue;
            }
            let cells = self.shared_cells(p);
            out.send(p, CassMsg::Repair { cells, reply: true });
        }
    }

    /// This node's cells of keys `p` also replicates.
    fn shared_cells(&self, p: NodeId) -> Vec<(Key, super::Cell)> {
        self.data
            .iter()
            .filter(|(k, _)| self.replicas(**k).contains(&p))
            .map(|(k, c)| (*k, *c))
            .collect()
    }

    pub(super) fn on_repair(
        &mut self,
        from: NodeId,
        cells: Vec<(Key, super::Cell)>,
        reply: bool,
        out: &mut CassOut,
    ) {
        for (k, c) in cells {
            if self.replicas(k).contains(&self.id) {
                self.store(k, c);
            }
        }
        if reply {
            let cells = self.shared_cells(from);
            out.send(
                from,
                CassMsg::Repair {
                    cells,
                    reply: false,
                },
            );
        }
    }
}
