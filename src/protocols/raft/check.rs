//! Raft's safety properties (Figure 3 of the paper), checked incrementally.
//!
//! - **Election Safety**: at most one leader per term.
//! - **Leader Append-Only**: a leader never overwrites or deletes entries in
//!   its log; it only appends.
//! - **Log Matching**: if two logs contain an entry with the same index and
//!   term, the logs are identical in all entries up through that index. We
//!   record, for every (index, term) ever seen, the entry's command and the
//!   term of its predecessor; by induction on the index, agreement on those
//!   for every entry is equivalent to the property. Only entries that changed
//!   since the last check (the log counts its truncations) are examined.
//! - **Leader Completeness**: an entry committed in a term is present in the
//!   logs of the leaders of all higher terms. "Committed in a term" is the
//!   term of the server that commits it, not the entry's own term. Checked
//!   when a server becomes leader and whenever an entry becomes committed.
//! - **State Machine Safety**: no two servers apply different entries at the
//!   same index, and each server's key-value store is exactly what applying
//!   the committed entries in order up to its lastApplied gives (so a
//!   server that applies out of order, twice, or from the wrong log is seen
//!   in its state, not only in its log).
//! - **Configuration Quorum** (Ongaro's thesis, chapter 4): a configuration
//!   entry commits only once a majority of the configuration it names holds
//!   it (the configuration is in force from the moment it is appended, so
//!   that is the majority its commit is counted in). Election Safety above
//!   already spans configurations: one leader per term, whatever each
//!   server believed the configuration was.

use super::engine::{Raft, Role};
use super::log::Entry;
use crate::protocol::{Command, Key};
use crate::sim::check::Checker;
use crate::sim::NodeId;
use litemap::LiteMap;

/// The invariant "Election Safety".
pub const ELECTION_SAFETY: &str = "Election Safety";
/// The invariant "Leader Append-Only".
pub const LEADER_APPEND_ONLY: &str = "Leader Append-Only";
/// The invariant "Log Matching".
pub const LOG_MATCHING: &str = "Log Matching";
/// The invariant "Leader Completeness".
pub const LEADER_COMPLETENESS: &str = "Leader Completeness";
/// The invariant "State Machine Safety".
pub const STATE_MACHINE_SAFETY: &str = "State Machine Safety";
/// The invariant "Configuration Quorum".
pub const CONFIG_QUORUM: &str = "Configuration Quorum";

#[derive(Clone, Debug, Default)]
struct Track {
    seen_once: bool,
    log_len: u64,
    truncations: u64,
    leader_term: Option<u64>,
    commit_checked: u64,
    applied_checked: u64,
    // What applying the checked entries 1..=applied_checked in order gives
    // (with §8 client serials: each command executed once).
    kv: LiteMap<Key, u32>,
    executed: LiteMap<Command, ()>,
}

/// The Raft checker's memory of what it has seen.
#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    leaders: LiteMap<u64, NodeId>,
    tracks: Vec<Track>,
    // Looked up only, never iterated, so its order cannot leak into a run.
    seen: LiteMap<(u64, u64), (u64, Option<Command>)>,
    // Each committed entry with the term in which it was first seen committed
    // (Leader Completeness speaks of that term, not the entry's own).
    committed: Vec<(Entry, u64)>,
    applied: Vec<Entry>,
    // Configuration entries (index, term): the servers ever seen holding one.
    holders: LiteMap<(u64, u64), u32>,
}

fn show(e: &Entry) -> String {
    match (e.cmd, e.conf) {
        (Some(c), _) => format!("{c}@t{}", e.term),
        (None, 0) => format!("no-op@t{}", e.term),
        (None, conf) => format!("config {}@t{}", super::show_conf(conf), e.term),
    }
}

/// Run one committed command through the expected state machine.
fn execute(t: &mut Track, cmd: Option<Command>, serials: bool) {
    let Some(c) = cmd else {
        return;
    };
    if serials && t.executed.insert(c, ()).is_some() {
        return;
    }
    crate::protocols::common::apply(&mut t.kv, &c);
}

