//! Kafka's checks (after hachikuji's TLA+ specification of Kafka
//! replication, `KafkaReplication.tla`, and the Kafka documentation's
//! guarantees). Acknowledged `acks=0`/`acks=1` records lost on failover,
//! and stale reads from a deposed leader, are the lessons (amber: Kafka
//! claims no linearizability). What must never break:
//!
//! - **Committed Durability**: a record below a leader's high watermark
//!   (every `acks=all` acknowledgement is one) is in the log of every later
//!   leader, at the same offset and epoch, unless the configuration or a
//!   fault allows its loss: an unclean election, a power loss of a
//!   replica, or the pre-KIP-101 truncation switch. Those are lessons; the
//!   committed prefix then follows the new leader's log. A record committed
//!   before an unclean election may be lost later too, by a replica that
//!   has not heard of the election following a leader it deposed.
//! - **One Leader per Epoch**: no two brokers lead the same leader epoch.
//! - **Strong ISR**: every member of the controller's ISR holds the
//!   committed prefix (the offsets below any leader's high watermark),
//!   records an unclean election allows to lose apart.
//! - **High Watermark Visibility**: consumers only see committed records.

use super::engine::{Kafka, KafkaObs, Rec};
use crate::protocol::Protocol;
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Committed Durability".
pub const DURABILITY: &str = "Committed Durability";
/// The invariant "One Leader per Epoch".
pub const ONE_LEADER: &str = "One Leader per Epoch";
/// The invariant "Strong ISR".
pub const STRONG_ISR: &str = "Strong ISR";
/// The invariant "High Watermark Visibility".
pub const VISIBILITY: &str = "High Watermark Visibility";

/// What the checker remembers.
#[derive(Clone, Debug, Default)]
pub struct KafkaChecker {
    /// The committed prefix: every record ever below a leader's HW.
    committed: Vec<Rec>,
    /// The leader epoch in which each committed record was committed.
    committed_in: Vec<u64>,
    /// Who led each epoch.
    leaders: LiteMap<u64, NodeId>,
    /// The controller's ISR as last seen.
    isr: u32,
    /// Per node: (its truncation count, the prefix's generation, how far
    /// its log was checked).
    verified: LiteMap<NodeId, (u64, u64, usize)>,
    /// The longest the committed prefix has been.
    longest: usize,
    /// Bumped whenever the committed prefix is cut (what was verified
    /// against it no longer counts).
    generation: u64,
    /// The leader epoch at the last unclean election seen at the controller.
    unclean_epoch: u64,
    /// Unclean elections seen.
    unclean_count: u32,
}

fn show(r: &Rec) -> String {
    format!("{} (epoch {})", r.cmd, r.epoch)
}

impl KafkaChecker {
    /// The first offset below `len` where `log` differs from the committed prefix.
    fn mismatch(&self, log: &[Rec], from: usize, len: usize) -> Option<usize> {
        (from..len.min(self.committed.len())).find(|&i| log.get(i) != self.committed.get(i))
    }
    /// Whether the committed record at `i` may be lost as the lesson of an
    /// unclean election: it was committed before the last one. A replica
    /// that has not heard of that election may still follow a leader it
    /// deposed (a zombie, itself perhaps elected uncleanly) and truncate to
    /// its log; records committed after it must survive.
    fn unclean_may_lose(&self, i: usize) -> bool {
        self.committed_in
            .get(i)
            .is_some_and(|&e| e < self.unclean_epoch)
    }
    /// An expected loss: the committed prefix follows `log` from `i` on.
    fn cut(&mut self, i: usize) {
        if i < self.committed.len() {
            self.committed.truncate(i);
            self.committed_in.truncate(i);
            self.generation += 1;
        }
    }
}

