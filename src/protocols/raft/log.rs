//! The Raft log (Figure 2: "log[]: log entries; each entry contains command
//! for state machine, and term when entry was received by leader (first
//! index is 1)").
//!
//! Mutation happens only through [`Log::append`] and [`Log::truncate_from`],
//! so the log can count its truncations; the checker uses that count to
//! re-check only what changed, and Leader Append-Only is checked against it.

use crate::protocol::Command;
use serde::{Deserialize, Serialize};

/// One log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Term in which the leader created the entry.
    pub term: u64,
    /// The command; `None` is the leader's no-op of section 8 or a
    /// configuration entry.
    pub cmd: Option<Command>,
    /// A configuration entry (Raft thesis §4.1): the servers of the new
    /// configuration, bit `i` for server `Si`; 0 for any other entry.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub conf: u32,
}

fn is_zero(x: &u32) -> bool {
    *x == 0
}

impl Entry {
    /// An entry holding `cmd` (`None`: the leader's no-op).
    pub fn new(term: u64, cmd: Option<Command>) -> Entry {
        Entry { term, cmd, conf: 0 }
    }
}

/// A 1-indexed log with a truncation counter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    entries: Vec<Entry>,
    truncations: u64,
    last_truncated_at: u64,
}

impl Log {
    /// Index of the last entry (0 if empty).
    pub fn last_index(&self) -> u64 {
        self.entries.len() as u64
    }
    /// Term of the last entry (0 if empty).
    pub fn last_term(&self) -> u64 {
        self.entries.last().map(|e| e.term).unwrap_or(0)
    }
    /// Term of the entry at `index`; 0 for index 0; `None` past the end.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == 0 {
            Some(0)
        } else {
            self.entries.get(index as usize - 1).map(|e| e.term)
        }
    }
    /// The entry at `index` (1-based).
    pub fn get(&self, index: u64) -> Option<&Entry> {
        if index == 0 {
            None
        } else {
            self.entries.get(index as usize - 1)
        }
    }
    /// Entries from `from` (1-based) on, at most `max` of them.
    pub fn slice_from(&self, from: u64, max: usize) -> Vec<Entry> {
        let start = (from.max(1) - 1) as usize;
        if start >= self.entries.len() {
            return Vec::new();
        }
        let end = (start + max).min(self.entries.len());
        self.entries[start..end].to_vec()
    }
    /// Append one entry, returning its index.
    pub fn append(&mut self, e: Entry) -> u64 {
        self.entries.push(e);
        self.last_index()
    }
    /// Delete the entry at `index` and all that follow it (Figure 2, AppendEntries step 3).
    pub fn truncate_from(&mut self, index: u64) {
        let keep = (index.max(1) - 1) as usize;
        if keep < self.entries.len() {
            self.entries.truncate(keep);
            self.truncations += 1;
            self.last_truncated_at = index;
        }
    }
    /// All entries, index 1 first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    /// How many truncations this log has ever undergone.
    pub fn truncations(&self) -> u64 {
        self.truncations
    }
    /// Index of the most recent truncation.
    pub fn last_truncated_at(&self) -> u64 {
        self.last_truncated_at
    }
}