impl Checker<Raft> for RaftChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Raft>],
        _seen: &[()],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let i = (acted as usize).wrapping_sub(1);
        let Some(Some(node)) = nodes.get(i) else {
            return;
        };
        if self.tracks.len() < nodes.len() {
            self.tracks.resize(nodes.len(), Track::default());
        }
        let t = &mut self.tracks[i];
        let term = node.current_term();
        let log = node.log();
        let is_leader = node.role() == Role::Leader;

        // Election Safety.
        if is_leader {
            match self.leaders.get(&term) {
                Some(&other) if other != acted => found.push((
                    ELECTION_SAFETY,
                    format!("S{acted} and S{other} are both leaders of term {term}"),
                )),
                Some(_) => {}
                None => {
                    self.leaders.insert(term, acted);
                }
            }
        }

        // Leader Append-Only.
        if is_leader
            && t.leader_term == Some(term)
            && (log.truncations() != t.truncations || log.last_index() < t.log_len)
        {
            found.push((
                LEADER_APPEND_ONLY,
                format!("leader S{acted} of term {term} removed entries from its own log"),
            ));
        }

        // Log Matching, on the entries that changed.
        let start = if !t.seen_once {
            1
        } else if log.truncations() == t.truncations {
            t.log_len + 1
        } else if log.truncations() == t.truncations + 1 {
            log.last_truncated_at().max(1)
        } else {
            1
        };
        for idx in start..=log.last_index() {
            let Some(e) = log.get(idx) else { break };
            if e.conf != 0 {
                *self.holders.entry((idx, e.term)).or_default() |= 1 << (acted & 31);
            }
            let prev = log.term_at(idx - 1).unwrap_or(0);
            match self.seen.get(&(idx, e.term)) {
                None => {
                    self.seen.insert((idx, e.term), (prev, e.cmd));
                }
                Some(&(p, c)) if p == prev && c == e.cmd => {}
                Some(_) => found.push((
                    LOG_MATCHING,
                    format!("S{acted}'s entry {idx} ({}) disagrees with another server's entry of the same index and term", show(e)),
                )),
            }
        }

        // Leader Completeness, when a server becomes leader.
        if is_leader && t.leader_term != Some(term) {
            for (k, (c, in_term)) in self.committed.iter().enumerate() {
                let idx = k as u64 + 1;
                if *in_term < term && log.get(idx) != Some(c) {
                    found.push((
                        LEADER_COMPLETENESS,
                        format!("S{acted} became leader of term {term} without committed entry {idx} ({})", show(c)),
                    ));
                    break;
                }
            }
        }

        // Newly committed entries: record them, and check current leaders of later terms hold them.
        let commit = node.commit_index().min(log.last_index());
        if commit < t.commit_checked {
            t.commit_checked = commit; // restarted: volatile state rebuilt
        }
        for idx in t.commit_checked + 1..=commit {
            let Some(e) = log.get(idx).copied() else {
                break;
            };
            if idx as usize > self.committed.len() {
                // A node learns of a commit no earlier than the term it happened in.
                self.committed.push((e, term));
                if e.conf != 0 {
                    let held = self.holders.get(&(idx, e.term)).copied().unwrap_or(0) & e.conf;
                    let size = e.conf.count_ones();
                    if held.count_ones() < size / 2 + 1 {
                        found.push((
                            CONFIG_QUORUM,
                            format!(
                                "configuration {} at index {idx} committed, but only {} of its {size} servers ever held it",
                                super::show_conf(e.conf),
                                held.count_ones()
                            ),
                        ));
                    }
                }
                for (j, other) in nodes.iter().enumerate() {
                    if let Some(o) = other {
                        if o.role() == Role::Leader
                            && o.current_term() > term
                            && o.log().get(idx) != Some(&e)
                        {
                            found.push((
                                LEADER_COMPLETENESS,
                                format!(
                                    "entry {idx} ({}) is committed but leader S{} of term {} lacks it",
                                    show(&e),
                                    j + 1,
                                    o.current_term()
                                ),
                            ));
                        }
                    }
                }
            }
        }

        // State Machine Safety.
        let applied = node.last_applied().min(log.last_index());
        let before = t.applied_checked;
        if applied < t.applied_checked {
            // A restart: the state machine is rebuilt from the log.
            t.applied_checked = applied;
            t.kv.clear();
            t.executed.clear();
            for e in self.applied.iter().take(applied as usize) {
                execute(t, e.cmd, node.client_serials());
            }
        }
        for idx in t.applied_checked + 1..=applied {
            let Some(e) = log.get(idx).copied() else {
                break;
            };
            let cmd = self.applied.get(idx as usize - 1).unwrap_or(&e).cmd;
            execute(t, cmd, node.client_serials());
            match self.applied.get(idx as usize - 1) {
                None => self.applied.push(e),
                Some(a) if *a == e => {}
                Some(a) => found.push((
                    STATE_MACHINE_SAFETY,
                    format!(
                        "S{acted} applied {} at index {idx}, but {} was applied there before",
                        show(&e),
                        show(a)
                    ),
                )),
            }
        }

        if applied != before && node.kv() != &t.kv {
            let show_kv = |m: &LiteMap<Key, u32>| {
                m.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            found.push((
                STATE_MACHINE_SAFETY,
                format!(
                    "S{acted}'s state is {{{}}} but applying the committed entries 1..={applied} gives {{{}}}",
                    show_kv(node.kv()),
                    show_kv(&t.kv)
                ),
            ));
        }

        t.seen_once = true;
        t.log_len = log.last_index();
        t.truncations = log.truncations();
        t.leader_term = if is_leader { Some(term) } else { None };
        t.commit_checked = commit;
        t.applied_checked = applied;
    }
}