impl Checker<Kafka> for KafkaChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Kafka>],
        seen: &[KafkaObs],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(Some(me)) = nodes.get(acted as usize - 1) else {
            return;
        };
        if let Some(c) = me.controller_state() {
            self.isr = c.part.isr;
            // An unclean election (several may happen in one step): the
            // log of the replica left in the ISR is the truth from the
            // moment the controller chose it.
            if c.unclean > self.unclean_count {
                self.unclean_count = c.unclean;
                self.unclean_epoch = c.part.leader_epoch;
                let first = (1..=32u32).find(|b| c.part.isr >> (b - 1) & 1 == 1);
                let log = first.and_then(|b| nodes.get(b as usize - 1)?.as_ref());
                let len = self.committed.len();
                let i = log.map_or(Some(0), |l| self.mismatch(l.log(), 0, len));
                if let Some(i) = i {
                    self.cut(i);
                }
            }
            return;
        }
        for o in seen {
            match *o {
                // A leader deposed by an unclean election commits nothing
                // that counts: the unclean leader's log is the truth.
                KafkaObs::Hw { .. } | KafkaObs::Leader { .. } | KafkaObs::Consumed { .. }
                    if me.leads().is_some_and(|e| e < self.unclean_epoch) => {}
                KafkaObs::Leader { epoch } => {
                    if let Some(&other) = self.leaders.get(&epoch) {
                        if other != acted {
                            found.push((
                                ONE_LEADER,
                                format!("S{acted} and S{other} both led leader epoch {epoch}"),
                            ));
                        }
                    }
                    self.leaders.insert(epoch, acted);
                    // It must hold what was committed before its epoch
                    // (not what later leaders committed while it was slow
                    // to hear of its election).
                    let len = self.committed.len();
                    let before = |i: &usize| self.committed_in[*i] < epoch;
                    let log = me.log();
                    let first = (0..len)
                        .filter(before)
                        .find(|&i| log.get(i) != self.committed.get(i));
                    if let Some(i) = first {
                        if !me.loss_expected() && !self.unclean_may_lose(i) {
                            found.push((
                                DURABILITY,
                                format!(
                                    "S{acted} became leader of epoch {epoch} without the committed record at offset {i}, {} (the committed prefix had {len} records)",
                                    show(&self.committed[i])
                                ),
                            ));
                        }
                        // The new leader's log is the truth from now on.
                        self.cut(i);
                    }
                }
                KafkaObs::Hw { from, to } => {
                    let log = me.log();
                    let (from, to) = (from as usize, (to as usize).min(log.len()));
                    if let Some(i) = self.mismatch(log, from, to) {
                        if !me.loss_expected() && !self.unclean_may_lose(i) {
                            found.push((
                                DURABILITY,
                                format!(
                                    "S{acted} committed {} at offset {i}, where {} was committed before",
                                    show(&log[i]),
                                    show(&self.committed[i])
                                ),
                            ));
                        }
                        self.cut(i);
                    }
                    if to > self.committed.len() {
                        let start = self.committed.len();
                        self.committed.extend_from_slice(&log[start..to]);
                        let epoch = me.leads().unwrap_or(0);
                        self.committed_in.resize(to, epoch);
                    }
                    self.longest = self.longest.max(self.committed.len());
                }
                KafkaObs::Consumed { upto } => {
                    let lost = self.unclean_count > 0 || me.loss_expected();
                    if upto > me.hw() || (upto as usize > self.longest && !lost) {
                        found.push((
                            VISIBILITY,
                            format!("a consumer read S{acted}'s log up to offset {upto}, past what is committed"),
                        ));
                    }
                }
            }
        }
        // Strong ISR: a member of the controller's ISR holds the committed
        // prefix (checked from where it was last checked; again from the
        // start after it truncates).
        let bit = 1u32.checked_shl(acted - 1).unwrap_or(0);
        if self.isr & bit == 0 || me.loss_expected() {
            return;
        }
        let (t, g) = (me.truncations(), self.generation);
        let entry = self.verified.get(&acted).copied().unwrap_or((t, g, 0));
        let from = if (entry.0, entry.1) == (t, g) {
            entry.2
        } else {
            0
        };
        let len = self.committed.len();
        if let Some(i) = self.mismatch(me.log(), from, len) {
            if self.unclean_may_lose(i) {
                // The unclean election's lesson: this log is the truth now.
                self.cut(i);
                return;
            }
            found.push((
                STRONG_ISR,
                format!(
                    "S{acted} is in the controller's ISR but {} at offset {i}, below the high watermark {len}",
                    me.log().get(i).map_or("lacks the committed record".to_string(), |r| format!("holds {} instead of the committed {}", show(r), show(&self.committed[i])))
                ),
            ));
            return;
        }
        self.verified.insert(acted, (t, g, len.max(from)));
    }
}
